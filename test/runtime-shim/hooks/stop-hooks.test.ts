import { describe, expect, it } from 'vitest';
import { stopWithHooks } from '../../../runtime-shim/hooks/stop-hooks';
import { serviceHooks, type HookContext } from '../../../runtime-shim/hooks/service-hooks';
import type { HookResult } from '../../../runtime-shim/hooks/run-hook';
import { Lifecycle, type ServiceStatus } from '../../../runtime-shim/lifecycle/lifecycle';
import type { HookName } from '../../../runtime-shim/settings/operation-settings';
import { FakeClock, flush } from '../../support/fake-clock';

/**
 * A Lifecycle whose stop work is stopWithHooks over fake hook commands: each command "runs" for
 * `durations[hook]` ms of fake time (ended early, as timed out, by its timeout or `until`).
 */
function setup(durations: Partial<Record<HookName, number>>, appStopMs: number, stopTimeoutMs = 10_000, hookTimeoutMs = 30_000) {
  const clock = new FakeClock();
  const events: string[] = [];
  const logs: string[] = [];
  const exits: number[] = [];
  const statuses: ServiceStatus[] = [];
  const exec = (_command: string, hook: HookName, timeoutMs: number, ctx: HookContext): Promise<HookResult> =>
    new Promise((resolve) => {
      events.push(`${hook} start @${clock.now} reason=${ctx.reason ?? '-'} exit=${ctx.exitCode ?? '-'}`);
      let done = false;
      const end = (r: HookResult, why: string) => {
        if (done) return;
        done = true;
        events.push(`${hook} ${why} @${clock.now}`);
        resolve(r);
      };
      clock.setTimeout(() => end({ code: 0, timedOut: false }, 'done'), durations[hook] ?? 0);
      clock.setTimeout(() => end({ code: null, timedOut: true }, 'timeout'), timeoutMs);
      void ctx.until?.then(() => end({ code: null, timedOut: true }, 'ended'));
    });
  const commands = { preStart: null, postStart: null, preStop: null, postStop: null } as Record<HookName, string | null>;
  for (const hook of Object.keys(durations) as HookName[]) commands[hook] = `run ${hook}`;
  const hooks = serviceHooks({ settings: () => ({ commands, timeoutMs: hookTimeoutMs }), exec, log: (level, message) => logs.push(`${level} ${message}`) });
  const lifecycle = new Lifecycle(
    {
      report: (s) => statuses.push(s),
      log: (level, message) => logs.push(`${level} ${message}`),
      exit: (code) => exits.push(code),
      clock,
      runStopHandlers: (reason, deadline) =>
        stopWithHooks({
          reason,
          deadline,
          hooks,
          appStop: () =>
            new Promise((resolve) => {
              events.push(`app stop @${clock.now}`);
              clock.setTimeout(() => {
                events.push(`app stopped @${clock.now}`);
                resolve();
              }, appStopMs);
            }),
          appPid: () => 42,
          appExitCode: () => 5,
          log: (level, message) => logs.push(`${level} ${message}`),
        }),
    },
    { stopTimeoutMs },
  );
  lifecycle.start();
  lifecycle.started();
  return { clock, events, logs, exits, statuses, lifecycle };
}

async function advance(clock: FakeClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

describe('stopWithHooks', () => {
  it('runs pre-stop, the app stop and post-stop in order, with the reason and the app exit code', async () => {
    const t = setup({ preStop: 1_000, postStop: 500 }, 2_000);
    void t.lifecycle.stop('shutdown');
    await advance(t.clock, 5_000);
    expect(t.events).toEqual([
      'preStop start @0 reason=shutdown exit=-',
      'preStop done @1000',
      'app stop @1000',
      'app stopped @3000',
      'postStop start @3000 reason=shutdown exit=5',
      'postStop done @3500',
    ]);
    expect(t.exits).toEqual([0]);
    expect(t.statuses.at(-1)).toMatchObject({ state: 'stopped', exitCode: 0 });
  });

  it('a pre-stop that overruns the stop timeout is ended at it; the stop is forced and takes no longer', async () => {
    const t = setup({ preStop: 60_000, postStop: 100 }, 1_000, 3_000);
    void t.lifecycle.stop('stop');
    await advance(t.clock, 2_900);
    expect(t.exits).toEqual([]);
    await advance(t.clock, 200);
    expect(t.events).toEqual(['preStop start @0 reason=stop exit=-', 'preStop ended @3000']);
    expect(t.exits).toEqual([0]);
    expect(t.logs).toContain('warn the pre-stop hook was ended: the stop timeout ran out');
    expect(t.logs).toContain('warn stop handlers still running after 3000 ms; forcing the stop');
    // the warning comes before the forced stop
    expect(t.logs.indexOf('warn the pre-stop hook was ended: the stop timeout ran out')).toBeLessThan(t.logs.indexOf('warn stop handlers still running after 3000 ms; forcing the stop'));
  });

  it('each hook gets min(hook timeout, what is left): post-stop is ended where the stop budget ends', async () => {
    const t = setup({ preStop: 500, postStop: 60_000 }, 1_000, 4_000, 30_000);
    void t.lifecycle.stop('stop');
    await advance(t.clock, 5_000);
    expect(t.events.at(-1)).toBe('postStop ended @4000');
    expect(t.exits).toEqual([0]);
  });

  it('a hook timeout shorter than the budget ends the hook, and the stop goes on', async () => {
    const t = setup({ preStop: 60_000 }, 500, 10_000, 2_000);
    void t.lifecycle.stop('stop');
    await advance(t.clock, 3_000);
    expect(t.events).toEqual(['preStop start @0 reason=stop exit=-', 'preStop timeout @2000', 'app stop @2000', 'app stopped @2500']);
    expect(t.logs.some((l) => /^warn the pre-stop hook was ended after \d+\.\d s \(its time ran out\)$/.test(l))).toBe(true);
    expect(t.exits).toEqual([0]);
  });

  it('post-stop does not start when the app stop spent the budget', async () => {
    const t = setup({ postStop: 100 }, 60_000, 3_000);
    void t.lifecycle.stop('stop');
    await flush();
    await advance(t.clock, 3_500);
    expect(t.events).toEqual(['app stop @0']);
    expect(t.logs).toContain('warn the post-stop hook was not run: the stop timeout was spent');
    expect(t.exits).toEqual([0]);
  });
});
