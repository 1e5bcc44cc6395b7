/**
 * The service lifecycle as a pure state machine (docs/architecture.md, The lifecycle). It never
 * touches Win32: it reports states through `StatusSink` and gets time from `Clock`, so it runs on
 * Linux against a fake SCM. The SCM bridge (`platform/windows/service-controller.ts`) turns its reports into
 * SetServiceStatus calls; `session.ts` wires it for service mode, `run` and the supervised child,
 * `supervise/supervisor.ts` for the supervisor.
 */
import { DEFAULT_STOP_TIMEOUT_MS } from '../settings/stop-settings';

export type ServiceState =
  | 'start-pending'
  | 'running'
  | 'pause-pending'
  | 'paused'
  | 'continue-pending'
  | 'stop-pending'
  | 'stopped';
export type StopReason = 'stop' | 'shutdown' | 'preshutdown' | 'console';

/**
 * A control the app (or the service itself) acts on besides stopping: pause/continue, a settings
 * reload (PARAMCHANGE), a user-defined code (128 = rotate the log, 129-255 the app's), a session
 * change or a power event. Event names are the Win32 ones (WTS_SESSION_LOCK, PBT_APMSUSPEND).
 */
export type DeliveredControl =
  | 'pause'
  | 'continue'
  | 'paramchange'
  | { kind: 'custom'; code: number }
  | { kind: 'session-change'; event: string; sessionId: number }
  | { kind: 'power-event'; event: string };

/** Control requests the SCM may send; everything else is answered "not implemented". */
export type ControlRequest = 'stop' | 'shutdown' | 'preshutdown' | 'interrogate' | DeliveredControl;

/** What a service tells the SCM it accepts (SERVICE_ACCEPT_*); user-defined codes need no flag. */
export type AcceptFlag = 'stop' | 'shutdown' | 'preshutdown' | 'pause-continue' | 'paramchange' | 'session-change' | 'power-event';

/**
 * Which optional controls are accepted now; all false until the mode says otherwise. The mode
 * updates it when the app registers handlers (`setControls`), and RUNNING/PAUSED is reported again
 * with the new set.
 */
export interface AcceptedControls {
  /** PAUSE and CONTINUE: the app registered onPause and onContinue. */
  pauseContinue: boolean;
  /** PARAMCHANGE: the service re-reads its settings (service modes). */
  paramChange: boolean;
  /** User code 128: the service rotates its log (service modes). */
  rotate: boolean;
  /** User codes 129-255: the app registered onControl. */
  custom: boolean;
  /** SESSIONCHANGE: the app registered onSessionChange. */
  sessionChange: boolean;
  /** POWEREVENT: the app registered onPowerEvent. */
  powerEvent: boolean;
}

export const NO_CONTROLS: AcceptedControls = {
  pauseContinue: false,
  paramChange: false,
  rotate: false,
  custom: false,
  sessionChange: false,
  powerEvent: false,
};

/** The user-defined control code that rotates the log (as NSSM's `rotate`). */
export const ROTATE_CONTROL = 128;

export interface ServiceStatus {
  state: ServiceState;
  /** Controls the service accepts in this state. */
  accepts: AcceptFlag[];
  /** 0 on success; otherwise the service-specific exit code reported with ERROR_SERVICE_SPECIFIC_ERROR. */
  exitCode: number;
  /** Increases during each pending state so the SCM sees progress. */
  checkPoint: number;
  /** Milliseconds the SCM should wait for the next report during a pending state. */
  waitHintMs: number;
  /**
   * Which user-defined control codes are handled now (they carry no accept flag): 128 rotates the
   * log, 129-255 are the app's. The control thread answers them from this.
   */
  userCodes: { rotate: boolean; custom: boolean };
}

/** Service-specific exit codes reported when the app fails (app exit codes pass through). */
export const ExitCode = {
  Ok: 0,
  UncaughtException: 1,
  StartFailed: 3,
  /** Supervised mode: the app kept failing and the supervisor stopped restarting it. */
  GaveUp: 4,
} as const;

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface LifecycleOptions {
  /**
   * How long stop handlers may run before the stop is forced, ms (default DEFAULT_STOP_TIMEOUT_MS); a function is
   * asked when each stop begins (the value may change on reload).
   */
  stopTimeoutMs: number | (() => number);
  /** Interval between STOP_PENDING/START_PENDING checkpoints, ms. */
  checkpointIntervalMs: number;
  /** Whether the service accepts PRESHUTDOWN (then SHUTDOWN is not also accepted). */
  acceptPreshutdown: boolean;
}

