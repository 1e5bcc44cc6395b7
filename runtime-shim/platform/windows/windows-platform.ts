/**
 * The Windows backend of the platform seam (platform/platform.ts): the Service Control Manager
 * through the control thread (service-controller.ts, service-control-thread.ts), the settings
 * stored under the service's Parameters registry key (service-parameters.ts), the Event Log
 * (event-log-sink.ts), job objects (job-bindings.ts), TerminateProcess (process-bindings.ts), the
 * ProgramData known folder (manager-bindings.ts), Task Scheduler 2.0 (taskschd-bindings.ts) and
 * the tasks' stop events (stop-event-bindings.ts) — all koffi bindings, koffi loaded from the exe
 * (hash-checked) the first time a method needs it, once per process.
 */
import { loadNativeModule, type Koffi } from '../../addons/native-module';
import { readAsset } from '../../assets';
import { dataDirFor, programData } from '../../commands/data-dir';
import { WORKING_DIR_VALUE, storedSettingsWhere } from '../manager-api';
import type { Platform, TaskChannel } from '../platform';
import { bindAdvapi32 } from './advapi32';
import { startControlThread } from './control-thread-starter';
import { createEventLogSink } from './event-log-sink';
import { containThisProcess, createProcessJob } from './job-bindings';
import { bindManager, programDataFolder } from './manager-bindings';
import { bindProcessEnd } from './process-bindings';
import { bindLocalMachineRegistry } from './registry-bindings';
import { ServiceController, type ControlThread } from './service-controller';
import { bindServiceParameters } from './service-parameters';
import { StatusSlot } from './status-slot';
import { bindStopEvents } from './stop-event-bindings';
import { bindTaskScheduler } from './taskschd-bindings';

export interface WindowsPlatformOptions {
  /** SHA-256 (hex) of the koffi.node embedded in the exe, checked before every load. */
  koffiSha256: string;
}

export function windowsPlatform(opts: WindowsPlatformOptions): Platform {
  let koffiModule: Koffi | null = null;
  const koffi = (): Koffi => (koffiModule ??= loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), opts.koffiSha256));
  const parameters = () => bindServiceParameters(bindLocalMachineRegistry(koffi()));

  return {
    dataDir(name, ask) {
      if (ask === 'environment') return dataDirFor(name, programData(null));
      // koffi itself must load (a broken exe fails here); the known-folder call may fall back to the environment.
      const loaded = koffi();
      return dataDirFor(name, programData(() => programDataFolder(loaded)));
    },
    serviceChannel: (name, onError) => new ServiceController(bindAdvapi32(koffi()), name, onError, startControlThread, { koffiSha256: opts.koffiSha256 }),
    taskChannel: (name) => taskChannel(name, opts.koffiSha256),
    storedSettings(name) {
      const key = storedSettingsWhere(name);
      return {
        where: key,
        read: () => parameters().getStoredSettings(name),
        workingDirWhere: `${key}, value ${WORKING_DIR_VALUE}`,
        workingDir: () => parameters().getServiceWorkingDir(name),
      };
    },
    systemLog(name) {
      try {
        return createEventLogSink(koffi(), name);
      } catch {
        return null;
      }
    },
    containThisProcess: () => containThisProcess(koffi()),
    createProcessJob: () => createProcessJob(koffi()),
    terminateSelf: () => bindProcessEnd(koffi()).terminateSelf,
    serviceManager: () => bindManager(koffi()),
    taskScheduler: () => bindTaskScheduler(koffi()),
    stopEvents: () => bindStopEvents(koffi()),
  };
}

/**
 * A task's control thread (task-control-thread.ts): it polls the task's stop event and holds the
 * stop deadline; the StatusSlot carries the stop timeout and the lock that keeps its log line apart.
 */
function taskChannel(name: string, koffiSha256: string): TaskChannel {
  const slot = new StatusSlot();
  let thread: ControlThread | null = null;
  return {
    exclusiveLogWrite: (write) => slot.withLogLock(write),
    setStopTimeout(ms) {
      slot.stopTimeoutMs = ms;
    },
    start(events) {
      thread = startControlThread({ kind: 'task', name, koffiSha256, status: slot.buffer }, (message) => {
        if (message.type === 'control' && message.request === 'stop') events.stop();
        else if (message.type === 'warning' || message.type === 'failed') events.warning(message.message);
      });
    },
    stopping: (timeoutMs, cause) => thread?.post({ type: 'stopping', timeoutMs, cause }),
    logTo: (file) => thread?.post({ type: 'log-file', file }),
  };
}
