/**
 * `reload`, `rotate`, `pause`, `continue`, `control <code>`: controls sent to the running
 * service with ControlService. The service is opened with only the right each control needs
 * (SERVICE_PAUSE_CONTINUE for pause, continue and PARAMCHANGE; SERVICE_USER_DEFINED_CONTROL for
 * codes 128-255) plus SERVICE_QUERY_STATUS. A control the service does not take gets one line
 * saying why: not running, still starting or stopping, or no app handler for it.
 */
import type { ControlCommand } from './command-line';
import { ROTATE_CONTROL } from '../lifecycle/lifecycle';
import {
  ERROR_CALL_NOT_IMPLEMENTED,
  ERROR_INVALID_SERVICE_CONTROL,
  ERROR_SERVICE_CANNOT_ACCEPT_CTRL,
  ERROR_SERVICE_NOT_ACTIVE,
  SERVICE_CONTINUE_PENDING,
  SERVICE_CONTROL_CONTINUE,
  SERVICE_CONTROL_PARAMCHANGE,
  SERVICE_CONTROL_PAUSE,
  SERVICE_PAUSE_CONTINUE,
  SERVICE_PAUSE_PENDING,
  SERVICE_PAUSED,
  SERVICE_QUERY_STATUS,
  SERVICE_RUNNING,
  SERVICE_STOPPED,
  SERVICE_USER_DEFINED_CONTROL,
  Win32Error,
  type ServiceStatusInfo,
} from '../platform/manager-api';
import { explain, ManageError, withService, type ManageContext } from './context';
import { notInstalled, stateName, waitForState } from './control';

/** Default time `pause` and `continue` wait for PAUSED / RUNNING, in ms. */
export const DEFAULT_PAUSE_TIMEOUT_MS = 30_000;

/** SERVICE_ACCEPT_PAUSE_CONTINUE (winsvc.h): whether the running service takes pause/continue now. */
const ACCEPT_PAUSE_CONTINUE = 0x2;

interface ControlPlan {
  code: number;
  /** The right ControlService needs for `code`. */
  access: number;
  /** The command as the user typed it, for messages: `reload`, `control 200`. */
  command: string;
  /** Why a running service would refuse it, and what to do. */
  refusedBecause: string;
  hint: string;
}

function planFor(ctx: ManageContext, cmd: ControlCommand): ControlPlan {
  const pauseContinue = {
    refusedBecause: 'the app registered no service.onPause and service.onContinue handlers (both are needed)',
    hint: "register both in the app (import { service } from 'svcpack/runtime'), rebuild and reinstall",
  };
  const older = {
    refusedBecause: 'the running process does not take it (an exe from an older svcpack?)',
    hint: `restart it with "${ctx.name}.exe restart"`,
  };
  switch (cmd.kind) {
    case 'reload':
      return { code: SERVICE_CONTROL_PARAMCHANGE, access: SERVICE_PAUSE_CONTINUE, command: 'reload', ...older };
    case 'pause':
      return { code: SERVICE_CONTROL_PAUSE, access: SERVICE_PAUSE_CONTINUE, command: 'pause', ...pauseContinue };
    case 'continue':
      return { code: SERVICE_CONTROL_CONTINUE, access: SERVICE_PAUSE_CONTINUE, command: 'continue', ...pauseContinue };
    case 'rotate':
      return { code: ROTATE_CONTROL, access: SERVICE_USER_DEFINED_CONTROL, command: 'rotate', ...older };
    case 'control':
      if (cmd.code === ROTATE_CONTROL) return { ...planFor(ctx, { kind: 'rotate' }), command: `control ${cmd.code}` };
      return {
        code: cmd.code,
        access: SERVICE_USER_DEFINED_CONTROL,
        command: `control ${cmd.code}`,
        refusedBecause: 'the app registered no service.onControl handler',
        hint: "register one in the app (import { service } from 'svcpack/runtime'), rebuild and reinstall",
      };
  }
}

