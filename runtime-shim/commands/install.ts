/**
 * `install [settings] [--force] [--password-env VAR]`: registers this exe as the service, or with
 * `--force` updates an existing installation of it.
 *
 * Order of work, so that a failure leaves nothing half-configured:
 *  1. check administrator rights (the SCM grants full access), resolve and validate the settings (baked defaults + flags);
 *  2. check everything that can be checked without changing anything: the name is free or taken by
 *     this service's own exe, the account exists, the dependencies are installed, a password is
 *     at hand;
 *  3. apply, recording an undo step for each change; on any failure undo them in reverse order
 *     (a fresh install is deleted again, an update restores the previous values); this includes
 *     pointing the service's Event Log source at this exe when the Event Log is on;
 *  4. last in that transaction, grant "Log on as a service" to a user or gMSA account that lacks
 *     it, so the right is never granted for an install that did not happen.
 *
 * `--allow-control` (settings/allow-control.ts) is looked up in step 2 (an unknown name is a usage
 * error, exit 2, before anything changes) and applied in step 3: the service's DACL becomes the
 * Windows default plus one entry per account (service-security.ts), and the names are stored in
 * the service's Parameters key for `status` and later updates; an update restores the previous
 * DACL and value on rollback.
 */
import { classifyAccount } from '../settings/account';
import { isSidString } from '../settings/allow-control';
import { resolveSettings, SettingError, type SettingsInput } from '../settings/resolve';
import { resolveRuntime, runtimeSpec, runtimeValues, type RuntimeInput, type RuntimeKey, type RuntimeSettings } from '../settings/runtime-settings';
import type { ServiceSettings } from '../settings/service-settings';
import {
  ERROR_INVALID_LEVEL,
  SERVICE_ALL_ACCESS,
  SERVICE_QUERY_STATUS,
  Win32Error,
  type ChangeServiceParams,
  type Config2,
  type ScmApi,
  type ServiceConfigInfo,
} from '../platform/manager-api';
import { sidFromBytes, sidToBytes } from '../settings/sid';
import { explain, ManageError, refuseLinuxPath, requireAdminRights, withService, type ManageContext } from './context';
import { dataDirGrantee, dataDirSddl } from './data-dir';
import { installedRuntime, readInstalled } from './installed';
import { serviceDacl } from './service-security';
import {
  allConfig2,
  argsTail,
  argsText,
  binaryPath,
  config2For,
  createParams,
  environmentEntries,
  imagePathExe,
  isServiceExe,
  startTypeCode,
} from './scm-config';

export interface InstallOptions {
  /** Settings given on the command line (override the baked ones). */
  input: SettingsInput;
  /** Runtime settings given on the command line: stored with the service (settings/runtime-settings.ts). */
  runtime?: RuntimeInput;
  /**
   * Keep the registered exe (`config set`/`reset` of an installed service, which may be run from
   * another copy of the exe): only the given settings change. Needs an existing installation.
   */
  keepExe?: boolean;
  /** Update an existing installation instead of failing. */
  force: boolean;
  /** Environment variable holding the account's password (else: prompt). */
  passwordEnv?: string;
}

export interface InstallResult {
  action: 'installed' | 'updated';
  settings: ServiceSettings;
  /** The runtime settings the service will start with (baked, stored, given). */
  runtime: RuntimeSettings;
  commandLine: string;
  warnings: string[];
}

export const LOGON_RIGHT = 'SeServiceLogonRight';

const CONFIG2_LABELS: Record<Config2['level'], string> = {
  description: 'the description',
  'failure-actions': 'recovery actions',
  'failure-actions-flag': 'recovery on non-crash failures',
  'delayed-auto-start': 'delayed automatic start',
  'sid-type': 'the service SID type',
  preshutdown: 'the preshutdown timeout',
};

/** Keys of SettingsInput that change each setting (input keys → setting). */
function givenSettings(input: SettingsInput): Set<keyof ServiceSettings> {
  const given = new Set<keyof ServiceSettings>();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'recoveryReset' || key === 'recoveryCommand' || key === 'recoveryOnNonCrash') given.add('recovery');
    else if (key === 'preshutdownTimeout') given.add('preshutdownTimeoutMs');
    else given.add(key as keyof ServiceSettings);
  }
  return given;
}

