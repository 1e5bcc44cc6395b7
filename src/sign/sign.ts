/**
 * Signs one exe in place: validate the options → check the input is an unsigned PE → run the
 * signer on a temporary copy next to the exe → verify the copy (svcpack's own Authenticode
 * verifier) → rename it over the exe. Until that rename the exe is untouched: a wrong password,
 * an expired certificate, an unreachable timestamp server or a signature that does not verify
 * leave it byte for byte as it was, and the temporary file is removed.
 *
 * Called by `build` (on the staged exe, before it is hashed) and by `sign()` (`svcpack sign`).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { failure, SvcpackError, usageError } from '../errors';
import { sha256Hex } from '../emit/sha256';
import { commandFailure, renderSignCommand } from './command';
import { signFlag, type SignOptions } from '../config/sign-options';
import { osslsigncodeArgs, osslsigncodeFailure, osslsigncodeInstallHint } from './osslsigncode';
import { readPassword, withSecretFile } from './password';
import { signatureRecord, type SignatureRecord } from './record';
import { findProgram, runTool, type ToolRun } from './run-tool';
import { SIGNTOOL_INSTALL_HINT, signtoolArgs, signtoolFailure } from './signtool';
import { defaultSignContext, isHttpUrl, validateSignOptions, type SignContext, type SignPlan, type ToolSignPlan } from './validate';
import { checkSigned, checkUnsigned } from './verify';

export interface SignHooks {
  /** Relative paths (the exe, certificate and password files) resolve against this; default process.cwd(). */
  cwd?: string;
  /** Environment for `--password-env` and for the signer; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default process.platform (picks signtool on win32, osslsigncode elsewhere). */
  platform?: NodeJS.Platform;
  /** The time the certificate must be valid at; default now. */
  now?: () => Date;
  /**
   * Values the caller knows, used when the options leave them out (not with a sign command):
   * `build` passes the display name and package.json `homepage`, `svcpack sign` the display name
   * from the build record. A default URL that is not http(s) is dropped.
   */
  defaults?: { signDescription?: string; signUrl?: string };
  /** Called with each warning (also kept in the record's `warnings`). */
  onWarning?: (message: string) => void;
  /** Limit for one signer run in ms; default 10 minutes. */
  timeoutMs?: number;
  /** How messages name the exe; default `file` as given (build passes `<Name>.exe`, not the staging path). */
  label?: string;
}

/** A signed exe: its path, size and sha256 after signing, and the verified signature. */
export interface SignedExe {
  /** Absolute path of the exe (signed in place). */
  file: string;
  bytes: number;
  sha256: string;
  signature: SignatureRecord;
}

/**
 * Signs `file` in place with `options` (see the file comment). Throws SvcpackError: usage
 * (exit 2) INVALID_SIGN_OPTION, SIGN_BAD_INPUT; failure (exit 1) SIGNER_NOT_FOUND,
 * SIGN_BAD_PASSWORD, SIGN_TIMESTAMP_UNREACHABLE, SIGN_CERT_EXPIRED, SIGN_VERIFY_FAILED,
 * SIGN_FAILED, OUTPUT_FAILED. The password never appears in an error, warning or the record.
 * `contents`: the file's bytes when the caller holds them already (the build), saving a read.
 */
export async function signExe(file: string, options: SignOptions, hooks: SignHooks = {}, contents?: Uint8Array): Promise<SignedExe> {
  const ctx = defaultSignContext({
    ...(hooks.cwd === undefined ? {} : { cwd: hooks.cwd }),
    ...(hooks.env === undefined ? {} : { env: hooks.env }),
    ...(hooks.platform === undefined ? {} : { platform: hooks.platform }),
  });
  const plan = withDefaults(validateSignOptions(options, ctx), hooks.defaults);
  const target = path.resolve(ctx.cwd, file);
  const label = hooks.label ?? file;

  let input: Uint8Array;
  try {
    input = contents ?? (await fs.readFile(target));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw usageError('SIGN_BAD_INPUT', missing ? `${label} does not exist` : `cannot read ${label}: ${(err as Error).message}`, 'pass the path of the .exe to sign');
  }
  checkUnsigned(input, label);
  const mode = (await fs.stat(target)).mode & 0o7777;

  let program = ''; // a sign command runs through the shell
  if (plan.tool !== 'command') {
    const found = findProgram(plan.tool, ctx.env, ctx.platform);
    if (found === null) throw signerNotFound(plan.tool, ctx.platform);
    program = found;
  }
  const password = plan.tool !== 'command' && plan.password ? readPassword(plan.password, ctx.env) : undefined;

  const temp = path.join(path.dirname(target), `.${path.basename(target, path.extname(target))}.signing-${randomBytes(4).toString('hex')}${path.extname(target)}`);
  const warnings: string[] = [];
  try {
    let timestamped = plan.tool !== 'command' && plan.timestampUrl !== undefined;
    let skippedTimestamp: string | undefined;
    const attempt = (timestamp: boolean) => runSigner({ plan, program, target, temp, label, password, timestamp, ctx, timeoutMs: hooks.timeoutMs });
    try {
      await attempt(timestamped);
    } catch (err) {
      const optional = plan.tool !== 'command' && plan.timestampOptional;
      if (!(err instanceof SvcpackError && err.code === 'SIGN_TIMESTAMP_UNREACHABLE' && optional)) throw err;
      skippedTimestamp = err.message;
      timestamped = false;
      await fs.rm(temp, { force: true });
      await attempt(false);
    }

    const signed = await fs.readFile(temp);
    // WebCrypto hashes on the thread pool while the signature is checked here.
    const sha256 = sha256Hex(signed);
    sha256.catch(() => undefined); // awaited below unless the check throws first
    const info = checkSigned(signed, { label, now: hooks.now?.() ?? new Date(), expectTimestamp: timestamped });
    if (!info.timestamp) {
      const until = `Windows stops accepting the signature when the certificate expires (${info.signer?.notAfter.slice(0, 10)})`;
      if (skippedTimestamp !== undefined) warnings.push(`${skippedTimestamp}: signed without a timestamp (${signFlag('timestampOptional')}), so ${until}`);
      else if (plan.tool === 'command') warnings.push(`the signature has no timestamp, so ${until} — add a timestamp server to ${signFlag('signCommand')}`);
      else warnings.push(`signed without a timestamp, so ${until} — pass ${signFlag('timestampUrl')}`);
    }

    await fs.chmod(temp, mode);
    try {
      await fs.rename(temp, target);
    } catch (err) {
      throw failure('OUTPUT_FAILED', `cannot replace ${label} with its signed copy: ${(err as Error).message}`, 'close programs using the exe (a running service?) and sign again', err);
    }
    for (const warning of warnings) hooks.onWarning?.(warning);
    return { file: target, bytes: signed.byteLength, sha256: await sha256, signature: signatureRecord(info, plan, warnings) };
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined); // best effort: never hides why signing failed
  }
}

