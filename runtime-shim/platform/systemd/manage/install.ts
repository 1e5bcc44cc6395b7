/**
 * `install` on Linux: writes the unit `/etc/systemd/system/<name>.service` (unit-file.ts) whose
 * ExecStart= runs this executable with `--service` and the app's arguments, and the drop-in
 * `<name>.service.d/svcpack.conf` (drop-in.ts) when runtime settings are stored; then
 * `systemctl daemon-reload`, and `enable` (start type auto) or `disable` (manual; disabled also
 * refuses `systemctl start`, RefuseManualStart=yes). `config set` of a service setting comes here
 * too (`keepExe`: the recorded executable stays).
 *
 * As on Windows: an existing unit is refused without `--force`, and with it only the given
 * settings change (the others are read back from the unit's record, unit-store.ts); a unit svcpack
 * did not write is never touched. Nothing is half-written: each file is written whole and renamed
 * into place, and if `daemon-reload`, the unit's loading or `enable`/`disable` fails, the files are
 * put back as they were (removed for a fresh install) and systemd reloaded again.
 */
import { ManageError } from '../../../commands/context';
import { resolveSettings, SettingError, type SettingsInput } from '../../../settings/resolve';
import { applyStored, resolveRuntime, runtimeValues, type RuntimeInput, type RuntimeKey, type RuntimeSettings } from '../../../settings/runtime-settings';
import type { ServiceSettings } from '../../../settings/service-settings';
import { dropInFile } from '../drop-in';
import { checkVisibleToSandbox, enablement, unitAccount, unitFile } from '../unit-file';
import { unitName } from '../unit-syntax';
import { binName, notInstalled, requireRoot, unitUsage, type UnitContext } from './context';
import { showUnit, systemctl, systemdVersion, toolMessage } from './systemctl';
import {
  dropInDir,
  readInstalledUnit,
  readStored,
  restorePlanned,
  storedFilesPlan,
  UNIT_MODE,
  unitPath,
  withInstallMarker,
  writePlanned,
  type InstallRecord,
  type PlannedFile,
} from './unit-store';

export interface UnitInstallOptions {
  input: SettingsInput;
  runtime?: RuntimeInput;
  force: boolean;
  /** `config set`/`reset`: the unit must exist and keeps its executable. */
  keepExe?: boolean;
}

export interface UnitInstallResult {
  action: 'installed' | 'updated';
  settings: ServiceSettings;
  /** The runtime settings the service starts with (baked + stored). */
  runtime: RuntimeSettings;
  binary: string;
  /** What `install` did about starting at boot. */
  enablement: 'enable' | 'disable';
  storedKeys: RuntimeKey[];
}

