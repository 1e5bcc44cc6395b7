/**
 * The service lifecycle as a pure state machine (DESIGN §2.3). It never touches Win32: it reports
 * states through `StatusSink` and gets time from `Clock`, so it runs on Linux against a fake SCM.
 * The SCM bridge (`scm/service-controller.ts`) turns its reports into SetServiceStatus calls;
 * `session.ts` wires it for service mode, `run` and the supervised child, `supervise/supervisor.ts`
 * for the supervisor.
 */

export type ServiceState = 'start-pending' | 'running' | 'stop-pending' | 'stopped';
export type StopReason = 'stop' | 'shutdown' | 'preshutdown' | 'console';
/** Control requests the SCM may send; everything else is answered "not implemented". */
export type ControlRequest = 'stop' | 'shutdown' | 'preshutdown' | 'interrogate';

export interface ServiceStatus {
  state: ServiceState;
  /** Controls the service accepts in this state. */
  accepts: ControlRequest[];
  /** 0 on success; otherwise the service-specific exit code reported with ERROR_SERVICE_SPECIFIC_ERROR. */
  exitCode: number;
  /** Increases during each pending state so the SCM sees progress. */
  checkPoint: number;
  /** Milliseconds the SCM should wait for the next report during a pending state. */
  waitHintMs: number;
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
   * How long stop handlers may run before the stop is forced, ms (default 20 000); a function is
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
   * Runs the app's stop work (onStop handlers, SIGTERM/SIGINT listeners) and resolves when it is
   * done. Rejections are logged and treated as done.
   */
  runStopHandlers(reason: StopReason): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Called once, after STOPPED was reported; ends the process with this exit code. */
  exit(exitCode: number): void;
  clock: Clock;
}

export const DEFAULT_LIFECYCLE_OPTIONS: LifecycleOptions = {
  stopTimeoutMs: 20_000,
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
   * A control request arrived (from HandlerEx or the console). Returns false when the control is
   * not accepted in this state (the bridge answers ERROR_CALL_NOT_IMPLEMENTED).
   */
  control(request: ControlRequest): boolean {
    if (request === 'interrogate') {
      this.emit(0);
      return true;
    }
    if (!this.accepts().includes(request)) return false;
    void this.stop(request);
    return true;
  }

  /** Stops the service for `reason`: STOP_PENDING with checkpoints, handlers, then STOPPED (exit 0). */
  async stop(reason: StopReason): Promise<void> {
    if (this.finished || this.state === 'stop-pending') return;
    this.enterPending('stop-pending');
    this.deps.log('info', `stopping (${reason})`);
    const { clock } = this.deps;
    const stopTimeoutMs = typeof this.opts.stopTimeoutMs === 'function' ? this.opts.stopTimeoutMs() : this.opts.stopTimeoutMs;
    let timer: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimeout(() => resolve('timeout'), stopTimeoutMs);
    });
    const handlers = this.deps.runStopHandlers(reason).then(
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
    }
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

  private enterPending(state: 'start-pending' | 'stop-pending'): void {
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

  private accepts(): ControlRequest[] {
    if (this.state !== 'running' && this.state !== 'start-pending') return [];
    return this.opts.acceptPreshutdown ? ['stop', 'preshutdown'] : ['stop', 'shutdown'];
  }

  private emit(exitCode: number): void {
    const pending = this.state === 'start-pending' || this.state === 'stop-pending';
    this.deps.report({
      state: this.state,
      accepts: this.state === 'running' ? this.accepts() : [],
      exitCode,
      checkPoint: pending ? this.checkPoint : 0,
      waitHintMs: pending ? PENDING_WAIT_HINT_MS : 0,
    });
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
