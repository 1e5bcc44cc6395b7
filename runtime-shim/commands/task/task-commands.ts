/**
 * The management commands for a name installed as a scheduled task, and the dispatch that sends
 * a command to them or leaves it to the service commands (commands/run.ts):
 * - `install --as task` registers the task (install-task.ts); a plain `install` stays a service's;
 * - `uninstall`, `status`, `start`, `stop`, `restart` look the name up first (installed-kind.ts):
 *   a task is handled here, a service or nothing by the service commands (which also report "not
 *   installed"), both is an error.
 * For a task, `start` runs it now (Task Scheduler's Run); `stop` asks the task's process to stop
 * through its stop event (platform/windows/stop-event-bindings.ts) and waits for it, as a service stop does, and
 * ends it through Task Scheduler (End: the process is terminated, no stop signal) when that
 * process does not stop in time or is not there.
 */
import { runtimeSpec, type RuntimeKey } from '../../settings/runtime-settings';
import type { ManageCommand } from '../command-line';
import { ManageError, requireAdminRights, type ManageContext } from '../context';
import { defaultStopTimeoutMs, POLL_MS } from '../control';
import { imagePathExe } from '../scm-config';
import { describeWorkingDir } from '../../host/working-dir';
import { installTask } from './install-task';
import { explainTask, installedKind, ownTaskOrFail, taskExe } from './installed-kind';
import { SCHED_S_TASK_HAS_NOT_RUN, type StopEvents, type TaskSchedulerApi, type TaskRunInfo } from '../../platform/scheduler-api';
import { readTaskDefinition, type TaskDefinitionView } from './task-xml';
import { formatTrigger } from './trigger';

export interface TaskStatusReport {
  name: string;
  installed: true;
  kind: 'task';
  /** ready, running, disabled, queued, unknown; null when Task Scheduler cannot tell (Wine). */
  state: TaskRunInfo['state'];
  lastRunTime: TaskRunInfo['lastRunTime'];
  lastResult: TaskRunInfo['lastResult'];
  nextRunTime: TaskRunInfo['nextRunTime'];
  /** As read back from Task Scheduler's definition. */
  triggers: string[];
  account: string | null;
  command: string | null;
  arguments: string | null;
  workingDir: string | null;
  executionTimeLimit: string | null;
  restartOnFailure: TaskDefinitionView['restartOnFailure'];
  /** The registered exe's file version, null if it cannot be read. */
  installedVersion: string | null;
  version: string;
  thisExe: boolean;
  dataDir: string;
}

export interface TaskDeps {
  /** Task Scheduler, bound only when a command needs it. */
  tasks(): TaskSchedulerApi;
  /** The graceful stop request (platform/windows/stop-event-bindings.ts). */
  events(): StopEvents;
  /** False only when there is certainly no task of this name (installed-kind.ts taskFileMayExist); absent: always ask. */
  mayExist?(name: string): boolean;
  now?(): Date;
}

/**
 * Runs `command` when it concerns a scheduled task and resolves to its exit code; null when the
 * service commands should handle it.
 */
