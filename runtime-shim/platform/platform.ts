/**
 * The platform seam: everything the platform-neutral core (modes/, host/, lifecycle/, settings/,
 * logging/, status/, supervise/, hooks/, commands/) needs from the operating system, in the
 * core's own terms. One backend implements it per platform — Windows today
 * (platform/windows/windows-platform.ts: SCM, registry, Event Log, job objects, Task Scheduler, all
 * through koffi) — and boot.ts builds it once and hands it to the modes and the management
 * commands with the exe's configuration (exe-context.ts). The core never imports a backend
 * (test/runtime-shim/platform/import-graph.test.ts checks it), so a second backend is new files
 * under platform/, not edits across the tree; unit tests run every mode on Linux against a fake
 * (test/runtime-shim/platform/fake-platform.ts).
 *
 * Methods load native code only when called, and only what they need: `run` and the supervised
 * child load none unless the process ends through `terminateSelf`.
 */
import type { Lifecycle, ServiceStatus } from '../lifecycle/lifecycle';
import type { LogSink } from '../logging/log-sink';
import type { RuntimeKey } from '../settings/runtime-settings';
import type { ScmApi } from './manager-api';
import type { StopEvents, TaskSchedulerApi } from './scheduler-api';
import type { ServiceUnitManager } from './unit-manager-api';

/** How connecting to the service manager ended: this process is the service, or nobody started it as one. */
export type ConnectResult = 'service' | 'not-started-by-scm';

/** Where control requests go on the main thread: the lifecycle (Lifecycle.control / refused). */
export type ControlListener = Pick<Lifecycle, 'control' | 'refused'>;

/**
 * This process's connection to the service manager, as a service (in-process and supervised
 * modes). The backend runs it off the main thread (Windows: the control thread, which calls the
 * dispatcher and owns HandlerEx and the stop deadline), so stops stay bounded while the app blocks
 * its main thread. Nothing throws after `connect`: problems go to the `onError` it was made with.
 */
export interface ServiceChannel {
  /**
   * Hands the process to the service manager. Resolves 'service' once it has taken the service
   * (START_PENDING is reported; control requests wait for `listen`), 'not-started-by-scm' when the
   * process was not started as a service. Rejects when the connection cannot be made at all.
   */
  connect(): Promise<ConnectResult>;
  /** Delivers control requests to `listener` from now on, those that arrived earlier first. */
  listen(listener: ControlListener): void;
  /** Reports a lifecycle status to the service manager (dropped after STOPPED). Never throws. */
  report(status: ServiceStatus): void;
  /** A stop began on the main thread (any cause): arm the off-thread deadline of `timeoutMs`. */
  stopping(timeoutMs: number, cause: string): void;
  /** The stop timeout the off-thread deadline uses when the service manager asks for a stop, ms. */
  setStopTimeout(ms: number): void;
  /** The log file the off-thread deadline writes its line to. */
  logTo(file: string): void;
  /** Runs one write to that log exclusively against the off-thread writer (RotatingLogFile's `exclusive`). */
  exclusiveLogWrite(write: () => void): void;
  /**
   * Called as the process ends, after STOPPED is reported: returns once the service manager has
   * had the answer to every control request the process was answering (bounded: at most a
   * quarter second). Absent: controls need no answer back (systemd's are signals).
   */
  beforeProcessEnd?(): void;
  /**
   * The listeners the channel put on `process` for signals (a backend whose controls are signals:
   * systemd's SIGTERM and SIGHUP). They are the shim's, not the app's: the stop work must not
   * count or call them as the app's. Absent: the channel listens for no signal.
   */
  readonly signalListeners?: ReadonlySet<(...args: never[]) => unknown>;
  /**
   * The signal that began the current stop (`SIGTERM`), which Node has then already delivered to
   * the app's own listeners; undefined when the stop began otherwise. Absent: never a signal.
   */
  stopSignal?(): string | undefined;
  /**
   * Where this service answers its live status (status/status-server.ts) when the service manager
   * gave it a place of its own (systemd: a Unix socket in the unit's RuntimeDirectory=). Absent:
   * the status pipe `statusPipePath(name)` (Windows' named pipe).
   */
  readonly statusPath?: string;
}

/**
 * A scheduled task's stop channel (task mode): off the main thread, it waits for the graceful
 * stop request `<exe> stop` sends and holds the stop deadline.
 */
