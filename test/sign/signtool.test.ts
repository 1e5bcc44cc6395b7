/**
 * signtool runs only on Windows: its argument list is checked here, and its failures are
 * classified from the messages Microsoft's signtool prints (SignTool Error lines as documented
 * and commonly reported).
 */
import { describe, expect, it } from 'vitest';
import { SIGNTOOL_INSTALL_HINT, signtoolArgs, signtoolFailure } from '../../src/sign/signtool';
import type { ToolSignPlan } from '../../src/sign/validate';

const PLAN: ToolSignPlan = {
  tool: 'signtool',
  credential: { kind: 'pfx', pfx: 'C:\\certs\\code.pfx' },
  password: { env: 'PFX_PW' },
  timestampUrl: 'http://timestamp.digicert.com',
  timestampOptional: false,
  description: 'My Service',
  url: 'https://example.com',
};

const run = (output: string, code = 1) => ({ code, output, timedOut: false });

describe('signtoolArgs', () => {
  it('sha256 file digest, RFC 3161 timestamp with sha256, description, URL, the file last', () => {
    expect(signtoolArgs({ plan: PLAN, file: 'C:\\out\\.A.signing.exe', password: 'pw', timestamp: true })).toEqual([
      'sign', '/fd', 'sha256', '/f', 'C:\\certs\\code.pfx', '/p', 'pw', '/tr', 'http://timestamp.digicert.com', '/td', 'sha256',
      '/d', 'My Service', '/du', 'https://example.com', 'C:\\out\\.A.signing.exe',
    ]);
  });

  it('no /p without a password, no timestamp on the retry', () => {
    const args = signtoolArgs({ plan: { ...PLAN, password: undefined }, file: 'a.exe', timestamp: false });
    expect(args).toEqual(['sign', '/fd', 'sha256', '/f', 'C:\\certs\\code.pfx', '/d', 'My Service', '/du', 'https://example.com', 'a.exe']);
  });

  it('refuses a PEM plan (validation already does)', () => {
    expect(() => signtoolArgs({ plan: { ...PLAN, credential: { kind: 'pem', cert: 'c', key: 'k' } }, file: 'a.exe', timestamp: false })).toThrow(/PFX only/);
  });
});

describe('signtoolFailure', () => {
  it('wrong password, without leaking it', () => {
    const err = signtoolFailure(run('SignTool Error: The specified PFX password is not correct.\r\n'), PLAN, 'pw');
    expect(err.code).toBe('SIGN_BAD_PASSWORD');
    expect(err.toLine()).toBe('svcpack: wrong password for C:\\certs\\code.pfx — check the password in environment variable PFX_PW');
  });

  it('timestamp server unreachable', () => {
    const err = signtoolFailure(run('Done Adding Additional Store\r\nSignTool Error: The specified timestamp server either could not be reached or\r\nreturned an invalid response.\r\n'), PLAN);
    expect(err.code).toBe('SIGN_TIMESTAMP_UNREACHABLE');
    expect(err.hint).toMatch(/--timestamp-optional/);
  });

  it('no usable certificate, and other errors with the SignTool Error line', () => {
    expect(signtoolFailure(run('SignTool Error: No certificates were found that met all the given criteria.'), PLAN).message).toMatch(/no usable code-signing certificate/);
    const other = signtoolFailure(run('SignTool Error: This file format cannot be signed because it is not recognized.\r\n'), PLAN);
    expect(other.code).toBe('SIGN_FAILED');
    expect(other.message).toBe('signtool failed (exit code 1): This file format cannot be signed because it is not recognized.');
  });

  it('install hint names the Windows SDK', () => {
    expect(SIGNTOOL_INSTALL_HINT).toMatch(/Windows SDK/);
  });
});
