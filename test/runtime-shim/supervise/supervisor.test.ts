import { describe, it, expect } from 'vitest';
import { ExitCode, type ServiceStatus, type StopReason } from '../../../runtime-shim/lifecycle/lifecycle';
import { RestartPolicy, DEFAULT_RESTART_POLICY } from '../../../runtime-shim/supervise/restart-policy';
import { Supervisor, type AppChild, type ChildEvent, type SupervisorDeps, type SupervisorOptions } from '../../../runtime-shim/supervise/supervisor';
import { serviceHooks, type HookContext } from '../../../runtime-shim/hooks/service-hooks';
import type { HookResult } from '../../../runtime-shim/hooks/run-hook';
import type { HookName } from '../../../runtime-shim/settings/operation-settings';
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

function setup(opts: Partial<SupervisorOptions> = {}, probe?: (url: string, timeoutMs: number) => Promise<boolean>, extra: Partial<SupervisorDeps> = {}) {
  const clock = new FakeClock();
  const children: FakeChild[] = [];
  const statuses: ServiceStatus[] = [];
  const logs: string[] = [];
  const exits: number[] = [];
  const alerts: Array<{ event: string; message: string; exitCode?: number; attempt?: number }> = [];
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
      alert: (event, message, details) => alerts.push({ event, message, ...details }),
      ...extra,
    },
    {
      stopTimeoutMs: 5_000,
      policy: { ...DEFAULT_RESTART_POLICY, initialDelayMs: 1_000, factor: 2, maxDelayMs: 4_000, maxRestarts: 3 },
      health: { probe: null, heartbeatTimeoutMs: null },
      ...opts,
    },
  );
  return { clock, children, statuses, logs, exits, alerts, sup, states: () => statuses.map((s) => s.state) };
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
    const t = setup({ health: { probe: { url: 'http://127.0.0.1:1/health', timeoutMs: 500, intervalMs: 1_000, failures: 3 }, heartbeatTimeoutMs: null } }, async () => healthy);
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
    const t = setup({ health: { probe: { url: 'http://127.0.0.1:1/health', intervalMs: 1_000, timeoutMs: 500, failures: 3 }, heartbeatTimeoutMs: 10_000 } }, async () => healthy);
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

describe('Supervisor exit-code policy', () => {
  const policy = { success: [0, 2], restart: [3] };

  it('an app exit with a success code ends the service cleanly: STOPPED 0, no restart, no alert', async () => {
    const t = setup({ exitCodes: policy });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 2 });
    expect(t.logs).toContain('info app exited with success code 2: stopping the service');
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.exits).toEqual([0]);
    t.clock.advance(10_000);
    expect(t.children).toHaveLength(1);
    expect(t.alerts).toEqual([]);
  });

  it('a restart code restarts the app under the restart policy', () => {
    const t = setup({ exitCodes: policy });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 3 });
    expect(t.logs.at(-1)).toBe('warn restarting the app in 1.0 s (restart 1)');
    t.clock.advance(1_000);
    expect(t.children).toHaveLength(2);
    expect(t.alerts.map((a) => a.event)).toEqual(['crash', 'restart']);
    expect(t.alerts[1]).toMatchObject({ attempt: 1, exitCode: 3 });
  });

  it('any other code stops the service as failed with that code as its service exit code', () => {
    const t = setup({ exitCodes: policy });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 7 });
    expect(t.logs).toContain('error app exit code 7 is neither a success nor a restart exit code: stopping the service as failed');
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 7 });
    expect(t.exits).toEqual([7]);
    t.clock.advance(10_000);
    expect(t.children).toHaveLength(1);
  });

  it("the default (no success codes, restart 'all') restarts on every code, 0 included", () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 0 });
    t.clock.advance(1_000);
    expect(t.children).toHaveLength(2);
  });

  it('an app ended by a failed health check restarts whatever its exit code (it did not choose it)', async () => {
    let healthy = false;
    const t = setup({ exitCodes: { success: [1], restart: [] }, health: { probe: { url: 'u', timeoutMs: 100, intervalMs: 1_000, failures: 1 }, heartbeatTimeoutMs: null } }, async () => healthy);
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.clock.advance(1_000);
    await flush();
    expect(t.children[0]!.killed).toBe(1);
    t.children[0]!.emit({ type: 'exit', code: 1 });
    t.clock.advance(1_000);
    expect(t.children).toHaveLength(2);
    expect(t.alerts.map((a) => a.event)).toEqual(['health-check-failed', 'restart']);
    healthy = true;
  });
});

