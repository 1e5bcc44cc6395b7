/**
 * Everything the exe embeds besides the main bundle: the entry modules found while bundling (and
 * in those entries, until no new one appears), the modules of folders the app lists, the files
 * found or declared with `--asset`, the dependency tree's files, the manifest that tells the exe
 * where each lives (runtime-shim/embedded/manifest.ts), and with the tree the package list
 * `svcpack inspect` reads (packages-asset.ts). Asset names carry the content's SHA-256, so
 * identical files are stored once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { usageError } from '../../errors';
import { addonAssetName } from '../../../runtime-shim/addons/embedded-addon';
import { CHUNK_PREFIX, EMBED_MANIFEST_ASSET, isEmptyManifest, TREE_PACK_ASSET, type EmbedManifest } from '../../../runtime-shim/embedded/manifest';
import { NATIVE_BINARY } from '../../../runtime-shim/embedded/tree-natives';
import { expandAssetGlobs } from '../../deps/asset-globs';
import { bundleEntries } from './entry-bundles';
import { treePath } from './locations';
import { TreePack } from './tree-pack';
import { encodePackagesAsset, PACKAGES_ASSET } from './packages-asset';
import type { RunTimeFiles } from './run-time-files';
import type { EmbeddedPackage, TreeFile } from '../../deps/tree-files';

export interface Embedded {
  manifest: EmbedManifest;
  /** SEA assets: the manifest, each module and file by asset name (empty when nothing is embedded). */
  assets: Map<string, Uint8Array | string>;
  /** Input files of the entry bundles and their sizes (project-relative), for build.json. */
  inputs: Record<string, number>;
  /** For the build record: the modules (tree paths) and files (tree path and size) embedded. */
  summary: { modules: string[]; files: Array<{ path: string; bytes: number }>; packages?: EmbeddedPackage[] };
}

