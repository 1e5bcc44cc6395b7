/**
 * Live status under Wine's SCM: `MySvc.exe status --json` of a running service
 * carries `live` figures read from the service's status pipe `\\.\pipe\svcpack-<Name>`.
 *
 * - supervised (with a health URL): uptime grows, memory of supervisor and app, the probe's last
 *   result, the log file; after the app crashed once on demand: 1 restart, a new app pid, and the
 *   crash reason as last error; the text form shows the same rows.
 * - the pipe answers only a client that writes the request: a client that opens it read-only (the
 *   access the default pipe DACL grants Everyone) and reads gets end-of-file after the server's
 *   2 s request timeout, with nothing written; a wrong request line gets nothing either.
 * - Wine 10 does not enforce pipe DACLs (a pipe whose DACL grants Everyone read only opens for
 *   read+write) and gives default pipes no DACL, and runs every process as the one Wine user: a
 *   non-administrator's "access denied" cannot be shown here (status-server.ts explains who gets
 *   access on Windows). The test records both facts, so a Wine that starts enforcing shows up.
 * - in-process: the app's `service.log.error` record is the last error; a stopped service's status
 *   says in one line why there are no live figures.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ServiceStatusReport } from '../../runtime-shim/commands/status';
import { statusPipePath } from '../../runtime-shim/status/status-pipe';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import {
  buildFixture,
  bundleDriver,
  createServiceCommand,
  driverSteps,
  e2eFile,
  ensurePortFree,
  httpGet,
  repoRoot,
  runDriver,
  runExe,
  sc,
  scratchDir,
  waitForHttp,
  waitForState,
  waitForText,
  winPath,
  type BuiltFixture,
} from './wine';
import type { StatusPipeDriverConfig, StatusPipeDriverReport } from './drivers/status-pipe';

const SUP = 'SvcpackE2ELiveSup';
const INPROC = 'SvcpackE2ELiveIn';
const SUP_PORT = 18751;
const KOFFI_NODE = path.join(repoRoot, 'node_modules/koffi/build/koffi/win32_x64/koffi.node');
const INPROC_PORT = 18752;

const file = e2eFile({
  services: [SUP, INPROC],
  setup: async () => {
    const dir = scratchDir('live-driver');
    const driver = path.join(dir, 'driver.cjs');
    const [sup, inproc, runtime] = await Promise.all([
      buildFixture('live-status', SUP, {
        supervise: 'true',
        healthUrl: `http://127.0.0.1:${SUP_PORT}/health`,
        healthInterval: '500ms',
        healthTimeout: '500ms',
        healthFailures: '3',
        restartDelay: '500ms',
        stopTimeout: 5_000,
        eventLog: 'false',
      }),
      buildFixture('live-status', INPROC, { stopTimeout: 5_000, eventLog: 'false' }),
      acquireRuntime({ version: DEFAULT_NODE_VERSION }),
      bundleDriver('status-pipe', driver),
    ]);
    return { sup, inproc, nodeExe: runtime.targetExe, dir, driver };
  },
});

/** Registers the fixture with its port as service argument, starts it, waits for RUNNING and HTTP. */
async function startFixture(name: string, built: BuiltFixture, port: number): Promise<void> {
  await createServiceCommand(name, `"${winPath(built.exe)}" --service port=${port}`);
  await ensurePortFree(port);
  const started = await sc('start', name);
  expect(started.code, started.text).toBe(0);
  await waitForState(name, 'RUNNING', 20_000);
  expect(await waitForHttp(`http://127.0.0.1:${port}/`, 15_000)).toBe('ok');
}

/** `<exe> status --json`, parsed. */
async function statusJson(built: BuiltFixture): Promise<ServiceStatusReport> {
  const r = await runExe(built.exe, ['status', '--json'], { timeoutMs: 30_000, tag: 'status-json' });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ServiceStatusReport;
}

/** Polls `status --json` until `ready` holds (each poll is a Wine process start, ~1 s). */
async function statusUntil(built: BuiltFixture, ready: (r: ServiceStatusReport) => boolean, timeoutMs: number): Promise<ServiceStatusReport> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const report = await statusJson(built);
    if (ready(report)) return report;
    if (performance.now() > deadline) throw new Error(`status never got there within ${timeoutMs} ms; last:\n${JSON.stringify(report, null, 2)}`);
  }
}

