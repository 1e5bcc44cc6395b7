/**
 * The service's hooks in a running service (both modes): ServiceHooks over the effective settings,
 * each command run by runHook with the service's name and data folder, its output in the service
 * log, and its process tree in a job object of its own (ended as a whole on timeout).
 */
import { effectiveSettings } from '../settings/effective-settings';
import type { LogSink } from '../logging/log-sink';
import type { ProcessJob } from '../platform/platform';
import { runHook } from './run-hook';
import { serviceHooks, type ServiceHooks } from './service-hooks';

export interface HostHooksOptions {
  /** The service's name (`%SVCPACK_SERVICE%` in a hook). */
  name: string;
  sink: LogSink;
  dataDir: string;
  /** A new job for one hook command's process tree (the platform's). */
  createJob(): ProcessJob;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export function serviceHooksFor(opts: HostHooksOptions): ServiceHooks {
  return serviceHooks({
    settings: () => effectiveSettings().operation.hooks,
    log: opts.log,
    exec: (command, hook, timeoutMs, ctx) =>
      runHook({
        command,
        timeoutMs,
        sink: opts.sink,
        vars: { service: opts.name, hook, dataDir: opts.dataDir, pid: ctx.pid, exitCode: ctx.exitCode, ...(ctx.reason ? { stopReason: ctx.reason } : {}) },
        ...(ctx.until ? { until: ctx.until } : {}),
        createJob: opts.createJob,
      }),
  });
}
