/**
 * What the task commands need from Task Scheduler, in domain terms: the koffi implementation
 * (platform/windows/taskschd-bindings.ts, the Task Scheduler 2.0 COM API ITaskService) in the exe, an
 * in-memory fake in the tests. Tasks live in the root folder under the service's name.
 *
 * Why COM rather than schtasks.exe: a user account's password goes to RegisterTask in memory,
 * never onto a command line other processes can read (schtasks /RP); state, last and next run
 * times come as numbers and dates, not as text in the machine's display language; and the same
 * calls work under Wine 10, whose schtasks.exe knows only /Create /XML, /Delete and /Change.
 */

/** A failed Task Scheduler call: the method and its HRESULT (unsigned). */
export class TaskSchedulerError extends Error {
  constructor(
    readonly fn: string,
    readonly hresult: number,
  ) {
    super(`${fn} failed with HRESULT 0x${hresult.toString(16).padStart(8, '0')}`);
    this.name = 'TaskSchedulerError';
  }
}

/** HRESULTs the commands react to. */
export const E_NOTIMPL = 0x80004001;
export const E_ACCESSDENIED = 0x80070005;
/** HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): no task of that name. */
export const HRESULT_FILE_NOT_FOUND = 0x80070002;
/** SCHED_S_TASK_HAS_NOT_RUN: LastTaskResult of a task that never ran. */
export const SCHED_S_TASK_HAS_NOT_RUN = 0x00041303;
/** SCHED_E_SERVICE_NOT_RUNNING. */
export const SCHED_E_SERVICE_NOT_RUNNING = 0x80041315;
/** HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE): the account or password was refused. */
export const HRESULT_LOGON_FAILURE = 0x8007052e;
/** SCHED_E_MALFORMEDXML / SCHED_E_INVALIDVALUE / SCHED_E_UNEXPECTEDNODE: the definition was refused. */
export const SCHED_E_MALFORMEDXML = 0x8004131a;
export const SCHED_E_INVALIDVALUE = 0x80041318;
export const SCHED_E_UNEXPECTEDNODE = 0x80041319;

/** TASK_STATE (taskschd.h). */
export type TaskState = 'unknown' | 'disabled' | 'queued' | 'ready' | 'running';
export const TASK_STATES: readonly TaskState[] = ['unknown', 'disabled', 'queued', 'ready', 'running'];

/** How the task is registered: the account, and its password when it needs one. */
export interface TaskRegistration {
  /** The user name passed to RegisterTask. */
  user: string;
  /** TASK_LOGON_TYPE. */
  logon: number;
  /** Only for accounts that need one; never logged or printed. */
  password: string | null;
}

/**
 * A registered task's run information. Each field is null when this Task Scheduler cannot tell
 * (Wine 10 implements none of them: E_NOTIMPL).
 */
export interface TaskRunInfo {
  state: TaskState | null;
  /** Local time `YYYY-MM-DDTHH:MM:SS`; '' when it never ran. */
  lastRunTime: string | null;
  /** The last run's exit code or HRESULT (0x41303: has not run yet). */
  lastResult: number | null;
  /** Local time `YYYY-MM-DDTHH:MM:SS`; '' when none is scheduled. */
  nextRunTime: string | null;
}

export interface TaskSchedulerApi {
  /** The registered definition's XML, or null when there is no task `name`. */
  definition(name: string): string | null;
  /** Registers task `name` from `xml`, creating it or replacing an existing one. */
  register(name: string, xml: string, as: TaskRegistration): void;
  /** Deletes task `name`; false when there was none. */
  remove(name: string): boolean;
  /** Run information of task `name` (which must exist). */
  runInfo(name: string): TaskRunInfo;
  /** Starts task `name` now (IRegisteredTask::Run). */
  run(name: string): void;
  /** Ends every running instance of task `name` (IRegisteredTask::Stop: the process is terminated). */
  stop(name: string): void;
}

/**
 * An OLE Automation DATE (days since 1899-12-30, local time, no zone) as `YYYY-MM-DDTHH:MM:SS`;
 * '' for 0 (never).
 */
export function oleDateText(date: number): string {
  if (date === 0) return '';
  const ms = Math.round((date - 25569) * 86_400_000); // 25569: days from 1899-12-30 to 1970-01-01
  return new Date(ms).toISOString().slice(0, 19);
}

/** The graceful stop request of a scheduled task: a named event its own process creates and polls (koffi implementation: windows/stop-event-bindings.ts). */
export interface StopEvents {
  /** Creates the event of task `name` (by its own process); `signaled()` polls it without blocking. */
  create(name: string): { signaled(): boolean };
  /** Signals the event of task `name`; false when there is none (its process does not run). */
  signal(name: string): boolean;
  /** Whether the event of task `name` exists, i.e. its process still runs. */
  exists(name: string): boolean;
}
