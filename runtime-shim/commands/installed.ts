/**
 * Reads back what an installed service runs with: what the SCM stores for it, in settings terms
 * (`readInstalled`), and its runtime settings, baked and stored (`installedRuntime`). Settings the
 * SCM cannot report (Wine 10 answers ERROR_INVALID_LEVEL for failure actions, their flag and the
 * SID type) are left out rather than guessed.
 */
import type { Recovery, ServiceSettings } from '../settings/service-settings';
import { installedSettings } from '../settings/installed-settings';
import type { RuntimeKey, StoredResult } from '../settings/runtime-settings';
import type { ScmApi, ServiceConfigInfo } from '../platform/manager-api';
import { storedSettingsWhere } from '../platform/manager-api';
import type { ManageContext } from './context';
import { recoveryActionName, sidTypeName, startTypeName } from './scm-config';

/**
 * The runtime settings the service `ctx.name` runs with: this exe's baked ones with what is
 * stored under its Parameters key applied (or `stored`, when the command has read those values
 * itself). Reads the store at each call, so a command sees what it has changed. A store that
 * cannot be read gives the baked settings and a problem line; a name with nothing stored (not
 * installed, or a scheduled task) gives the baked ones.
 */
export function installedRuntime(ctx: Pick<ManageContext, 'api' | 'name' | 'bakedRuntime'>, stored?: Partial<Record<RuntimeKey, string>>): StoredResult {
  return installedSettings(ctx.bakedRuntime, () => stored ?? ctx.api.getStoredSettings(ctx.name), storedSettingsWhere(ctx.name));
}

export interface InstalledService {
  config: ServiceConfigInfo;
  /** What could be read, in settings terms (args stay in config.binaryPath). */
  settings: Partial<Omit<ServiceSettings, 'args'>>;
}

export function readInstalled(api: ScmApi, service: object, name: string): InstalledService {
  const config = api.queryConfig(service);
  const settings: InstalledService['settings'] = {
    displayName: config.displayName,
    account: config.account,
    dependencies: config.dependencies,
  };
  const delayed = api.queryConfig2(service, 'delayed-auto-start');
  const start = startTypeName(config.startType, delayed?.delayed ?? false);
  // Where the SCM cannot report the delayed flag (Wine 8; Wine 10 can), a delayed-auto service reads as 'auto'.
  if (start === 'auto' || start === 'delayed-auto' || start === 'manual' || start === 'disabled') settings.startType = start;
  const description = api.queryConfig2(service, 'description');
  if (description) settings.description = description.description;
  const failure = api.queryConfig2(service, 'failure-actions');
  const flag = api.queryConfig2(service, 'failure-actions-flag');
  if (failure) {
    const recovery: Recovery = {
      actions: failure.actions.map((a) => ({ action: recoveryActionName(a.type), delayMs: a.delayMs })),
      resetAfterMs: failure.resetPeriodSec * 1000,
      onNonCrashFailures: flag?.onNonCrashFailures ?? false,
    };
    if (failure.command) recovery.command = failure.command;
    settings.recovery = recovery;
  }
  const sid = api.queryConfig2(service, 'sid-type');
  if (sid) settings.sidType = sidTypeName(sid.sidType);
  const preshutdown = api.queryConfig2(service, 'preshutdown');
  if (preshutdown) settings.preshutdownTimeoutMs = preshutdown.timeoutMs;
  const env = api.getServiceEnvironment(name);
  settings.env = Object.fromEntries(
    (env ?? []).map((entry) => {
      const eq = entry.indexOf('=', 1);
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
  const workingDir = api.getServiceWorkingDir(name);
  if (workingDir !== null) settings.workingDir = workingDir;
  // No value: nothing was allowed through svcpack (the SCM's default DACL, or one set by other means).
  settings.allowControl = api.getServiceAllowControl(name) ?? [];
  return { config, settings };
}
