/**
 * Settings an admin changes without a new exe under Wine's SCM: `install` with runtime
 * flags stores them under the service's Parameters key and the service starts with them;
 * `config get` shows values and where they come from; `config set`/`reset` change runtime
 * settings (stored) and service settings (the SCM's); `config dump` prints the install line that
 * recreates the service; a stored value that is not valid leaves the exe's own, with a warning.
 */
import { describe, expect, test } from 'vitest';
import { splitArgs } from '../../runtime-shim/commands/config';
import { buildFixture, e2eFile, readText, regQuery, runExe, wine, waitForState, waitForText, type BuiltFixture } from './wine';

const NAME = 'SvcpackE2EConfig';
const PARAMETERS = `HKLM\\System\\CurrentControlSet\\Services\\${NAME}\\Parameters`;

const file = e2eFile({ services: [NAME], setup: () => buildFixture('settings', NAME, { stopTimeout: '5s' }) });

async function exe(built: BuiltFixture, ...args: string[]) {
  const r = await runExe(built.exe, args, { timeoutMs: 60_000 });
  return { ...r, stderr: r.stderr.split('\n').filter((l) => l && !/Service Control Manager cannot set/.test(l)).join('\n') };
}

const count = (text: string, pattern: RegExp): number => text.split('\n').filter((l) => pattern.test(l)).length;

interface Row {
  name: string;
  value: string;
  source: string;
  appliesOn: string;
}

describe('config: runtime settings stored with the service', () => {
  test('install stores them, the service starts with them, config get/set/reset show and change them', async () => {
    const built = file.ctx;
    const installed = await exe(built, 'install', '--log-level', 'debug', '--stop-timeout', '2s', '--arg', 'stop-ms=8000');
    expect(installed.code, installed.stderr).toBe(0);
    expect(await regQuery(PARAMETERS)).toMatchObject({ logLevel: { type: 'REG_SZ', data: 'debug' }, stopTimeout: { type: 'REG_SZ', data: '2s' } });

    expect((await exe(built, 'start')).code).toBe(0);
    await waitForText(built.logFile, /settings fixture: a debug record/, 20_000);
    expect((await exe(built, 'config', 'get', 'log-level')).stdout).toBe('debug\n');
    const rows = JSON.parse((await exe(built, 'config', 'get', '--json')).stdout) as Row[];
    expect(rows.find((r) => r.name === 'stop-timeout')).toEqual({ name: 'stop-timeout', value: '2s', source: 'stored', appliesOn: 'reload' });
    expect(rows.find((r) => r.name === 'log-keep')).toMatchObject({ value: '5', source: 'baked' });

    // The stored 2s stop timeout, not the baked 5s, bounds the 8 s stop handler.
    const stopped = await exe(built, 'stop');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(readText(built.logFile)).toMatch(/stop handlers still running after 2000 ms; forcing the stop/);

    const set = await exe(built, 'config', 'set', 'log-level', 'info');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`${NAME}: log-level set: info\n${NAME}: the service is not running; it applies this when it starts\n`);
    const reset = await exe(built, 'config', 'reset', 'stop-timeout');
    expect(reset.stdout).toContain(`${NAME}: stop-timeout reset to the exe's own value: 5s`);
    expect((await exe(built, 'config', 'get', 'stop-timeout')).stdout).toBe('5s\n');
    expect(Object.keys((await regQuery(PARAMETERS)) ?? {})).not.toContain('stopTimeout');

    expect((await exe(built, 'start')).code).toBe(0);
    const log = await waitForText(built.logFile, /(started \(pid \d+\)[\s\S]*){2}/, 20_000);
    expect(count(log, /a debug record/)).toBe(1); // info now: no second debug record

    const status = JSON.parse((await exe(built, 'status', '--json')).stdout) as { settings: Row[] };
    expect(status.settings.find((r) => r.name === 'log-level')).toMatchObject({ value: 'info', source: 'stored' });
    const bad = await exe(built, 'config', 'set', 'log-level', 'loud');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`${NAME}: "loud" is not a log level — use debug, info, warn or error`);
  }, 120_000);

  test('config set changes service settings and the mode; config dump recreates the service', async () => {
    const built = file.ctx;
    expect((await exe(built, 'install')).code).toBe(0);
    const manual = await exe(built, 'config', 'set', 'start-type', 'manual');
    expect(manual.stdout).toBe(`${NAME}: start-type set: manual\n${NAME}: the Service Control Manager applies it now\n`);
    expect((await regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${NAME}`))?.Start?.data).toBe('0x3');

    // Supervised mode from a stored setting: the same exe now runs the app in a child process.
    expect((await exe(built, 'config', 'set', 'supervise', 'true')).code).toBe(0);
    expect((await exe(built, 'config', 'set', 'restart-delay', '250ms')).code).toBe(0);
    expect((await exe(built, 'start')).code).toBe(0);
    await waitForText(built.logFile, /\[supervisor\] app running \(pid \d+\)/, 20_000);

    const dump = await exe(built, 'config', 'dump');
    expect(dump.code, dump.stderr).toBe(0);
    const line = dump.stdout.trim();
    expect(line).toMatch(new RegExp(`^"[^"]+\\\\${NAME}\\.exe" install --start-type manual --supervise true --restart-delay 250ms$`));
    const before = (await exe(built, 'config', 'get', '--json')).stdout;

    expect((await exe(built, 'uninstall')).code).toBe(0);
    const [, ...args] = splitArgs(line);
    const again = await exe(built, ...args);
    expect(again.code, again.stderr).toBe(0);
    expect((await exe(built, 'config', 'get', '--json')).stdout).toBe(before);
  }, 120_000);

  test('a stored value that is not valid: the service starts with the exe\'s own and says so in its log', async () => {
    const built = file.ctx;
    expect((await exe(built, 'install')).code).toBe(0);
    const added = await wine(['reg', 'add', PARAMETERS, '/v', 'logKeep', '/d', 'lots', '/f']);
    expect(added.code, added.stderr).toBe(0);
    expect((await exe(built, 'start')).code).toBe(0);
    await waitForState(NAME, 'RUNNING', 20_000);
    const log = await waitForText(built.logFile, /the stored --log-keep value/, 20_000);
    expect(log).toMatch(/\[lifecycle\] the stored --log-keep value "lots" is not valid \("lots" is not a number of files from 1 to 1000\); using 5/);
  }, 60_000);
});
