/**
 * Wiring shared by service mode and `run`: the lifecycle, the runtime API host, crash handling
 * and the log. The mode supplies where statuses go and how the process ends.
 */
import path from 'node:path';
import { exitAfterAlerts, type Alerts } from '../alerts/alerts';
import { stopWithHooks } from '../hooks/stop-hooks';
import type { ServiceHooks } from '../hooks/service-hooks';
import { installHost, type LogLevel as ApiLevel, type RunMode } from '../api';
import { effectiveSettings } from '../settings/effective-settings';
import { ExitCode, Lifecycle, describe, type DeliveredControl, type LifecycleDeps, type ServiceStatus, type StopReason } from '../lifecycle/lifecycle';
import type { LogSink } from '../logging/log-sink';
import { runAppStopWork } from '../lifecycle/stop-work';
import { interceptSelfSignals, type StopSignalName } from '../lifecycle/stop/self-signal';

export interface SessionOptions {
  /** The service's name, as the app sees it (`service.name`). */
  name: string;
  isService: boolean;
  /** What `service.mode` tells the app. */
  mode: RunMode;
  /** The service's data folder, `%ProgramData%\<Name>` (host/data-dir.ts), given to the app. */
  dataDir: string;
  sink: LogSink;
  report(status: ServiceStatus): void;
  /** Listeners the mode registered on process signals (not the app's). */
  ownListeners: ReadonlySet<(...args: never[]) => unknown>;
  /** The console signal that began the current stop, if any. */
  triggeredBy(): string | undefined;
  /** Where `service.heartbeat()` goes (supervised mode); absent elsewhere. */
  heartbeat?(): void;
  /** Last words, run once from the process 'exit' event however the process ends (flush logs). */
  beforeExit?(): void;
  /** The stop hooks run around the app's stop work (service mode); absent: none. */
  hooks?: ServiceHooks;
  /**
   * Crash and failed-start alerts (service mode). A failing service waits up to ALERT_FLUSH_MS for
   * their delivery before its process exits (STOPPED is already reported then).
   */
  alerts?: Alerts;
  /** Acts on controls besides stop (service modes; see control-work.ts); absent: none accepted. */
  runControl?(control: DeliveredControl): Promise<void>;
  /**
   * Accept PRESHUTDOWN instead of SHUTDOWN (service mode): at system shutdown Windows then waits
   * for the stop up to the service's preshutdown timeout, not the few seconds SHUTDOWN gets.
   */
  acceptPreshutdown?: boolean;
  /** A stop began: arm the control thread's deadline (service and task modes; see LifecycleDeps.stopping). */
  stopping?(timeoutMs: number, cause: StopReason): void;
  /**
   * The app sent itself a stop signal while running (lifecycle/stop/self-signal.ts): stop the service.
   * Default: this session's lifecycle stops (reason 'stop'); the supervised app asks its supervisor.
   */
  requestStop?(signal: StopSignalName): void;
}

/**
 * How long a failing service (either mode) lets its alert webhook deliveries finish before its
 * process exits, ms. STOPPED is already reported then; the SCM's recovery waits for the exit.
 */
export const ALERT_FLUSH_MS = 3_000;

export interface Session {
  lifecycle: Lifecycle;
  /** Called after the app's entry module evaluated: RUNNING once tracked start work settles. */
  appLoaded(): void;
  /** The app's module evaluation or start work threw. */
  appFailed(err: unknown): void;
}

/** Unref'ed real timers: the shim's own timers never keep the process alive. */
export const realClock: LifecycleDeps['clock'] = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/**
 * The folder of the service's log files: the effective `logDir`, else the platform's own default
 * (`platformDefault`: systemd's LogsDirectory=), else `<data folder>\logs`.
 */
export function logDirIn(dataDir: string, logDir: string | null = effectiveSettings().logging.logDir, platformDefault?: string): string {
  return logDir ?? platformDefault ?? path.join(dataDir, 'logs');
}

export function createSession(opts: SessionOptions): Session {
  const log = (level: 'info' | 'warn' | 'error', message: string) => opts.sink.write(level, 'lifecycle', message);
  const lifecycle = new Lifecycle(
    {
      report: opts.report,
      runStopHandlers: (reason: StopReason, deadline: Promise<void>) => {
        const appStop = () => runAppStopWork(reason, { ownListeners: opts.ownListeners, triggeredBy: opts.triggeredBy() });
        if (!opts.hooks) return appStop();
        // In-process, the app's pid is this process's, and its exit code the one the service will report.
        return stopWithHooks({ reason, deadline, hooks: opts.hooks, appStop, appPid: () => process.pid, appExitCode: () => 0, log });
      },
      log,
      exit: (code) => exitAfterAlerts(opts.alerts, code, ALERT_FLUSH_MS),
      clock: realClock,
      ...(opts.runControl ? { runControl: opts.runControl } : {}),
      ...(opts.stopping ? { stopping: opts.stopping } : {}),
    },
    { stopTimeoutMs: () => effectiveSettings().stopTimeoutMs, acceptPreshutdown: opts.acceptPreshutdown ?? false },
  );

  const startWork: Promise<void>[] = [];
  installHost({
    name: opts.name,
    isService: opts.isService,
    mode: opts.mode,
    dataDir: opts.dataDir,
    write: (level: ApiLevel, message: string) => opts.sink.write(level, 'app', message),
    trackStart: (done) => startWork.push(done),
    heartbeat: () => opts.heartbeat?.(),
  });

  const fail = (what: string) => (err: unknown) => {
    if (lifecycle.current !== 'stopped') opts.alerts?.alert('crash', `${what}: ${firstLine(err)}`);
    lifecycle.fail(ExitCode.UncaughtException, `${what}: ${describe(err)}`);
  };
  const startFailed = (err: unknown) => {
    if (lifecycle.current !== 'stopped') opts.alerts?.alert('start-failed', `start failed: ${firstLine(err)}`);
    lifecycle.fail(ExitCode.StartFailed, `start failed: ${describe(err)}`);
  };
  let entryEvaluated = false;
  process.on('uncaughtException', fail('uncaught exception'));
  // A rejection nobody handles before the app's entry module has finished evaluating is a failed
  // start. That is also how a throwing entry arrives when the bundle is the SEA main (Node 26):
  // Node rejects the main module's evaluation, which no loader script catches.
  process.on('unhandledRejection', (err) => (entryEvaluated ? fail('unhandled promise rejection')(err) : startFailed(err)));
  process.on('exit', (code) => {
    lifecycle.appExited(code);
    opts.beforeExit?.();
  });
  interceptSelfSignals({
    phase: () => (lifecycle.current === 'stopped' ? 'stopped' : lifecycle.current === 'stop-pending' ? 'stopping' : 'live'),
    ownListeners: opts.ownListeners,
    requestStop: opts.requestStop ?? (() => void lifecycle.stop('stop')),
    log,
  });

  lifecycle.start();
  return {
    lifecycle,
    appLoaded() {
      entryEvaluated = true;
      Promise.all(startWork).then(() => lifecycle.started(), startFailed);
    },
    appFailed(err) {
      entryEvaluated = true;
      startFailed(err);
    },
  };
}

/** The first line of an error, for an alert (the log has its stack). */
function firstLine(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split(/\r?\n/)[0] ?? '';
}
