/**
 * The stop timeout's limits: how long the app's stop work (stop handlers and the stop hooks
 * around them) may take before the stop is forced. Its key (`stopTimeout`), flag, help and
 * validator are the runtime catalog's (runtime-settings.ts); this module holds only the numbers,
 * without imports, so the lifecycle can use the default without the catalog. Pure data.
 */

/** The stop timeout of an exe built without `--stop-timeout`, ms. */
export const DEFAULT_STOP_TIMEOUT_MS = 20_000;

/** The longest stop timeout: Node.js timers cannot wait longer than 2^31-1 ms (≈ 24.8 days). */
export const MAX_STOP_TIMEOUT_MS = 24 * 86_400_000;
