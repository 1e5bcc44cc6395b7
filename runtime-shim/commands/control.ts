/**
 * `start`, `stop`, `restart`: ask the SCM, then wait for the target state with a timeout,
 * printing progress. Starting a running service and stopping a stopped one are not errors.
 */
import {
  ERROR_SERVICE_ALREADY_RUNNING,
  ERROR_BROKEN_PIPE,
  ERROR_SERVICE_CANNOT_ACCEPT_CTRL,
  ERROR_SERVICE_NOT_ACTIVE,
  ERROR_SERVICE_SPECIFIC_ERROR,
  SERVICE_CONTINUE_PENDING,
  SERVICE_CONTROL_STOP,
  SERVICE_PAUSED,
  SERVICE_PAUSE_PENDING,
  SERVICE_QUERY_STATUS,
  SERVICE_RUNNING,
  SERVICE_START,
  SERVICE_START_PENDING,
  SERVICE_STOP,
  SERVICE_STOPPED,
  SERVICE_STOP_PENDING,
  Win32Error,
  type ServiceStatusInfo,
} from '../platform/manager-api';
import { explain, ManageError, withService, type ManageContext } from './context';
import { installedRuntime } from './installed';

/** How often the state is polled while waiting, in ms. */
export const POLL_MS = 100;
/** Default time `start` waits for RUNNING, in ms. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
/** ControlService(STOP) failures after which `stop` still waits for STOPPED. */
const STOP_ANSWERS_TO_WAIT_ON = new Set([ERROR_SERVICE_NOT_ACTIVE, ERROR_SERVICE_CANNOT_ACCEPT_CTRL, ERROR_BROKEN_PIPE]);

/** `stop` waits the service's stop timeout plus this, in ms. */
export const STOP_MARGIN_MS = 15_000;

const STATE_NAMES: Record<number, string> = {
  [SERVICE_STOPPED]: 'STOPPED',
  [SERVICE_START_PENDING]: 'START_PENDING',
  [SERVICE_STOP_PENDING]: 'STOP_PENDING',
  [SERVICE_RUNNING]: 'RUNNING',
  [SERVICE_CONTINUE_PENDING]: 'CONTINUE_PENDING',
  [SERVICE_PAUSE_PENDING]: 'PAUSE_PENDING',
  [SERVICE_PAUSED]: 'PAUSED',
};

export const stateName = (state: number): string => STATE_NAMES[state] ?? `state ${state}`;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * How long `stop`, `restart` and `uninstall` wait for the stop without `--timeout`: the stop
 * timeout the installed service runs with (stored with it, else the exe's own; the exe's own when
 * the store cannot be read) plus a margin for the process to exit.
 */
export function defaultStopTimeoutMs(ctx: Pick<ManageContext, 'api' | 'name' | 'bakedRuntime'>): number {
  return installedRuntime(ctx).settings.stopTimeoutMs + STOP_MARGIN_MS;
}

/**
 * Polls until the state is `target`, or no longer `pending` (returns that status), or `timeoutMs`
 * passes (throws). Prints a line whenever the service reports a new checkpoint.
 */
export async function waitForState(
  ctx: ManageContext,
  service: object,
  target: number,
  pending: number,
  timeoutMs: number,
): Promise<ServiceStatusInfo> {
  const started = ctx.clock.now();
  let lastCheckPoint = -1;
  for (;;) {
    const status = ctx.api.queryStatus(service);
    if (status.state === target || status.state !== pending) return status;
    if (status.checkPoint !== lastCheckPoint && status.checkPoint > 0) {
      ctx.out(`${ctx.name}: ${stateName(status.state)} (checkpoint ${status.checkPoint})`);
      lastCheckPoint = status.checkPoint;
    }
    if (ctx.clock.now() - started >= timeoutMs) {
      throw new ManageError(
        `${ctx.name} did not reach ${stateName(target)} within ${seconds(timeoutMs)} (still ${stateName(status.state)})`,
        `wait and run "${ctx.name}.exe status", pass a longer --timeout, or see the log under ${ctx.logDir}`,
      );
    }
    await ctx.clock.sleep(POLL_MS);
  }
}

