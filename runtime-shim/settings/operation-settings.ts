/**
 * How the running service is operated: which app exit codes end a supervised service
 * and which restart it, the hook commands around start and stop, and the alert webhook. Build
 * flags, config/API keys and the exe's `install`/`config set` flags of the same names:
 * `--success-exit-codes`, `--restart-exit-codes`, `--pre-start`, `--post-start`, `--pre-stop`,
 * `--post-stop`, `--hook-timeout`, `--alert-url`. Pure; bundled into the exe.
 *
 * Value syntax:
 * - successExitCodes: comma-separated whole numbers (`0,3`), or `none`;
 * - restartExitCodes: comma-separated whole numbers, `all` (every code not in successExitCodes),
 *   or `none` (no code restarts the app);
 * - preStart … postStop: a command line run by `cmd.exe /d /s /c`, `''` or `none` for no hook;
 * - hookTimeout: a duration (at least 1s);
 * - alertUrl: an http(s) URL, `''` or `none` for no webhook. Userinfo and query may hold secrets:
 *   `redactUrl` is what logs, status and `config get` show.
 */
import { flagName } from './flag-name';
import { quoted, hasControl } from './quoted';
import { parseDuration, SettingError } from './resolve';

export interface ExitCodePolicy {
  /** App exit codes that end the service cleanly (STOPPED, exit code 0, no recovery). */
  success: number[];
  /**
   * App exit codes that restart the app under the restart policy; 'all': every code not in
   * `success`. A code in neither list ends the service as failed with that exit code (the SCM's
   * recovery actions take over).
   */
  restart: number[] | 'all';
}

/** The four hook points, in the order a service's life meets them. */
export type HookName = 'preStart' | 'postStart' | 'preStop' | 'postStop';
export const HOOK_NAMES: readonly HookName[] = ['preStart', 'postStart', 'preStop', 'postStop'];

export interface HookSettings {
  /** Command line of each hook; null: none. */
  commands: Record<HookName, string | null>;
  /** How long one hook may run before it is ended and counted as failed, in ms. */
  timeoutMs: number;
}

export interface OperationSettings {
  exitCodes: ExitCodePolicy;
  hooks: HookSettings;
  /** Webhook that receives alerts as JSON POSTs; null: none. */
  alertUrl: string | null;
}

/**
 * Today's behaviour: a supervised app that exits on its own is restarted whatever its exit code
 * (systemd Restart=always, NSSM's AppExit default Restart); no hooks; no webhook.
 */
export const DEFAULT_OPERATION: OperationSettings = {
  exitCodes: { success: [], restart: 'all' },
  hooks: { commands: { preStart: null, postStart: null, preStop: null, postStop: null }, timeoutMs: 30_000 },
  alertUrl: null,
};

/** Every key optional; values as a user gives them. */
export interface OperationInput {
  successExitCodes?: string | number[];
  restartExitCodes?: string | number[];
  preStart?: string;
  postStart?: string;
  preStop?: string;
  postStop?: string;
  hookTimeout?: string | number;
  alertUrl?: string;
}

export interface OperationFlag {
  key: keyof OperationInput;
  flag: string;
  valueName: string;
  help: string;
}

const HELP: { readonly [K in keyof Required<OperationInput>]: [valueName: string, help: string] } = {
  successExitCodes: ['codes', 'supervised: app exit codes that end the service cleanly, e.g. 0 or 0,3, or none'],
  restartExitCodes: ['codes', 'supervised: app exit codes that restart the app, all or none; other codes fail the service'],
  preStart: ['command', 'command run before the app starts; a non-zero exit or a timeout aborts the start'],
  postStart: ['command', 'command run once the service is running'],
  preStop: ['command', 'command run when a stop begins, within the stop timeout'],
  postStop: ['command', 'command run after the app stopped, within what is left of the stop timeout'],
  hookTimeout: ['duration', 'how long each hook may run (at least 1s)'],
  alertUrl: ['url', 'webhook that receives a JSON POST on crash, restart, give-up, failed health check and lost heartbeat'],
};

export const OPERATION_FLAGS: readonly OperationFlag[] = (Object.keys(HELP) as Array<keyof OperationInput>).map((key) => ({
  key,
  flag: flagName(key),
  valueName: HELP[key][0],
  help: HELP[key][1],
}));

