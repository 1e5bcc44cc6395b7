/**
 * The service's status as last reported to the SCM, kept in shared memory so that two threads can
 * report it: the app's main thread (the lifecycle) and the control thread (which answers the SCM
 * and enforces the stop deadline even when the main thread is blocked; see
 * loaders/control-thread.ts). Every SetServiceStatus call of the process goes through `report`,
 * under one lock, which keeps two rules whatever the threads do:
 *
 * - STOPPED is reported once; nothing is reported after it (the SCM may already have moved on,
 *   and a late RUNNING from a slow main thread must not resurrect a stopped service);
 * - a stop, once reported (STOP_PENDING), is never undone: a later RUNNING, PAUSED or
 *   START_PENDING report is dropped.
 *
 * The slot also carries what the control thread needs to answer controls without asking the
 * main thread: the accepted-controls mask, whether user codes are handled, and the effective stop
 * timeout; and a second lock that keeps the two threads' writes to the service log apart (two
 * handles appending to one file interleave under Wine: a line of one thread overwrote the start
 * of the other's), and how many control requests are still being answered (the process must not
 * end under an answer: see {@link StatusSlot.awaitAnswered}). All values are Int32 slots of one
 * SharedArrayBuffer (`STATUS_SLOT_BYTES`).
 */
import {
  SERVICE_CONTINUE_PENDING,
  SERVICE_PAUSE_PENDING,
  SERVICE_PAUSED,
  SERVICE_RUNNING,
  SERVICE_START_PENDING,
  SERVICE_STOP_PENDING,
  SERVICE_STOPPED,
  type Advapi32,
  type ServiceStatusStruct,
  type StatusHandle,
} from './advapi32';

const LOCK = 0;
const STOPPED = 1;
const STATE = 2;
const ACCEPTS = 3;
const USER_CODES = 4;
const STOP_TIMEOUT_MS = 5;
const LOG_LOCK = 6;
const ANSWERING = 7;
const SLOTS = 8;

/** Size of the SharedArrayBuffer a StatusSlot works on. */
export const STATUS_SLOT_BYTES = SLOTS * Int32Array.BYTES_PER_ELEMENT;

/** Which user-defined control codes (128-255) are handled now: 128 rotates the log, 129-255 are the app's. */
export interface UserCodes {
  rotate: boolean;
  custom: boolean;
}

/** What was last reported, as the control thread reads it. */
export interface PublishedStatus {
  /** SERVICE_* state code; 0 before the first report. */
  state: number;
  /** SERVICE_ACCEPT_* mask of the last report. */
  accepts: number;
  userCodes: UserCodes;
  /** STOPPED has been reported. */
  stopped: boolean;
}

const STOP_STATES = new Set([SERVICE_STOP_PENDING, SERVICE_STOPPED]);
const LIVE_STATES = new Set([SERVICE_START_PENDING, SERVICE_RUNNING, SERVICE_PAUSE_PENDING, SERVICE_PAUSED, SERVICE_CONTINUE_PENDING]);

/**
 * SetServiceStatus through `slot` (both threads report this way): `status` with `handle`, dropped
 * by the slot's rules when they say so. Never throws: returns why the call failed, else null.
 */
export function setServiceStatus(
  slot: StatusSlot,
  api: Pick<Advapi32, 'setStatus' | 'lastError'>,
  handle: StatusHandle,
  status: ServiceStatusStruct,
  userCodes?: UserCodes,
): string | null {
  try {
    slot.report(
      status,
      (s) => {
        if (!api.setStatus(handle, s)) throw new Error(`SetServiceStatus failed (error ${api.lastError()})`);
      },
      userCodes,
    );
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.startsWith('SetServiceStatus') ? message : `SetServiceStatus failed: ${message}`;
  }
}

export class StatusSlot {
  private readonly cells: Int32Array;

