/**
 * Lets the app load and start the dependency tree's native binaries at their paths inside the
 * exe (tree-natives.ts writes them out): `process.dlopen`, which Node's `require` of a `.node`
 * file calls (the module hooks never see addons), and the `child_process` calls that start a
 * file (`spawn`, `execFile`, `fork` go through `ChildProcess.prototype.spawn`; `spawnSync` and
 * `execFileSync` are patched themselves). A path inside the exe that names a tree binary becomes
 * the real path of its checked copy; every other call goes through unchanged. A command line run
 * by a shell (`exec`, `shell: true`) is not rewritten. Installed once per thread, with the tree.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedRelative } from './embedded-fs';
import type { EmbedManifest, ReadEntry } from './manifest';
import { materializeTreeNative } from './tree-natives';

type PathApi = typeof path.win32 | typeof path.posix;

/** `\\?\C:\x` → `C:\x`, `\\?\UNC\host\share` → `\\host\share` (Node namespaces addon paths on Windows). */
export function withoutNamespace(p: string): string {
  if (p.startsWith('\\\\?\\UNC\\')) return `\\\\${p.slice(8)}`;
  if (p.startsWith('\\\\?\\')) return p.slice(4);
  return p;
}

/**
 * The real path to use for `p`: its written-out copy when `p` names a tree binary inside
 * `exePath`, else null (leave the call alone). Throws when the binary cannot be written out.
 */
export function treeBinaryPath(
  p: unknown,
  manifest: EmbedManifest,
  exePath: string,
  readFile: ReadEntry,
  pathApi: PathApi = path,
): string | null {
  if (typeof p !== 'string' && !(p instanceof URL)) return null;
  const asPath = p instanceof URL ? (p.protocol === 'file:' ? fileURLToPath(p) : null) : withoutNamespace(p);
  if (asPath === null) return null;
  const rel = embeddedRelative(exePath, asPath, pathApi);
  return rel === null ? null : materializeTreeNative(manifest, rel, readFile);
}

/** Installs the patches in this thread. */
export function installTreeBinaryHooks(manifest: EmbedManifest, exePath: string, readFile: ReadEntry): void {
  const real = (p: unknown) => treeBinaryPath(p, manifest, exePath, readFile);

  const dlopen = process.dlopen;
  process.dlopen = function (this: unknown, module: object, filename: string, ...rest: unknown[]) {
    const copy = real(filename);
    return (dlopen as (...a: unknown[]) => void).call(this, module, copy ?? filename, ...rest);
  } as typeof process.dlopen;

  type SpawnOptions = { file?: unknown; args?: unknown[] };
  const proto = childProcess.ChildProcess.prototype as unknown as { spawn(options: SpawnOptions): unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: unknown, options: SpawnOptions) {
    const copy = options && typeof options === 'object' ? real(options.file) : null;
    if (copy !== null) {
      const args = Array.isArray(options.args) && options.args[0] === options.file ? [copy, ...options.args.slice(1)] : options.args;
      return spawn.call(this, { ...options, file: copy, args });
    }
    return spawn.call(this, options);
  };

  for (const name of ['spawnSync', 'execFileSync'] as const) {
    const original = childProcess[name] as (...a: unknown[]) => unknown;
    (childProcess as unknown as Record<string, unknown>)[name] = function (this: unknown, file: unknown, ...rest: unknown[]) {
      return original.call(this, real(file) ?? file, ...rest);
    };
  }
  syncBuiltinESMExports();
}
