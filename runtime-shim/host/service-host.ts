/**
 * What both service modes (in-process and supervised) set up when the SCM starts the exe: koffi,
 * the settings stored with the service, the SCM connection, the data folder, the log (rotating
 * file, plus the Event Log when on), and the working folder the app starts in.
 */
import { readAsset } from '../assets';
import { exeConfig } from '../exe-config';
import { teeSink, type LogSink } from '../logging/log-sink';
import { createEventLogSink, type EventLogSink } from '../logging/event-log-sink';
import { RotatingLogFile } from '../logging/rotating-file';
import { dataDirFor, programData } from '../commands/data-dir';
import { bindAdvapi32 } from '../scm/advapi32';
import { programDataFolder } from '../scm/manager-bindings';
import { loadNativeModule, type Koffi } from '../scm/native-module';
import { bindLocalMachineRegistry } from '../scm/registry-bindings';
import { ServiceController, type ConnectResult } from '../scm/service-controller';
import { containThisProcess } from '../scm/job-bindings';
import { bindServiceParameters, serviceParametersKey, WORKING_DIR_VALUE } from '../scm/service-parameters';
import { logDirIn } from '../lifecycle/session';
import { enterServiceWorkingDir } from './working-dir';
import { bakedSettings, effectiveSettings, onSettingsChange, setEffectiveSettings } from '../settings/effective-settings';
import { startControlThread } from '../scm/control-thread-starter';
import { bindProcessEnd } from '../scm/process-bindings';
import { endWithTerminate } from '../lifecycle/stop/process-end';
import { reloadSettings } from '../lifecycle/control-work';
import { installedSettings } from '../settings/installed-settings';
import type { RuntimeSettings } from '../settings/runtime-settings';

export interface ServiceHost {
  koffi: Koffi;
  controller: ServiceController;
  /** `%ProgramData%\<Name>`. */
  dataDir: string;
  /** The log file, tee'd to the Event Log when that is on. */
  sink: LogSink;
  /** The log file being written (`<log folder>\<Name>.log`). */
  logFile: string;
  /** The log file itself: a reload applies new settings to it, `rotate` rotates it. */
  file: RotatingLogFile;
  /** null when the Event Log is off or its source could not be opened. */
  eventLog: EventLogSink | null;
  /**
   * The app's working folder, already entered (process.chdir), or why it could not be: the mode
   * then fails the start with that one line (service exit code 3) before the app runs.
   */
  workingDir: { folder: string } | { problem: string };
}

let koffiModule: Koffi | null = null;

/** Loads koffi's native module from the exe (hash-checked; see scm/native-module.ts), once per process. */
export function loadKoffi(): Koffi {
  koffiModule ??= loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), exeConfig.koffiSha256);
  return koffiModule;
}

/** Problems met loading the stored settings, logged once the log is open. */
let settingsProblems: string[] = [];

/**
 * Makes the settings stored with the service (under its Parameters key) effective over the baked
 * ones. Called by boot before it chooses the service mode (`supervise` may be stored) and again by
 * `reload`; never throws (unreadable or invalid values leave the baked ones, with a problem line).
 * Returns the problem lines.
 */
export function loadStoredSettings(koffi: Koffi): string[] {
  const { name } = exeConfig;
  const result = installedSettings(bakedSettings(), name, (n) => bindServiceParameters(bindLocalMachineRegistry(koffi)).getStoredSettings(n));
  setEffectiveSettings(result.settings);
  settingsProblems = result.problems;
  return result.problems;
}

/**
 * The service process's part of `reload` (PARAMCHANGE): re-reads the stored settings, logs what
 * changed, applies the log settings to the file (control-work.ts). Returns the new settings.
 */
export function reloadServiceSettings(host: Pick<ServiceHost, 'koffi' | 'sink' | 'file' | 'controller'>): RuntimeSettings {
  const settings = reloadSettings({
    load: () => loadStoredSettings(host.koffi),
    current: effectiveSettings,
    applyLogging: (logging) => host.file.applySettings(logging),
    sink: host.sink,
  });
  // The log folder may have moved: the control thread's deadline line goes where the log goes.
  host.controller.logTo(host.file.file);
  return settings;
}

/** This service's data folder, ProgramData taken from the known-folder API (see host/data-dir.ts). */
export function serviceDataDir(koffi: Koffi): string {
  return dataDirFor(exeConfig.name, programData(() => programDataFolder(koffi)));
}

