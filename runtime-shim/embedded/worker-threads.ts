/**
 * What `worker_threads` is inside the exe (the build aliases `worker_threads` and
 * `node:worker_threads` to this module; src/bundle/embedded/worker-alias.ts): Node's module with
 * a `Worker` that can start embedded modules. `new Worker(file)` where `file` names an embedded
 * module (module-path.ts) starts an `eval` worker running the thread loader (loaders/thread.ts),
 * which installs the asset reader, `svcpack/runtime`'s host, the embedded files and module hooks,
 * then imports the module at its virtual URL. Everything else — eval code, `data:` URLs, real
 * files on disk — goes to Node's Worker unchanged; a path inside the exe that was not embedded
 * fails like a missing file, with a line that says how to embed it. Options (workerData, env,
 * resourceLimits, stdout…) pass through, and `instanceof Worker` holds.
 */
import { syncBuiltinESMExports } from 'node:module';
import threads from 'node:worker_threads';
import { readAsset } from '../assets';
import { embeddedManifest } from './install';
import { lookupModule } from './module-path';
import { THREAD_LOADER_ASSET, THREAD_START_KEY, type ThreadStart } from './thread-start';
import { forwardThreadLogs, threadHostInfo } from './thread-host';

export * from 'node:worker_threads';

/** The thread loader's source (asset `thread.cjs`), read once. */
let threadLoader: string | undefined;

/** The eval code that starts the embedded module `rel` in a new thread. */
function startCode(start: ThreadStart): string {
  threadLoader ??= new TextDecoder().decode(readAsset(THREAD_LOADER_ASSET));
  return `globalThis[Symbol.for(${JSON.stringify(THREAD_START_KEY)})] = ${JSON.stringify(start)};\n${threadLoader}`;
}

/** Eval code that fails the way a missing worker file does, naming what to do. */
function missingCode(file: string): string {
  const message = `Cannot find module '${file}': it is inside the exe but was not embedded — reference it as new URL('./file', import.meta.url) or path.join(__dirname, 'file') so svcpack finds it, or declare it with --asset`;
  return `const e = new Error(${JSON.stringify(message)}); e.code = 'MODULE_NOT_FOUND'; throw e;`;
}

export class Worker extends threads.Worker {
  constructor(filename: string | URL, options: threads.WorkerOptions = {}) {
    const found = options.eval ? ({ kind: 'outside' } as const) : lookupModule(filename, embeddedManifest(), process.execPath, process.cwd());
    const host = threadHostInfo();
    if (found.kind === 'module') {
      if (host) forwardThreadLogs();
      super(startCode({ entry: found.rel, host }), { ...options, eval: true });
    } else if (found.kind === 'missing') {
      super(missingCode(found.path), { ...options, eval: true });
    } else {
      super(filename, options);
    }
  }
}

export default { ...threads, Worker };

/**
 * Makes this Worker the one that packages loaded from the embedded dependency tree get: they
 * require Node's `worker_threads` (the build's alias reaches only bundled code), and a library
 * that starts a worker on its own file (pino's transports, a pool) names a path inside the exe.
 * Patches Node's module object and syncs its ES module exports; called once, by boot.ts, in an
 * exe that embeds the tree.
 */
export function shareWorkerWithTree(): void {
  (threads as { Worker: unknown }).Worker = Worker;
  syncBuiltinESMExports();
}
