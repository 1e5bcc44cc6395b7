/**
 * `svcpack/runtime`: the API an app may import (docs/architecture.md, The runtime API). Inside a
 * built exe the shim installs a host (service name, logger, stop wiring) before the app's first
 * line runs. Under plain `node` during development there is no host: `isService` is false, the
 * logger writes to the console, and SIGINT/SIGTERM run the onStop handlers (reason 'console') and
 * then exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { addControlHandler, type PowerEvent, type SessionChange } from './lifecycle/app-controls';

export type { PowerEvent, SessionChange } from './lifecycle/app-controls';

export type StopReason = 'stop' | 'shutdown' | 'preshutdown' | 'console';
export type StopHandler = (reason: StopReason) => void | Promise<void>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/**
 * How this process runs the app (`service.mode`):
 * - `service`: started by the Service Control Manager, the app in the service's own process;
 * - `supervised`: a service with `--supervise true`, the app in a child process the service restarts;
 * - `task`: started by Task Scheduler (`install --as task`): no console, logs to the service log
 *   file, ended by Task Scheduler without a stop signal (see docs/watchdog-and-tasks.md, Task
 *   Scheduler mode);
 * - `console`: `<exe> run` in a console, Ctrl+C stops it;
 * - `development`: plain `node` (or tsx) outside a built exe.
 */
export type RunMode = 'service' | 'supervised' | 'task' | 'console' | 'development';

export interface ServiceLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface Service {
  /** The service name (`--name`); under plain node, the entry script's base name. */
  readonly name: string;
  /** True only when the SCM started this process as a service. */
  readonly isService: boolean;
  /** How this process runs the app: service, supervised, task, console or development (see RunMode). */
  readonly mode: RunMode;
  /** Aborted when a stop begins (service stop, shutdown, Ctrl+C). */
  readonly signal: AbortSignal;
  /**
   * Writes to the service log (file; console under plain node). In the exe, records below its
   * log level (`--log-level`, default info) are dropped: `debug` needs `--log-level debug`.
   */
  readonly log: ServiceLogger;
  /**
   * The service's data folder, for its state and files: `%ProgramData%\<Name>` inside the exe
   * (created by `install`, writable by the service and administrators only); under plain node
   * `SVCPACK_DATA_DIR` or `.svcpack-data/<name>` in the working folder. Created on first use if
   * missing.
   */
  readonly dataDir: string;
  /**
   * Registers a stop handler. All handlers run concurrently when a stop begins; the stop completes
   * when they settle or the stop timeout passes. Returns a function that unregisters it.
   */
  onStop(handler: StopHandler): () => void;
  /**
   * Declares the app's start work: the service reports RUNNING only after `work` resolves, and
   * fails to start (STOPPED, non-zero exit code) if it rejects. Without it, RUNNING follows the
   * entry module's evaluation (including its top-level awaits).
   */
  start(work: () => unknown): Promise<void>;
  /**
   * Tells a supervised service's supervisor that the app is alive. With a heartbeat timeout set
   * (`--heartbeat-timeout`), an app that stops calling this (a blocked event loop) is restarted.
   * Call it from a timer; it does nothing elsewhere.
   */
  heartbeat(): void;
  /**
   * Called after `MySvc.exe reload` (SERVICE_CONTROL_PARAMCHANGE), once the service has re-read the
   * settings stored with it and applied what changes live (log level, rotation, supervision).
   * Re-read your own configuration here. May be async; a failing handler is logged, never fatal.
   * Returns a function that unregisters it.
   */
  onReload(handler: () => void | Promise<void>): () => void;
  /**
   * `MySvc.exe pause` (SERVICE_CONTROL_PAUSE): the service reports PAUSE_PENDING while the handlers
   * run, then PAUSED. The service accepts pause/continue only while the app has registered both an
   * onPause and an onContinue handler (a service that cannot continue must not be paused). A
   * handler that fails is logged and the service stays RUNNING.
   */
  onPause(handler: () => void | Promise<void>): () => void;
  /**
   * `MySvc.exe continue` (SERVICE_CONTROL_CONTINUE): CONTINUE_PENDING while the handlers run, then
   * RUNNING (also when a handler fails; the failure is logged). See onPause.
   */
  onContinue(handler: () => void | Promise<void>): () => void;
  /**
   * `MySvc.exe control <code>`: a user-defined control code 129-255 (128 is the service's own
   * "rotate the log"). The service accepts these codes only while an onControl handler exists.
   */
  onControl(handler: (code: number) => void | Promise<void>): () => void;
  /**
   * Session changes (logon, logoff, lock, unlock, console/remote connect…): `event` is the Win32
   * name, e.g. `WTS_SESSION_LOCK`. The service subscribes (SERVICE_ACCEPT_SESSIONCHANGE) only while
   * a handler exists.
   */
  onSessionChange(handler: (change: SessionChange) => void | Promise<void>): () => void;
  /**
   * Power events: `event` is the Win32 name, e.g. `PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`. The
   * service subscribes (SERVICE_ACCEPT_POWEREVENT) only while a handler exists.
   */
  onPowerEvent(handler: (power: PowerEvent) => void | Promise<void>): () => void;
}

