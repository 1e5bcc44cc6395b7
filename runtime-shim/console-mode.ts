/**
 * `<exe> run`: the service lifecycle in a console. Ctrl+C (SIGINT), Ctrl+Break (SIGBREAK) and
 * closing the console (SIGHUP) stop it gracefully; a second Ctrl+C forces the exit.
 */
import { exeConfig } from './exe-config';
import { ConsoleLog } from './log-file';
import { dataDirFor, programData } from './manage/data-dir';
import { createSession, type Session } from './session';

const CONSOLE_SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP'] as const;

export function startConsoleMode(): Session {
  const sink = new ConsoleLog(exeConfig.logging.logLevel);
  let triggeredBy: string | undefined;
  const ownListeners = new Set<(...args: never[]) => unknown>();

  const session = createSession({
    isService: false,
    // The environment's ProgramData: `run` loads no native code, and only Wine's services disagree with it.
    dataDir: dataDirFor(exeConfig.name, programData(null)),
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
  return session;
}
