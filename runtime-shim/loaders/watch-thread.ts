/**
 * The watch thread: an `eval` worker (services/native-services.ts starts it with this script,
 * bundled at build time) that watches one service with NotifyServiceStatusChangeW. The SCM delivers
 * each notification as an APC to the registering thread, so this thread registers it and waits
 * alertably (SleepEx): services/watch-loop.ts is the loop, this file gives it the real SCM. It
 * loads koffi from the file the main thread already wrote (hash-checked again here), posts the
 * service's status once at the start and then at each change, and ends when the stop flag is
 * set, after posting `deleted` when the service is deleted, or `failed` when a call fails.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bindManager } from '../platform/windows/manager-bindings';
import { ERROR_SERVICE_DOES_NOT_EXIST, SERVICE_QUERY_STATUS, Win32Error } from '../platform/manager-api';
import { loadNativeModule, type Koffi } from '../addons/native-module';
import { bindServiceNotify } from '../platform/windows/notify-bindings';
import { runWatchLoop } from '../services/watch-loop';
import type { WatchThreadData, WatchThreadMessage } from '../services/watch-protocol';

const data = workerData as WatchThreadData;
const stop = new Int32Array(data.stop);
const post = (message: WatchThreadMessage): void => parentPort!.postMessage(message);

function run(): void {
  const koffi = loadNativeModule<Koffi>(
    'koffi.node',
    () => {
      throw new Error('koffi.node changed on disk after the service loaded it');
    },
    data.koffiSha256,
  );
  const api = bindManager(koffi);
  const notify = bindServiceNotify(koffi);
  const scm = api.openManager(false);
  try {
    runWatchLoop(
      {
        open(name) {
          const service = api.openService(scm, name, SERVICE_QUERY_STATUS);
          if (!service) throw new Win32Error('OpenServiceW', ERROR_SERVICE_DOES_NOT_EXIST);
          return service;
        },
        close: (service) => api.close(service),
        query: (service) => api.queryStatus(service),
        arm: (service) => notify.arm(service),
        wait: (ms) => void notify.waitAlertable(ms),
        take: () => notify.take(),
        now: () => Date.now(),
      },
      { name: data.name, waitMs: data.waitMs, recheck: notify.notifiesDeletion ? null : data.recheck, stopRequested: () => Atomics.load(stop, 0) !== 0 },
      post,
    );
  } finally {
    api.close(scm);
  }
}

try {
  run();
} catch (err) {
  const e = err as Error & Partial<Win32Error>;
  post({ type: 'failed', fn: e.fn ?? '', code: e.code ?? 0, message: e.message });
}
