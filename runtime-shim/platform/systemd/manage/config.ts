/**
 * `config get/set/reset/dump` on Linux, with the same setting names and output as on Windows
 * (commands/config.ts):
 *
 * - runtime settings (logging, stop timeout, supervision, exit codes, hooks, alerts) are stored in
 *   the drop-in `<name>.service.d/svcpack.conf` (drop-in.ts: `Environment=SVCPACK_<KEY>=…` plus the
 *   unit directives they decide); `set`/`reset` rewrite it whole, then `systemctl daemon-reload`
 *   (the old file is put back if that fails). systemd sets a service's environment when it starts
 *   it, so a changed value reaches a running service at its next start: `set` says so and names
 *   `restart` (on Windows, some values already apply on `reload`);
 * - service settings (start type, account, env, args, …) are the unit's: `set`/`reset` go through
 *   install's update path (install.ts, `keepExe`).
 *
 * Reading needs no root, except the stored values (the drop-in is root's only): without root they
 * show as the executable's own, with a warning.
 */
import type { ConfigAction } from '../../manage-command';
import { checkedRuntimeValue, findSetting, flagValues as quotedFlagValues, nameOf, printConfigGet, type ConfigRow } from '../../../commands/config';
import { ManageError } from '../../../commands/context';
import { SETTING_FLAGS, type SettingFlag } from '../../../settings/flags';
import { quoted } from '../../../settings/quoted';
import { settingsToFlagPairs, type SettingsInput } from '../../../settings/resolve';
import {
  applyStored,
  RUNTIME_SETTINGS,
  runtimeSpec,
  runtimeValues,
  shownValue,
  type RuntimeKey,
} from '../../../settings/runtime-settings';
import type { ServiceSettings } from '../../../settings/service-settings';
import { dropInFile, serviceEnvironmentFile } from '../drop-in';
import { binName, notInstalled, requireRoot, unitUsage, type UnitContext } from './context';
import { installUnit } from './install';
import { showUnit, systemctl, systemdVersion, toolMessage } from './systemctl';
import { dropInDir, readInstalledUnit, readStored, restorePlanned, storedFilesPlan, writePlanned, type InstallRecord } from './unit-store';

/** A command-line word as a shell would need it (for `config dump` and list values). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Flag → value text of `s`, list values quoted for a shell. */
const flagValues = (s: ServiceSettings): Map<string, string> => quotedFlagValues(s, shellWord);

function installedRecord(ctx: UnitContext): InstallRecord {
  const unit = readInstalledUnit(ctx);
  if (unit.kind === 'none') throw notInstalled(ctx);
  if (unit.kind === 'foreign') throw new ManageError(`the unit ${ctx.unit} was not written by svcpack (${unit.path})`, 'manage it with systemctl');
  return unit.record;
}

/** The stored values, or none with a warning when they cannot be read (not root). */
function storedWarned(ctx: UnitContext): Partial<Record<RuntimeKey, string>> {
  const read = readStored(ctx);
  if (read.ok) return read.stored;
  ctx.warn(`${ctx.name}: warning: ${read.problem}: the stored settings show as the executable's own (run it with sudo to see them)`);
  return {};
}

/**
 * The settings of `record` as they may be shown: `--env` values that could not be read (the
 * environment file is root's only) as `***`, with a warning saying why.
 */
function shownSettings(ctx: UnitContext, record: InstallRecord): ServiceSettings {
  if (!record.envHidden) return record.settings;
  ctx.warn(`${ctx.name}: warning: ${record.envHidden.problem}: they show as *** (${record.envHidden.hint})`);
  return { ...record.settings, env: Object.fromEntries(Object.keys(record.settings.env).map((n) => [n, '***'])) };
}