export interface TaskChannel {
  /** Runs one write to the log exclusively against the off-thread writer. */
  exclusiveLogWrite(write: () => void): void;
  /** The stop timeout the deadline uses, ms. */
  setStopTimeout(ms: number): void;
  /**
   * Starts waiting: `stop` is called when a stop is requested, `warning` with problems to log.
   * Throws when the channel cannot run (then stops are not bounded).
   */
  start(events: { stop(): void; warning(message: string): void }): void;
  /** A stop began on the main thread: arm the deadline of `timeoutMs`. */
  stopping(timeoutMs: number, cause: string): void;
  /** The log file the deadline writes its line to. */
  logTo(file: string): void;
}

/** A group of processes ended as one (Windows: a job object, KILL_ON_JOB_CLOSE). */
export interface ProcessJob {
  /** Puts a running process (by pid) into the job; its future children join automatically. */
  add(pid: number): void;
  /** Ends every process in the job with `exitCode`. */
  terminate(exitCode: number): void;
}

/** The system's log (Windows: the Event Log, Application log, source = the service name). */
export interface SystemLogSink extends LogSink {
  /** Releases the log; later writes are ignored. Idempotent. */
  close(): void;
}

/**
 * The settings an admin stored with the installed service (`config set`, `install` flags), read
 * by the service itself (Windows: values under the service's Parameters registry key).
 */
export interface StoredSettings {
  /** Where the runtime settings are stored, for messages (`HKLM\SYSTEM\…\MySvc\Parameters`). */
  readonly where: string;
  /** The stored runtime settings: key → its flag's text. Throws when the store cannot be read. */
  read(): Partial<Record<RuntimeKey, string>>;
  /** Where the working folder is stored, for messages. */
  readonly workingDirWhere: string;
  /** The stored `workingDir` setting as given; null when there is none. Throws when unreadable. */
  workingDir(): string | null;
}

export interface Platform {
  /**
   * The data folder of service `name` (Windows: `%ProgramData%\<Name>`). 'system' asks the OS
   * where the machine keeps programs' data (service, task and management processes: they must
   * agree); 'environment' only reads this process's environment and loads no native code.
   */
  dataDir(name: string, ask: 'system' | 'environment'): string;
  /**
   * The default folder of service `name`'s log files where the platform has one of its own
   * (systemd: the unit's LogsDirectory=, `/var/log/<name>`); absent: `<data folder>\logs`.
   */
  logsDir?(name: string): string;
  /** The connection to the service manager for service `name`; `onError` receives problems for the log. */
  serviceChannel(name: string, onError: (message: string) => void): ServiceChannel;
  /** The stop channel of scheduled task `name`. */
  taskChannel(name: string): TaskChannel;
  /** The settings stored with installed service `name`. */
  storedSettings(name: string): StoredSettings;
  /** The system log as a sink for service `name`; null when it cannot be used. Never throws. */
  systemLog(name: string): SystemLogSink | null;
  /**
   * Puts this process into a job of its own (once): every process it starts from now on ends with
   * it, however it ends. Throws when that is not possible.
   */
  containThisProcess(): void;
  /** A new, empty process job. Throws when one cannot be made. */
  createProcessJob(): ProcessJob;
  /**
   * How to end this process at once, from any state (Node's own exit can hang on a worker stuck in
   * native code). Asked only when the process ends; throws when unavailable (Node's exit then runs).
   */
  terminateSelf(): (exitCode: number) => never;
  /** The service manager as the management commands use it (install, start, config, …). */
  serviceManager(): ScmApi;
  /**
   * A backend that manages services its own way (systemd: unit files, the drop-in, systemctl and
   * journalctl) rather than through `serviceManager()`'s SCM-shaped contract. When present,
   * commands/run.ts hands it every management command after parsing, and `serviceManager()`,
   * `taskScheduler()` and `stopEvents()` are never asked; the `--service` line of a process it did
   * not start comes from it too. Absent (Windows): the commands in commands/ run over ScmApi.
   */
  serviceUnits?(): ServiceUnitManager;
  /** The task scheduler (`install --as task` and the commands on a task). */
  taskScheduler(): TaskSchedulerApi;
  /** The graceful stop requests of scheduled tasks (`<exe> stop` on a task). */
  stopEvents(): StopEvents;
}