describe('live status over the status pipe', () => {
  test('supervised: uptime, memory, health and log file; one restart and its reason after a crash; only a client that writes the request gets an answer', async () => {
    const { sup, nodeExe, driver, dir } = file.ctx;
    await startFixture(SUP, sup, SUP_PORT);

    const first = await statusUntil(sup, (r) => r.live?.app?.probe?.lastResult === 'healthy', 15_000);
    const live1 = first.live!;
    expect(first.liveUnavailable).toBeUndefined();
    expect(live1).toMatchObject({ protocol: 1, name: SUP, mode: 'supervised', state: 'running', lastError: null });
    expect(live1.service.pid).toBe(first.pid);
    expect(live1.service.uptimeMs).toBeGreaterThan(0);
    expect(live1.service.rssBytes).toBeGreaterThan(1 << 20);
    expect(live1.app).toMatchObject({ restarts: 0, probe: { lastResult: 'healthy', consecutiveFailures: 0, failuresAllowed: 3 }, heartbeat: null });
    const app1 = live1.app!.process!;
    expect(app1.pid).not.toBe(live1.service.pid);
    expect(app1.rssBytes).toBeGreaterThan(1 << 20);
    expect(live1.logFile).toMatch(new RegExp(`\\\\ProgramData\\\\${SUP}\\\\logs\\\\${SUP}\\.log$`, 'i'));

    // The app crashes once on demand; the supervisor restarts it.
    expect(await httpGet(`http://127.0.0.1:${SUP_PORT}/crash`)).toBe('crashing');
    await waitForText(sup.logFile, /\[supervisor\] app running \(pid \d+\)[\s\S]*\[supervisor\] app running \(pid \d+\)/, 20_000);
    const second = await statusUntil(sup, (r) => r.live?.app?.process != null, 10_000);
    const live2 = second.live!;
    expect(live2.service.pid).toBe(live1.service.pid);
    expect(live2.service.uptimeMs).toBeGreaterThan(live1.service.uptimeMs);
    expect(live2.app!.restarts).toBe(1);
    expect(live2.app!.process!.pid).not.toBe(app1.pid);
    expect(live2.lastError).toMatchObject({ source: 'supervisor' });
    expect(live2.lastError!.message).toMatch(/^app exited unexpectedly with code \d+ after \d+\.\d s \(pid \d+\)$/);
    console.log(`[e2e] live status (supervised) after one crash: ${JSON.stringify(live2)}`);

    // The text form, and (at the same time) a client that only reads: the request comes first.
    const config: Omit<StatusPipeDriverConfig, 'report'> = { koffi: winPath(KOFFI_NODE), pipe: statusPipePath(SUP), readTimeoutMs: 6_000 };
    const driverRun = runDriver({ nodeExe, driver, dir, config, timeoutMs: 60_000 });
    const text = await runExe(sup.exe, ['status'], { timeoutMs: 30_000, tag: 'status-text' });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}mode +supervised$/m);
    expect(text.stdout).toMatch(/^ {2}uptime +\S/m);
    expect(text.stdout).toMatch(/^ {2}memory +supervisor [\d.]+ MiB \(heap [\d.]+ MiB\); app [\d.]+ MiB/m);
    expect(text.stdout).toMatch(/^ {2}app +pid \d+, up .*, 1 restart$/m);
    expect(text.stdout).toMatch(/^ {2}health +(healthy|no probe yet)/m);
    expect(text.stdout).toMatch(/^ {2}last error +\S+ \[supervisor\] app exited unexpectedly/m);
    expect(text.stdout).toMatch(new RegExp(`^ {2}log file +.*${SUP}\\.log$`, 'm'));

    const { ok } = driverSteps((): Promise<StatusPipeDriverReport> => driverRun);
    const readOnly = (await ok('readOnly')) as { bytes: number; outcome: string; ms: number };
    console.log(`[e2e] read-only client of the status pipe: ${JSON.stringify(readOnly)}`);
    expect(readOnly).toMatchObject({ bytes: 0, outcome: 'end of file' });
    expect(readOnly.ms).toBeGreaterThan(1_500);
    expect(await ok('wrongRequest')).toEqual({ received: '', closed: true });
    expect(await ok('query')).toMatchObject({ ok: true, live: { name: SUP, mode: 'supervised' } });

    // Wine: pipes made with the default security descriptor get none at all (no owner, no DACL),
    // and a pipe's DACL is stored but not checked when a client opens it (Windows refuses a
    // read+write open that the DACL grants read only). So Wine can show neither the default
    // DACL's read-only grant to Everyone nor a denial: the request-first protocol above is what
    // it can prove.
    const sddl = await ok('statusPipeSddl');
    const enforcement = await ok('wineEnforcesPipeDacl');
    console.log(`[e2e] Wine: status pipe security descriptor ${JSON.stringify(sddl)}; a pipe with D:P(A;;FR;;;WD) opened read+write: ${JSON.stringify(enforcement)}`);
    expect(sddl).toBe('');
    expect(enforcement).toMatchObject({ sddl: expect.stringContaining('D:P(A;;FR;;;WD)'), readWriteOpen: 'opened' });
  }, 90_000);

  test("in-process: the app's error record is the last error; a stopped service says why there are no live figures", async () => {
    const { inproc } = file.ctx;
    await startFixture(INPROC, inproc, INPROC_PORT);
    expect(await httpGet(`http://127.0.0.1:${INPROC_PORT}/log-error`)).toBe('logged');

    const running = await statusJson(inproc);
    expect(running.liveUnavailable).toBeUndefined();
    const live = running.live!;
    expect(live).toMatchObject({ name: INPROC, mode: 'in-process', state: 'running' });
    expect(live.app).toBeUndefined();
    expect(live.service.pid).toBe(running.pid);
    expect(live.service.rssBytes).toBeGreaterThan(1 << 20);
    expect(live.lastError).toMatchObject({ source: 'app', message: 'live-status fixture: an error on demand' });
    expect(live.logFile).toMatch(new RegExp(`${INPROC}\\.log$`));

    await sc('stop', INPROC);
    await waitForState(INPROC, 'STOPPED', 15_000);
    const [stopped, text] = await Promise.all([statusJson(inproc), runExe(inproc.exe, ['status'], { timeoutMs: 30_000, tag: 'status-stopped' })]);
    expect(stopped.live).toBeUndefined();
    expect(stopped.liveUnavailable).toBe('the service is not running (STOPPED)');
    expect(text.stdout).toMatch(/^ {2}live +no live figures: the service is not running \(STOPPED\)$/m);
  }, 90_000);
});