/** The SCM connection being made: the control thread runs and the dispatcher is being called. */
export interface ServiceConnection {
  koffi: Koffi;
  controller: ServiceController;
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
export function beginServiceConnection(): ServiceConnection {
  const koffi = loadKoffi();
  const errors: ServiceConnection['errors'] = { early: [], sink: null };
  const onError = (message: string): void => {
    if (errors.sink) errors.sink.write('error', 'lifecycle', message);
    else errors.early.push(message);
  };
  const controller = new ServiceController(bindAdvapi32(koffi), exeConfig.name, onError, startControlThread, { koffiSha256: exeConfig.koffiSha256 });
  // The stop timeout the control thread's deadline uses: the baked one now, the stored one once loaded, then each reload's.
  controller.setStopTimeout(effectiveSettings().stopTimeoutMs);
  onSettingsChange((next) => controller.setStopTimeout(next.stopTimeoutMs));
  // With the control thread running, Node's own exit would wait for it (and, on Node 26, crash
  // tearing down koffi's callbacks in a worker: exit code 5): end with TerminateProcess once the
  // 'exit' listeners have reported STOPPED (lifecycle/stop/process-end.ts).
  endWithTerminate(() => bindProcessEnd(koffi).terminateSelf);
  return { koffi, controller, connected: controller.connect(), errors };
}

/**
 * Finishes the SCM connection `connection` began (ServiceMain has run when this resolves; control
 * requests wait for `controller.listen`) and opens the log. `containProcessTree`: put this process
 * into a job object so every process the app starts ends with it (in-process mode; a supervisor
 * keeps the app's tree in a job of its own). Resolves to null when the process was not started by
 * the SCM (error 1063).
 */
export async function connectService(connection: ServiceConnection, opts: { containProcessTree: boolean }): Promise<ServiceHost | null> {
  const { koffi, controller, errors } = connection;
  if ((await connection.connected) === 'not-started-by-scm') return null;
  let jobProblem: string | null = null;
  if (opts.containProcessTree) {
    try {
      containThisProcess(koffi);
    } catch (err) {
      jobProblem = `no job object for the service's processes (${(err as Error).message}): processes the app starts may outlive it`;
    }
  }

  const dataDir = serviceDataDir(koffi);
  const { logging } = effectiveSettings();
  const file = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: logging, exclusive: controller.exclusiveLogWrite });
  controller.logTo(file.file);
  const eventLog = logging.eventLog ? createEventLogSink(koffi, exeConfig.name) : null;
  const sink = eventLog ? teeSink(file, eventLog) : file;
  errors.sink = sink;
  for (const message of errors.early.splice(0)) sink.write('error', 'lifecycle', message);
  for (const problem of settingsProblems) sink.write('warn', 'lifecycle', problem);
  if (jobProblem) sink.write('warn', 'lifecycle', jobProblem);
  const workingDir = serviceWorkingDir(koffi, dataDir, sink);
  return { koffi, controller, dataDir, sink, logFile: file.file, file, eventLog, workingDir };
}

/**
 * Enters the working folder of the installed service: the `WorkingDirectory` value `install`
 * stored with it, else (a service registered by other means, or by an older svcpack) the setting
 * baked into the exe. A stored value is checked as the install flag is.
 */
function serviceWorkingDir(koffi: Koffi, dataDir: string, sink: LogSink): ServiceHost['workingDir'] {
  const { name } = exeConfig;
  const storedAt = `HKLM\\${serviceParametersKey(name)}, value ${WORKING_DIR_VALUE}`;
  let stored: string | null = null;
  try {
    stored = bindServiceParameters(bindLocalMachineRegistry(koffi)).getServiceWorkingDir(name);
  } catch (err) {
    sink.write('warn', 'lifecycle', `could not read the working folder stored with the service (${storedAt}: ${(err as Error).message}); using the exe's own setting`);
  }
  const result = enterServiceWorkingDir({ name, stored, storedAt, baked: exeConfig.settings.workingDir, places: { exePath: process.execPath, dataDir } });
  if ('folder' in result) {
    sink.write('debug', 'lifecycle', `working folder ${result.shown}${stored === null ? ", the exe's own setting (none stored with the service)" : ''}`);
  }
  return result;
}