/** `plan` with the caller's defaults for description and URL (tool signers only). */
export function withDefaults(plan: SignPlan, defaults: SignHooks['defaults']): SignPlan {
  if (plan.tool === 'command' || !defaults) return plan;
  const description = plan.description ?? (defaults.signDescription || undefined);
  const url = plan.url ?? (defaults.signUrl !== undefined && isHttpUrl(defaults.signUrl) ? defaults.signUrl : undefined);
  return { ...plan, ...(description === undefined ? {} : { description }), ...(url === undefined ? {} : { url }) };
}

export function signerNotFound(tool: ToolSignPlan['tool'], platform: NodeJS.Platform): SvcpackError {
  return failure('SIGNER_NOT_FOUND', `${tool} is not installed (not found on PATH)`, tool === 'signtool' ? SIGNTOOL_INSTALL_HINT : osslsigncodeInstallHint(platform));
}

/**
 * One run of the signer writing the signed exe to `temp`: osslsigncode reads `target` and
 * writes `temp`; signtool and a sign command sign a copy at `temp` in place. Throws the
 * classified failure.
 */
export async function runSigner(job: {
  plan: SignPlan;
  program: string;
  target: string;
  temp: string;
  label: string;
  password: string | undefined;
  timestamp: boolean;
  ctx: SignContext;
  timeoutMs: number | undefined;
}): Promise<void> {
  const { plan, program, target, temp, label, password, timestamp, ctx } = job;
  const run = async (command: string, args: string[], shell = false): Promise<ToolRun> => {
    try {
      return await runTool(command, args, { env: ctx.env, shell, ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }) });
    } catch (err) {
      if (plan.tool !== 'command' && (err as NodeJS.ErrnoException).code === 'ENOENT') throw signerNotFound(plan.tool, ctx.platform);
      throw failure('SIGN_FAILED', `cannot start ${plan.tool === 'command' ? 'the sign command' : plan.tool}: ${(err as Error).message}`, 'check the signer installation', err);
    }
  };

  const copyToTemp = async (): Promise<void> => {
    try {
      await fs.copyFile(target, temp);
    } catch (err) {
      throw failure('OUTPUT_FAILED', `cannot write the copy of ${label} to sign next to it: ${(err as Error).message}`, 'sign the exe in a folder you can write to', err);
    }
  };

  if (plan.tool === 'command') {
    await copyToTemp();
    const result = await run(renderSignCommand(plan.template, temp, ctx.platform), [], true);
    if (result.code !== 0) throw commandFailure(result, plan.template, ctx.platform);
    return;
  }
  if (plan.tool === 'osslsigncode') {
    const sign = (passwordFile?: string) => run(program, osslsigncodeArgs({ plan, input: target, output: temp, timestamp, ...(passwordFile === undefined ? {} : { passwordFile }) }));
    const result = password === undefined ? await sign() : await withSecretFile(password, sign);
    if (result.code !== 0) throw osslsigncodeFailure(result, plan, password);
    return;
  }
  await copyToTemp();
  const result = await run(program, signtoolArgs({ plan, file: temp, timestamp, ...(password === undefined ? {} : { password }) }));
  // signtool: 0 success, 1 failure, 2 success with warnings.
  if (result.code !== 0 && result.code !== 2) throw signtoolFailure(result, plan, password);
}
