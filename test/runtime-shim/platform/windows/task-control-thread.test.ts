import { describe, it, expect, vi } from 'vitest';
import { DEFAULT_STOP_TIMEOUT_MS } from '../../../../runtime-shim/lifecycle/lifecycle';
import type { FromControlThread } from '../../../../runtime-shim/platform/windows/control-thread-protocol';
import { StatusSlot } from '../../../../runtime-shim/platform/windows/status-slot';
import { DEADLINE_GRACE_MS } from '../../../../runtime-shim/lifecycle/stop/stop-deadline';
import { STOP_POLL_MS, TaskControlThread } from '../../../../runtime-shim/platform/windows/task-control-thread';
import { FakeClock } from '../../../support/fake-clock';

function setup(opts: { event?: boolean; stopTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const slot = new StatusSlot();
  /** The main thread's view of the shared memory (task-mode.ts publishes the stop timeout there). */
  const mainSlot = new StatusSlot(slot.buffer);
  mainSlot.stopTimeoutMs = opts.stopTimeoutMs ?? 6_000;
  const stopEvent = { set: false, polls: 0, signaled(): boolean {
    this.polls++;
    return this.set;
  } };
  const posted: FromControlThread[] = [];
  const logs: Array<{ level: string; message: string }> = [];
  const endProcess = vi.fn<(code: number) => void>();
  const thread = new TaskControlThread({
    stopEvent: opts.event === false ? null : stopEvent,
    slot,
    post: (m) => posted.push(m),
    clock,
    log: (level: string, message: string) => void logs.push({ level, message }),
    endProcess,
  });
  return { clock, slot, mainSlot, stopEvent, posted, logs, endProcess, thread };
}

describe('TaskControlThread', () => {
  it(`polls the stop event every ${STOP_POLL_MS} ms and posts nothing while it is not signaled`, () => {
    const t = setup();
    t.thread.run();
    expect(t.clock.pending).toBe(1);
    t.clock.advance(STOP_POLL_MS * 4);
    expect(t.stopEvent.polls).toBe(4);
    expect(t.posted).toEqual([]);
    expect(t.endProcess).not.toHaveBeenCalled();
  });

  it("a signaled stop event posts {control: 'stop'} once and stops polling", () => {
    const t = setup();
    t.thread.run();
    t.clock.advance(STOP_POLL_MS);
    t.stopEvent.set = true;
    t.clock.advance(STOP_POLL_MS);
    expect(t.posted).toEqual([{ type: 'control', request: 'stop', accepted: true }]);
    const polls = t.stopEvent.polls;
    t.clock.advance(STOP_POLL_MS * 10);
    expect(t.stopEvent.polls).toBe(polls);
    expect(t.posted).toHaveLength(1);
  });

  it("arms the deadline with the slot's stop timeout: it logs, ends the process, and reports nothing", () => {
    const t = setup({ stopTimeoutMs: 6_000 });
    t.thread.run();
    t.stopEvent.set = true;
    t.clock.advance(STOP_POLL_MS);
    expect(t.posted).toHaveLength(1);
    expect(t.clock.pending).toBe(1); // the deadline (the poll is gone)
    t.clock.advance(6_000 + DEADLINE_GRACE_MS - 1);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.endProcess).toHaveBeenCalledTimes(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
    const errors = t.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('stop deadline (6000 ms + 500 ms) reached');
    // No SCM: nothing was reported, nothing published.
    expect(t.slot.read()).toEqual({ state: 0, accepts: 0, userCodes: { rotate: false, custom: false }, stopped: false });
    expect(t.posted).toHaveLength(1);
  });

  it('the stop timeout is read when the event is seen (no timeout published: the default)', () => {
    const t = setup({ stopTimeoutMs: 0 });
    t.thread.run();
    t.stopEvent.set = true;
    t.clock.advance(STOP_POLL_MS);
    t.clock.advance(DEFAULT_STOP_TIMEOUT_MS + DEADLINE_GRACE_MS - 1);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it("a 'stopping' message (a console signal began the stop) arms the deadline; the stop event then keeps it", () => {
    const t = setup({ stopTimeoutMs: 6_000 });
    t.thread.run();
    t.thread.onMessage({ type: 'stopping', timeoutMs: 2_000, cause: 'stop' });
    t.thread.onMessage({ type: 'stopping', timeoutMs: 50_000, cause: 'stop' });
    t.clock.advance(1_000);
    t.stopEvent.set = true;
    t.clock.advance(STOP_POLL_MS); // still posted: the lifecycle ignores a second stop
    expect(t.posted).toEqual([{ type: 'control', request: 'stop', accepted: true }]);
    t.clock.advance(2_500 - 1_000 - STOP_POLL_MS - 1);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.endProcess).toHaveBeenCalledWith(0);
  });

  it('a null stop event posts nothing and polls nothing; a stop from the main thread is still bounded', () => {
    const t = setup({ event: false });
    t.thread.run();
    expect(t.clock.pending).toBe(0);
    t.clock.advance(60_000);
    expect(t.posted).toEqual([]);
    expect(t.endProcess).not.toHaveBeenCalled();
    t.thread.onMessage({ type: 'stopping', timeoutMs: 1_000, cause: 'stop' });
    t.clock.advance(1_500);
    expect(t.endProcess).toHaveBeenCalledWith(0);
    expect(t.posted).toEqual([]);
  });
});
