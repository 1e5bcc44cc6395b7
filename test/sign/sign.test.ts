/**
 * Real signing with osslsigncode of a real svcpack-built exe (hello-http), through the API
 * (`sign()` = `svcpack sign` without the command line): every credential kind, the custom sign
 * command, a real RFC 3161 timestamp from a local server, and each failure leaving the exe byte
 * for byte as it was. The signature is checked by svcpack's verifier (inspect/authenticode.ts)
 * and, independently, by `osslsigncode verify`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { verifyAuthenticode } from '../../src/inspect/authenticode';
import type { BuildRecord } from '../../src/emit/build-record';
import { sign } from '../../src/sign/sign-file';
import { signExe, type SignHooks } from '../../src/sign/sign';
import type { SignOptions } from '../../src/config/sign-options';
import { rejected } from '../support/thrown';
import { EXE_NAME, freshCopy, PASSWORD_ENV, setUpSigning, sha256File, type SignFixture } from './sign-fixture';

let f: SignFixture;
beforeAll(async () => {
  f = await setUpSigning('sign-test');
}, 180_000);
afterAll(async () => {
  await f?.close();
  if (f) fs.rmSync(f.work, { recursive: true, force: true });
});

const hooks = (extra: SignHooks = {}): SignHooks => ({ env: f.env, ...extra });

/** `osslsigncode verify` of `exe`, trusting the test certificates: its output. */
function osslVerify(exe: string, ca = f.pki.cert): string {
  return execFileSync('osslsigncode', ['verify', '-in', exe, '-CAfile', ca, '-TSA-CAfile', f.pki.tsa.cert], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Signing `exe` with `options` must fail with `code`; the exe and its folder stay exactly as they were. */
async function expectUntouched(exe: string, options: SignOptions, code: string, extra: SignHooks = {}): Promise<SvcpackError> {
  const before = { sha: sha256File(exe), files: fs.readdirSync(path.dirname(exe)).sort() };
  const err = await rejected(SvcpackError, sign(exe, options, hooks(extra)));
  expect(err.code, err.toLine()).toBe(code);
  expect(sha256File(exe)).toBe(before.sha);
  expect(fs.readdirSync(path.dirname(exe)).sort()).toEqual(before.files); // no half-signed temp file left
  expect(err.toLine()).not.toContain(f.pki.password);
  expect(String((err.cause as Error | undefined)?.message ?? '')).not.toContain(f.pki.password);
  return err;
}

describe('sign(): successful signatures', () => {
  it('PFX + password from an environment variable + RFC 3161 timestamp; the exe is replaced in place and its build record updated', async () => {
    const exe = freshCopy(f, { record: true });
    const mode = fs.statSync(exe).mode & 0o777;
    const issued = f.tsa.issued;
    const result = await sign(exe, { pfx: f.pki.pfx, passwordEnv: PASSWORD_ENV, timestampUrl: f.tsa.url, signUrl: 'https://example.com/hello' }, hooks());

    expect(f.tsa.issued).toBe(issued + 1);
    expect(result.file).toBe(exe);
    expect(result.sha256).toBe(sha256File(exe));
    expect(result.bytes).toBe(fs.statSync(exe).size);
    expect(fs.statSync(exe).mode & 0o777).toBe(mode);
    expect(fs.readdirSync(path.dirname(exe)).sort()).toEqual([`${EXE_NAME}.build.json`, `${EXE_NAME}.exe`]);
    expect(result.signature).toMatchObject({
      tool: 'osslsigncode',
      status: 'valid',
      digestAlgorithm: 'sha256',
      signer: { subject: 'CN=Svcpack Test Signer, O=svcpack tests', issuer: 'CN=Svcpack Test Signer, O=svcpack tests' },
      certificateFile: 'signer.pfx',
      description: 'Sign Hello', // the build record's display name
      url: 'https://example.com/hello',
      timestamp: { url: f.tsa.url },
      warnings: [],
    });
    expect(Math.abs(Date.parse(result.signature.timestamp!.time) - Date.now())).toBeLessThan(5 * 60_000);

    // What svcpack's verifier and osslsigncode itself read from the file.
    expect(verifyAuthenticode(fs.readFileSync(exe))).toMatchObject({ status: 'valid', timestamp: { signer: 'CN=Svcpack Test TSA' } });
    expect(osslVerify(exe)).toMatch(/Signature verification: ok/);

    // The build record: this exe's size and hash, and the signature.
    expect(result.buildRecord).toBe(path.join(path.dirname(exe), `${EXE_NAME}.build.json`));
    const record = JSON.parse(fs.readFileSync(result.buildRecord!, 'utf8')) as BuildRecord;
    expect(record.outputs[`${EXE_NAME}.exe`]).toEqual({ bytes: result.bytes, sha256: result.sha256 });
    expect(record.size.exeBytes).toBe(result.bytes);
    expect(record.size.payloadBytes).toBe(result.bytes - record.size.runtimeBytes);
    expect(record.signature).toEqual(result.signature);
    expect(record.outputs['install.cmd']).toBeDefined(); // the rest of the record is kept

    // The password went through -readpass: a 0600 file in a 0700 folder, gone afterwards.
    const log = fs.readFileSync(f.argvLog, 'utf8');
    expect(log).not.toContain(f.pki.password);
    const lastRun = log.split('--- run').at(-1)!;
    expect(lastRun).toMatch(/readpass-mode 600 dir-mode 700/);
    const passFile = /arg -readpass\narg (.+)\n/.exec(lastRun)?.[1];
    expect(passFile).toBeDefined();
    expect(fs.existsSync(path.dirname(passFile!))).toBe(false);
    expect(lastRun).toMatch(/arg -h\narg sha256\n/);
  });

  it('PFX + password file (first line, CRLF); no build record next to the exe', async () => {
    const exe = freshCopy(f);
    const result = await sign(exe, { pfx: f.pki.pfx, passwordFile: f.pki.passwordFile, signDescription: 'Custom Description' }, hooks());
    expect(result.buildRecord).toBeNull();
    expect(result.signature).toMatchObject({ status: 'valid', description: 'Custom Description', url: null, timestamp: null });
    expect(result.signature.warnings).toEqual([expect.stringMatching(/^signed without a timestamp, so Windows stops accepting the signature when the certificate expires \(\d{4}-\d\d-\d\d\) — pass --timestamp-url$/)]);
    expect(osslVerify(exe)).toMatch(/Signature verification: ok/);
  });

  it('a PFX without a password', async () => {
    const result = await sign(freshCopy(f), { pfx: f.pki.pfxNoPassword }, hooks());
    expect(result.signature.status).toBe('valid');
  });

  it('PEM certificate + key, plain and encrypted; warnings reach onWarning', async () => {
    const warnings: string[] = [];
    const plain = await sign(freshCopy(f), { cert: f.pki.cert, key: f.pki.key }, hooks({ onWarning: (w) => warnings.push(w) }));
    expect(plain.signature).toMatchObject({ status: 'valid', certificateFile: 'cert.pem' });
    expect(warnings).toEqual(plain.signature.warnings);
    const encrypted = await sign(freshCopy(f), { cert: f.pki.cert, key: f.pki.encryptedKey, passwordEnv: PASSWORD_ENV, timestampUrl: f.tsa.url }, hooks());
    expect(encrypted.signature).toMatchObject({ status: 'valid', timestamp: { url: f.tsa.url }, warnings: [] });
  });

  it('a custom sign command (here osslsigncode run by the shell), with a quoted path and the environment', async () => {
    const exe = freshCopy(f, { record: true });
    const template = `osslsigncode sign -certs '${f.pki.cert}' -key '${f.pki.key}' -h sha256 -n "$SIGN_NAME" -ts ${f.tsa.url} -in {file} -out {file}.signed && mv {file}.signed {file}`;
    const result = await sign(exe, { signCommand: template }, hooks({ env: { ...f.env, SIGN_NAME: 'From The Command' } }));
    expect(result.signature).toMatchObject({ tool: 'command', status: 'valid', certificateFile: null, description: 'From The Command', timestamp: { url: null } });
    expect(result.signature.timestamp?.time).toMatch(/^\d{4}-/);
    expect(fs.readdirSync(path.dirname(exe)).sort()).toEqual([`${EXE_NAME}.build.json`, `${EXE_NAME}.exe`]);
    expect(osslVerify(exe)).toMatch(/Signature verification: ok/);
  });

  it('--timestamp-optional: an unreachable server → signed without a timestamp, with a warning', async () => {
    const warnings: string[] = [];
    const exe = freshCopy(f, { record: true });
    const result = await sign(exe, { pfx: f.pki.pfx, passwordEnv: PASSWORD_ENV, timestampUrl: 'http://127.0.0.1:9/', timestampOptional: true }, hooks({ onWarning: (w) => warnings.push(w) }));
    expect(result.signature.timestamp).toBeNull();
    expect(result.signature.warnings).toEqual([
      expect.stringMatching(/^timestamp server http:\/\/127\.0\.0\.1:9\/ (refused the connection|could not be connected to): signed without a timestamp \(--timestamp-optional\), so Windows stops accepting the signature when the certificate expires/),
    ]);
    expect(warnings).toEqual(result.signature.warnings);
    const record = JSON.parse(fs.readFileSync(result.buildRecord!, 'utf8')) as BuildRecord;
    expect(record.signature?.timestamp).toBeNull();
    expect(record.signature?.warnings).toHaveLength(1);
  });

  it('signExe signs a file of any name; the build record is sign()’s business', async () => {
    const exe = freshCopy(f);
    const renamed = path.join(path.dirname(exe), 'other name.exe');
    fs.renameSync(exe, renamed);
    const result = await signExe(renamed, { cert: f.pki.cert, key: f.pki.key }, hooks());
    expect(result.sha256).toBe(sha256File(renamed));
    expect(result).not.toHaveProperty('buildRecord');
  });
});

describe('sign(): failures leave the exe untouched', () => {
  it('wrong password → SIGN_BAD_PASSWORD', async () => {
    const err = await expectUntouched(freshCopy(f), { pfx: f.pki.pfx, passwordEnv: 'WRONG_PW' }, 'SIGN_BAD_PASSWORD', { env: { ...f.env, WRONG_PW: 'not it' } });
    expect(err.exitCode).toBe(1);
    expect(err.toLine()).toBe(`svcpack: wrong password for ${f.pki.pfx} — check the password in environment variable WRONG_PW`);
    const pem = await expectUntouched(freshCopy(f), { cert: f.pki.cert, key: f.pki.encryptedKey, passwordEnv: 'WRONG_PW' }, 'SIGN_BAD_PASSWORD', { env: { ...f.env, WRONG_PW: 'not it' } });
    expect(pem.message).toBe(`wrong password for ${f.pki.encryptedKey}`);
  });

  it('a protected PFX without a password option → SIGN_BAD_PASSWORD saying to pass one', async () => {
    const err = await expectUntouched(freshCopy(f), { pfx: f.pki.pfx }, 'SIGN_BAD_PASSWORD');
    expect(err.hint).toMatch(/--password-env/);
  });

  it('expired and not-yet-valid certificates → SIGN_CERT_EXPIRED', async () => {
    const expired = await expectUntouched(freshCopy(f), f.pki.expired, 'SIGN_CERT_EXPIRED');
    expect(expired.toLine()).toBe('svcpack: the certificate "CN=Svcpack Expired Signer" expired on 2021-01-01 — renew the code-signing certificate and sign with the new one');
    const future = await expectUntouched(freshCopy(f), f.pki.notYetValid, 'SIGN_CERT_EXPIRED');
    expect(future.message).toBe('the certificate "CN=Svcpack Future Signer" is not valid before 2099-01-01');
  });

  it('unreachable timestamp server → SIGN_TIMESTAMP_UNREACHABLE', async () => {
    const err = await expectUntouched(freshCopy(f), { pfx: f.pki.pfx, passwordEnv: PASSWORD_ENV, timestampUrl: 'http://127.0.0.1:9/' }, 'SIGN_TIMESTAMP_UNREACHABLE');
    // osslsigncode 2.9 tells a refused connection apart; 2.5 (libcurl) only says it could not connect.
    expect(err.toLine()).toMatch(
      /^svcpack: timestamp server http:\/\/127\.0\.0\.1:9\/ (refused the connection|could not be connected to) — check the URL and the network, or pass --timestamp-optional to sign without a timestamp$/,
    );
  });

  it('osslsigncode not installed → SIGNER_NOT_FOUND with how to install it', async () => {
    const err = await expectUntouched(freshCopy(f), { pfx: f.pki.pfx, passwordEnv: PASSWORD_ENV }, 'SIGNER_NOT_FOUND', { env: { ...f.env, PATH: path.join(f.work, 'no-bin') }, platform: 'linux' });
    expect(err.toLine()).toMatch(/^svcpack: osslsigncode is not installed \(not found on PATH\) — install it: apt-get install osslsigncode/);
  });

  it('sign command: failing, not found, or not signing → SIGN_FAILED, SIGNER_NOT_FOUND, SIGN_VERIFY_FAILED', async () => {
    const failed = await expectUntouched(freshCopy(f), { signCommand: 'echo "vault says no" >&2; exit 3 # {file}' }, 'SIGN_FAILED');
    expect(failed.message).toBe('the sign command failed (exit code 3): vault says no');
    await expectUntouched(freshCopy(f), { signCommand: 'svcpack-no-such-signer sign {file}' }, 'SIGNER_NOT_FOUND');
    const nothing = await expectUntouched(freshCopy(f), { signCommand: 'true {file}' }, 'SIGN_VERIFY_FAILED');
    expect(nothing.message).toMatch(/carries no signature after signing$/);
    const corrupt = await expectUntouched(freshCopy(f), { signCommand: `osslsigncode sign -certs '${f.pki.cert}' -key '${f.pki.key}' -in {file} -out {file}.s && mv {file}.s {file} && printf x | dd of={file} bs=1 seek=4096 conv=notrunc 2>/dev/null` }, 'SIGN_VERIFY_FAILED');
    expect(corrupt.message).toMatch(/does not verify: /);
  });

  it('input that is missing, not an exe, or already signed → SIGN_BAD_INPUT (exit 2)', async () => {
    const missing = await rejected(SvcpackError, sign(path.join(f.work, 'nope.exe'), { pfx: f.pki.pfxNoPassword }, hooks()));
    expect(missing.code).toBe('SIGN_BAD_INPUT');
    expect(missing.exitCode).toBe(2);
    const text = path.join(f.work, 'notes.exe');
    fs.writeFileSync(text, 'not a PE file');
    expect((await rejected(SvcpackError, sign(text, { pfx: f.pki.pfxNoPassword }, hooks()))).message).toMatch(/notes\.exe is not a Windows executable$/);

    const exe = freshCopy(f);
    await sign(exe, { pfx: f.pki.pfxNoPassword }, hooks());
    const again = await expectUntouched(exe, { pfx: f.pki.pfxNoPassword }, 'SIGN_BAD_INPUT');
    expect(again.toLine()).toMatch(/is already signed by CN=Svcpack Test Signer, O=svcpack tests — sign the unsigned exe/);
  });

  it('a folder where the signing copy cannot be written → OUTPUT_FAILED, one line', async () => {
    // (The tests run as root, so a read-only folder would not stop them: a name 18 characters
    // short of the limit does, as the copy's name `.<name>.signing-<random>.exe` is too long.)
    const exe = path.join(path.dirname(freshCopy(f)), `${'A'.repeat(240)}.exe`);
    fs.renameSync(path.join(path.dirname(exe), `${EXE_NAME}.exe`), exe);
    const err = await expectUntouched(exe, { signCommand: 'true {file}' }, 'OUTPUT_FAILED');
    expect(err.exitCode).toBe(1);
    expect(err.toLine()).toMatch(/^svcpack: cannot write the copy of .*A\.exe to sign next to it: ENAMETOOLONG.* — sign the exe in a folder you can write to$/);
  });

  it('a broken build record next to the exe stops before signing', async () => {
    const exe = freshCopy(f);
    fs.writeFileSync(path.join(path.dirname(exe), `${EXE_NAME}.build.json`), '{ not json');
    const err = await expectUntouched(exe, { pfx: f.pki.pfxNoPassword }, 'SIGN_BAD_INPUT');
    expect(err.message).toBe(`${EXE_NAME}.build.json next to the exe is not a svcpack build record`);
  });

  it('option errors come before anything runs', async () => {
    const err = await expectUntouched(freshCopy(f), { pfx: f.pki.pfx, passwordEnv: 'SVCPACK_TEST_UNSET_VARIABLE' }, 'INVALID_SIGN_OPTION');
    expect(err.exitCode).toBe(2);
  });
});
