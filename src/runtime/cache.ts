import { createHash } from 'node:crypto';
import { type BigIntStats } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite } from '../atomic-write';
import { sha256File } from '../file-hash';

/**
 * The on-disk cache of Node binaries:
 *   `<cacheDir>/node/<version>/<platform>-<arch>/node(.exe)` plus `node(.exe).json` beside it
 * recording where the binary came from and its sha256. Entries are written atomically (temp
 * file in the same directory, then rename).
 *
 * Integrity: a binary is re-hashed whenever it may have changed since it was last verified. After a
 * successful check, `node(.exe).verified.json` records the file's identity (device, inode, size,
 * mtime and ctime, in ns). ctime cannot be set by ordinary programs, so a binary whose identity still
 * matches has not been written since; re-hashing the two ~90 MB binaries on every build cost 0.3 s.
 */

export type NodePlatform = 'win' | 'linux' | 'darwin';
export type NodeArch = 'x64' | 'arm64';

/** Identifies one cached binary. */
export interface BinaryKey {
  version: string;
  platform: NodePlatform;
  arch: NodeArch;
}

/** The `.json` written beside each cached binary. */
export interface CacheRecord extends BinaryKey {
  source: 'npm' | 'nodejs.org';
  /** URL the archive or binary was downloaded from. */
  url: string;
  /** sha256 (hex) of the cached binary. */
  sha256: string;
  size: number;
  fetchedAt: string;
}

/**
 * Default cache root: `SVCPACK_CACHE_DIR` if set; else on Windows `%LOCALAPPDATA%\svcpack\Cache`,
 * on macOS `~/Library/Caches/svcpack`, elsewhere `$XDG_CACHE_HOME/svcpack` or `~/.cache/svcpack`.
 */
export function cacheRoot(): string {
  const env = process.env;
  if (env.SVCPACK_CACHE_DIR) return env.SVCPACK_CACHE_DIR;
  if (process.platform === 'win32') {
    return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), 'svcpack', 'Cache');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'svcpack');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'svcpack');
}

/** `node.exe` on Windows, `node` elsewhere. */
export function binaryFileName(platform: NodePlatform): string {
  return platform === 'win' ? 'node.exe' : 'node';
}

/** Where the binary for `key` lives (whether or not it exists yet). */
export function cachedBinaryPath(cacheDir: string, key: BinaryKey): string {
  return join(cacheDir, 'node', key.version, `${key.platform}-${key.arch}`, binaryFileName(key.platform));
}

/**
 * The cached binary for `key` if present AND its sha256 still matches its record; undefined when
 * missing, unrecorded or corrupt (a corrupt entry is left for {@link writeCache} to replace).
 */
export async function readCache(cacheDir: string, key: BinaryKey): Promise<{ path: string; record: CacheRecord } | undefined> {
  const path = cachedBinaryPath(cacheDir, key);
  let record: CacheRecord;
  try {
    record = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheRecord;
    if (typeof record.sha256 !== 'string') return undefined;
    const identity = fileIdentity(await stat(path, { bigint: true }), record.sha256);
    if (Number(identity.size) !== record.size) return undefined;
    if ((await readFile(`${path}.verified.json`, 'utf8').catch(() => '')) === identity.json) return { path, record };
    if ((await sha256File(path)) !== record.sha256) return undefined;
    await markVerified(path, record.sha256);
  } catch {
    return undefined;
  }
  return { path, record };
}

/** Records that `path` (as it is now) has hash `sha256`. A read-only cache just re-hashes next time. */
async function markVerified(path: string, sha256: string): Promise<void> {
  const identity = fileIdentity(await stat(path, { bigint: true }), sha256);
  await atomicWrite(`${path}.verified.json`, identity.json, 0o644).catch(() => undefined);
}

/** What `<binary>.verified.json` holds: the identity of the file whose hash was checked. */
function fileIdentity(st: BigIntStats, sha256: string): { size: bigint; json: string } {
  const fields = { sha256, dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
  return { size: st.size, json: `${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n` };
}

/**
 * Stores `data` as the binary for `key` (mode 755) with its record, atomically: concurrent
 * builds see either no entry or a complete one. Returns the binary's path.
 */
export async function writeCache(
  cacheDir: string,
  key: BinaryKey,
  data: Uint8Array,
  meta: { source: CacheRecord['source']; url: string },
): Promise<{ path: string; record: CacheRecord }> {
  const path = cachedBinaryPath(cacheDir, key);
  const record: CacheRecord = {
    ...key,
    source: meta.source,
    url: meta.url,
    sha256: createHash('sha256').update(data).digest('hex'),
    size: data.byteLength,
    fetchedAt: new Date().toISOString(),
  };
  await mkdir(join(path, '..'), { recursive: true });
  await atomicWrite(path, data, 0o755);
  await atomicWrite(`${path}.json`, `${JSON.stringify(record, null, 2)}\n`, 0o644);
  await markVerified(path, record.sha256);
  return { path, record };
}

/** Versions that have a (not yet verified) binary cached for this platform/arch. */
export async function cachedVersions(cacheDir: string, platform: NodePlatform, arch: NodeArch): Promise<string[]> {
  let dirs: string[];
  try {
    dirs = await readdir(join(cacheDir, 'node'));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const version of dirs) {
    try {
      await stat(cachedBinaryPath(cacheDir, { version, platform, arch }));
      out.push(version);
    } catch {
      /* not cached for this target */
    }
  }
  return out;
}
