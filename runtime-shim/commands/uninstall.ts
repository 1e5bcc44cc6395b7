/**
 * `uninstall [--purge] [--timeout <duration>]`: stops the service (waiting for STOPPED), deletes
 * it and waits until the SCM has really removed it, then removes its Event Log source. The data
 * folder stays unless `--purge`. Uninstalling a service that is not installed is not an error
 * (scripts can run it twice); a source left behind is still removed.
 */
import { DELETE, ERROR_SERVICE_MARKED_FOR_DELETE, SERVICE_QUERY_CONFIG, SERVICE_QUERY_STATUS, SERVICE_STOP, Win32Error } from '../platform/manager-api';
import { explain, ManageError, requireAdminRights, withService, type ManageContext } from './context';
import { defaultStopTimeoutMs, POLL_MS, stopOpened } from './control';
import { imagePathExe, isServiceExe } from './scm-config';

export interface UninstallOptions {
  purge: boolean;
  /** How long to wait for the service to stop, in ms. */
  timeoutMs?: number;
}

export type UninstallResult = 'removed' | 'marked-for-deletion' | 'not-installed';

/** How long to wait for the SCM to drop a deleted service, in ms. */
export const REMOVAL_WAIT_MS = 5_000;

export async function uninstall(ctx: ManageContext, opts: UninstallOptions): Promise<UninstallResult> {
  requireAdminRights(ctx, 'uninstall');
  const access = DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG;
  const result = await withService(ctx, { write: true, access, command: 'uninstall' }, async (scm, service): Promise<UninstallResult> => {
    if (!service) {
      ctx.out(`${ctx.name}: not installed`);
      return 'not-installed';
    }
    const registered = imagePathExe(ctx.api.queryConfig(service).binaryPath);
    if (!isServiceExe(registered, ctx.name)) {
      throw new ManageError(`service ${ctx.name} belongs to another program (${registered})`, 'it was not removed; remove it with that program or sc.exe');
    }
    await stopOpened(ctx, service, opts.timeoutMs ?? defaultStopTimeoutMs(ctx));
    try {
      ctx.api.deleteService(service);
    } catch (err) {
      if (!(err instanceof Win32Error && err.code === ERROR_SERVICE_MARKED_FOR_DELETE)) explain(err, ctx, `deleting ${ctx.name}`, 'uninstall');
    }
    return 'marked-for-deletion';
  });
  if (result === 'not-installed') return cleanUp(ctx, opts, result);

  // DeleteService only marks the service; the SCM removes it once every handle to it is closed.
  const deadline = ctx.clock.now() + REMOVAL_WAIT_MS;
  for (;;) {
    const gone = await withService(ctx, { write: false, access: SERVICE_QUERY_STATUS, command: 'uninstall' }, (_scm, service) => service === null);
    if (gone) {
      ctx.out(`${ctx.name}: removed`);
      return cleanUp(ctx, opts, 'removed');
    }
    if (ctx.clock.now() >= deadline) {
      ctx.out(
        `${ctx.name}: marked for deletion; Windows removes it once every program holding it open ` +
          '(services.msc, Event Viewer, Task Manager) has closed it',
      );
      return cleanUp(ctx, opts, 'marked-for-deletion');
    }
    await ctx.clock.sleep(POLL_MS);
  }
}

/** After the service is gone (or was never there): its Event Log source, then the data folder with `--purge`. */
function cleanUp(ctx: ManageContext, opts: UninstallOptions, result: UninstallResult): UninstallResult {
  removeEventSource(ctx);
  if (!ctx.fs.exists(ctx.dataDir)) return result;
  if (opts.purge) {
    ctx.fs.remove(ctx.dataDir);
    ctx.out(`${ctx.name}: removed ${ctx.dataDir}`);
  } else if (result !== 'not-installed') {
    ctx.out(`${ctx.name}: kept ${ctx.dataDir} (logs, state); "${ctx.name}.exe uninstall --purge" removes it`);
  }
  return result;
}

/**
 * Removes the Event Log source `<Name>` when it is this service's (its message file is a
 * `<Name>.exe`, or it has none), whatever this exe's `eventLog` setting: an earlier build may
 * have registered it. Failing here is only reported: the service itself is already removed.
 */
function removeEventSource(ctx: ManageContext): void {
  try {
    const file = ctx.api.eventSourceFile(ctx.name);
    if (file === null) return;
    if (file !== '' && !isServiceExe(file, ctx.name)) {
      ctx.warn(`${ctx.name}: warning: kept the Event Log source ${ctx.name}: it belongs to another program (${file})`);
      return;
    }
    ctx.api.removeEventSource(ctx.name);
  } catch (err) {
    ctx.warn(`${ctx.name}: warning: could not remove the Event Log source ${ctx.name}: ${(err as Error).message}`);
  }
}
