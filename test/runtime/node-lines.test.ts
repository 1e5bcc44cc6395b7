import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_VERSION, lineOf, NODE_LINES, unsupportedReason } from '../../src/runtime/node-lines';
import { compareVersions } from '../../src/runtime/node-version';
import { seaConfig } from '../../src/pack/sea-blob';

describe('supported Node.js lines', () => {
  it('are the LTS lines 22, 24 and 26; the default is the newest line’s proven patch', () => {
    expect(NODE_LINES.map((l) => l.major)).toEqual([22, 24, 26]);
    expect(DEFAULT_NODE_VERSION).toBe(NODE_LINES.at(-1)!.proven);
    for (const line of NODE_LINES) {
      expect(line.proven.startsWith(`${line.major}.`)).toBe(true);
      expect(compareVersions(line.proven, line.minimum)).toBeGreaterThanOrEqual(0);
    }
  });

  it('accepts the supported majors and patches from each line’s minimum; refuses the rest', () => {
    for (const ok of [{ kind: 'major', major: 22 }, { kind: 'major', major: 26 }, { kind: 'exact', version: '22.20.0' }, { kind: 'exact', version: '24.7.0' }, { kind: 'exact', version: '26.0.0' }] as const) {
      expect(unsupportedReason(ok)).toBeNull();
    }
    expect(unsupportedReason({ kind: 'major', major: 20 })).toBe('Node.js 20 is not a line svcpack supports (the LTS lines 22, 24 and 26)');
    expect(unsupportedReason({ kind: 'major', major: 23 })).toMatch(/not a line/);
    expect(unsupportedReason({ kind: 'exact', version: '22.19.0' })).toBe('Node.js 22.19.0 is older than 22.20.0, the first 22.x svcpack supports');
  });

  it('the bundle is the SEA main (ES module) from Node 26 on', () => {
    expect(lineOf(22)!.moduleMain).toBe(false);
    expect(lineOf(24)!.moduleMain).toBe(false);
    expect(lineOf(26)!.moduleMain).toBe(true);
  });
});

describe('seaConfig', () => {
  it('ignores NODE_OPTIONS unless allowed; an ES module main turns source maps on through execArgv', () => {
    expect(seaConfig({ 'koffi.node': 'asset-0' }, { moduleMain: true, allowNodeOptions: false })).toEqual({
      main: 'sea-main.mjs',
      mainFormat: 'module',
      output: 'sea-prep.blob',
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      execArgv: ['--enable-source-maps'],
      execArgvExtension: 'none',
      assets: { 'koffi.node': 'asset-0' },
    });
    const script = seaConfig({}, { moduleMain: false, allowNodeOptions: true });
    expect(script).toMatchObject({ main: 'sea-main.cjs', execArgvExtension: 'env' });
    expect(script).not.toHaveProperty('mainFormat');
    expect(script).not.toHaveProperty('execArgv');
  });
});