export interface LifecycleDeps {
  report(status: ServiceStatus): void;
  /**
   * Runs the app's stop work (onStop handlers, SIGTERM/SIGINT listeners, and the stop hooks around
   * them) and resolves when it is done. Rejections are logged and treated as done. `deadline`
   * resolves when the stop timeout has passed: work still running then is forced, so whatever
   * runs in this stop (hooks included) must end by it (hooks/stop-hooks.ts).
   */
  runStopHandlers(reason: StopReason, deadline: Promise<void>): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Called once, after STOPPED was reported; ends the process with this exit code. */
  exit(exitCode: number): void;
  /**
   * A stop began (`cause`: its reason) with this stop timeout, ms: the mode arms the deadline that
   * holds without this thread (the control thread's; lifecycle/stop/stop-deadline.ts). Absent: none.
   */
  stopping?(timeoutMs: number, cause: StopReason): void;
  /**
   * After stop work that finished within the stop timeout: the exit code STOPPED reports. The
   * supervisor answers the app's own exit code, so an app that crashed (or exited with a non-zero
   * code) during the stop is reported as in-process mode reports it. Absent: 0.
   */
  stoppedExitCode?(): number;
  clock: Clock;
  /**
   * Acts on an accepted control (the app's handlers, a reload, a rotation). For pause and continue
   * the state changes when it resolves; a rejection is logged (pause: the service stays RUNNING;
   * continue: it is RUNNING anyway). Absent: no such control is ever accepted.
   */
  runControl?(control: DeliveredControl): Promise<void>;
}

/** The stop timeout where none was given, ms: the catalog's default (the build bakes one into every exe). */
export { DEFAULT_STOP_TIMEOUT_MS };

export const DEFAULT_LIFECYCLE_OPTIONS: LifecycleOptions = {
  stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS,
  checkpointIntervalMs: 1_000,
  acceptPreshutdown: false,
};

/** Wait hint sent with each pending report: long enough that a slow checkpoint never trips the SCM. */
const PENDING_WAIT_HINT_MS = 5_000;

export class Lifecycle {
  private state: ServiceState = 'stopped';
  private checkPoint = 0;
  private began = false;
  private finished = false;
  private ticker: unknown = null;
  private controls: AcceptedControls = NO_CONTROLS;
  private readonly opts: LifecycleOptions;

  constructor(
    private readonly deps: LifecycleDeps,
    opts: Partial<LifecycleOptions> = {},
  ) {
    this.opts = { ...DEFAULT_LIFECYCLE_OPTIONS, ...opts };
  }

  get current(): ServiceState {
    return this.state;
  }

  /** The SCM called ServiceMain (or `run` began): report START_PENDING at once. */
  start(): void {
    if (this.began) return;
    this.began = true;
    this.enterPending('start-pending');
    this.deps.log('info', 'starting');
  }

  /** The app has started (entry module evaluated / start promise resolved): report RUNNING. */
  started(): void {
    if (this.state !== 'start-pending') return;
    this.stopTicker();
    this.state = 'running';
    this.checkPoint = 0;
    this.emit(0);
    this.deps.log('info', 'running');
  }

  /**
   * Sets which optional controls are accepted (the app registered or removed handlers). While
   * RUNNING or PAUSED the new set is reported to the SCM at once.
   */
  setControls(controls: AcceptedControls): void {
    this.controls = { ...controls };
    if (this.state === 'running' || this.state === 'paused') this.emit(0);
  }

  /**
   * A control request arrived (from HandlerEx or the console). Returns false when the control is
   * not accepted in this state (the bridge answers ERROR_CALL_NOT_IMPLEMENTED).
   */
  control(request: ControlRequest): boolean {
    if (request === 'interrogate') {
      this.emit(0);
      return true;
    }
    if (request === 'stop' || request === 'shutdown' || request === 'preshutdown') {
      // Also while a pause or continue is pending: the control thread may already have told the
      // SCM the stop is under way (it judges by the last report).
      const acceptsShutdown = request === 'stop' || (request === 'preshutdown') === this.opts.acceptPreshutdown;
      if (this.finished || this.state === 'stop-pending' || this.state === 'stopped' || !acceptsShutdown) return false;
      void this.stop(request);
      return true;
    }
    if (!this.acceptsDelivered(request)) {
      this.refused(request);
      return false;
    }
    if (request === 'pause') void this.pause();
    else if (request === 'continue') void this.resume();
    else void this.deliver(request);
    return true;
  }

