/**
 * What a watch thread (loaders/watch-thread.ts) does, on an injected SCM so it runs under test
 * with a fake: open the service, post its status, then wait for notifications and post each one
 * until asked to stop, the service is deleted, or a call fails.
 *
 * Deletion: DeleteService only marks a service; the SCM removes it once every handle to it is
 * closed, so a watch must let go of its handle when the service is marked, or it keeps an
 * uninstalled service registered for as long as it runs. Windows says so with
 * SERVICE_NOTIFY_DELETE_PENDING (or ERROR_SERVICE_MARKED_FOR_DELETE from a registration). Where
 * the SCM never says so (`recheck` given: Wine), the watch closes its handle every
 * `recheck.everyMs`, waits `recheck.gapMs` and opens the service again: a marked service is gone
 * by then (ERROR_SERVICE_DOES_NOT_EXIST). The moments are multiples of `everyMs` on the wall clock,
 * so several watches of one service (in this process or another) let go at the same time; the
 * status is queried again after each reopen, so a change during the gap is still reported.
 */
import {
  ERROR_SERVICE_DOES_NOT_EXIST,
  ERROR_SERVICE_MARKED_FOR_DELETE,
  Win32Error,
  type ScHandle,
  type ServiceStatusInfo,
} from '../platform/manager-api';
import { SERVICE_NOTIFY_DELETE_PENDING } from '../platform/windows/notify-bindings';
import type { ServiceNotification } from '../platform/windows/win32-data';
import type { WatchThreadMessage } from './watch-protocol';

/** ERROR_ALREADY_REGISTERED: a registration of this handle is still outstanding. */
const ERROR_ALREADY_REGISTERED = 1242;

/** The SCM as a watch uses it (platform/windows/manager-bindings.ts and platform/windows/notify-bindings.ts in the exe). */
export interface WatchScm {
  /** Opens the service for SERVICE_QUERY_STATUS; throws Win32Error (1060: there is no such service). */
  open(name: string): ScHandle;
  close(service: ScHandle): void;
  query(service: ScHandle): ServiceStatusInfo;
  /** Registers for the next state change or deletion of `service`; throws Win32Error('NotifyServiceStatusChangeW', code). */
  arm(service: ScHandle): void;
  /** An alertable wait of up to `ms`: where a notification is delivered. */
  wait(ms: number): void;
  /** The notification delivered since the last `arm` (once), or null. */
  take(): ServiceNotification | null;
  /** Wall-clock time in ms. */
  now(): number;
}

export interface WatchLoopOptions {
  name: string;
  /** The longest single wait (ms): how long a stop request may go unseen. */
  waitMs: number;
  /** Null when the SCM reports deletions; else how the watch finds out by reopening the service (see above). */
  recheck: { everyMs: number; gapMs: number } | null;
  stopRequested(): boolean;
}

/**
 * Runs one watch to its end, posting `status` messages and, when the service is deleted, one
 * `deleted` once its handle is closed. Returns when stopped or after `deleted`; throws the
 * Win32Error of a call that failed (opening a service that does not exist included). The
 * service handle is closed in every case.
 */
export function runWatchLoop(scm: WatchScm, opts: WatchLoopOptions, post: (message: WatchThreadMessage) => void): void {
  const held: Held = { service: scm.open(opts.name) };
  let outcome: 'stopped' | 'deleted';
  try {
    outcome = watchUntilEnd(scm, opts, held, post);
  } finally {
    if (held.service) scm.close(held.service);
  }
  // Only now: by the time the app hears of the deletion, nothing here keeps the service registered.
  if (outcome === 'deleted') post({ type: 'deleted' });
}

/** The handle the watch holds (null while it has let go of it). */
interface Held {
  service: ScHandle | null;
}

function watchUntilEnd(scm: WatchScm, opts: WatchLoopOptions, held: Held, post: (message: WatchThreadMessage) => void): 'stopped' | 'deleted' {
  const { recheck } = opts;
  const nextRecheck = (): number => (recheck ? (Math.floor(scm.now() / recheck.everyMs) + 1) * recheck.everyMs : Infinity);
  let service = held.service!;
  post({ type: 'status', status: scm.query(service) });
  if (!arm(scm, service)) return 'deleted';
  let recheckAt = nextRecheck();
  while (!opts.stopRequested()) {
    scm.wait(Math.max(0, Math.min(opts.waitMs, recheckAt - scm.now())));
    const n = scm.take();
    if (n) {
      if (isDeletion(n)) return 'deleted';
      if (n.notificationStatus !== 0) throw new Win32Error('NotifyServiceStatusChangeW', n.notificationStatus);
      post({ type: 'status', status: n.status });
      if (!arm(scm, service)) return 'deleted';
    }
    if (recheck && scm.now() >= recheckAt) {
      scm.close(service);
      held.service = null;
      scm.wait(recheck.gapMs);
      scm.take(); // delivered for the handle just closed: the query below reports the status now
      if (opts.stopRequested()) return 'stopped';
      const reopened = reopen(scm, opts.name);
      if (!reopened) return 'deleted';
      held.service = service = reopened;
      post({ type: 'status', status: scm.query(service) });
      if (!arm(scm, service)) return 'deleted';
      recheckAt = nextRecheck();
    }
  }
  return 'stopped';
}

/** A notification that says the service is marked for deletion. */
function isDeletion(n: ServiceNotification): boolean {
  return n.notificationStatus === ERROR_SERVICE_MARKED_FOR_DELETE || (n.triggered & SERVICE_NOTIFY_DELETE_PENDING) !== 0;
}

/**
 * Registers for the next notification; false when the service is marked for deletion. A
 * registration still outstanding (one delivered for a handle closed since was read in its place)
 * is as good as a new one.
 */
function arm(scm: WatchScm, service: ScHandle): boolean {
  try {
    scm.arm(service);
    return true;
  } catch (err) {
    if (err instanceof Win32Error && err.code === ERROR_SERVICE_MARKED_FOR_DELETE) return false;
    if (err instanceof Win32Error && err.code === ERROR_ALREADY_REGISTERED) return true;
    throw err;
  }
}

/** The service opened again, or null when it no longer exists. */
function reopen(scm: WatchScm, name: string): ScHandle | null {
  try {
    return scm.open(name);
  } catch (err) {
    if (err instanceof Win32Error && err.code === ERROR_SERVICE_DOES_NOT_EXIST) return null;
    throw err;
  }
}
