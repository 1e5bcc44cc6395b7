/**
 * Signs the MSI with the build's signer (osslsigncode, signtool or `--sign-command`: the same
 * backends and options as the exe, src/sign/), after the exe inside it was signed. Called by
 * build.ts right after the MSI is built in the staging folder; the MSI is signed in place (a
 * temporary copy replaces it only once the signer succeeded). The result is checked: an MSI's
 * signature is its `\x05DigitalSignature` stream, which msiinfo must then list. Throws the
 * signer's classified SvcpackError (sign/sign.ts) or SIGN_VERIFY_FAILED.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { failure, SvcpackError } from '../errors';
import { signFlag, type SignOptions } from '../config/sign-options';
import { readPassword } from '../sign/password';
import { findProgram } from '../sign/run-tool';
import { runSigner, signerNotFound, withDefaults, type SignHooks } from '../sign/sign';
import { defaultSignContext, validateSignOptions } from '../sign/validate';

export interface SignedMsi {
  tool: 'osslsigncode' | 'signtool' | 'command';
  timestamped: boolean;
}

/** Signs `file` (an MSI) in place; warnings (no timestamp) go to `hooks.onWarning`. */
export async function signMsi(file: string, options: SignOptions, hooks: SignHooks = {}): Promise<SignedMsi> {
  const ctx = defaultSignContext({
    ...(hooks.cwd === undefined ? {} : { cwd: hooks.cwd }),
    ...(hooks.env === undefined ? {} : { env: hooks.env }),
    ...(hooks.platform === undefined ? {} : { platform: hooks.platform }),
  });
  const plan = withDefaults(validateSignOptions(options, ctx), hooks.defaults);
  const label = hooks.label ?? path.basename(file);
  let program = '';
  if (plan.tool !== 'command') {
    const found = findProgram(plan.tool, ctx.env, ctx.platform);
    if (found === null) throw signerNotFound(plan.tool, ctx.platform);
    program = found;
  }
  const password = plan.tool !== 'command' && plan.password ? readPassword(plan.password, ctx.env) : undefined;
  const temp = path.join(path.dirname(file), `.${path.basename(file, '.msi')}.signing-${randomBytes(4).toString('hex')}.msi`);
  try {
    let timestamped = plan.tool !== 'command' && plan.timestampUrl !== undefined;
    const attempt = (timestamp: boolean) => runSigner({ plan, program, target: file, temp, label, password, timestamp, ctx, timeoutMs: hooks.timeoutMs });
    try {
      await attempt(timestamped);
    } catch (err) {
      if (!(err instanceof SvcpackError && err.code === 'SIGN_TIMESTAMP_UNREACHABLE' && plan.tool !== 'command' && plan.timestampOptional)) throw err;
      hooks.onWarning?.(`${err.message}: ${label} signed without a timestamp (${signFlag('timestampOptional')})`);
      timestamped = false;
      await fs.rm(temp, { force: true });
      await attempt(false);
    }
    if (!(await hasSignatureStream(temp))) {
      throw failure('SIGN_VERIFY_FAILED', `${label} carries no signature after signing (no DigitalSignature stream)`, 'check that the signer signs MSI files (osslsigncode ≥ 2.0, signtool)');
    }
    if (!timestamped) hooks.onWarning?.(`${label} is signed without a timestamp, so Windows stops accepting its signature when the certificate expires — pass ${signFlag('timestampUrl')}`);
    await fs.rename(temp, file);
    return { tool: plan.tool, timestamped };
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Whether msiinfo lists the `\x05DigitalSignature` stream of `file` (false when msiinfo cannot read it). */
export function hasSignatureStream(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('msiinfo', ['streams', file], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => resolve(!err && /DigitalSignature/.test(stdout)));
  });
}
