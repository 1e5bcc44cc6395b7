/**
 * Native binaries of the embedded dependency tree: a `.node` addon that only a computed name
 * reaches (``require(`@scope/${target}`)``, `createRequire(import.meta.url)('./x.node')`), and an
 * `.exe` a package starts from its own folder (esbuild's JS API runs
 * `@esbuild/win32-x64/esbuild.exe`). Windows loads and starts only real files, so such a binary
 * is written out first, as addons the bundle reaches are (addons/load-addon.ts): into the
 * account's protected native folder (addons/native-module.ts), each file checked against the
 * SHA-256 the build named its asset by, and re-checked on every load.
 *
 * A binary never goes alone: every `.node`, `.dll`, `.exe` and `.so` of its package goes with it,
 * at its place in the package, because addons load libraries shipped beside them (sharp's
 * libvips) and executables their own DLLs; Windows finds them in the binary's own folder, Linux
 * through the addon's `$ORIGIN` run path, as in a real node_modules folder. The same hook loads
 * the x86-64 addons a linux-x64 build keeps in its tree. The set is the package's, so its folder is shared by all its binaries.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { materializeNativeFiles, type NativeFile } from '../addons/native-module';
import type { EmbedManifest, ReadEntry } from './manifest';

/** The files written out with a native binary, by extension: addons, Windows DLLs and programs, Linux shared libraries (`.so`, `.so.1.2`). */
export const NATIVE_BINARY = /\.(?:node|dll|exe|so)$|\.so(?:\.\d+)+$/i;
/** A file's own asset, named by its content: `file-<sha256>`, or the addon asset it shares with an addon the bundle reached. */
const FILE_ASSET = /^(?:file|addon)-([0-9a-f]{64})$/;

/** One package's native binaries, as written out together. */
export interface TreeNativeSet {
  /** The package's location in the tree (`node_modules/@img/sharp-win32-x64`). */
  location: string;
  /** The binaries, by path inside the package (`lib/sharp-win32-x64.node`), with their asset and SHA-256. */
  files: Array<{ path: string; asset: string; sha256: string }>;
  /** Content address of the set: SHA-256 over the sorted `path:sha256` lines (names its folder). */
  key: string;
}

/** The location of the package `rel` (a tree path) belongs to: the longest package folder that holds it. */
export function packageOfTreePath(packages: Readonly<Record<string, string>>, rel: string): string | null {
  let best: string | null = null;
  for (const location of Object.keys(packages)) {
    if (rel.startsWith(`${location}/`) && (best === null || location.length > best.length)) best = location;
  }
  return best;
}

/**
 * The native set of the package holding the tree file `rel`, or null when `rel` is not an
 * embedded Windows binary of a tree package. Pure: reads only the manifest.
 */
export function nativeSetOf(manifest: EmbedManifest, rel: string): TreeNativeSet | null {
  const packages = manifest.packages ?? {};
  if (!NATIVE_BINARY.test(rel) || manifest.files[rel] === undefined) return null;
  const location = packageOfTreePath(packages, rel);
  if (location === null) return null;
  const files: TreeNativeSet['files'] = [];
  for (const [file, { asset, sha256 }] of Object.entries(manifest.files)) {
    if (!file.startsWith(`${location}/`) || !NATIVE_BINARY.test(file) || packageOfTreePath(packages, file) !== location) continue;
    const hash = sha256 ?? FILE_ASSET.exec(asset)?.[1];
    // Every tree binary carries its content's hash (its entry's, or its asset's name); without one it cannot be checked.
    if (hash === undefined) throw new Error(`embedded ${file} has no content hash (asset ${asset})`);
    files.push({ path: file.slice(location.length + 1), asset, sha256: hash });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const key = createHash('sha256').update(files.map((f) => `${f.path}:${f.sha256}`).join('\n')).digest('hex');
  return { location, files, key };
}

/**
 * Writes the native set holding `rel` to the protected folder (when a checked copy is not there
 * yet) and returns the real path of `rel` in it; null when `rel` is not a tree binary. Throws
 * when an embedded file does not match its hash or cannot be written.
 */
export function materializeTreeNative(manifest: EmbedManifest, rel: string, readFile: ReadEntry): string | null {
  const set = nativeSetOf(manifest, rel);
  if (set === null) return null;
  const files: NativeFile[] = set.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: () => readFile(manifest.files[`${set.location}/${f.path}`]!) }));
  const dir = materializeNativeFiles(set.key, files);
  return path.join(dir, ...rel.slice(set.location.length + 1).split('/'));
}
