/**
 * The service's connection to systemd (the ServiceChannel of platform/platform.ts), in the
 * lifecycle's terms:
 *
 * - connect: 'service' when systemd started this process (NOTIFY_SOCKET: a Type=notify unit, as
 *   svcpack's own unit is; or INVOCATION_ID alone: a unit of another type, which waits for no
 *   notification), else 'not-started-by-scm'. NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are
 *   read once and then removed from the environment, as sd_notify(3)'s `unset_environment` does,
 *   so that the app's children (and a supervised app process) cannot notify for the service.
 * - reports: RUNNING → READY=1 (+ STATUS=running) the first time; STOP_PENDING → STOPPING=1
 *   (+ STATUS=stop pending), and when the stop's timeout is armed (`stopping`)
 *   EXTEND_TIMEOUT_USEC= that timeout + STOP_KILL_MARGIN_MS, so that systemd's SIGKILL never comes
 *   before svcpack's own forced stop, even after a reload raised the stop timeout above the
 *   unit's TimeoutStopSec=; paused and the pending states as STATUS= only
 *   (systemd has no pause); STOPPED sends nothing (the exit status says it) and ends the heartbeat.
 * - controls: SIGTERM → `stop` (systemd sends it for `systemctl stop` and at shutdown alike: the
 *   two cannot be told apart), SIGHUP → `paramchange` (the reload; the unit's ReloadSignal= or
 *   ExecReload=). While the service runs (or is paused) a SIGHUP is bracketed by RELOADING=1 (with
 *   MONOTONIC_USEC=, which Type=notify-reload matches) and READY=1: READY=1 goes once the lifecycle
 *   has taken the reload, i.e. after the stored settings were re-read (synchronously); the app's
 *   onReload handlers may still be running then. Signals that arrive before `listen` are queued.
 * - the watchdog: when systemd expects WATCHDOG=1 (WatchdogSec=, the heartbeat timeout), an
 *   unref'ed timer on the main thread sends it every half of WATCHDOG_USEC from `connect` until
 *   STOPPED. A blocked event loop stops the heartbeat, and systemd ends and restarts the service.
 *
 * Unlike the Windows control thread, everything here runs on the main thread: Node delivers
 * signals only to the main thread's event loop, so a worker could not see the stop request. The
 * stop deadline: the lifecycle forces the stop at the stop timeout on the main thread; when the
 * main thread is blocked past it, systemd's own SIGKILL at TimeoutStopSec= (the unit states the
 * stop timeout + 1 s, and STOPPING's EXTEND_TIMEOUT_USEC= keeps it there) ends the process — the
 * unit then ends as failed ("timeout") and the log file has no forced-stop line. A worker-thread
 * deadline like Windows' (armed by `stopping`, ending the process with _exit) would make that a
 * clean forced stop; it is not there yet, so `setStopTimeout` and `logTo` do nothing.
 *
 * The signal listeners are the shim's, not the app's: `signalListeners` names them (the stop work
 * must not count them as the app's), and `stopSignal` says when a stop began with a real SIGTERM,
 * which Node has then already delivered to the app's own listeners too.
 *
 * Nothing throws after `connect`: a notification that cannot be sent, and a reload the lifecycle
 * did not take, go to `onError`.
 */
import type { ControlRequest, ServiceState, ServiceStatus } from '../../lifecycle/lifecycle';
import type { ConnectResult, ControlListener, ServiceChannel } from '../platform';
import type { SystemdNotifier } from './notify';
import { STOP_KILL_MARGIN_MS } from './unit-file';

/** The environment variables systemd's notify protocol uses; removed once read. */
export const NOTIFY_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/** The signals the channel takes as controls. */
export type ControlSignal = 'SIGTERM' | 'SIGHUP';

/** The control each signal is (pure). */
export const SIGNAL_CONTROLS: Readonly<Record<ControlSignal, ControlRequest>> = { SIGTERM: 'stop', SIGHUP: 'paramchange' };

/** Where signals come from (process in the exe; an EventEmitter in the tests). */
export interface SignalSource {
  on(signal: ControlSignal, listener: () => void): unknown;
}

export interface HeartbeatClock {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface SystemdChannelDeps {
  /** The notifier, made from `env` as it is at connect (notify.ts systemdNotifier); throws one line when it is unusable. */
  notifier(env: NodeJS.ProcessEnv): SystemdNotifier;
  /** The environment to read and scrub (process.env in the exe). */
  env: NodeJS.ProcessEnv;
  signals: SignalSource;
  /** The heartbeat's timer; unref'ed in the exe, so it never keeps the process alive. */
  clock: HeartbeatClock;
  /** Where the service answers its live status (systemd-platform.ts statusSocketPath); absent: the core's default. */
  statusPath?: string;
}

/** The STATUS= text of a lifecycle state (pure). */
export function statusText(state: ServiceState): string {
  return state.replace('-', ' ');
}

type Notification = (n: SystemdNotifier) => void;

export class SystemdChannel implements ServiceChannel {
  private n: SystemdNotifier | null = null;
  private listener: ControlListener | null = null;
  private readonly queued: ControlSignal[] = [];
  private state: ServiceState | null = null;
  private readySent = false;
  private stoppingSent = false;
  private heartbeat: unknown = null;
  private stopBegunBy: ControlSignal | undefined;
  private readonly listeners: Record<ControlSignal, () => void> = {
    SIGTERM: () => this.signal('SIGTERM'),
    SIGHUP: () => this.signal('SIGHUP'),
  };

