/**
 * Installs a fixture's npm dependencies the way a user would (`npm ci` from its package-lock.json,
 * on this Linux machine: npm skips packages for other platforms), when its node_modules is missing
 * or stale. The dependencies are not part of the project's install, nor committed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

interface LockEntry {
  version?: string;
  link?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** This machine's C library as npm names it: glibc, musl, or none (not Linux). */
function hostLibc(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** Whether npm installs a lock entry on this machine (its `os`/`cpu`/`libc`, like npm, with `!` negations). */
function forThisMachine(entry: LockEntry): boolean {
  const fits = (list: string[] | undefined, value: string | undefined) =>
    !list || value === undefined || (list.some((v) => !v.startsWith('!')) ? list.includes(value) : !list.includes(`!${value}`));
  return fits(entry.os, process.platform) && fits(entry.cpu, process.arch) && fits(entry.libc, hostLibc());
}

/** Packages of the lock file that should be installed here but are missing or at another version. */
export async function stalePackages(dir: string): Promise<string[]> {
  const lock = JSON.parse(await fs.readFile(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const stale: string[] = [];
  await Promise.all(
    Object.entries(lock.packages).map(async ([key, entry]) => {
      if (!key.startsWith('node_modules/') || entry.link || !entry.version || !forThisMachine(entry)) return;
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

/** Runs `npm ci` in `dir` when its node_modules does not match its package-lock.json. */
export async function ensureFixtureDeps(dir: string): Promise<void> {
  if ((await stalePackages(dir)).length === 0) return;
  try {
    await promisify(execFile)('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const lines = `${(err as { stderr?: string }).stderr ?? ''}`.split('\n').filter((l) => /err/i.test(l));
    throw new Error(`npm ci in ${dir} failed: ${lines.pop() ?? (err as Error).message.split('\n')[0]}`);
  }
  const still = await stalePackages(dir);
  if (still.length > 0) throw new Error(`npm ci in ${dir} left ${still.length} packages missing (${still.slice(0, 3).join(', ')}…)`);
}
