/**
 * Loads native modules (koffi's, and the app's addons through addons/load-addon.ts) from inside the exe. A native module must be a file on disk before
 * Windows can load it, and where that file lives is a security decision: it goes under the
 * running account's own %LOCALAPPDATA% (LocalSystem: C:\Windows\System32\config\systemprofile,
 * LocalService/NetworkService/virtual accounts: their profile under C:\Windows\ServiceProfiles,
 * a user: that user's profile), which only that account and administrators can write. Never a
 * shared temp folder. The file is named by its SHA-256 and re-hashed before every load, so a
 * stale or tampered copy is replaced rather than loaded.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;

/**
 * The folder native modules are written to for the current account. Windows: under
 * %LOCALAPPDATA%. Linux: the service's own CACHE_DIRECTORY when systemd set one (the unit's
 * CacheDirectory=, owned by the service's user), else `$XDG_CACHE_HOME` or `~/.cache` — a folder
 * only that user and root can write, never /tmp.
 */
export function nativeModuleDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') {
    const cache = env.CACHE_DIRECTORY?.split(':')[0];
    if (cache) return path.join(cache, 'native');
    return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'svcpack', 'native');
  }
  const base = env.LOCALAPPDATA || path.join(env.USERPROFILE || os.homedir(), 'AppData', 'Local');
  return path.join(base, 'svcpack', 'native');
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Writes `bytes` (whose SHA-256 is `expectedSha256`, known at build time) to the account's native
 * folder unless an identical copy is there, then loads it. Throws if the bytes do not match.
 */
export function loadNativeModule<T>(fileName: string, bytes: () => Uint8Array, expectedSha256: string): T {
  const dir = materializeNativeFiles(expectedSha256, [{ path: fileName, sha256: expectedSha256, bytes }]);
  const mod = { exports: {} as T };
  process.dlopen(mod, path.join(dir, fileName));
  return mod.exports;
}

export interface NativeFile {
  /** Path inside the folder, `/`-separated. */
  path: string;
  sha256: string;
  /** The embedded bytes; read only when the file on disk is missing or differs. */
  bytes(): Uint8Array;
}

/**
 * Makes `<native folder>\<key's first 32 hex digits>\` hold exactly these files, each checked
 * against its SHA-256 (re-hashed on every call: a stale or tampered copy is replaced, never
 * loaded), and returns the folder. Throws if embedded bytes do not match their hash.
 */
export function materializeNativeFiles(key: string, files: readonly NativeFile[]): string {
  const dir = path.join(nativeModuleDir(), key.slice(0, 32));
  for (const f of files) {
    const file = path.join(dir, ...f.path.split('/'));
    if (hasHash(file, f.sha256)) continue;
    const data = f.bytes();
    if (sha256(data) !== f.sha256) throw new Error(`embedded ${f.path} is corrupt (hash mismatch)`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o700, flag: 'wx' });
    try {
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      // Another instance may have won the race and be holding the file loaded.
      if (!hasHash(file, f.sha256)) throw err;
    }
    if (!hasHash(file, f.sha256)) throw new Error(`${file} changed while it was being written`);
  }
  return dir;
}

function hasHash(file: string, expected: string): boolean {
  try {
    return sha256(fs.readFileSync(file)) === expected;
  } catch {
    return false;
  }
}
