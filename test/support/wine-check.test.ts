/**
 * The Wine check of the e2e harness (checkWine in test/support/wine.ts) with fake Wine roots and
 * launchers, and the e2e project without Wine: it must fail at once, with one line saying what is
 * missing and to run npm run setup:test. No Wine needed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkWine, repoRoot, WINE_SETUP_HINT } from './wine';
import { tempProjects } from './temp-project';

const project = tempProjects('svcpack-wine-check-');

/** A `wine` launcher that answers `--version` with `version`. */
const fakeWine = (version: string): string => `#!/bin/sh\necho '${version}'\n`;

/** An environment with nothing of this machine's Wine: no root, no wine on PATH. */
function noWine(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { SVCPACK_WINE_ROOT: path.join(dir, 'no-root'), PATH: path.join(dir, 'empty-bin'), ...extra };
}

function withExecutable(dir: string, file: string): string {
  const full = path.join(dir, file);
  fs.chmodSync(full, 0o755);
  return full;
}

describe('checkWine', () => {
  test('no Wine root and no wine on PATH: one line naming the root looked for, then the setup command', () => {
    const dir = project({});
    const r = checkWine(noWine(dir));
    expect(r).toEqual({
      ok: false,
      problem: `Wine 10 is missing: no Wine root at ${path.join(dir, 'no-root')} ($SVCPACK_WINE_ROOT) and no wine on PATH — ${WINE_SETUP_HINT}`,
    });
    expect(WINE_SETUP_HINT).toMatch(/^run "npm run setup:test"/);
  });

  test('a Wine root the setup did not finish (no ready-1) is not used', () => {
    const dir = project({ 'root/bin/wine': fakeWine('wine-10.0') });
    withExecutable(dir, 'root/bin/wine');
    const r = checkWine(noWine(dir, { SVCPACK_WINE_ROOT: path.join(dir, 'root') }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(new RegExp(`^Wine 10 is missing: the Wine root ${path.join(dir, 'root')} is not finished \\(no ready-1 or bin/wine\\)`));
  });

  test('a finished Wine root is found without anything on PATH', () => {
    const dir = project({ 'root/ready-1': '', 'root/bin/wine': fakeWine('wine-10.0 (Debian 10.0~repack-6)') });
    const wine = withExecutable(dir, 'root/bin/wine');
    expect(checkWine(noWine(dir, { SVCPACK_WINE_ROOT: path.join(dir, 'root') }))).toEqual({ ok: true, wine, version: 'wine-10.0 (Debian 10.0~repack-6)' });
  });

  test('wine on PATH older than 10 is refused, naming its version', () => {
    const dir = project({ 'bin/wine': fakeWine('wine-8.0 (Debian 8.0~repack-4)') });
    const wine = withExecutable(dir, 'bin/wine');
    const r = checkWine(noWine(dir, { PATH: path.join(dir, 'bin') }));
    expect(r).toEqual({ ok: false, problem: `Wine 10 is missing: ${wine} is wine-8.0 (Debian 8.0~repack-4), which cannot run Node.js 24 or 26 — ${WINE_SETUP_HINT}` });
  });

  test('SVCPACK_E2E_WINE naming no file is no Wine, even when one is on PATH; CI says the tests cannot be skipped', () => {
    const dir = project({ 'bin/wine': fakeWine('wine-10.0') });
    withExecutable(dir, 'bin/wine');
    const r = checkWine(noWine(dir, { PATH: path.join(dir, 'bin'), SVCPACK_E2E_WINE: '/nonexistent/wine', CI: 'true' }));
    expect(r).toEqual({
      ok: false,
      problem: `Wine 10 is missing: SVCPACK_E2E_WINE=/nonexistent/wine does not exist (CI is set: the Wine tests cannot be skipped) — ${WINE_SETUP_HINT}`,
    });
  });

  test('a launcher that does not print a Wine version is refused', () => {
    const dir = project({ 'bin/wine': '#!/bin/sh\nexit 3\n' });
    const wine = withExecutable(dir, 'bin/wine');
    const r = checkWine(noWine(dir, { PATH: path.join(dir, 'bin') }));
    expect(!r.ok && r.problem).toBe(`Wine 10 is missing: ${wine} --version does not answer with a Wine version — ${WINE_SETUP_HINT}`);
  });
});

describe('the e2e project without Wine', () => {
  test('fails at once: exit 1, and its only output on stderr is the one line of checkWine', () => {
    const dir = project({});
    // PATH holds only node's folder: no wine there, and vitest needs nothing else.
    const env: NodeJS.ProcessEnv = { ...process.env, ...noWine(dir, { PATH: path.dirname(process.execPath) }), SVCPACK_E2E_WINEPREFIX: path.join(dir, 'prefix') };
    delete env.SVCPACK_E2E_WINE;
    delete env.CI;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'e2e', 'test/e2e/service.test.ts'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const ms = performance.now() - t0;
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([
      `Wine 10 is missing: no Wine root at ${path.join(dir, 'no-root')} ($SVCPACK_WINE_ROOT) and no wine on PATH — ${WINE_SETUP_HINT}; the tests that need no Wine: npm run test:unit`,
    ]);
    expect(r.stdout).not.toMatch(/✓|×|passed|failed/); // no test file ran
    expect(fs.existsSync(path.join(dir, 'prefix'))).toBe(false);
    console.log(`[wine-check] the e2e project without Wine ended in ${Math.round(ms)} ms`);
  }, 60_000);
});
