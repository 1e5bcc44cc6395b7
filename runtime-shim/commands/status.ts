/**
 * `status [--json]`: what the SCM knows about the service, and whether the installed exe is this
 * one and the same version. Needs no administrator rights. A service that is not installed is a
 * status too (`installed: false`), not an error.
 *
 * With a live query (the exe passes the status-pipe client), a RUNNING service is also asked for
 * its live figures (status/status-report.ts): `live` in the report; when there are none, one
 * reason in `liveUnavailable` (not running, access denied — the pipe answers administrators
 * only —, an exe that predates live status, no answer in time), and the SCM part stands as is.
 */
import { SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS } from '../platform/manager-api';
import { rowsFor, type ConfigRow } from './config';
import { withService, type ManageContext } from './context';
import { exitCodeText, stateName } from './control';
import { argsTail, imagePathExe, startTypeName } from './scm-config';
import { describeWorkingDir, workingFolder } from '../host/working-dir';
import type { LiveQueryResult } from '../status/status-client';
import type { LiveStatus, ProcessFigures } from '../status/status-report';

/** Asks the running service for its live status (the status-pipe client, or a fake in tests). */
export type LiveQuery = () => Promise<LiveQueryResult>;

export interface ServiceStatusReport {
  name: string;
  installed: boolean;
  /** RUNNING, STOPPED, START_PENDING, … (absent when not installed). */
  state?: string;
  /** Process id while running. */
  pid?: number;
  startType?: string;
  displayName?: string;
  description?: string;
  account?: string;
  /** The registered command line, exactly as the SCM stores it. */
  binaryPath?: string;
  dependencies?: string[];
  /** The installed exe's file version (a.b.c.d), null if it cannot be read. */
  installedVersion?: string | null;
  /** This exe's version. */
  version: string;
  /** True when the registered exe is this very file. */
  thisExe?: boolean;
  /** Last exit codes: Win32 (1066 = service-specific) and service-specific. */
  lastExitCode?: { win32: number; service: number };
  dataDir: string;
  /**
   * The `workingDir` setting the service starts with: `exe`, `data` or a path — the one stored
   * with it, else (none stored: registered by other means) this exe's baked one.
   */
  workingDirSetting?: string;
  /** The folder that setting names, the installed exe's folder for `exe`. */
  workingDir?: string;
  /** Every setting's effective value and where it comes from (`config get`'s rows). */
  settings?: ConfigRow[];
  /**
   * The accounts and groups `install --allow-control` allowed to query, start and stop the service
   * without administrator rights, as given (the service's Parameters value); [] when none.
   */
  allowControl?: string[];
  /** What the running service says about itself now (only when asked, and it answered). */
  live?: LiveStatus;
  /** Why there is no `live` (only when asked). */
  liveUnavailable?: string;
}

export async function status(ctx: ManageContext, queryLive?: LiveQuery): Promise<ServiceStatusReport> {
  const report = await scmStatus(ctx);
  if (!queryLive || !report.installed) return report;
  return { ...report, ...(await liveFigures(report, queryLive)) };
}

/** The live part: asked only of a RUNNING service, and checked to come from its own process. */
async function liveFigures(report: ServiceStatusReport, queryLive: LiveQuery): Promise<Pick<ServiceStatusReport, 'live' | 'liveUnavailable'>> {
  if (report.state !== 'RUNNING') return { liveUnavailable: `the service is not running (${report.state})` };
  const result = await queryLive();
  if (!result.ok) return { liveUnavailable: result.reason };
  if (report.pid !== undefined && result.live.service.pid !== report.pid) {
    return { liveUnavailable: `the status pipe is served by process ${result.live.service.pid}, not by the service (pid ${report.pid})` };
  }
  return { live: result.live };
}

function scmStatus(ctx: ManageContext): Promise<ServiceStatusReport> {
  return withService(ctx, { write: false, access: SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS, command: 'status' }, (_scm, service) => {
    const base = { name: ctx.name, version: ctx.version, dataDir: ctx.dataDir };
    if (!service) return { ...base, installed: false };
    const st = ctx.api.queryStatus(service);
    const config = ctx.api.queryConfig(service);
    const exe = imagePathExe(config.binaryPath);
    const delayed = ctx.api.queryConfig2(service, 'delayed-auto-start');
    const workingDirSetting = ctx.api.getServiceWorkingDir(ctx.name) ?? ctx.baked.workingDir;
    return {
      ...base,
      installed: true,
      state: stateName(st.state),
      ...(st.pid ? { pid: st.pid } : {}),
      startType: startTypeName(config.startType, delayed?.delayed ?? false),
      displayName: config.displayName,
      description: ctx.api.queryConfig2(service, 'description')?.description ?? '',
      account: config.account,
      binaryPath: config.binaryPath,
      dependencies: config.dependencies,
      installedVersion: ctx.api.fileVersion(exe),
      thisExe: exe.toLowerCase() === ctx.exePath.toLowerCase(),
      lastExitCode: { win32: st.win32ExitCode, service: st.serviceExitCode },
      workingDirSetting,
      workingDir: workingFolder(workingDirSetting, { exePath: exe, dataDir: ctx.dataDir, flavour: 'windows' }),
      settings: rowsFor(ctx, service),
      allowControl: ctx.api.getServiceAllowControl(ctx.name) ?? [],
    };
  });
}

