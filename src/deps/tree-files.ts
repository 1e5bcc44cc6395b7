/**
 * The files of the dependency tree (tree.ts) that go into the exe, after the filter (filter.ts)
 * and the user's `--include`/`--exclude` globs (tree-globs.ts), each at its package path
 * (`node_modules/swagger-ui-dist/swagger-ui.css`), as the embedded files the fs layer and the
 * module hooks serve (runtime-shim/embedded/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors';
import { keepsBinary, keepsDir, keepsFile } from './filter';
import { TreeGlobs } from './tree-globs';
import type { TreePackage } from './tree';

export interface TreeFile {
  /** Tree path: the package's location and the file's path in it, POSIX. */
  rel: string;
  data: Uint8Array;
}

/** What build.json and the summary say about one embedded package. */
export interface EmbeddedPackage {
  name: string;
  version: string;
  integrity: string | null;
  license: string | null;
  location: string;
  source: TreePackage['source'];
  files: number;
  /** Bytes of its embedded files (before deduplication and compression). */
  bytes: number;
}

/** What {@link treeFiles} gives: the files and packages to embed. */
export interface TreeFiles {
  files: TreeFile[];
  /** The packages with at least one file embedded (one the exclude globs emptied is left out). */
  packages: EmbeddedPackage[];
  /**
   * The exclude glob that leaves out the tree path `rel`, as messages name it
   * (`--exclude "node_modules/foo/**"`), or null (always null without globs).
   */
  excludedBy(rel: string): string | null;
  /** Things the user should know that do not stop the build (an exclude glob that matched nothing). */
  warnings: string[];
  /** The files read and the folders listed, absolute paths (deps/tree-cache.ts stamps them). */
  read: { files: string[]; folders: string[] };
}

/**
 * The files of `packages` to embed. Throws a usage error (exit 2) when an include glob matches
 * no file of the tree (filtered or not): a typo, or a package that is not a production dependency.
 */
export async function treeFiles(packages: readonly TreePackage[], globs?: TreeGlobs, opts: { target?: 'win-x64' | 'linux-x64' } = {}): Promise<TreeFiles> {
  const read: TreeFiles['read'] = { files: [], folders: [] };
  const perPackage = await Promise.all(packages.map(async (p) => ({ p, files: await packageFiles(p, globs, opts.target ?? 'win-x64', read) })));
  const files: TreeFile[] = [];
  const summary: EmbeddedPackage[] = [];
  for (const { p, files: own } of perPackage) {
    if (own.length === 0) continue;
    files.push(...own);
    summary.push({
      name: p.name,
      version: p.version,
      integrity: p.integrity,
      license: p.license,
      location: p.location,
      source: p.source,
      files: own.length,
      bytes: own.reduce((n, f) => n + f.data.byteLength, 0),
    });
  }
  const warnings: string[] = [];
  if (globs) {
    const unmatched = globs.unmatchedIncludes();
    if (unmatched.length > 0) {
      throw usageError(
        'DEPENDENCY_GLOB',
        `${globs.names.include} ${unmatched.map((g) => `"${g}"`).join(', ')} matched no file of the production dependency tree (${packages.length} package${packages.length === 1 ? '' : 's'})`,
        'name files as node_modules/<package>/<path> or <package>/<path> (see build.json for the packages; dev dependencies are not in the tree)',
      );
    }
    for (const g of globs.unmatchedExcludes()) warnings.push(`${globs.names.exclude} "${g}" matched no file of the production dependency tree: it leaves nothing out`);
  }
  return { files, packages: summary, read, excludedBy: excludedByOf(globs), warnings };
}

/** What `excludedBy` answers for `globs`: the exclude glob that leaves out a tree path, as messages name it. */
export function excludedByOf(globs: TreeGlobs | undefined): (rel: string) => string | null {
  return (rel) => {
    const glob = globs?.excludedBy(rel);
    return glob ? `${globs!.names.exclude} "${glob}"` : null;
  };
}

/**
 * A package's files to embed. Without globs only the folders the filter keeps are walked; with
 * globs every folder is (but nested node_modules, packages of their own), so an include glob can
 * bring back a file the filter leaves out and every glob's matches are counted.
 */
async function packageFiles(p: TreePackage, globs: TreeGlobs | undefined, target: 'win-x64' | 'linux-x64', read: TreeFiles['read']): Promise<TreeFile[]> {
  // One package at a time, read synchronously: a tree has thousands of small files, and awaited
  // reads through libuv's 4 threads took 0.7 s for 4,315 of them (0.1 s this way); yielding between
  // packages keeps the bundler's plugin calls answered meanwhile.
  await new Promise((resolve) => setImmediate(resolve));
  const out: TreeFile[] = [];
  const walkAll = globs?.any ?? false;
  const walk = (dir: string, relDir: string, depth: number, dirKept: boolean): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    read.folders.push(dir);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const rel = `${relDir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name === 'node_modules') continue;
        const kept = dirKept && keepsDir(e.name, depth);
        if (kept || walkAll) walk(full, rel, depth + 1, kept);
      } else if (e.isFile()) {
        const filterKeeps = dirKept && keepsFile(e.name);
        const decision = walkAll ? globs!.decide(rel) : 'filter';
        if (decision === 'exclude' || (decision === 'filter' && !filterKeeps)) continue;
        const data = readFileSync(full);
        read.files.push(full);
        // A binary for another platform is never embedded, included or not: it cannot run on the target.
        if (keepsBinary(e.name, data.subarray(0, 4096), target)) out.push({ rel, data });
      }
    }
  };
  walk(p.dir, p.location, 0, true);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
