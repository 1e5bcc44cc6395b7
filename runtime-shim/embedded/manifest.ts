/**
 * What the build embedded besides the app bundle, and where it lives inside the exe: one virtual
 * tree rooted at the exe's own path used as a folder. The project file `src/jobs/hash.ts` is
 * `C:\svc\MySvc.exe\src\jobs\hash.ts` (`file:///C:/svc/MySvc.exe/src/jobs/hash.ts`): code that
 * computes a path from its own location (`path.join(__dirname, 'w.js')`, `new URL('./x.wasm',
 * import.meta.url)`) lands in the tree, and no real file can ever be there (the exe is a file).
 *
 * Written by the build (src/bundle/embedded/) as the SEA asset `embedded.json`; read once per
 * thread or process by `install.ts`. Absent when the app embeds nothing: then nothing is installed.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const EMBED_MANIFEST_ASSET = 'embedded.json';

export interface EmbedManifest {
  /**
   * Modules that can be started on their own (worker threads, forked modules, library worker
   * files) by project-relative path, plus the chunks they share (`svcpack-chunk-<hash>.mjs`):
   * path → asset name. Each is an ES module bundle with its own inline source map.
   */
  modules: Record<string, string>;
  /** Files read at run time by project-relative path (see {@link EmbeddedFileEntry}). */
  files: Record<string, EmbeddedFileEntry>;
  /**
   * Package names that libraries resolve at run time to start in a worker (pino transport
   * targets such as `pino-pretty`) → the project-relative path of their embedded module. Set as
   * `globalThis.__bundlerPathsOverrides`, the map pino and thread-stream read for bundled apps.
   */
  bundlerPaths: Record<string, string>;
  /**
   * The production dependency tree, when the build embedded it (src/deps/): each package's folder
   * (`node_modules/pug`, `node_modules/a/node_modules/b`) → `name@version`. Its files are in
   * `files`; module-hooks.ts resolves and loads packages from them as Node would from a
   * node_modules folder.
   */
  packages?: Record<string, string>;
  /**
   * With the tree: the text of the app's own package.json, the tree root's (`package.json`) for
   * module resolution only (its `imports`, and its `exports` for a self-reference); `fs` does not
   * serve it.
   */
  appPackage?: string;
  /** The files in the tree pack ({@link TREE_PACK_ASSET}) are Brotli-compressed one by one (`--compress`). */
  packCompressed?: boolean;
}

/** Where one embedded file's bytes are. */
export interface EmbeddedFileEntry {
  /** The SEA asset that holds it: its own (`file-<sha256>`, `addon-<sha256>`), or the tree pack. */
  asset: string;
  /** Its size in bytes. */
  size: number;
  /** In the tree pack: the offset and length of its stored bytes there. */
  at?: [number, number];
  /** A native binary's SHA-256 (hex), checked when it is written out (tree-natives.ts). */
  sha256?: string;
}

/** Reads an embedded file's bytes from its entry (install.ts makes the one the exe uses). */
export type ReadEntry = (entry: EmbeddedFileEntry) => Uint8Array;

/**
 * The dependency tree's files, one after the other in one SEA asset (each at most once): a
 * thousand small assets made the build write a thousand files for Node's SEA tool (2 s for 5,000).
 * Stored as it is even with `--compress`: then each file is compressed on its own inside it.
 */
export const TREE_PACK_ASSET = 'tree-pack';

/** A chunk shared by several embedded modules is imported by this prefix and its file name alone. */
export const CHUNK_PREFIX = 'svcpack-chunk-';

/** The virtual path of a project-relative path (POSIX `rel`) inside `exePath`. */
export function virtualPath(rel: string, exePath: string = process.execPath): string {
  return path.join(exePath, ...rel.split('/'));
}

/** The `file:` URL of {@link virtualPath}. */
export function virtualUrl(rel: string, exePath: string = process.execPath): string {
  return pathToFileURL(virtualPath(rel, exePath)).href;
}

/** True when the manifest embeds nothing (no module, no file, no package path). */
export function isEmptyManifest(m: EmbedManifest): boolean {
  return Object.keys(m.modules).length === 0 && Object.keys(m.files).length === 0 && Object.keys(m.bundlerPaths).length === 0;
}
