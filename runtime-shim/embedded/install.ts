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
import { brotliDecompressSync } from 'node:zlib';
import { readAsset, readRawAsset } from '../assets';
import { installEmbeddedFs, type EmbeddedFile } from './embedded-fs';
import { EMBED_MANIFEST_ASSET, isEmptyManifest, virtualPath, type EmbedManifest, type ReadEntry } from './manifest';
import { installModuleHooks } from './module-hooks';
import { installSharedModules } from './shared-modules';
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

  const readFile = entryReader(manifest);
  const entries = Object.entries(manifest.files);
  if (entries.length > 0) {
    // Walked once, when the app first looks inside the exe, not at start.
    const files = {
      *[Symbol.iterator](): Iterator<[string, EmbeddedFile]> {
        for (const [rel, f] of entries) yield [rel, { size: f.size, read: () => readFile(f) }];
      },
    };
    installEmbeddedFs({ root: exePath, files, time: fs.statSync(exePath).mtime });
  }
  if (Object.keys(manifest.modules).length > 0 || Object.keys(manifest.packages ?? {}).length > 0) {
    installModuleHooks(manifest, (asset) => new TextDecoder().decode(readAsset(asset)), exePath, readFile);
  }
  if (Object.keys(manifest.packages ?? {}).length > 0) {
    installTreeBinaryHooks(manifest, exePath, readFile);
    installSharedModules(exePath, (rel) => manifest.files[rel] !== undefined);
  }
  const bundlerPaths = Object.entries(manifest.bundlerPaths);
  if (bundlerPaths.length > 0) {
    g.__bundlerPathsOverrides = { ...g.__bundlerPathsOverrides, ...Object.fromEntries(bundlerPaths.map(([spec, rel]) => [spec, virtualPath(rel, exePath)])) };
  }
  return manifest;
}

/**
 * How this thread reads an embedded file: its own asset, or its slice of the tree pack (the pack
 * is looked up once; a compressed file is unpacked on each read, alone).
 */
export function entryReader(manifest: EmbedManifest, raw: (name: string) => Uint8Array = readRawAsset, read: (name: string) => Uint8Array = readAsset): ReadEntry {
  const packs = new Map<string, Uint8Array>();
  return (entry) => {
    if (!entry.at) return read(entry.asset);
    let pack = packs.get(entry.asset);
    if (!pack) packs.set(entry.asset, (pack = raw(entry.asset)));
    const stored = pack.subarray(entry.at[0], entry.at[0] + entry.at[1]);
    return manifest.packCompressed ? brotliDecompressSync(stored) : stored;
  };
}
