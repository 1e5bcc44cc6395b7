import { describe, expect, it } from 'vitest';
import { firstMessage, osslsigncodeArgs, osslsigncodeFailure, osslsigncodeInstallHint, timestampProblem } from '../../src/sign/osslsigncode';
import type { ToolSignPlan } from '../../src/sign/validate';
import { OSSLSIGNCODE_OUTPUT } from './osslsigncode-output';

const PFX_PLAN: ToolSignPlan = {
  tool: 'osslsigncode',
  credential: { kind: 'pfx', pfx: '/certs/code.pfx' },
  password: { env: 'PFX_PW' },
  timestampUrl: 'http://ts.example/',
  timestampOptional: false,
  description: 'My Service',
  url: 'https://example.com',
};
const PEM_PLAN: ToolSignPlan = { tool: 'osslsigncode', credential: { kind: 'pem', cert: '/certs/cert.pem', key: '/certs/key.pem' }, timestampOptional: false };

type Version = keyof typeof OSSLSIGNCODE_OUTPUT;

const runOf = (version: Version) => (name: string) => {
  const captured = OSSLSIGNCODE_OUTPUT[version][name];
  if (!captured) throw new Error(`no captured output ${name} of osslsigncode ${version}`);
  return { code: captured.code, output: captured.output, timedOut: false };
};
const run = runOf('2.9');

describe('osslsigncodeArgs', () => {
  it('PFX: sha256, description, URL, RFC 3161 timestamp, the password through -readpass', () => {
    expect(osslsigncodeArgs({ plan: PFX_PLAN, input: '/out/A.exe', output: '/out/.A.signing.exe', passwordFile: '/tmp/svcpack-sign-x/pass', timestamp: true })).toEqual([
      'sign', '-pkcs12', '/certs/code.pfx', '-readpass', '/tmp/svcpack-sign-x/pass', '-h', 'sha256', '-n', 'My Service', '-i', 'https://example.com',
      '-ts', 'http://ts.example/', '-in', '/out/A.exe', '-out', '/out/.A.signing.exe',
    ]);
  });

  it('never takes the password itself (no -pass), and leaves the timestamp out on the retry', () => {
    const args = osslsigncodeArgs({ plan: PFX_PLAN, input: 'a', output: 'b', passwordFile: 'p', timestamp: false });
    expect(args).not.toContain('-pass');
    expect(args).not.toContain('-ts');
    expect(args).not.toContain('-t');
  });

  it('PEM certificate and key, nothing optional', () => {
    expect(osslsigncodeArgs({ plan: PEM_PLAN, input: 'in.exe', output: 'out.exe', timestamp: true })).toEqual([
      'sign', '-certs', '/certs/cert.pem', '-key', '/certs/key.pem', '-h', 'sha256', '-in', 'in.exe', '-out', 'out.exe',
    ]);
  });
});

