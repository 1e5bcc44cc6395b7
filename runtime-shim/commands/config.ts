/**
 * `config get [setting] [--json]`, `config set <setting> <value>…`, `config reset <setting>…`,
 * `config dump` (NSSM's get/set/reset/dump): an installed service's settings, changed
 * without a new exe.
 *
 * Two kinds of setting, one command:
 * - runtime settings (settings/runtime-settings.ts: logging, stop timeout, supervision, exit
 *   codes, hooks, alerts) are stored under the service's Parameters key; the baked value applies
 *   where none is stored, so a newer exe's defaults reach every setting an admin left alone;
 * - service settings (start type, account, recovery, env, args, working folder…) are what the SCM
 *   keeps; `set` and `reset` change them as `install --force` would, keeping the registered exe.
 *
 * A setting is named by its flag, with or without dashes (`log-level`, `--log-level`), or its key
 * (`logLevel`). Reading needs no administrator rights; changing does.
 */
import type { ConfigAction } from './command-line';
import { SETTING_FLAGS, type SettingFlag } from '../settings/flags';
import { quoted } from '../settings/quoted';
import { SettingError, settingsToFlagPairs, type SettingsInput } from '../settings/resolve';
import {
  resolveRuntime,
  RUNTIME_SETTINGS,
  namesSetting,
  runtimeSetting,
  runtimeSpec,
  runtimeValues,
  shownValue,
  type RuntimeKey,
  type RuntimeSettings,
  type RuntimeSettingSpec,
  type StoredResult,
} from '../settings/runtime-settings';
import type { ServiceSettings } from '../settings/service-settings';
import { SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS, SERVICE_RUNNING } from '../platform/manager-api';
import { ManageError, refuseLinuxPath, requireAdminRights, withService, type ManageContext } from './context';
import { install, notInstalled } from './install';
import { installedRuntime, readInstalled } from './installed';
import { argsTail, argsText, imagePathExe, quoteArg } from './scm-config';

/** Where an effective value comes from: the exe (`baked`), the Parameters key (`stored`), the SCM (`service`). */
export type ConfigSource = 'baked' | 'stored' | 'service';

export interface ConfigRow {
  /** The flag without dashes: `log-level`. */
  name: string;
  /** The value as its flag takes it; secrets redacted. '' for an empty list or text. */
  value: string;
  source: ConfigSource;
  /** When a change takes effect: `reload` (MySvc.exe reload), `restart`, or `now` (the SCM's own settings). */
  appliesOn: 'reload' | 'restart' | 'now';
}

/** A setting `config` can name: a runtime setting (stored with the service) or a service setting (the manager's own). */
export type Setting = { kind: 'runtime'; spec: RuntimeSettingSpec } | { kind: 'service'; flag: SettingFlag };

/** The setting named like its flag (`log-level`); throws a usage ManageError (exit 2) for an unknown name. Both platforms' `config` use it. */
export function findSetting(name: string): Setting {
  const runtime = runtimeSetting(name);
  if (runtime) return { kind: 'runtime', spec: runtime };
  const flag = SETTING_FLAGS.find((f) => namesSetting(name, f));
  if (flag) return { kind: 'service', flag };
  throw new ManageError(`there is no setting ${quoted(name)}`, 'run "config get" to list the settings, named like their install flags (log-level, stop-timeout)', 2);
}

export async function configCommand(ctx: ManageContext, cmd: ConfigAction): Promise<void> {
  switch (cmd.action) {
    case 'get': {
      const setting = cmd.name === undefined ? null : findSetting(cmd.name);
      printConfigGet(ctx.out, await configRows(ctx), setting, cmd.json);
      return;
    }
    case 'set':
      return setSetting(ctx, findSetting(cmd.name), cmd.values);
    case 'reset':
      for (const setting of cmd.names.map(findSetting)) await resetSetting(ctx, setting);
      return;
    case 'dump':
      ctx.out(await dumpLine(ctx));
  }
}

