/**
 * The app's control handlers: what `service.onReload`, `onPause`, `onContinue`,
 * `onControl`, `onSessionChange` and `onPowerEvent` register, and how the shim runs them. The
 * service accepts a control from the SCM only while the app has a handler for it (see
 * `handledControls`), so registering one changes what the service reports to the SCM:
 * `watchHandledControls` tells the shim.
 *
 * Handlers of one kind run concurrently and may be async; the run resolves when all have settled.
 * A handler that throws or rejects is logged through `onFailure` and never ends the service.
 */

/** A session-change event: the Win32 name (`WTS_SESSION_LOCK`…) and the session it concerns. */
export interface SessionChange {
  /** WTS_CONSOLE_CONNECT, WTS_CONSOLE_DISCONNECT, WTS_REMOTE_CONNECT, WTS_REMOTE_DISCONNECT,
   * WTS_SESSION_LOGON, WTS_SESSION_LOGOFF, WTS_SESSION_LOCK, WTS_SESSION_UNLOCK,
   * WTS_SESSION_REMOTE_CONTROL, WTS_SESSION_CREATE, WTS_SESSION_TERMINATE (or `0x…` for others). */
  event: string;
  sessionId: number;
}

/** A power event: the Win32 name (`PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`…, or `0x…`). */
export interface PowerEvent {
  event: string;
}

type Handler<A extends unknown[]> = (...args: A) => void | Promise<void>;

export interface AppControlHandlers {
  reload: Set<Handler<[]>>;
  pause: Set<Handler<[]>>;
  continue: Set<Handler<[]>>;
  control: Set<Handler<[number]>>;
  sessionChange: Set<Handler<[SessionChange]>>;
  powerEvent: Set<Handler<[PowerEvent]>>;
}

/** Which of the app's controls have handlers now (what the service may accept for the app). */
export interface HandledControls {
  reload: boolean;
  /** onPause and onContinue both registered: PAUSE_CONTINUE is accepted only then. */
  pauseContinue: boolean;
  /** onControl: user-defined codes 129-255. */
  custom: boolean;
  sessionChange: boolean;
  powerEvent: boolean;
}

const handlers: AppControlHandlers = {
  reload: new Set(),
  pause: new Set(),
  continue: new Set(),
  control: new Set(),
  sessionChange: new Set(),
  powerEvent: new Set(),
};

let watcher: ((handled: HandledControls) => void) | null = null;

export function handledControls(): HandledControls {
  return {
    reload: handlers.reload.size > 0,
    pauseContinue: handlers.pause.size > 0 && handlers.continue.size > 0,
    custom: handlers.control.size > 0,
    sessionChange: handlers.sessionChange.size > 0,
    powerEvent: handlers.powerEvent.size > 0,
  };
}

/** The shim's listener for changes of `handledControls()` (one per process; a later call replaces it). */
export function watchHandledControls(listener: (handled: HandledControls) => void): void {
  watcher = listener;
}

/** Adds `handler` to the set `kind`; returns the function that removes it. Used by api.ts. */
export function addControlHandler<K extends keyof AppControlHandlers>(
  kind: K,
  handler: AppControlHandlers[K] extends Set<infer H> ? H : never,
): () => void {
  const set = handlers[kind] as Set<unknown>;
  set.add(handler);
  watcher?.(handledControls());
  return () => {
    if (set.delete(handler)) watcher?.(handledControls());
  };
}

/**
 * Runs every handler of `kind` with `args`, concurrently; resolves when all settled. Each failure
 * is passed to `onFailure` (the shim logs it). Never rejects.
 */
export async function runControlHandlers<K extends keyof AppControlHandlers>(
  kind: K,
  args: Parameters<AppControlHandlers[K] extends Set<infer H> ? (H extends (...a: infer A) => unknown ? (...a: A) => void : never) : never>,
  onFailure: (err: unknown) => void,
): Promise<void> {
  const list = [...(handlers[kind] as Set<(...a: unknown[]) => unknown>)];
  const results = await Promise.allSettled(list.map(async (h) => h(...(args as unknown[]))));
  for (const r of results) if (r.status === 'rejected') onFailure(r.reason);
}
