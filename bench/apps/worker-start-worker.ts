/**
 * The worker bench/apps/worker-start.ts starts (`new Worker(new URL('./worker-start-worker.ts',
 * import.meta.url))`): inside a svcpack exe it is an embedded module, bundled on its own and
 * started by svcpack's thread loader. It does nothing but say it is running, so what is timed is
 * the start alone.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage('ready');