/** Every setting of the installed service: value, where it comes from, when a change applies (also used by `status`). */
export function unitConfigRows(ctx: UnitContext, record: InstallRecord, stored: Partial<Record<RuntimeKey, string>>): ConfigRow[] {
  const result = applyStored(ctx.bakedRuntime, stored);
  for (const problem of result.problems) ctx.warn(`${ctx.name}: warning: ${problem}`);
  const values = runtimeValues(result.settings);
  const installed = flagValues(shownSettings(ctx, record));
  const baked = flagValues(ctx.baked);
  const serviceRows = SETTING_FLAGS.map(({ flag, appliesOn }): ConfigRow => {
    const value = installed.get(flag) ?? '';
    return { name: flag.slice(2), value, source: value === (baked.get(flag) ?? '') ? 'baked' : 'service', appliesOn };
  });
  // systemd sets the environment at start: a stored value reaches the service at its next start.
  const runtimeRows = RUNTIME_SETTINGS.map(({ key, flag }): ConfigRow => ({
    name: flag.slice(2),
    value: values[key] === null ? '' : shownValue(key, values[key]),
    source: result.stored.includes(key) ? 'stored' : 'baked',
    appliesOn: 'restart',
  }));
  return [...serviceRows, ...runtimeRows];
}

export async function unitConfig(ctx: UnitContext, cmd: ConfigAction): Promise<void> {
  switch (cmd.action) {
    case 'get': {
      const setting = cmd.name === undefined ? null : findSetting(cmd.name);
      printConfigGet(ctx.out, unitConfigRows(ctx, installedRecord(ctx), storedWarned(ctx)), setting, cmd.json);
      return;
    }
    case 'set': {
      const setting = findSetting(cmd.name);
      const repeatable = setting.kind === 'service' && setting.flag.repeatable;
      if (!repeatable && cmd.values.length > 1) {
        throw new ManageError(`${nameOf(setting)} takes one value (got ${cmd.values.length}: ${cmd.values.map(quoted).join(' ')})`, 'quote a value that has spaces', 2);
      }
      if (setting.kind === 'service') await changeServiceSetting(ctx, setting.flag, repeatable ? cmd.values : cmd.values[0]!, 'set');
      else changeRuntimeSetting(ctx, setting.spec.key, cmd.values[0]!);
      return;
    }
    case 'reset':
      for (const setting of cmd.names.map(findSetting)) {
        if (setting.kind === 'runtime') {
          changeRuntimeSetting(ctx, setting.spec.key, null);
          continue;
        }
        const pairs = settingsToFlagPairs(ctx.baked).filter(([flag]) => flag === setting.flag.flag).map(([, v]) => v);
        await changeServiceSetting(ctx, setting.flag, setting.flag.repeatable ? pairs : (pairs[0] ?? ''), 'reset');
      }
      return;
    case 'dump':
      ctx.out(dumpLine(ctx));
  }
}

function isRunning(ctx: UnitContext): boolean {
  const s = showUnit(ctx).activeState;
  return s === 'active' || s === 'reloading' || s === 'activating';
}

async function changeServiceSetting(ctx: UnitContext, flag: SettingFlag, value: string | string[], how: 'set' | 'reset'): Promise<void> {
  const result = await installUnit(ctx, { input: { [flag.key]: value } as SettingsInput, force: true, keepExe: true });
  const text = flagValues(result.settings).get(flag.flag) ?? '';
  ctx.out(`${ctx.name}: ${flag.flag.slice(2)} ${how === 'reset' ? "reset to the executable's own value" : 'set'}: ${text === '' ? '(none)' : text}`);
  if (flag.key === 'startType') ctx.out(`${ctx.name}: systemd applies it now (systemctl ${result.enablement})`);
  else ctx.out(`${ctx.name}: ${isRunning(ctx) ? `takes effect at the next start: run "sudo ${binName(ctx)} restart"` : 'the service applies it when it starts'}`);
}

/**
 * Stores (or, for null, removes) one runtime setting after checking it against what the service
 * would run with, rewriting the drop-in whole; then `daemon-reload` (on failure the old drop-in is
 * put back). Says when it takes effect.
 */
