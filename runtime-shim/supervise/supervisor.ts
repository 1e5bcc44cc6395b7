/**
 * Supervised mode: the service process stays a small supervisor and runs the app in a
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
 * - Exit-code policy (`exitCodes`): an app exit (not during a stop) with a success code ends the
 *   service cleanly (STOPPED, exit code 0, no restart); a restart code (or, with 'all', any other
 *   code) asks the RestartPolicy; any other code stops the service as failed with that code as its
 *   service exit code, so the SCM's recovery actions take over.
 * - Stop/shutdown: the pre-stop hook, then the child is asked to stop (its onStop/SIGTERM path
 *   runs), then the post-stop hook, all within the stop timeout (hooks/stop-hooks.ts); the
 *   Lifecycle reports STOP_PENDING checkpoints meanwhile, then forces the stop; `exit` kills the
 *   whole process tree before the supervisor exits.
 * - Hooks: pre-start before the first child (a failure aborts the start: exit code 3), post-start
 *   once the service is RUNNING.
 * - Alerts (`deps.alert`, fire and forget): crash, restart, give-up, failed health check, lost
 *   heartbeat. Each also has an error or warning log record (which reaches the Event Log).
 * - `reconfigure` applies reloaded settings: restart policy, exit codes, health checks (re-armed).
 */
import type { AlertDetails, AlertEvent } from '../alerts/alert';
import { describeOutcome, hookLabel, type ServiceHooks } from '../hooks/service-hooks';
import { stopWithHooks } from '../hooks/stop-hooks';
import { ExitCode, Lifecycle, type Clock, type LifecycleDeps, type ServiceStatus, type StopReason } from '../lifecycle/lifecycle';
import { DEFAULT_OPERATION, type ExitCodePolicy } from '../settings/operation-settings';
import { RestartPolicy, type RestartPolicySettings } from './restart-policy';
import type { SupervisorStatus } from '../status/status-report';

/** What the child tells the supervisor. */
export type ChildEvent =
  | { type: 'running' }
  | { type: 'heartbeat' }
  /** The app sent itself a stop signal while running (lifecycle/stop/self-signal.ts): stop the service. */
  | { type: 'stop-request'; signal: string }
  | { type: 'exit'; code: number | null };

export interface AppChild {
  readonly pid: number;
  /** Asks the app to stop as the service would (its onStop handlers and SIGTERM listeners). */
  requestStop(reason: StopReason): void;
  /** Ends the app and every process it started. Never throws. */
  killTree(): void;
}

export interface HealthSettings {
  /** HTTP probe: its URL and timeout, ms between probes, and consecutive failures that restart the app. */
  probe: { url: string; timeoutMs: number; intervalMs: number; failures: number } | null;
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
  /** One HTTP health probe of `url`: resolves true when healthy. Required when health.probe is set. */
  probe?: (url: string, timeoutMs: number) => Promise<boolean>;
  /** The hook commands; absent: none. */
  hooks?: ServiceHooks;
  /** Sends an alert (alerts/alerts.ts); must return at once and never throw. */
  alert?: (event: AlertEvent, message: string, details?: AlertDetails) => void;
  /** Acts on controls besides stop (reload, rotate, the app's; supervisor-mode.ts); absent: none accepted. */
  runControl?: LifecycleDeps['runControl'];
  /** A stop began: arm the control thread's deadline (see LifecycleDeps.stopping). */
  stopping?: LifecycleDeps['stopping'];
}

export type { SupervisorStatus };

export interface SupervisorOptions {
  /** ms, or asked at each stop (see LifecycleOptions). */
  stopTimeoutMs: number | (() => number);
  /** Accept PRESHUTDOWN instead of SHUTDOWN (see LifecycleOptions). */
  acceptPreshutdown?: boolean;
  policy: RestartPolicySettings;
  health: HealthSettings;
  /** Which app exit codes end the service and which restart it (default: restart on every code). */
  exitCodes?: ExitCodePolicy;
}

/** What a reload may change in a running supervisor. */
export type LiveSupervisorSettings = Pick<SupervisorOptions, 'policy' | 'health'> & { exitCodes: ExitCodePolicy };

