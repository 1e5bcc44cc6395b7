/**
 * The SCM client's backend inside the built exe: koffi (the exe's hash-checked koffi.node), the
 * management bindings (platform/windows/manager-bindings.ts), and watch threads — `eval` workers running the
 * watch-thread script (loaders/watch-thread.ts), which `svcpack build` bundles and bakes into the
 * app bundle as the string `__SVCPACK_WATCH_THREAD__`. Outside such an exe (plain node) there is
 * no koffi.node and no script: `nativeServices` throws ServicesUnavailableError.
 */
import workerThreads from 'node:worker_threads';
import { readAsset } from '../assets';
import { bindManager } from '../platform/windows/manager-bindings';
import { loadNativeModule, type Koffi } from '../addons/native-module';
import type { ServicesBackend } from './client';
import { ServicesUnavailableError } from './errors';
import type { WatchThreadData, WatchThreadMessage } from './watch-protocol';

declare const __SVCPACK_EXE__: { koffiSha256: string } | undefined;
declare const __SVCPACK_WATCH_THREAD__: string | undefined;

/** How long one alertable wait of a watch thread lasts: the most a `close()` waits for the thread to notice. */
const WATCH_WAIT_MS = 200;
/**
 * Where the SCM never reports a deletion (Wine), a watch lets go of its handle once a second for
 * 50 ms: a service uninstalled meanwhile is removed then, and the watch reports it deleted.
 */
const WATCH_RECHECK = { everyMs: 1_000, gapMs: 50 };

let backend: ServicesBackend | null = null;

/** The exe's backend (created on first use); throws ServicesUnavailableError outside a built exe on Windows. */
export function nativeServices(name: string): ServicesBackend {
  if (backend) return backend;
  const koffiSha256 = typeof __SVCPACK_EXE__ === 'undefined' ? undefined : __SVCPACK_EXE__.koffiSha256;
  const script = typeof __SVCPACK_WATCH_THREAD__ === 'undefined' ? undefined : __SVCPACK_WATCH_THREAD__;
  if (process.platform !== 'win32' || koffiSha256 === undefined || script === undefined) throw new ServicesUnavailableError(name);
  const koffi = loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), koffiSha256);
  const api = bindManager(koffi);
  backend = { api, watch: (service, onMessage) => startWatchThread(script, { name: service, koffiSha256, stop: new SharedArrayBuffer(4), waitMs: WATCH_WAIT_MS, recheck: WATCH_RECHECK }, onMessage) };
  return backend;
}

function startWatchThread(script: string, data: WatchThreadData, onMessage: (message: WatchThreadMessage) => void): { close(): Promise<void> } {
  const worker = new workerThreads.Worker(script, { eval: true, workerData: data });
  // Closed, or the thread posted why it ends (deleted, failed).
  let over = false;
  const ended = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      // A thread that ended without saying why (it crashed) is a failed watch too.
      if (!over) onMessage({ type: 'failed', fn: '', code: 0, message: `the watch thread ended (exit code ${code})` });
      resolve();
    }),
  );
  worker.on('message', (message: WatchThreadMessage) => {
    if (message.type !== 'status') over = true;
    onMessage(message);
  });
  worker.on('error', (err) => {
    over = true;
    onMessage({ type: 'failed', fn: '', code: 0, message: err.message });
  });
  return {
    close() {
      over = true;
      Atomics.store(new Int32Array(data.stop), 0, 1);
      return ended;
    },
  };
}