function changeRuntimeSetting(ctx: UnitContext, key: RuntimeKey, text: string | null): void {
  const spec = runtimeSpec(key);
  const command = text === null ? 'config reset' : 'config set';
  requireRoot(ctx, command);
  const record = installedRecord(ctx);
  if (record.envHidden) throw new ManageError(record.envHidden.problem, record.envHidden.hint);
  const read = readStored(ctx);
  if (!read.ok) throw new ManageError(`cannot read the stored settings: ${read.problem}`, read.hint);
  const others = { ...read.stored };
  delete others[key];
  const base = applyStored(ctx.bakedRuntime, others).settings;
  const value = text === null ? null : checkedRuntimeValue(key, text, base);
  const stored = value === null ? others : { ...others, [key]: value };
  const effective = applyStored(ctx.bakedRuntime, stored).settings;
  const version = systemdVersion(ctx);
  const dropIn = unitUsage(() => dropInFile({ name: ctx.name, binaryPath: record.binary, service: record.settings, systemdVersion: version, stored, effective, dir: dropInDir(ctx) }));
  for (const warning of dropIn?.warnings ?? []) ctx.warn(`${ctx.name}: warning: ${warning}`);
  const envFile = unitUsage(() => serviceEnvironmentFile({ name: ctx.name, service: record.settings, stored }));
  const files = storedFilesPlan(ctx, dropIn, stored, envFile);
  const restore = (): void => restorePlanned(ctx, files, (line) => ctx.warn(`${ctx.name}: ${line}`));
  try {
    writePlanned(ctx, files);
  } catch (err) {
    restore();
    throw new ManageError(`storing ${spec.flag}: ${(err as Error).message}`, `check ${dropInDir(ctx)}, then run "sudo ${binName(ctx)} ${command}" again`);
  }
  const reload = systemctl(ctx, ['daemon-reload']);
  if (reload.code !== 0) {
    restore();
    systemctl(ctx, ['daemon-reload']);
    throw new ManageError(`storing ${spec.flag}: systemctl daemon-reload: ${toolMessage(reload)}`, 'check that systemd runs this system, then try again');
  }
  const shown = shownValue(key, value ?? runtimeValues(base)[key]);
  ctx.out(`${ctx.name}: ${spec.flag.slice(2)} ${value === null ? `reset to the executable's own value: ${shown}` : `set: ${shown}`}`);
  // The environment is read when systemd starts the service: a reload does not bring the new value.
  if (isRunning(ctx)) ctx.out(`${ctx.name}: takes effect at the next start: run "sudo ${binName(ctx)} restart"`);
  else ctx.out(`${ctx.name}: the service is not running; it applies this when it starts`);
}

/** The `install` command line that recreates the service with every value that differs from the executable's own. */
function dumpLine(ctx: UnitContext): string {
  const record = installedRecord(ctx);
  const shown = shownSettings(ctx, record);
  const parts = [shellWord(record.binary), 'install'];
  const valuesOf = (s: ServiceSettings, flag: string): string[] => settingsToFlagPairs(s).filter(([f]) => f === flag).map(([, v]) => v);
  for (const { flag, repeatable } of SETTING_FLAGS) {
    const now = valuesOf(shown, flag);
    if (now.join('\0') === valuesOf(ctx.baked, flag).join('\0')) continue;
    if (now.length === 0 && !repeatable) parts.push(flag, "''");
    for (const value of now) parts.push(flag, shellWord(value));
  }
  const stored = storedWarned(ctx);
  const { settings, stored: storedKeys } = applyStored(ctx.bakedRuntime, stored);
  const now = runtimeValues(settings);
  const then = runtimeValues(ctx.bakedRuntime);
  for (const key of storedKeys) {
    if (now[key] === then[key] || now[key] === null) continue;
    parts.push(runtimeSpec(key).flag, shellWord(shownValue(key, now[key])));
  }
  return parts.join(' ');
}
