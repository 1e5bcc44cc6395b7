import { describe, expect, it } from 'vitest';
import { SvcpackError } from '../../src/errors';
import type { SignOptions } from '../../src/config/sign-options';
import { anySignOption, isEncryptedPemKey, isHttpUrl, validateSignOptions, type SignContext } from '../../src/sign/validate';
import { thrown } from '../support/thrown';

const PLAIN_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n';
const ENCRYPTED_KEY = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF…\n';
const LEGACY_ENCRYPTED_KEY = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,AB\n';

/** A fake file system: /p holds these files; PFX_PW is set. */
function ctx(overrides: Partial<SignContext> = {}): SignContext {
  const files: Record<string, string> = {
    '/p/code.pfx': 'binary',
    '/p/cert.pem': '-----BEGIN CERTIFICATE-----',
    '/p/key.pem': PLAIN_KEY,
    '/p/enc.pem': ENCRYPTED_KEY,
    '/p/legacy.pem': LEGACY_ENCRYPTED_KEY,
    '/p/key.der': '0\x82\x04\xbd',
    '/p/pw.txt': 'secret\n',
  };
  return {
    cwd: '/p',
    platform: 'linux',
    env: { PFX_PW: 'secret', EMPTY: '' },
    isFile: (f) => f in files,
    readHead: (f) => files[f] ?? null,
    ...overrides,
  };
}

/** The one-line message of the usage error `o` must cause. */
function problem(o: SignOptions, c = ctx()): string {
  const err = thrown(SvcpackError, () => validateSignOptions(o, c));
  expect(err.code).toBe('INVALID_SIGN_OPTION');
  expect(err.exitCode).toBe(2);
  expect(err.hint).not.toBe('');
  return err.toLine();
}

describe('validateSignOptions: plans', () => {
  it('a PFX with its password from the environment; paths resolve against cwd; osslsigncode off Windows', () => {
    expect(validateSignOptions({ pfx: 'code.pfx', passwordEnv: 'PFX_PW', timestampUrl: 'http://ts.example/', signDescription: 'My Svc', signUrl: 'https://example.com' }, ctx())).toEqual({
      tool: 'osslsigncode',
      credential: { kind: 'pfx', pfx: '/p/code.pfx' },
      password: { env: 'PFX_PW' },
      timestampUrl: 'http://ts.example/',
      timestampOptional: false,
      description: 'My Svc',
      url: 'https://example.com',
    });
  });

  it('signtool by default on Windows; --signer overrides', () => {
    expect(validateSignOptions({ pfx: 'code.pfx' }, ctx({ platform: 'win32' })).tool).toBe('signtool');
    expect(validateSignOptions({ pfx: 'code.pfx', signer: 'osslsigncode' }, ctx({ platform: 'win32' })).tool).toBe('osslsigncode');
    expect(validateSignOptions({ pfx: 'code.pfx', signer: 'signtool' }, ctx()).tool).toBe('signtool');
  });

  it('a PFX without a password option (opened with the empty password), a password file', () => {
    expect(validateSignOptions({ pfx: '/p/code.pfx' }, ctx())).toMatchObject({ credential: { kind: 'pfx' } });
    expect(validateSignOptions({ pfx: '/p/code.pfx' }, ctx())).not.toHaveProperty('password');
    expect(validateSignOptions({ pfx: 'code.pfx', passwordFile: 'pw.txt' }, ctx())).toMatchObject({ password: { file: '/p/pw.txt' } });
  });

  it('PEM certificate and key; an encrypted key with its password; a DER key either way', () => {
    expect(validateSignOptions({ cert: 'cert.pem', key: 'key.pem' }, ctx())).toMatchObject({ credential: { kind: 'pem', cert: '/p/cert.pem', key: '/p/key.pem' } });
    expect(validateSignOptions({ cert: 'cert.pem', key: 'enc.pem', passwordEnv: 'PFX_PW' }, ctx())).toMatchObject({ password: { env: 'PFX_PW' } });
    expect(validateSignOptions({ cert: 'cert.pem', key: 'legacy.pem', passwordFile: 'pw.txt' }, ctx())).toMatchObject({ password: { file: '/p/pw.txt' } });
    expect(validateSignOptions({ cert: 'cert.pem', key: 'key.der' }, ctx()).tool).toBe('osslsigncode');
    expect(validateSignOptions({ cert: 'cert.pem', key: 'key.der', passwordEnv: 'PFX_PW' }, ctx()).tool).toBe('osslsigncode');
  });

  it('a sign command; --signer is ignored with it', () => {
    expect(validateSignOptions({ signCommand: 'azuresigntool sign -kvu x {file}', signer: 'signtool' }, ctx())).toEqual({ tool: 'command', template: 'azuresigntool sign -kvu x {file}' });
  });

  it('--timestamp-optional with a timestamp URL', () => {
    expect(validateSignOptions({ pfx: 'code.pfx', timestampUrl: 'https://ts.example/rfc3161', timestampOptional: true }, ctx())).toMatchObject({ timestampOptional: true });
  });
});

