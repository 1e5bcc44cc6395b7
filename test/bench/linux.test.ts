/**
 * The linux suite's pure part (bench/suites/linux.ts bareUnit): the bare node's unit is the unit
 * svcpack writes for the ELF, changed only where a bare node cannot follow it. Checked on units
 * runtime-shim/platform/systemd/unit-file.ts generates (systemd 252: Type=notify; 257:
 * Type=notify-reload). The suite itself runs once, in quick mode, in test/bench/quick-run.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { bareUnit } from '../../bench/suites/linux';
import { unitFile } from '../../runtime-shim/platform/systemd/unit-file';
import { DEFAULT_RUNTIME, resolveRuntime } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { directives } from '../runtime-shim/platform/systemd/unit-text';

const ELF = 'BenchSvc';
const BARE = 'BenchBare';

function elfUnit(systemdVersion: number, env: Record<string, string> = {}): string {
  return unitFile({
    name: ELF,
    binaryPath: `/opt/${ELF}/${ELF}`,
    service: { ...defaultSettings(ELF, ELF, 'bench'), env },
    runtime: resolveRuntime({}, DEFAULT_RUNTIME),
    systemdVersion,
  }).text;
}

const opts = { execStart: '/opt/bare-node/node /x/app.mjs', workingDir: '/x', port: 18311, elfName: ELF, bareName: BARE };

describe('bareUnit', () => {
  test.each([252, 257])('systemd %i: the same hardening and account, Type=exec, no notify settings, its own command and names', (version) => {
    const source = elfUnit(version);
    const { text, changes } = bareUnit(source, opts);
    const elf = directives(source, 'Service');
    const bare = directives(text, 'Service');
    const changed = new Set(['Type', 'NotifyAccess', 'WatchdogSec', 'ExecReload', 'ReloadSignal', 'ExecStart', 'WorkingDirectory', 'EnvironmentFile', 'Environment']);
    const kept = (d: Array<[string, string]>, rename: (s: string) => string) => d.filter(([k]) => !changed.has(k)).map(([k, v]) => [k, rename(v)]);
    expect(kept(bare, (v) => v)).toEqual(kept(elf, (v) => v.replaceAll(ELF, BARE)));
    expect(bare).toContainEqual(['DynamicUser', 'yes']);
    expect(bare.filter(([k]) => k === 'Type')).toEqual([['Type', 'exec']]);
    expect(bare.some(([k]) => ['NotifyAccess', 'WatchdogSec', 'ExecReload', 'ReloadSignal'].includes(k))).toBe(false);
    expect(bare).toContainEqual(['ExecStart', opts.execStart]);
    expect(bare).toContainEqual(['WorkingDirectory', opts.workingDir]);
    expect(bare).toContainEqual(['Environment', 'PORT=18311']);
    expect(text).not.toContain(ELF);
    expect(text.split('\n').some((l) => l.startsWith('#'))).toBe(false);
    expect(changes.some((c) => c.startsWith('Type=exec for Type=notify'))).toBe(true);
  });

  test('an environment file of the ELF becomes the PORT line', () => {
    const source = elfUnit(257, { PORT: '18310' });
    const { text } = bareUnit(source, opts);
    const bare = directives(text, 'Service');
    expect(bare.some(([k]) => k === 'EnvironmentFile')).toBe(false);
    expect(bare.filter(([k]) => k === 'Environment')).toEqual([['Environment', 'PORT=18311']]);
  });

  test('a unit it cannot carry over is refused', () => {
    expect(() => bareUnit(elfUnit(257).replace('[Service]', '[Service]\nExecStartPre=/bin/true'), opts)).toThrow(/ExecStartPre/);
    expect(() => bareUnit(elfUnit(257).replace(/^Type=.*$/m, 'Type=simple'), opts)).toThrow(/not Type=notify/);
  });
});
