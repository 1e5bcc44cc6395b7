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
 * `<exe> stop` (and uninstall, restart) signals the stop event this process creates
 * (scm/stop-event-bindings.ts, polled every 250 ms on an unref'ed timer, so it never keeps a
 * finished job alive), and the console control events Node turns into signals — Ctrl+C or
 * Ctrl+Break sent to the task's console (SIGINT, SIGBREAK), the console closing (SIGHUP). Each
 * runs the ordinary stop (reason 'stop': onStop handlers, SIGTERM listeners, the stop timeout).
 * An app that finishes its work and exits ends the task with its exit code, which Task Scheduler
 * records as the last run result.
 */
import { exeConfig } from '../exe-config';
import { captureStdio } from '../log-file';
import { RotatingLogFile } from '../logging/rotating-file';
import { bindStopEvents } from '../scm/stop-event-bindings';
import { loadKoffi, serviceDataDir } from '../service-host';
import { createSession, logDirIn, type Session } from '../session';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;
/** How often the stop event is polled, in ms. */
const STOP_POLL_MS = 250;

export function startTaskMode(): Session {
  const koffi = loadKoffi();
  const dataDir = serviceDataDir(koffi);
  const sink = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: exeConfig.logging });
  const stdio = captureStdio(sink);
  let triggeredBy: string | undefined;
  const ownListeners = new Set<(...args: never[]) => unknown>();
  const session = createSession({
    isService: false,
    mode: 'task',
    dataDir,
    sink,
    report: () => {},
    ownListeners,
    triggeredBy: () => triggeredBy,
    beforeExit: () => stdio.flush(),
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
    const stopEvent = bindStopEvents(koffi).create(exeConfig.name);
    const poll = setInterval(() => {
      if (!stopEvent.signaled()) return;
      clearInterval(poll);
      // The lifecycle ignores a second stop; no signal was delivered, so the app's SIGTERM listeners get one.
      void session.lifecycle.stop('stop');
    }, STOP_POLL_MS).unref();
  } catch (err) {
    sink.write('warn', 'lifecycle', `no stop event (${(err as Error).message}): "${exeConfig.name}.exe stop" can only end this process, not stop it gracefully`);
  }
  return session;
}
