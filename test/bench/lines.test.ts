/**
 * The lines suite's pure parts (bench/suites/lines.ts, bench/peers/tools.ts LINE_PINS): which
 * Node versions and variants it measures, and how it tells an exe's SEA main. The suite itself
 * runs once, in quick mode, in test/bench/quick-run.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { benchLineVersions, LINE_PINS, PEER_VERSIONS } from '../../bench/peers/tools';
import { lineVariants, seaMainOf } from '../../bench/suites/lines';
import { DEFAULT_NODE_VERSION, NODE_LINES } from '../../src/runtime/node-lines';

describe('benchLineVersions', () => {
  test('one pinned patch per supported line, the default line’s being svcpack’s default and the oldest the peers’ Node', () => {
    const lines = benchLineVersions();
    expect(lines.map((l) => l.major)).toEqual(NODE_LINES.map((l) => l.major));
    for (const l of lines) expect(l.version.startsWith(`${l.major}.`), l.version).toBe(true);
    expect(lines.filter((l) => l.isDefault).map((l) => l.version)).toEqual([DEFAULT_NODE_VERSION]);
    expect(lines[0]!.version).toBe(PEER_VERSIONS.node);
    expect(Object.keys(LINE_PINS).map(Number).sort()).toEqual(NODE_LINES.map((l) => l.major).sort());
  });
});

describe('lineVariants', () => {
  test('bare node.exe and svcpack per line, plus the script loader where svcpack uses the module main; the default line is the reference', () => {
    const variants = lineVariants([
      { major: 22, version: '22.22.2', isDefault: false },
      { major: 24, version: '24.21.0', isDefault: false },
      { major: 26, version: '26.10.0', isDefault: true },
    ]);
    expect(variants.map((v) => [v.key, v.kind, v.main ?? '-', v.reference])).toEqual([
      ['bare-22', 'bare', '-', false],
      ['svcpack-22', 'svcpack', 'script', false],
      ['bare-24', 'bare', '-', false],
      ['svcpack-24', 'svcpack', 'script', false],
      ['bare-26', 'bare', '-', false],
      ['svcpack-26', 'svcpack', 'module', true],
      ['svcpack-26-script', 'svcpack', 'script', false],
    ]);
    expect(variants.find((v) => v.key === 'svcpack-26')!.label).toBe('svcpack, Node 26.10.0 (module main)');
    expect(new Set(variants.map((v) => v.label)).size).toBe(variants.length);
  });
});

describe('seaMainOf', () => {
  test('the script loader’s vm.Script file name marks an exe with the script loader', () => {
    expect(seaMainOf(Buffer.from('MZ…filename:"svcpack:sea-main",importModuleDynamically…'))).toBe('script');
    expect(seaMainOf(Buffer.from('MZ…import.meta.url…'))).toBe('module');
  });
});
