import { describe, it, expect } from 'vitest';
import { DEADLINE_GRACE_MS, FORCED_STOP_EXIT_CODE, StopDeadline } from '../../../../runtime-shim/lifecycle/stop/stop-deadline';
import { FakeClock } from '../../../support/fake-clock';

function setup(opts: { stopped?: boolean } = {}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const logs: Array<{ level: string; message: string }> = [];
  let stopped = opts.stopped ?? false;
  const deadline = new StopDeadline({
    clock,
    log: (level, message) => {
      logs.push({ level, message });
      events.push(`log ${level}`);
    },
    stoppedReported: () => stopped,
    reportStopped: (code) => events.push(`report STOPPED ${code}`),
    endProcess: (code) => events.push(`end ${code}`),
  });
  return { clock, events, logs, deadline, setStopped: (v: boolean) => (stopped = v) };
}

describe('StopDeadline', () => {
  it('grace is half a second and a forced stop exits 0', () => {
    expect(DEADLINE_GRACE_MS).toBe(500);
    expect(FORCED_STOP_EXIT_CODE).toBe(0);
  });

  it('is not armed until a stop arms it; nothing fires unarmed', () => {
    const t = setup();
    expect(t.deadline.armed).toBe(false);
    expect(t.clock.pending).toBe(0);
    t.clock.advance(1_000_000);
    expect(t.events).toEqual([]);
  });

  it('fires at timeout + grace: error log, STOPPED 0, then the process ends with 0', () => {
    const t = setup();
    expect(t.deadline.arm(10_000, 'stop')).toBe(true);
    expect(t.deadline.armed).toBe(true);
    t.clock.advance(10_000 + DEADLINE_GRACE_MS - 1);
    expect(t.events).toEqual([]);
    t.clock.advance(1);
    expect(t.events).toEqual(['log error', 'report STOPPED 0', 'end 0']);
    expect(t.logs).toHaveLength(1);
    const line = t.logs[0]!.message;
    expect(line).toContain('stop deadline (10000 ms + 500 ms) reached');
    expect(line).toContain('the stop (stop) did not finish');
    expect(line).toContain('blocked or busy');
    expect(line).toContain('reporting STOPPED (exit code 0)');
    expect(t.clock.pending).toBe(0);
  });

  it('only the first arm counts: a later one neither re-arms nor changes the timeout or cause', () => {
    const t = setup();
    expect(t.deadline.arm(2_000, 'shutdown')).toBe(true);
    t.clock.advance(1_000);
    expect(t.deadline.arm(60_000, 'stop')).toBe(false);
    expect(t.deadline.arm(100, 'the app\'s SIGTERM')).toBe(false);
    expect(t.clock.pending).toBe(1);
    t.clock.advance(1_499);
    expect(t.events).toEqual([]);
    t.clock.advance(1);
    expect(t.events).toEqual(['log error', 'report STOPPED 0', 'end 0']);
    expect(t.logs[0]!.message).toContain('(2000 ms + 500 ms)');
    expect(t.logs[0]!.message).toContain('the stop (shutdown)');
    t.clock.advance(100_000);
    expect(t.events).toHaveLength(3); // fires once
  });

  it('a zero timeout fires after the grace alone', () => {
    const t = setup();
    t.deadline.arm(0, 'stop');
    t.clock.advance(DEADLINE_GRACE_MS - 1);
    expect(t.events).toEqual([]);
    t.clock.advance(1);
    expect(t.events.at(-1)).toBe('end 0');
  });

  it('when STOPPED was reported already: a warning, no second STOPPED, and the process ends', () => {
    const t = setup();
    t.deadline.arm(1_000, 'preshutdown');
    t.setStopped(true); // the main thread reported STOPPED but its exit hangs
    t.clock.advance(1_500);
    expect(t.events).toEqual(['log warn', 'end 0']);
    const line = t.logs[0]!.message;
    expect(line).toContain('stop deadline (1000 ms + 500 ms) reached after the stop (preshutdown)');
    expect(line).toContain('STOPPED was reported but the process had not ended');
    expect(line).not.toContain('reporting STOPPED');
  });

  it('asks whether STOPPED was reported when it fires, not when armed', () => {
    const t = setup({ stopped: true });
    t.deadline.arm(1_000, 'stop');
    t.setStopped(false);
    t.clock.advance(1_500);
    expect(t.events).toEqual(['log error', 'report STOPPED 0', 'end 0']);
  });
});
