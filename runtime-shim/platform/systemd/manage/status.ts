/**
 * `status [--json]` on Linux: what systemd knows about the unit (`systemctl show`), what install
 * recorded in it, the settings (config.ts), and — from a running service — its live figures over
 * the Unix socket `/run/<name>/status.sock` (the unit's RuntimeDirectory=, reachable by root and
 * the service's user only). The JSON has the Windows report's shape (commands/status.ts) where a
 * field means the same; `lastExitCode` (Win32 codes) and `allowControl` (polkit decides on Linux)
 * are left out, and `systemd` holds systemd's own view. Needs no root, except for the stored
 * settings and the live figures (each left out with a reason without it).
 */
import path from 'node:path';
import type { ServiceStatusReport } from '../../../commands/status';
import { formatDuration, liveRows } from '../../../commands/status';
import type { ConfigRow } from '../../../commands/config';
import type { UnitContext } from './context';
import { unitConfigRows } from './config';
import { accountText } from './install';
import { endText, showUnit, stateName } from './systemctl';
import { readInstalledUnit, readStored } from './unit-store';

/** systemd's view of the unit, as `systemctl show` reports it. */
export interface SystemdView {
  unitFile: string;
  activeState: string;
  subState: string;
  /** success, exit-code, signal, timeout, watchdog, start-limit-hit, … */
  result: string;
  /** How the main process last ended: exited, killed, dumped ('' before it ever ran). */
  execMainCode: string;
  /** Its exit status (exited) or signal number (killed, dumped). */
  execMainStatus: number;
  /** Restarts systemd made (Restart=) since the unit was last started by hand. */
  restarts: number;
  /** enabled, disabled, … */
  unitFileState: string;
  /** Who the service runs as: a dynamic user of its own, root, or a named user. */
  runsAs: string;
  /** When the main process started (systemd's text; absent when not running). */
  startedAt?: string;
  /** How long it has run, by CLOCK_MONOTONIC (absent when not running). */
  uptimeMs?: number;
}

export type UnitStatusReport = Omit<ServiceStatusReport, 'lastExitCode' | 'allowControl'> & { systemd?: SystemdView };

export async function unitStatus(ctx: UnitContext, monotonicNowUs: () => number): Promise<UnitStatusReport> {
  const base = { name: ctx.name, version: ctx.version, dataDir: ctx.dataDir };
  const unit = readInstalledUnit(ctx);
  if (unit.kind === 'none') return { ...base, installed: false };
  const s = showUnit(ctx);
  if (unit.kind === 'foreign') {
    return { ...base, installed: true, state: stateName(s), ...(s.mainPid ? { pid: s.mainPid } : {}), liveUnavailable: `${unit.path} was not written by svcpack` };
  }
  const { record } = unit;
  const stored = readStored(ctx);
  if (!stored.ok) ctx.warn(`${ctx.name}: warning: ${stored.problem}: the stored settings show as the executable's own (run it with sudo to see them)`);
  const settings: ConfigRow[] = unitConfigRows(ctx, record, stored.ok ? stored.stored : {});
  const state = stateName(s);
  const runningNow = s.mainPid > 0 && s.execMainStartMonotonicUs > 0;
  const systemd: SystemdView = {
    unitFile: unit.path,
    activeState: s.activeState,
    subState: s.subState,
    result: s.result,
    execMainCode: s.execMainCode,
    execMainStatus: s.execMainStatus,
    restarts: s.nRestarts,
    unitFileState: s.unitFileState,
    runsAs: accountText(record.settings.account, ctx.name),
    ...(runningNow ? { startedAt: s.execMainStartTimestamp, uptimeMs: Math.max(0, Math.round((monotonicNowUs() - s.execMainStartMonotonicUs) / 1000)) } : {}),
  };
  const workingDir = record.settings.workingDir === 'exe' ? path.posix.dirname(record.binary) : record.settings.workingDir === 'data' ? ctx.dataDir : record.settings.workingDir;
  const report: UnitStatusReport = {
    ...base,
    installed: true,
    state,
    ...(s.mainPid ? { pid: s.mainPid } : {}),
    startType: record.settings.startType,
    displayName: record.settings.displayName,
    description: record.settings.description,
    account: record.settings.account,
    binaryPath: [record.binary, ctx.serviceArg, ...record.settings.args].join(' '),
    dependencies: record.settings.dependencies,
    // An ELF has no version resource: the running service reports its own in the live figures' name only.
    installedVersion: record.binary === ctx.exePath ? ctx.version : null,
    thisExe: record.binary === ctx.exePath,
    workingDirSetting: record.settings.workingDir,
    workingDir,
    settings,
    systemd,
  };
  if (state !== 'RUNNING') return { ...report, liveUnavailable: `the service is not running (${state})` };
  const live = await ctx.queryLive(ctx.statusSocket);
  if (!live.ok) return { ...report, liveUnavailable: ctx.isRoot ? live.reason : `live figures need root (the socket ${ctx.statusSocket} is root's and the service's): run it with sudo` };
  if (live.live.service.pid !== s.mainPid) {
    return { ...report, liveUnavailable: `the status socket is served by process ${live.live.service.pid}, not by the service (pid ${s.mainPid})` };
  }
  return { ...report, live: live.live };
}

/** The human-readable form (pure). */
export function formatUnitStatus(r: UnitStatusReport, ctx: Pick<UnitContext, 'exePath' | 'name'>): string {
  if (!r.installed) return `${r.name}: not installed (this executable is version ${r.version})\n`;
  const sys = r.systemd;
  const changed = (r.settings ?? []).filter((row) => row.source !== 'baked');
  const rows: [string, string][] = [
    ['state', `${r.state}${r.pid ? ` (pid ${r.pid})` : ''}${sys ? ` — systemd: ${sys.activeState} (${sys.subState})` : ''}`],
  ];
  if (sys) {
    rows.push(
      ['start type', `${r.startType ?? ''}${sys.unitFileState ? ` (${sys.unitFileState})` : ''}`],
      ['account', sys.runsAs],
      ['command', r.binaryPath ?? ''],
      ['dependencies', r.dependencies?.length ? r.dependencies.join(', ') : '(none)'],
      ['version', r.thisExe ? `${r.version} (this executable)` : `installed from ${r.binaryPath?.split(' ')[0] ?? '?'}; this executable is ${r.version}`],
      // systemd forgets the last exit when it starts the process again.
      ['last exit', sys.execMainCode ? endText({ result: sys.result, execMainCode: sys.execMainCode, execMainStatus: sys.execMainStatus }) : r.pid ? '(none since it started)' : '(never ran)'],
      ['restarts', String(sys.restarts)],
      ['unit', sys.unitFile],
    );
    if (sys.uptimeMs !== undefined) rows.push(['running for', `${formatDuration(sys.uptimeMs)} (since ${sys.startedAt})`]);
  }
  rows.push(
    ['data folder', r.dataDir],
    ['working dir', r.workingDir ?? ''],
    ['settings', changed.length === 0 ? `the executable's own (see "${path.posix.basename(ctx.exePath)} config get")` : changed.map((row) => `${row.name}=${row.value === '' ? '(none)' : row.value} [${row.source}]`).join(', ')],
  );
  if (r.live) rows.push(...liveRows(r.live));
  else if (r.liveUnavailable !== undefined) rows.push(['live', `no live figures: ${r.liveUnavailable}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.displayName ?? r.name} (${r.name})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''].join('\n');
}
