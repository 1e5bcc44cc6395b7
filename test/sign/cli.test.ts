/**
 * Signing through the command line (`main()` of src/cli.ts): `svcpack build … --pfx …` signs the
 * exe before build.json hashes it, `svcpack sign` updates an existing build.json, usage errors
 * exit 2 before anything is built or signed, failures exit 1 — and the password appears on no
 * output and in no file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import type { BuildRecord } from '../../src/emit/build-record';
import { verifyAuthenticode } from '../../src/inspect/authenticode';
import { EXE_NAME, freshCopy, helloEntry, PASSWORD_ENV, setUpSigning, sha256File, type SignFixture } from './sign-fixture';
import { captureOutput } from '../support/capture-output';

let f: SignFixture;
const out = captureOutput();

beforeAll(async () => {
  f = await setUpSigning('sign-cli');
  process.env[PASSWORD_ENV] = f.pki.password;
}, 180_000);
afterAll(async () => {
  delete process.env[PASSWORD_ENV];
  await f?.close();
  if (f) fs.rmSync(f.work, { recursive: true, force: true });
});

const svcpack = (...argv: string[]) => main(argv, { cwd: f.work });

/** Nothing the CLI printed or wrote holds the password. */
function expectNoPassword(...files: string[]): void {
  expect(out.stdout).not.toContain(f.pki.password);
  expect(out.stderr).not.toContain(f.pki.password);
  for (const file of files) expect(fs.readFileSync(file, 'utf8')).not.toContain(f.pki.password);
}

let outDirs = 0;
const newOutDir = () => path.join(f.work, `out-${++outDirs}`);

