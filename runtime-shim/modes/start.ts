/**
 * boot.ts's decision, made with the exe's configuration and platform it was given: what this
 * process is (service, supervisor, supervised child, task, `run`, an embedded module, a management
 * command such as `install`, `version`, `help`) and starting it. Management commands and usage
 * errors end the process here (process.exit), so the app never runs for them; so do the modes
 * that hold the app back for good (module mode, the supervisor) by never settling.
 */
import { helpText, parseExeArgs, versionText, windowsHelpWords, SERVICE_ARG, TASK_ARG, type ExeCommand } from '../commands/command-line';
import { runManageCommand } from '../commands/run';
import type { NodeStyleRun } from '../embedded/node-style-run';
import { beginServiceConnection, loadStoredSettings } from '../host/service-host';
import type { Session } from '../host/session';
import { effectiveSettings, setBakedSettings } from '../settings/effective-settings';
import { runtimeOf } from '../settings/runtime-settings';
import { CHILD_ARG } from '../supervise/ipc';
import { startChildMode } from './child-mode';
import { startConsoleMode } from './console-mode';
import type { ExeContext } from '../exe-context';
import { startModuleMode } from './module-mode';
import { startServiceMode } from './service-mode';
import { startSupervisorMode } from './supervisor-mode';
import { startTaskMode } from './task-mode';

export interface StartInput {
  /** The exe's own arguments (`process.argv.slice(2)` in a SEA). */
  args: readonly string[];
  /** The line read in Node's shape (embedded/node-style-run.ts); null when it is not one. */
  nodeStyle: NodeStyleRun | null;
}

function exitWith(code: number, text: string, stream: NodeJS.WriteStream = process.stdout): never {
  stream.write(text);
  process.exit(code);
}

/**
 * Starts what the command line asks for. Resolves to the session of the app about to load (the
 * caller reports the entry module's outcome to it); never resolves for the rest (see above).
 */
export async function startExe(exe: ExeContext, input: StartInput): Promise<Session> {
  const { config } = exe;
  setBakedSettings(runtimeOf(config));
  const { nodeStyle } = input;
  // A Node-style line (a fork or cluster child, a spawned module) never reaches the exe's commands.
  if (nodeStyle?.kind === 'refused') exitWith(2, `${config.name}: ${nodeStyle.message}\n`, process.stderr);
  if (nodeStyle?.kind === 'module') await startModuleMode(exe, nodeStyle.rel, nodeStyle.args);
  if (nodeStyle?.kind === 'cluster-worker') {
    // The primary's own arguments follow the exe (cluster.settings.args): a worker is never a service.
    const args = nodeStyle.args[0] === SERVICE_ARG || nodeStyle.args[0] === TASK_ARG || nodeStyle.args[0] === CHILD_ARG ? nodeStyle.args.slice(1) : nodeStyle.args;
    process.argv.splice(2, process.argv.length, ...args);
  }
  const command: ExeCommand = nodeStyle?.kind === 'cluster-worker' ? { kind: 'run' } : parseExeArgs([...input.args]);
  // A backend that manages services its own way (systemd) has its own words for help and usage lines.
  const words = () => exe.platform.serviceUnits?.().helpWords(config) ?? windowsHelpWords(config);
  switch (command.kind) {
    case 'help':
      exitWith(0, helpText(config, words()));
    case 'version':
      exitWith(0, versionText(config, process.version));
    case 'usage-error':
      exitWith(2, `${config.name}: ${command.message} — run "${words().exe} help" for the commands\n`, process.stderr);
    case 'run':
      // A cluster worker keeps the working folder its primary process started it in.
      return startConsoleMode(exe, { enterWorkingDir: nodeStyle?.kind !== 'cluster-worker' });
    case 'install':
    case 'uninstall':
    case 'start':
    case 'stop':
    case 'restart':
    case 'status':
    case 'config':
    case 'logs':
    case 'reload':
    case 'rotate':
    case 'pause':
    case 'continue':
    case 'control':
      process.exit(await runManageCommand(command, exe));
    case 'service': {
      // The control thread boots and connects to the SCM while the stored settings load: an admin
      // may have changed the mode (`config set supervise true`).
      const connection = beginServiceConnection(exe);
      loadStoredSettings(exe);
      if (effectiveSettings().supervision.supervise) {
        if ((await startSupervisorMode(exe, connection)).kind === 'not-started-by-scm') notStartedByScm(exe);
        // The supervisor runs the app in a child process, never here: hold the app back for good.
        // The supervisor ends this process itself (process.exit) once the service has stopped.
        return new Promise<never>(() => {});
      }
      const result = await startServiceMode(exe, connection);
      if (result.kind === 'not-started-by-scm') notStartedByScm(exe);
      return result.session;
    }
    case 'child':
      return startChildMode(exe);
    case 'task':
      return startTaskMode(exe);
  }
}

/** `--service` in a process the service manager did not start: the platform's own line when it has one (systemd), else the SCM's. */
function notStartedByScm({ config, platform }: ExeContext): never {
  const units = platform.serviceUnits?.();
  const line = units
    ? units.notStartedByManager(config.name, SERVICE_ARG)
    : `started with ${SERVICE_ARG} but not by the Service Control Manager (error 1063) — use "${config.name}.exe run" to run it in a console`;
  exitWith(2, `${config.name}: ${line}\n`, process.stderr);
}
