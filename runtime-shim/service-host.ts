/**
 * What both service modes (in-process and supervised) set up when the SCM starts the exe: koffi,
 * the SCM connection, the data folder, and the log (rotating file, plus the Event Log when on).
 */
import { readAsset } from './assets';
import { exeConfig } from './exe-config';
import { teeSink, type LogSink } from './log-file';
import type { ControlRequest } from './lifecycle';
import { createEventLogSink, type EventLogSink } from './logging/event-log-sink';
import { RotatingLogFile } from './logging/rotating-file';
import { dataDirFor, programData } from './manage/data-dir';
import { bindAdvapi32 } from './scm/advapi32';
import { programDataFolder } from './scm/manager-bindings';
import { loadNativeModule, type Koffi } from './scm/native-module';
import { ServiceController } from './scm/service-controller';
import { logDirIn } from './session';

export interface ServiceHost {
  koffi: Koffi;
  controller: ServiceController;
  /** `%ProgramData%\<Name>`. */
  dataDir: string;
  /** The log file, tee'd to the Event Log when that is on. */
  sink: LogSink;
  /** null when the Event Log is off or its source could not be opened. */
  eventLog: EventLogSink | null;
}

/** Loads koffi's native module from the exe (hash-checked; see scm/native-module.ts). */
export function loadKoffi(): Koffi {
  return loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), exeConfig.koffiSha256);
}

/** This service's data folder, ProgramData taken from the known-folder API (see manage/data-dir.ts). */
export function serviceDataDir(koffi: Koffi): string {
  return dataDirFor(exeConfig.name, programData(() => programDataFolder(koffi)));
}

/**
 * Connects to the SCM (ServiceMain) and opens the log. `onControl` receives the SCM's control
 * requests. Resolves to null when the process was not started by the SCM (error 1063).
 */
export async function connectService(onControl: (request: ControlRequest) => boolean): Promise<ServiceHost | null> {
  const koffi = loadKoffi();
  let sink: LogSink | null = null;
  const controller = new ServiceController(bindAdvapi32(koffi), exeConfig.name, (message) => sink?.write('error', 'lifecycle', message));
  if ((await controller.connect(onControl)) === 'not-started-by-scm') return null;

  const dataDir = serviceDataDir(koffi);
  const file = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: exeConfig.logging });
  const eventLog = exeConfig.logging.eventLog ? createEventLogSink(koffi, exeConfig.name) : null;
  sink = eventLog ? teeSink(file, eventLog) : file;
  return { koffi, controller, dataDir, sink, eventLog };
}
