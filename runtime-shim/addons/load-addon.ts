/**
 * Loads a native addon embedded in the exe (the build's generated loader modules call this in
 * place of `require('x.node')`, node-gyp-build or a napi-rs platform package). Its files are
 * written, hash-checked, into the same protected per-account folder as koffi.node
 * (addons/native-module.ts), all of them before the `.node` is loaded, so a DLL shipped beside it
 * is found there (Node loads addons with LOAD_WITH_ALTERED_SEARCH_PATH); then `process.dlopen`.
 * Each addon is loaded once per process (a thread); later calls return the same exports.
 */
import path from 'node:path';
import { readAsset } from '../assets';
import { materializeNativeFiles } from './native-module';
import { addonAssetName, type EmbeddedAddon } from './embedded-addon';

const loaded = new Map<string, unknown>();

export function loadEmbeddedAddon(addon: EmbeddedAddon): unknown {
  const cached = loaded.get(addon.key);
  if (cached !== undefined) return cached;
  const mod = { exports: {} as unknown };
  try {
    process.dlopen(mod, extractEmbeddedAddon(addon));
  } catch (err) {
    const message = (err as Error).message;
    throw Object.assign(new Error(`native addon ${addon.package}@${addon.version} (${addon.main}) could not be loaded: ${message}`), {
      code: (err as { code?: string }).code ?? 'ERR_DLOPEN_FAILED',
      cause: err,
    });
  }
  loaded.set(addon.key, mod.exports);
  return mod.exports;
}

/**
 * Writes the addon's files (hash-checked) and returns the absolute path of its `.node` file, for
 * loaders that `require()` a path themselves (node-pre-gyp's `find()`).
 */
export function extractEmbeddedAddon(addon: EmbeddedAddon): string {
  const dir = materializeNativeFiles(
    addon.key,
    addon.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: () => readAsset(addonAssetName(f.sha256)) })),
  );
  return path.join(dir, ...addon.main.split('/'));
}

/**
 * What a loader module for a `.node` file or platform package of another platform throws when it
 * runs: the same MODULE_NOT_FOUND Node gives for a missing module, so a package's own fallback
 * (try the next platform, a pure-JS version) works as it does on Windows.
 */
export function notForThisPlatform(specifier: string, why: string): never {
  throw Object.assign(new Error(`Cannot find module '${specifier}' (${why})`), { code: 'MODULE_NOT_FOUND' });
}
