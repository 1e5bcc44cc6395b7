/**
 * `status [--json]`: what the SCM knows about the service, and whether the installed exe is this
 * one and the same version. Needs no administrator rights. A service that is not installed is a
 * status too (`installed: false`), not an error.
 */
import { SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS } from '../scm/manager-api';
import { rowsFor, type ConfigRow } from './config';
import { withService, type ManageContext } from './context';
import { exitCodeText, stateName } from './control';
import { argsTail, imagePathExe, startTypeName } from './scm-config';
import { describeWorkingDir, workingFolder } from '../working-dir';

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
}

export async function status(ctx: ManageContext): Promise<ServiceStatusReport> {
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
      workingDir: workingFolder(workingDirSetting, { exePath: exe, dataDir: ctx.dataDir }),
      settings: rowsFor(ctx, ctx.api, service),
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
    ['working dir', r.workingDirSetting === undefined ? '' : describeWorkingDir(r.workingDirSetting, { exePath: r.binaryPath ? imagePathExe(r.binaryPath) : '', dataDir: r.dataDir })],
    ['settings', changedSettings(r.settings ?? [])],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.displayName ?? r.name} (${r.name})`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''].join('\n');
}
