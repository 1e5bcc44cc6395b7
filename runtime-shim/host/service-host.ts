/**
 * What both service modes (in-process and supervised) set up when the SCM starts the exe, all
 * through the platform (platform/platform.ts): the settings stored with the service, the SCM
 * connection, the data folder, the log (rotating file, plus the Event Log when on), and the
 * working folder the app starts in.
 */
import type { ExeContext } from '../exe-context';
import { teeSink, type LogSink } from '../logging/log-sink';
import { RotatingLogFile } from '../logging/rotating-file';
import type { ConnectResult, ServiceChannel, SystemLogSink } from '../platform/platform';
import { logDirIn } from './session';
import { foreignPath, hostFlavour } from '../settings/path-form';
import { enterServiceWorkingDir } from './working-dir';
import { effectiveSettings, onSettingsChange, setEffectiveSettings } from '../settings/effective-settings';
import { endWithTerminate } from '../lifecycle/stop/process-end';
import { reloadSettings } from '../lifecycle/control-work';
import { installedSettings } from '../settings/installed-settings';
import { runtimeOf, type RuntimeSettings } from '../settings/runtime-settings';

export interface ServiceHost {
  exe: ExeContext;
  /** The connection to the service manager (statuses, controls, the off-thread stop deadline). */
  controller: ServiceChannel;
  /** `%ProgramData%\<Name>`. */
  dataDir: string;
  /** The log file, tee'd to the Event Log when that is on. */
  sink: LogSink;
  /** The log file being written (`<log folder>\<Name>.log`). */
  logFile: string;
  /** The log file itself: a reload applies new settings to it, `rotate` rotates it. */
  file: RotatingLogFile;
  /** The system log (Event Log); null when it is off or could not be opened. */
  eventLog: SystemLogSink | null;
  /**
   * The app's working folder, already entered (process.chdir), or why the start cannot go on (the
   * folder cannot be entered, or the working or log folder is a path of the other platform's
   * form): the mode then fails the start with that one line (service exit code 3) before the app runs.
   */
  workingDir: { folder: string } | { problem: string };
}

/** Problems met loading the stored settings, logged once the log is open. */
let settingsProblems: string[] = [];

/**
 * Makes the settings stored with the service (under its Parameters key) effective over the baked
 * ones. Called by boot before it chooses the service mode (`supervise` may be stored) and again by
 * `reload`; never throws (unreadable or invalid values leave the baked ones, with a problem line).
 * Returns the problem lines.
 */
export function loadStoredSettings(exe: ExeContext): string[] {
  const stored = exe.platform.storedSettings(exe.config.name);
  const result = installedSettings(runtimeOf(exe.config), () => stored.read(), stored.where);
  setEffectiveSettings(result.settings);
  settingsProblems = result.problems;
  return result.problems;
}

/**
 * The service process's part of `reload` (PARAMCHANGE): re-reads the stored settings, logs what
 * changed, applies the log settings to the file (control-work.ts). Returns the new settings.
 */
export function reloadServiceSettings(host: Pick<ServiceHost, 'exe' | 'sink' | 'file' | 'controller'>): RuntimeSettings {
  const settings = reloadSettings({
    load: () => loadStoredSettings(host.exe),
    current: effectiveSettings,
    applyLogging: (logging) => host.file.applySettings(logging),
    sink: host.sink,
  });
  // The log folder may have moved: the control thread's deadline line goes where the log goes.
  host.controller.logTo(host.file.file);
  return settings;
}

/** This service's data folder, as the service and the management commands agree on it (host/data-dir.ts). */
export function serviceDataDir(exe: ExeContext): string {
  return exe.platform.dataDir(exe.config.name, 'system');
}

/** The SCM connection being made: the control thread runs and the dispatcher is being called. */
export interface ServiceConnection {
  exe: ExeContext;
  controller: ServiceChannel;
  /** Settles once ServiceMain has run (or the dispatcher failed: not started by the SCM). */
  connected: Promise<ConnectResult>;
  /** Problems reported before the log is open, and where later ones go. */
  errors: { early: string[]; sink: LogSink | null };
}

/**
 * Starts the control thread, which connects to the SCM (boot calls it first thing, so that the
 * thread boots while the main thread reads the stored settings). Never throws; `connected` rejects
 * when the control thread cannot run.
 */
export function beginServiceConnection(exe: ExeContext): ServiceConnection {
  const { platform } = exe;
  const errors: ServiceConnection['errors'] = { early: [], sink: null };
  const onError = (message: string): void => {
    if (errors.sink) errors.sink.write('error', 'lifecycle', message);
    else errors.early.push(message);
  };
  const controller = platform.serviceChannel(exe.config.name, onError);
  // The stop timeout the control thread's deadline uses: the baked one now, the stored one once loaded, then each reload's.
  controller.setStopTimeout(effectiveSettings().stopTimeoutMs);
  onSettingsChange((next) => controller.setStopTimeout(next.stopTimeoutMs));
  // With the control thread running, Node's own exit would wait for it (and, on Node 26, crash
  // tearing down koffi's callbacks in a worker: exit code 5): end with TerminateProcess once the
  // 'exit' listeners have reported STOPPED (lifecycle/stop/process-end.ts), and the service
  // manager has its answer to the stop request that began it (ServiceChannel.beforeProcessEnd).
  endWithTerminate(() => {
    const terminate = platform.terminateSelf();
    return (exitCode) => {
      controller.beforeProcessEnd?.();
      return terminate(exitCode);
    };
  });
  return { exe, controller, connected: controller.connect(), errors };
}