/** Undo steps, run newest first; a failing undo step is reported and the rest still run. */
class Undo {
  private steps: { what: string; run: () => void }[] = [];
  push(what: string, run: () => void): void {
    this.steps.push({ what, run });
  }
  rollback(ctx: ManageContext): void {
    for (const step of this.steps.reverse()) {
      try {
        step.run();
      } catch (err) {
        ctx.warn(`${ctx.name}: could not undo ${step.what}: ${(err as Error).message}`);
      }
    }
    this.steps = [];
  }
}

export async function install(ctx: ManageContext, opts: InstallOptions): Promise<InstallResult> {
  const command = opts.keepExe ? 'config set' : 'install';
  requireAdminRights(ctx, command);
  const target = resolveOrUsageError(opts.input, ctx.baked);
  const runtimeGiven = (Object.keys(opts.runtime ?? {}) as RuntimeKey[]).filter((key) => opts.runtime![key] !== undefined);
  const given = givenSettings(opts.input);
  const account = classifyAccount(target.account, ctx.name);
  if (account.kind === 'virtual' && target.account.slice(target.account.indexOf('\\') + 1).toLowerCase() !== ctx.name.toLowerCase()) {
    throw new ManageError(
      `the virtual account ${target.account} belongs to another service`,
      `a service can only run as its own virtual account: use --account "NT SERVICE\\${ctx.name}"`,
      2,
    );
  }

  // A Linux path given here, or (for a new service) baked into the exe, has no Windows meaning.
  if (given.has('workingDir')) refuseLinuxPath('working folder', target.workingDir, ctx.name, '--working-dir');
  if (runtimeGiven.includes('logDir')) refuseLinuxPath('log folder', opts.runtime?.logDir === '' ? null : (opts.runtime?.logDir ?? null), ctx.name, '--log-dir');

  return withService(ctx, { write: true, access: SERVICE_ALL_ACCESS, command }, async (scm, existing) => {
    const { api } = ctx;
    const fresh = existing === null;
    if (fresh && opts.keepExe) throw notInstalled(ctx);
    if (fresh) refuseLinuxPath('working folder', target.workingDir, ctx.name, '--working-dir');
    const installed = existing ? readInstalled(api, existing, ctx.name) : null;
    let tail = argsText(target.args);
    let effective = target;
    let exePath = ctx.exePath;
    if (installed) {
      if (!opts.keepExe) checkOwnership(ctx, installed.config.binaryPath, opts.force);
      else exePath = imagePathExe(installed.config.binaryPath);
      if (!given.has('args')) tail = argsTail(installed.config.binaryPath, ctx.serviceArg);
      effective = { ...target, ...installed.settings, ...pick(target, given) };
    }
    const commandLine = binaryPath(exePath, ctx.serviceArg, tail);
    // Runtime settings are checked against what the service would run with: baked, then stored, then given.
    // Read as they are (not through installedRuntime's fallback): undo restores exactly these.
    const storedBefore = fresh ? {} : api.getStoredSettings(ctx.name);
    const runtimeTarget = resolveRuntimeOrUsageError(opts.runtime ?? {}, installedRuntime(ctx, storedBefore).settings);
    if (fresh) refuseLinuxPath('log folder', runtimeTarget.logging.logDir, ctx.name, '--log-dir');
    const touches = (key: keyof ServiceSettings) => fresh || given.has(key);

    // 2. Checks that change nothing.
    let accountSid: string | null = null;
    let password: string | null = null;
    if (touches('account') && (account.kind === 'user' || account.kind === 'gmsa')) {
      accountSid = lookupOrFail(ctx, target.account);
      if (account.needsPassword) password = await readPassword(ctx, target.account, opts.passwordEnv);
    }
    if (touches('dependencies')) checkDependencies(ctx, scm, target.dependencies);
    const allowSids = touches('allowControl') ? allowControlSids(ctx, target.allowControl) : null;

    // 3. Apply, with undo.
    const undo = new Undo();
    const warnings: string[] = [];
    let created: object | null = null;
    try {
      let service: object;
      if (fresh) {
        try {
          created = api.createService(scm, createParams(ctx.name, target, commandLine, password));
        } catch (err) {
          explain(err, ctx, `creating service ${ctx.name}`, 'install');
        }
        service = created;
        undo.push(`creating service ${ctx.name}`, () => api.deleteService(service));
        for (const info of allConfig2(target)) applyConfig2(ctx, service, info, warnings, undo, false);
        if (Object.keys(target.env).length > 0) api.setServiceEnvironment(ctx.name, environmentEntries(target.env));
        // Stored even when it is the default, so a later exe with another baked default changes nothing.
        api.setServiceWorkingDir(ctx.name, target.workingDir);
      } else {
        service = existing;
        updateExisting(ctx, service, installed!.config, target, given, commandLine, password, warnings, undo);
      }
      storeRuntimeSettings(ctx, runtimeGiven, runtimeTarget, storedBefore, undo);
      if (allowSids !== null) applyAllowControl(ctx, service, target.allowControl, allowSids, fresh, undo);
      if (runtimeTarget.logging.eventLog) registerEventSource(ctx, warnings, undo);

      const dirCreated = ctx.fs.mkdir(ctx.dataDir);
      if (dirCreated) undo.push(`creating ${ctx.dataDir}`, () => ctx.fs.remove(ctx.dataDir));
      if (dirCreated || given.has('account') || given.has('sidType') || fresh) {
        const grantee = dataDirGrantee(ctx.name, effective, (name) => accountSid ?? lookupOrFail(ctx, name));
        api.setFolderAcl(ctx.dataDir, dataDirSddl(grantee));
      }
      if (accountSid) grantLogonRight(ctx, target.account, accountSid);
      warnMissingWorkingDir(ctx, effective.workingDir, warnings);
    } catch (err) {
      undo.rollback(ctx);
      explain(err, ctx, fresh ? `installing ${ctx.name}` : `updating ${ctx.name}`, command);
    } finally {
      if (created) api.close(created);
    }
    if (allowSids !== null && (!fresh || allowSids.length > 0)) {
      ctx.out(
        target.allowControl.length > 0
          ? `${ctx.name}: ${target.allowControl.join(', ')} may query, start and stop it without administrator rights`
          : `${ctx.name}: only administrators may start and stop it (the Windows default)`,
      );
    }

    return { action: fresh ? 'installed' : 'updated', settings: effective, runtime: runtimeTarget, commandLine, warnings };
  });
}

