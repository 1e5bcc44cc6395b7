/**
 * What the loaders (`loaders/sea-script.ts`, `loaders/pkg.ts`) do when importing the app bundle
 * rejects: hand the error to the booted shim (the service then reports STOPPED with a failure
 * code), or, if the shim never booted, print it and exit 1.
 */
const BOOT_KEY = Symbol.for('svcpack.boot');

export interface BootHandle {
  appFailed(err: unknown): void;
}

/** Called by boot.ts once the shim is up. */
export function registerBoot(handle: BootHandle): void {
  (globalThis as Record<symbol, unknown>)[BOOT_KEY] = handle;
}

export function reportLoadFailure(err: unknown): void {
  const boot = (globalThis as Record<symbol, BootHandle | undefined>)[BOOT_KEY];
  if (boot) {
    boot.appFailed(err);
    return;
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
