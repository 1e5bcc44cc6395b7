/**
 * Starts the control thread (loaders/control-thread.ts) in a built exe: an `eval` worker running
 * the script `svcpack build` bundles and bakes into every app bundle as `__SVCPACK_CONTROL_THREAD__`.
 * A service's control thread keeps the process alive, as the SCM connection always did: a service
 * runs until it is stopped (or its app exits), even when the app itself has nothing pending. A
 * task's is unref'ed: the task ends when the app's work is done.
 */
import workerThreads from 'node:worker_threads';
import { holdShimResource } from '../../lifecycle/stop-work';
import type { FromControlThread } from './control-thread-protocol';
import type { StartControlThread } from './service-controller';

declare const __SVCPACK_CONTROL_THREAD__: string | undefined;

export const startControlThread: StartControlThread = (data, onMessage) => {
  const script = typeof __SVCPACK_CONTROL_THREAD__ === 'undefined' ? undefined : __SVCPACK_CONTROL_THREAD__;
  if (script === undefined) throw new Error('this exe has no control thread script (built by an older svcpack?): rebuild it');
  const worker = new workerThreads.Worker(script, { eval: true, workerData: data, name: 'svcpack control' });
  let ended = false;
  worker.on('message', (message: FromControlThread) => onMessage(message));
  worker.on('error', (err) => onMessage({ type: 'failed', message: `the control thread failed: ${err.message}` }));
  worker.on('exit', (code) => {
    ended = true;
    onMessage({ type: 'failed', message: `the control thread ended (exit code ${code}): stops are no longer bounded if the app blocks its main thread` });
  });
  if (data.kind === 'task') worker.unref();
  // The port a ref'ed worker keeps is the shim's, not part of the app's stop work.
  else holdShimResource('MessagePort');
  return {
    post: (message) => {
      if (!ended) worker.postMessage(message);
    },
  };
};
