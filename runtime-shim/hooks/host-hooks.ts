/**
 * The service's hooks in a running service (both modes): ServiceHooks over the effective settings,
 * each command run by runHook with the service's name and data folder, its output in the service
 * log, and its process tree in a job object of its own (ended as a whole on timeout).
 */
import { effectiveSettings } from '../settings/effective-settings';
import { exeConfig } from '../exe-config';
import type { LogSink } from '../logging/log-sink';
import { createProcessJob } from '../platform/windows/job-bindings';
import type { Koffi } from '../addons/native-module';
import { runHook } from './run-hook';
import { serviceHooks, type ServiceHooks } from './service-hooks';

export function serviceHooksFor(opts: { koffi: Koffi; sink: LogSink; dataDir: string; log(level: 'info' | 'warn' | 'error', message: string): void }): ServiceHooks {
  return serviceHooks({
    settings: () => effectiveSettings().operation.hooks,
    log: opts.log,
    exec: (command, hook, timeoutMs, ctx) =>
      runHook({
        command,
        timeoutMs,
        sink: opts.sink,
        vars: { service: exeConfig.name, hook, dataDir: opts.dataDir, pid: ctx.pid, exitCode: ctx.exitCode, ...(ctx.reason ? { stopReason: ctx.reason } : {}) },
        ...(ctx.until ? { until: ctx.until } : {}),
        createJob: () => createProcessJob(opts.koffi),
      }),
  });
}
