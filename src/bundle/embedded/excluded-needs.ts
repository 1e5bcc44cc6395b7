/**
 * An `--exclude` glob must not leave out a file of the dependency tree that the bundle itself
 * embeds: a file a module reads at run time, a module started in a worker thread or child
 * process, the module a worker transport target names, a native addon's files. The bundle would
 * embed it anyway, so the glob does not do what it says: the build stops (exit 2) naming the file
 * and the glob, before anything is written.
 */
import path from 'node:path';
import { usageError } from '../../errors';
import { packagePath } from '../../deps/tree-globs';
import { treePath } from './locations';

/** A file the bundle embeds (absolute path) and what it is to the bundle, for the message. */
export interface BundleNeed {
  file: string;
  what: string;
}

/**
 * The tree path a needed file has in the dependency tree: its project-relative path when that is
 * in the project's node_modules; for a package outside the project (a fetched platform package,
 * a hoisted node_modules), `node_modules/<package path>`; null for a file of no package.
 */
export function neededTreePath(projectDir: string, file: string): string | null {
  const rel = treePath(projectDir, file);
  if (rel.startsWith('node_modules/')) return rel;
  const pkg = packagePath(rel);
  return pkg === null ? null : `node_modules/${pkg}`;
}

/** Throws DEPENDENCY_GLOB when `excludedBy` leaves out any of `needs`. */
export function refuseExcludedNeeds(projectDir: string, needs: Iterable<BundleNeed>, excludedBy: (rel: string) => string | null): void {
  const hits: Array<{ rel: string; what: string; by: string }> = [];
  const seen = new Set<string>();
  for (const need of needs) {
    const rel = neededTreePath(projectDir, path.resolve(need.file));
    if (rel === null || seen.has(rel)) continue;
    seen.add(rel);
    const by = excludedBy(rel);
    if (by) hits.push({ rel, what: need.what, by });
  }
  if (hits.length === 0) return;
  hits.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  const first = hits[0]!;
  const more = hits.length > 1 ? ` (and ${hits.length - 1} more file${hits.length > 2 ? 's' : ''})` : '';
  throw usageError(
    'DEPENDENCY_GLOB',
    `${first.by} leaves out ${first.rel}, ${first.what}${more}`,
    'narrow the glob so it spares the files the bundle embeds, or drop it',
  );
}
