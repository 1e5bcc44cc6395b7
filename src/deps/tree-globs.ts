/**
 * `--include <glob>` and `--exclude <glob>`: the user's adjustments of which files of the
 * dependency tree go into the exe, on top of the filter (filter.ts). Pure.
 *
 * What a glob is matched against:
 * - a glob that starts with `node_modules/` is matched against the file's tree path, as
 *   build.json and the exe name it: `node_modules/swagger-ui-dist/swagger-ui.css`,
 *   `node_modules/a/node_modules/b/index.js`;
 * - any other glob is matched against the file's package path, `<package>/<path in the package>`
 *   (`swagger-ui-dist/swagger-ui.css`, `@scope/name/lib/x.js`), for every copy of the package in
 *   the tree (hoisted or nested): `swagger-ui-dist/*.map`, `**\/*.map` (every package).
 * The syntax is --asset's (deps/asset-globs.ts): `*` and `?` within one path segment,
 * `**` across segments, `{a,b}` alternatives; a glob that matches a folder also takes every file
 * below it (`node_modules/typescript` is the whole package). Matching is case-sensitive.
 *
 * Precedence: exclude wins over include, include wins over the filter. A file is kept when no
 * exclude glob matches it, and an include glob does or the filter keeps it; but a binary for
 * another platform (filter.ts keepsBinary) is never kept: it cannot run on Windows.
 */
import path from 'node:path';
import { globToRegExp, normaliseGlob } from './asset-globs';

/** The globs as the user gave them, and how messages name each list (`--exclude`, `svcpack.config.json: exclude`). */
export interface TreeGlobOptions {
  include: readonly string[];
  exclude: readonly string[];
  /** How messages name the lists; default `--include` and `--exclude`. */
  names?: { include: string; exclude: string };
}

interface CompiledGlob {
  /** As the user wrote it, for messages. */
  glob: string;
  re: RegExp;
  /** Matched against the tree path (true) or the package path (false). */
  treePath: boolean;
  /** Files of the tree it matched (before the filter). */
  matched: number;
}

/** Why a glob is not usable, or null when it is (a relative POSIX or Windows-style pattern inside the tree). */
export function treeGlobProblem(glob: unknown): string | null {
  if (typeof glob !== 'string' || !glob.trim()) return 'is not a glob';
  const g = normaliseGlob(glob.trim());
  if (path.posix.isAbsolute(g) || path.win32.isAbsolute(glob.trim())) return 'is an absolute path; globs name files of the dependency tree, such as node_modules/<package>/<file> or <package>/<file>';
  if (g.split('/').includes('..')) return 'leaves the dependency tree (..)';
  return null;
}

/**
 * The package path of a tree path: what follows its last `node_modules/` (`node_modules/a/
 * node_modules/@s/b/x.js` → `@s/b/x.js`), or null when `rel` is not in a node_modules folder.
 */
export function packagePath(rel: string): string | null {
  const at = rel.lastIndexOf('node_modules/');
  if (at < 0 || (at > 0 && rel[at - 1] !== '/')) return null;
  return rel.slice(at + 'node_modules/'.length) || null;
}

export class TreeGlobs {
  private readonly includes: CompiledGlob[];
  private readonly excludes: CompiledGlob[];
  readonly names: { include: string; exclude: string };

  constructor(opts: TreeGlobOptions) {
    this.includes = opts.include.map(compile);
    this.excludes = opts.exclude.map(compile);
    this.names = opts.names ?? { include: '--include', exclude: '--exclude' };
  }

  /** Whether there is any glob at all (without, the tree is read as the filter alone decides). */
  get any(): boolean {
    return this.includes.length > 0 || this.excludes.length > 0;
  }

  /**
   * What the globs say about the tree file `rel`: `exclude` (an exclude glob matches: left out),
   * `include` (an include glob matches and no exclude: kept, whatever the filter says), or
   * `filter` (none matches: the filter decides). Counts the matches for {@link unmatchedIncludes}.
   */
  decide(rel: string): 'include' | 'exclude' | 'filter' {
    const pkg = packagePath(rel);
    let excluded = false;
    for (const g of this.excludes) {
      if (test(g, rel, pkg)) {
        g.matched++;
        excluded = true;
      }
    }
    let included = false;
    for (const g of this.includes) {
      if (test(g, rel, pkg)) {
        g.matched++;
        included = true;
      }
    }
    return excluded ? 'exclude' : included ? 'include' : 'filter';
  }

  /** The first exclude glob that matches the tree path `rel`, or null. */
  excludedBy(rel: string): string | null {
    const pkg = packagePath(rel);
    return this.excludes.find((g) => test(g, rel, pkg))?.glob ?? null;
  }

  /** Include globs that matched no file of the tree (counted by {@link decide}). */
  unmatchedIncludes(): string[] {
    return this.includes.filter((g) => g.matched === 0).map((g) => g.glob);
  }

  /** Exclude globs that matched no file of the tree. */
  unmatchedExcludes(): string[] {
    return this.excludes.filter((g) => g.matched === 0).map((g) => g.glob);
  }
}

function compile(glob: string): CompiledGlob {
  const g = normaliseGlob(glob.trim()).replace(/\/+$/, '');
  const body = globToRegExp(g).source.slice(1, -1); // without ^ and $
  // A match of a folder takes the files below it.
  return { glob, re: new RegExp(`^${body}(?:/.*)?$`), treePath: g === 'node_modules' || g.startsWith('node_modules/'), matched: 0 };
}

function test(g: CompiledGlob, rel: string, pkg: string | null): boolean {
  if (g.treePath) return g.re.test(rel);
  return pkg !== null && g.re.test(pkg);
}
