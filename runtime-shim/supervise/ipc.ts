/**
 * Messages between the supervisor and the app's child process, over Node's IPC channel (the
 * child is spawned with an 'ipc' stdio slot). The app's stdout/stderr travel on their own pipes.
 */
import type { HandledControls } from '../lifecycle/app-controls';
import type { DeliveredControl, StopReason } from '../lifecycle/lifecycle';
import type { LogLevel, LogSource } from '../logging/log-sink';
import type { RuntimeSettings } from '../settings/runtime-settings';
import type { ProcessSample } from '../status/status-report';

/** The command-line argument that starts the exe as a supervised app child. */
export const CHILD_ARG = '--svcpack-supervised-child';

/**
 * `usage`: the live status asks for the app process's own figures (answered with `usage`).
 * `control`: run the app's handlers for a control the supervisor accepted; the child answers
 * `control-done` with the same id once they settled. A reload (`paramchange`) carries the
 * supervisor's new effective settings, which the child makes its own before its handlers run.
 */
export type ToChild =
  | { type: 'stop'; reason: StopReason }
  | { type: 'usage' }
  | { type: 'control'; id: number; control: DeliveredControl; settings?: RuntimeSettings };

/** `controls`: which control handlers the app has now (sent whenever that changes). */
export type ToSupervisor =
  | { type: 'running' }
  | { type: 'heartbeat' }
  /** The app sent itself a stop signal while running: the supervisor stops the service. */
  | { type: 'stop-request'; signal: string }
  | { type: 'usage'; sample: ProcessSample }
  | { type: 'log'; level: LogLevel; source: LogSource; message: string }
  | { type: 'controls'; handled: HandledControls }
  | { type: 'control-done'; id: number };

/** Narrows an IPC message from the child; anything else is ignored by the caller. */
export function isToSupervisor(message: unknown): message is ToSupervisor {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  if (type === 'running' || type === 'heartbeat') return true;
  if (type === 'stop-request') return typeof (message as { signal?: unknown }).signal === 'string';
  if (type === 'usage') return typeof (message as { sample?: unknown }).sample === 'object' && (message as { sample?: unknown }).sample !== null;
  if (type === 'controls') return typeof (message as { handled?: unknown }).handled === 'object';
  if (type === 'control-done') return typeof (message as { id?: unknown }).id === 'number';
  const m = message as { level?: unknown; source?: unknown; message?: unknown };
  return type === 'log' && typeof m.level === 'string' && typeof m.source === 'string' && typeof m.message === 'string';
}

export function isToChild(message: unknown): message is ToChild {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { type?: unknown; id?: unknown; control?: unknown };
  return m.type === 'stop' || m.type === 'usage' || (m.type === 'control' && typeof m.id === 'number' && m.control !== undefined);
}