  /**
   * A control that was not accepted (by this lifecycle, or already by the control thread, which
   * answered the SCM from the last report): logged when the refusal would otherwise go unseen.
   * User codes carry no accept flag: the SCM sends them whatever the service accepts, and some
   * SCMs (Wine's) do not pass the refusal back to the sender.
   */
  refused(request: ControlRequest): void {
    if (typeof request === 'object' && request.kind === 'custom') this.deps.log('warn', `${controlName(request)} refused: nothing handles it (the app registered no onControl handler)`);
  }

  /** Whether `control` is accepted in the current state (pure). */
  private acceptsDelivered(control: DeliveredControl): boolean {
    const c = this.controls;
    if (!this.deps.runControl) return false;
    if (control === 'pause') return this.state === 'running' && c.pauseContinue;
    if (control === 'continue') return this.state === 'paused' && c.pauseContinue;
    if (this.state !== 'running' && this.state !== 'paused') return false;
    if (control === 'paramchange') return c.paramChange;
    switch (control.kind) {
      case 'custom':
        return control.code === ROTATE_CONTROL ? c.rotate : control.code > ROTATE_CONTROL && control.code <= 255 && c.custom;
      case 'session-change':
        return c.sessionChange;
      case 'power-event':
        return c.powerEvent;
    }
  }

  /** PAUSE_PENDING while the onPause work runs, then PAUSED (RUNNING again if it failed). */
  private async pause(): Promise<void> {
    this.enterPending('pause-pending');
    this.deps.log('info', 'pausing');
    const ok = await this.deliver('pause');
    if (this.state !== 'pause-pending') return; // a stop began meanwhile
    this.settle(ok ? 'paused' : 'running');
    this.deps.log(ok ? 'info' : 'warn', ok ? 'paused' : 'pause failed; running');
  }

  /** CONTINUE_PENDING while the onContinue work runs, then RUNNING (also if it failed). */
  private async resume(): Promise<void> {
    this.enterPending('continue-pending');
    this.deps.log('info', 'continuing');
    await this.deliver('continue');
    if (this.state !== 'continue-pending') return;
    this.settle('running');
    this.deps.log('info', 'running');
  }

  /** Runs the control's work; false (logged) when it failed. */
  private async deliver(control: DeliveredControl): Promise<boolean> {
    try {
      await this.deps.runControl!(control);
      return true;
    } catch (err) {
      this.deps.log('error', `${controlName(control)} failed: ${describe(err)}`);
      return false;
    }
  }

  private settle(state: 'running' | 'paused'): void {
    this.stopTicker();
    this.state = state;
    this.checkPoint = 0;
    this.emit(0);
  }

