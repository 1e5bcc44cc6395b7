/**
 * Signing options → a signing plan, or a usage error (exit 2, code INVALID_SIGN_OPTION) naming
 * the flag. Pure apart from the file facts in `SignContext`, which tests may fake. Called by
 * signExe, and by `build` before it bundles anything so that a bad flag costs nothing.
 *
 * Rules: exactly one of `--pfx`, `--cert` with `--key`, or `--sign-command`; the sign command
 * takes none of the other options (it signs by itself; `--signer` is ignored) and must contain
 * `{file}`; at most one of `--password-env`/`--password-file`, and only for a PFX or an
 * encrypted PEM key (which then requires one); signtool cannot use PEM keys; the timestamp and
 * signature URLs are http(s); every file exists; `--timestamp-optional` needs `--timestamp-url`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { usageError, type SvcpackError } from '../errors';
import { SIGN_KEYS, signFlag, type SignOptions, type Signer } from '../config/sign-options';
import type { PasswordSource } from './password';

const SIGNERS: readonly Signer[] = ['osslsigncode', 'signtool'];

/** A signature made by a signing tool from a certificate file. Paths are absolute. */
export interface ToolSignPlan {
  tool: Signer;
  credential: { kind: 'pfx'; pfx: string } | { kind: 'pem'; cert: string; key: string };
  password?: PasswordSource;
  timestampUrl?: string;
  timestampOptional: boolean;
  description?: string;
  url?: string;
}

/** A signature made by the user's own command (`{file}` is the exe to sign in place). */
export interface CommandSignPlan {
  tool: 'command';
  template: string;
}

export type SignPlan = ToolSignPlan | CommandSignPlan;

/** What validation may look at besides the options. */
export interface SignContext {
  /** Relative paths resolve against this folder. */
  cwd: string;
  /** Picks the default signer: signtool on win32, osslsigncode elsewhere. */
  platform: NodeJS.Platform;
  /** For `--password-env` (must be set) and, later, the signer's environment. */
  env: NodeJS.ProcessEnv;
  /** True when `file` (absolute) is an existing regular file. */
  isFile(file: string): boolean;
  /** The start (up to 1 MB) of `file` (absolute) as text, to tell whether a PEM key is encrypted; null if unreadable. */
  readHead(file: string): string | null;
  /** How messages name an option; default its flag (build: a config's source, `svcpack.config.json: pfx`, for keys read there). */
  optionName?(key: keyof SignOptions): string;
}

/** The real file system, this process's environment and platform. */
export function defaultSignContext(overrides: Partial<SignContext> = {}): SignContext {
  return {
    cwd: process.cwd(),
    platform: process.platform,
    env: process.env,
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
    readHead: (file) => {
      try {
        const fd = fs.openSync(file, 'r');
        try {
          const buffer = Buffer.alloc(1 << 20); // a key file may start with a long certificate chain
          return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0)).toString('latin1');
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return null;
      }
    },
    ...overrides,
  };
}

/** True when option `key` is given: set, and for `timestampOptional` not `false` (a config may spell out the default). */
const isGiven = (o: SignOptions, key: keyof SignOptions): boolean => o[key] !== undefined && !(key === 'timestampOptional' && o[key] === false);

/** The signing keys given in `o`, in SIGN_KEYS order. */
const givenKeys = (o: SignOptions): (keyof SignOptions)[] => SIGN_KEYS.filter((k) => isGiven(o, k));

/** True when any signing option is given at all (a build validates them only then). */
export const anySignOption = (o: SignOptions): boolean => givenKeys(o).length > 0;