export class Supervisor {
  readonly lifecycle: Lifecycle;
  private readonly policy: RestartPolicy;
  private child: AppChild | null = null;
  private childStarted = 0;
  private childRunning = false;
  private lastExitCode: number | null = null;
  /** The app's exit code when its process ended during a stop (null: it did not, or no app ran). */
  private exitCodeInStop: number | null = null;
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
  private readonly opts: SupervisorOptions & { exitCodes: ExitCodePolicy };

  constructor(
    private readonly deps: SupervisorDeps,
    opts: SupervisorOptions,
  ) {
    this.opts = { ...opts, exitCodes: opts.exitCodes ?? DEFAULT_OPERATION.exitCodes };
    this.policy = new RestartPolicy(opts.policy);
    this.lifecycle = new Lifecycle(
      {
        report: deps.report,
        runStopHandlers: (reason, deadline) => this.runStop(reason, deadline),
        log: deps.log,
        exit: (code) => {
          this.child?.killTree();
          deps.exit(code);
        },
        clock: deps.clock,
        ...(deps.runControl ? { runControl: deps.runControl } : {}),
        ...(deps.stopping ? { stopping: deps.stopping } : {}),
        stoppedExitCode: () => this.exitCodeInStop ?? 0,
      },
      { stopTimeoutMs: opts.stopTimeoutMs, acceptPreshutdown: opts.acceptPreshutdown ?? false },
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

  /** ServiceMain was called: START_PENDING, the pre-start hook (checkpoints continue), then the first child. */
  start(): void {
    this.lifecycle.start();
    const hooks = this.deps.hooks;
    if (!hooks?.configured('preStart')) {
      this.launch();
      return;
    }
    const began = this.deps.clock.now();
    void hooks.run('preStart').then((outcome) => {
      if (!outcome || outcome.ok) {
        this.launch();
        return;
      }
      const message = `the ${hookLabel('preStart')} hook ${describeOutcome(outcome, this.deps.clock.now() - began)}: the service does not start`;
      this.deps.alert?.('start-failed', message, outcome.code === null ? {} : { exitCode: outcome.code });
      this.lifecycle.fail(ExitCode.StartFailed, message);
    });
  }

  /**
   * Applies reloaded settings: the restart policy (its restart history is kept), the exit-code
   * policy, and the health checks, re-armed for a running app when they changed. The stop timeout
   * is asked at each stop anyway.
   */
  reconfigure(next: LiveSupervisorSettings): void {
    this.policy.reconfigure(next.policy);
    this.opts.exitCodes = next.exitCodes;
    const healthChanged = JSON.stringify(next.health) !== JSON.stringify(this.opts.health);
    this.opts.policy = next.policy;
    this.opts.health = next.health;
    if (healthChanged && this.childRunning && !this.stopping) {
      this.disarmHealth();
      this.probeFailures = 0;
      this.armHealth();
    }
  }

  private launch(): void {
    this.restartTimer = null;
    if (this.stopping) return;
    this.killedBecause = null;
    this.probeFailures = 0;
    this.lastProbe = null;
    this.lastHeartbeatAt = null;
    this.launches++;
    this.childRunning = false;
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
        this.childRunning = true;
        this.armHealth();
        if (!this.everRunning) {
          this.everRunning = true;
          this.lifecycle.started();
          void this.deps.hooks?.run('postStart', { pid: child.pid });
        }
        return;
      case 'heartbeat':
        this.lastHeartbeatAt = this.deps.clock.now();
        this.armHeartbeat();
        return;
      case 'stop-request':
        this.deps.log('info', `the app (pid ${child.pid}) sent itself ${event.signal}: stopping the service`);
        void this.lifecycle.stop('stop');
        return;
      case 'exit':
        this.onChildExit(child, event.code);
    }
  }

  private onChildExit(child: AppChild, code: number | null): void {
    this.disarmHealth();
    this.child = null;
    this.childRunning = false;
    this.lastExitCode = code;
    child.killTree(); // processes the app left behind go with it
    if (this.stopping) {
      this.exitCodeInStop = code;
      this.deps.log('info', `app stopped (exit code ${code ?? 'none'})`);
      this.childExited?.();
      return;
    }
    const { success, restart } = this.opts.exitCodes;
    const killed = this.killedBecause !== null;
    if (!killed && code !== null && success.includes(code)) {
      this.deps.log('info', `app exited with success code ${code}: stopping the service`);
      this.lifecycle.complete();
      return;
    }
    const now = this.deps.clock.now();
    const uptime = now - this.childStarted;
    const why = this.killedBecause ?? `app exited unexpectedly with code ${code ?? 'none'}`;
    const message = `${why} after ${(uptime / 1000).toFixed(1)} s (pid ${child.pid})`;
    this.deps.log('error', message);
    // A killed app was already alerted for (failed health check, lost heartbeat).
    if (!killed) this.deps.alert?.('crash', message, code === null ? {} : { exitCode: code });
    const restarts = killed || code === null || restart === 'all' || restart.includes(code);
    if (!restarts) {
      const failed = `app exit code ${code} is neither a success nor a restart exit code: stopping the service as failed`;
      this.lifecycle.fail(code, failed);
      return;
    }
    const decision = this.policy.onUnexpectedExit(now, uptime);
    if (decision.action === 'give-up') {
      this.deps.alert?.('give-up', `giving up: ${decision.reason}`, code === null ? {} : { exitCode: code });
      this.lifecycle.fail(ExitCode.GaveUp, `giving up: ${decision.reason}`);
      return;
    }
    const restarting = `restarting the app in ${(decision.delayMs / 1000).toFixed(1)} s (restart ${decision.attempt})`;
    this.deps.log('warn', restarting);
    this.deps.alert?.('restart', restarting, { attempt: decision.attempt, ...(code === null ? {} : { exitCode: code }) });
    this.restartTimer = this.deps.clock.setTimeout(() => this.launch(), decision.delayMs);
  }

  /** The Lifecycle's stop work: pre-stop hook, the child's stop, post-stop hook, within `deadline`. */
  private runStop(reason: StopReason, deadline: Promise<void>): Promise<void> {
    this.stopping = true;
    this.disarmHealth();
    if (this.restartTimer !== null) this.deps.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const hooks = this.deps.hooks;
    if (!hooks) return this.stopChild(reason);
    return stopWithHooks({
      reason,
      deadline,
      hooks,
      appStop: () => this.stopChild(reason),
      appPid: () => this.child?.pid ?? null,
      appExitCode: () => this.lastExitCode,
      log: this.deps.log,
    });
  }

  /** Asks the child to stop and resolves when it has exited. */
  private stopChild(reason: StopReason): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.childExited = resolve;
      child.requestStop(reason);
    });
  }

  private kill(because: string, event: AlertEvent): void {
    const child = this.child;
    if (!child || this.stopping || this.killedBecause) return;
    this.killedBecause = because;
    const message = `${because}: ending the app (pid ${child.pid}) and its processes`;
    this.deps.log('error', message);
    this.deps.alert?.(event, message);
    child.killTree();
  }

  private armHealth(): void {
    const { probe, heartbeatTimeoutMs } = this.opts.health;
    if (probe && this.deps.probe && this.healthTimer === null) {
      const check = this.deps.probe;
      const timer = this.deps.clock.setInterval(() => {
        void check(probe.url, probe.timeoutMs).then((healthy) => {
          if (this.healthTimer === timer) this.onProbe(healthy, probe.failures);
        });
      }, probe.intervalMs);
      this.healthTimer = timer;
    }
    if (heartbeatTimeoutMs !== null) this.armHeartbeat();
  }

  private onProbe(healthy: boolean, allowed: number): void {
    if (this.healthTimer === null) return; // disarmed meanwhile
    this.probeFailures = healthy ? 0 : this.probeFailures + 1;
    this.lastProbe = { healthy, at: this.deps.clock.now() };
    if (this.probeFailures >= allowed) this.kill(`health check failed ${this.probeFailures} times in a row`, 'health-check-failed');
  }

  private armHeartbeat(): void {
    const timeout = this.opts.health.heartbeatTimeoutMs;
    if (timeout === null || !this.child || this.stopping) return;
    if (this.heartbeatTimer !== null) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      this.heartbeatTimer = null;
      this.kill(`no heartbeat for ${(timeout / 1000).toFixed(1)} s (is the event loop blocked?)`, 'heartbeat-lost');
    }, timeout);
  }

  private disarmHealth(): void {
    if (this.healthTimer !== null) this.deps.clock.clearInterval(this.healthTimer);
    if (this.heartbeatTimer !== null) this.deps.clock.clearTimeout(this.heartbeatTimer);
    this.healthTimer = null;
    this.heartbeatTimer = null;
  }
}
