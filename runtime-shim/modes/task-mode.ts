/**
 * Running as a scheduled task (`<exe> --task`, started by Task Scheduler after
 * `install --as task`): the app runs as under `run`, with the same lifecycle, but without a
 * console — stdout/stderr and `service.log` go to the service's rotating log file
 * (`<data folder>\logs\<Name>.log`, or `--log-dir`) as in service mode — and `service.mode` is
 * `'task'` (`service.isService` is false: no Service Control Manager is involved).
 *
 * The working folder is the task's (its definition's WorkingDirectory, which `install` sets from
 * `--working-dir`); Task Scheduler has already entered it, so nothing is changed here.
 *
 * Stopping: Task Scheduler ends a task (End in its console, Stop-ScheduledTask, schtasks /End)
 * by terminating its process: no signal arrives and onStop handlers do not run. Graceful paths:
 * `<exe> stop` (and uninstall, restart) signals the stop event the control thread creates and
 * polls (platform/windows/task-control-thread.ts; a worker, so it never keeps a finished job alive and sees
 * the request whatever the app's main thread does), and the console control events Node turns
 * into signals — Ctrl+C or Ctrl+Break sent to the task's console (SIGINT, SIGBREAK), the console
 * closing (SIGHUP). Each runs the ordinary stop (reason 'stop': onStop handlers, SIGTERM
 * listeners, the stop timeout), bounded by the control thread's stop deadline; the process and
 * every process it started are in one job object and end together.
 * An app that finishes its work and exits ends the task with its exit code, which Task Scheduler
 * records as the last run result.
 */
import { effectiveSettings } from '../settings/effective-settings';
import { exeConfig } from '../exe-config';
import { captureStdio } from '../logging/log-sink';
import { RotatingLogFile } from '../logging/rotating-file';
import { startControlThread } from '../platform/windows/control-thread-starter';
import { containThisProcess } from '../platform/windows/job-bindings';
import { bindProcessEnd } from '../platform/windows/process-bindings';
import type { ControlThread } from '../platform/windows/service-controller';
import { StatusSlot } from '../platform/windows/status-slot';
import { loadKoffi, serviceDataDir } from '../host/service-host';
import { createSession, logDirIn, type Session } from '../lifecycle/session';
import { endWithTerminate } from '../lifecycle/stop/process-end';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;

export function startTaskMode(): Session {
  const koffi = loadKoffi();
  const dataDir = serviceDataDir(koffi);
  // Shared with the control thread: the stop timeout, and the lock that keeps its log line apart.
  const slot = new StatusSlot();
  const sink = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: exeConfig.logging, exclusive: (write) => slot.withLogLock(write) });
  const stdio = captureStdio(sink);
  let triggeredBy: string | undefined;
  const ownListeners = new Set<(...args: never[]) => unknown>();
  slot.stopTimeoutMs = effectiveSettings().stopTimeoutMs;
  let thread: ControlThread | null = null;
  const session: Session = createSession({
    isService: false,
    mode: 'task',
    dataDir,
    sink,
    report: () => {},
    ownListeners,
    triggeredBy: () => triggeredBy,
    beforeExit: () => stdio.flush(),
    stopping: (timeoutMs, cause) => thread?.post({ type: 'stopping', timeoutMs, cause }),
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (triggeredBy !== undefined) return;
    triggeredBy = signal;
    void session.lifecycle.stop('stop');
  };
  ownListeners.add(onSignal);
  for (const signal of CONSOLE_SIGNALS) process.on(signal, onSignal);
  sink.write('info', 'lifecycle', `started by Task Scheduler in ${process.cwd()}`);
  try {
    containThisProcess(koffi);
  } catch (err) {
    sink.write('warn', 'lifecycle', `no job object for the task's processes (${(err as Error).message}): processes the app starts may outlive it`);
  }
  try {
    thread = startControlThread({ kind: 'task', name: exeConfig.name, koffiSha256: exeConfig.koffiSha256, status: slot.buffer }, (message) => {
      // The lifecycle ignores a second stop; no signal was delivered, so the app's SIGTERM listeners get one.
      if (message.type === 'control' && message.request === 'stop') void session.lifecycle.stop('stop');
      else if (message.type === 'warning' || message.type === 'failed') sink.write('warn', 'lifecycle', message.message);
    });
    thread.post({ type: 'log-file', file: sink.file });
    endWithTerminate(() => bindProcessEnd(koffi).terminateSelf);
  } catch (err) {
    sink.write('warn', 'lifecycle', `no control thread (${(err as Error).message}): "${exeConfig.name}.exe stop" can only end this process, and stops are not bounded`);
  }
  return session;
}
