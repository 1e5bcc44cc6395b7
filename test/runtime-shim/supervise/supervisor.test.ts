import { describe, it, expect } from 'vitest';
import { ExitCode, type ServiceStatus, type StopReason } from '../../../runtime-shim/lifecycle';
import { RestartPolicy, DEFAULT_RESTART_POLICY } from '../../../runtime-shim/supervise/restart-policy';
import { Supervisor, type AppChild, type ChildEvent, type SupervisorOptions } from '../../../runtime-shim/supervise/supervisor';
import { FakeClock, flush } from '../../support/fake-clock';

describe('RestartPolicy', () => {
  const policy = () => new RestartPolicy({ initialDelayMs: 1_000, factor: 2, maxDelayMs: 8_000, healthyAfterMs: 60_000, maxRestarts: 5, windowMs: 300_000 });

  it('backs off exponentially up to the cap', () => {
    const p = policy();
    const delays = [0, 1, 2, 3].map((i) => p.onUnexpectedExit(i * 10_000, 1_000));
    expect(delays.map((d) => (d.action === 'restart' ? d.delayMs : d.action))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(p.onUnexpectedExit(40_000, 1_000)).toEqual({ action: 'restart', delayMs: 8_000, attempt: 5 });
  });

  it('a run longer than healthyAfter resets the delay', () => {
    const p = policy();
    p.onUnexpectedExit(0, 1_000);
    p.onUnexpectedExit(10_000, 1_000);
    expect(p.onUnexpectedExit(100_000, 61_000)).toMatchObject({ action: 'restart', delayMs: 1_000 });
  });

  it('gives up after maxRestarts inside the window, not outside it', () => {
    const p = policy();
    for (let i = 0; i < 5; i++) expect(p.onUnexpectedExit(i * 1_000, 100).action).toBe('restart');
    const d = p.onUnexpectedExit(5_000, 100);
    expect(d.action).toBe('give-up');
    expect(d.action === 'give-up' && d.reason).toBe('the app ended 6 times within 300 s (at most 5 restarts allowed)');

    const q = policy();
    for (let i = 0; i < 5; i++) q.onUnexpectedExit(i * 100_000, 100);
    expect(q.onUnexpectedExit(500_000, 100).action).toBe('restart'); // the first ones left the window
  });
});

class FakeChild implements AppChild {
  stopRequests: StopReason[] = [];
  killed = 0;
  constructor(
    readonly pid: number,
    readonly emit: (e: ChildEvent) => void,
  ) {}
  requestStop(reason: StopReason): void {
    this.stopRequests.push(reason);
  }
  killTree(): void {
    this.killed++;
  }
}

function setup(opts: Partial<SupervisorOptions> = {}, probe?: () => Promise<boolean>) {
  const clock = new FakeClock();
  const children: FakeChild[] = [];
  const statuses: ServiceStatus[] = [];
  const logs: string[] = [];
  const exits: number[] = [];
  const sup = new Supervisor(
    {
      spawn: (onEvent) => {
        const child = new FakeChild(100 + children.length, onEvent);
        children.push(child);
        return child;
      },
      report: (s) => statuses.push(s),
      log: (level, message) => logs.push(`${level} ${message}`),
      exit: (code) => exits.push(code),
      clock: {
        setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
        clearTimeout: (h) => clock.clearTimeout(h),
        setInterval: (fn, ms) => clock.setInterval(fn, ms),
        clearInterval: (h) => clock.clearInterval(h),
        now: () => clock.now,
      },
      probe,
    },
    {
      stopTimeoutMs: 5_000,
      policy: { ...DEFAULT_RESTART_POLICY, initialDelayMs: 1_000, factor: 2, maxDelayMs: 4_000, maxRestarts: 3 },
      health: { probe: null, heartbeatTimeoutMs: null },
      ...opts,
    },
  );
  return { clock, children, statuses, logs, exits, sup, states: () => statuses.map((s) => s.state) };
}

describe('Supervisor', () => {
  it('START_PENDING until the first child runs, then RUNNING', () => {
    const t = setup();
    t.sup.start();
    expect(t.states()).toEqual(['start-pending']);
    expect(t.children).toHaveLength(1);
    t.children[0]!.emit({ type: 'running' });
    expect(t.states().at(-1)).toBe('running');
  });

  it('restarts a crashing app with growing delays while the SCM state stays RUNNING, then gives up', () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    const running = t.statuses.length;
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(2_000);
      t.children[i]!.emit({ type: 'exit', code: 1 });
      const line = t.logs.filter((l) => l.startsWith('warn restarting')).at(-1)!;
      expect(line).toContain(`(restart ${i + 1})`);
      delays.push(Number(/in (\d+\.\d) s/.exec(line)![1]) * 1000);
      t.clock.advance(10_000);
      expect(t.children).toHaveLength(i + 2);
      t.children[i + 1]!.emit({ type: 'running' });
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(t.statuses.slice(running).every((s) => s.state === 'running')).toBe(true);

    t.children[3]!.emit({ type: 'exit', code: 1 });
    expect(t.logs.at(-2)).toMatch(/^error giving up: the app ended 4 times within 300 s/);
    expect(t.logs.at(-1)).toBe('error stopped after failure (exit code 4)');
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: ExitCode.GaveUp });
    expect(t.exits).toEqual([ExitCode.GaveUp]);
  });

  it('stop asks the child to stop and reports STOPPED 0 when it exits', async () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    expect(t.sup.lifecycle.control('stop')).toBe(true);
    expect(t.children[0]!.stopRequests).toEqual(['stop']);
    expect(t.states().at(-1)).toBe('stop-pending');
    t.clock.advance(300);
    t.children[0]!.emit({ type: 'exit', code: 0 });
    await flush();
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.exits).toEqual([0]);
    expect(t.children).toHaveLength(1); // no restart after a requested stop
  });

  it('an app that ignores the stop is killed with its process tree after the stop timeout', async () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.sup.lifecycle.control('stop');
    t.clock.advance(4_000);
    const pending = t.statuses.filter((s) => s.state === 'stop-pending').map((s) => s.checkPoint);
    expect(pending).toEqual([1, 2, 3, 4, 5]);
    t.clock.advance(1_000);
    await flush();
    expect(t.logs).toContain('warn stop handlers still running after 5000 ms; forcing the stop');
    expect(t.children[0]!.killed).toBe(1);
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.exits).toEqual([0]);
  });

  it('a stop during the restart delay cancels the restart', async () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 3 });
    t.sup.lifecycle.control('stop');
    await flush();
    t.clock.advance(10_000);
    expect(t.children).toHaveLength(1);
    expect(t.exits).toEqual([0]);
  });

  it('failing health probes kill the app, which is restarted', async () => {
    let healthy = true;
    const t = setup({ health: { probe: { intervalMs: 1_000, failures: 3 }, heartbeatTimeoutMs: null } }, async () => healthy);
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.clock.advance(5_000);
    await flush();
    expect(t.children[0]!.killed).toBe(0);
    healthy = false;
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1_000);
      await flush();
    }
    expect(t.children[0]!.killed).toBe(1);
    expect(t.logs).toContain('error health check failed 3 times in a row: ending the app (pid 100) and its processes');
    t.children[0]!.emit({ type: 'exit', code: 1 });
    expect(t.logs.some((l) => l.startsWith('error health check failed 3 times in a row after'))).toBe(true);
    t.clock.advance(1_000);
    expect(t.children).toHaveLength(2);
  });

  it('a missing heartbeat (hung event loop) kills the app', () => {
    const t = setup({ health: { probe: null, heartbeatTimeoutMs: 3_000 } });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(2_000);
      t.children[0]!.emit({ type: 'heartbeat' });
    }
    expect(t.children[0]!.killed).toBe(0);
    t.clock.advance(3_000);
    expect(t.children[0]!.killed).toBe(1);
    expect(t.logs.at(-1)).toBe('error no heartbeat for 3.0 s (is the event loop blocked?): ending the app (pid 100) and its processes');
  });

  it('status(): restarts, the current app, the probe results and heartbeat ages, for the live status', async () => {
    let healthy = true;
    const t = setup({ health: { probe: { intervalMs: 1_000, failures: 3 }, heartbeatTimeoutMs: 10_000 } }, async () => healthy);
    t.sup.start();
    expect(t.sup.status()).toEqual({
      restarts: 0,
      appPid: 100,
      appUptimeMs: 0,
      probe: { lastHealthy: null, lastAgeMs: null, consecutiveFailures: 0, failuresAllowed: 3 },
      heartbeat: { lastAgeMs: null, timeoutMs: 10_000 },
    });
    t.children[0]!.emit({ type: 'running' });
    t.clock.advance(1_000);
    await flush();
    t.children[0]!.emit({ type: 'heartbeat' });
    healthy = false;
    t.clock.advance(1_000);
    await flush();
    t.clock.advance(250);
    expect(t.sup.status()).toEqual({
      restarts: 0,
      appPid: 100,
      appUptimeMs: 2_250,
      probe: { lastHealthy: false, lastAgeMs: 250, consecutiveFailures: 1, failuresAllowed: 3 },
      heartbeat: { lastAgeMs: 1_250, timeoutMs: 10_000 },
    });

    // A crash: no app until the restart; then a fresh child with fresh health figures.
    t.children[0]!.emit({ type: 'exit', code: 1 });
    expect(t.sup.status()).toMatchObject({ restarts: 0, appPid: null, appUptimeMs: null });
    t.clock.advance(1_000);
    expect(t.sup.status()).toMatchObject({
      restarts: 1,
      appPid: 101,
      appUptimeMs: 0,
      probe: { lastHealthy: null, lastAgeMs: null, consecutiveFailures: 0 },
      heartbeat: { lastAgeMs: null },
    });
  });

  it('status() without health checks has no probe and no heartbeat', () => {
    const t = setup();
    t.sup.start();
    expect(t.sup.status()).toMatchObject({ probe: null, heartbeat: null });
  });
});
