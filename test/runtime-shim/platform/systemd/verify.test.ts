/**
 * Generated units and drop-ins pass `systemd-analyze verify` on this machine's systemd, for a
 * representative set of settings, written for the version it has. verify exits 0 even on unknown
 * or malformed lines (it only warns), so a unit passes when verify prints nothing at all. It needs
 * ExecStart's binary to exist and be executable: each case gets a real file in a temp folder. No
 * `--root` is needed; `--man=no` skips the check for man pages (Documentation=). verify reads a
 * drop-in from `<unit>.d/` beside the unit (the second test proves it does).
 *
 * Without systemd-analyze the tests fail under CI=true; elsewhere they are skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropInFile } from '../../../../runtime-shim/platform/systemd/drop-in';
import { unitFile, type UnitInput } from '../../../../runtime-shim/platform/systemd/unit-file';
import { applyStored, DEFAULT_RUNTIME, resolveRuntime, type RuntimeInput, type RuntimeKey } from '../../../../runtime-shim/settings/runtime-settings';
import { defaultSettings, type ServiceSettings } from '../../../../runtime-shim/settings/service-settings';

/** The host's systemd version from `systemd-analyze --version`; null when it is not installed. */
function hostVersion(): number | null {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  const m = /^systemd (\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : null;
}

const VERSION = hostVersion();
const CI = process.env.CI === 'true';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Case {
  title: string;
  name: string;
  /** The binary's folder under the temp folder. */
  folder: string;
  service?: Partial<ServiceSettings>;
  runtime?: RuntimeInput;
  logDir?: string;
}

const CASES: Case[] = [
  { title: 'the defaults', name: 'OrderSync', folder: 'opt/order-sync' },
  {
    title: 'every mapped setting, with values that need quoting',
    name: 'order-sync_2.1',
    folder: 'opt/Order Sync 100% #1 ünï',
    service: {
      displayName: 'Orders 100% "synced" \\',
      description: 'Copies orders; 50% of them',
      startType: 'manual',
      dependencies: ['systemd-journald', 'network-online.target', '+Group'],
      env: { NODE_ENV: 'production', QUOTE: 'say "hi"', PERCENT: '50%', DOLLAR: '$HOME ${X}', BACKSLASH: 'C:\\dir\\', LINES: 'a\nb\tc', EMPTY: '' },
      args: ['--port', '8080', 'two words', '$HOME', '%n', ';', '\\;', "it's", 'back\\slash', 'q"uote', 'ünï ✓', 'x\u0007y'],
      workingDir: 'data',
      account: 'LocalService',
    },
    runtime: { stopTimeout: '90s', supervise: true, heartbeatTimeout: '15s', successExitCodes: '0,3,1066', restartExitCodes: '2,75', restartDelay: '2s', maxRestarts: 3, restartWindow: '10m' },
  },
  { title: 'a named user, a log folder of its own, a working folder with spaces', name: 'orders', folder: 'srv/orders', service: { account: '.\\root', workingDir: '/tmp' }, logDir: '/var/tmp/order logs' },
  { title: 'root, no restarts, no stop timeout', name: 'OrdersRoot', folder: 'opt/root', service: { account: 'LocalSystem' }, runtime: { maxRestarts: 0, stopTimeout: 0, restartExitCodes: 'none' } },
];

/** A unit input for `c`, with its binary created as an executable file. */
function prepare(c: Case): UnitInput {
  const folder = path.join(tmp, c.folder);
  fs.mkdirSync(folder, { recursive: true });
  const binaryPath = path.join(folder, c.name);
  fs.writeFileSync(binaryPath, '#!/bin/sh\n', { mode: 0o755 });
  const runtime = resolveRuntime(c.runtime ?? {}, DEFAULT_RUNTIME);
  return {
    name: c.name,
    binaryPath,
    service: { ...defaultSettings(c.name), ...c.service },
    runtime: c.logDir === undefined ? runtime : { ...runtime, logging: { ...runtime.logging, logDir: c.logDir } },
    systemdVersion: VERSION ?? 0,
  };
}

/** Writes `text` as unit `unitName` (and `dropIn` into its .d folder) and runs verify; its output. */
function verify(unitName: string, text: string, dropIn?: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'units-'));
  const file = path.join(dir, unitName);
  fs.writeFileSync(file, text);
  if (dropIn !== undefined) {
    fs.mkdirSync(`${file}.d`);
    fs.writeFileSync(path.join(`${file}.d`, 'svcpack.conf'), dropIn);
  }
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

const runnable = VERSION !== null || CI;
const title = runnable ? 'systemd-analyze verify' : 'systemd-analyze verify (skipped: systemd-analyze is not installed; under CI=true this fails)';

describe.runIf(runnable)(title, () => {
  it('systemd-analyze is installed', () => {
    expect(VERSION, 'systemd-analyze is missing: install systemd (apt-get install systemd) to verify generated units').not.toBeNull();
  });

  it('reports a bad line, and reads drop-ins beside the unit (the checks below mean something)', () => {
    const unit = unitFile(prepare(CASES[0]!));
    expect(verify(unit.unitName, unit.text.replace('Type=', 'Type=bogus-'))).toMatchObject({ output: expect.stringMatching(/service type/) });
    expect(verify(unit.unitName, unit.text, '[Service]\nRestart=bogus\n').output).toMatch(/svcpack\.conf.*restart/i);
    expect(verify(unit.unitName, unit.text.replace('--service', '"--service\\q"')).output).toMatch(/ExecStart|escape/i);
  });

  for (const c of CASES) {
    it(`passes for ${c.title}`, () => {
      const unit = unitFile(prepare(c));
      expect(verify(unit.unitName, unit.text)).toEqual({ status: 0, output: '' });
    });
  }

  it('passes with a drop-in of every kind of stored value', () => {
    const input = prepare(CASES[0]!);
    const stored: Partial<Record<RuntimeKey, string>> = {
      logLevel: 'debug',
      stopTimeout: '2m',
      maxRestarts: '0',
      successExitCodes: '3',
      restartExitCodes: '2',
      alertUrl: 'https://hooks.example.com/a?token=x%20y',
      preStop: '/usr/bin/notify --who "Order Sync" $HOME',
    };
    const dropIn = dropInFile({ ...input, stored, effective: applyStored(input.runtime, stored).settings })!;
    expect(verify(unitFile(input).unitName, unitFile(input).text, dropIn.text)).toEqual({ status: 0, output: '' });
  });
});