/** The settings that differ from the exe's own, with where they come from; all of them are in `config get`. */
function changedSettings(rows: readonly ConfigRow[]): string {
  const changed = rows.filter((r) => r.source !== 'baked');
  if (changed.length === 0) return "the exe's own (see config get)";
  return changed.map((r) => `${r.name}=${r.value === '' ? '(none)' : r.value} [${r.source}]`).join(', ');
}

/** The human-readable form of a status report. */
export function formatStatus(r: ServiceStatusReport, serviceArg: string): string {
  if (!r.installed) return `${r.name}: not installed (this exe is version ${r.version})\n`;
  const version4 = (v: string) => [...v.split('.'), '0', '0', '0'].slice(0, 4).join('.');
  const sameVersion = r.installedVersion != null && version4(r.installedVersion) === version4(r.version);
  const rows: [string, string][] = [
    ['state', `${r.state}${r.pid ? ` (pid ${r.pid})` : ''}`],
    ['start type', r.startType ?? ''],
    ['account', r.account ?? ''],
    ['binary', r.binaryPath ?? ''],
    ['args', argsTail(r.binaryPath ?? '', serviceArg) || '(none)'],
    ['dependencies', r.dependencies?.length ? r.dependencies.join(', ') : '(none)'],
    [
      'version',
      `installed ${r.installedVersion ?? 'unknown'}, this exe ${r.version}` +
        (r.thisExe ? '' : ' (installed from another file)') +
        (r.installedVersion != null && !sameVersion ? ' — differs' : ''),
    ],
    ['last exit', r.lastExitCode ? exitCodeText({ win32ExitCode: r.lastExitCode.win32, serviceExitCode: r.lastExitCode.service }) : ''],
    ['data folder', r.dataDir],
    ['working dir', r.workingDirSetting === undefined ? '' : describeWorkingDir(r.workingDirSetting, { exePath: r.binaryPath ? imagePathExe(r.binaryPath) : '', dataDir: r.dataDir, flavour: 'windows' })],
    ['settings', changedSettings(r.settings ?? [])],
    ['allowed to control', r.allowControl?.length ? r.allowControl.join(', ') : 'administrators only'],
  ];
  if (r.live) rows.push(...liveRows(r.live));
  else if (r.liveUnavailable !== undefined) rows.push(['live', `no live figures: ${r.liveUnavailable}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.displayName ?? r.name} (${r.name})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''].join('\n');
}

/** The live figures as rows of the text form (pure). */
export function liveRows(live: LiveStatus): [string, string][] {
  const app = live.app;
  const proc = (label: string, p: ProcessFigures) => `${label} ${formatBytes(p.rssBytes)} (heap ${formatBytes(p.heapUsedBytes)})`;
  const cpu = (label: string, p: ProcessFigures) => `${label} ${p.cpuSeconds.toFixed(1)} s (${p.cpuPercent}% of a core on average)`;
  const self = app ? 'supervisor' : 'service';
  const rows: [string, string][] = [
    ['mode', live.mode],
    ['uptime', `${formatDuration(live.service.uptimeMs)} (since ${live.service.startedAt})`],
    ['memory', [proc(self, live.service), ...(app?.process ? [proc('app', app.process)] : [])].join('; ')],
    ['cpu', [cpu(self, live.service), ...(app?.process ? [cpu('app', app.process)] : [])].join('; ')],
  ];
  if (app) {
    const restarts = `${app.restarts} restart${app.restarts === 1 ? '' : 's'}`;
    rows.push(['app', app.process ? `pid ${app.process.pid}, up ${formatDuration(app.process.uptimeMs)}, ${restarts}` : `${app.unavailable ?? 'no figures'}; ${restarts}`]);
    if (app.probe) {
      const last = app.probe.lastResult === null ? 'no probe yet' : `${app.probe.lastResult} ${formatDuration(app.probe.lastAgeMs ?? 0)} ago`;
      rows.push(['health', `${last}, ${app.probe.consecutiveFailures} failed in a row (restart at ${app.probe.failuresAllowed})`]);
    }
    if (app.heartbeat) {
      const last = app.heartbeat.lastAgeMs === null ? 'none since the app started' : `last ${formatDuration(app.heartbeat.lastAgeMs)} ago`;
      rows.push(['heartbeat', `${last} (restart after ${formatDuration(app.heartbeat.timeoutMs)})`]);
    }
  }
  rows.push(['last error', live.lastError ? `${live.lastError.at} [${live.lastError.source}] ${live.lastError.message}` : '(none)']);
  rows.push(['log file', live.logFile]);
  return rows;
}

/** `950 ms`, `12.3 s`, `5m 04s`, `2h 03m 04s`, `3d 04h 05m` (pure). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [d, h, m, sec] = [Math.floor(s / 86_400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
  if (d > 0) return `${d}d ${pad(h)}h ${pad(m)}m`;
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
  return `${m}m ${pad(sec)}s`;
}

/** `512 B`, `1.5 KiB`, `45.2 MiB`, `1.02 GiB` (pure). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
