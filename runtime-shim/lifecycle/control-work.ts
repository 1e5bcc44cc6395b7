/**
 * What the service does with the controls besides stop, shared by in-process service
 * mode, the supervisor and the supervised app child:
 *
 * - PARAMCHANGE (`MySvc.exe reload`): the service process re-reads the settings stored with the
 *   service, applies what changes live (the log's level, rotation, keep count and compression
 *   here; the stop timeout is read at each stop; supervision listens to `onSettingsChange`), logs
 *   one line naming what changed and what needs a restart, then runs the app's onReload handlers.
 * - User control 128 (`MySvc.exe rotate`): the process that owns the log rotates it now.
 * - PAUSE/CONTINUE, user controls 129-255, session changes and power events: the app's handlers.
 *
 * Which of these the service accepts follows `serviceAccepts`: the service's own (reload and
 * rotate) always, the app's only while it has handlers.
 */
import { runControlHandlers, type HandledControls } from './app-controls';
import { describe, ROTATE_CONTROL, type AcceptedControls, type DeliveredControl } from './lifecycle';
import type { LogSink } from '../logging/log-sink';
import { runtimeSpec, runtimeValues, type AppliesOn, type RuntimeKey, type RuntimeSettings } from '../settings/runtime-settings';

/** The controls a service process accepts while the app has `handled` handlers. */
export function serviceAccepts(handled: HandledControls): AcceptedControls {
  return {
    paramChange: true,
    rotate: true,
    pauseContinue: handled.pauseContinue,
    custom: handled.custom,
    sessionChange: handled.sessionChange,
    powerEvent: handled.powerEvent,
  };
}

/** No app handlers (a supervised app not running, or one that registered none). */
export const NOTHING_HANDLED: HandledControls = { reload: false, pauseContinue: false, custom: false, sessionChange: false, powerEvent: false };

export interface SettingChange {
  /** The flag without dashes: `log-level`. */
  name: string;
  from: string;
  to: string;
  appliesOn: AppliesOn;
}

/** The settings whose value differs between `previous` and `next`, in catalog order (pure; secrets redacted). */
export function changedSettings(previous: RuntimeSettings, next: RuntimeSettings): SettingChange[] {
  const before = runtimeValues(previous);
  const after = runtimeValues(next);
  const changes: SettingChange[] = [];
  for (const key of Object.keys(after) as RuntimeKey[]) {
    if (before[key] === after[key]) continue;
    const spec = runtimeSpec(key);
    const shown = (v: string | null) => (v === null ? '(default)' : spec.secret && v !== 'none' ? '(changed)' : v);
    changes.push({ name: spec.flag.slice(2), from: shown(before[key]), to: shown(after[key]), appliesOn: spec.appliesOn });
  }
  return changes;
}

/**
 * The one log line of a reload (pure): `reload: log-level info → debug, log-keep 5 → 2; needs a
 * restart to apply: log-dir`, or `reload: no setting changed`.
 */
export function reloadLine(changes: readonly SettingChange[]): string {
  if (changes.length === 0) return 'reload: no setting changed';
  const list = changes.map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ');
  const restart = changes.filter((c) => c.appliesOn === 'restart').map((c) => c.name);
  return `reload: ${list}${restart.length ? `; needs a restart to apply: ${restart.join(', ')}` : ''}`;
}

export interface ReloadDeps {
  /** Makes the stored settings effective (service-host `loadStoredSettings`); returns problem lines. */
  load(): string[];
  /** The settings in effect now. */
  current(): RuntimeSettings;
  /** Applies new logging settings to the log file. */
  applyLogging(settings: RuntimeSettings['logging']): void;
  sink: LogSink;
}

/**
 * The service process's part of a reload: load, log what changed (before the new log level
 * applies, so the line is written under the level that was in effect), apply the log settings.
 * Returns the new settings. Never throws: a store that cannot be read keeps the baked values
 * with a problem line (see loadStoredSettings).
 */
export function reloadSettings(deps: ReloadDeps): RuntimeSettings {
  const previous = deps.current();
  const problems = deps.load();
  const next = deps.current();
  for (const problem of problems) deps.sink.write('warn', 'lifecycle', problem);
  deps.sink.write('info', 'lifecycle', reloadLine(changedSettings(previous, next)));
  deps.applyLogging(next.logging);
  return next;
}

/**
 * Runs the app's handlers for `control` (never rejects: each failing handler is logged as an
 * error record). User code 128 is not the app's: the caller rotates the log.
 */
export function runAppControl(control: DeliveredControl, sink: LogSink): Promise<void> {
  const failed = (what: string) => (err: unknown) => sink.write('error', 'lifecycle', `${what} handler failed: ${describe(err)}`);
  if (control === 'paramchange') return runControlHandlers('reload', [], failed('onReload'));
  if (control === 'pause') return runControlHandlers('pause', [], failed('onPause'));
  if (control === 'continue') return runControlHandlers('continue', [], failed('onContinue'));
  switch (control.kind) {
    case 'custom':
      if (control.code === ROTATE_CONTROL) return Promise.resolve();
      return runControlHandlers('control', [control.code], failed('onControl'));
    case 'session-change':
      return runControlHandlers('sessionChange', [{ event: control.event, sessionId: control.sessionId }], failed('onSessionChange'));
    case 'power-event':
      return runControlHandlers('powerEvent', [{ event: control.event }], failed('onPowerEvent'));
  }
}

/** Rotates the log now (user code 128, `MySvc.exe rotate`) and says so in the fresh file. */
export function rotateLog(file: { rotateNow(): boolean }, sink: LogSink): void {
  if (file.rotateNow()) sink.write('info', 'lifecycle', 'log rotated on request (rotate control)');
  else sink.write('info', 'lifecycle', 'rotate: nothing to rotate (the log file is empty or could not be rotated)');
}

/** Whether `control` is user code 128, the service's "rotate the log now". */
export function isRotate(control: DeliveredControl): boolean {
  return typeof control === 'object' && control.kind === 'custom' && control.code === ROTATE_CONTROL;
}
