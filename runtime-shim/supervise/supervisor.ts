/**
 * Supervised mode (issue 4): the service process stays a small supervisor and runs the app in a
 * child process started from the same exe. This class is the supervisor's logic, free of
 * processes and Win32 (tested on Linux with a fake child and clock):
 *
 * - The SCM side is the ordinary `Lifecycle`: START_PENDING until the first child reports that the
 *   app runs, then RUNNING — and RUNNING stays while the supervisor restarts the app.
 * - An unexpected child exit asks the RestartPolicy: restart after a growing delay, or give up
 *   (logged, STOPPED with ExitCode.GaveUp so the SCM's recovery actions take over).
 * - Health: an HTTP probe (`probe`, every `intervalMs`, `failures` in a row) and/or a heartbeat the
 *   app sends through `service.heartbeat()` (none for `heartbeatTimeoutMs` → hung). Either kills
 *   the app's process tree; its exit then counts like a crash.
 * - Stop/shutdown: the child is asked to stop (its onStop/SIGTERM path runs); the Lifecycle waits up
 *   to the stop timeout with STOP_PENDING checkpoints, then forces the stop; `exit` kills the whole
 *   process tree before the supervisor exits.
 */
import { ExitCode, Lifecycle, type Clock, type LifecycleDeps, type ServiceStatus, type StopReason } from '../lifecycle';
import { RestartPolicy, type RestartPolicySettings } from './restart-policy';

/** What the child tells the supervisor. */
export type ChildEvent = { type: 'running' } | { type: 'heartbeat' } | { type: 'exit'; code: number | null };

export interface AppChild {
  readonly pid: number;
  /** Asks the app to stop as the service would (its onStop handlers and SIGTERM listeners). */
  requestStop(reason: StopReason): void;
  /** Ends the app and every process it started. Never throws. */
  killTree(): void;
}

export interface HealthSettings {
  /** HTTP probe: ms between probes, and consecutive failures that restart the app. */
  probe: { intervalMs: number; failures: number } | null;
  /** Restart when no heartbeat arrived for this long (ms); null: heartbeats are not required. */
  heartbeatTimeoutMs: number | null;
}

export interface SupervisorDeps {
  /** Starts the app in a child process; `onEvent` receives its events, `exit` last. */
  spawn(onEvent: (event: ChildEvent) => void): AppChild;
  report(status: ServiceStatus): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Ends the supervisor with this exit code (after STOPPED was reported). */
  exit(code: number): void;
  clock: Clock & { now(): number };
  /** One HTTP health probe: resolves true when healthy. Required when health.probe is set. */
  probe?: () => Promise<boolean>;
  /** Acts on controls besides stop (reload, rotate, the app's; supervisor-mode.ts); absent: none accepted. */
  runControl?: LifecycleDeps['runControl'];
}

/** What the supervisor knows now, for the live status (ages and uptime in ms of `clock.now`). */
export interface SupervisorStatus {
  /** Times the app was started again after an unexpected end. */
  restarts: number;
  /** The app's process now; null while it is down (waiting for a restart, stopping, given up). */
  appPid: number | null;
  appUptimeMs: number | null;
  /** The HTTP probe of the current app; null without a health URL. */
  probe: { lastHealthy: boolean | null; lastAgeMs: number | null; consecutiveFailures: number; failuresAllowed: number } | null;
  /** Heartbeats of the current app; null when not required. */
  heartbeat: { lastAgeMs: number | null; timeoutMs: number } | null;
}

export interface SupervisorOptions {
  /** ms, or asked at each stop (see LifecycleOptions). */
  stopTimeoutMs: number | (() => number);
  policy: RestartPolicySettings;
  health: HealthSettings;
}

export class Supervisor {
  readonly lifecycle: Lifecycle;
  private readonly policy: RestartPolicy;
  private child: AppChild | null = null;
  private childStarted = 0;
  private everRunning = false;
  private stopping = false;
  private childExited: (() => void) | null = null;
  private restartTimer: unknown = null;
  private healthTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private probeFailures = 0;
  private killedBecause: string | null = null;
  private launches = 0;
  private lastProbe: { healthy: boolean; at: number } | null = null;
  private lastHeartbeatAt: number | null = null;

  constructor(
    private readonly deps: SupervisorDeps,
    private readonly opts: SupervisorOptions,
  ) {
    this.policy = new RestartPolicy(opts.policy);
    this.lifecycle = new Lifecycle(
      {
        report: deps.report,
        runStopHandlers: (reason) => this.stopChild(reason),
        log: deps.log,
        exit: (code) => {
          this.child?.killTree();
          deps.exit(code);
        },
        clock: deps.clock,
        ...(deps.runControl ? { runControl: deps.runControl } : {}),
      },
      { stopTimeoutMs: opts.stopTimeoutMs },
    );
  }

