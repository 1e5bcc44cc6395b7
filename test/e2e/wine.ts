/**
 * The e2e tests' Wine harness: everything in test/support/wine.ts plus `e2eFile`, which wires one
 * test file's vitest hooks (Wine session, builds, service cleanup).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { removeBuilds, removeService, requireWine, startWine, winePrefix, type WineSession } from '../support/wine';

export * from '../support/wine';

// ---------------------------------------------------------------- per-file wiring

export interface E2EFile<T> {
  /** What `setup` returned (valid inside tests). */
  readonly ctx: T;
}

/**
 * Registers one test file's hooks: `setup` runs once (Wine prefix, keep-alive, builds); if it
 * fails — Wine missing included — every test of the file FAILS with that error (beforeEach
 * rethrows it), never skips. After each test and at the end the listed services are stopped and
 * deleted (errors ignored); at the end the keep-alive is ended and the temp builds are removed
 * unless a test failed.
 */
export function e2eFile<T>(opts: { services: string[]; setup: () => Promise<T> }): E2EFile<T> {
  let value: T | undefined;
  let setupError: unknown;
  let session: WineSession | undefined;
  let failed = false;

  beforeAll(async () => {
    try {
      requireWine();
      const t = performance.now();
      const [s, v] = await Promise.allSettled([startWine(), opts.setup()]);
      if (s.status === 'fulfilled') session = s.value;
      if (s.status === 'rejected') throw s.reason;
      if (v.status === 'rejected') throw v.reason;
      value = v.value;
      console.log(`[e2e] Wine SCM up and fixtures built in ${Math.round(performance.now() - t)} ms (prefix ${winePrefix})`);
    } catch (err) {
      setupError = err;
    }
  });
  beforeEach(() => {
    if (setupError !== undefined) throw setupError;
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') failed = true;
    if (setupError === undefined) for (const name of opts.services) await removeService(name);
  });
  afterAll(async () => {
    if (setupError === undefined) for (const name of opts.services) await removeService(name);
    await session?.stop();
    removeBuilds(failed || setupError !== undefined);
  });

  return {
    get ctx(): T {
      if (value === undefined) throw setupError ?? new Error('e2e setup has not run');
      return value;
    },
  };
}