describe('Supervisor alerts', () => {
  it('crash, restart … give-up; a lost heartbeat', () => {
    const t = setup({ policy: { ...DEFAULT_RESTART_POLICY, initialDelayMs: 100, maxRestarts: 1 } });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 5 });
    t.clock.advance(1_000);
    t.children[1]!.emit({ type: 'exit', code: 5 });
    expect(t.alerts.map((a) => a.event)).toEqual(['crash', 'restart', 'crash', 'give-up']);
    expect(t.alerts[3]!.message).toMatch(/^giving up: the app ended 2 times/);
    expect(t.exits).toEqual([ExitCode.GaveUp]);

    const h = setup({ health: { probe: null, heartbeatTimeoutMs: 1_000 } });
    h.sup.start();
    h.children[0]!.emit({ type: 'running' });
    h.clock.advance(1_000);
    expect(h.alerts).toEqual([{ event: 'heartbeat-lost', message: 'no heartbeat for 1.0 s (is the event loop blocked?): ending the app (pid 100) and its processes' }]);
  });
});

describe('Supervisor reconfigure (reload)', () => {
  it('applies a new restart policy and exit-code policy to the next exit', () => {
    const t = setup();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.sup.reconfigure({ policy: { ...DEFAULT_RESTART_POLICY, initialDelayMs: 3_000 }, health: { probe: null, heartbeatTimeoutMs: null }, exitCodes: { success: [9], restart: 'all' } });
    t.children[0]!.emit({ type: 'exit', code: 1 });
    expect(t.logs.at(-1)).toBe('warn restarting the app in 3.0 s (restart 1)');
    t.clock.advance(3_000);
    t.children[1]!.emit({ type: 'running' });
    t.children[1]!.emit({ type: 'exit', code: 9 });
    expect(t.exits).toEqual([0]);
  });

  it('re-arms the health probe with its new URL and interval, and a new heartbeat timeout', async () => {
    const probed: string[] = [];
    const t = setup({}, async (url) => {
      probed.push(url);
      return true;
    });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.clock.advance(10_000);
    expect(probed).toEqual([]);
    t.sup.reconfigure({ policy: DEFAULT_RESTART_POLICY, health: { probe: { url: 'http://new/health', timeoutMs: 100, intervalMs: 2_000, failures: 2 }, heartbeatTimeoutMs: 5_000 }, exitCodes: { success: [], restart: 'all' } });
    t.clock.advance(4_000);
    await flush();
    expect(probed).toEqual(['http://new/health', 'http://new/health']);
    t.clock.advance(1_000);
    expect(t.children[0]!.killed).toBe(1); // no heartbeat for 5 s
  });
});

describe('Supervisor hooks', () => {
  function hooked(outcomes: Partial<Record<HookName, HookResult>>) {
    const ran: string[] = [];
    const commands = { preStart: null, postStart: null, preStop: null, postStop: null } as Record<HookName, string | null>;
    for (const hook of Object.keys(outcomes) as HookName[]) commands[hook] = hook;
    const hooks = serviceHooks({
      settings: () => ({ commands, timeoutMs: 30_000 }),
      exec: async (_c: string, hook: HookName, _t: number, ctx: HookContext) => {
        ran.push(`${hook} pid=${ctx.pid ?? '-'} exit=${ctx.exitCode ?? '-'} reason=${ctx.reason ?? '-'}`);
        return outcomes[hook]!;
      },
      log: () => {},
    });
    return { ran, t: setup({}, undefined, { hooks }) };
  }
  const ok: HookResult = { code: 0, timedOut: false };

  it('a failing pre-start aborts the start with exit code 3 before any child', async () => {
    const { t } = hooked({ preStart: { code: 1, timedOut: false } });
    t.sup.start();
    await flush();
    expect(t.children).toHaveLength(0);
    expect(t.logs).toContain('error the pre-start hook exited with code 1: the service does not start');
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: ExitCode.StartFailed });
    expect(t.alerts.map((a) => a.event)).toEqual(['start-failed']);
  });

  it('pre-start before the first child only, post-start once RUNNING, stop hooks around the stop with the exit code', async () => {
    const { t, ran } = hooked({ preStart: ok, postStart: ok, preStop: ok, postStop: ok });
    t.sup.start();
    expect(t.children).toHaveLength(0);
    await flush();
    expect(t.children).toHaveLength(1);
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 1 });
    t.clock.advance(1_000);
    t.children[1]!.emit({ type: 'running' });
    await flush();
    t.sup.lifecycle.control('stop');
    await flush();
    expect(t.children[1]!.stopRequests).toEqual(['stop']);
    t.children[1]!.emit({ type: 'exit', code: 0 });
    await flush();
    await flush();
    expect(ran).toEqual(['preStart pid=- exit=- reason=-', 'postStart pid=100 exit=- reason=-', 'preStop pid=101 exit=- reason=stop', 'postStop pid=- exit=0 reason=stop']);
    expect(t.exits).toEqual([0]);
  });
});

