/**
 * First module of every exe bundle. Decides what this process is (service, `run`, a management
 * command such as `install`, `version`, `help`) before the app's first line runs: the bundle
 * entry imports this module, then the app, then calls `appLoaded()`. ESM evaluates them in that
 * order and this module's top-level await holds the app back until the SCM has called
 * ServiceMain. Management commands exit here, so the app never runs for them.
 *
 * The one place that reads the build's configuration global and picks the platform backend: it
 * builds both once and hands them to the modes (modes/start.ts), which never reach for either.
 */
import { exeConfig } from './exe-config';
import { registerBoot } from './host/load-failure';
import { embeddedManifest } from './embedded/install';
import { shareWorkerWithTree } from './embedded/worker-threads';
import { nodeStyleRun } from './embedded/node-style-run';
import { SERVICE_ARG, TASK_ARG } from './commands/command-line';
import { CHILD_ARG } from './supervise/ipc';
import type { ExeContext } from './exe-context';
import { startExe } from './modes/start';
import { windowsPlatform } from './platform/windows/windows-platform';
import { systemdPlatform } from './platform/systemd/systemd-platform';

// The backend follows the OS the executable runs on (a build makes one executable per target).
const exe: ExeContext = {
  config: exeConfig,
  platform: process.platform === 'linux' ? systemdPlatform({ koffiSha256: exeConfig.koffiSha256 }) : windowsPlatform({ koffiSha256: exeConfig.koffiSha256 }),
};

if (Object.keys(embeddedManifest()?.packages ?? {}).length > 0) shareWorkerWithTree();

/** The exe's own flags: never taken for Node options. */
const EXE_FLAGS = new Set([SERVICE_ARG, TASK_ARG, CHILD_ARG, '--help', '-h', '--version']);

const nodeStyle = nodeStyleRun(process.argv.slice(2), {
  manifest: embeddedManifest(),
  exePath: process.execPath,
  cwd: process.cwd(),
  hasIpc: typeof process.send === 'function',
  exeFlags: EXE_FLAGS,
});
const session = await startExe(exe, { args: process.argv.slice(2), nodeStyle });

registerBoot({ appFailed });

/** The app's entry module has been evaluated. */
export function appLoaded(): void {
  session.appLoaded();
}

/** The app's entry module threw while evaluating. */
export function appFailed(err: unknown): void {
  session.appFailed(err);
}
