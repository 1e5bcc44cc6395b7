/**
 * The systemd check of the Linux harness (checkSystemd in test/support/systemd.ts) with fake roots
 * and tools, and the systemd project without its root: it must fail at once, with one line saying
 * what is missing and to run npm run setup:test. Boots nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { checkSystemd, SYSTEMD_SETUP_HINT } from './systemd';
import { tempProjects } from './temp-project';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const project = tempProjects('svcpack-systemd-check-');

/** A folder with executable stand-ins for `tools` (never run: the check only looks for them). */
function toolDir(dir: string, tools: string[]): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const t of tools) fs.writeFileSync(path.join(bin, t), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return bin;
}

/** A finished systemd root as scripts/systemd-root.sh leaves it: the marker and systemd in the root. */
function finishedRoot(dir: string): string {
  const base = path.join(dir, 'systemd');
  fs.mkdirSync(path.join(base, 'trixie-root/usr/lib/systemd'), { recursive: true });
  fs.writeFileSync(path.join(base, 'trixie-root/usr/lib/systemd/systemd'), '');
  fs.writeFileSync(path.join(base, 'ready-1'), '');
  return base;
}

describe('checkSystemd', () => {
  test('everything there: the root, systemd-nspawn and nsenter, found by PATH and $SVCPACK_SYSTEMD_ROOT', () => {
    const dir = project({});
    const bin = toolDir(dir, ['systemd-nspawn', 'nsenter']);
    const base = finishedRoot(dir);
    expect(checkSystemd({ PATH: bin, SVCPACK_SYSTEMD_ROOT: base }, 0)).toEqual({
      ok: true,
      root: path.join(base, 'trixie-root'),
      nspawn: path.join(bin, 'systemd-nspawn'),
      nsenter: path.join(bin, 'nsenter'),
    });
  });

  test('the default root is under $XDG_CACHE_HOME (then ~/.cache): svcpack-systemd', () => {
    const dir = project({});
    const bin = toolDir(dir, ['systemd-nspawn', 'nsenter']);
    fs.mkdirSync(path.join(dir, 'cache'));
    fs.renameSync(finishedRoot(dir), path.join(dir, 'cache/svcpack-systemd'));
    const r = checkSystemd({ PATH: bin, XDG_CACHE_HOME: path.join(dir, 'cache') }, 0);
    expect(r.ok && r.root).toBe(path.join(dir, 'cache/svcpack-systemd/trixie-root'));
  });

  test('not root: one line saying the tests need root, before anything else is looked at', () => {
    expect(checkSystemd({ PATH: '' }, 1000)).toEqual({
      ok: false,
      problem: 'the systemd tests need root: systemd-nspawn boots their container, which uid 1000 cannot — run them as root',
    });
  });

  test('no systemd-nspawn: names the Debian package, then the setup command; CI says the tests cannot be skipped', () => {
    const dir = project({});
    const env = { PATH: toolDir(dir, ['nsenter']), SVCPACK_SYSTEMD_ROOT: finishedRoot(dir) };
    expect(checkSystemd(env, 0)).toEqual({ ok: false, problem: `systemd is missing: no systemd-nspawn on PATH (Debian package systemd-container) — ${SYSTEMD_SETUP_HINT}` });
    expect(checkSystemd({ ...env, CI: 'true' }, 0)).toEqual({
      ok: false,
      problem: `systemd is missing: no systemd-nspawn on PATH (Debian package systemd-container) (CI is set: the systemd tests cannot be skipped) — ${SYSTEMD_SETUP_HINT}`,
    });
    expect(SYSTEMD_SETUP_HINT).toMatch(/^run "npm run setup:test"/);
  });

  test('no nsenter', () => {
    const dir = project({});
    const r = checkSystemd({ PATH: toolDir(dir, ['systemd-nspawn']), SVCPACK_SYSTEMD_ROOT: finishedRoot(dir) }, 0);
    expect(r).toEqual({ ok: false, problem: `systemd is missing: no nsenter on PATH (Debian package util-linux) — ${SYSTEMD_SETUP_HINT}` });
  });

  test('no root, and a root the setup did not finish (no ready-1), name the folder looked at', () => {
    const dir = project({});
    const bin = toolDir(dir, ['systemd-nspawn', 'nsenter']);
    const none = path.join(dir, 'none');
    expect(checkSystemd({ PATH: bin, SVCPACK_SYSTEMD_ROOT: none }, 0)).toEqual({
      ok: false,
      problem: `systemd is missing: no systemd root at ${none} ($SVCPACK_SYSTEMD_ROOT) — ${SYSTEMD_SETUP_HINT}`,
    });
    const base = finishedRoot(dir);
    fs.rmSync(path.join(base, 'ready-1'));
    expect(checkSystemd({ PATH: bin, SVCPACK_SYSTEMD_ROOT: base }, 0)).toEqual({
      ok: false,
      problem: `systemd is missing: the systemd root ${base} ($SVCPACK_SYSTEMD_ROOT) is not finished (no ready-1 or trixie-root/usr/lib/systemd/systemd) — ${SYSTEMD_SETUP_HINT}`,
    });
  });
});

describe('the systemd project without its root', () => {
  test('fails at once: exit 1, and its only output on stderr is the one line of checkSystemd', () => {
    const dir = project({});
    // PATH holds only node's folder: vitest needs nothing else, and the root does not exist.
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: path.dirname(process.execPath), SVCPACK_SYSTEMD_ROOT: path.join(dir, 'none') };
    delete env.CI;
    const expected = checkSystemd(env);
    expect(expected.ok).toBe(false);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'systemd'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([`${!expected.ok && expected.problem}; the tests that need no systemd: npm run test:unit`]);
    expect(r.stdout).not.toMatch(/✓|×|passed|failed/); // no test file ran
  }, 60_000);
});
