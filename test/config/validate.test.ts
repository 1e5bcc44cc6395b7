import { describe, it, expect } from 'vitest';
import { looksLikeIco, nodeVersionProblem, numericCore, serviceNameProblem, versionProblem } from '../../src/config/validate';

describe('serviceNameProblem', () => {
  it('accepts ordinary names, inner spaces and exactly 256 characters', () => {
    expect(serviceNameProblem('MySvc')).toBeNull();
    expect(serviceNameProblem('My Svc 2 (beta)')).toBeNull();
    expect(serviceNameProblem('a'.repeat(256))).toBeNull();
    expect(serviceNameProblem('dienst-ü.ä_1')).toBeNull();
  });

  it('rejects empty and over-long names', () => {
    expect(serviceNameProblem('')).toMatch(/empty/);
    expect(serviceNameProblem('a'.repeat(257))).toMatch(/257 characters/);
  });

  it('rejects / \\ : and control characters, naming the character', () => {
    expect(serviceNameProblem('a/b')).toContain('"/"');
    expect(serviceNameProblem('a\\b')).toContain('"\\"');
    expect(serviceNameProblem('a:b')).toContain('":"');
    expect(serviceNameProblem('a\tb')).toContain('\\x9');
    expect(serviceNameProblem('a\u0000b')).toContain('\\x0');
    for (const c of ['<', '>', '"', '|', '?', '*']) expect(serviceNameProblem(`a${c}b`)).not.toBeNull();
  });

  it('rejects leading or trailing spaces', () => {
    expect(serviceNameProblem(' MySvc')).toMatch(/space/);
    expect(serviceNameProblem('MySvc ')).toMatch(/space/);
  });
});

describe('versionProblem', () => {
  it('accepts x.y.z and x.y.z.w up to 65535', () => {
    expect(versionProblem('1.2.3')).toBeNull();
    expect(versionProblem('1.2.3.4')).toBeNull();
    expect(versionProblem('0.0.0')).toBeNull();
    expect(versionProblem('65535.65535.65535.65535')).toBeNull();
  });
  it('rejects other shapes', () => {
    for (const v of ['1.2', '1', '1.2.3-beta', '1.2.3.4.5', 'v1.2.3', '', '1.2.x', ' 1.2.3']) {
      expect(versionProblem(v), v).toMatch(/not numeric/);
    }
  });
  it('rejects parts over 65535', () => {
    expect(versionProblem('65536.0.0')).toMatch(/over 65535 \(65536\)/);
    expect(versionProblem('1.2.3.70000')).toMatch(/70000/);
  });
});

describe('numericCore', () => {
  it('strips prerelease and build metadata', () => {
    expect(numericCore('2.3.4-rc.1')).toBe('2.3.4');
    expect(numericCore('1.4.0+build.5')).toBe('1.4.0');
    expect(numericCore('1.2.3')).toBe('1.2.3');
  });
  it('returns non-semver input unchanged (validation reports it)', () => {
    expect(numericCore('1.2')).toBe('1.2');
    expect(numericCore('latest')).toBe('latest');
  });
});

describe('looksLikeIco', () => {
  const ico = (...b: number[]) => Uint8Array.from(b);
  it('accepts an ICONDIR header with at least one image', () => {
    expect(looksLikeIco(ico(0, 0, 1, 0, 1, 0))).toBe(true);
    expect(looksLikeIco(ico(0, 0, 1, 0, 0, 1, 99))).toBe(true);
  });
  it('rejects cursors, zero images, other formats and short data', () => {
    expect(looksLikeIco(ico(0, 0, 2, 0, 1, 0))).toBe(false);
    expect(looksLikeIco(ico(0, 0, 1, 0, 0, 0))).toBe(false);
    expect(looksLikeIco(ico(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a))).toBe(false);
    expect(looksLikeIco(ico(0, 0, 1, 0, 1))).toBe(false);
    expect(looksLikeIco(new Uint8Array())).toBe(false);
  });
});

describe('nodeVersionProblem', () => {
  it('accepts exact versions and majors, with or without v', () => {
    for (const v of ['22', '22.22.2', 'v22', 'v22.22.2']) expect(nodeVersionProblem(v), v).toBeNull();
  });
  it('rejects ranges, partial and tagged versions', () => {
    for (const v of ['22.1', 'lts', '^22', '22.x', '22.22.2-rc', '']) expect(nodeVersionProblem(v), v).toMatch(/--node/);
  });
});