describe.each(['2.9', '2.5'] as const)('osslsigncodeFailure classifies real osslsigncode %s output', (version) => {
  const run = runOf(version);
  it('wrong PFX password (PKCS#12 MAC) and wrong PEM key password', () => {
    const pfx = osslsigncodeFailure(run('pfx-wrong-password'), PFX_PLAN);
    expect(pfx.code).toBe('SIGN_BAD_PASSWORD');
    expect(pfx.exitCode).toBe(1);
    expect(pfx.toLine()).toBe('svcpack: wrong password for /certs/code.pfx — check the password in environment variable PFX_PW');
    const pem = osslsigncodeFailure(run('pem-wrong-password'), { ...PEM_PLAN, password: { file: '/certs/pw.txt' } });
    expect(pem.code).toBe('SIGN_BAD_PASSWORD');
    expect(pem.toLine()).toBe('svcpack: wrong password for /certs/key.pem — check the password in /certs/pw.txt');
  });

  it('a protected PFX without a password option', () => {
    const err = osslsigncodeFailure(run('pfx-no-password'), { ...PFX_PLAN, password: undefined });
    expect(err.code).toBe('SIGN_BAD_PASSWORD');
    expect(err.toLine()).toBe('svcpack: /certs/code.pfx needs a password — pass it with --password-env <VAR> or --password-file <file>');
  });

  it('timestamp server refused, unknown host, HTTP error, not a timestamp reply', () => {
    const cases: Array<[string, RegExp]> = [
      ['ts-refused', version === '2.9' ? /refused the connection/ : /could not be connected to/],
      ['ts-unknown-host', /is an unknown host/],
      ['ts-http-500', /answered HTTP 500/],
      ['ts-garbage', /did not answer with an RFC 3161 timestamp/],
    ];
    for (const [name, reason] of cases) {
      const err = osslsigncodeFailure(run(name), PFX_PLAN);
      expect(err.code, name).toBe('SIGN_TIMESTAMP_UNREACHABLE');
      expect(err.message, name).toMatch(/^timestamp server http:\/\/ts\.example\/ /);
      expect(err.message, name).toMatch(reason);
      expect(err.hint).toMatch(/--timestamp-optional/);
    }
  });

  it('files that are not what they should be', () => {
    expect(osslsigncodeFailure(run('pfx-not-pkcs12'), PFX_PLAN).toLine()).toMatch(/^svcpack: --pfx: \/certs\/code\.pfx is not a PKCS#12 \(\.pfx\/\.p12\) file — /);
    expect(osslsigncodeFailure(run('key-not-a-key'), PEM_PLAN).toLine()).toMatch(/^svcpack: --key: \/certs\/key\.pem is not a private key — /);
    expect(osslsigncodeFailure(run('cert-not-a-cert'), PEM_PLAN).toLine()).toMatch(/^svcpack: --cert: \/certs\/cert\.pem holds no certificate — /);
    expect(osslsigncodeFailure(run('key-mismatch'), PEM_PLAN).toLine()).toMatch(/^svcpack: --key: \/certs\/key\.pem does not belong to the certificate \/certs\/cert\.pem — /);
    expect(osslsigncodeFailure(run('input-not-pe'), PEM_PLAN).message).toBe('osslsigncode cannot read the exe as a PE file');
    for (const name of ['pfx-not-pkcs12', 'key-not-a-key', 'cert-not-a-cert', 'key-mismatch', 'input-not-pe']) {
      const err = osslsigncodeFailure(run(name), name.startsWith('pfx') ? PFX_PLAN : PEM_PLAN);
      expect(err.code, name).toBe('SIGN_FAILED');
      expect(err.toLine().split('\n'), name).toHaveLength(1);
    }
  });

  it('anything else: the first line that says something, the whole output as the cause', () => {
    const err = osslsigncodeFailure(run('output-unwritable'), PEM_PLAN);
    expect(err.code).toBe('SIGN_FAILED');
    expect(err.message).toBe('osslsigncode failed (exit code 255): Failed to create file: /nonexistent/dir/o1.exe');
    expect(String((err.cause as Error).message)).toMatch(/^osslsigncode output:\n(Failed\n)?Failed to create file/);
  });

  it('redacts the password from the output it keeps', () => {
    const err = osslsigncodeFailure({ code: 1, output: 'Failed\nsomething about hunter2 went wrong\n', timedOut: false }, PFX_PLAN, 'hunter2');
    expect(err.message).not.toContain('hunter2');
    expect(String((err.cause as Error).message)).not.toContain('hunter2');
    expect(err.message).toContain('***');
  });

  it('success needs no classification', () => {
    expect(run('ok').code).toBe(0);
  });
});

describe('osslsigncode output helpers', () => {
  it('firstMessage skips OpenSSL error-queue lines and osslsigncode noise', () => {
    expect(firstMessage(runOf('2.9')('ts-refused').output)).toBe('HTTP failure: Failed to get data from http://127.0.0.1:9/');
    expect(firstMessage(runOf('2.5')('ts-refused').output)).toBe("CURL failure: Couldn't connect to server http://127.0.0.1:9/");
    expect(firstMessage('Failed\n40D07AB12F7F0000:error:11800071:PKCS12 routines::mac verify failure\n')).toBe('');
  });

  it('timestampProblem', () => {
    expect(timestampProblem('...:conn_state:Connection timed out:...')).toBe('did not answer in time');
    expect(timestampProblem('')).toBe('could not be reached');
  });

  it('install hints per platform', () => {
    expect(osslsigncodeInstallHint('linux')).toMatch(/apt-get install osslsigncode/);
    expect(osslsigncodeInstallHint('darwin')).toBe('install it: brew install osslsigncode');
    expect(osslsigncodeInstallHint('win32')).toMatch(/--signer signtool/);
  });
});

describe('a signer run past its time limit', () => {
  it('names the limit the run had (SIGN_FAILED), and the timestamp server to check', () => {
    const hung = (limitMs?: number) => osslsigncodeFailure({ code: null, output: '', timedOut: true, ...(limitMs === undefined ? {} : { limitMs }) }, { ...PFX_PLAN, timestampUrl: 'http://ts.example' });
    expect(hung().toLine()).toBe('svcpack: osslsigncode did not finish within 10 minutes — check that http://ts.example answers');
    expect(hung(30_000).message).toBe('osslsigncode did not finish within 30 s');
    expect(hung(60_000).message).toBe('osslsigncode did not finish within 1 minute');
    expect(hung(30_000).code).toBe('SIGN_FAILED');
  });
});
