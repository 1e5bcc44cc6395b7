/**
 * The systemd backend (runtime-shim/platform/systemd/) on a real systemd 257, under the unit and
 * drop-in svcpack generates (unit-file.ts, drop-in.ts; Type=notify-reload, a dynamic user, the
 * full hardening): test/systemd/backend-app.ts runs the backend's channel with the real Lifecycle
 * on the official Node.js binary. systemd must see READY=1 before the start returns, the watchdog
 * heartbeats must keep the service alive past WatchdogSec=, a reload must go through RELOADING=1 and
 * READY=1, and a stop must run the stop work and end with exit status 0 through _exit.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dropInFile } from '../../runtime-shim/platform/systemd/drop-in';
import { unitFile, type UnitInput } from '../../runtime-shim/platform/systemd/unit-file';
import { applyStored, DEFAULT_RUNTIME, resolveRuntime } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { bootWithNode, bundleForContainer, CONTAINER_KOFFI, pollUntil, SHARED_DIR, sleep, type SystemdContainer } from '../support/systemd';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = 'svcpack-backend';
const UNIT = `${NAME}.service`;
const KOFFI = CONTAINER_KOFFI;
const BINARY = `/opt/${NAME}/${NAME}`;
const WATCHDOG_MS = 3_000;

describe('the systemd backend under a generated unit', () => {
  let c: SystemdContainer;
  const show = async (...props: string[]) => (await c.systemctl('show', ...props.flatMap((p) => ['-p', p]), UNIT)).stdout;
  const journal = () => c.journalctl('-u', UNIT, '-o', 'cat');

  beforeAll(async () => {
    c = await bootWithNode();
    await bundleForContainer(path.join(repoRoot, 'test/systemd/backend-app.ts'), path.join(c.shared.host, 'app.mjs'));
    // The "binary": the exe's place in ExecStart=, exec'ing Node so that the main process stays the notifier.
    await c.writeFile(BINARY, `#!/bin/sh\nexec /usr/local/bin/node ${SHARED_DIR}/app.mjs "$@"\n`, 0o755);
    const runtime = resolveRuntime({ supervise: true, heartbeatTimeout: `${WATCHDOG_MS}ms`, stopTimeout: '5s' }, DEFAULT_RUNTIME);
    const input: UnitInput = { name: NAME, binaryPath: BINARY, service: { ...defaultSettings(NAME), args: [KOFFI] }, runtime, systemdVersion: 257 };
    const unit = unitFile(input);
    await c.writeFile(`/etc/systemd/system/${UNIT}`, unit.text);
    const stored = { logLevel: 'debug', alertUrl: 'https://hooks.example.com/a?token=x y' } as const;
    const dropIn = dropInFile({ ...input, stored, effective: applyStored(runtime, stored).settings })!;
    await c.writeFile(`/etc/systemd/system/${UNIT}.d/${dropIn.fileName}`, dropIn.text);
    // The secret (alertUrl) is in the environment file beside it, root's only.
    if (dropIn.environmentFile) await c.writeFile(`/etc/systemd/system/${UNIT}.d/${dropIn.environmentFile.fileName}`, dropIn.environmentFile.text, 0o600);
    expect((await c.systemctl('daemon-reload')).code).toBe(0);
  });

  afterAll(async () => {
    await c?.shutdown();
  });

  test('start returns once the service said READY=1; the notify variables are gone from its environment', async () => {
    const started = await c.systemctl('start', UNIT);
    expect(started.code, `${started.stderr}\n${await journal()}`).toBe(0);
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('active');
    expect((await show('StatusText')).trim()).toBe('StatusText=running');
    const log = await pollUntil('the journal', journal, (j) => j.includes('running'));
    expect(log).toContain('[lifecycle] connect: service; NOTIFY_SOCKET left: false; WATCHDOG_USEC left: false');
  });

  test("reads the drop-in's stored settings and systemd's state folder", async () => {
    const log = await journal();
    expect(log).toContain(`[lifecycle] stored: {"logLevel":"debug","alertUrl":"https://hooks.example.com/a?token=x y"}; data folder: /var/lib/${NAME}`);
  });

  test('the watchdog heartbeats keep it running past WatchdogSec=', async () => {
    expect((await show('WatchdogUSec')).trim()).toBe(`WatchdogUSec=${WATCHDOG_MS / 1000}s`);
    const pid = (await show('MainPID')).trim();
    await sleep(WATCHDOG_MS * 1.5);
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('active');
    expect((await show('MainPID', 'NRestarts')).trim().split('\n')).toEqual([pid, 'NRestarts=0']);
  });

  test('systemctl reload completes through RELOADING=1 and READY=1, and the lifecycle took the reload', async () => {
    const reloaded = await c.systemctl('reload', UNIT);
    expect(reloaded.code, reloaded.stderr).toBe(0);
    await pollUntil('the reload in the journal', journal, (j) => j.includes('[lifecycle] control paramchange'));
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('active');
  });

  test('systemctl stop runs the stop work and ends with exit status 0 (through _exit)', async () => {
    const stopped = await c.systemctl('stop', UNIT);
    expect(stopped.code, stopped.stderr).toBe(0);
    const s = await show('Result', 'ExecMainStatus');
    expect(s).toContain('Result=success');
    expect(s).toContain('ExecMainStatus=0');
    const log = await journal();
    expect(log).toMatch(/stopping \(stop\)[\s\S]*stop work[\s\S]*stopped/);
    // It ended itself: systemd killed nothing and no timeout ran out.
    expect(log).not.toMatch(/Killing|timed out|SIGKILL/);
    expect(log).not.toMatch(/\[lifecycle\].*(could not notify|not taken)/);
  });
});