/** The name `config` shows for `s`: its flag without the dashes. */
export const nameOf = (s: Setting): string => (s.kind === 'runtime' ? s.spec.flag : s.flag.flag).slice(2);

/** Every setting of the installed service: value, where it comes from, when a change applies. */
export async function configRows(ctx: ManageContext): Promise<ConfigRow[]> {
  return withService(ctx, { write: false, access: SERVICE_QUERY_CONFIG, command: 'config get' }, (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    return rowsFor(ctx, service);
  });
}

/**
 * The rows of an open service (also used by `status`). Stored values that cannot be read, or are
 * not valid, show as the exe's own (what the service runs with), each with a warning saying why.
 */
export function rowsFor(ctx: ManageContext, service: object): ConfigRow[] {
  const { settings: runtime, stored: storedKeys } = installedRuntimeWarned(ctx);
  const values = runtimeValues(runtime);
  const runtimeRows = RUNTIME_SETTINGS.map(({ key, flag, appliesOn }): ConfigRow => ({
    name: flag.slice(2),
    value: values[key] === null ? '' : shownValue(key, values[key]),
    source: storedKeys.includes(key) ? 'stored' : 'baked',
    appliesOn,
  }));
  const installed = serviceValues(ctx, service);
  const baked = flagValues(ctx.baked);
  const serviceRows = SETTING_FLAGS.map(({ flag, appliesOn }): ConfigRow => {
    const value = installed.get(flag) ?? '';
    return { name: flag.slice(2), value, source: value === (baked.get(flag) ?? '') ? 'baked' : 'service', appliesOn };
  });
  return [...serviceRows, ...runtimeRows];
}

/** The service settings given once per value (`--env`, `--arg`). */
const REPEATABLE_FLAGS: ReadonlySet<string> = new Set(SETTING_FLAGS.filter((f) => f.repeatable).map((f) => f.flag));

/**
 * Flag → value text of `s` (repeatable flags joined by spaces, each quoted by `quote`: as on a
 * Windows command line by default, as for a shell on Linux).
 */
export function flagValues(s: ServiceSettings, quote: (word: string) => string = quoteArg): Map<string, string> {
  const values = new Map<string, string[]>();
  for (const [flag, value] of settingsToFlagPairs(s)) values.set(flag, [...(values.get(flag) ?? []), value]);
  return new Map([...values].map(([flag, list]) => [flag, REPEATABLE_FLAGS.has(flag) ? list.map(quote).join(' ') : list[0]!]));
}

/** The service settings as the SCM (and the Parameters key) report them; unreadable ones keep the baked value. */
function serviceValues(ctx: ManageContext, service: object): Map<string, string> {
  const installed = readInstalled(ctx.api, service, ctx.name);
  const values = flagValues({ ...ctx.baked, ...installed.settings });
  values.set('--arg', argsTail(installed.config.binaryPath, ctx.serviceArg));
  return values;
}

/**
 * `text` for runtime setting `key` as it will be stored: checked against `base` (the settings the
 * service would run with without this key) and normalised ('' for none). A value that does not
 * fit throws a usage ManageError (exit 2). Both platforms' `config set` use it.
 */
