/**
 * Whether this exe's name is installed as a service, as a scheduled task, as both or as neither —
 * so `uninstall`, `status`, `start`, `stop` and `restart` act on the right one — and how Task
 * Scheduler failures read. A name that is both is refused with one line: which of the two is
 * meant cannot be guessed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_QUERY_STATUS } from '../../platform/manager-api';
import { explain, ManageError, type ManageContext } from '../context';
import { imagePathExe, isServiceExe } from '../scm-config';
import {
  E_ACCESSDENIED,
  E_NOTIMPL,
  HRESULT_LOGON_FAILURE,
  SCHED_E_INVALIDVALUE,
  SCHED_E_MALFORMEDXML,
  SCHED_E_SERVICE_NOT_RUNNING,
  SCHED_E_UNEXPECTEDNODE,
  TaskSchedulerError,
  type TaskSchedulerApi,
} from '../../platform/scheduler-api';
import { readTaskDefinition } from './task-xml';

export type InstalledKind = { kind: 'service' } | { kind: 'task'; xml: string } | { kind: 'none' };

/**
 * The decision (pure): a service, a task (with its definition), neither; both is a ManageError.
 * `task` is the task's definition or null; `taskError` a failure reading it.
 */
export function decideKind(name: string, service: boolean, task: string | null, taskError: unknown = null): InstalledKind {
  if (service && task !== null) {
    throw new ManageError(
      `${name} is installed both as a service and as a scheduled task`,
      `remove the one you do not want: "sc.exe delete ${name}" or "schtasks /Delete /TN ${name}", then run the command again`,
    );
  }
  if (service) return { kind: 'service' };
  // Task Scheduler failed and there is no service: the task cannot be ruled out.
  if (taskError !== null) throw taskError;
  return task === null ? { kind: 'none' } : { kind: 'task', xml: task };
}

/**
 * False only when Task Scheduler certainly has no task `name`: its definition file
 * `%SystemRoot%\System32\Tasks\<name>` (where Windows since Vista and Wine keep root-folder
 * tasks) does not exist. Anything else — the file is there, or cannot be looked at (a
 * non-administrator may be denied) — means "ask Task Scheduler". Spares every service command the
 * COM round trip (measured under Wine 10: ~0.4 s a command on a loaded machine).
 */
export function taskFileMayExist(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = path.win32.join(env.SystemRoot || env.SYSTEMROOT || 'C:\\Windows', 'System32', 'Tasks', name);
  try {
    fs.statSync(file);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** True when a service of this name is installed. */
export function serviceExists(ctx: ManageContext): boolean {
  let scm: object;
  try {
    scm = ctx.api.openManager(false);
  } catch (err) {
    explain(err, ctx, 'opening the Service Control Manager', 'status');
  }
  try {
    const service = ctx.api.openService(scm, ctx.name, SERVICE_QUERY_STATUS);
    if (service) ctx.api.close(service);
    return service !== null;
  } finally {
    ctx.api.close(scm);
  }
}

/** Looks the name up in both places; see decideKind. */
export function installedKind(ctx: ManageContext, tasks: TaskSchedulerApi): InstalledKind {
  const service = serviceExists(ctx);
  let task: string | null = null;
  let taskError: unknown = null;
  try {
    task = tasks.definition(ctx.name);
  } catch (err) {
    taskError = err;
  }
  try {
    return decideKind(ctx.name, service, task, taskError);
  } catch (err) {
    explainTask(err, ctx, `reading scheduled task ${ctx.name}`, 'status');
  }
}

/** The exe a task definition runs (its Exec Command, unquoted), or null. */
export function taskExe(xml: string): string | null {
  const command = readTaskDefinition(xml).command;
  return command === null ? null : imagePathExe(command);
}

/**
 * Fails when the task's action runs another program than `<Name>.exe` (any folder): another
 * program's task is left alone. A definition without an Exec command (Wine 10 keeps none) names
 * no other program and passes.
 */
export function ownTaskOrFail(ctx: ManageContext, xml: string, command: string): void {
  const exe = taskExe(xml);
  if (exe !== null && !isServiceExe(exe, ctx.name)) {
    throw new ManageError(
      `the scheduled task ${ctx.name} belongs to another program (${exe})`,
      `it was left alone; build with another --name, or remove that task with schtasks /Delete /TN ${ctx.name} if it is really yours (${command} stopped)`,
    );
  }
}

function hresultText(hr: number): string {
  return `0x${hr.toString(16).padStart(8, '0')}`;
}

/** Turns a failed Task Scheduler call into a ManageError; anything else is rethrown as is. */
export function explainTask(err: unknown, ctx: Pick<ManageContext, 'name' | 'logDir'>, doing: string, command: string): never {
  if (!(err instanceof TaskSchedulerError)) explain(err, ctx, doing, command);
  const at = `${err.fn}, HRESULT ${hresultText(err.hresult)}`;
  switch (err.hresult) {
    case E_ACCESSDENIED:
      throw new ManageError(`${doing}: access denied (${at})`, `run "${ctx.name}.exe ${command}" from a command prompt opened with "Run as administrator"`);
    case E_NOTIMPL:
      throw new ManageError(`${doing}: this Task Scheduler does not implement it (${at})`, 'Wine cannot run or end scheduled tasks; on Windows this works');
    case HRESULT_LOGON_FAILURE:
      throw new ManageError(`${doing}: the account or password was refused (${at})`, `check them and run "${ctx.name}.exe install --as task --force --account <account>" again`);
    case SCHED_E_SERVICE_NOT_RUNNING:
      throw new ManageError(`${doing}: the Task Scheduler service is not running (${at})`, 'start the "Task Scheduler" service (Schedule) and try again');
    case SCHED_E_MALFORMEDXML:
    case SCHED_E_INVALIDVALUE:
    case SCHED_E_UNEXPECTEDNODE:
      throw new ManageError(`${doing}: Task Scheduler refused the task definition (${at})`, `report this with the output of "${ctx.name}.exe version"`);
    default:
      throw new ManageError(`${doing} failed (${at})`, `run "${ctx.name}.exe status" and see the log under ${ctx.logDir}`);
  }
}
