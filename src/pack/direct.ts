/**
 * The default packer: svcpack makes the SEA blob itself (SEA main script + app bundle + koffi's
 * native module as assets) and appends it to node.exe's base: node.exe after the one resedit pass
 * that writes the version resources, icon and manifest, cached per settings (docs/architecture.md,
 * The stages of a build). No postject. The Linux executable is made from the same blob by
 * pack/elf.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addonAssetName } from '../../runtime-shim/addons/embedded-addon';
import { TREE_PACK_ASSET } from '../../runtime-shim/embedded/manifest';
import { brotli } from './brotli';
import { createHash } from 'node:crypto';
import { svcpackVersion } from '../package-root';
import { assemblePe } from '../pe/pe-base';
import { AssembledExecutable } from './assembled-exe';
import { baseKey, cachedBase, storeBase } from './base-cache';
import { DerivedCache, derivedKey } from '../derived-cache';
import { InMemoryExecutable, type Executable } from './executable';
import { prepareExecutableBase, type BaseEdits } from './pe';
import { generateSeaBlob } from './sea-blob';

/** What the blob is made of (build.ts puts these together for each target). */
export interface BlobInput {
  hostNode: string;
  /** The SEA main: the loader script, or with `moduleMain` the app bundle itself. */
  seaMain: string;
  /** `seaMain` is the app bundle, an ES module (Node 26+; no `app.mjs` asset then). */
  moduleMain: boolean;
  /** NODE_OPTIONS may extend the exe's Node options (default: ignored). */
  allowNodeOptions: boolean;
  appBundle: string;
  koffiNode: Uint8Array;
  /** Native addon files by SHA-256, stored as the assets `addon-<sha256>` (load-addon.ts reads them). */
  addonFiles?: ReadonlyMap<string, Uint8Array>;
  /** Modules and files the app embeds besides its bundle, and their manifest, by asset name (bundle/embedded/embed.ts). */
  embeddedAssets?: ReadonlyMap<string, Uint8Array | string>;
  /** Store the assets Brotli-compressed as `<name>.br` (loaders/sea-script.ts unpacks them). */
  compress?: boolean;
}

export interface PackInput {
  seaBlob: Buffer;
  /** Reads the win-x64 node.exe (called only when its base is not cached). */
  nodeExe: () => Promise<Buffer>;
  /** node.exe's SHA-256 (from the runtime cache's record); without it the base is not cached. */
  nodeSha256: string | undefined;
  edits: BaseEdits;
  /** svcpack's cache folder (the bases go to `exe-base/`, base-cache.ts). */
  cacheDir: string;
}

/**
 * The Windows exe: node.exe's base for these settings (the cached one, or made and cached now) and
 * the blob, assembled when it is written (assembled-exe.ts). Without a cacheable base (no node.exe
 * hash, a cache that cannot be written) the exe is assembled in memory.
 */
export async function packDirect(input: PackInput): Promise<Executable> {
  const key = input.nodeSha256 ? baseKeyFor(input.nodeSha256, input.edits) : undefined;
  const hit = key ? await cachedBase(input.cacheDir, key) : undefined;
  if (hit) return new AssembledExecutable(hit, input.seaBlob);
  const { image, layout } = prepareExecutableBase(await input.nodeExe(), input.edits);
  if (key) {
    const stored = await storeBase(input.cacheDir, key, image, layout).catch(() => undefined);
    if (stored) return new AssembledExecutable(stored, input.seaBlob);
  }
  return new InMemoryExecutable(assemblePe(image, layout, input.seaBlob));
}

/** Everything a base's bytes depend on besides svcpack's code (base-cache.ts versions that). */
function baseKeyFor(nodeSha256: string, edits: BaseEdits): string {
  return baseKey({
    svcpack: svcpackVersion,
    node: nodeSha256,
    versionInfo: edits.versionInfo,
    icon: edits.icon ? createHash('sha256').update(edits.icon).digest('hex') : null,
    manifest: edits.manifest ?? null,
    timeDateStamp: edits.timeDateStamp ?? null,
  });
}

/** Where {@link makeSeaBlob} keeps blobs between builds: svcpack's cache, and the Node version the blob is for. */
export interface BlobCache {
  cacheDir: string;
  nodeVersion: string;
}

/** Blobs kept: the latest few apps' (a blob with a dependency tree can be tens of MB). */
const BLOBS_KEPT = 4;

/**
 * The SEA blob of `input` (pack/sea-blob.ts), made in a scratch folder that is removed afterwards.
 * With `cache`, a blob made before from the same main, assets and options is read from
 * `<cache>/sea-blob/` instead (derived-cache.ts): Node makes the same blob from the same inputs.
 */
export async function makeSeaBlob(input: BlobInput, cache?: BlobCache): Promise<Buffer> {
  const assets = seaAssets(input);
  const blobs = cache && new DerivedCache<null>(cache.cacheDir, 'sea-blob', '.blob', BLOBS_KEPT);
  const key = cache && blobKey(input, assets, cache.nodeVersion);
  const hit = blobs && key ? await blobs.get(key) : undefined;
  if (hit) {
    const blob = await fs.readFile(hit.file).catch(() => undefined);
    if (blob) return blob;
  }
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-sea-'));
  let blob: Buffer;
  try {
    blob = await generateSeaBlob({
      hostNode: input.hostNode,
      main: input.seaMain,
      moduleMain: input.moduleMain,
      allowNodeOptions: input.allowNodeOptions,
      assets,
      workDir,
    });
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
  if (blobs && key) await blobs.put(key, blob, null).catch(() => undefined); // a cache that cannot be written only costs the next build
  return blob;
}

/** Everything a blob's bytes depend on: the Node version, the SEA options, the main and every asset (by hash). */
function blobKey(input: BlobInput, assets: Record<string, Uint8Array | string>, nodeVersion: string): string {
  const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
  return derivedKey({
    format: 1,
    nodeVersion,
    options: { moduleMain: input.moduleMain, allowNodeOptions: input.allowNodeOptions },
    main: sha(input.seaMain),
    assets: Object.entries(assets).map(([name, data]) => [name, sha(data)]),
  });
}

/** The SEA assets: the bundle (unless it is the main), koffi.node and the addons' files; `<name>.br` when compressed. */
function seaAssets(input: BlobInput): Record<string, Uint8Array | string> {
  const plain: Record<string, Uint8Array | string> = {};
  if (!input.moduleMain) plain['app.mjs'] = input.appBundle;
  plain['koffi.node'] = input.koffiNode;
  for (const [sha256, bytes] of input.addonFiles ?? []) plain[addonAssetName(sha256)] = bytes;
  for (const [name, data] of input.embeddedAssets ?? []) plain[name] = data;
  if (!input.compress) return plain;
  // The tree pack's files are compressed one by one inside it (bundle/embedded/tree-pack.ts), so
  // that reading one never unpacks the others: it is stored as it is.
  return Object.fromEntries(
    Object.entries(plain).map(([name, data]) => (name === TREE_PACK_ASSET ? [name, data] : [`${name}.br`, brotli(typeof data === 'string' ? Buffer.from(data) : data)])),
  );
}
