/**
 * `uninstall [--purge] [--timeout]` on Linux: stops the service, `systemctl disable`s it, removes
 * the unit and its drop-in folder `<name>.service.d/`, `daemon-reload`, `reset-failed`. With
 * `--purge`, first (the unit must still be loaded) `systemctl clean --what=state --what=logs
 * --what=cache --what=runtime`: systemd removes the folders the unit made — `/var/lib/<name>`
 * (the data folder and the log files in it), `/var/log/<name>`, `/var/cache/<name>`, `/run/<name>`
 * (the `private/` ones of a dynamic user too); a `--log-dir` folder elsewhere is kept and named.
 * Uninstalling a service that is not installed is not an error; a unit svcpack did not write is
 * refused.
 */
import fs from 'node:fs';
import { ManageError } from '../../../commands/context';
import { applyStored } from '../../../settings/runtime-settings';
import { binName, requireRoot, type UnitContext } from './context';
import { defaultStopTimeoutMs, stopUnit } from './control';
import { systemctl, toolMessage } from './systemctl';
import { dropInDir, readInstalledUnit, readStored, unitPath } from './unit-store';

export interface UnitUninstallOptions {
  purge: boolean;
  timeoutMs?: number;
}

export function uninstallUnit(ctx: UnitContext, opts: UnitUninstallOptions): 'removed' | 'not-installed' {
  requireRoot(ctx, 'uninstall');
  const existing = readInstalledUnit(ctx);
  if (existing.kind === 'none') {
    ctx.out(`${ctx.name}: not installed`);
    return 'not-installed';
  }
  if (existing.kind === 'foreign') {
    throw new ManageError(`the unit ${ctx.unit} belongs to another program (${existing.path} was not written by svcpack)`, 'it was not removed; remove it with that program or systemctl');
  }
  const stored = readStored(ctx);
  const logDir = applyStored(ctx.bakedRuntime, stored.ok ? stored.stored : {}).settings.logging.logDir;
  stopUnit(ctx, opts.timeoutMs ?? defaultStopTimeoutMs(ctx), 'uninstall');

  if (opts.purge) {
    const clean = systemctl(ctx, ['clean', '--what=state', '--what=logs', '--what=cache', '--what=runtime', ctx.unit]);
    if (clean.code !== 0) ctx.warn(`${ctx.name}: warning: could not remove the service's folders (systemctl clean: ${toolMessage(clean)}); remove ${ctx.dataDir} and /var/log/${ctx.name} by hand`);
  }
  const disabled = systemctl(ctx, ['disable', ctx.unit]);
  if (disabled.code !== 0) ctx.warn(`${ctx.name}: warning: systemctl disable: ${toolMessage(disabled)}`);
  try {
    fs.rmSync(dropInDir(ctx), { recursive: true, force: true });
    fs.rmSync(unitPath(ctx), { force: true });
  } catch (err) {
    throw new ManageError(`removing ${unitPath(ctx)}: ${(err as Error).message}`, `remove it by hand, then run "systemctl daemon-reload"`);
  }
  const reload = systemctl(ctx, ['daemon-reload']);
  if (reload.code !== 0) ctx.warn(`${ctx.name}: warning: systemctl daemon-reload: ${toolMessage(reload)}`);
  // Forget a failed state, so the name is clean for a later install (fails harmlessly when there is none).
  systemctl(ctx, ['reset-failed', ctx.unit]);
  ctx.out(`${ctx.name}: removed`);

  if (opts.purge) {
    ctx.out(`${ctx.name}: removed ${ctx.dataDir}, /var/log/${ctx.name} and /var/cache/${ctx.name}`);
    if (logDir !== null) ctx.out(`${ctx.name}: kept the log folder ${logDir} (--log-dir); remove it by hand if it is no longer needed`);
  } else if (ctx.exists(ctx.dataDir)) {
    ctx.out(`${ctx.name}: kept ${ctx.dataDir} (logs, state); "sudo ${binName(ctx)} uninstall --purge" removes it`);
  }
  return 'removed';
}