const MIN_HOOK_TIMEOUT_MS = 1_000;
/** Windows exit codes are DWORDs; Node reports them as unsigned. */
const MAX_EXIT_CODE = 0xffff_ffff;

/**
 * `base` with every key given in `input` validated and applied; keys not given keep base's
 * values. Throws `SettingError` on the first bad value. Does not modify `base`.
 */
export function resolveOperation(input: OperationInput, base: OperationSettings = DEFAULT_OPERATION): OperationSettings {
  const success = input.successExitCodes === undefined ? [...base.exitCodes.success] : exitCodes('successExitCodes', input.successExitCodes, ['none']);
  const restartGiven = input.restartExitCodes;
  const restart: number[] | 'all' =
    restartGiven === undefined
      ? base.exitCodes.restart === 'all' ? 'all' : [...base.exitCodes.restart]
      : typeof restartGiven === 'string' && restartGiven.trim().toLowerCase() === 'all'
        ? 'all'
        : exitCodes('restartExitCodes', restartGiven, ['none']);
  if (restart !== 'all') {
    const both = restart.find((code) => success.includes(code));
    if (both !== undefined) {
      throw new SettingError(
        input.restartExitCodes !== undefined ? 'restartExitCodes' : 'successExitCodes',
        `exit code ${both} is listed both as a success and as a restart code`,
        'list each exit code in one of --success-exit-codes and --restart-exit-codes',
      );
    }
  }
  const commands = { ...base.hooks.commands };
  for (const hook of HOOK_NAMES) if (input[hook] !== undefined) commands[hook] = hookCommand(hook, input[hook]);
  return {
    exitCodes: { success, restart },
    hooks: { commands, timeoutMs: input.hookTimeout === undefined ? base.hooks.timeoutMs : hookTimeout(input.hookTimeout) },
    alertUrl: input.alertUrl === undefined ? base.alertUrl : alertUrl(input.alertUrl),
  };
}

function exitCodes(setting: 'successExitCodes' | 'restartExitCodes', value: string | number[], words: readonly string[]): number[] {
  const hint = `write whole numbers separated by commas, e.g. 0,3, or none${setting === 'restartExitCodes' ? ', or all' : ''}`;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'none' && words.includes('none')) return [];
  const items = typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',').map((s) => s.trim())) : value.map(String);
  const codes: number[] = [];
  for (const item of items) {
    const code = /^\d+$/.test(item) ? Number(item) : Number.NaN;
    if (!Number.isSafeInteger(code) || code > MAX_EXIT_CODE) throw new SettingError(setting, `${quoted(item)} is not an exit code`, hint);
    if (!codes.includes(code)) codes.push(code);
  }
  return codes.sort((a, b) => a - b);
}

function hookCommand(hook: HookName, value: string): string | null {
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'none') return null;
  if (hasControl(text)) throw new SettingError(hook, `the ${flagName(hook)} command ${quoted(text)} contains a control character`, 'write the command on one line');
  return text;
}

function hookTimeout(value: string | number): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === null || !Number.isSafeInteger(ms) || ms < MIN_HOOK_TIMEOUT_MS) {
    throw new SettingError('hookTimeout', `${quoted(String(value))} is not a duration of at least 1s`, 'use e.g. 10s, 30s or 2m');
  }
  return ms;
}

function alertUrl(value: string): string | null {
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'none') return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SettingError('alertUrl', `${quoted(redactUrl(text))} is not an http(s) URL`, 'use e.g. https://hooks.example.com/alerts');
  }
  return text;
}

/**
 * `url` safe to show: userinfo and the query (where webhook tokens live) replaced by `***`;
 * text that is not a URL is shown as `***` entirely, since it may be a mistyped secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  const auth = parsed.username || parsed.password ? '***@' : '';
  const query = parsed.search ? '?***' : '';
  // Path segments of common webhook services carry tokens too (Slack, Teams): keep the first one only.
  const segments = parsed.pathname.split('/').filter(Boolean);
  const path = segments.length > 1 ? `/${segments[0]}/***` : parsed.pathname;
  return `${parsed.protocol}//${auth}${parsed.host}${path}${query}`;
}
