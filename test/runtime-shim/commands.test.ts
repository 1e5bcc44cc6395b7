import { describe, it, expect } from 'vitest';
import { SERVICE_ARG, helpText, parseExeArgs, versionText } from '../../runtime-shim/commands';
import type { ExeConfig } from '../../runtime-shim/exe-config';

const cfg: ExeConfig = {
  name: 'MySvc',
  displayName: 'My Service',
  description: 'does things',
  version: '1.4.0',
  svcpackVersion: '0.1.0',
  stopTimeoutMs: 20_000,
  koffiSha256: 'ab'.repeat(32),
};

describe('parseExeArgs', () => {
  it('no arguments, help, --help, -h and /? print help', () => {
    for (const args of [[], ['help'], ['--help'], ['-h'], ['/?']]) expect(parseExeArgs(args)).toEqual({ kind: 'help' });
  });

  it('recognises run, version and the service argument', () => {
    expect(parseExeArgs(['run'])).toEqual({ kind: 'run' });
    expect(parseExeArgs(['version'])).toEqual({ kind: 'version' });
    expect(parseExeArgs(['--version'])).toEqual({ kind: 'version' });
    expect(SERVICE_ARG).toBe('--service');
    expect(parseExeArgs(['--service'])).toEqual({ kind: 'service' });
  });

  it('unknown commands are usage errors naming the command', () => {
    const r = parseExeArgs(['frobnicate']);
    expect(r.kind).toBe('usage-error');
    expect(r.kind === 'usage-error' && r.message).toContain("'frobnicate'");
    expect(parseExeArgs(['RUN']).kind).toBe('usage-error');
    expect(parseExeArgs(['service']).kind).toBe('usage-error');
  });

  it('extra arguments are usage errors', () => {
    const r = parseExeArgs(['run', '--port', '80']);
    expect(r).toEqual({ kind: 'usage-error', message: expect.stringContaining("'--port 80'") });
    expect(parseExeArgs(['--service', 'x']).kind).toBe('usage-error');
    expect(parseExeArgs(['version', 'x']).kind).toBe('usage-error');
  });
});

describe('helpText', () => {
  const text = helpText(cfg);
  it('names the commands and the service argument', () => {
    expect(text).toMatch(/^\s+run\s/m);
    expect(text).toMatch(/^\s+version\s/m);
    expect(text).toMatch(/^\s+help\s/m);
    expect(text).toContain('"MySvc.exe" --service');
    expect(text).toContain('Usage: MySvc.exe <command>');
  });
  it('starts with display name, version and description', () => {
    expect(text.split('\n')[0]).toBe('My Service 1.4.0 — does things');
    expect(helpText({ ...cfg, description: '' }).split('\n')[0]).toBe('My Service 1.4.0');
  });
  it('shows a quoted binPath for sc.exe create', () => {
    expect(text).toContain('sc.exe create MySvc binPath= "\\"C:\\path\\to\\MySvc.exe\\" --service"');
  });
});

describe('versionText', () => {
  it('is "<name> <version> (svcpack <v>, Node.js <v>)" and one line', () => {
    expect(versionText(cfg, 'v22.22.2')).toBe('MySvc 1.4.0 (svcpack 0.1.0, Node.js v22.22.2)\n');
  });
});
