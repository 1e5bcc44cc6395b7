/**
 * Runs one management command in the exe with the platform's service manager and task scheduler
 * (platform/platform.ts), or hands it to the platform's own unit manager when it has one
 * (`Platform.serviceUnits`: systemd) and the real file system, clock and console; prints errors as one line `<Name>: <what> — <how to fix>`. Resolves to the exit code:
 * 0 done, 1 the operation failed, 2 bad flags or settings.
 */
import fs from 'node:fs';
import type { ManageCommand } from './command-line';
import { SERVICE_ARG } from './command-line';
import type { ExeContext } from '../exe-context';
import { serviceDataDir } from '../host/service-host';
import { logDirIn } from '../host/session';
import { ManageError, type ManageContext } from './context';
import { restartService, startService, stopService } from './control';
import { install } from './install';
import { logs } from './logs';
import { promptSecret } from './prompt';
import { formatStatus, status } from './status';
import { uninstall } from './uninstall';
import { configCommand } from './config';
import { installedRuntime } from './installed';
import { sendControl } from './controls';
import { runtimeOf } from '../settings/runtime-settings';
import { queryLiveStatus } from '../status/status-client';
import { statusPipePath } from '../status/status-pipe';
import { describeWorkingDir } from '../host/working-dir';
import { taskFileMayExist } from './task/installed-kind';
import { runTaskCommand } from './task/task-commands';

/** How long `status` waits for the running service's live figures, ms. */
const LIVE_STATUS_TIMEOUT_MS = 2_000;

export function realContext(exe: ExeContext): ManageContext {
  const { config, platform } = exe;
  const dataDir = serviceDataDir(exe);
  const api = platform.serviceManager();
  const bakedRuntime = runtimeOf(config);
  // Read from the store when first used (the hints of a failure, `logs`): most commands never need it.
  let logDir: string | undefined;
  return {
    api,
    name: config.name,
    exePath: process.execPath,
    serviceArg: SERVICE_ARG,
    version: config.version,
    baked: config.settings,
    bakedRuntime,
    dataDir,
    get logDir() {
      return (logDir ??= logDirIn(dataDir, installedRuntime({ api, name: config.name, bakedRuntime }).settings.logging.logDir));
    },
    env: process.env,
    clock: { now: () => performance.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    out: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    fs: {
      mkdir: (dir) => fs.mkdirSync(dir, { recursive: true }) !== undefined,
      remove: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
      exists: (dir) => fs.existsSync(dir),
    },
    promptSecret,
  };
}

/**
 * Runs `command` for the exe `exe` describes. `makeContext` builds what the commands work with;
 * the default is realContext (tests pass one over fakes).
 */
export async function runManageCommand(command: ManageCommand, exe: ExeContext, makeContext: () => ManageContext = () => realContext(exe)): Promise<number> {
  const { name } = exe.config;
  const { platform } = exe;
  try {
    // A backend that manages services its own way (systemd) takes the command as parsed.
    const units = platform.serviceUnits?.();
    if (units) return await units.run(command, exe.config);
    const ctx = makeContext();
    // A scheduled task (install --as task, or a name installed as one) is handled there.
    const taskExit = await runTaskCommand(command, ctx, {
      tasks: () => platform.taskScheduler(),
      events: () => platform.stopEvents(),
      mayExist: (name) => taskFileMayExist(name),
    });
    if (taskExit !== null) return taskExit;
    switch (command.kind) {
      case 'install': {
        const result = await install(ctx, command);
        ctx.out(`${ctx.name}: ${result.action} (${result.commandLine}); start type ${result.settings.startType}, account ${result.settings.account}`);
        ctx.out(`${ctx.name}: the app starts in ${describeWorkingDir(result.settings.workingDir, ctx)}`);
        ctx.out(`${ctx.name}: data folder ${ctx.dataDir}; start it with "${ctx.name}.exe start"`);
        return 0;
      }
      case 'uninstall':
        await uninstall(ctx, command);
        return 0;
      case 'start':
        await startService(ctx, command.timeoutMs);
        return 0;
      case 'stop':
        await stopService(ctx, command.timeoutMs);
        return 0;
      case 'restart':
        await restartService(ctx, command.timeoutMs);
        return 0;
      case 'config':
        await configCommand(ctx, command);
        return 0;
      case 'reload':
      case 'rotate':
      case 'pause':
      case 'continue':
      case 'control':
        await sendControl(ctx, command);
        return 0;
      case 'status': {
        const report = await status(ctx, () => queryLiveStatus(statusPipePath(ctx.name), { timeoutMs: LIVE_STATUS_TIMEOUT_MS }));
        process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report, ctx.serviceArg));
        return 0;
      }
      case 'logs':
        return await logs(ctx, command);
    }
  } catch (err) {
    if (err instanceof ManageError) {
      process.stderr.write(`${name}: ${err.message} — ${err.hint}\n`);
      return err.exitCode;
    }
    const exeWord = platform.serviceUnits?.().helpWords(exe.config).exe ?? `${name}.exe`;
    process.stderr.write(`${name}: ${command.kind} failed unexpectedly: ${(err as Error).message ?? String(err)} — report this with the output of "${exeWord} version"\n`);
    if (process.env.SVCPACK_DEBUG === '1') process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
