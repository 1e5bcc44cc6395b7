/**
 * fixtures/large-app: the build benchmarks' large fixture. Its dependencies are not part of the
 * project's install (nor committed): {@link ensureLargeApp} runs `npm ci` in it when its
 * node_modules is missing or does not match its package-lock.json.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFixtureDeps, stalePackages } from '../../test/support/fixture-deps';
import type { BenchContext } from '../lib/types';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LARGE_APP_DIR = path.join(REPO_ROOT, 'fixtures', 'large-app');
export const LARGE_APP_ENTRY = path.join(LARGE_APP_DIR, 'app.ts');
export const HELLO_APP_ENTRY = path.join(REPO_ROOT, 'fixtures', 'hello-http', 'app.ts');

/** Packages of fixtures/large-app's package-lock.json missing from its node_modules or at another version. */
export function staleLargeAppPackages(dir = LARGE_APP_DIR): Promise<string[]> {
  return stalePackages(dir);
}

/** Runs `npm ci` in fixtures/large-app when its node_modules is missing or stale. */
export async function ensureLargeApp(log: BenchContext['log'], dir = LARGE_APP_DIR): Promise<void> {
  const stale = await stalePackages(dir);
  if (stale.length === 0) return;
  log(`installing fixtures/large-app dependencies (npm ci; ${stale.length} packages missing or stale)`);
  await ensureFixtureDeps(dir);
}