describe('Supervisor: the app stops the service itself', () => {
  function withStopping(opts: Partial<SupervisorOptions> = {}) {
    const stopping: Array<{ timeoutMs: number; cause: StopReason }> = [];
    const t = setup(opts, undefined, { stopping: (timeoutMs, cause) => void stopping.push({ timeoutMs, cause }) });
    return { t, stopping };
  }

  it("a child's 'stop-request' stops the service: STOP_PENDING, the child is asked to stop, then STOPPED 0", async () => {
    const { t, stopping } = withStopping();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'stop-request', signal: 'SIGTERM' });
    expect(t.logs).toContain('info the app (pid 100) sent itself SIGTERM: stopping the service');
    expect(t.states().at(-1)).toBe('stop-pending');
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stop-pending', checkPoint: 1, accepts: [] });
    expect(stopping).toEqual([{ timeoutMs: 5_000, cause: 'stop' }]);
    await flush();
    expect(t.children[0]!.stopRequests).toEqual(['stop']);
    expect(t.exits).toEqual([]);
    t.clock.advance(200);
    t.children[0]!.emit({ type: 'exit', code: 0 });
    await flush();
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.statuses.filter((s) => s.state === 'stopped')).toHaveLength(1);
    expect(t.exits).toEqual([0]);
    expect(t.children).toHaveLength(1); // not restarted
    expect(t.alerts).toEqual([]);
  });

  it("a 'stop-request' while the service is still starting stops it too", async () => {
    const { t, stopping } = withStopping();
    t.sup.start();
    t.children[0]!.emit({ type: 'stop-request', signal: 'SIGINT' });
    expect(t.states()).toEqual(['start-pending', 'stop-pending']);
    expect(stopping).toEqual([{ timeoutMs: 5_000, cause: 'stop' }]);
    await flush();
    expect(t.children[0]!.stopRequests).toEqual(['stop']);
    t.children[0]!.emit({ type: 'exit', code: 0 });
    await flush();
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.exits).toEqual([0]);
  });

  it("a second 'stop-request' during the stop changes nothing; an app that ignores the stop is killed at the timeout", async () => {
    const { t, stopping } = withStopping({ stopTimeoutMs: () => 3_000 });
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'stop-request', signal: 'SIGTERM' });
    await flush();
    t.children[0]!.emit({ type: 'stop-request', signal: 'SIGTERM' });
    await flush();
    expect(t.children[0]!.stopRequests).toEqual(['stop']);
    expect(stopping).toEqual([{ timeoutMs: 3_000, cause: 'stop' }]);
    t.clock.advance(3_000);
    await flush();
    expect(t.children[0]!.killed).toBeGreaterThan(0);
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
    expect(t.exits).toEqual([0]);
  });

  it("a previous child's late 'stop-request' is ignored", () => {
    const { t, stopping } = withStopping();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'exit', code: 1 });
    t.clock.advance(1_000);
    t.children[1]!.emit({ type: 'running' });
    t.children[0]!.emit({ type: 'stop-request', signal: 'SIGTERM' });
    expect(t.states().at(-1)).toBe('running');
    expect(stopping).toEqual([]);
  });

  it('an SCM stop calls `stopping` with the stop timeout and its reason', async () => {
    const { t, stopping } = withStopping();
    t.sup.start();
    t.children[0]!.emit({ type: 'running' });
    t.sup.lifecycle.control('shutdown');
    expect(stopping).toEqual([{ timeoutMs: 5_000, cause: 'shutdown' }]);
    await flush();
    t.children[0]!.emit({ type: 'exit', code: 0 });
    await flush();
    expect(stopping).toHaveLength(1);
  });
});
