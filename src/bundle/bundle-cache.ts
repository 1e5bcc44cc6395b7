/**
 * The bundle step's result kept between builds (`<cache>/bundle/`, derived-cache.ts): a build
 * whose sources, packages, settings and svcpack did not change takes the bundle, its embedded files
 * and addons from the cache instead of running esbuild (0.2 s for hello-http, 1 s for a
 * 1,500-module app on a 2-core machine, measured).
 *
 * Keyed by the bundle's settings, svcpack's own code (every file of its toolchain and runtime shim,
 * by size and mtime) and the versions of esbuild and swc. Valid while every file the bundle read is
 * unchanged (size and mtime, in ns), no file appeared or disappeared in a folder one of them is in
 * (the folder's mtime: a new `index.ts` or `foo.js` could change what an import resolves to), and
 * the package.json, tsconfig.json and jsconfig.json files esbuild consults above them are unchanged
 * or still absent; and while the embedded dependency tree has the same digest (checked when the
 * tree is ready, so esbuild starts at once on a miss). Builds with `--asset` globs are not cached: a
 * new file can match a glob anywhere below its folder.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { changedSince, DerivedCache, derivedKey, joinParts, splitParts, stampOf, unchanged, type Stamp } from '../derived-cache';
import { svcpackCodeStamp } from '../package-root';
import type { AppBundle } from './bundle';
import type { EmbeddedTree } from './embedded/embed';

/** Bundles kept: the latest few apps (a bundle with its tree can be tens of MB). */
const KEEP = 4;
/** Bump when the cached value's shape changes. */
const FORMAT = 1;

/** What the bundle step gives: the app bundle and the loaders that start it. */
export type BundleStepResult = AppBundle & { loader?: string; threadLoader?: string };

interface BundleMeta {
  stamps: Stamp[];
  treeDigest: string | null;
}

/**
 * The cache's key for a bundle of `settings` (JSON-serializable: everything bundleApp and the
 * loaders are given but the tree).
 */
export function bundleKey(settings: unknown): string {
  return derivedKey({ format: FORMAT, code: svcpackCodeStamp(), tools: toolVersions(), settings });
}

/**
 * The cached result for `key` if every file it read is unchanged and `tree` (awaited) has the
 * digest it was made with; undefined otherwise (the caller bundles, then {@link storeBundle}).
 */
export async function cachedBundle(cacheDir: string, key: string, tree: Promise<EmbeddedTree | undefined> | undefined): Promise<BundleStepResult | undefined> {
  const entry = await cache(cacheDir).get(key);
  if (!entry || !Array.isArray(entry.meta?.stamps) || !entry.meta.stamps.every(unchanged)) return undefined;
  if (entry.meta.treeDigest !== treeDigest(await tree)) return undefined;
  try {
    return decode(fs.readFileSync(entry.file));
  } catch {
    return undefined;
  }
}

/**
 * Stores `result` under `key` with the stamps of what it read (`projectDir`-relative inputs of the
 * bundle, and the absolute files and folders bundleApp reports), unless one of them changed since
 * `startedMs`, when the bundle began (then the bundle may hold the old contents under the new
 * stamps). Best effort: a cache that cannot be written only costs the next build its bundle.
 */
export async function storeBundle(cacheDir: string, key: string, result: BundleStepResult, projectDir: string, tree: EmbeddedTree | undefined, startedMs: number): Promise<void> {
  const modules = new Set<string>();
  for (const input of Object.keys(result.inputs)) {
    if (/^[a-z][\w-]*:/i.test(input) || input.startsWith('<')) continue; // the shim's namespace, stdin: not files
    modules.add(path.resolve(projectDir, input));
  }
  const files = new Set<string>([...modules, ...result.read.files]);
  const folders = new Set<string>(result.read.folders);
  const configs = new Set<string>();
  for (const file of modules) {
    folders.add(path.dirname(file));
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      for (const name of ['package.json', 'tsconfig.json', 'jsconfig.json']) configs.add(path.join(dir, name));
      if (path.dirname(dir) === dir) break;
    }
  }
  const stamps = [...files, ...folders, ...configs].sort().map(stampOf);
  if (changedSince(stamps, startedMs)) return;
  await cache(cacheDir)
    .put(key, encode(result), { stamps, treeDigest: treeDigest(tree) })
    .catch(() => undefined);
}

function cache(cacheDir: string): DerivedCache<BundleMeta> {
  return new DerivedCache<BundleMeta>(cacheDir, 'bundle', '.bin', KEEP);
}

/** A digest of the embedded tree: its packages and every file's path and contents. */
function treeDigest(tree: EmbeddedTree | undefined): string | null {
  if (!tree) return null;
  const hash = createHash('sha256').update(JSON.stringify({ packages: tree.packages, lacksBinary: [...(tree.lacksBinary ?? [])].sort() }));
  for (const f of tree.files) hash.update(`\0${f.rel}\0${f.data.byteLength}\0`).update(f.data);
  return hash.digest('hex');
}

/** The versions of the tools whose output the bundle is: esbuild, and swc when installed (decorator metadata). */
let tools: Record<string, string | null> | undefined;

function toolVersions(): Record<string, string | null> {
  if (tools) return tools;
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string | null => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return null;
    }
  };
  tools = { esbuild: version('esbuild'), swc: version('@swc/core') };
  return tools;
}

// The cached value: a JSON header and the binary parts after it (derived-cache.ts joinParts).

interface Header {
  json: Omit<BundleStepResult, 'addonFiles' | 'nativeUsed' | 'embedded'> & {
    nativeUsed: string[];
    embedded?: Omit<NonNullable<AppBundle['embedded']>, 'assets'>;
  };
  addonFiles: Array<[string, number, number]>;
  assets?: Array<[string, number, number, boolean]>;
}

function encode(result: BundleStepResult): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const add = (data: Uint8Array | string): [number, number] => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    parts.push(bytes);
    offset += bytes.byteLength;
    return [offset - bytes.byteLength, bytes.byteLength];
  };
  const { addonFiles, nativeUsed, embedded, ...rest } = result;
  const header: Header = {
    json: { ...rest, nativeUsed: [...nativeUsed], ...(embedded ? { embedded: { manifest: embedded.manifest, inputs: embedded.inputs, summary: embedded.summary } } : {}) },
    addonFiles: [...addonFiles].map(([sha, data]) => [sha, ...add(data)]),
    ...(embedded ? { assets: [...embedded.assets].map(([name, data]): [string, number, number, boolean] => [name, ...add(data), typeof data === 'string']) } : {}),
  };
  return joinParts(header, parts);
}

function decode(data: Buffer): BundleStepResult {
  const { header, body } = splitParts<Header>(data);
  const bytes = (o: number, l: number) => body.subarray(o, o + l);
  const { nativeUsed, embedded, ...rest } = header.json;
  return {
    ...rest,
    nativeUsed: new Set(nativeUsed),
    addonFiles: new Map(header.addonFiles.map(([sha, o, l]) => [sha, bytes(o, l)])),
    ...(embedded ? { embedded: { ...embedded, assets: new Map((header.assets ?? []).map(([name, o, l, text]) => [name, text ? bytes(o, l).toString('utf8') : bytes(o, l)])) } } : {}),
  };
}
