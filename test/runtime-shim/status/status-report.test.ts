import { describe, expect, it } from 'vitest';
import { buildLiveStatus, parseLiveStatus, processFigures, type ProcessSample } from '../../../runtime-shim/status/status-report';
import type { SupervisorStatus } from '../../../runtime-shim/status/status-report';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const sample = (over: Partial<ProcessSample> = {}): ProcessSample => ({
  pid: 4000,
  nowMs: NOW,
  uptimeMs: 60_000,
  rssBytes: 50 << 20,
  heapUsedBytes: 10 << 20,
  cpuMicros: 3_000_000,
  ...over,
});
const supervisor = (over: Partial<SupervisorStatus> = {}): SupervisorStatus => ({
  restarts: 1,
  appPid: 4100,
  appUptimeMs: 20_000,
  probe: { lastHealthy: true, lastAgeMs: 420.4, consecutiveFailures: 0, failuresAllowed: 3 },
  heartbeat: null,
  ...over,
});

describe('processFigures', () => {
  it('gives the start time, CPU seconds and the average CPU percent of one core over the uptime', () => {
    expect(processFigures(sample())).toEqual({
      pid: 4000,
      startedAt: '2026-12-02T11:59:00.000Z',
      uptimeMs: 60_000,
      rssBytes: 50 << 20,
      heapUsedBytes: 10 << 20,
      cpuSeconds: 3,
      cpuPercent: 5,
    });
  });

  it('a process that is busy on two threads shows more than 100 %; no uptime yet shows 0 %', () => {
    expect(processFigures(sample({ uptimeMs: 1_000, cpuMicros: 2_000_000 })).cpuPercent).toBe(200);
    expect(processFigures(sample({ uptimeMs: 0, cpuMicros: 5 })).cpuPercent).toBe(0);
  });
});

describe('buildLiveStatus', () => {
  const base = { name: 'MySvc', state: 'running' as const, service: sample(), lastError: null, logFile: 'C:\\ProgramData\\MySvc\\logs\\MySvc.log' };

  it('in-process: the service process only', () => {
    const live = buildLiveStatus(base);
    expect(live).toMatchObject({ protocol: 1, name: 'MySvc', mode: 'in-process', state: 'running', lastError: null, logFile: base.logFile });
    expect(live.app).toBeUndefined();
    expect(live.service.pid).toBe(4000);
  });

  it('supervised: restarts, the app process, the probe (ages rounded to ms) and no heartbeat', () => {
    const live = buildLiveStatus({ ...base, supervised: { supervisor: supervisor(), app: sample({ pid: 4100, uptimeMs: 20_000 }) } });
    expect(live.mode).toBe('supervised');
    expect(live.app).toEqual({
      restarts: 1,
      process: expect.objectContaining({ pid: 4100, uptimeMs: 20_000 }),
      probe: { lastResult: 'healthy', lastAgeMs: 420, consecutiveFailures: 0, failuresAllowed: 3 },
      heartbeat: null,
    });
  });

  it('says why the app has no figures: down, or not answering', () => {
    const down = buildLiveStatus({ ...base, supervised: { supervisor: supervisor({ appPid: null, appUptimeMs: null }), app: null } });
    expect(down.app).toMatchObject({ process: null, unavailable: 'the app is not running now (waiting to be restarted, stopping, or given up)' });
    const hung = buildLiveStatus({ ...base, supervised: { supervisor: supervisor(), app: null } });
    expect(hung.app?.unavailable).toBe('the app (pid 4100) did not report its figures in time (is its event loop blocked?)');
  });

  it('probe before its first result, failures in a row, and heartbeat ages', () => {
    const live = buildLiveStatus({
      ...base,
      supervised: {
        supervisor: supervisor({
          probe: { lastHealthy: null, lastAgeMs: null, consecutiveFailures: 0, failuresAllowed: 2 },
          heartbeat: { lastAgeMs: 1234.6, timeoutMs: 30_000 },
        }),
        app: sample({ pid: 4100 }),
      },
    });
    expect(live.app?.probe).toEqual({ lastResult: null, lastAgeMs: null, consecutiveFailures: 0, failuresAllowed: 2 });
    expect(live.app?.heartbeat).toEqual({ lastAgeMs: 1235, timeoutMs: 30_000 });
    const failing = buildLiveStatus({
      ...base,
      supervised: { supervisor: supervisor({ probe: { lastHealthy: false, lastAgeMs: 10, consecutiveFailures: 2, failuresAllowed: 3 } }), app: sample() },
    });
    expect(failing.app?.probe).toMatchObject({ lastResult: 'unhealthy', consecutiveFailures: 2 });
  });
});

describe('parseLiveStatus', () => {
  const live = buildLiveStatus({
    name: 'MySvc',
    state: 'running',
    service: sample(),
    lastError: { at: '2026-12-02T11:59:30.000Z', source: 'app', message: 'boom' },
    logFile: 'C:\\x.log',
    supervised: { supervisor: supervisor(), app: sample({ pid: 4100 }) },
  });

  it('reads back what buildLiveStatus made', () => {
    expect(parseLiveStatus(JSON.stringify(live))).toEqual(live);
  });

  it('refuses other protocols, broken JSON and incomplete answers', () => {
    expect(parseLiveStatus(JSON.stringify({ ...live, protocol: 2 }))).toBeNull();
    expect(parseLiveStatus('{"protocol":1')).toBeNull();
    expect(parseLiveStatus('[]')).toBeNull();
    expect(parseLiveStatus(JSON.stringify({ ...live, service: { pid: 1 } }))).toBeNull();
    expect(parseLiveStatus(JSON.stringify({ ...live, mode: 'elsewhere' }))).toBeNull();
    expect(parseLiveStatus(JSON.stringify({ ...live, app: { restarts: '1', process: null } }))).toBeNull();
    expect(parseLiveStatus(JSON.stringify({ ...live, lastError: 'boom' }))).toBeNull();
  });
});