/** Sends the control and, for pause and continue, waits until the service is PAUSED / RUNNING. */
export async function sendControl(ctx: ManageContext, cmd: ControlCommand): Promise<ServiceStatusInfo> {
  const plan = planFor(ctx, cmd);
  return withService(ctx, { write: false, access: plan.access | SERVICE_QUERY_STATUS, command: plan.command }, async (_scm, service) => {
    if (!service) throw notInstalled(ctx);
    const before = ctx.api.queryStatus(service);
    if (cmd.kind === 'pause' && (before.state === SERVICE_PAUSED || before.state === SERVICE_PAUSE_PENDING)) {
      ctx.out(`${ctx.name}: already paused`);
      return before;
    }
    if (cmd.kind === 'continue' && (before.state === SERVICE_RUNNING || before.state === SERVICE_CONTINUE_PENDING)) {
      ctx.out(`${ctx.name}: already running`);
      return before;
    }
    if (before.state === SERVICE_STOPPED) throw notRunning(ctx, plan);
    if (before.state !== SERVICE_RUNNING && before.state !== SERVICE_PAUSED) {
      throw new ManageError(`${ctx.name} is ${stateName(before.state)} and cannot take ${plan.command} now`, `wait until "${ctx.name}.exe status" shows RUNNING, then try again`);
    }
    if ((cmd.kind === 'pause' || cmd.kind === 'continue') && !(before.controlsAccepted & ACCEPT_PAUSE_CONTINUE)) throw refused(ctx, plan);
    try {
      ctx.api.control(service, plan.code);
    } catch (err) {
      if (err instanceof Win32Error) {
        if (err.code === ERROR_SERVICE_NOT_ACTIVE) throw notRunning(ctx, plan);
        if (err.code === ERROR_SERVICE_CANNOT_ACCEPT_CTRL || err.code === ERROR_INVALID_SERVICE_CONTROL || err.code === ERROR_CALL_NOT_IMPLEMENTED) {
          throw refused(ctx, plan);
        }
      }
      explain(err, ctx, `sending ${plan.command} to ${ctx.name}`, plan.command);
    }
    return finish(ctx, service, cmd, plan);
  });
}

async function finish(ctx: ManageContext, service: object, cmd: ControlCommand, plan: ControlPlan): Promise<ServiceStatusInfo> {
  switch (cmd.kind) {
    case 'pause':
    case 'continue': {
      const pausing = cmd.kind === 'pause';
      const target = pausing ? SERVICE_PAUSED : SERVICE_RUNNING;
      const status = await waitForState(ctx, service, target, pausing ? SERVICE_PAUSE_PENDING : SERVICE_CONTINUE_PENDING, cmd.timeoutMs ?? DEFAULT_PAUSE_TIMEOUT_MS);
      if (status.state !== target) {
        throw new ManageError(`${ctx.name} did not ${cmd.kind} (it is ${stateName(status.state)})`, `see the log under ${ctx.logDir}`);
      }
      ctx.out(`${ctx.name}: ${pausing ? 'paused' : 'running'}`);
      return status;
    }
    case 'reload':
      ctx.out(`${ctx.name}: reload sent; the service logs what changed under ${ctx.logDir}`);
      break;
    case 'rotate':
      ctx.out(`${ctx.name}: rotate sent; the log under ${ctx.logDir} starts a new file`);
      break;
    case 'control':
      ctx.out(`${ctx.name}: ${plan.command} sent`);
      break;
  }
  return ctx.api.queryStatus(service);
}

function notRunning(ctx: ManageContext, plan: ControlPlan): ManageError {
  return new ManageError(`${ctx.name} is not running, so it cannot take ${plan.command}`, `start it with "${ctx.name}.exe start"`);
}

function refused(ctx: ManageContext, plan: ControlPlan): ManageError {
  return new ManageError(`${ctx.name} does not accept ${plan.command}: ${plan.refusedBecause}`, plan.hint);
}
