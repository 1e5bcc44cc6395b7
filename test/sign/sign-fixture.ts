/**
 * What the real-signing tests share: a hello-http exe built once per test file with build(),
 * throwaway certificates (pki.ts), a local timestamp server (tsa.ts), and an `osslsigncode` on a
 * PATH of its own that records each run's arguments and the permissions of the `-readpass` file
 * before running the real one. osslsigncode and openssl are required: without them the tests fail
 * (never skip) saying what to install.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../../src/build';
import { makePki, requireTool, type TestPki } from './pki';
import { startTsa, type TestTsa } from './tsa';

export const helloEntry = path.resolve(__dirname, '../../fixtures/hello-http/app.ts');
export const EXE_NAME = 'SignHello';
export const PASSWORD_ENV = 'SVCPACK_TEST_SIGN_PASSWORD';

export interface SignFixture {
  work: string;
  pki: TestPki;
  tsa: TestTsa;
  /** The unsigned exe and its build record, as build() wrote them (never modified). */
  unsigned: { exe: string; record: string };
  /** Folder of the recording `osslsigncode` wrapper (first on `env.PATH`). */
  binDir: string;
  /** The recorder's log: one block per run. */
  argvLog: string;
  /** process.env with the wrapper first on PATH and the PFX password in PASSWORD_ENV. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Sets everything up (≈ 2 s with a warm runtime cache). */
export async function setUpSigning(label: string): Promise<SignFixture> {
  const real = requireTool('osslsigncode');
  requireTool('openssl');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), `svcpack-${label}-`));
  const pki = makePki(path.join(work, 'pki'));
  const tsa = await startTsa(pki);
  const result = await build({ entry: helloEntry, name: EXE_NAME, outDir: path.join(work, 'build'), displayName: 'Sign Hello' });
  const exe = result.files[0] ?? path.join(work, 'build', `${EXE_NAME}.exe`);

  const binDir = path.join(work, 'bin');
  const argvLog = path.join(work, 'osslsigncode-argv.log');
  fs.mkdirSync(binDir);
  fs.writeFileSync(
    path.join(binDir, 'osslsigncode'),
    [
      '#!/bin/sh',
      `log='${argvLog}'`,
      'echo "--- run" >> "$log"',
      'prev=',
      'for a in "$@"; do',
      '  printf "arg %s\\n" "$a" >> "$log"',
      '  if [ "$prev" = "-readpass" ]; then',
      '    printf "readpass-mode %s dir-mode %s\\n" "$(stat -c %a "$a")" "$(stat -c %a "$(dirname "$a")")" >> "$log"',
      '  fi',
      '  prev=$a',
      'done',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    work,
    pki,
    tsa,
    unsigned: { exe, record: path.join(path.dirname(exe), `${EXE_NAME}.build.json`) },
    binDir,
    argvLog,
    env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`, [PASSWORD_ENV]: pki.password },
    async close() {
      await tsa.close();
    },
  };
}

let copies = 0;

/**
 * A fresh copy of the unsigned exe (mode kept) in its own folder, whose name a shell would
 * mangle unquoted; with `record`, its build record too. Returns the exe's path.
 */
export function freshCopy(f: SignFixture, opts: { record?: boolean } = {}): string {
  const dir = path.join(f.work, `case ${++copies} it's $HOME`);
  fs.mkdirSync(dir);
  const exe = path.join(dir, `${EXE_NAME}.exe`);
  fs.copyFileSync(f.unsigned.exe, exe);
  fs.chmodSync(exe, fs.statSync(f.unsigned.exe).mode & 0o777);
  if (opts.record) fs.copyFileSync(f.unsigned.record, path.join(dir, `${EXE_NAME}.build.json`));
  return exe;
}

export const sha256File = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