describe('validateSignOptions: usage errors name the flag', () => {
  it('nothing to sign with, or an option that needs a certificate', () => {
    expect(problem({})).toMatch(/^svcpack: nothing to sign with — pass --pfx <file\.pfx>, --cert <cert\.pem> with --key <key\.pem>, or --sign-command/);
    expect(problem({ timestampUrl: 'http://ts.example' })).toMatch(/^svcpack: --timestamp-url needs a certificate to sign with — pass --pfx/);
    expect(problem({ passwordEnv: 'PFX_PW' })).toMatch(/^svcpack: --password-env needs a certificate/);
  });

  it('--pfx, --cert/--key and --sign-command are alternatives', () => {
    expect(problem({ pfx: 'code.pfx', cert: 'cert.pem', key: 'key.pem' })).toMatch(/^svcpack: --cert: cannot be combined with --pfx — /);
    expect(problem({ pfx: 'code.pfx', key: 'key.pem' })).toMatch(/^svcpack: --key: cannot be combined with --pfx/);
    expect(problem({ signCommand: 'x {file}', pfx: 'code.pfx' })).toMatch(/^svcpack: --pfx: cannot be combined with --sign-command — the sign command signs by itself/);
    expect(problem({ signCommand: 'x {file}', timestampUrl: 'http://t' })).toMatch(/^svcpack: --timestamp-url: cannot be combined with --sign-command/);
    expect(problem({ signCommand: 'x {file}', passwordEnv: 'PFX_PW' })).toMatch(/^svcpack: --password-env: cannot be combined with --sign-command/);
  });

  it('--key without --cert and --cert without --key', () => {
    expect(problem({ key: 'key.pem' })).toMatch(/^svcpack: --key: needs --cert — /);
    expect(problem({ cert: 'cert.pem' })).toMatch(/^svcpack: --cert: needs --key — pass its private key with --key/);
  });

  it('a sign command without {file}', () => {
    expect(problem({ signCommand: 'azuresigntool sign -kvu x' })).toMatch(/^svcpack: --sign-command: has no \{file\} placeholder — put \{file\} where the signer expects the exe/);
  });

  it('password options: both, for an unencrypted key, missing for an encrypted key, unset variable, a value instead of a name', () => {
    expect(problem({ pfx: 'code.pfx', passwordEnv: 'PFX_PW', passwordFile: 'pw.txt' })).toMatch(/^svcpack: --password-file: cannot be combined with --password-env/);
    expect(problem({ cert: 'cert.pem', key: 'key.pem', passwordEnv: 'PFX_PW' })).toMatch(/^svcpack: --password-env: the key key\.pem is not encrypted — leave out --password-env$/);
    expect(problem({ cert: 'cert.pem', key: 'enc.pem' })).toMatch(/^svcpack: --key: the key enc\.pem is encrypted — pass its password with --password-env <VAR> or --password-file <file>$/);
    expect(problem({ pfx: 'code.pfx', passwordEnv: 'NOT_SET' })).toMatch(/^svcpack: --password-env: environment variable NOT_SET is not set — set NOT_SET to the certificate password/);
    expect(problem({ pfx: 'code.pfx', passwordEnv: 'EMPTY' })).toMatch(/environment variable EMPTY is empty/);
    const literal = problem({ pfx: 'code.pfx', passwordEnv: 'hunter2!' });
    expect(literal).toMatch(/^svcpack: --password-env: "hunter2!" is not an environment variable name — pass the variable's name/);
  });

  it('missing files', () => {
    expect(problem({ pfx: 'nope.pfx' })).toMatch(/^svcpack: --pfx: file nope\.pfx does not exist — /);
    expect(problem({ cert: 'nope.pem', key: 'key.pem' })).toMatch(/^svcpack: --cert: file nope\.pem does not exist/);
    expect(problem({ cert: 'cert.pem', key: 'nope.pem' })).toMatch(/^svcpack: --key: file nope\.pem does not exist/);
    expect(problem({ pfx: 'code.pfx', passwordFile: 'nope.txt' })).toMatch(/^svcpack: --password-file: file nope\.txt does not exist/);
  });

  it('signer, URLs, --timestamp-optional alone, signtool with a PEM key', () => {
    expect(problem({ pfx: 'code.pfx', signer: 'jsign' as never })).toMatch(/^svcpack: --signer: "jsign" is not a signer — use osslsigncode or signtool \(or --sign-command/);
    expect(problem({ pfx: 'code.pfx', timestampUrl: 'timestamp.digicert.com' })).toMatch(/^svcpack: --timestamp-url: "timestamp\.digicert\.com" is not an http\(s\) URL — /);
    expect(problem({ pfx: 'code.pfx', timestampUrl: 'ftp://ts.example' })).toMatch(/is not an http\(s\) URL/);
    expect(problem({ pfx: 'code.pfx', signUrl: 'example.com' })).toMatch(/^svcpack: --sign-url: "example\.com" is not an http\(s\) URL/);
    expect(problem({ pfx: 'code.pfx', timestampOptional: true })).toMatch(/^svcpack: --timestamp-optional: needs --timestamp-url/);
    expect(problem({ cert: 'cert.pem', key: 'key.pem', signer: 'signtool' })).toMatch(/^svcpack: --key: signtool cannot sign with a PEM key — convert it to a PFX \(openssl pkcs12 -export/);
  });

  it('API values of the wrong type or empty', () => {
    expect(problem({ pfx: 42 as never })).toMatch(/^svcpack: --pfx: 42 is not a string/);
    expect(problem({ pfx: 'code.pfx', timestampOptional: 'yes' as never })).toMatch(/^svcpack: --timestamp-optional: "yes" is not true or false/);
    expect(problem({ pfx: ' ' })).toMatch(/^svcpack: --pfx: is empty/);
  });

  it('names options read from a config file as the config names them', () => {
    const fromConfig = ctx({ optionName: (key) => (key === 'pfx' ? 'svcpack.config.json: pfx' : `--${key}`) });
    expect(problem({ pfx: 'nope.pfx' }, fromConfig)).toMatch(/^svcpack: svcpack\.config\.json: pfx: file nope\.pfx does not exist/);
  });
});

describe('helpers', () => {
  it('isHttpUrl', () => {
    expect(isHttpUrl('http://timestamp.digicert.com')).toBe(true);
    expect(isHttpUrl('https://ts.example:8443/rfc3161?x=1')).toBe(true);
    expect(isHttpUrl('timestamp.digicert.com')).toBe(false);
    expect(isHttpUrl('file:///etc/passwd')).toBe(false);
  });
  it('isEncryptedPemKey', () => {
    expect(isEncryptedPemKey(ENCRYPTED_KEY)).toBe(true);
    expect(isEncryptedPemKey(LEGACY_ENCRYPTED_KEY)).toBe(true);
    expect(isEncryptedPemKey(PLAIN_KEY)).toBe(false);
  });
  it('anySignOption ignores the other build options, and timestampOptional: false', () => {
    expect(anySignOption({ name: 'X', entry: 'a.ts' } as SignOptions)).toBe(false);
    expect(anySignOption({ timestampOptional: false })).toBe(false);
    expect(anySignOption({ timestampUrl: 'http://t' })).toBe(true);
  });
  it('timestampOptional: false goes with a sign command', () => {
    expect(validateSignOptions({ signCommand: 'x {file}', timestampOptional: false }, ctx()).tool).toBe('command');
  });
});
