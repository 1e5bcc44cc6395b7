/**
 * The dependencies step's result kept between builds (`<cache>/dependency-tree/`,
 * derived-cache.ts): the production tree's files, packages and missing binaries of an unchanged
 * project come from one cached file instead of thousands of reads (0.2-0.3 s for a 4,300-file tree
 * on a 2-core machine, measured).
 *
 * Keyed by package.json, the lockfile and npm's hidden lockfile (`node_modules/.package-lock.json`,
 * rewritten by every install), the target, the `--include`/`--exclude` globs, the `--native` files
 * and svcpack's own code. Valid while every file read is unchanged (size and mtime), no file
 * appeared or went in a folder that was listed, and each package's installed package.json is as it
 * was (or still absent).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { changedSince, DerivedCache, derivedKey, joinParts, splitParts, stampOf, unchanged, type Stamp } from '../derived-cache';
import { svcpackCodeStamp } from '../package-root';
import type { TreePackage } from './tree';
import { excludedByOf, type TreeFile, type TreeFiles } from './tree-files';
import type { TreeGlobs } from './tree-globs';

/** Trees kept: the latest few projects' (a tree can be tens of MB). */
const KEEP = 4;
const FORMAT = 1;

/** What the dependencies step gives: the tree's files and the packages whose binary only an install script makes. */
export type TreeStepResult = TreeFiles & {
  missing: TreePackage[];
  /** Packages whose `--native` file was added to the tree. */
  nativeInTree: Set<string>;
  /** Packages the addon loader must supply a binary for. */
  lacksBinary: Set<string>;
};

interface TreeMeta {
  stamps: Stamp[];
}

/** The cache key of the tree of `projectDir` for `settings` (JSON-serializable: target, globs, --native files, Node major). */
export function treeKey(projectDir: string, settings: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify({ format: FORMAT, code: svcpackCodeStamp(), settings }));
  for (const name of ['package.json', 'npm-shrinkwrap.json', 'package-lock.json', path.join('node_modules', '.package-lock.json')]) {
    hash.update(`\0${name}\0`).update(readOrEmpty(path.join(projectDir, name)));
  }
  return derivedKey(hash.digest('hex'));
}

/** The cached tree for `key` if nothing it read changed; `globs` answers `excludedBy` as the build's own would. */
export async function cachedTree(cacheDir: string, key: string, globs: TreeGlobs): Promise<TreeStepResult | undefined> {
  const entry = await cache(cacheDir).get(key);
  if (!entry || !Array.isArray(entry.meta?.stamps) || !entry.meta.stamps.every(unchanged)) return undefined;
  try {
    return decode(fs.readFileSync(entry.file), globs);
  } catch {
    return undefined;
  }
}

/**
 * Stores `result` under `key` with the stamps of what it read, unless one of them changed since
 * `startedMs`, when the step began (best effort: a cache that cannot be written only costs the
 * next build).
 */
export async function storeTree(cacheDir: string, key: string, result: TreeStepResult, projectDir: string, extraFiles: readonly string[], startedMs: number): Promise<void> {
  const paths = new Set<string>([...result.read.files, ...result.read.folders, ...extraFiles, path.join(projectDir, 'node_modules')]);
  for (const p of result.packages) paths.add(path.join(projectDir, ...p.location.split('/'), 'package.json'));
  for (const p of result.missing) paths.add(path.join(projectDir, ...p.location.split('/'), 'package.json'));
  const stamps = [...paths].sort().map(stampOf);
  if (changedSince(stamps, startedMs)) return;
  await cache(cacheDir)
    .put(key, encode(result), { stamps })
    .catch(() => undefined);
}

function cache(cacheDir: string): DerivedCache<TreeMeta> {
  return new DerivedCache<TreeMeta>(cacheDir, 'dependency-tree', '.bin', KEEP);
}

interface Header {
  files: Array<[string, number, number]>;
  rest: Omit<TreeStepResult, 'files' | 'excludedBy' | 'nativeInTree' | 'lacksBinary'> & { nativeInTree: string[]; lacksBinary: string[] };
}

function encode(result: TreeStepResult): Buffer {
  const { files, excludedBy: _excludedBy, nativeInTree, lacksBinary, ...rest } = result;
  let offset = 0;
  const header: Header = {
    files: files.map((f) => {
      offset += f.data.byteLength;
      return [f.rel, offset - f.data.byteLength, f.data.byteLength];
    }),
    rest: { ...rest, nativeInTree: [...nativeInTree], lacksBinary: [...lacksBinary] },
  };
  return joinParts(header, files.map((f) => f.data));
}

function decode(data: Buffer, globs: TreeGlobs): TreeStepResult {
  const { header, body } = splitParts<Header>(data);
  const files: TreeFile[] = header.files.map(([rel, o, l]) => ({ rel, data: body.subarray(o, o + l) }));
  const { nativeInTree, lacksBinary, ...rest } = header.rest;
  return {
    ...rest,
    files,
    nativeInTree: new Set(nativeInTree),
    lacksBinary: new Set(lacksBinary),
    excludedBy: excludedByOf(globs),
  };
}

/** A file's contents, or a marker no file of these kinds holds when it is absent. */
function readOrEmpty(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    return Buffer.from('\0absent');
  }
}
