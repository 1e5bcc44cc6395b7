/**
 * The password of a PFX (or of an encrypted PEM key). It is only ever read from an environment
 * variable or a file, never taken as an option value, so it cannot land in shell history, in a
 * config file or in `ps` output. It must never appear in an error, a log line, build.json or
 * `--json` output: callers pass it to the signer (osslsigncode: through a private file, see
 * `withSecretFile`; signtool: `/p`, its only way) and to `redact` before showing tool output.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors';
import { signFlag } from '../config/sign-options';

/** Where the password comes from: `--password-env NAME` or `--password-file FILE` (absolute). */
export type PasswordSource = { env: string } | { file: string };

/**
 * Reads the password (called by signExe just before the signer runs). An environment variable
 * that is unset or empty, or a file that is missing, unreadable or has an empty first line, is a
 * usage error (exit 2) naming the variable or file, never the value. A file holds the password
 * on its first line; a trailing `\r\n`/`\n` is not part of it.
 */
export function readPassword(source: PasswordSource, env: NodeJS.ProcessEnv): string {
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined || value === '') {
      throw usageError(
        'INVALID_SIGN_OPTION',
        `${signFlag('passwordEnv')}: environment variable ${source.env} is ${value === undefined ? 'not set' : 'empty'}`,
        `set ${source.env} to the certificate password before running svcpack`,
      );
    }
    return value;
  }
  let text: string;
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (err) {
    throw usageError(
      'INVALID_SIGN_OPTION',
      `${signFlag('passwordFile')}: cannot read ${source.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'pass a file whose first line is the certificate password',
    );
  }
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine === '') {
    throw usageError('INVALID_SIGN_OPTION', `${signFlag('passwordFile')}: the first line of ${source.file} is empty`, 'write the certificate password on its first line');
  }
  return firstLine;
}

/**
 * Runs `work` with the path of a file that holds `secret` (one line), for osslsigncode's
 * `-readpass`. The file is created with mode 0600 inside a fresh mkdtemp folder (mode 0700) of
 * the user's temp folder, and the folder is removed when `work` settles, whatever its outcome.
 * (On Windows the modes are ignored; the user's own temp folder is private to the user.)
 */
export async function withSecretFile<T>(secret: string, work: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-sign-'));
  try {
    await fs.chmod(dir, 0o700);
    const file = path.join(dir, `pass-${randomBytes(4).toString('hex')}`);
    await fs.writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return await work(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** `text` with every occurrence of `secret` replaced by `***` (tool output shown in errors). */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}
