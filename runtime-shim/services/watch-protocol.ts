/**
 * What the main thread and a watch thread (loaders/watch-thread.ts) tell each other. The main
 * thread starts the thread with `WatchThreadData`; the thread posts `WatchThreadMessage`s and
 * ends when the stop flag is set, after posting `deleted` or `failed`.
 */
import type { ServiceStatusInfo } from '../platform/manager-api';

export interface WatchThreadData {
  /** The service to watch. */
  name: string;
  /** SHA-256 of koffi.node, which the main thread has already written to the account's native folder. */
  koffiSha256: string;
  /** Int32Array over it: index 0 becomes 1 when the thread must stop. */
  stop: SharedArrayBuffer;
  /** How long one alertable wait lasts (ms): the longest a stop request waits to be seen. */
  waitMs: number;
  /**
   * Where the SCM never reports a deletion (Wine): every how many ms the thread lets go of its
   * handle, and for how long, to find out whether the service was deleted (services/watch-loop.ts).
   */
  recheck: { everyMs: number; gapMs: number };
}

export type WatchThreadMessage =
  /** The service's status: once when the watch starts, then at each change the SCM notifies. */
  | { type: 'status'; status: ServiceStatusInfo }
  /** The service was deleted (marked for deletion, or already gone): the thread has let go of it and ends. */
  | { type: 'deleted' }
  /** The watch ended because a call failed (code: the Win32 error; 0 when the thread itself failed). */
  | { type: 'failed'; fn: string; code: number; message: string };