/** The one line for a command that needs the service installed. */
export function notInstalled(ctx: ManageContext): ManageError {
  return new ManageError(`service ${ctx.name} is not installed`, `install it first with "${ctx.name}.exe install"`);
}

function resolveRuntimeOrUsageError(input: RuntimeInput, base: RuntimeSettings): RuntimeSettings {
  try {
    return resolveRuntime(input, base);
  } catch (err) {
    if (err instanceof SettingError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
}

/** Stores each given runtime setting (its flag's text for the resolved value), with an undo step restoring the previous value. */
function storeRuntimeSettings(
  ctx: ManageContext,
  keys: readonly RuntimeKey[],
  target: RuntimeSettings,
  before: Partial<Record<RuntimeKey, string>>,
  undo: Undo,
): void {
  const values = runtimeValues(target);
  for (const key of keys) {
    ctx.api.setStoredSetting(ctx.name, key, values[key] ?? '');
    undo.push(`storing ${runtimeSpec(key).flag}`, () => ctx.api.setStoredSetting(ctx.name, key, before[key] ?? null));
  }
}

function resolveOrUsageError(input: SettingsInput, base: ServiceSettings): ServiceSettings {
  try {
    return resolveSettings(input, base);
  } catch (err) {
    if (err instanceof SettingError) throw new ManageError(err.message, err.hint, 2);
    throw err;
  }
}

function pick(settings: ServiceSettings, keys: Set<keyof ServiceSettings>): Partial<ServiceSettings> {
  return Object.fromEntries([...keys].map((key) => [key, settings[key]]));
}

/** The name may only be reused by this service's own exe (any folder, same file name). */
function checkOwnership(ctx: ManageContext, registered: string, force: boolean): void {
  const exe = imagePathExe(registered);
  if (!isServiceExe(exe, ctx.name)) {
    throw new ManageError(
      `the service name ${ctx.name} is taken by another program (${exe})`,
      'build with another --name, or remove that service first if it is really yours',
    );
  }
  if (!force) {
    throw new ManageError(
      `service ${ctx.name} is already installed (${exe})`,
      `run "${ctx.name}.exe install --force" to update it to this exe and the given settings, or "${ctx.name}.exe uninstall" first`,
    );
  }
}

export function lookupOrFail(ctx: ManageContext, name: string): string {
  const found = ctx.api.lookupAccount(name);
  if (!found) {
    throw new ManageError(
      `account ${name} is unknown`,
      'check the spelling: DOMAIN\\user or .\\user for a local user, DOMAIN\\name$ for a gMSA',
    );
  }
  return found.sid;
}

/** SID_NAME_USE values that can be granted access: user, group, alias (local group), well-known group, computer. */
const GRANTABLE_USES = new Set([1, 2, 4, 5, 9]);

/**
 * The SIDs of the `allowControl` entries, in order: SID strings as they are (normalised), names
 * through LookupAccountNameW. A name that is unknown, or names something that cannot be granted
 * access (a domain, a deleted account), is a usage error (exit 2).
 */
function allowControlSids(ctx: ManageContext, entries: readonly string[]): string[] {
  return entries.map((entry) => {
    if (isSidString(entry)) return sidFromBytes(sidToBytes(entry));
    let found: ReturnType<ScmApi['lookupAccount']>;
    try {
      found = ctx.api.lookupAccount(entry);
    } catch (err) {
      explain(err, ctx, `looking up ${entry}`, 'install');
    }
    if (!found) {
      throw new ManageError(
        `cannot allow ${entry} to control the service: no such account or group`,
        'check the spelling (BUILTIN\\Users, DOMAIN\\Group, .\\user), or give its SID, e.g. S-1-5-32-545 for Users on a Windows in any language',
        2,
      );
    }
    if (!GRANTABLE_USES.has(found.use)) {
      throw new ManageError(
        `cannot allow ${entry} to control the service: it is not a user, group or computer account (SID type ${found.use})`,
        'name a user or a group, e.g. BUILTIN\\Users or DOMAIN\\Group',
        2,
      );
    }
    return found.sid;
  });
}

/**
 * Sets the service's DACL to the default plus `sids` and stores `entries` as given. A new service
 * already has the default DACL and no value, so an empty list changes nothing there; on an update
 * the previous DACL and value are read first and restored on rollback (a new service's are
 * removed with it).
 */
function applyAllowControl(ctx: ManageContext, service: object, entries: readonly string[], sids: readonly string[], fresh: boolean, undo: Undo): void {
  const { api } = ctx;
  if (fresh && entries.length === 0) return;
  const previousDacl = fresh ? null : api.getServiceDacl(service);
  api.setServiceDacl(service, serviceDacl(sids));
  if (previousDacl !== null) undo.push('setting who may control the service', () => api.setServiceDacl(service, previousDacl));
  const previous = fresh ? null : (api.getServiceAllowControl(ctx.name) ?? []);
  api.setServiceAllowControl(ctx.name, entries);
  if (previous !== null) undo.push('storing who may control the service', () => api.setServiceAllowControl(ctx.name, previous));
}

export async function readPassword(ctx: ManageContext, account: string, passwordEnv: string | undefined): Promise<string> {
  if (passwordEnv) {
    const value = ctx.env[passwordEnv];
    if (value) return value;
  }
  const typed = await ctx.promptSecret(`Password for ${account}: `);
  if (typed) return typed;
  const where = passwordEnv ? `environment variable ${passwordEnv} is not set` : 'no password was given';
  throw new ManageError(
    `account ${account} needs a password and ${where}`,
    'set the password in an environment variable and pass --password-env <VAR>, or run install in a console to be asked for it',
    2,
  );
}

function checkDependencies(ctx: ManageContext, scm: object, dependencies: readonly string[]): void {
  for (const dependency of dependencies) {
    if (dependency.startsWith('+')) continue; // load-order groups cannot be checked up front
    const handle = ctx.api.openService(scm, dependency, SERVICE_QUERY_STATUS);
    if (!handle) {
      throw new ManageError(
        `dependency ${dependency} is not an installed service`,
        'install it first, or fix --dependencies (write a load-order group as +Group)',
      );
    }
    ctx.api.close(handle);
  }
}

/**
 * One ChangeServiceConfig2W call. ERROR_INVALID_LEVEL means this SCM does not know the setting
 * (Wine 10: the failure-actions flag and the SID type; never Windows Vista or later): a warning,
 * not a failure. (Wine 10 also accepts failure actions without storing them: a success that
 * cannot be told apart here.) With `undoable`, the previous value is read first and restored on
 * rollback.
 */
function applyConfig2(ctx: ManageContext, service: object, info: Config2, warnings: string[], undo: Undo, undoable: boolean): void {
  const previous = undoable ? ctx.api.queryConfig2(service, info.level) : null;
  try {
    ctx.api.changeConfig2(service, info);
  } catch (err) {
    if (err instanceof Win32Error && err.code === ERROR_INVALID_LEVEL) {
      const warning = `this Service Control Manager cannot set ${CONFIG2_LABELS[info.level]} (error 124); it was not applied`;
      warnings.push(warning);
      ctx.warn(`${ctx.name}: warning: ${warning}`);
      return;
    }
    throw err;
  }
  if (previous) undo.push(`setting ${CONFIG2_LABELS[info.level]}`, () => ctx.api.changeConfig2(service, previous));
}

/** Changes what `given` names on an installed service whose configuration is `prior`. */
function updateExisting(
  ctx: ManageContext,
  service: object,
  prior: ServiceConfigInfo,
  target: ServiceSettings,
  given: Set<keyof ServiceSettings>,
  commandLine: string,
  password: string | null,
  warnings: string[],
  undo: Undo,
): void {
  const { api } = ctx;
  const change: ChangeServiceParams = { binaryPath: commandLine };
  const restore: ChangeServiceParams = { binaryPath: prior.binaryPath };
  if (given.has('startType')) {
    change.startType = startTypeCode(target.startType);
    restore.startType = prior.startType;
  }
  if (given.has('displayName')) {
    change.displayName = target.displayName;
    restore.displayName = prior.displayName;
  }
  if (given.has('dependencies')) {
    change.dependencies = [...target.dependencies];
    restore.dependencies = prior.dependencies;
  }
  if (given.has('account')) {
    change.account = classifyAccount(target.account, ctx.name).startName;
    change.password = password;
    // A previous user account cannot be restored without its password, which is not known here.
    if (!classifyAccount(prior.account, ctx.name).needsPassword) restore.account = prior.account === 'LocalSystem' ? null : prior.account;
  }
  api.changeConfig(service, change);
  undo.push(`updating service ${ctx.name}`, () => api.changeConfig(service, restore));

  const config2: Config2[] = [];
  if (given.has('description')) config2.push(config2For.description(target));
  if (given.has('startType')) config2.push(config2For.delayedAutoStart(target));
  if (given.has('recovery')) config2.push(config2For.failureActions(target), config2For.failureActionsFlag(target));
  if (given.has('sidType')) config2.push(config2For.sidType(target));
  if (given.has('preshutdownTimeoutMs')) config2.push(config2For.preshutdown(target));
  for (const info of config2) applyConfig2(ctx, service, info, warnings, undo, true);

  if (given.has('env')) {
    const previous = api.getServiceEnvironment(ctx.name) ?? [];
    api.setServiceEnvironment(ctx.name, environmentEntries(target.env));
    undo.push('setting the environment', () => api.setServiceEnvironment(ctx.name, previous));
  }
  if (given.has('workingDir')) {
    const previous = api.getServiceWorkingDir(ctx.name);
    api.setServiceWorkingDir(ctx.name, target.workingDir);
    undo.push('setting the working folder', () => api.setServiceWorkingDir(ctx.name, previous));
  }
}

/**
 * A working folder given as a path that does not exist is allowed (it may be created later, or be
 * on a drive mounted at boot), but the service cannot start until it exists: say so now.
 */
function warnMissingWorkingDir(ctx: ManageContext, setting: string, warnings: string[]): void {
  if (setting === 'exe' || setting === 'data' || ctx.fs.exists(setting)) return;
  const warning = `the working folder ${setting} does not exist; the service will not start until it does`;
  warnings.push(warning);
  ctx.warn(`${ctx.name}: warning: ${warning}`);
}

/**
 * Points the Event Log source `<Name>` at this exe, whose message table makes Event Viewer show
 * the reported text; rollback restores the previous message file or removes a new source. A
 * source registered to another program (its message file is not a `<Name>.exe`) is left alone,
 * with a warning.
 */
function registerEventSource(ctx: ManageContext, warnings: string[], undo: Undo): void {
  const { api } = ctx;
  const previous = api.eventSourceFile(ctx.name);
  if (previous && !isServiceExe(previous, ctx.name)) {
    const warning = `the Event Log source ${ctx.name} belongs to another program (${previous}); it was left alone, so Event Viewer may not show this service's event text`;
    warnings.push(warning);
    ctx.warn(`${ctx.name}: warning: ${warning}`);
    return;
  }
  api.registerEventSource(ctx.name, ctx.exePath);
  undo.push('registering the Event Log source', () =>
    previous === null ? api.removeEventSource(ctx.name) : api.registerEventSource(ctx.name, previous),
  );
}

function grantLogonRight(ctx: ManageContext, account: string, sid: string): void {
  const api: ScmApi = ctx.api;
  if (api.accountRights(sid).includes(LOGON_RIGHT)) return;
  api.addAccountRight(sid, LOGON_RIGHT);
  ctx.out(`${ctx.name}: granted ${account} the "Log on as a service" right (${LOGON_RIGHT})`);
}