  /** `buffer`: a SharedArrayBuffer of STATUS_SLOT_BYTES, zero-filled when new; share it with the other thread. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(STATUS_SLOT_BYTES)) {
    this.cells = new Int32Array(buffer);
  }

  /**
   * Reports `status` through `set` (the SetServiceStatus call) unless the rules above drop it, and
   * publishes it (with `userCodes`; absent: unchanged). What `set` throws is rethrown, nothing
   * published; the slot is unlocked either way.
   */
  report(status: ServiceStatusStruct, set: (status: ServiceStatusStruct) => void, userCodes?: UserCodes): 'reported' | 'dropped' {
    this.lock();
    try {
      if (Atomics.load(this.cells, STOPPED) === 1) return 'dropped';
      const previous = Atomics.load(this.cells, STATE);
      if (previous === SERVICE_STOP_PENDING && LIVE_STATES.has(status.dwCurrentState)) return 'dropped';
      set(status);
      Atomics.store(this.cells, STATE, status.dwCurrentState);
      Atomics.store(this.cells, ACCEPTS, status.dwControlsAccepted);
      if (userCodes) Atomics.store(this.cells, USER_CODES, (userCodes.rotate ? 1 : 0) | (userCodes.custom ? 2 : 0));
      if (status.dwCurrentState === SERVICE_STOPPED) Atomics.store(this.cells, STOPPED, 1);
      return 'reported';
    } finally {
      this.unlock();
    }
  }

  read(): PublishedStatus {
    const user = Atomics.load(this.cells, USER_CODES);
    return {
      state: Atomics.load(this.cells, STATE),
      accepts: Atomics.load(this.cells, ACCEPTS),
      userCodes: { rotate: (user & 1) !== 0, custom: (user & 2) !== 0 },
      stopped: Atomics.load(this.cells, STOPPED) === 1,
    };
  }

  /** Whether a stop has been reported (STOP_PENDING or STOPPED). */
  stopReported(): boolean {
    return STOP_STATES.has(Atomics.load(this.cells, STATE));
  }

  /** The effective stop timeout, ms, as the main thread last published it (0: never published). */
  get stopTimeoutMs(): number {
    return Atomics.load(this.cells, STOP_TIMEOUT_MS);
  }

  set stopTimeoutMs(ms: number) {
    Atomics.store(this.cells, STOP_TIMEOUT_MS, Math.min(Math.max(0, Math.round(ms)), 0x7fffffff));
  }

  /**
   * Runs `write` (one log record's write) while holding the log lock. A thread waits at most
   * `maxWaitMs` for it and then writes anyway: the control thread's last line must not depend on a
   * main thread that may be stuck.
   */
  withLogLock(write: () => void, maxWaitMs = Number.POSITIVE_INFINITY): void {
    const until = performance.now() + maxWaitMs;
    let held = false;
    while (!(held = Atomics.compareExchange(this.cells, LOG_LOCK, 0, 1) === 0) && performance.now() < until) Atomics.wait(this.cells, LOG_LOCK, 1, 5);
    try {
      write();
    } finally {
      if (held) this.release(LOG_LOCK);
    }
  }

  /** The control thread began answering a control request (HandlerEx was called). */
  answering(): void {
    Atomics.add(this.cells, ANSWERING, 1);
  }

  /** The answer to one request has reached the service manager (the control thread says when). */
  answered(): void {
    if (Atomics.sub(this.cells, ANSWERING, 1) === 1) Atomics.notify(this.cells, ANSWERING);
  }

  /**
   * Blocks until no control request is being answered, at most `maxMs`; returns whether none is.
   * The main thread calls it as the process ends: a process that ends while the service
   * manager's dispatcher is still writing an answer breaks its pipe, and whoever sent the request
   * (`sc stop`, the exe's `stop`) fails with error 109 although the service stopped.
   */
  awaitAnswered(maxMs: number): boolean {
    const until = performance.now() + maxMs;
    for (;;) {
      const pending = Atomics.load(this.cells, ANSWERING);
      if (pending <= 0) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.cells, ANSWERING, pending, left);
    }
  }

  private lock(): void {
    while (Atomics.compareExchange(this.cells, LOCK, 0, 1) !== 0) Atomics.wait(this.cells, LOCK, 1, 5);
  }

  private unlock(): void {
    this.release(LOCK);
  }

  private release(cell: number): void {
    Atomics.store(this.cells, cell, 0);
    Atomics.notify(this.cells, cell, 1);
  }
}