export async function runTaskCommand(command: ManageCommand, ctx: ManageContext, deps: TaskDeps): Promise<number | null> {
  const tasks = () => deps.tasks();
  const now = () => deps.now?.() ?? new Date();
  const noTask = deps.mayExist !== undefined && !deps.mayExist(ctx.name);
  if (command.kind === 'install') {
    if (!command.task) {
      if (noTask) return null;
      // A service install: refused when the name is already a task (a Task Scheduler that cannot answer does not block it).
      let task: string | null = null;
      try {
        task = tasks().definition(ctx.name);
      } catch {
        task = null;
      }
      if (task !== null) {
        throw new ManageError(
          `${ctx.name} is installed as a scheduled task`,
          `a name is either a service or a scheduled task: run "${ctx.name}.exe uninstall" first, then install`,
        );
      }
      return null;
    }
    const runtimeGiven = Object.keys(command.runtime ?? {});
    if (runtimeGiven.length > 0) {
      throw new ManageError(
        `${runtimeSpec(runtimeGiven[0] as RuntimeKey).flag} does not apply to a scheduled task`,
        'a task runs with the settings built into the exe: leave it out with --as task, or rebuild with it',
        2,
      );
    }
    const result = await installTask(ctx, tasks(), {
      input: command.input,
      force: command.force,
      ...(command.passwordEnv !== undefined ? { passwordEnv: command.passwordEnv } : {}),
      triggers: command.task.triggers,
      now: now(),
    });
    ctx.out(`${ctx.name}: ${result.action} as scheduled task \\${ctx.name}; triggers ${result.triggers.map(formatTrigger).join(', ')}; account ${result.settings.account}`);
    if (result.accountNote) ctx.out(`${ctx.name}: ${result.accountNote}`);
    ctx.out(`${ctx.name}: the app starts in ${describeWorkingDir(result.settings.workingDir, ctx)}`);
    ctx.out(`${ctx.name}: data folder ${ctx.dataDir}; run it now with "${ctx.name}.exe start"`);
    return 0;
  }
  if (noTask) return null;
  const api = tasks();
  const found = installedKind(ctx, api);
  if (found.kind !== 'task') return null;
  switch (command.kind) {
    case 'status': {
      const report = taskStatus(ctx, api, found.xml);
      ctx.out(command.json ? JSON.stringify(report, null, 2) : formatTaskStatus(report));
      return 0;
    }
    case 'uninstall':
      requireAdminRights(ctx, 'uninstall');
      ownTaskOrFail(ctx, found.xml, 'uninstall');
      await endIfRunning(ctx, api, deps.events(), command.timeoutMs ?? defaultStopTimeoutMs(ctx));
      try {
        api.remove(ctx.name);
      } catch (err) {
        explainTask(err, ctx, `deleting scheduled task ${ctx.name}`, 'uninstall');
      }
      ctx.out(`${ctx.name}: removed scheduled task \\${ctx.name}`);
      if (ctx.fs.exists(ctx.dataDir)) {
        if (command.purge) {
          ctx.fs.remove(ctx.dataDir);
          ctx.out(`${ctx.name}: removed ${ctx.dataDir}`);
        } else {
          ctx.out(`${ctx.name}: kept ${ctx.dataDir} (logs, state); "${ctx.name}.exe uninstall --purge" removes it`);
        }
      }
      return 0;
    case 'start':
      requireAdminRights(ctx, 'start');
      runNow(ctx, api);
      return 0;
    case 'stop':
      requireAdminRights(ctx, 'stop');
      await stopTask(ctx, api, deps.events(), command.timeoutMs ?? defaultStopTimeoutMs(ctx));
      return 0;
    case 'restart':
      requireAdminRights(ctx, 'restart');
      await stopTask(ctx, api, deps.events(), command.timeoutMs ?? defaultStopTimeoutMs(ctx));
      runNow(ctx, api);
      return 0;
    default:
      // logs reads the log folder; config and the controls are the service's: they say it is not one.
      return null;
  }
}

/**
 * Stops the task: first asks its process (the stop event its task mode created) and waits up to
 * `timeoutMs` for it to end after its onStop handlers; a process that does not end, or a task
 * that runs no svcpack process, is ended by Task Scheduler (terminated).
 */
async function stopTask(ctx: ManageContext, api: TaskSchedulerApi, events: StopEvents, timeoutMs: number): Promise<void> {
  const t0 = ctx.clock.now();
  if (events.signal(ctx.name)) {
    ctx.out(`${ctx.name}: asked the task's process to stop`);
    while (events.exists(ctx.name)) {
      if (ctx.clock.now() - t0 >= timeoutMs) {
        ctx.out(`${ctx.name}: still running after ${(timeoutMs / 1000).toFixed(1)} s; ending it`);
        endTask(ctx, api);
        return;
      }
      await ctx.clock.sleep(POLL_MS);
    }
    ctx.out(`${ctx.name}: stopped after ${((ctx.clock.now() - t0) / 1000).toFixed(1)} s`);
    return;
  }
  endTask(ctx, api);
}

function runNow(ctx: ManageContext, api: TaskSchedulerApi): void {
  try {
    api.run(ctx.name);
  } catch (err) {
    explainTask(err, ctx, `running scheduled task ${ctx.name}`, 'start');
  }
  ctx.out(`${ctx.name}: scheduled task started (it runs until the app exits or "${ctx.name}.exe stop" ends it)`);
}

