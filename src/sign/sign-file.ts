/**
 * `svcpack sign <exe>` and the API's `sign()`: sign an exe svcpack built, in place, and bring its
 * build record up to date. When `<dir>/<basename>.build.json` exists next to `<dir>/<basename>.exe`,
 * its `outputs[<basename>.exe]` (bytes, sha256), `size.exeBytes`/`size.payloadBytes` and
 * `signature` are rewritten (temp file + rename); the record's display name is the signature's
 * default description. A record that is not valid JSON stops the command before anything is
 * signed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { failure, usageError } from '../errors';
import { atomicWrite } from '../atomic-write';
import { recordFileName, type BuildRecord } from '../emit/build-record';
import type { SignOptions } from '../config/sign-options';
import { signExe, type SignedExe, type SignHooks } from './sign';

export interface SignResult extends SignedExe {
  /** Absolute path of the build record that was updated, or null when there is none. */
  buildRecord: string | null;
}

/**
 * Signs `exe` in place (see signExe for the steps and errors) and updates its build record.
 * Throws OUTPUT_FAILED (exit 1) when the exe was signed but the record could not be written.
 */
export async function sign(exe: string, options: SignOptions, hooks: SignHooks = {}): Promise<SignResult> {
  const target = path.resolve(hooks.cwd ?? process.cwd(), exe);
  const base = path.basename(target, path.extname(target));
  const recordFile = path.join(path.dirname(target), recordFileName(base));
  const record = await readRecord(recordFile);

  const defaults = { ...(record?.displayName ? { signDescription: record.displayName } : {}), ...hooks.defaults };
  const signed = await signExe(exe, options, { ...hooks, defaults });
  if (!record) return { ...signed, buildRecord: null };

  const exeName = path.basename(target);
  record.outputs = { ...record.outputs, [exeName]: { bytes: signed.bytes, sha256: signed.sha256 } };
  if (record.size && typeof record.size.runtimeBytes === 'number') {
    record.size = { ...record.size, exeBytes: signed.bytes, payloadBytes: signed.bytes - record.size.runtimeBytes };
  }
  record.signature = signed.signature;
  try {
    await atomicWrite(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  } catch (err) {
    throw failure('OUTPUT_FAILED', `${exeName} is signed, but ${path.basename(recordFile)} could not be updated: ${(err as Error).message}`, 'make the folder writable and sign a fresh build again', err);
  }
  return { ...signed, buildRecord: recordFile };
}

/** The build record at `file`, null when there is none; a usage error when it is not a record. */
async function readRecord(file: string): Promise<BuildRecord | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError('SIGN_BAD_INPUT', `cannot read ${path.basename(file)}: ${(err as Error).message}`, 'make it readable or move it away');
  }
  try {
    const record = JSON.parse(text) as BuildRecord;
    if (typeof record === 'object' && record !== null && typeof record.outputs === 'object' && record.outputs !== null) return record;
  } catch {
    // reported below
  }
  throw usageError('SIGN_BAD_INPUT', `${path.basename(file)} next to the exe is not a svcpack build record`, 'restore it from the build, or move it away to sign without updating it');
}
