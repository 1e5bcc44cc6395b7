/**
 * Messages between the supervisor and the app's child process, over Node's IPC channel (the
 * child is spawned with an 'ipc' stdio slot). The app's stdout/stderr travel on their own pipes.
 */
import type { StopReason } from '../lifecycle';
import type { LogLevel, LogSource } from '../log-file';
import type { ProcessSample } from '../status/status-report';

/** The command-line argument that starts the exe as a supervised app child. */
export const CHILD_ARG = '--svcpack-supervised-child';

/** `usage`: the live status asks for the app process's own figures (answered with `usage`). */
export type ToChild = { type: 'stop'; reason: StopReason } | { type: 'usage' };

export type ToSupervisor =
  | { type: 'running' }
  | { type: 'heartbeat' }
  | { type: 'usage'; sample: ProcessSample }
  | { type: 'log'; level: LogLevel; source: LogSource; message: string };

/** Narrows an IPC message from the child; anything else is ignored by the caller. */
export function isToSupervisor(message: unknown): message is ToSupervisor {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  if (type === 'running' || type === 'heartbeat') return true;
  if (type === 'usage') return typeof (message as { sample?: unknown }).sample === 'object' && (message as { sample?: unknown }).sample !== null;
  const m = message as { level?: unknown; source?: unknown; message?: unknown };
  return type === 'log' && typeof m.level === 'string' && typeof m.source === 'string' && typeof m.message === 'string';
}

export function isToChild(message: unknown): message is ToChild {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'stop' || type === 'usage';
}
