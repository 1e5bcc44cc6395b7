/**
 * Makes what the build embedded reachable in this thread or process: `fs` serves the embedded
 * files (embedded-fs.ts), module hooks serve the embedded modules (module-hooks.ts), and
 * `globalThis.__bundlerPathsOverrides` points libraries' package-name worker targets at them, and
 * the dependency tree's native binaries load and start from their checked copies (tree-binary-hooks.ts).
 * Called once per thread by the loaders (sea-script.ts, sea-prelude.ts, thread.ts) after the asset
 * reader is installed. An exe that embeds nothing has no manifest asset: then this installs
 * nothing and costs one failed asset lookup.
 */
import fs from 'node:fs';
import { readAsset } from '../assets';
import { installEmbeddedFs, type EmbeddedFile } from './embedded-fs';
import { EMBED_MANIFEST_ASSET, isEmptyManifest, virtualPath, type EmbedManifest } from './manifest';
import { installModuleHooks } from './module-hooks';
import { installTreeBinaryHooks } from './tree-binary-hooks';

const STATE_KEY = Symbol.for('svcpack.embedded');
type StateGlobal = typeof globalThis & { [STATE_KEY]?: EmbedManifest; __bundlerPathsOverrides?: Record<string, string> };

/** The manifest installed in this thread, or null when the exe embeds nothing (or outside the exe). */
export function embeddedManifest(): EmbedManifest | null {
  return (globalThis as StateGlobal)[STATE_KEY] ?? null;
}

export function installEmbedded(exePath = process.execPath): EmbedManifest | null {
  let manifest: EmbedManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(readAsset(EMBED_MANIFEST_ASSET))) as EmbedManifest;
  } catch {
    return null;
  }
  if (isEmptyManifest(manifest)) return null;
  const g = globalThis as StateGlobal;
  g[STATE_KEY] = manifest;

  const entries = Object.entries(manifest.files);
  if (entries.length > 0) {
    // Walked once, when the app first looks inside the exe, not at start.
    const files = {
      *[Symbol.iterator](): Iterator<[string, EmbeddedFile]> {
        for (const [rel, f] of entries) yield [rel, { size: f.size, read: () => readAsset(f.asset) }];
      },
    };
    installEmbeddedFs({ root: exePath, files, time: fs.statSync(exePath).mtime });
  }
  if (Object.keys(manifest.modules).length > 0 || Object.keys(manifest.packages ?? {}).length > 0) {
    installModuleHooks(manifest, (asset) => new TextDecoder().decode(readAsset(asset)), exePath, readAsset);
  }
  if (Object.keys(manifest.packages ?? {}).length > 0) installTreeBinaryHooks(manifest, exePath, readAsset);
  const bundlerPaths = Object.entries(manifest.bundlerPaths);
  if (bundlerPaths.length > 0) {
    g.__bundlerPathsOverrides = { ...g.__bundlerPathsOverrides, ...Object.fromEntries(bundlerPaths.map(([spec, rel]) => [spec, virtualPath(rel, exePath)])) };
  }
  return manifest;
}
