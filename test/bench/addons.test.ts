/**
 * The addons suite's pure parts (bench/suites/addons.ts): where the Wine user's native folder is
 * and which folders and files of it belong to an exe's addons. The suite itself runs once, in
 * quick mode, in test/bench/quick-run.test.ts.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { addonFiles, addonFolders, ADDON_PORTS, nativeDirUnderWine, type RecordAddon } from '../../bench/suites/addons';

const ADDONS: RecordAddon[] = [
  { key: 'a'.repeat(64), package: 'classic-level', files: [{ path: 'classic-level.node', sha256: '1'.repeat(64), bytes: 10 }] },
  {
    key: `${'b'.repeat(32)}${'c'.repeat(32)}`,
    package: '@duckdb/node-bindings-win32-x64',
    files: [
      { path: 'duckdb.node', sha256: '2'.repeat(64), bytes: 20 },
      { path: 'sub/duckdb.dll', sha256: '3'.repeat(64), bytes: 30 },
    ],
  },
];

describe('addons suite', () => {
  test('the native folder is the Wine user’s %LOCALAPPDATA%\\svcpack\\native', () => {
    expect(nativeDirUnderWine('/p', 'ci')).toBe(path.join('/p', 'drive_c', 'users', 'ci', 'AppData', 'Local', 'svcpack', 'native'));
  });

  test('an addon’s folder is named by the first 32 hex digits of its key (as the shim names it), its files inside', () => {
    expect(addonFolders('/n', ADDONS)).toEqual([path.join('/n', 'a'.repeat(32)), path.join('/n', 'b'.repeat(32))]);
    expect(addonFiles('/n', ADDONS)).toEqual([
      path.join('/n', 'a'.repeat(32), 'classic-level.node'),
      path.join('/n', 'b'.repeat(32), 'duckdb.node'),
      path.join('/n', 'b'.repeat(32), 'sub', 'duckdb.dll'),
    ]);
  });

  test('its ports clash with no other suite’s nor the fixture’s default (18310, used by the e2e tests)', () => {
    const others = [18310, 18311, 18312, 18313, 18314, 18321, 18322, 18323, 18324, 18325, 18326, 18327];
    for (const p of Object.values(ADDON_PORTS)) expect(others).not.toContain(p);
  });
});
