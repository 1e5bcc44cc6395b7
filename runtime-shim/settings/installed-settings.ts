/**
 * What an installed service runs with: the exe's baked runtime settings with the values an admin
 * stored under the service's Parameters key (`install` flags, `config set`) applied over them.
 * `installedSettings` is the one function that answers it, for the service itself (at start and
 * on reload: host/service-host.ts) and for every management command (commands/installed.ts:
 * status, config, the wait of stop, install's checks, the log folder), so they cannot disagree
 * about it. Pure; bundled into the exe.
 */
import { applyStored, type RuntimeKey, type RuntimeSettings, type StoredResult } from './runtime-settings';

/**
 * The runtime settings an installed service runs with: `baked` with what `readStored()` returns
 * applied (applyStored: each value checked as its flag is, one that is not valid skipped with a
 * problem line). A store that cannot be read yields `baked` and one problem line naming
 * `storedAt` (the platform's name for the store, e.g. the service's Parameters key): what only
 * uses the settings (the service starting, `status`, the wait of `stop`) still works, with the
 * exe's own values.
 */
export function installedSettings(baked: RuntimeSettings, readStored: () => Partial<Record<RuntimeKey, string>>, storedAt: string): StoredResult {
  let stored: Partial<Record<RuntimeKey, string>>;
  try {
    stored = readStored();
  } catch (err) {
    return { settings: baked, stored: [], problems: [`could not read the settings stored with the service (${storedAt}: ${(err as Error).message}); using the exe's own`] };
  }
  return applyStored(baked, stored);
}