/** What the exe's shim provides; absent under plain node. */
export interface RuntimeHost {
  name: string;
  isService: boolean;
  /** The run mode; absent (a host that predates it): `service` when isService, else `console`. */
  mode?: RunMode;
  dataDir: string;
  write(level: LogLevel, message: string): void;
  /** Tells the host that start work began; the host reports RUNNING when `done` settles. */
  trackStart(done: Promise<void>): void;
  /** Forwards `service.heartbeat()` (supervised mode). */
  heartbeat?(): void;
}

const HOST_KEY = Symbol.for('svcpack.runtime.host');
type HostGlobal = typeof globalThis & { [HOST_KEY]?: RuntimeHost };

const handlers = new Set<StopHandler>();
const controller = new AbortController();
let stopping: Promise<void> | null = null;
let devSignalsInstalled = false;
/** The data folder already created, so reading service.dataDir costs no file system call. */
let createdDataDir: string | null = null;

/** Called by the shim before the app runs. */
export function installHost(host: RuntimeHost): void {
  (globalThis as HostGlobal)[HOST_KEY] = host;
}

/** The host installed in this thread (shared by every copy of this module: it lives on globalThis). */
export function host(): RuntimeHost | undefined {
  return (globalThis as HostGlobal)[HOST_KEY];
}

/**
 * Runs every registered stop handler once (later calls return the same promise) and aborts
 * `service.signal`. Called by the shim's lifecycle, or by the dev-mode signal listeners.
 */
export function runStopHandlers(reason: StopReason): Promise<void> {
  stopping ??= (async () => {
    controller.abort(reason);
    const results = await Promise.allSettled([...handlers].map(async (h) => h(reason)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  })();
  return stopping;
}

/** Number of registered onStop handlers (the shim uses it to decide how to wait for a stop). */
export function stopHandlerCount(): number {
  return handlers.size;
}

function format(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : safeJson(a)))
    .join(' ');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function write(level: LogLevel, args: unknown[]): void {
  const h = host();
  const message = format(args);
  if (h) h.write(level, message);
  else (level === 'error' || level === 'warn' ? console.error : console.log)(`[${level}] ${message}`);
}

/** Under plain node: SIGINT/SIGTERM run the handlers, then the process exits. */
function installDevSignals(): void {
  if (devSignalsInstalled || host()) return;
  devSignalsInstalled = true;
  const onSignal = (): void => {
    runStopHandlers('console').then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export const service: Service = {
  get name() {
    return host()?.name ?? devName();
  },
  get isService() {
    return host()?.isService ?? false;
  },
  get mode() {
    const h = host();
    if (!h) return 'development';
    return h.mode ?? (h.isService ? 'service' : 'console');
  },
  get dataDir() {
    const dir = host()?.dataDir ?? process.env.SVCPACK_DATA_DIR ?? path.resolve('.svcpack-data', devName());
    if (dir !== createdDataDir) {
      fs.mkdirSync(dir, { recursive: true });
      createdDataDir = dir;
    }
    return dir;
  },
  signal: controller.signal,
  log: {
    debug: (...args) => write('debug', args),
    info: (...args) => write('info', args),
    warn: (...args) => write('warn', args),
    error: (...args) => write('error', args),
  },
  onStop(handler) {
    handlers.add(handler);
    installDevSignals();
    return () => handlers.delete(handler);
  },
  heartbeat() {
    host()?.heartbeat?.();
  },
  onReload: (handler) => addControlHandler('reload', handler),
  onPause: (handler) => addControlHandler('pause', handler),
  onContinue: (handler) => addControlHandler('continue', handler),
  onControl: (handler) => addControlHandler('control', handler),
  onSessionChange: (handler) => addControlHandler('sessionChange', handler),
  onPowerEvent: (handler) => addControlHandler('powerEvent', handler),
  start(work) {
    const done = Promise.resolve().then(work).then(() => undefined);
    host()?.trackStart(done);
    return done;
  },
};

function devName(): string {
  const script = process.argv[1] ?? 'app';
  return script.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
}

export default service;

export * from './services/index';
