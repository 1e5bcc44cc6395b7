/**
 * Fetches a platform package that npm did not install on the build machine (a napi-rs style
 * `<pkg>-win32-x64-msvc`, a `@img/sharp-win32-x64`) from the npm registry, at exactly the version
 * its parent pins, checked against the registry's `dist.integrity`, and keeps it in the svcpack
 * cache like the Node runtimes: `<cache>/packages/<name>@<version>/node_modules/<name>/…`, so the
 * bundler resolves into it as if it were installed. A warm cache makes no network request; every
 * file is checked against the SHA-256 recorded when it was stored, and a damaged copy is fetched
 * again.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { failure } from '../../errors';
import { getBuffer, describeError, HttpStatusError } from '../../runtime/http';
import { checkIntegrity, fetchPackument } from '../../runtime/npm-registry';
import { extractAllFromTgz } from '../../runtime/tar';

export interface PackageSource {
  registry: string;
  cacheDir: string;
  fetchImpl: typeof fetch;
}

/** `files.json` beside the package: what was stored and from where. */
interface StoredPackage {
  name: string;
  version: string;
  integrity: string;
  tarball: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The folder whose `node_modules/<name>` holds the package (resolve from here). */
export function packageRoot(cacheDir: string, name: string, version: string): string {
  return path.join(cacheDir, 'packages', `${name.replace('/', '+')}@${version}`);
}

/**
 * Makes `<name>@<version>` available in the cache and returns the folder to resolve from (its
 * `node_modules/<name>` is the package). Fails with ADDON_FETCH_FAILED naming the package when
 * the registry cannot be reached, has no such version, or serves a file that fails its integrity.
 */
export async function ensurePlatformPackage(src: PackageSource, name: string, version: string, neededBy: string): Promise<string> {
  const root = packageRoot(src.cacheDir, name, version);
  const dir = path.join(root, 'node_modules', ...name.split('/'));
  if (await intact(root, dir)) return root;

  const what = `${name}@${version} (the Windows x64 binary of ${neededBy})`;
  let packument;
  try {
    packument = await fetchPackument(src.registry, name, src.fetchImpl);
  } catch (err) {
    const missing = err instanceof HttpStatusError && err.status === 404;
    throw failure(
      'ADDON_FETCH_FAILED',
      missing ? `${name} is not on ${src.registry}, so ${neededBy} has no Windows x64 binary to embed` : `could not fetch ${what} from ${src.registry}: ${describeError(err)}`,
      missing ? `pass --native ${neededBy}=<path to its win32-x64 .node file>` : 'check the network (a warm cache needs none) or the npm registry setting',
    );
  }
  const meta = packument.versions[version];
  if (!meta) {
    throw failure(
      'ADDON_FETCH_FAILED',
      `${name}@${version}, which ${neededBy} pins, is not published on ${src.registry}`,
      `use a version of ${neededBy} whose Windows binary is published, or pass --native ${neededBy}=<path to its win32-x64 .node file>`,
    );
  }
  const integrity = meta.dist?.integrity;
  const tarball = meta.dist?.tarball;
  if (!integrity || !tarball) throw failure('ADDON_FETCH_FAILED', `${what} on ${src.registry} has no tarball or dist.integrity`, 'use a registry that serves integrity hashes');
  let tgz: Buffer;
  try {
    tgz = await getBuffer(tarball, { fetchImpl: src.fetchImpl });
  } catch (err) {
    throw failure('ADDON_FETCH_FAILED', `could not download ${what} from ${tarball}: ${describeError(err)}`, 'check the network (a warm cache needs none)');
  }
  if (!checkIntegrity(tgz, integrity)) {
    throw failure('ADDON_INTEGRITY', `${what} downloaded from ${tarball} does not match its published integrity`, 'retry; if it persists, the registry or a proxy is serving altered files');
  }
  const entries = await extractAllFromTgz(tgz);
  const stored: StoredPackage = { name, version, integrity, tarball, files: {} };
  // Written into a folder of this build's own, then renamed into place whole: builds running at
  // once (parallel builds on a cold cache) each fetch the package, and clearing and rewriting the
  // one folder failed a build whose files another build was replacing (ENOENT, ENOTEMPTY).
  const staging = `${root}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const stagedDir = path.join(staging, 'node_modules', ...name.split('/'));
  try {
    for (const [entry, data] of entries) {
      const rel = entry.replace(/^package\//, '');
      if (rel === entry || rel.split('/').some((p) => p === '..' || p === '')) continue; // only package/…, no escapes
      const file = path.join(stagedDir, ...rel.split('/'));
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, data);
      stored.files[rel] = { sha256: sha256(data), bytes: data.byteLength };
    }
    await fs.writeFile(path.join(staging, 'files.json'), `${JSON.stringify(stored, null, 2)}\n`);
    await moveIntoPlace(staging, root, () => intact(root, dir));
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return root;
}

/**
 * Renames the folder `staging` to `root`. When `root` is already there (another build stored the
 * package meanwhile, or a damaged copy is in the way), keeps it if `intact`, else replaces it.
 */
async function moveIntoPlace(staging: string, root: string, intactNow: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(staging, root);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 2 || (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM')) throw err;
    }
    if (await intactNow()) return;
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** True when the cached package has every file it was stored with, unchanged. */
async function intact(root: string, dir: string): Promise<boolean> {
  let stored: StoredPackage;
  try {
    stored = JSON.parse(await fs.readFile(path.join(root, 'files.json'), 'utf8')) as StoredPackage;
  } catch {
    return false;
  }
  for (const [rel, meta] of Object.entries(stored.files)) {
    try {
      const data = await fs.readFile(path.join(dir, ...rel.split('/')));
      if (data.byteLength !== meta.bytes || sha256(data) !== meta.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}
