/**
 * First module of every exe bundle. Decides what this process is (service, `run`, a management
 * command such as `install`, `version`, `help`) before the app's first line runs: the bundle
 * entry imports this module, then the app, then calls `appLoaded()`. ESM evaluates them in that
 * order and this module's top-level await holds the app back until the SCM has called
 * ServiceMain. Management commands exit here, so the app never runs for them.
 */
import { helpText, parseExeArgs, versionText, SERVICE_ARG, TASK_ARG, type ExeCommand } from './commands/command-line';
import { startConsoleMode } from './modes/console-mode';
import { exeConfig } from './exe-config';
import { registerBoot } from './host/load-failure';
import { runManageCommand } from './commands/run';
import { startChildMode } from './modes/child-mode';
import { embeddedManifest } from './embedded/install';
import { shareWorkerWithTree } from './embedded/worker-threads';
import { nodeStyleRun } from './embedded/node-style-run';
import { startModuleMode } from './modes/module-mode';
import { CHILD_ARG } from './supervise/ipc';
import { startServiceMode } from './modes/service-mode';
import { beginServiceConnection, loadStoredSettings } from './host/service-host';
import { effectiveSettings } from './settings/effective-settings';
import { startSupervisorMode } from './modes/supervisor-mode';
import { startTaskMode } from './modes/task-mode';
import type { Session } from './lifecycle/session';

let session: Session | null = null;

function exitWith(code: number, text: string, stream: NodeJS.WriteStream = process.stdout): never {
  stream.write(text);
  process.exit(code);
}

if (Object.keys(embeddedManifest()?.packages ?? {}).length > 0) shareWorkerWithTree();

/** The exe's own flags: never taken for Node options. */
const EXE_FLAGS = new Set([SERVICE_ARG, TASK_ARG, CHILD_ARG, '--help', '-h', '--version']);

// A Node-style line (a fork or cluster child, a spawned module) never reaches the exe's commands.
const nodeStyle = nodeStyleRun(process.argv.slice(2), {
  manifest: embeddedManifest(),
  exePath: process.execPath,
  cwd: process.cwd(),
  hasIpc: typeof process.send === 'function',
  exeFlags: EXE_FLAGS,
});
if (nodeStyle?.kind === 'refused') exitWith(2, `${exeConfig.name}: ${nodeStyle.message}\n`, process.stderr);
if (nodeStyle?.kind === 'module') await startModuleMode(nodeStyle.rel, nodeStyle.args);
if (nodeStyle?.kind === 'cluster-worker') {
  // The primary's own arguments follow the exe (cluster.settings.args): a worker is never a service.
  const args = nodeStyle.args[0] === SERVICE_ARG || nodeStyle.args[0] === TASK_ARG || nodeStyle.args[0] === CHILD_ARG ? nodeStyle.args.slice(1) : nodeStyle.args;
  process.argv.splice(2, process.argv.length, ...args);
}
const command: ExeCommand = nodeStyle?.kind === 'cluster-worker' ? { kind: 'run' } : parseExeArgs(process.argv.slice(2));
switch (command.kind) {
  case 'help':
    exitWith(0, helpText(exeConfig));
  case 'version':
    exitWith(0, versionText(exeConfig, process.version));
  case 'usage-error':
    exitWith(2, `${exeConfig.name}: ${command.message} — run "${exeConfig.name}.exe help" for the commands\n`, process.stderr);
  case 'run':
    // A cluster worker keeps the working folder its primary process started it in.
    session = startConsoleMode({ enterWorkingDir: nodeStyle?.kind !== 'cluster-worker' });
    break;
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
    process.exit(await runManageCommand(command));
  case 'service': {
    // The control thread boots and connects to the SCM while the stored settings load: an admin
    // may have changed the mode (`config set supervise true`).
    const connection = beginServiceConnection();
    loadStoredSettings(connection.koffi);
    if (effectiveSettings().supervision.supervise) {
      if ((await startSupervisorMode(connection)).kind === 'not-started-by-scm') notStartedByScm();
      // The supervisor runs the app in a child process, never here: hold the app back for good.
      // The supervisor ends this process itself (process.exit) once the service has stopped.
      await new Promise<never>(() => {});
    }
    const result = await startServiceMode(connection);
    if (result.kind === 'not-started-by-scm') notStartedByScm();
    session = result.session;
    break;
  }
  case 'child':
    session = startChildMode();
    break;
  case 'task':
    session = startTaskMode();
    break;
}

function notStartedByScm(): never {
  exitWith(
    2,
    `${exeConfig.name}: started with ${SERVICE_ARG} but not by the Service Control Manager (error 1063) — ` +
      `use "${exeConfig.name}.exe run" to run it in a console\n`,
    process.stderr,
  );
}

registerBoot({ appFailed });

/** The app's entry module has been evaluated. */
export function appLoaded(): void {
  session?.appLoaded();
}

/** The app's entry module threw while evaluating. */
export function appFailed(err: unknown): void {
  if (session) session.appFailed(err);
  else throw err;
}