/**
 * Finishes the SCM connection `connection` began (ServiceMain has run when this resolves; control
 * requests wait for `controller.listen`) and opens the log. `containProcessTree`: put this process
 * into a job object so every process the app starts ends with it (in-process mode; a supervisor
 * keeps the app's tree in a job of its own). Resolves to null when the process was not started by
 * the SCM (error 1063).
 */
export async function connectService(connection: ServiceConnection, opts: { containProcessTree: boolean }): Promise<ServiceHost | null> {
  const { exe, controller, errors } = connection;
  const { config, platform } = exe;
  if ((await connection.connected) === 'not-started-by-scm') return null;
  let jobProblem: string | null = null;
  if (opts.containProcessTree) {
    try {
      platform.containThisProcess();
    } catch (err) {
      jobProblem = `no job object for the service's processes (${(err as Error).message}): processes the app starts may outlive it`;
    }
  }

  const dataDir = serviceDataDir(exe);
  const { logging } = effectiveSettings();
  // A log folder of the other platform's form would be a relative folder name here: the start
  // fails with the reason (below), logged in the data folder's `logs` — the service's own folder,
  // which exists and is writable whatever the unit says (with --log-dir the unit has no
  // LogsDirectory=, and ProtectSystem=strict would refuse to create /var/log/<name>).
  const foreignLogDir = logging.logDir === null ? null : foreignPath('log folder', logging.logDir, hostFlavour(), config.name);
  const file = new RotatingLogFile({
    dir: foreignLogDir ? logDirIn(dataDir, null) : logDirIn(dataDir, logging.logDir, platform.logsDir?.(config.name)),
    name: config.name,
    settings: foreignLogDir ? { ...logging, logDir: null } : logging,
    exclusive: (write) => controller.exclusiveLogWrite(write),
  });
  controller.logTo(file.file);
  const eventLog = logging.eventLog ? platform.systemLog(config.name) : null;
  const sink = eventLog ? teeSink(file, eventLog) : file;
  errors.sink = sink;
  for (const message of errors.early.splice(0)) sink.write('error', 'lifecycle', message);
  for (const problem of settingsProblems) sink.write('warn', 'lifecycle', problem);
  if (jobProblem) sink.write('warn', 'lifecycle', jobProblem);
  if (foreignLogDir) {
    const problem = `${foreignLogDir.message} — ${foreignLogDir.hint}, with "${config.name}${hostFlavour() === 'windows' ? '.exe' : ''} config set log-dir <folder>" (or config reset log-dir for the default)`;
    // Where an admin looks when a start fails (the Event Log, the journal), even with --event-log false.
    if (!eventLog) reportToSystemLog(platform, config.name, problem);
    return { exe, controller, dataDir, sink, logFile: file.file, file, eventLog, workingDir: { problem } };
  }
  const workingDir = serviceWorkingDir(exe, dataDir, sink);
  return { exe, controller, dataDir, sink, logFile: file.file, file, eventLog, workingDir };
}

/** Writes one error line to the system log (Event Log, journal); a log that cannot be opened is left out (the service's own log has the line). */
function reportToSystemLog(platform: ExeContext['platform'], name: string, line: string): void {
  try {
    const log = platform.systemLog(name);
    log?.write('error', 'lifecycle', line);
    log?.close();
  } catch {
    // The line is in the service's log file and in its exit code already.
  }
}

/**
 * Enters the working folder of the installed service: the `WorkingDirectory` value `install`
 * stored with it, else (a service registered by other means, or by an older svcpack) the setting
 * baked into the exe. A stored value is checked as the install flag is.
 */
function serviceWorkingDir(exe: ExeContext, dataDir: string, sink: LogSink): ServiceHost['workingDir'] {
  const { name } = exe.config;
  const store = exe.platform.storedSettings(name);
  const storedAt = store.workingDirWhere;
  let stored: string | null = null;
  try {
    stored = store.workingDir();
  } catch (err) {
    sink.write('warn', 'lifecycle', `could not read the working folder stored with the service (${storedAt}: ${(err as Error).message}); using the exe's own setting`);
  }
  const result = enterServiceWorkingDir({ name, stored, storedAt, baked: exe.config.settings.workingDir, places: { exePath: process.execPath, dataDir } });
  if ('folder' in result) {
    sink.write('debug', 'lifecycle', `working folder ${result.shown}${stored === null ? ", the exe's own setting (none stored with the service)" : ''}`);
  }
  return result;
}