  /** Read-only figures for the live status (status/status-server.ts). */
  status(): SupervisorStatus {
    const now = this.deps.clock.now();
    const { probe, heartbeatTimeoutMs } = this.opts.health;
    return {
      restarts: Math.max(0, this.launches - 1),
      appPid: this.child?.pid ?? null,
      appUptimeMs: this.child ? now - this.childStarted : null,
      probe:
        probe && this.deps.probe
          ? {
              lastHealthy: this.lastProbe?.healthy ?? null,
              lastAgeMs: this.lastProbe ? now - this.lastProbe.at : null,
              consecutiveFailures: this.probeFailures,
              failuresAllowed: probe.failures,
            }
          : null,
      heartbeat: heartbeatTimeoutMs !== null ? { lastAgeMs: this.lastHeartbeatAt !== null ? now - this.lastHeartbeatAt : null, timeoutMs: heartbeatTimeoutMs } : null,
    };
  }

  /** ServiceMain was called: START_PENDING, then the first child. */
  start(): void {
    this.lifecycle.start();
    this.launch();
  }

  private launch(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    this.killedBecause = null;
    this.probeFailures = 0;
    this.lastProbe = null;
    this.lastHeartbeatAt = null;
    this.launches++;
    this.childStarted = this.deps.clock.now();
    const child = this.deps.spawn((event) => this.onChildEvent(child, event));
    this.child = child;
    this.deps.log('info', `app started (pid ${child.pid})`);
  }

  private onChildEvent(child: AppChild, event: ChildEvent): void {
    if (child !== this.child) return; // a previous child's late event
    switch (event.type) {
      case 'running':
        this.deps.log('info', `app running (pid ${child.pid})`);
        if (!this.everRunning) {
          this.everRunning = true;
          this.lifecycle.started();
        }
        this.armHealth();
        return;
      case 'heartbeat':
        this.lastHeartbeatAt = this.deps.clock.now();
        this.armHeartbeat();
        return;
      case 'exit':
        this.onChildExit(child, event.code);
    }
  }

  private onChildExit(child: AppChild, code: number | null): void {
    this.disarmHealth();
    this.child = null;
    child.killTree(); // processes the app left behind go with it
    if (this.stopping) {
      this.deps.log('info', `app stopped (exit code ${code ?? 'none'})`);
      this.childExited?.();
      return;
    }
    const now = this.deps.clock.now();
    const uptime = now - this.childStarted;
    const why = this.killedBecause ?? `app exited unexpectedly with code ${code ?? 'none'}`;
    this.deps.log('error', `${why} after ${(uptime / 1000).toFixed(1)} s (pid ${child.pid})`);
    const decision = this.policy.onUnexpectedExit(now, uptime);
    if (decision.action === 'give-up') {
      this.lifecycle.fail(ExitCode.GaveUp, `giving up: ${decision.reason}`);
      return;
    }
    this.deps.log('warn', `restarting the app in ${(decision.delayMs / 1000).toFixed(1)} s (restart ${decision.attempt})`);
    this.restartTimer = this.deps.clock.setTimeout(() => this.launch(), decision.delayMs);
  }

  /** The Lifecycle's stop work: ask the child to stop and resolve when it has exited. */
  private stopChild(reason: StopReason): Promise<void> {
    this.stopping = true;
    this.disarmHealth();
    if (this.restartTimer !== null) this.deps.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.childExited = resolve;
      child.requestStop(reason);
    });
  }

  private kill(because: string): void {
    const child = this.child;
    if (!child || this.stopping || this.killedBecause) return;
    this.killedBecause = because;
    this.deps.log('error', `${because}: ending the app (pid ${child.pid}) and its processes`);
    child.killTree();
  }

  private armHealth(): void {
    const { probe, heartbeatTimeoutMs } = this.opts.health;
    if (probe && this.deps.probe && this.healthTimer === null) {
      const check = this.deps.probe;
      this.healthTimer = this.deps.clock.setInterval(() => {
        void check().then((healthy) => this.onProbe(healthy, probe.failures));
      }, probe.intervalMs);
    }
    if (heartbeatTimeoutMs !== null) this.armHeartbeat();
  }

  private onProbe(healthy: boolean, allowed: number): void {
    if (this.healthTimer === null) return; // disarmed meanwhile
    this.probeFailures = healthy ? 0 : this.probeFailures + 1;
    this.lastProbe = { healthy, at: this.deps.clock.now() };
    if (this.probeFailures >= allowed) this.kill(`health check failed ${this.probeFailures} times in a row`);
  }

  private armHeartbeat(): void {
    const timeout = this.opts.health.heartbeatTimeoutMs;
    if (timeout === null || !this.child || this.stopping) return;
    if (this.heartbeatTimer !== null) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      this.kill(`no heartbeat for ${(timeout / 1000).toFixed(1)} s (is the event loop blocked?)`);
    }, timeout);
  }

  private disarmHealth(): void {
    if (this.healthTimer !== null) this.deps.clock.clearInterval(this.healthTimer);
    if (this.heartbeatTimer !== null) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.healthTimer = null;
    this.heartbeatTimer = null;
  }
}