describe('svcpack build with signing options', () => {
  it('signs the exe before hashing it: build.json records the signature and the signed exe’s sha256', async () => {
    const outDir = newOutDir();
    const code = await svcpack('build', helloEntry, '--name', EXE_NAME, '--out-dir', outDir, '--display-name', 'Signed Hello',
      '--pfx', f.pki.pfx, '--password-env', PASSWORD_ENV, '--timestamp-url', f.tsa.url, '--sign-url', 'https://example.com/');
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    const exe = path.join(outDir, `${EXE_NAME}.exe`);
    const recordFile = path.join(outDir, `${EXE_NAME}.build.json`);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as BuildRecord;
    expect(record.signature).toMatchObject({
      tool: 'osslsigncode',
      status: 'valid',
      digestAlgorithm: 'sha256',
      certificateFile: 'signer.pfx',
      description: 'Signed Hello',
      url: 'https://example.com/',
      timestamp: { url: f.tsa.url },
      warnings: [],
    });
    expect(record.outputs[`${EXE_NAME}.exe`]).toEqual({ bytes: fs.statSync(exe).size, sha256: sha256File(exe) });
    expect(record.size.exeBytes).toBe(fs.statSync(exe).size);
    expect(record.timings.sign).toBeGreaterThan(0);
    expect(verifyAuthenticode(fs.readFileSync(exe)).status).toBe('valid');
    expect(fs.readdirSync(outDir).filter((n) => n.startsWith('.'))).toEqual([]); // no staging or temp left
    expect(out.stdout).toMatch(/^Signed: CN=Svcpack Test Signer, O=svcpack tests \(valid until \d{4}-\d\d-\d\d\), sha256, timestamp \d{4}-/m);
    expect(out.stdout).toMatch(/Timings: .*sign (\d+ ms|\d+\.\d\d s)/); // a loaded machine takes over a second
    expectNoPassword(recordFile);
  });

  it('--json, --password-file and --timestamp-optional: the warning on stderr and in the record', async () => {
    const outDir = newOutDir();
    const code = await svcpack('build', helloEntry, '--name', EXE_NAME, '--out-dir', outDir, '--json',
      '--pfx', f.pki.pfx, '--password-file', f.pki.passwordFile, '--timestamp-url', 'http://127.0.0.1:9/', '--timestamp-optional');
    expect(code).toBe(0);
    expect(out.stderr).toMatch(/^svcpack: warning: timestamp server http:\/\/127\.0\.0\.1:9\/ (refused the connection|could not be connected to): signed without a timestamp \(--timestamp-optional\)/);
    const printed = JSON.parse(out.stdout) as BuildRecord;
    expect(printed.signature).toMatchObject({ status: 'valid', timestamp: null, warnings: [expect.stringMatching(/127\.0\.0\.1:9\/ (refused the connection|could not be connected to)/)] });
    // (Timings aside: the printed record also has the emit step's, which ends after build.json is written.)
    const written = JSON.parse(fs.readFileSync(path.join(outDir, `${EXE_NAME}.build.json`), 'utf8')) as BuildRecord;
    expect({ ...printed, timings: {} }).toEqual({ ...written, timings: {} });
    expectNoPassword();
  });

  it('a failed signature fails the build (exit 1, one line) and writes nothing', async () => {
    const outDir = newOutDir();
    process.env.SVCPACK_TEST_WRONG_PASSWORD = 'not the password';
    try {
      const code = await svcpack('build', helloEntry, '--name', EXE_NAME, '--out-dir', outDir, '--pfx', f.pki.pfx, '--password-env', 'SVCPACK_TEST_WRONG_PASSWORD', '--verbose');
      expect(code).toBe(1);
    } finally {
      delete process.env.SVCPACK_TEST_WRONG_PASSWORD;
    }
    expect(out.stderr.split('\n')[0]).toBe(`svcpack: wrong password for ${f.pki.pfx} — check the password in environment variable SVCPACK_TEST_WRONG_PASSWORD`);
    expect(out.stderr).toMatch(/osslsigncode output:\n.*mac verify failure/s); // --verbose shows the tool's output
    expect(fs.existsSync(outDir)).toBe(false);
    expectNoPassword();
  });

  it('bad signing options are usage errors (exit 2) before anything is built', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--key', f.pki.key], /^svcpack: --key: needs --cert — /],
      [['--pfx', f.pki.pfx, '--cert', f.pki.cert, '--key', f.pki.key], /^svcpack: --cert: cannot be combined with --pfx — /],
      [['--pfx', f.pki.pfx, '--timestamp-url', 'timestamp.digicert.com'], /^svcpack: --timestamp-url: "timestamp\.digicert\.com" is not an http\(s\) URL — /],
      [['--sign-command', 'azuresigntool sign'], /^svcpack: --sign-command: has no \{file\} placeholder — /],
      [['--pfx', f.pki.pfx, '--password-env', 'SVCPACK_TEST_UNSET'], /^svcpack: --password-env: environment variable SVCPACK_TEST_UNSET is not set — /],
    ];
    for (const [flags, pattern] of cases) {
      out.stderr = '';
      const outDir = newOutDir();
      const started = performance.now();
      expect(await svcpack('build', helloEntry, '--name', EXE_NAME, '--out-dir', outDir, ...flags)).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(pattern);
      expect(fs.existsSync(outDir)).toBe(false);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});

describe('svcpack sign', () => {
  it('signs in place, updates the build record and prints a summary', async () => {
    const exe = freshCopy(f, { record: true });
    const code = await svcpack('sign', exe, '--cert', f.pki.cert, '--key', f.pki.encryptedKey, '--password-env', PASSWORD_ENV, '--timestamp-url', f.tsa.url);
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    const recordFile = path.join(path.dirname(exe), `${EXE_NAME}.build.json`);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as BuildRecord;
    expect(record.outputs[`${EXE_NAME}.exe`]?.sha256).toBe(sha256File(exe));
    expect(record.signature).toMatchObject({ status: 'valid', certificateFile: 'cert.pem', description: 'Sign Hello' });
    expect(out.stdout).toMatch(/^Signed .*SignHello\.exe with osslsigncode, verified\n {2}signer: CN=Svcpack Test Signer, O=svcpack tests/);
    expect(out.stdout).toContain(`  sha256: ${sha256File(exe)}`);
    expect(out.stdout).toMatch(/ {2}timestamp: \d{4}-.* from http:\/\/127\.0\.0\.1/);
    expect(out.stdout).toMatch(/ {2}updated .*SignHello\.build\.json\n$/);
    expectNoPassword(recordFile);
  });

  it('--json prints the result: file, bytes, sha256, signature, buildRecord', async () => {
    const exe = freshCopy(f);
    expect(await svcpack('sign', exe, '--pfx', f.pki.pfx, '--password-file', f.pki.passwordFile, '--json')).toBe(0);
    const result = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['buildRecord', 'bytes', 'file', 'sha256', 'signature']);
    expect(result).toMatchObject({ file: exe, sha256: sha256File(exe), buildRecord: null, signature: { status: 'valid', timestamp: null } });
    expect(out.stderr).toMatch(/^svcpack: warning: signed without a timestamp/);
    expectNoPassword();
  });

  it('usage errors exit 2 with one line and point at sign --help', async () => {
    const exe = freshCopy(f);
    expect(await svcpack('sign', exe)).toBe(2);
    expect(out.stderr).toMatch(/^svcpack: nothing to sign with — pass --pfx/);
    out.stderr = '';
    expect(await svcpack('sign', exe, '--pfx', f.pki.pfx, '--frobnicate')).toBe(2);
    expect(out.stderr).toBe(`svcpack: unknown option '--frobnicate' — run "svcpack sign --help" for the options\n`);
    out.stderr = '';
    expect(await svcpack('sign')).toBe(2);
    expect(out.stderr).toMatch(/missing required argument 'exe'/);
  });

  it('failures exit 1: signer not installed', async () => {
    const exe = freshCopy(f);
    const path0 = process.env.PATH;
    process.env.PATH = path.join(f.work, 'no-bin');
    try {
      expect(await svcpack('sign', exe, '--pfx', f.pki.pfx, '--password-env', PASSWORD_ENV)).toBe(1);
    } finally {
      process.env.PATH = path0;
    }
    expect(out.stderr).toMatch(/^svcpack: osslsigncode is not installed \(not found on PATH\) — install it: apt-get install osslsigncode/);
  });
});
