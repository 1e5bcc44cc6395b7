/**
 * `start`, `stop`, `restart`, `reload` on Linux: systemctl, which waits for the job itself
 * (`start` until the service said READY=1 or failed, `stop` until the process ended, `reload`
 * until the service said READY=1 again), bounded by the same timeouts as on Windows (start 60 s,
 * stop the service's stop timeout + 15 s, `--timeout`); when one passes, systemctl is ended (the
 * job goes on) and the command fails with exit code 1. Starting a running service and stopping a
 * stopped one are not errors.
 */
import { ManageError } from '../../../commands/context';
import { DEFAULT_START_TIMEOUT_MS, STOP_MARGIN_MS } from '../../../commands/control';
import { applyStored } from '../../../settings/runtime-settings';
import { binName, notInstalled, requireRoot, type UnitContext } from './context';
import { endText, showUnit, stateName, systemctl, toolMessage, type UnitState } from './systemctl';
import { readInstalledUnit, readStored } from './unit-store';

/** How long `reload` waits for the service's READY=1, ms. */
export const RELOAD_TIMEOUT_MS = 30_000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Fails unless svcpack's unit of this service is installed. */
export function requireInstalled(ctx: UnitContext): void {
  const unit = readInstalledUnit(ctx);
  if (unit.kind === 'none') throw notInstalled(ctx);
  if (unit.kind === 'foreign') throw new ManageError(`the unit ${ctx.unit} was not written by svcpack (${unit.path})`, `manage it with systemctl, or build with another --name`);
}

/** The stop timeout the installed service runs with (stored, else baked) + the margin: `stop`'s wait without `--timeout`. */
export function defaultStopTimeoutMs(ctx: UnitContext): number {
  const stored = readStored(ctx);
  return applyStored(ctx.bakedRuntime, stored.ok ? stored.stored : {}).settings.stopTimeoutMs + STOP_MARGIN_MS;
}

const running = (s: UnitState): boolean => s.activeState === 'active' || s.activeState === 'reloading' || s.activeState === 'refreshing';

function timedOut(ctx: UnitContext, target: string, timeoutMs: number): ManageError {
  const now = stateName(showUnit(ctx));
  return new ManageError(
    `${ctx.name} did not reach ${target} within ${seconds(timeoutMs)} (still ${now})`,
    `wait and run "${binName(ctx)} status", pass a longer --timeout, or see "${binName(ctx)} logs"`,
  );
}

export function startUnit(ctx: UnitContext, timeoutMs = DEFAULT_START_TIMEOUT_MS): void {
  requireRoot(ctx, 'start');
  requireInstalled(ctx);
  const t0 = ctx.now();
  const before = showUnit(ctx);
  if (running(before)) {
    ctx.out(`${ctx.name}: already running (pid ${before.mainPid})`);
    return;
  }
  // An admin's start is a fresh start: a failed unit's state and start-limit counter are forgotten first.
  if (before.activeState === 'failed') systemctl(ctx, ['reset-failed', ctx.unit]);
  ctx.out(`${ctx.name}: starting`);
  const r = systemctl(ctx, ['start', ctx.unit], timeoutMs);
  if (r.timedOut) throw timedOut(ctx, 'RUNNING', timeoutMs);
  const after = showUnit(ctx);
  if (r.code !== 0 || !running(after)) {
    const message = toolMessage(r);
    if (/refuse|RefuseManualStart/i.test(`${r.stderr}${r.stdout}`)) {
      throw new ManageError(`starting ${ctx.name}: the service is disabled`, `enable it with "sudo ${binName(ctx)} install --force --start-type manual" (or auto)`);
    }
    throw new ManageError(
      `${ctx.name} stopped while starting (${endText(after)})${r.code !== 0 && message ? `: ${message}` : ''}`,
      `see "${binName(ctx)} logs", or run "${binName(ctx)} run" to watch it start in a console`,
    );
  }
  ctx.out(`${ctx.name}: running (pid ${after.mainPid}) after ${seconds(ctx.now() - t0)}`);
}

export function stopUnit(ctx: UnitContext, timeoutMs = defaultStopTimeoutMs(ctx), command = 'stop'): void {
  requireRoot(ctx, command);
  requireInstalled(ctx);
  const t0 = ctx.now();
  const before = showUnit(ctx);
  if (before.activeState === 'inactive' || before.activeState === 'failed') {
    ctx.out(`${ctx.name}: already stopped`);
    return;
  }
  ctx.out(`${ctx.name}: stopping`);
  const r = systemctl(ctx, ['stop', ctx.unit], timeoutMs);
  if (r.timedOut) throw timedOut(ctx, 'STOPPED', timeoutMs);
  const after = showUnit(ctx);
  if (r.code !== 0 || (after.activeState !== 'inactive' && after.activeState !== 'failed')) {
    throw new ManageError(`${ctx.name} did not stop (it is ${stateName(after)})${r.code !== 0 ? `: ${toolMessage(r)}` : ''}`, `run "sudo ${binName(ctx)} stop" again, or see "${binName(ctx)} logs"`);
  }
  const clean = after.result === 'success' || after.result === '';
  ctx.out(`${ctx.name}: stopped after ${seconds(ctx.now() - t0)}${clean ? '' : ` (${endText(after)})`}`);
}

export function restartUnit(ctx: UnitContext, timeoutMs?: number): void {
  requireRoot(ctx, 'restart');
  stopUnit(ctx, timeoutMs, 'restart');
  startUnit(ctx, timeoutMs);
}

/**
 * `reload`: systemctl reload → SIGHUP (the unit's ReloadSignal=, or ExecReload= before systemd
 * 253) → the service re-reads its settings and calls the app's onReload; systemctl returns once
 * the service said READY=1 again. The stored settings come from the environment, which systemd
 * sets at start: values changed with `config set` reach the service at its next start, not here.
 */
export function reloadUnit(ctx: UnitContext): void {
  requireRoot(ctx, 'reload');
  requireInstalled(ctx);
  const before = showUnit(ctx);
  if (!running(before)) {
    if (before.activeState === 'activating' || before.activeState === 'deactivating') {
      throw new ManageError(`${ctx.name} is ${stateName(before)} and cannot take reload now`, `wait until "${binName(ctx)} status" shows RUNNING, then try again`);
    }
    throw new ManageError(`${ctx.name} is not running, so it cannot take reload`, `start it with "sudo ${binName(ctx)} start"`);
  }
  const r = systemctl(ctx, ['reload', ctx.unit], RELOAD_TIMEOUT_MS);
  if (r.timedOut) throw timedOut(ctx, 'RUNNING after the reload', RELOAD_TIMEOUT_MS);
  if (r.code !== 0) throw new ManageError(`reloading ${ctx.name}: ${toolMessage(r)}`, `see "${binName(ctx)} logs"`);
  ctx.out(`${ctx.name}: reloaded; the app's onReload handlers run now (settings changed with "config set" apply at the next start: "sudo ${binName(ctx)} restart")`);
}
