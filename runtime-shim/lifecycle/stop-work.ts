/**
 * The app's side of a stop: `service.onStop` handlers, plus SIGTERM/SIGINT delivered to the app's
 * own listeners (plain apps written as `process.on('SIGTERM', () => server.close())`). When the app
 * listens for a signal, its work is asynchronous and unannounced (a server closing), so the stop
 * also waits until the app's event loop is quiet: no referenced handles, requests or timers left.
 */
import { runStopHandlers } from '../api';
import type { StopReason } from './lifecycle';

export type StopSignal = 'SIGTERM' | 'SIGINT';

/** Handle types that never belong to the app's stop work (stdio, signal watchers). */
const IGNORED_RESOURCES = new Set(['TTYWrap', 'SignalWrap']);

/**
 * Which signal to emit to the app's listeners (pure). SIGTERM when it listens for SIGTERM, else
 * SIGINT; none when that signal already reached the app (the console Ctrl+C that began the stop)
 * or the app listens for neither.
 */
export function signalToDeliver(listening: Record<StopSignal, number>, alreadyDelivered?: string): StopSignal | null {
  const pick: StopSignal | null = listening.SIGTERM > 0 ? 'SIGTERM' : listening.SIGINT > 0 ? 'SIGINT' : null;
  return pick === alreadyDelivered ? null : pick;
}

/**
 * True when nothing but ignorable resources keeps the event loop alive (pure). `own` counts
 * resources by type that belong to the shim, not the app: each of stdout/stderr that is a pipe
 * keeps a PipeWrap once written to, and a service's control thread keeps its MessagePort.
 */
export function isQuiet(resources: readonly string[], own: Readonly<Record<string, number>> = {}): boolean {
  const allowed = new Map(Object.entries(own));
  return resources.every((r) => {
    if (IGNORED_RESOURCES.has(r)) return true;
    const left = allowed.get(r) ?? 0;
    allowed.set(r, left - 1);
    return left > 0;
  });
}

/** Resources the shim keeps open for the life of the process, by type (see isQuiet). */
const shimResources: Record<string, number> = {};

/** The shim holds one more resource of this `getActiveResourcesInfo()` type for good (the control thread's port). */
export function holdShimResource(type: string): void {
  shimResources[type] = (shimResources[type] ?? 0) + 1;
}

/** How many of process.stdout/stderr are backed by a pipe handle. */
function countStdioPipes(): number {
  const isPipe = (s: NodeJS.WriteStream) => (s as unknown as { _handle?: object })._handle?.constructor?.name === 'Pipe';
  return [process.stdout, process.stderr].filter(isPipe).length;
}

export interface StopWorkOptions {
  /** Listeners the shim itself registered; they are not the app's. */
  ownListeners: ReadonlySet<(...args: never[]) => unknown>;
  /** The console signal that began the stop, already seen by the app's listeners. */
  triggeredBy?: string;
  /** Poll interval while waiting for the event loop to go quiet, ms. */
  pollMs?: number;
}

/** Runs the app's stop work for `reason`; resolves when it is done (the caller bounds the time). */
export async function runAppStopWork(reason: StopReason, opts: StopWorkOptions): Promise<void> {
  const appListeners = (sig: StopSignal) =>
    process.listeners(sig).filter((l) => !opts.ownListeners.has(l as never)).length;
  const listening = { SIGTERM: appListeners('SIGTERM'), SIGINT: appListeners('SIGINT') };
  const signal = signalToDeliver(listening, opts.triggeredBy);
  if (signal) {
    try {
      process.emit(signal, signal);
    } catch (err) {
      // As when Node delivers a real signal: a listener that throws is an uncaught exception (a
      // crash during the stop), not a failed stop handler.
      process.nextTick(() => {
        throw err;
      });
    }
  }
  const appHeardSignal = signal !== null || (opts.triggeredBy !== undefined && listening[opts.triggeredBy as StopSignal] > 0);

  await runStopHandlers(reason);
  if (appHeardSignal) await waitForQuiet(opts.pollMs ?? 20);
}

function waitForQuiet(pollMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const own = { ...shimResources, PipeWrap: (shimResources.PipeWrap ?? 0) + countStdioPipes() };
      if (isQuiet(process.getActiveResourcesInfo(), own)) resolve();
      else setTimeout(check, pollMs).unref();
    };
    // Let callbacks queued by the signal listeners run before the first look.
    setImmediate(check).unref();
  });
}
