/**
 * The control thread: an `eval` worker (platform/windows/control-thread-starter.ts starts it with this script,
 * bundled at build time) that every service and task process runs beside the app's main thread.
 * It loads koffi from the file the main thread already wrote (hash-checked again here) and runs
 * either the SCM side of a service (platform/windows/service-control-thread.ts) or a task's stop event
 * (platform/windows/task-control-thread.ts). Both hold the stop deadline (lifecycle/stop/stop-deadline.ts), which writes
 * its one line straight to the service's log file and ends the process with TerminateProcess.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { formatRecord } from '../logging/log-sink';
import { bindAdvapi32 } from '../platform/windows/advapi32';
import type { ControlThreadData, FromControlThread, ToControlThread } from '../platform/windows/control-thread-protocol';
import { loadNativeModule, type Koffi } from '../addons/native-module';
import { bindProcessEnd } from '../platform/windows/process-bindings';
import { ServiceControlThread } from '../platform/windows/service-control-thread';
import { StatusSlot } from '../platform/windows/status-slot';
import { bindStopEvents } from '../platform/windows/stop-event-bindings';
import { TaskControlThread } from '../platform/windows/task-control-thread';

const data = workerData as ControlThreadData;
const post = (message: FromControlThread): void => parentPort!.postMessage(message);
let logFile: string | null = null;

/** How long a line waits for the main thread's log write in progress before it is written anyway, ms. */
const LOG_LOCK_WAIT_MS = 250;
const slot = new StatusSlot(data.status);

function log(level: 'info' | 'warn' | 'error', message: string): void {
  const file = logFile;
  if (file === null) {
    if (level !== 'info') post({ type: 'warning', message });
    return;
  }
  const record = formatRecord(new Date(), level, 'lifecycle', message);
  slot.withLogLock(() => {
    try {
      fs.appendFileSync(file, record);
    } catch {
      // The process is about to end; nowhere else to write.
    }
  }, LOG_LOCK_WAIT_MS);
}

const clock = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
  clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
};

function start(): { onMessage(message: ToControlThread): void } {
  const koffi = loadNativeModule<Koffi>(
    'koffi.node',
    () => {
      throw new Error('koffi.node changed on disk after the process loaded it');
    },
    data.koffiSha256,
  );
  const { terminateSelf } = bindProcessEnd(koffi);
  if (data.kind === 'service') {
    const thread = new ServiceControlThread({ api: bindAdvapi32(koffi), slot, post, clock, log, endProcess: terminateSelf });
    thread.run(data.name);
    return thread;
  }
  let stopEvent: { signaled(): boolean } | null = null;
  try {
    stopEvent = bindStopEvents(koffi).create(data.name);
  } catch (err) {
    post({ type: 'warning', message: `no stop event (${(err as Error).message}): "${data.name}.exe stop" can only end this process, not stop it gracefully` });
  }
  const thread = new TaskControlThread({ stopEvent, slot, post, clock, log, endProcess: terminateSelf });
  thread.run();
  return thread;
}

try {
  const thread = start();
  parentPort!.on('message', (message: ToControlThread) => {
    if (message.type === 'log-file') logFile = message.file;
    else thread.onMessage(message);
  });
} catch (err) {
  post({ type: 'failed', message: `the control thread could not start: ${(err as Error).message}` });
}
