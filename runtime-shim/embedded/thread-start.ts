/** What a worker started on an embedded module is told, through a global set by its eval code (worker-threads.ts → loaders/thread.ts). */
import type { ThreadHostInfo } from './thread-host';

export const THREAD_START_KEY = 'svcpack.thread-start';

/** The SEA asset holding the thread loader (loaders/thread.ts). */
export const THREAD_LOADER_ASSET = 'thread.cjs';

export interface ThreadStart {
  /** Tree path of the embedded module to run. */
  entry: string;
  /** The starting thread's `svcpack/runtime` host info; null when it had none. */
  host: ThreadHostInfo | null;
}
