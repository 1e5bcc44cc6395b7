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
 * Stopping: Task Scheduler ends a task (End, Stop, `<exe> stop`, the end of a time limit) by
 * terminating its process: no signal arrives and onStop handlers do not run. The only graceful
 * paths are the console control events Node turns into signals — Ctrl+C/Ctrl+Break sent to the
 * task's console (SIGINT, SIGBREAK) or the console closing (SIGHUP) — which stop it as `run` does
 * (reason 'stop'). An app that finishes its work and exits ends the task with its exit code,
 * which Task Scheduler records as the last run result.
 */
import { exeConfig } from '../exe-config';
import { captureStdio } from '../log-file';
import { RotatingLogFile } from '../logging/rotating-file';
import { loadKoffi, serviceDataDir } from '../service-host';
import { createSession, logDirIn, type Session } from '../session';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;

export function startTaskMode(): Session {
  const dataDir = serviceDataDir(loadKoffi());
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
  return session;
}