  /** The listeners this channel put on the signal source: the shim's own, not the app's. */
  readonly signalListeners: ReadonlySet<(...args: never[]) => unknown> = new Set(Object.values(this.listeners));

  constructor(
    private readonly onError: (message: string) => void,
    private readonly deps: SystemdChannelDeps,
  ) {}

  /** The live status socket in the unit's RuntimeDirectory= (ServiceChannel.statusPath). */
  get statusPath(): string | undefined {
    return this.deps.statusPath;
  }

  /**
   * Reads the notify variables (then removes them from the environment) and, when systemd started
   * this process, takes SIGTERM and SIGHUP and starts the watchdog heartbeat. Rejects with one
   * line when NOTIFY_SOCKET or WATCHDOG_* is set but unusable.
   */
  async connect(): Promise<ConnectResult> {
    const { env } = this.deps;
    let notifier: SystemdNotifier;
    try {
      notifier = this.deps.notifier(env);
    } finally {
      for (const name of NOTIFY_VARIABLES) delete env[name];
    }
    if (!notifier.active && !env.INVOCATION_ID) return 'not-started-by-scm';
    this.n = notifier;
    this.deps.signals.on('SIGTERM', this.listeners.SIGTERM);
    this.deps.signals.on('SIGHUP', this.listeners.SIGHUP);
    const interval = notifier.watchdogInterval();
    if (interval !== null) this.heartbeat = this.deps.clock.setInterval(() => this.notify((x) => x.watchdog()), interval);
    return 'service';
  }

  /** Delivers the signals' controls to `listener` from now on, those that arrived earlier first. */
  listen(listener: ControlListener): void {
    this.listener = listener;
    for (const signal of this.queued.splice(0)) this.deliver(listener, signal, true);
  }

  /** Tells systemd about `status` (see the module comment). Never throws. */
  report(status: ServiceStatus): void {
    if (this.n === null || this.state === 'stopped') return;
    const previous = this.state;
    this.state = status.state;
    switch (status.state) {
      case 'running':
        if (!this.readySent) {
          this.readySent = true;
          this.notify((n) => n.ready(statusText('running')));
        } else if (previous !== 'running') this.notify((n) => n.status(statusText('running')));
        return;
      case 'stop-pending':
        if (this.stoppingSent) return;
        this.stoppingSent = true;
        this.notify((n) => n.stopping(statusText('stop-pending')));
        return;
      case 'stopped':
        this.endHeartbeat();
        return;
      case 'start-pending':
        return;
      default:
        if (previous !== status.state) this.notify((n) => n.status(statusText(status.state)));
    }
  }

  /**
   * A stop began with `timeoutMs` (after STOP_PENDING was reported): systemd's stop timeout is
   * extended to it + STOP_KILL_MARGIN_MS from now, so its SIGKILL comes after svcpack's forced stop.
   */
  stopping(timeoutMs: number, _cause: string): void {
    this.notify((n) => n.extendTimeout((timeoutMs + STOP_KILL_MARGIN_MS) * 1000));
  }

  /** Nothing to do: no off-thread deadline holds a stop timeout here (module comment); `stopping` carries the one in force. */
  setStopTimeout(_ms: number): void {}

  /** No off-thread writer shares the log here: nothing to record. */
  logTo(_file: string): void {}

  /** No other thread writes the log: the write runs at once. */
  exclusiveLogWrite(write: () => void): void {
    write();
  }

  /** The signal that began the current stop, already delivered by Node to the app's own listeners; undefined otherwise. */
  stopSignal(): string | undefined {
    return this.stopBegunBy;
  }

  private signal(signal: ControlSignal): void {
    if (this.listener) this.deliver(this.listener, signal, false);
    else this.queued.push(signal);
  }

  /** `queued`: the signal came before `listen`, when the app had no listeners to hear it. */
  private deliver(listener: ControlListener, signal: ControlSignal, queued: boolean): void {
    const request = SIGNAL_CONTROLS[signal];
    if (signal === 'SIGTERM') {
      if (listener.control(request) && !queued) this.stopBegunBy = 'SIGTERM';
      return;
    }
    const live = this.state === 'running' || this.state === 'paused';
    if (live) this.notify((n) => n.reloading('reloading'));
    const accepted = listener.control(request);
    if (live) this.notify((n) => n.ready(statusText(this.state ?? 'running')));
    if (!accepted) this.onError(`SIGHUP: the reload was not taken (the service is ${statusText(this.state ?? 'start-pending')})`);
  }

  private endHeartbeat(): void {
    if (this.heartbeat === null) return;
    this.deps.clock.clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private notify(send: Notification): void {
    if (this.n === null) return;
    try {
      send(this.n);
    } catch (err) {
      this.onError(`could not notify systemd (${this.n.socket ?? 'no socket'}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
