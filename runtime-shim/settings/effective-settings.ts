/**
 * The runtime settings this process works with (settings/runtime-settings.ts): the exe's baked
 * ones, with what an admin stored with the service applied on top. Service modes load the stored
 * values when the SCM starts them (service-host.ts `loadStoredSettings`, through
 * installed-settings.ts `installedSettings`, which the management commands use too) and again on
 * `reload`; the supervisor hands its effective settings to the
 * app's child process in `SETTINGS_ENV`. Readers call `effectiveSettings()` when they act, so a
 * reload reaches them. */
import type { RuntimeSettings } from './runtime-settings';

/** Environment variable carrying the supervisor's effective settings (JSON) to the app's child. */
export const SETTINGS_ENV = 'SVCPACK_RUNTIME_SETTINGS';

let baked: RuntimeSettings | null = null;
let current: RuntimeSettings | null = null;

/**
 * Hands over the settings baked into the exe (`runtimeOf(config)`): boot's dispatch does it once,
 * before any mode runs (modes/start.ts); tests do it with their own configuration. Forgets
 * settings loaded before.
 */
export function setBakedSettings(settings: RuntimeSettings): void {
  baked = settings;
  current = null;
}

/** The settings baked into the exe at build time. Throws when read before `setBakedSettings`. */
export function bakedSettings(): RuntimeSettings {
  if (!baked) throw new Error('the baked runtime settings were read before boot handed them over (setBakedSettings)');
  return baked;
}

const listeners = new Set<(next: RuntimeSettings, previous: RuntimeSettings) => void>();

/** The settings in effect now: the baked ones until stored ones were loaded. */
export function effectiveSettings(): RuntimeSettings {
  current ??= fromSupervisor() ?? bakedSettings();
  return current;
}

/** Replaces the settings in effect and tells every `onSettingsChange` listener. */
export function setEffectiveSettings(next: RuntimeSettings): void {
  const previous = effectiveSettings();
  current = next;
  for (const listener of listeners) listener(next, previous);
}

/** Calls `listener` after each `setEffectiveSettings` (a reload). Returns a function that removes it. */
export function onSettingsChange(listener: (next: RuntimeSettings, previous: RuntimeSettings) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The supervisor's settings when this process is its app child; null otherwise or when unreadable. */
function fromSupervisor(): RuntimeSettings | null {
  const json = process.env[SETTINGS_ENV];
  if (!json) return null;
  try {
    return JSON.parse(json) as RuntimeSettings;
  } catch {
    return null;
  }
}
