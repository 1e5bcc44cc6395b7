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
 * `<exe> stop` (and uninstall, restart) signals the stop the platform's task channel waits for
 * (on Windows an event the control thread creates and polls, platform/windows/task-control-thread.ts;
 * a worker, so it never keeps a finished job alive and sees the request whatever the app's main
 * thread does), and the console control events Node turns
 * into signals — Ctrl+C or Ctrl+Break sent to the task's console (SIGINT, SIGBREAK), the console
 * closing (SIGHUP). Each runs the ordinary stop (reason 'stop': onStop handlers, SIGTERM
 * listeners, the stop timeout), bounded by the control thread's stop deadline; the process and
 * every process it started are in one job object and end together.
 * An app that finishes its work and exits ends the task with its exit code, which Task Scheduler
 * records as the last run result.
 */
import { effectiveSettings } from '../settings/effective-settings';
import { captureStdio } from '../logging/log-sink';
import { RotatingLogFile } from '../logging/rotating-file';
import { serviceDataDir } from '../host/service-host';
import { createSession, logDirIn, type Session } from '../host/session';
import { endWithTerminate } from '../lifecycle/stop/process-end';
import type { ExeContext } from '../exe-context';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;

export function startTaskMode(exe: ExeContext): Session {
  const { config, platform } = exe;
  const dataDir = serviceDataDir(exe);
  // The stop channel holds the stop timeout, and the lock that keeps its log line apart.
  const channel = platform.taskChannel(config.name);
  const sink = new RotatingLogFile({ dir: logDirIn(dataDir), name: config.name, settings: config.logging, exclusive: (write) => channel.exclusiveLogWrite(write) });
  const stdio = captureStdio(sink);
  let triggeredBy: string | undefined;
  const ownListeners = new Set<(...args: never[]) => unknown>();
  channel.setStopTimeout(effectiveSettings().stopTimeoutMs);
  const session: Session = createSession({
    name: config.name,
    isService: false,
    mode: 'task',
    dataDir,
    sink,
    report: () => {},
    ownListeners,
    triggeredBy: () => triggeredBy,
    beforeExit: () => stdio.flush(),
    stopping: (timeoutMs, cause) => channel.stopping(timeoutMs, cause),
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
    platform.containThisProcess();
  } catch (err) {
    sink.write('warn', 'lifecycle', `no job object for the task's processes (${(err as Error).message}): processes the app starts may outlive it`);
  }
  try {
    channel.start({
      // The lifecycle ignores a second stop; no signal was delivered, so the app's SIGTERM listeners get one.
      stop: () => void session.lifecycle.stop('stop'),
      warning: (message) => sink.write('warn', 'lifecycle', message),
    });
    channel.logTo(sink.file);
    endWithTerminate(() => platform.terminateSelf());
  } catch (err) {
    sink.write('warn', 'lifecycle', `no control thread (${(err as Error).message}): "${config.name}.exe stop" can only end this process, and stops are not bounded`);
  }
  return session;
}