const HOW_TO_SIGN = `pass ${signFlag('pfx')} <file.pfx>, ${signFlag('cert')} <cert.pem> with ${signFlag('key')} <key.pem>, or ${signFlag('signCommand')} "<command> {file}"`;

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True when a PEM text is an encrypted private key (PKCS#8 `ENCRYPTED PRIVATE KEY` or legacy `Proc-Type: 4,ENCRYPTED`). */
export function isEncryptedPemKey(head: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(head) || /Proc-Type:\s*4,ENCRYPTED/.test(head);
}

/** Validates `o` (see the file comment); throws a usage SvcpackError naming the flag. */
export function validateSignOptions(o: SignOptions, ctx: SignContext): SignPlan {
  const name = (key: keyof SignOptions): string => ctx.optionName?.(key) ?? signFlag(key);
  const bad = (key: keyof SignOptions, what: string, hint: string): SvcpackError => usageError('INVALID_SIGN_OPTION', `${name(key)}: ${what}`, hint);
  for (const key of SIGN_KEYS) {
    const value = o[key];
    if (value === undefined) continue;
    if (key === 'timestampOptional') {
      if (typeof value !== 'boolean') throw bad(key, `${JSON.stringify(value)} is not true or false`, `pass ${signFlag(key)} or leave it out`);
    } else if (typeof value !== 'string') {
      throw bad(key, `${JSON.stringify(value)} is not a string`, `give ${signFlag(key)} a text value`);
    } else if (value.trim() === '') {
      throw bad(key, 'is empty', `give ${signFlag(key)} a value or leave it out`);
    }
  }

  if (o.signCommand !== undefined) return commandPlan(o, name, bad);

  const resolve = (file: string) => path.resolve(ctx.cwd, file);
  const mustExist = (key: 'pfx' | 'cert' | 'key' | 'passwordFile'): string => {
    const given = o[key] as string;
    const file = resolve(given);
    if (!ctx.isFile(file)) throw bad(key, `file ${given} does not exist`, `pass the path of an existing file to ${signFlag(key)}`);
    return file;
  };

  if (o.pfx !== undefined && (o.cert !== undefined || o.key !== undefined)) {
    throw bad(o.cert !== undefined ? 'cert' : 'key', `cannot be combined with ${name('pfx')}`, `sign with either ${signFlag('pfx')} or ${signFlag('cert')} and ${signFlag('key')}`);
  }
  if (o.key !== undefined && o.cert === undefined) throw bad('key', `needs ${name('cert')}`, `pass the certificate that belongs to the key with ${signFlag('cert')}`);
  if (o.cert !== undefined && o.key === undefined) throw bad('cert', `needs ${name('key')}`, `pass its private key with ${signFlag('key')} (or use ${signFlag('pfx')} for a PKCS#12 file)`);
  if (o.pfx === undefined && o.cert === undefined) {
    const given = givenKeys(o)[0];
    throw usageError(
      'INVALID_SIGN_OPTION',
      given === undefined ? 'nothing to sign with' : `${name(given)} needs a certificate to sign with`,
      HOW_TO_SIGN,
    );
  }
  if (o.passwordEnv !== undefined && o.passwordFile !== undefined) {
    throw bad('passwordFile', `cannot be combined with ${name('passwordEnv')}`, 'take the password from one place');
  }
  if (o.signer !== undefined && !SIGNERS.includes(o.signer)) {
    throw bad('signer', `"${o.signer}" is not a signer`, `use ${SIGNERS.join(' or ')} (or ${signFlag('signCommand')} for any other tool)`);
  }
  const tool: Signer = o.signer ?? (ctx.platform === 'win32' ? 'signtool' : 'osslsigncode');

  let credential: ToolSignPlan['credential'];
  let keyEncrypted: boolean | undefined;
  if (o.pfx !== undefined) {
    credential = { kind: 'pfx', pfx: mustExist('pfx') };
  } else {
    if (tool === 'signtool') {
      throw bad('key', 'signtool cannot sign with a PEM key', `convert it to a PFX (openssl pkcs12 -export -inkey key.pem -in cert.pem -out code.pfx) and pass ${signFlag('pfx')}, or use --signer osslsigncode`);
    }
    credential = { kind: 'pem', cert: mustExist('cert'), key: mustExist('key') };
    const head = ctx.readHead(credential.key);
    // A DER key cannot be inspected here: then the password options are the user's call.
    if (head !== null && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(head)) keyEncrypted = isEncryptedPemKey(head);
  }

  let password: PasswordSource | undefined;
  if (o.passwordEnv !== undefined || o.passwordFile !== undefined) {
    const key = o.passwordEnv !== undefined ? 'passwordEnv' : 'passwordFile';
    if (keyEncrypted === false) throw bad(key, `the key ${o.key} is not encrypted`, `leave out ${signFlag(key)}`);
    if (o.passwordEnv !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.passwordEnv)) {
        throw bad('passwordEnv', `"${o.passwordEnv}" is not an environment variable name`, `pass the variable's name, e.g. ${signFlag('passwordEnv')} PFX_PASSWORD (not its value)`);
      }
      if (!ctx.env[o.passwordEnv]) {
        throw bad('passwordEnv', `environment variable ${o.passwordEnv} is ${ctx.env[o.passwordEnv] === undefined ? 'not set' : 'empty'}`, `set ${o.passwordEnv} to the certificate password before running svcpack`);
      }
      password = { env: o.passwordEnv };
    } else {
      password = { file: mustExist('passwordFile') };
    }
  } else if (keyEncrypted === true) {
    throw bad('key', `the key ${o.key} is encrypted`, `pass its password with ${signFlag('passwordEnv')} <VAR> or ${signFlag('passwordFile')} <file>`);
  }

  if (o.timestampUrl !== undefined && !isHttpUrl(o.timestampUrl)) {
    throw bad('timestampUrl', `"${o.timestampUrl}" is not an http(s) URL`, 'pass the RFC 3161 server of your certificate authority, e.g. http://timestamp.digicert.com');
  }
  if (o.timestampOptional === true && o.timestampUrl === undefined) {
    throw bad('timestampOptional', `needs ${name('timestampUrl')}`, `pass ${signFlag('timestampUrl')} <url>, or leave out ${signFlag('timestampOptional')}`);
  }
  if (o.signUrl !== undefined && !isHttpUrl(o.signUrl)) {
    throw bad('signUrl', `"${o.signUrl}" is not an http(s) URL`, 'pass the web address shown in the signature, e.g. https://example.com');
  }

  return {
    tool,
    credential,
    ...(password === undefined ? {} : { password }),
    ...(o.timestampUrl === undefined ? {} : { timestampUrl: o.timestampUrl }),
    timestampOptional: o.timestampOptional === true,
    ...(o.signDescription === undefined ? {} : { description: o.signDescription }),
    ...(o.signUrl === undefined ? {} : { url: o.signUrl }),
  };
}

/** `--sign-command`: `{file}` required, no other signing option (the command does all of it). */
function commandPlan(
  o: SignOptions,
  name: (key: keyof SignOptions) => string,
  bad: (key: keyof SignOptions, what: string, hint: string) => SvcpackError,
): CommandSignPlan {
  const template = o.signCommand as string;
  const other = givenKeys(o).find((k) => k !== 'signCommand' && k !== 'signer');
  if (other !== undefined) {
    throw bad(other, `cannot be combined with ${name('signCommand')}`, 'the sign command signs by itself: put the certificate, password, timestamp and description options into the command');
  }
  if (!template.includes('{file}')) {
    throw bad('signCommand', 'has no {file} placeholder', 'put {file} where the signer expects the exe, e.g. "azuresigntool sign … {file}" (svcpack quotes the path)');
  }
  return { tool: 'command', template };
}
