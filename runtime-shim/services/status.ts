/**
 * A service's status in domain terms (services/client.ts returns it): the SCM's SERVICE_STATUS_PROCESS
 * with the state named, the process id, both exit codes, and — from the config — the start type.
 */
import {
  ERROR_SERVICE_SPECIFIC_ERROR,
  SERVICE_AUTO_START,
  SERVICE_DEMAND_START,
  SERVICE_DISABLED,
  type ServiceStatusInfo,
} from '../platform/manager-api';

export type ServiceState = 'stopped' | 'start-pending' | 'stop-pending' | 'running' | 'continue-pending' | 'pause-pending' | 'paused';

/** SERVICE_STOPPED (1) … SERVICE_PAUSED (7), in order. */
const STATES: readonly ServiceState[] = ['stopped', 'start-pending', 'stop-pending', 'running', 'continue-pending', 'pause-pending', 'paused'];

export type StartType = 'boot' | 'system' | 'auto' | 'delayed-auto' | 'demand' | 'disabled';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  /** The service's process id; null when it has none (stopped). */
  pid: number | null;
  /** dwWin32ExitCode: 0 after a clean stop; 1066 when the service set its own code (`serviceExitCode`); 1067 when its process died. */
  win32ExitCode: number;
  /** dwServiceSpecificExitCode (meaningful when `win32ExitCode` is 1066). */
  serviceExitCode: number;
}

/** A status plus the configured start type (`services.query`). */
export interface ServiceInfo extends ServiceStatus {
  startType: StartType;
}

export function stateName(state: number): ServiceState {
  return STATES[state - 1] ?? 'stopped';
}

export function toServiceStatus(name: string, info: ServiceStatusInfo): ServiceStatus {
  return { name, state: stateName(info.state), pid: info.pid === 0 ? null : info.pid, win32ExitCode: info.win32ExitCode, serviceExitCode: info.serviceExitCode };
}

/** SERVICE_BOOT_START 0 … SERVICE_DISABLED 4; `delayed`: the delayed-auto-start flag. */
export function startTypeName(startType: number, delayed: boolean): StartType {
  if (startType === SERVICE_AUTO_START) return delayed ? 'delayed-auto' : 'auto';
  if (startType === SERVICE_DEMAND_START) return 'demand';
  if (startType === SERVICE_DISABLED) return 'disabled';
  return startType === 0 ? 'boot' : 'system';
}

/** ERROR_SERVICE_NEVER_STARTED: the exit code of a service not started since the SCM started. */
const ERROR_SERVICE_NEVER_STARTED = 1077;

/**
 * True when the service stopped with a non-zero exit code (a crash, a failed start, a process
 * that died), false after a clean stop and for a service never started since boot (1077).
 */
export function stoppedWithError(status: ServiceStatus): boolean {
  if (status.state !== 'stopped' || status.win32ExitCode === 0 || status.win32ExitCode === ERROR_SERVICE_NEVER_STARTED) return false;
  return !(status.win32ExitCode === ERROR_SERVICE_SPECIFIC_ERROR && status.serviceExitCode === 0);
}

/** The exit code as people read it: the service's own code when it set one, else the Win32 one. */
export function exitCodeOf(status: ServiceStatus): number {
  return status.win32ExitCode === ERROR_SERVICE_SPECIFIC_ERROR ? status.serviceExitCode : status.win32ExitCode;
}

/** Two statuses an observer cannot tell apart (same state, process and exit codes). */
export function sameStatus(a: ServiceStatus, b: ServiceStatus): boolean {
  return a.state === b.state && a.pid === b.pid && a.win32ExitCode === b.win32ExitCode && a.serviceExitCode === b.serviceExitCode;
}
