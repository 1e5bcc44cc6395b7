import { Worker } from 'node:worker_threads';
import { describe, it, expect } from 'vitest';
import * as W from '../../../../runtime-shim/platform/windows/advapi32';
import { STATUS_SLOT_BYTES, StatusSlot } from '../../../../runtime-shim/platform/windows/status-slot';

const struct = (state: number, accepts = 0, exitCode = 0): W.ServiceStatusStruct => ({
  dwServiceType: W.SERVICE_WIN32_OWN_PROCESS,
  dwCurrentState: state,
  dwControlsAccepted: accepts,
  dwWin32ExitCode: exitCode === 0 ? W.NO_ERROR : W.ERROR_SERVICE_SPECIFIC_ERROR,
  dwServiceSpecificExitCode: exitCode,
  dwCheckPoint: 0,
  dwWaitHint: 0,
});

/** A SetServiceStatus that records what reached the "SCM". */
function recorder() {
  const sent: W.ServiceStatusStruct[] = [];
  return { sent, set: (s: W.ServiceStatusStruct) => void sent.push(s), states: () => sent.map((s) => s.dwCurrentState) };
}

const LIVE = [W.SERVICE_START_PENDING, W.SERVICE_RUNNING, W.SERVICE_PAUSE_PENDING, W.SERVICE_PAUSED, W.SERVICE_CONTINUE_PENDING];

