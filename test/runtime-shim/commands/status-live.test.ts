/**
 * `status` with a live query: asked only of a RUNNING service, checked against the SCM's pid, and
 * shown as extra rows (or one line why not) under the SCM's part. The query is a fake.
 */
import { describe, expect, it } from 'vitest';
import { startService } from '../../../runtime-shim/commands/control';
import { install } from '../../../runtime-shim/commands/install';
import { formatBytes, formatDuration, formatStatus, liveRows, status, type LiveQuery } from '../../../runtime-shim/commands/status';
import { buildLiveStatus, type LiveStatus } from '../../../runtime-shim/status/status-report';
import { FakeScm, fakeContext, type FakeContext } from './fake-scm';

async function installed(): Promise<FakeContext> {
  const ctx = fakeContext(new FakeScm());
  await install(ctx, { input: {}, force: false });
  return ctx;
}

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const sample = (pid: number, uptimeMs: number) => ({ pid, nowMs: NOW, uptimeMs, rssBytes: 52_428_800, heapUsedBytes: 10_485_760, cpuMicros: 1_500_000 });

function supervisedLive(pid: number): LiveStatus {
  return buildLiveStatus({
    name: 'MySvc',
    state: 'running',
    service: sample(pid, 3_723_000),
    lastError: { at: '2026-12-02T11:59:00.000Z', source: 'supervisor', message: 'app exited unexpectedly with code 1 after 2.0 s (pid 4100)' },
    logFile: 'C:\\ProgramData\\MySvc\\logs\\MySvc.log',
    supervised: {
      supervisor: {
        restarts: 1,
        appPid: 4200,
        appUptimeMs: 61_000,
        probe: { lastHealthy: true, lastAgeMs: 400, consecutiveFailures: 0, failuresAllowed: 3 },
        heartbeat: { lastAgeMs: 1_200, timeoutMs: 30_000 },
      },
      app: sample(4200, 61_000),
    },
  });
}

describe('status with live figures', () => {
  it('a RUNNING service: the live figures from its own process', async () => {
    const ctx = await installed();
    await startService(ctx);
    const query: LiveQuery = async () => ({ ok: true, live: supervisedLive(4000) });
    const report = await status(ctx, query);
    expect(report.pid).toBe(4000);
    expect(report.live?.app?.restarts).toBe(1);
    expect(report.liveUnavailable).toBeUndefined();
    const text = formatStatus(report, '--service');
    expect(text).toMatch(/^ {2}mode +supervised$/m);
    expect(text).toMatch(/^ {2}uptime +1h 02m 03s \(since 2026-12-02T10:57:57\.000Z\)$/m);
    expect(text).toMatch(/^ {2}memory +supervisor 50\.0 MiB \(heap 10\.0 MiB\); app 50\.0 MiB \(heap 10\.0 MiB\)$/m);
    expect(text).toMatch(/^ {2}app +pid 4200, up 1m 01s, 1 restart$/m);
    expect(text).toMatch(/^ {2}health +healthy 400 ms ago, 0 failed in a row \(restart at 3\)$/m);
    expect(text).toMatch(/^ {2}heartbeat +last 1\.2 s ago \(restart after 30\.0 s\)$/m);
    expect(text).toMatch(/^ {2}last error +2026-12-02T11:59:00\.000Z \[supervisor\] app exited unexpectedly/m);
    expect(text).toMatch(/^ {2}log file +C:\\ProgramData\\MySvc\\logs\\MySvc\.log$/m);
  });

  it('an answer from another process than the service is not shown', async () => {
    const ctx = await installed();
    await startService(ctx);
    const report = await status(ctx, async () => ({ ok: true, live: supervisedLive(6666) }));
    expect(report.live).toBeUndefined();
    expect(report.liveUnavailable).toBe('the status pipe is served by process 6666, not by the service (pid 4000)');
  });

  it('a failed query: the SCM part stands, with one line why there are no live figures', async () => {
    const ctx = await installed();
    await startService(ctx);
    const reason = 'access denied to \\\\.\\pipe\\svcpack-MySvc (live figures need an administrator prompt: "Run as administrator")';
    const report = await status(ctx, async () => ({ ok: false, reason }));
    expect(report).toMatchObject({ state: 'RUNNING', pid: 4000, liveUnavailable: reason });
    const text = formatStatus(report, '--service');
    expect(text).toMatch(/state +RUNNING \(pid 4000\)/);
    expect(text.split('\n').filter((l) => l.startsWith('  live ')).map((l) => l.replace(/^ {2}live +/, ''))).toEqual([`no live figures: ${reason}`]);
  });

  it('a service that is not running is not asked', async () => {
    const ctx = await installed();
    let asked = 0;
    const report = await status(ctx, async () => {
      asked++;
      return { ok: false, reason: 'x' };
    });
    expect(asked).toBe(0);
    expect(report.liveUnavailable).toBe('the service is not running (STOPPED)');
  });

  it('without a query (and for a service that is not installed) there is no live part', async () => {
    const ctx = await installed();
    await startService(ctx);
    const report = await status(ctx);
    expect('live' in report || 'liveUnavailable' in report).toBe(false);
    const missing = await status(fakeContext(), async () => ({ ok: false, reason: 'x' }));
    expect(missing).toEqual({ name: 'MySvc', installed: false, version: '1.4.0', dataDir: 'C:\\ProgramData\\MySvc' });
  });
});

describe('live rows', () => {
  it('in-process: service memory and CPU, no app rows; no error yet', () => {
    const live = buildLiveStatus({ name: 'MySvc', state: 'running', service: sample(4000, 90_000), lastError: null, logFile: 'C:\\l\\MySvc.log' });
    expect(liveRows(live)).toEqual([
      ['mode', 'in-process'],
      ['uptime', '1m 30s (since 2026-12-02T11:58:30.000Z)'],
      ['memory', 'service 50.0 MiB (heap 10.0 MiB)'],
      ['cpu', 'service 1.5 s (1.7% of a core on average)'],
      ['last error', '(none)'],
      ['log file', 'C:\\l\\MySvc.log'],
    ]);
  });

  it('supervised with the app down and no probe yet', () => {
    const live = buildLiveStatus({
      name: 'MySvc',
      state: 'running',
      service: sample(4000, 90_000),
      lastError: null,
      logFile: 'L',
      supervised: {
        supervisor: { restarts: 2, appPid: null, appUptimeMs: null, probe: { lastHealthy: null, lastAgeMs: null, consecutiveFailures: 0, failuresAllowed: 3 }, heartbeat: { lastAgeMs: null, timeoutMs: 5_000 } },
        app: null,
      },
    });
    const rows = Object.fromEntries(liveRows(live));
    expect(rows.memory).toBe('supervisor 50.0 MiB (heap 10.0 MiB)');
    expect(rows.app).toBe('the app is not running now (waiting to be restarted, stopping, or given up); 2 restarts');
    expect(rows.health).toBe('no probe yet, 0 failed in a row (restart at 3)');
    expect(rows.heartbeat).toBe('none since the app started (restart after 5.0 s)');
  });

  it('formatDuration and formatBytes', () => {
    expect([950, 12_345, 304_000, 7_384_000, 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000].map(formatDuration)).toEqual([
      '950 ms',
      '12.3 s',
      '5m 04s',
      '2h 03m 04s',
      '3d 04h 05m',
    ]);
    expect([512, 1536, 47_395_635, 1_095_216_660].map(formatBytes)).toEqual(['512 B', '1.5 KiB', '45.2 MiB', '1.02 GiB']);
  });
});
