/**
 * The default packer: svcpack makes the SEA blob itself (SEA main script + app bundle + koffi's
 * native module as assets) and writes it into node.exe in the same resedit pass that writes the
 * version resources and icon (docs/architecture.md, The stages of a build). No postject. The
 * Linux executable is made from the same blob by pack/elf.ts.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addonAssetName } from '../../runtime-shim/addons/embedded-addon';
import { TREE_PACK_ASSET } from '../../runtime-shim/embedded/manifest';
import { brotli } from './brotli';
import type { ExeManifest } from './manifest';
import { editExecutable } from './pe';
import { generateSeaBlob } from './sea-blob';
import type { VersionInfoTable } from './version-info';

export interface PackInput {
  hostNode: string;
  /** The contents of the win-x64 node.exe to pack into (the caller starts reading it early). */
  targetExe: Promise<Buffer>;
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
  versionInfo: VersionInfoTable;
  icon?: Uint8Array;
  /** Store the assets Brotli-compressed as `<name>.br` (loaders/sea-script.ts unpacks them). */
  compress?: boolean;
  /** PE TimeDateStamp from SOURCE_DATE_EPOCH (seconds); default node.exe's own. */
  timeDateStamp?: number;
  /** Written into the exe as its SVCPACK_MANIFEST resource. */
  manifest?: ExeManifest;
}

export interface PackTimings {
  blob: number;
  resources: number;
}

export async function packDirect(input: PackInput): Promise<{ exe: Buffer; timings: PackTimings }> {
  let t = performance.now();
  const seaBlob = await makeSeaBlob(input);
  const blob = performance.now() - t;
  t = performance.now();
  const nodeExe = await input.targetExe;
  const exe = editExecutable(nodeExe, { seaBlob, versionInfo: input.versionInfo, icon: input.icon, timeDateStamp: input.timeDateStamp, manifest: input.manifest });
  return { exe, timings: { blob, resources: performance.now() - t } };
}

/** What the SEA blob is made of: the same for every target (the target's koffi.node and addons are the caller's). */
export type BlobInput = Pick<PackInput, 'hostNode' | 'seaMain' | 'moduleMain' | 'allowNodeOptions' | 'appBundle' | 'koffiNode' | 'addonFiles' | 'embeddedAssets' | 'compress'>;

/** The SEA blob of `input` (pack/sea-blob.ts), made in a scratch folder that is removed afterwards. */
export async function makeSeaBlob(input: BlobInput): Promise<Buffer> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-sea-'));
  try {
    return await generateSeaBlob({
      hostNode: input.hostNode,
      main: input.seaMain,
      moduleMain: input.moduleMain,
      allowNodeOptions: input.allowNodeOptions,
      assets: seaAssets(input),
      workDir,
    });
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
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
