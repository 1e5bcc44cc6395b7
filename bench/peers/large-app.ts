/**
 * fixtures/large-app: the build benchmarks' large fixture. Its dependencies are not part of the
 * project's install (nor committed): {@link ensureLargeApp} runs `npm ci` in it when its
 * node_modules is missing or does not match its package-lock.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchContext } from '../lib/types';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LARGE_APP_DIR = path.join(REPO_ROOT, 'fixtures', 'large-app');
export const LARGE_APP_ENTRY = path.join(LARGE_APP_DIR, 'app.ts');
export const HELLO_APP_ENTRY = path.join(REPO_ROOT, 'fixtures', 'hello-http', 'app.ts');

/**
 * Packages of package-lock.json that are missing from node_modules or installed at another
 * version (empty when node_modules is current).
 */
export async function staleLargeAppPackages(dir = LARGE_APP_DIR): Promise<string[]> {
  const lock = JSON.parse(await fs.readFile(path.join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; link?: boolean }>;
  };
  const stale: string[] = [];
  await Promise.all(
    Object.entries(lock.packages).map(async ([key, entry]) => {
      if (!key.startsWith('node_modules/') || entry.link || !entry.version) return;
      try {
        const installed = JSON.parse(await fs.readFile(path.join(dir, key, 'package.json'), 'utf8')) as { version?: string };
        if (installed.version !== entry.version) stale.push(key.slice('node_modules/'.length));
      } catch {
        stale.push(key.slice('node_modules/'.length));
      }
    }),
  );
  return stale.sort();
}

/** Runs `npm ci --no-audit --no-fund` in fixtures/large-app when its node_modules is missing or stale. */
export async function ensureLargeApp(log: BenchContext['log'], dir = LARGE_APP_DIR): Promise<void> {
  const stale = await staleLargeAppPackages(dir);
  if (stale.length === 0) return;
  log(`installing fixtures/large-app dependencies (npm ci; ${stale.length} packages missing or stale)`);
  try {
    await promisify(execFile)('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const lines = `${(err as { stderr?: string }).stderr ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => /err/i.test(l));
    throw new Error(`npm ci in fixtures/large-app failed: ${lines.pop() ?? (err as Error).message.split('\n')[0]}`);
  }
  const still = await staleLargeAppPackages(dir);
  if (still.length > 0) throw new Error(`npm ci in fixtures/large-app left ${still.length} packages missing (${still.slice(0, 3).join(', ')}…)`);
}
