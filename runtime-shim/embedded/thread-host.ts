/**
 * `svcpack/runtime` inside a worker thread the exe started from an embedded module: the same
 * service name, kind and data folder as the thread that started it, and `service.log` records
 * that reach the service log, carried to the main thread over a BroadcastChannel (which never
 * keeps a thread alive). Stop handlers are not run in workers: the main thread owns the stop and
 * ends its workers (`worker.terminate()`, `pool.destroy()`), as under plain Node.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { host, installHost, type LogLevel } from '../api';

const LOG_CHANNEL = 'svcpack.thread-log';

/** What a worker's host copies from the thread that starts it. */
export interface ThreadHostInfo {
  name: string;
  isService: boolean;
  dataDir: string;
}

interface LogRecord {
  level: LogLevel;
  message: string;
}

/** The info to hand a new worker, from this thread's host; null outside the exe. */
export function threadHostInfo(): ThreadHostInfo | null {
  const h = host();
  return h ? { name: h.name, isService: h.isService, dataDir: h.dataDir } : null;
}

/** In a worker: installs its host. */
export function installThreadHost(info: ThreadHostInfo): void {
  const channel = new BroadcastChannel(LOG_CHANNEL);
  channel.unref();
  installHost({ ...info, write: (level, message) => channel.postMessage({ level, message } satisfies LogRecord), trackStart: () => {} });
}

let forwarding = false;

/** In the main thread (once, when it starts its first embedded worker): writes the workers' records through its own host. */
export function forwardThreadLogs(): void {
  if (forwarding) return;
  forwarding = true;
  const channel = new BroadcastChannel(LOG_CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const record = (event as { data: LogRecord }).data;
    host()?.write(record.level, record.message);
  };
}