/** The production dependency tree's files and packages (src/deps/), when the build embeds it. */
export interface EmbeddedTree {
  files: readonly TreeFile[];
  packages: readonly EmbeddedPackage[];
  /** The `--exclude` glob that leaves out a tree path, as messages name it, or null (deps/tree-files.ts). */
  excludedBy?(rel: string): string | null;
  /**
   * Packages, by name, whose Windows binary the tree lacks (only their install script makes it, and
   * no `--native` file stands in): with packages loaded from the tree, these stay bundled, where the
   * addon loader supplies the binary (addons/addon-plugin.ts).
   */
  lacksBinary?: ReadonlySet<string>;
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Bundles the entry modules `found` names (and those their own references add, until no new one
 * appears), with the folder modules that bundle: those are tried together with the entries first
 * (they share chunks), and one by one when that fails; a folder module that does not bundle stays
 * a plain file, with a warning in `found.warnings`. A failing entry module fails the build.
 */
async function bundleAllEntries(found: RunTimeFiles, projectDir: string, shared: Esbuild.BuildOptions): Promise<{ modules: Map<string, string>; inputs: Record<string, number> }> {
  const bundleUntilStable = async (extra: readonly string[]) => {
    let bundled = -1;
    let out: { modules: Map<string, string>; inputs: Record<string, number> } = { modules: new Map(), inputs: {} };
    while (found.entries.size !== bundled) {
      bundled = found.entries.size;
      const entries = [...new Set([...found.entries, ...extra])].sort();
      out = entries.length > 0 ? await bundleEntries(entries, projectDir, shared) : { modules: new Map(), inputs: {} };
    }
    return out;
  };
  const folder = [...found.folderModules].filter((f) => !found.entries.has(f)).sort();
  if (folder.length === 0) return bundleUntilStable([]);
  try {
    return await bundleUntilStable(folder);
  } catch {
    const result = await bundleUntilStable([]);
    for (const file of folder) {
      try {
        const one = await bundleEntries([file], projectDir, shared);
        for (const [key, code] of one.modules) result.modules.set(key, code);
        Object.assign(result.inputs, one.inputs);
      } catch (err) {
        const why = (err as { errors?: Array<{ text: string }> }).errors?.[0]?.text ?? (err as Error).message.split('\n')[0];
        found.warnings.add(`${treePath(projectDir, file)} is in a folder the app reads but does not bundle as a module (${why}): embedded as a file only, so importing it at run time fails`);
      }
    }
    return result;
  }
}

/** The dependency tree and how it is stored (see {@link embedRunTimeFiles}). */
export interface TreeEmbedding {
  tree?: EmbeddedTree;
  /**
   * The SHA-256 of the files of the addons the bundle embeds: a tree file with the same content
   * shares the addon's asset (the bytes are stored once).
   */
  addonShas?: ReadonlySet<string>;
  /** Compress the tree pack's files one by one (`--compress`). */
  compress?: boolean;
}

/**
 * `found` has what the main bundle's modules referenced (locations plugin, which must be among
 * `shared.plugins` with the same `found`); `assetGlobs` the user's `--asset` globs. The tree's
 * files go into the tree pack (tree-pack.ts), each at most once.
 */
export async function embedRunTimeFiles(
  found: RunTimeFiles,
  projectDir: string,
  shared: Esbuild.BuildOptions,
  assetGlobs: readonly string[],
  { tree, addonShas = new Set(), compress = false }: TreeEmbedding = {},
): Promise<Embedded> {
  const manifest: EmbedManifest = { modules: {}, files: {}, bundlerPaths: {} };
  const assets = new Map<string, Uint8Array | string>();

  const { modules, inputs } = await bundleAllEntries(found, projectDir, shared);
  for (const [rel, code] of modules) {
    const asset = `module-${sha256(code)}`;
    manifest.modules[rel] = asset;
    assets.set(asset, code);
  }
  for (const [spec, file] of found.bundlerPaths) manifest.bundlerPaths[spec] = treePath(projectDir, file);

  const declared = await expandAssetGlobs(assetGlobs, projectDir);
  if (declared.unmatched.length > 0) {
    throw usageError('ASSET_NOT_FOUND', `--asset ${declared.unmatched.map((g) => `"${g}"`).join(', ')} matched no file in ${projectDir}`, 'globs are relative to the project folder (the one with package.json)');
  }
  const files: Embedded['summary']['files'] = [];
  for (const file of [...new Set([...found.files, ...declared.files])].sort()) {
    const data = await fs.readFile(file);
    const asset = `file-${sha256(data)}`;
    const rel = treePath(projectDir, file);
    manifest.files[rel] = { asset, size: data.byteLength };
    assets.set(asset, data);
    files.push({ path: rel, bytes: data.byteLength });
  }
  if (tree && tree.packages.length > 0) {
    // The tree's files sit at their package paths, in the tree pack once per distinct content
    // (the same file in two copies of a package is stored once); a native binary carries its
    // hash, checked when it is written out. Files found above keep their entries.
    const pack = new TreePack(compress);
    for (const f of tree.files) {
      if (manifest.files[f.rel]) continue;
      const hash = sha256(f.data);
      if (addonShas.has(hash)) {
        manifest.files[f.rel] = { asset: addonAssetName(hash), size: f.data.byteLength };
        assets.set(addonAssetName(hash), f.data);
        continue;
      }
      const at = pack.add(f.data, hash);
      manifest.files[f.rel] = { asset: TREE_PACK_ASSET, size: f.data.byteLength, at, ...(NATIVE_BINARY.test(f.rel) ? { sha256: hash } : {}) };
    }
    // The app's own package.json, for resolution only: its `imports` (`#name`) and, for a
    // reference to the app's own name, its `exports` (resolve-apis.ts). Not a file `fs` serves:
    // libraries that read it decide by it (@fastify/autoload takes `"type": "module"` to mean
    // import(), which the bundle cannot do on Node 26).
    const appPackage = await fs.readFile(path.join(projectDir, 'package.json'), 'utf8').catch(() => null);
    if (appPackage !== null) manifest.appPackage = appPackage;
    if (!pack.empty) {
      assets.set(TREE_PACK_ASSET, pack.bytes());
      if (compress) manifest.packCompressed = true;
    }
    manifest.packages = Object.fromEntries(tree.packages.map((p) => [p.location, `${p.name}@${p.version}`]));
    // The package list for `svcpack inspect`: beside the index, never read by the exe.
    assets.set(PACKAGES_ASSET, encodePackagesAsset(tree.packages));
  }
  if (!isEmptyManifest(manifest)) assets.set(EMBED_MANIFEST_ASSET, JSON.stringify(manifest));
  const started = Object.keys(manifest.modules).filter((m) => !m.startsWith(CHUNK_PREFIX)).sort();
  return { manifest, assets, inputs, summary: { modules: started, files, ...(tree?.packages.length ? { packages: [...tree.packages] } : {}) } };
}