export async function startService(ctx: ManageContext, timeoutMs = DEFAULT_START_TIMEOUT_MS): Promise<ServiceStatusInfo> {
  return withService(ctx, { write: false, access: SERVICE_START | SERVICE_QUERY_STATUS, command: 'start' }, async (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    const t0 = ctx.clock.now();
    let status = ctx.api.queryStatus(service);
    if (status.state === SERVICE_RUNNING) {
      ctx.out(`${ctx.name}: already running (pid ${status.pid})`);
      return status;
    }
    if (status.state === SERVICE_STOP_PENDING) {
      ctx.out(`${ctx.name}: waiting for the previous stop to finish`);
      await waitForState(ctx, service, SERVICE_STOPPED, SERVICE_STOP_PENDING, timeoutMs);
    }
    if (status.state !== SERVICE_START_PENDING) {
      try {
        ctx.api.startService(service, []);
      } catch (err) {
        if (!(err instanceof Win32Error && err.code === ERROR_SERVICE_ALREADY_RUNNING)) explain(err, ctx, `starting ${ctx.name}`, 'start');
      }
    }
    ctx.out(`${ctx.name}: starting`);
    status = await waitForState(ctx, service, SERVICE_RUNNING, SERVICE_START_PENDING, timeoutMs);
    if (status.state !== SERVICE_RUNNING) {
      throw new ManageError(
        `${ctx.name} stopped while starting (${exitCodeText(status)})`,
        `see the log under ${ctx.logDir}, or run "${ctx.name}.exe run" to watch it start in a console`,
      );
    }
    ctx.out(`${ctx.name}: running (pid ${status.pid}) after ${seconds(ctx.clock.now() - t0)}`);
    return status;
  });
}

export async function stopService(ctx: ManageContext, timeoutMs = defaultStopTimeoutMs(ctx)): Promise<ServiceStatusInfo> {
  return withService(ctx, { write: false, access: SERVICE_STOP | SERVICE_QUERY_STATUS, command: 'stop' }, async (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    return stopOpened(ctx, service, timeoutMs);
  });
}

/** Stops an already opened service (also used by uninstall). */
export async function stopOpened(ctx: ManageContext, service: object, timeoutMs: number): Promise<ServiceStatusInfo> {
  const t0 = ctx.clock.now();
  let status = ctx.api.queryStatus(service);
  if (status.state === SERVICE_STOPPED) {
    ctx.out(`${ctx.name}: already stopped`);
    return status;
  }
  // A service still starting cannot take a stop yet: let it finish starting first.
  if (status.state === SERVICE_START_PENDING) {
    status = await waitForState(ctx, service, SERVICE_RUNNING, SERVICE_START_PENDING, timeoutMs);
  }
  if (status.state !== SERVICE_STOPPED && status.state !== SERVICE_STOP_PENDING) {
    try {
      ctx.api.control(service, SERVICE_CONTROL_STOP);
    } catch (err) {
      // Not running, or already stopping; or it ended as it answered (an exe of an older svcpack,
      // a service of another make): whether it stopped is what the wait below finds out.
      const benign = err instanceof Win32Error && STOP_ANSWERS_TO_WAIT_ON.has(err.code);
      if (!benign) explain(err, ctx, `stopping ${ctx.name}`, 'stop');
    }
  }
  ctx.out(`${ctx.name}: stopping`);
  status = await waitForState(ctx, service, SERVICE_STOPPED, SERVICE_STOP_PENDING, timeoutMs);
  if (status.state !== SERVICE_STOPPED) {
    throw new ManageError(
      `${ctx.name} did not stop (it is ${stateName(status.state)})`,
      `run "${ctx.name}.exe stop" again, or see the log under ${ctx.logDir}`,
    );
  }
  ctx.out(`${ctx.name}: stopped after ${seconds(ctx.clock.now() - t0)}${status.win32ExitCode ? ` (${exitCodeText(status)})` : ''}`);
  return status;
}

export async function restartService(ctx: ManageContext, timeoutMs?: number): Promise<ServiceStatusInfo> {
  await stopService(ctx, timeoutMs);
  return startService(ctx, timeoutMs);
}

/** "exit code 0", or "exit code 1066, service exit code 3". */
export function exitCodeText(status: Pick<ServiceStatusInfo, 'win32ExitCode' | 'serviceExitCode'>): string {
  return status.win32ExitCode === ERROR_SERVICE_SPECIFIC_ERROR
    ? `exit code ${ERROR_SERVICE_SPECIFIC_ERROR}, service exit code ${status.serviceExitCode}`
    : `exit code ${status.win32ExitCode}`;
}

export function notInstalled(ctx: ManageContext): ManageError {
  return new ManageError(`service ${ctx.name} is not installed`, `run "${ctx.name}.exe install" as administrator first`);
}
