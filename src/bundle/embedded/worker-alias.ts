/**
 * Aliases `worker_threads` and `node:worker_threads` in the app and its packages to the shim's
 * runtime-shim/embedded/worker-threads.ts, whose Worker starts embedded modules. The shim's own
 * imports (namespace `svcpack`) keep Node's module.
 */
import type * as Esbuild from 'esbuild';

export const WORKER_THREADS_SHIM = 'runtime-shim/embedded/worker-threads.ts';

export function workerAliasPlugin(): Esbuild.Plugin {
  return {
    name: 'svcpack-worker-alias',
    setup(build) {
      build.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) =>
        args.namespace === 'svcpack' ? undefined : { path: WORKER_THREADS_SHIM, namespace: 'svcpack' },
      );
    },
  };
}
