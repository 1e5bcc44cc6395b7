/**
 * systemctl as the management commands use it: each call one argument array through the runner,
 * with `--no-ask-password` (root is checked up front; a polkit prompt would hang a script), and a
 * failure turned into one line (ManageError) naming what was being done and systemctl's own words.
 */
import { ManageError } from '../../../commands/context';
import type { UnitContext } from './context';
import { binName } from './context';
import type { RunResult } from './runner';

export const SYSTEMCTL = 'systemctl';
export const JOURNALCTL = 'journalctl';

/** Runs `systemctl --no-ask-password args`. */
export function systemctl(ctx: Pick<UnitContext, 'runner'>, args: readonly string[], timeoutMs?: number): RunResult {
  return ctx.runner.run(SYSTEMCTL, ['--no-ask-password', ...args], timeoutMs === undefined ? {} : { timeoutMs });
}

/** systemctl's message: its stderr's last non-empty line (or stdout's), for one line of ours. */
export function toolMessage(r: RunResult): string {
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(Failed|Job for|Unit|Operation)/.test(l)) ?? lines[0] ?? `exit code ${r.code}`;
}

/** Runs systemctl and throws ManageError(`<doing>: <systemctl's message>`) when it fails. */
export function systemctlOrFail(ctx: Pick<UnitContext, 'runner' | 'name' | 'exePath'>, args: readonly string[], doing: string): RunResult {
  const r = systemctl(ctx, args);
  if (r.code !== 0) throw new ManageError(`${doing}: ${toolMessage(r)}`, `run "${binName(ctx)} status" and "journalctl -u ${ctx.name}" to see why`);
  return r;
}

/** The version of the running systemd (`systemctl --version`: "systemd 257 (257.9-1)"). */
export function systemdVersion(ctx: Pick<UnitContext, 'runner' | 'name' | 'exePath'>): number {
  const r = systemctl(ctx, ['--version']);
  const m = /^systemd (\d+)/m.exec(r.stdout);
  if (r.code !== 0 || !m) {
    throw new ManageError(`cannot ask systemd for its version: ${toolMessage(r)}`, 'this needs a Linux system run by systemd (systemctl on PATH)');
  }
  return Number(m[1]);
}

/** What `systemctl show` says about the unit: the properties the commands read. */
export interface UnitState {
  /** loaded, not-found, bad-setting, error, masked. */
  loadState: string;
  /** active, reloading, inactive, failed, activating, deactivating, maintenance, refreshing. */
  activeState: string;
  subState: string;
  /** 0 when not running. */
  mainPid: number;
  /** success, exit-code, signal, timeout, core-dump, watchdog, start-limit-hit, resources, … */
  result: string;
  /** The main process's last exit status (or signal number) and how it ended (exited, killed, dumped; '' before any). */
  execMainStatus: number;
  execMainCode: string;
  /** When the main process started, µs of CLOCK_MONOTONIC (0 when it never did). */
  execMainStartMonotonicUs: number;
  /** The same as wall-clock text ('' when it never started). */
  execMainStartTimestamp: string;
  /** Restarts systemd made since the unit was last started by hand. */
  nRestarts: number;
  /** enabled, disabled, masked, static, … ('' when unknown). */
  unitFileState: string;
  /** Why the unit could not be loaded ('' when it could). */
  loadError: string;
}

export const SHOWN_PROPERTIES = [
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'Result',
  'ExecMainStatus',
  'ExecMainCode',
  'ExecMainStartTimestampMonotonic',
  'ExecMainStartTimestamp',
  'NRestarts',
  'UnitFileState',
  'LoadError',
] as const;

/** Parses `systemctl show -p …` output (pure): `Key=value` lines. */
export function parseShow(text: string): UnitState {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const num = (key: string): number => {
    const n = Number(values.get(key) ?? '0');
    return Number.isFinite(n) ? n : 0;
  };
  // ExecMainCode is a number in `show` (CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3).
  const codes: Record<string, string> = { '0': '', '1': 'exited', '2': 'killed', '3': 'dumped' };
  const code = values.get('ExecMainCode') ?? '0';
  return {
    loadState: values.get('LoadState') ?? '',
    activeState: values.get('ActiveState') ?? '',
    subState: values.get('SubState') ?? '',
    mainPid: num('MainPID'),
    result: values.get('Result') ?? '',
    execMainStatus: num('ExecMainStatus'),
    execMainCode: codes[code] ?? code,
    execMainStartMonotonicUs: num('ExecMainStartTimestampMonotonic'),
    execMainStartTimestamp: values.get('ExecMainStartTimestamp') ?? '',
    nRestarts: num('NRestarts'),
    unitFileState: values.get('UnitFileState') ?? '',
    loadError: (values.get('LoadError') ?? '').replace(/^\S+\s*"?|"$/g, '').trim(),
  };
}

/** The unit's state now. Throws ManageError when systemctl cannot answer. */
export function showUnit(ctx: Pick<UnitContext, 'runner' | 'name' | 'unit' | 'exePath'>): UnitState {
  const r = systemctl(ctx, ['show', ...SHOWN_PROPERTIES.flatMap((p) => ['-p', p]), ctx.unit]);
  if (r.code !== 0) throw new ManageError(`cannot ask systemd about ${ctx.unit}: ${toolMessage(r)}`, 'this needs a Linux system run by systemd (systemctl on PATH)');
  return parseShow(r.stdout);
}

/** The Windows state name that means what systemd's active state does (status's `state`). */
export function stateName(s: Pick<UnitState, 'activeState'>): string {
  switch (s.activeState) {
    case 'active':
    case 'reloading':
    case 'refreshing':
      return 'RUNNING';
    case 'activating':
      return 'START_PENDING';
    case 'deactivating':
      return 'STOP_PENDING';
    default:
      return 'STOPPED';
  }
}

/** "result exit-code, exit status 3" / "result signal, killed by signal 9" / "result success". */
export function endText(s: Pick<UnitState, 'result' | 'execMainStatus' | 'execMainCode'>): string {
  const how =
    s.execMainCode === 'exited' ? `exit status ${s.execMainStatus}` : s.execMainCode === 'killed' || s.execMainCode === 'dumped' ? `killed by signal ${s.execMainStatus}` : '';
  return [`result ${s.result || 'unknown'}`, how].filter(Boolean).join(', ');
}
