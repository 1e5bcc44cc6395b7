/**
 * The run-time half of src/bundle/shared-modules.ts: each CommonJS package module the bundle
 * evaluates is put into Node's CommonJS cache at its path inside the exe
 * (`C:\svc\MySvc.exe\node_modules\hbs\lib\hbs.js`), so a `require()` or `import()` that resolves
 * into the embedded dependency tree returns the bundle's instance instead of loading a second
 * copy. The first instance of a path wins; the entry's `exports` stays live (a module that
 * reassigns `module.exports` later is seen as it is now). Installed once per thread, with the tree.
 */
import Module from 'node:module';
import path from 'node:path';
import { virtualPath } from './manifest';

const SHARE_KEY = Symbol.for('svcpack.shareModule');
type ShareGlobal = typeof globalThis & { [SHARE_KEY]?: (key: string, mod: { exports: unknown }) => void };

interface CjsModule {
  filename: string;
  loaded: boolean;
  paths: string[];
  exports: unknown;
}
type ModuleStatics = { _cache: Record<string, CjsModule>; _nodeModulePaths(dir: string): string[] } & (new (id: string) => CjsModule);

/** Installs the hook the bundle calls; `isTreeFile` tells whether a tree path is embedded (only those are shared). */
export function installSharedModules(exePath: string, isTreeFile: (rel: string) => boolean): void {
  const M = Module as unknown as ModuleStatics;
  (globalThis as ShareGlobal)[SHARE_KEY] = (key, mod) => {
    if (!isTreeFile(key)) return;
    const filename = virtualPath(key, exePath);
    if (M._cache[filename]) return;
    const entry = new M(filename);
    entry.filename = filename;
    entry.paths = M._nodeModulePaths(path.dirname(filename));
    entry.loaded = true;
    Object.defineProperty(entry, 'exports', {
      get: () => mod.exports,
      set: (value: unknown) => {
        mod.exports = value;
      },
      enumerable: true,
      configurable: true,
    });
    M._cache[filename] = entry;
  };
}
