/**
 * A signal the app sends itself: `process.kill(process.pid, 'SIGTERM')` (or SIGINT, SIGBREAK).
 * On Windows Node has no such thing: libuv ends the process with TerminateProcess, behind the
 * SCM's back, so the service dies without reporting STOPPED (Windows records 1067 and runs the
 * recovery actions). Frameworks do exactly this: NestJS's `enableShutdownHooks()` removes its
 * listener after its shutdown hooks and re-raises the signal, expecting the POSIX default action.
 *
 * Inside the exe `process.kill` is wrapped so that a stop signal aimed at this process does what
 * it does on Linux, in service terms (docs/architecture.md, "Stopping"):
 * - while the service runs (or starts, or is paused) it is a stop request: the service stops as
 *   `sc stop` would (STOP_PENDING, the stop work, STOPPED with exit code 0, no recovery);
 * - during a stop, delivered to the app's listeners when it has some (as on Linux); without
 *   listeners the app has ended itself cleanly after the stop request: exit code 0, which the
 *   lifecycle reports as STOPPED 0 from the process's 'exit' event.
 * Any other pid or signal goes to Node's own `process.kill` unchanged.
 */
import os from 'node:os';

/** The signals a self-signal turns into a stop. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGBREAK'] as const;
export type StopSignalName = (typeof STOP_SIGNALS)[number];

/** What a self-sent stop signal does (pure decision; see the module comment). */
export type SelfSignalAction = 'request-stop' | 'deliver' | 'end-cleanly';

export function selfSignalAction(phase: 'live' | 'stopping' | 'stopped', appListeners: number): SelfSignalAction {
  if (phase === 'live') return 'request-stop';
  if (phase === 'stopping' && appListeners > 0) return 'deliver';
  return 'end-cleanly';
}

/** The stop signal `signal` names (a name or a number), or null when it is none of them. */
export function stopSignalName(signal: string | number | undefined): StopSignalName | null {
  const name = signal === undefined ? 'SIGTERM' : typeof signal === 'number' ? signalNameOf(signal) : signal;
  return (STOP_SIGNALS as readonly string[]).includes(name ?? '') ? (name as StopSignalName) : null;
}

/** The name of signal number `n` on this platform (Windows lists SIGBREAK as 21). */
function signalNameOf(n: number): string | undefined {
  const signals = os.constants.signals as Record<string, number>;
  return Object.keys(signals).find((k) => signals[k] === n);
}

export interface SelfSignalOptions {
  /** Where the service is: running (or starting, paused), stopping, or already stopped. */
  phase(): 'live' | 'stopping' | 'stopped';
  /** Listeners the shim itself registered; they are not the app's. */
  ownListeners: ReadonlySet<(...args: never[]) => unknown>;
  /** Stop the service as a stop control would (the mode decides how: its lifecycle, or the supervisor). */
  requestStop(signal: StopSignalName): void;
  log(level: 'info' | 'warn', message: string): void;
}

/** Wraps `process.kill` for this process's stop signals (once per process). */
export function interceptSelfSignals(opts: SelfSignalOptions): void {
  const original = process.kill.bind(process);
  process.kill = function kill(pid: number, signal?: string | number): true {
    const name = Number(pid) === process.pid ? stopSignalName(signal) : null;
    if (name === null) return original(pid, signal);
    const appListeners = process.listeners(name).filter((l) => !opts.ownListeners.has(l as never)).length;
    switch (selfSignalAction(opts.phase(), appListeners)) {
      case 'request-stop':
        opts.log('info', `the app sent itself ${name}: stopping the service`);
        opts.requestStop(name);
        return true;
      case 'deliver':
        // Asynchronously, as a real signal arrives.
        setImmediate(() => process.emit(name as NodeJS.Signals, name as NodeJS.Signals));
        return true;
      case 'end-cleanly':
        opts.log('info', `the app ended itself with ${name} during the stop`);
        process.exit(0);
    }
  } as typeof process.kill;
}
