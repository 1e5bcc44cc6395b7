/**
 * The app's side of a stop: `service.onStop` handlers, plus SIGTERM/SIGINT delivered to the app's
 * own listeners (plain apps written as `process.on('SIGTERM', () => server.close())`). When the app
 * listens for a signal, its work is asynchronous and unannounced (a server closing), so the stop
 * also waits until the app's event loop is quiet: no referenced handles, requests or timers left.
 */
import { runStopHandlers } from './api';
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
 * True when nothing but ignorable resources keeps the event loop alive (pure). `stdioPipes` is
 * how many of stdout/stderr are pipes: once written to, each keeps a PipeWrap that is not the
 * app's work.
 */
export function isQuiet(resources: readonly string[], stdioPipes = 0): boolean {
  let pipes = stdioPipes;
  return resources.every((r) => IGNORED_RESOURCES.has(r) || (r === 'PipeWrap' && pipes-- > 0));
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
  if (signal) process.emit(signal, signal);
  const appHeardSignal = signal !== null || (opts.triggeredBy !== undefined && listening[opts.triggeredBy as StopSignal] > 0);

  await runStopHandlers(reason);
  if (appHeardSignal) await waitForQuiet(opts.pollMs ?? 20);
}

function waitForQuiet(pollMs: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (isQuiet(process.getActiveResourcesInfo(), countStdioPipes())) resolve();
      else setTimeout(check, pollMs).unref();
    };
    // Let callbacks queued by the signal listeners run before the first look.
    setImmediate(check).unref();
  });
}