export function checkedRuntimeValue(key: RuntimeKey, text: string, base: RuntimeSettings): string {
  try {
    return runtimeValues(resolveRuntime({ [key]: text }, base))[key] ?? '';
  } catch (err) {
    if (err instanceof SettingError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
}

/**
 * What `config get` prints on either platform: every row (a table, or JSON), or the one row of
 * `setting` (its value, or the row as JSON).
 */
export function printConfigGet(out: (line: string) => void, rows: readonly ConfigRow[], setting: Setting | null, json: boolean): void {
  if (setting === null) {
    out(json ? JSON.stringify(rows, null, 2) : formatRows(rows));
    return;
  }
  const row = rows.find((r) => r.name === nameOf(setting))!;
  out(json ? JSON.stringify(row, null, 2) : row.value);
}

export function formatRows(rows: readonly ConfigRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map((r) => `  ${r.name.padEnd(width)}  ${r.value === '' ? '(none)' : r.value}${r.source === 'baked' ? '' : `   [${r.source}]`}`);
  return ['Settings (values marked [stored] or [service] differ from the exe\'s own):', ...lines].join('\n');
}

async function setSetting(ctx: ManageContext, setting: Setting, values: string[]): Promise<void> {
  const name = nameOf(setting);
  const repeatable = setting.kind === 'service' && setting.flag.repeatable;
  if (!repeatable && values.length > 1) {
    throw new ManageError(`${name} takes one value (got ${values.length}: ${values.map(quoted).join(' ')})`, 'quote a value that has spaces', 2);
  }
  if (setting.kind === 'service') {
    await changeServiceSetting(ctx, setting.flag, repeatable ? values : values[0]!, 'set');
    return;
  }
  const { key } = setting.spec;
  await changeRuntimeSetting(ctx, key, values[0]!);
}

async function resetSetting(ctx: ManageContext, setting: Setting): Promise<void> {
  if (setting.kind === 'service') {
    const pairs = settingsToFlagPairs(ctx.baked).filter(([flag]) => flag === setting.flag.flag).map(([, v]) => v);
    await changeServiceSetting(ctx, setting.flag, setting.flag.repeatable ? pairs : (pairs[0] ?? ''), 'reset');
    return;
  }
  await changeRuntimeSetting(ctx, setting.spec.key, null);
}

/** A service setting through install's update path: validated, applied with undo, the registered exe kept. */
async function changeServiceSetting(ctx: ManageContext, flag: SettingFlag, value: string | string[], how: 'set' | 'reset'): Promise<void> {
  // install checks the value (exit 2) before it changes anything.
  const result = await install(ctx, { input: { [flag.key]: value } as SettingsInput, force: true, keepExe: true });
  const shown = flagValues(result.settings).get(flag.flag);
  const name = flag.flag.slice(2);
  const text = flag.key === 'args' ? argsText(result.settings.args) : (shown ?? '');
  ctx.out(`${ctx.name}: ${name} ${how === 'reset' ? 'reset to the exe\'s own value' : 'set'}: ${text === '' ? '(none)' : text}`);
  ctx.out(`${ctx.name}: ${flag.appliesOn === 'restart' ? await whenRestart(ctx) : 'the Service Control Manager applies it now'}`);
}

/**
 * Stores (or, for null, deletes) one runtime setting after checking it against what the service
 * would run with, then says when it takes effect.
 */
async function changeRuntimeSetting(ctx: ManageContext, key: RuntimeKey, text: string | null): Promise<void> {
  const spec = runtimeSpec(key);
  const command = text === null ? 'config reset' : 'config set';
  requireAdminRights(ctx, command);
  const running = await withService(ctx, { write: true, access: SERVICE_QUERY_STATUS, command }, (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    // What the service would run with without this key: the new value must fit the others.
    const others = { ...ctx.api.getStoredSettings(ctx.name) };
    delete others[key];
    const base = installedRuntime(ctx, others).settings;
    let value: string | null = null;
    if (text !== null) {
      value = checkedRuntimeValue(key, text, base);
      if (key === 'logDir') refuseLinuxPath('log folder', value === '' ? null : value, ctx.name, '');
    }
    try {
      ctx.api.setStoredSetting(ctx.name, key, value);
    } catch (err) {
      throw new ManageError(`storing ${spec.flag}: ${(err as Error).message}`, `run "${ctx.name}.exe ${command}" from a command prompt opened with "Run as administrator"`);
    }
    const shown = shownValue(key, value ?? runtimeValues(base)[key]);
    ctx.out(`${ctx.name}: ${spec.flag.slice(2)} ${value === null ? `reset to the exe's own value: ${shown}` : `set: ${shown}`}`);
    return ctx.api.queryStatus(service).state === SERVICE_RUNNING;
  });
  if (!running) ctx.out(`${ctx.name}: the service is not running; it applies this when it starts`);
  else if (spec.appliesOn === 'reload') ctx.out(`${ctx.name}: the running service applies it on "${ctx.name}.exe reload" (or at its next start)`);
  else ctx.out(`${ctx.name}: takes effect at the next start: run "${ctx.name}.exe restart"`);
}

async function whenRestart(ctx: ManageContext): Promise<string> {
  const running = await withService(ctx, { write: false, access: SERVICE_QUERY_STATUS, command: 'config set' }, (_scm, service) =>
    service ? ctx.api.queryStatus(service).state === SERVICE_RUNNING : false,
  );
  return running ? `takes effect at the next start: run "${ctx.name}.exe restart"` : 'the service applies it when it starts';
}

/**
 * The `install` command line that recreates the service with every value that differs from the
 * exe's own (like `nssm dump`), for the registered exe. Secrets are shown redacted and must be
 * given again.
 */
async function dumpLine(ctx: ManageContext): Promise<string> {
  return withService(ctx, { write: false, access: SERVICE_QUERY_CONFIG, command: 'config dump' }, (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    const config = ctx.api.queryConfig(service);
    const installed = readInstalled(ctx.api, service, ctx.name);
    const current: ServiceSettings = { ...ctx.baked, ...installed.settings };
    // The exe path always quoted, as on the service's command line.
    const parts = [`"${imagePathExe(config.binaryPath)}"`, 'install'];
    const valuesOf = (s: ServiceSettings, flag: string): string[] => settingsToFlagPairs(s).filter(([f]) => f === flag).map(([, v]) => v);
    for (const { flag, repeatable } of SETTING_FLAGS) {
      if (flag === '--arg') continue; // read from the command line below: the SCM keeps it there
      const now = valuesOf(current, flag);
      if (now.join('\0') === valuesOf(ctx.baked, flag).join('\0')) continue;
      // An emptied text or dependency list is written ""; an emptied env cannot be written as flags.
      if (now.length === 0 && !repeatable) parts.push(flag, '""');
      for (const value of now) parts.push(flag, quoteArg(value));
    }
    const tail = argsTail(config.binaryPath, ctx.serviceArg);
    if (tail !== argsText(ctx.baked.args)) for (const arg of splitArgs(tail)) parts.push('--arg', quoteArg(arg));
    const { settings, stored: storedKeys } = installedRuntimeWarned(ctx);
    const now = runtimeValues(settings);
    const then = runtimeValues(ctx.bakedRuntime);
    for (const key of storedKeys) {
      if (now[key] === then[key] || now[key] === null) continue;
      parts.push(runtimeSpec(key).flag, quoteArg(shownValue(key, now[key])));
    }
    return parts.join(' ');
  });
}

/** installedRuntime, with a warning for each stored value left out: for commands that show the settings. */
function installedRuntimeWarned(ctx: ManageContext): StoredResult {
  const result = installedRuntime(ctx);
  for (const problem of result.problems) ctx.warn(`${ctx.name}: warning: ${problem}`);
  return result;
}

/** Splits a command-line tail the way CommandLineToArgvW does (quotes, backslash-escaped quotes). */
export function splitArgs(tail: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let has = false;
  for (let i = 0; i < tail.length; i++) {
    const ch = tail[i]!;
    if (ch === '\\') {
      let n = 0;
      while (tail[i] === '\\') {
        n++;
        i++;
      }
      if (tail[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) current += '"';
        else inQuotes = !inQuotes;
      } else {
        current += '\\'.repeat(n);
        i--;
      }
      has = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      has = true;
    } else if (!inQuotes && /\s/.test(ch)) {
      if (has) args.push(current);
      current = '';
      has = false;
    } else {
      current += ch;
      has = true;
    }
  }
  if (has) args.push(current);
  return args;
}
