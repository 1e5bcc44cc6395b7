import { describe, expect, it } from 'vitest';
import { emit, throttled } from '../../src/runtime/progress';
import { checkIntegrity } from '../../src/runtime/npm-registry';
import { parseShasums } from '../../src/runtime/nodejs-org';
import { parseVersionSpec, highestOfMajor } from '../../src/runtime/node-version';
import { isWindowsPe, readPeVersion } from '../../src/runtime/pe-check';
import { fakePe, peWithVersion, sri512 } from './helpers';

describe('runtime helpers', () => {
  it('throttles progress to ~10/s but always reports the final count', () => {
    const seen: number[] = [];
    const tick = throttled((n) => seen.push(n));
    for (let i = 1; i <= 10_000; i++) tick(i, i === 10_000);
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(10_000);
    expect(seen.length).toBeLessThan(5);
  });

  it('ignores a throwing listener', () => {
    expect(() => emit(() => { throw new Error('x'); }, { phase: 'done', label: 'l', fromCache: true })).not.toThrow();
  });

  it('checks SRI integrity', () => {
    const data = Buffer.from('hello');
    expect(checkIntegrity(data, sri512(data))).toBe(true);
    expect(checkIntegrity(data, `sha1-abc ${sri512(data)}`)).toBe(true);
    expect(checkIntegrity(data, sri512(Buffer.from('other')))).toBe(false);
    expect(checkIntegrity(data, 'sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=')).toBe(false);
  });

  it('parses SHASUMS256.txt', () => {
    const m = parseShasums(`${'a'.repeat(64)}  win-x64/node.exe\n${'B'.repeat(64)}  node-v1.2.3-linux-x64.tar.gz\n`);
    expect(m.get('win-x64/node.exe')).toBe('a'.repeat(64));
    expect(m.get('node-v1.2.3-linux-x64.tar.gz')).toBe('b'.repeat(64));
  });

  it('parses version specs and picks the highest of a major', () => {
    expect(parseVersionSpec('v22.22.2')).toEqual({ kind: 'exact', version: '22.22.2' });
    expect(parseVersionSpec('22')).toEqual({ kind: 'major', major: 22 });
    expect(() => parseVersionSpec('22.x')).toThrow(/not a Node.js version/);
    expect(highestOfMajor(['22.9.0', '22.10.0', '22.10.1-rc.1', '23.0.0'], 22)).toBe('22.10.0');
  });

  it('recognises Windows PE machine types and reads VERSIONINFO', () => {
    expect(isWindowsPe(fakePe('x'))).toBe(true);
    expect(isWindowsPe(fakePe('x', 0xaa64))).toBe(false);
    expect(isWindowsPe(fakePe('x', 0xaa64), 'arm64')).toBe(true);
    expect(isWindowsPe(Buffer.from('\x7fELF'))).toBe(false);
    expect(readPeVersion(peWithVersion('22.22.2'))).toBe('22.22.2');
  });
});