  /** Stops the service for `reason`: STOP_PENDING with checkpoints, handlers, then STOPPED (exit 0). */
  async stop(reason: StopReason): Promise<void> {
    if (this.finished || this.state === 'stop-pending') return;
    this.enterPending('stop-pending');
    this.deps.log('info', `stopping (${reason})`);
    const { clock } = this.deps;
    const stopTimeoutMs = typeof this.opts.stopTimeoutMs === 'function' ? this.opts.stopTimeoutMs() : this.opts.stopTimeoutMs;
    this.deps.stopping?.(stopTimeoutMs, reason);
    let timer: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimeout(() => resolve('timeout'), stopTimeoutMs);
    });
    const handlers = this.deps.runStopHandlers(reason, timedOut.then(() => undefined)).then(
      () => 'done' as const,
      (err: unknown) => {
        this.deps.log('error', `stop handler failed: ${describe(err)}`);
        return 'done' as const;
      },
    );
    const outcome = await Promise.race([handlers, timedOut]);
    clock.clearTimeout(timer);
    if (this.finished) return;
    if (outcome === 'timeout') {
      this.deps.log('warn', `stop handlers still running after ${stopTimeoutMs} ms; forcing the stop`);
      this.finish(ExitCode.Ok, 'stopped');
      return;
    }
    const code = this.deps.stoppedExitCode?.() ?? ExitCode.Ok;
    this.finish(code, code === ExitCode.Ok ? 'stopped' : `stopped; the app ended with exit code ${code} during the stop`);
  }

  /**
   * The app ended on its own in a way that ends the service cleanly (supervised mode: an exit code
   * listed in `successExitCodes`): STOPPED with exit code 0, no stop work.
   */
  complete(): void {
    this.finish(ExitCode.Ok, 'stopped');
  }

  /** The app failed (uncaught exception, unhandled rejection, failed start): STOPPED with `exitCode`. */
  fail(exitCode: number, message: string): void {
    if (this.finished) return;
    const code = exitCode || ExitCode.UncaughtException;
    this.deps.log('error', message);
    this.finish(code, `stopped after failure (exit code ${code})`);
  }

  /**
   * The app called process.exit(code) itself. Synchronous: the process is already exiting, so
   * only the final report is made (no handlers, no timers).
   */
  appExited(code: number): void {
    if (this.finished) return;
    const stopping = this.state === 'stop-pending';
    this.finished = true;
    this.stopTicker();
    // Log before reporting STOPPED: once the SCM sees STOPPED the process may be ended.
    this.deps.log(code === 0 ? 'info' : 'error', stopping && code === 0 ? 'stopped' : `app exited with code ${code}`);
    this.state = 'stopped';
    this.emit(code);
  }

  private finish(exitCode: number, message: string): void {
    if (this.finished) return;
    this.finished = true;
    this.stopTicker();
    // Log before reporting STOPPED: once the SCM sees STOPPED the process may be ended.
    this.deps.log(exitCode === 0 ? 'info' : 'error', message);
    this.state = 'stopped';
    this.emit(exitCode);
    this.deps.exit(exitCode);
  }

  private enterPending(state: 'start-pending' | 'stop-pending' | 'pause-pending' | 'continue-pending'): void {
    this.stopTicker();
    this.state = state;
    this.checkPoint = 1;
    this.emit(0);
    this.ticker = this.deps.clock.setInterval(() => {
      this.checkPoint += 1;
      this.emit(0);
    }, this.opts.checkpointIntervalMs);
  }

  private stopTicker(): void {
    if (this.ticker !== null) this.deps.clock.clearInterval(this.ticker);
    this.ticker = null;
  }

  private accepts(): AcceptFlag[] {
    if (this.state !== 'running' && this.state !== 'start-pending' && this.state !== 'paused') return [];
    const flags: AcceptFlag[] = this.opts.acceptPreshutdown ? ['stop', 'preshutdown'] : ['stop', 'shutdown'];
    if (this.state === 'start-pending' || !this.deps.runControl) return flags;
    const c = this.controls;
    if (c.pauseContinue) flags.push('pause-continue');
    if (c.paramChange) flags.push('paramchange');
    if (c.sessionChange) flags.push('session-change');
    if (c.powerEvent) flags.push('power-event');
    return flags;
  }

  private emit(exitCode: number): void {
    const pending = this.state.endsWith('-pending');
    const live = this.state === 'running' || this.state === 'paused';
    this.deps.report({
      state: this.state,
      // START_PENDING accepts a stop too: an app that never finishes starting can still be stopped.
      accepts: live || this.state === 'start-pending' ? this.accepts() : [],
      exitCode,
      checkPoint: pending ? this.checkPoint : 0,
      waitHintMs: pending ? PENDING_WAIT_HINT_MS : 0,
      userCodes: {
        rotate: live && this.acceptsDelivered({ kind: 'custom', code: ROTATE_CONTROL }),
        custom: live && this.acceptsDelivered({ kind: 'custom', code: ROTATE_CONTROL + 1 }),
      },
    });
  }
}

/** How a control is named in log lines: `pause`, `reload`, `control 200`, `session change WTS_SESSION_LOCK`. */
export function controlName(control: DeliveredControl): string {
  if (control === 'paramchange') return 'reload';
  if (typeof control === 'string') return control;
  switch (control.kind) {
    case 'custom':
      return control.code === ROTATE_CONTROL ? 'rotate (control 128)' : `control ${control.code}`;
    case 'session-change':
      return `session change ${control.event} (session ${control.sessionId})`;
    case 'power-event':
      return `power event ${control.event}`;
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