describe('StatusSlot', () => {
  it('starts empty: state 0, nothing accepted, no user codes, not stopped, stop timeout 0', () => {
    const slot = new StatusSlot();
    expect(slot.buffer.byteLength).toBe(STATUS_SLOT_BYTES);
    expect(slot.read()).toEqual({ state: 0, accepts: 0, userCodes: { rotate: false, custom: false }, stopped: false });
    expect(slot.stopReported()).toBe(false);
    expect(slot.stopTimeoutMs).toBe(0);
  });

  it('passes each report to `set` and publishes its state and accepted controls', () => {
    const slot = new StatusSlot();
    const r = recorder();
    const start = struct(W.SERVICE_START_PENDING, W.SERVICE_ACCEPT_STOP);
    expect(slot.report(start, r.set)).toBe('reported');
    expect(r.sent).toEqual([start]);
    expect(slot.read()).toMatchObject({ state: W.SERVICE_START_PENDING, accepts: W.SERVICE_ACCEPT_STOP, stopped: false });
    const running = struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP | W.SERVICE_ACCEPT_SHUTDOWN | W.SERVICE_ACCEPT_PAUSE_CONTINUE);
    expect(slot.report(running, r.set)).toBe('reported');
    expect(slot.read()).toMatchObject({ state: W.SERVICE_RUNNING, accepts: 0x7 });
    expect(slot.stopReported()).toBe(false);
  });

  it('publishes user codes when given, and keeps them when a report carries none', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: true, custom: false });
    expect(slot.read().userCodes).toEqual({ rotate: true, custom: false });
    slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: false, custom: true });
    expect(slot.read().userCodes).toEqual({ rotate: false, custom: true });
    slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: true, custom: true });
    expect(slot.read().userCodes).toEqual({ rotate: true, custom: true });
    slot.report(struct(W.SERVICE_PAUSED), r.set); // e.g. the control thread's report: no user codes
    expect(slot.read().userCodes).toEqual({ rotate: true, custom: true });
    slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: false, custom: false });
    expect(slot.read().userCodes).toEqual({ rotate: false, custom: false });
  });

  it('reports STOPPED once; nothing after it, whatever the state', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP), r.set);
    expect(slot.report(struct(W.SERVICE_STOPPED, 0, 3), r.set)).toBe('reported');
    expect(slot.read()).toMatchObject({ state: W.SERVICE_STOPPED, stopped: true });
    expect(slot.stopReported()).toBe(true);
    for (const state of [W.SERVICE_STOPPED, W.SERVICE_STOP_PENDING, ...LIVE]) {
      expect(slot.report(struct(state), r.set)).toBe('dropped');
    }
    expect(r.states()).toEqual([W.SERVICE_RUNNING, W.SERVICE_STOPPED]);
    expect(r.sent[1]!.dwServiceSpecificExitCode).toBe(3);
    expect(slot.read()).toMatchObject({ state: W.SERVICE_STOPPED, stopped: true });
  });

  it('STOPPED straight from a live state (no STOP_PENDING) is reported', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_START_PENDING), r.set);
    expect(slot.report(struct(W.SERVICE_STOPPED, 0, 1), r.set)).toBe('reported');
    expect(slot.read().stopped).toBe(true);
  });

  it('no live state after STOP_PENDING; more STOP_PENDING checkpoints and STOPPED still go through', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP), r.set);
    expect(slot.report(struct(W.SERVICE_STOP_PENDING), r.set)).toBe('reported');
    expect(slot.stopReported()).toBe(true);
    expect(slot.read().stopped).toBe(false);
    for (const state of LIVE) expect(slot.report(struct(state, W.SERVICE_ACCEPT_STOP), r.set)).toBe('dropped');
    // The dropped reports published nothing either.
    expect(slot.read()).toMatchObject({ state: W.SERVICE_STOP_PENDING, accepts: 0 });
    expect(slot.report({ ...struct(W.SERVICE_STOP_PENDING), dwCheckPoint: 2 }, r.set)).toBe('reported');
    expect(slot.report(struct(W.SERVICE_STOPPED), r.set)).toBe('reported');
    expect(r.states()).toEqual([W.SERVICE_RUNNING, W.SERVICE_STOP_PENDING, W.SERVICE_STOP_PENDING, W.SERVICE_STOPPED]);
  });

  it('a dropped report does not publish its user codes', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: true, custom: true });
    slot.report(struct(W.SERVICE_STOP_PENDING), r.set, { rotate: false, custom: false });
    expect(slot.report(struct(W.SERVICE_RUNNING), r.set, { rotate: true, custom: true })).toBe('dropped');
    expect(slot.read().userCodes).toEqual({ rotate: false, custom: false });
  });

  it('a throwing `set` is rethrown, publishes nothing and leaves the slot unlocked', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP), r.set, { rotate: true, custom: false });
    const boom = new Error('SetServiceStatus failed (error 6)');
    expect(() =>
      slot.report(
        struct(W.SERVICE_STOPPED, 0, 1),
        () => {
          throw boom;
        },
        { rotate: false, custom: true },
      ),
    ).toThrow(boom);
    expect(slot.read()).toEqual({ state: W.SERVICE_RUNNING, accepts: W.SERVICE_ACCEPT_STOP, userCodes: { rotate: true, custom: false }, stopped: false });
    // Unlocked: the next report goes through at once (a held lock would spin forever here).
    expect(slot.report(struct(W.SERVICE_STOP_PENDING), r.set)).toBe('reported');
    expect(slot.report(struct(W.SERVICE_STOPPED), r.set)).toBe('reported');
    expect(r.states()).toEqual([W.SERVICE_RUNNING, W.SERVICE_STOP_PENDING, W.SERVICE_STOPPED]);
  });

  it('a dropped report leaves the slot unlocked too', () => {
    const slot = new StatusSlot();
    const r = recorder();
    slot.report(struct(W.SERVICE_STOPPED), r.set);
    expect(slot.report(struct(W.SERVICE_RUNNING), r.set)).toBe('dropped');
    expect(slot.report(struct(W.SERVICE_RUNNING), r.set)).toBe('dropped');
    expect(new Int32Array(slot.buffer)[0]).toBe(0); // the lock cell
  });

  it('clamps and rounds the stop timeout into an Int32', () => {
    const slot = new StatusSlot();
    slot.stopTimeoutMs = 15_000;
    expect(slot.stopTimeoutMs).toBe(15_000);
    slot.stopTimeoutMs = 1234.6;
    expect(slot.stopTimeoutMs).toBe(1235);
    slot.stopTimeoutMs = -5;
    expect(slot.stopTimeoutMs).toBe(0);
    slot.stopTimeoutMs = 2 ** 40;
    expect(slot.stopTimeoutMs).toBe(0x7fffffff);
    slot.stopTimeoutMs = Number.POSITIVE_INFINITY;
    expect(slot.stopTimeoutMs).toBe(0x7fffffff);
    slot.stopTimeoutMs = Number.NaN;
    expect(slot.stopTimeoutMs).toBe(0);
  });

  it('two slots over one SharedArrayBuffer (the two threads) see each other', () => {
    const main = new StatusSlot();
    const control = new StatusSlot(main.buffer);
    const scm = recorder();
    main.stopTimeoutMs = 7_000;
    expect(control.stopTimeoutMs).toBe(7_000);

    control.report(struct(W.SERVICE_START_PENDING, W.SERVICE_ACCEPT_STOP), scm.set);
    expect(main.read()).toMatchObject({ state: W.SERVICE_START_PENDING, accepts: W.SERVICE_ACCEPT_STOP });
    main.report(struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP), scm.set, { rotate: true, custom: true });
    expect(control.read()).toEqual({ state: W.SERVICE_RUNNING, accepts: W.SERVICE_ACCEPT_STOP, userCodes: { rotate: true, custom: true }, stopped: false });

    // The control thread reports a stop: the main thread's late RUNNING is dropped.
    control.report(struct(W.SERVICE_STOP_PENDING), scm.set);
    expect(main.stopReported()).toBe(true);
    expect(main.report(struct(W.SERVICE_RUNNING, W.SERVICE_ACCEPT_STOP), scm.set)).toBe('dropped');

    // The main thread reports STOPPED: the control thread's deadline report is dropped.
    expect(main.report(struct(W.SERVICE_STOPPED), scm.set)).toBe('reported');
    expect(control.read().stopped).toBe(true);
    expect(control.report(struct(W.SERVICE_STOPPED), scm.set)).toBe('dropped');
    expect(scm.states()).toEqual([W.SERVICE_START_PENDING, W.SERVICE_RUNNING, W.SERVICE_STOP_PENDING, W.SERVICE_STOPPED]);
  });

  it('the log lock: a writer waits for the other thread\'s write, and at most maxWaitMs when it is stuck', () => {
    const main = new StatusSlot();
    const control = new StatusSlot(main.buffer);
    const order: string[] = [];
    main.withLogLock(() => {
      // Held by the main thread: the control thread gives up waiting after 20 ms and writes anyway.
      const t = performance.now();
      control.withLogLock(() => order.push('control'), 20);
      expect(performance.now() - t).toBeGreaterThanOrEqual(15);
      order.push('main');
    });
    // Released: both acquire at once.
    control.withLogLock(() => order.push('control again'), 0);
    main.withLogLock(() => order.push('main again'));
    expect(order).toEqual(['control', 'main', 'control again', 'main again']);
  });

  it('the log lock is released when the write throws', () => {
    const slot = new StatusSlot();
    expect(() => slot.withLogLock(() => { throw new Error('disk full'); })).toThrow('disk full');
    let ran = false;
    slot.withLogLock(() => (ran = true), 0);
    expect(ran).toBe(true);
  });

  it('answers in flight: the end of the process waits for the other thread to count them answered, at most maxMs', async () => {
    const main = new StatusSlot();
    const control = new StatusSlot(main.buffer);
    expect(main.awaitAnswered(0)).toBe(true);
    // The cell that counts answers in flight: the one answering() changes.
    const cells = new Int32Array(main.buffer);
    const before = Array.from(cells);
    control.answering();
    const cell = cells.findIndex((v, i) => v !== before[i]);
    expect(cell).toBeGreaterThanOrEqual(0);
    control.answering();
    let t = performance.now();
    expect(main.awaitAnswered(20)).toBe(false);
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
    control.answered();
    expect(main.awaitAnswered(0)).toBe(false);
    // Answered on another thread while this one waits: the wait ends then, not at maxMs.
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads'); const cells = new Int32Array(workerData);
       setTimeout(() => { Atomics.sub(cells, ${cell}, 1); Atomics.notify(cells, ${cell}); }, 30);`,
      { eval: true, workerData: main.buffer },
    );
    t = performance.now();
    expect(main.awaitAnswered(5_000)).toBe(true);
    expect(performance.now() - t).toBeLessThan(4_000);
    await worker.terminate();
  });
});
