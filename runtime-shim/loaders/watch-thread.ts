/**
 * The watch thread: an `eval` worker (services/native-services.ts starts it with this script,
 * bundled at build time) that watches one service with NotifyServiceStatusChangeW. The SCM delivers
 * each notification as an APC to the registering thread, so this thread registers it and then
 * waits alertably (SleepEx) in a loop, reading the notification after each wait, re-arming after
 * each one and checking the stop flag between waits. It loads koffi from the file the main thread already wrote (hash-checked
 * again here), posts the service's status once at the start and then at each change, and posts
 * 'failed' and ends when a call fails or the service is deleted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bindManager } from '../scm/manager-bindings';
import { ERROR_SERVICE_MARKED_FOR_DELETE, SERVICE_QUERY_STATUS, Win32Error, type ScHandle } from '../scm/manager-api';
import { loadNativeModule, type Koffi } from '../scm/native-module';
import { bindServiceNotify } from '../scm/notify-bindings';
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
  let service: ScHandle | null = null;
  try {
    service = api.openService(scm, data.name, SERVICE_QUERY_STATUS);
    if (!service) throw new Win32Error('OpenServiceW', 1060);
    post({ type: 'status', status: api.queryStatus(service) });
    notify.arm(service);
    while (Atomics.load(stop, 0) === 0) {
      notify.waitAlertable(data.waitMs);
      const n = notify.take();
      if (!n) continue;
      if (n.notificationStatus === ERROR_SERVICE_MARKED_FOR_DELETE) throw new Win32Error('NotifyServiceStatusChangeW', n.notificationStatus);
      post({ type: 'status', status: n.status });
      notify.arm(service);
    }
  } finally {
    if (service) api.close(service);
    api.close(scm);
  }
}

try {
  run();
} catch (err) {
  const e = err as Error & Partial<Win32Error>;
  post({ type: 'failed', fn: e.fn ?? '', code: e.code ?? 0, message: e.message });
}
