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
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
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

/** The lock key a dependency `name` of the entry at `from` resolves to (nested node_modules first, like Node), else undefined. */
function lockKeyOf(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const key = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[key]) return key;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/**
 * The lock keys `npm ci` installs on this machine: every entry for this machine that is not
 * optional, and the optional ones that an installed package (or the project) depends on — an
 * optional package whose only dependents were skipped for another platform (sharp's
 * `@img/sharp-wasm32`, reached only from the FreeBSD and WebContainers packages) is not installed.
 */
export function installedLockKeys(packages: Record<string, LockEntry>): Set<string> {
  const keys = new Set<string>();
  const queue: string[] = [''];
  const add = (key: string) => {
    const entry = packages[key]!;
    if (keys.has(key) || !forThisMachine(entry)) return;
    keys.add(key);
    queue.push(key);
  };
  for (const [key, entry] of Object.entries(packages)) if (key.startsWith('node_modules/') && !entry.optional) add(key);
  for (let from = queue.shift(); from !== undefined; from = queue.shift()) {
    const entry = packages[from];
    if (!entry) continue;
    const peers = Object.keys(entry.peerDependencies ?? {}).filter((n) => !entry.peerDependenciesMeta?.[n]?.optional);
    const names = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
    if (from === '') names.push(...Object.keys(entry.devDependencies ?? {}));
    for (const name of names) {
      const key = lockKeyOf(packages, from, name);
      if (key !== undefined) add(key);
    }
  }
  return keys;
}

/** Packages of the lock file that should be installed here but are missing or at another version. */
export async function stalePackages(dir: string): Promise<string[]> {
  const lock = JSON.parse(await fs.readFile(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const expected = installedLockKeys(lock.packages);
  const stale: string[] = [];
  await Promise.all(
    Object.entries(lock.packages).map(async ([key, entry]) => {
      if (!expected.has(key) || entry.link || !entry.version) return;
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
