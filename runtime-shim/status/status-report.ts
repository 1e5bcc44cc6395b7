/**
 * The live status a running service answers on its status pipe (status-server.ts) and
 * `<exe> status` shows (commands/status.ts): the wire format, version 1, built and checked here
 * purely. One JSON object per answer; times are ISO strings (UTC), durations ms, sizes bytes.
 * CPU percent is of one core (a busy two-threaded process can show 200) and is the average over
 * the process's life: CPU time divided by uptime.
 */
import type { ServiceState } from '../lifecycle/lifecycle';

export const LIVE_STATUS_PROTOCOL = 1;

/** How the service runs its app (docs/architecture.md, Boot: what the process is). */
export type ServiceMode = 'in-process' | 'supervised';

/** Memory and CPU of one process. */
export interface ProcessFigures {
  pid: number;
  /** When the process started (ISO, UTC). */
  startedAt: string;
  uptimeMs: number;
  /** Resident set size (working set on Windows). */
  rssBytes: number;
  /** V8 heap in use. */
  heapUsedBytes: number;
  /** User plus system CPU time, seconds. */
  cpuSeconds: number;
  /** `cpuSeconds` over the uptime, percent of one core. */
  cpuPercent: number;
}

/** The last error-level log record (the app's, the lifecycle's or the supervisor's: a crash reason). */
export interface LastError {
  at: string;
  source: string;
  /** Its first line, at most 500 characters. */
  message: string;
}

/** Supervised mode: the app's child process and its health checks. */
export interface AppFigures {
  /** Times the supervisor started the app again after it ended unexpectedly or was ended as unhealthy. */
  restarts: number;
  /** The app's process; null while it is down (between a crash and its restart). */
  process: ProcessFigures | null;
  /** Why `process` is null or incomplete, e.g. the app did not answer in time (its event loop blocked). */
  unavailable?: string;
  /** The HTTP probe; null when no health URL is set. */
  probe: {
    /** Result of the last probe; null before the first one. */
    lastResult: 'healthy' | 'unhealthy' | null;
    lastAgeMs: number | null;
    /** Failed probes in a row; the app is restarted when this reaches `failuresAllowed`. */
    consecutiveFailures: number;
    failuresAllowed: number;
  } | null;
  /** Heartbeats (`service.heartbeat()`); null when not required. */
  heartbeat: {
    /** Time since the last heartbeat; null when none arrived since the app started. */
    lastAgeMs: number | null;
    timeoutMs: number;
  } | null;
}

export interface LiveStatus {
  protocol: typeof LIVE_STATUS_PROTOCOL;
  name: string;
  mode: ServiceMode;
  /** The lifecycle's own state (the SCM's view may lag a report behind). */
  state: ServiceState;
  /** The service process: the app's own in-process, the supervisor's when supervised. */
  service: ProcessFigures;
  /** Supervised mode only. */
  app?: AppFigures;
  lastError: LastError | null;
  /** The log file being written now. */
  logFile: string;
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

/** What a process knows about itself (process.pid, uptime, memoryUsage, cpuUsage) at `nowMs` (epoch ms). */
export interface ProcessSample {
  pid: number;
  nowMs: number;
  uptimeMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** user + system, microseconds (process.cpuUsage()). */
  cpuMicros: number;
}

/** The figures of one process from its sample (pure). */
export function processFigures(s: ProcessSample): ProcessFigures {
  const cpuSeconds = s.cpuMicros / 1e6;
  const uptimeMs = Math.max(0, Math.round(s.uptimeMs));
  return {
    pid: s.pid,
    startedAt: new Date(s.nowMs - uptimeMs).toISOString(),
    uptimeMs,
    rssBytes: s.rssBytes,
    heapUsedBytes: s.heapUsedBytes,
    cpuSeconds: round(cpuSeconds, 3),
    cpuPercent: uptimeMs > 0 ? round((cpuSeconds * 1000 * 100) / uptimeMs, 1) : 0,
  };
}

/** Everything one answer is made of. */
export interface LiveStatusParts {
  name: string;
  state: ServiceState;
  /** The service process. */
  service: ProcessSample;
  lastError: LastError | null;
  logFile: string;
  /** Supervised mode: the supervisor's figures and the app process's own sample (null: none came). */
  supervised?: { supervisor: SupervisorStatus; app: ProcessSample | null };
}

/** One answer (pure). */
export function buildLiveStatus(parts: LiveStatusParts): LiveStatus {
  const base = {
    protocol: LIVE_STATUS_PROTOCOL,
    name: parts.name,
    state: parts.state,
    service: processFigures(parts.service),
    lastError: parts.lastError,
    logFile: parts.logFile,
  } as const;
  if (!parts.supervised) return { ...base, mode: 'in-process' };
  return { ...base, mode: 'supervised', app: appFigures(parts.supervised.supervisor, parts.supervised.app) };
}

function appFigures(sup: SupervisorStatus, sample: ProcessSample | null): AppFigures {
  const figures: AppFigures = {
    restarts: sup.restarts,
    process: sample && sup.appPid !== null ? processFigures(sample) : null,
    probe: sup.probe && {
      lastResult: sup.probe.lastHealthy === null ? null : sup.probe.lastHealthy ? 'healthy' : 'unhealthy',
      lastAgeMs: sup.probe.lastAgeMs === null ? null : Math.round(sup.probe.lastAgeMs),
      consecutiveFailures: sup.probe.consecutiveFailures,
      failuresAllowed: sup.probe.failuresAllowed,
    },
    heartbeat: sup.heartbeat && {
      lastAgeMs: sup.heartbeat.lastAgeMs === null ? null : Math.round(sup.heartbeat.lastAgeMs),
      timeoutMs: sup.heartbeat.timeoutMs,
    },
  };
  if (sup.appPid === null) figures.unavailable = 'the app is not running now (waiting to be restarted, stopping, or given up)';
  else if (!sample) figures.unavailable = `the app (pid ${sup.appPid}) did not report its figures in time (is its event loop blocked?)`;
  return figures;
}

/** This process's sample (process.* calls; the rest of this module is pure). */
export function sampleThisProcess(): ProcessSample {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    pid: process.pid,
    nowMs: Date.now(),
    uptimeMs: process.uptime() * 1000,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    cpuMicros: cpu.user + cpu.system,
  };
}

/** Parses and checks an answer (pure): the LiveStatus, or null when it is not one of this protocol. */
export function parseLiveStatus(text: string): LiveStatus | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || value.protocol !== LIVE_STATUS_PROTOCOL) return null;
  const ok =
    typeof value.name === 'string' &&
    (value.mode === 'in-process' || value.mode === 'supervised') &&
    typeof value.state === 'string' &&
    isProcessFigures(value.service) &&
    typeof value.logFile === 'string' &&
    (value.lastError === null || (isObject(value.lastError) && typeof value.lastError.message === 'string')) &&
    (value.app === undefined || (isObject(value.app) && typeof value.app.restarts === 'number' && (value.app.process === null || isProcessFigures(value.app.process))));
  return ok ? (value as unknown as LiveStatus) : null;
}

function isProcessFigures(v: unknown): boolean {
  return isObject(v) && ['pid', 'uptimeMs', 'rssBytes', 'heapUsedBytes', 'cpuSeconds', 'cpuPercent'].every((k) => typeof v[k] === 'number');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
