/**
 * Messages between the supervisor and the app's child process, over Node's IPC channel (the
 * child is spawned with an 'ipc' stdio slot). The app's stdout/stderr travel on their own pipes.
 */
import type { StopReason } from '../lifecycle';
import type { LogLevel, LogSource } from '../log-file';

/** The command-line argument that starts the exe as a supervised app child. */
export const CHILD_ARG = '--svcpack-supervised-child';

export type ToChild = { type: 'stop'; reason: StopReason };

export type ToSupervisor =
  | { type: 'running' }
  | { type: 'heartbeat' }
  | { type: 'log'; level: LogLevel; source: LogSource; message: string };

/** Narrows an IPC message from the child; anything else is ignored by the caller. */
export function isToSupervisor(message: unknown): message is ToSupervisor {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  if (type === 'running' || type === 'heartbeat') return true;
  const m = message as { level?: unknown; source?: unknown; message?: unknown };
  return type === 'log' && typeof m.level === 'string' && typeof m.source === 'string' && typeof m.message === 'string';
}

export function isToChild(message: unknown): message is ToChild {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'stop';
}
