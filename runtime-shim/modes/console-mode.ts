/**
 * `<exe> run`: the service lifecycle in a console. Ctrl+C (SIGINT), Ctrl+Break (SIGBREAK) and
 * closing the console (SIGHUP) stop it gracefully; a second Ctrl+C forces the exit. The app starts
 * in the working folder baked into the exe (`workingDir`; the installed service's own setting is
 * not consulted; the data folder is created if missing); a folder that cannot be entered ends
 * `run` before the app runs, with one line on stderr and exit code 1.
 */
import { ConsoleLog } from '../logging/log-sink';
import { createSession, type Session } from '../host/session';
import { endWithTerminate } from '../lifecycle/stop/process-end';
import { enterWorkingDirSetting, runFixHint } from '../host/working-dir';
import type { ExeContext } from '../exe-context';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;

export interface ConsoleModeOptions {
  /**
   * Enter the baked working folder first (`run`). A cluster worker also runs in console mode but
   * keeps the folder its primary gave it, which may be the installed service's own setting.
   */
  enterWorkingDir: boolean;
}

export function startConsoleMode(exe: ExeContext, opts: ConsoleModeOptions = { enterWorkingDir: true }): Session {
  const { config, platform } = exe;
  // The environment's ProgramData: `run` loads no native code, and only Wine's services disagree with it.
  const dataDir = platform.dataDir(config.name, 'environment');
  if (opts.enterWorkingDir) {
    const problem = enterWorkingDirSetting(config.settings.workingDir, { exePath: process.execPath, dataDir });
    if (problem) {
      process.stderr.write(`${config.name}: ${problem.message} — ${runFixHint(problem)}\n`);
      process.exit(1);
    }
  }
  const sink = new ConsoleLog(config.logging.logLevel);
  let triggeredBy: string | undefined;
  const ownListeners = new Set<(...args: never[]) => unknown>();

  const session = createSession({
    name: config.name,
    isService: false,
    mode: 'console',
    dataDir,
    sink,
    report: () => {},
    ownListeners,
    triggeredBy: () => triggeredBy,
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (triggeredBy !== undefined) {
      sink.write('warn', 'lifecycle', `${signal} again: forcing exit`);
      process.exit(130);
    }
    triggeredBy = signal;
    void session.lifecycle.stop('console');
  };
  ownListeners.add(onSignal);
  for (const signal of CONSOLE_SIGNALS) process.on(signal, onSignal);
  // A worker stuck in a native call would keep Node's own exit (even the second Ctrl+C's) waiting.
  endWithTerminate(() => platform.terminateSelf());
  return session;
}