function endTask(ctx: ManageContext, api: TaskSchedulerApi): void {
  try {
    api.stop(ctx.name);
  } catch (err) {
    explainTask(err, ctx, `ending scheduled task ${ctx.name}`, 'stop');
  }
  ctx.out(`${ctx.name}: scheduled task ended by Task Scheduler (its process is terminated: onStop handlers do not run)`);
}

/**
 * Stops a running instance before the task is deleted: gracefully when its process runs, else
 * through Task Scheduler when it says the task runs. A Task Scheduler that cannot tell or end
 * (Wine) is not an error here.
 */
async function endIfRunning(ctx: ManageContext, api: TaskSchedulerApi, events: StopEvents, timeoutMs: number): Promise<void> {
  if (events.exists(ctx.name)) {
    try {
      await stopTask(ctx, api, events, timeoutMs);
    } catch (err) {
      if (!(err instanceof ManageError)) throw err;
      ctx.warn(`${ctx.name}: warning: ${err.message}`);
    }
    return;
  }
  let state: TaskRunInfo['state'] = null;
  try {
    state = api.runInfo(ctx.name).state;
  } catch {
    return;
  }
  if (state === 'running') endTask(ctx, api);
}

export function taskStatus(ctx: ManageContext, api: TaskSchedulerApi, xml: string): TaskStatusReport {
  const view = readTaskDefinition(xml);
  let info: TaskRunInfo;
  try {
    info = api.runInfo(ctx.name);
  } catch (err) {
    explainTask(err, ctx, `reading scheduled task ${ctx.name}`, 'status');
  }
  const exe = taskExe(xml);
  return {
    name: ctx.name,
    installed: true,
    kind: 'task',
    ...info,
    triggers: view.triggers,
    account: view.userId,
    command: view.command,
    arguments: view.arguments,
    workingDir: view.workingDirectory,
    executionTimeLimit: view.settings.ExecutionTimeLimit ?? null,
    restartOnFailure: view.restartOnFailure,
    installedVersion: exe === null ? null : ctx.api.fileVersion(exe),
    version: ctx.version,
    thisExe: exe !== null && exe.toLowerCase() === ctx.exePath.toLowerCase(),
    dataDir: ctx.dataDir,
  };
}

/** `0 (success)`, `0x41303 (has not run yet)`, `1`, or `unknown`. */
export function lastResultText(result: number | null): string {
  if (result === null) return 'unknown';
  if (result === 0) return '0 (success)';
  if (result === SCHED_S_TASK_HAS_NOT_RUN) return '0x41303 (has not run yet)';
  return result > 0xffff ? `0x${result.toString(16)}` : String(result);
}

export function formatTaskStatus(r: TaskStatusReport): string {
  const unknown = (v: string | null) => (v === null ? 'unknown (this Task Scheduler does not tell)' : v === '' ? 'never' : v);
  const rows: [string, string][] = [
    ['kind', 'scheduled task'],
    ['state', unknown(r.state)],
    ['triggers', r.triggers.length ? r.triggers.join(', ') : '(none)'],
    ['last run', unknown(r.lastRunTime)],
    ['last result', lastResultText(r.lastResult)],
    ['next run', r.nextRunTime === '' ? 'none scheduled' : unknown(r.nextRunTime)],
    ['account', r.account ?? '(not in the definition)'],
    ['command', [r.command, r.arguments].filter((p) => p).join(' ') || '(not in the definition)'],
    ['working dir', r.workingDir ?? '(not in the definition)'],
    ['time limit', r.executionTimeLimit === 'PT0S' ? 'none (PT0S)' : (r.executionTimeLimit ?? 'default (72 hours)')],
    ['on failure', r.restartOnFailure ? `restart every ${r.restartOnFailure.interval}, up to ${r.restartOnFailure.count} times` : 'no restart'],
    [
      'version',
      `installed ${r.installedVersion ?? 'unknown'}, this exe ${r.version}${r.thisExe || r.command === null ? '' : ` (installed from another file: ${imagePathExe(r.command)})`}`,
    ],
    ['data folder', r.dataDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.name} (scheduled task \\${r.name})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