const usage = <T>(work: () => T): T => {
  try {
    return work();
  } catch (err) {
    if (err instanceof SettingError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
};

/** The keys of `input` that are set. */
const givenKeys = <T extends object>(input: T): (keyof T)[] => (Object.keys(input) as (keyof T)[]).filter((k) => input[k] !== undefined);

export async function installUnit(ctx: UnitContext, opts: UnitInstallOptions): Promise<UnitInstallResult> {
  const command = opts.keepExe ? 'config set' : 'install';
  requireRoot(ctx, command);
  unitUsage(() => unitName(ctx.name));
  const existing = readInstalledUnit(ctx);
  if (existing.kind === 'foreign') {
    throw new ManageError(
      `the unit ${ctx.unit} is taken by another program (${existing.path} was not written by svcpack)`,
      'build with another --name, or remove that unit first if it is really yours',
    );
  }
  if (existing.kind === 'none' && opts.keepExe) throw notInstalled(ctx);
  if (existing.kind === 'ours' && !opts.keepExe && !opts.force) {
    throw new ManageError(
      `service ${ctx.name} is already installed (${existing.record.binary})`,
      `run "sudo ${binName(ctx)} install --force" to update it to this executable and the given settings, or "sudo ${binName(ctx)} uninstall" first`,
    );
  }
  const fresh = existing.kind === 'none';
  const previous = existing.kind === 'ours' ? existing : null;
  const target = usage(() => resolveSettings(opts.input, previous?.record.settings ?? ctx.baked));
  // Checked before anything changes: an account with no Linux form is a usage error.
  const account = unitUsage(() => unitAccount(target.account, ctx.name));
  const binary = opts.keepExe && previous ? previous.record.binary : ctx.exePath;
  // The sandbox (ProtectHome=, PrivateTmp=) would hide a binary under /home or /tmp: systemd could not start it.
  if (account.kind !== 'root') unitUsage(() => checkVisibleToSandbox(binary));

  const storedRead = fresh ? ({ ok: true, stored: {}, text: null } as const) : readStored(ctx);
  if (!storedRead.ok) throw new ManageError(`cannot read the stored settings: ${storedRead.problem}`, storedRead.hint);
  const runtimeGiven = givenKeys(opts.runtime ?? {}) as RuntimeKey[];
  const before = applyStored(ctx.bakedRuntime, storedRead.stored).settings;
  const runtimeTarget = usage(() => resolveRuntime(opts.runtime ?? {}, before));
  const stored = { ...storedRead.stored };
  const values = runtimeValues(runtimeTarget);
  for (const key of runtimeGiven) stored[key] = values[key] ?? '';
  const effective = applyStored(ctx.bakedRuntime, stored).settings;

  const version = systemdVersion(ctx);
  const record: InstallRecord = { binary, settings: target };
  const unit = unitUsage(() => unitFile({ name: ctx.name, binaryPath: binary, service: target, runtime: ctx.bakedRuntime, systemdVersion: version }));
  const dropIn = unitUsage(() => dropInFile({ name: ctx.name, binaryPath: binary, service: target, systemdVersion: version, stored, effective, dir: dropInDir(ctx) }));
  for (const warning of new Set([...unit.warnings, ...(dropIn?.warnings ?? [])])) ctx.warn(`${ctx.name}: warning: ${warning}`);

  const files: PlannedFile[] = [
    { path: unitPath(ctx), text: withInstallMarker(unit.text, record), before: previous?.text ?? null, mode: UNIT_MODE },
    ...storedFilesPlan(ctx, dropIn, stored),
  ];
  const restore = (): void => {
    restorePlanned(ctx, files, (line) => ctx.warn(`${ctx.name}: ${line}`));
    systemctl(ctx, ['daemon-reload']);
  };
  const fail = (doing: string, why: string, hint: string): never => {
    restore();
    throw new ManageError(`${fresh ? 'installing' : 'updating'} ${ctx.name}: ${doing}: ${why}`, hint);
  };

  try {
    writePlanned(ctx, files);
  } catch (err) {
    fail('writing the unit', (err as Error).message, `check ${ctx.unitDir}, then run "sudo ${binName(ctx)} ${command}" again`);
  }
  const reload = systemctl(ctx, ['daemon-reload']);
  if (reload.code !== 0) fail('systemctl daemon-reload', toolMessage(reload), 'check that systemd runs this system, then try again');
  const loaded = showUnit(ctx);
  if (loaded.loadState !== 'loaded') {
    fail(`systemd did not load ${ctx.unit}`, `${loaded.loadState}${loaded.loadError ? ` (${loaded.loadError})` : ''}`, `report this with the output of "${binName(ctx)} version"`);
  }
  const how = enablement(target.startType);
  const enabled = systemctl(ctx, [how, ctx.unit]);
  if (enabled.code !== 0) fail(`systemctl ${how}`, toolMessage(enabled), `run "systemctl ${how} ${ctx.unit}" to see why`);

  return {
    action: fresh ? 'installed' : 'updated',
    settings: target,
    runtime: effective,
    binary,
    enablement: how,
    storedKeys: (Object.keys(stored) as RuntimeKey[]).filter((k) => stored[k] !== undefined),
  };
}

/** The account as install reports it: `a dynamic user`, `root`, `user svc`. */
export function accountText(account: string, name: string): string {
  const a = unitAccount(account, name);
  return a.kind === 'dynamic' ? 'a dynamic user of its own (DynamicUser=yes)' : a.kind === 'root' ? 'root' : `user ${a.user}`;
}
