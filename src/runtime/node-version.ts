import { usageError } from '../errors';

/** A parsed version spec: an exact `x.y.z`, or a major to resolve to its newest `x.y.z`. */
export type VersionSpec = { kind: 'exact'; version: string } | { kind: 'major'; major: number };

const EXACT = /^v?(\d+)\.(\d+)\.(\d+)$/;
const MAJOR = /^v?(\d+)$/;

/**
 * Parses `22.22.2`, `v22.22.2`, `22` or `v22`. Anything else (ranges, tags, prereleases)
 * -> usageError INVALID_NODE_VERSION.
 */
export function parseVersionSpec(spec: string): VersionSpec {
  const s = spec.trim();
  const exact = EXACT.exec(s);
  if (exact) return { kind: 'exact', version: `${Number(exact[1])}.${Number(exact[2])}.${Number(exact[3])}` };
  const major = MAJOR.exec(s);
  if (major) return { kind: 'major', major: Number(major[1]) };
  throw usageError(
    'INVALID_NODE_VERSION',
    `"${spec}" is not a Node.js version`,
    'use an exact version such as 26.10.0 or a major such as 26',
  );
}

/** `[major, minor, patch]` of a plain `x.y.z`, or undefined for anything else (e.g. prereleases). */
export function parseExact(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Numeric semver comparison of two plain `x.y.z` strings (negative if a < b). */
export function compareVersions(a: string, b: string): number {
  const pa = parseExact(a) ?? [0, 0, 0];
  const pb = parseExact(b) ?? [0, 0, 0];
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** Highest plain `x.y.z` among `versions` whose major is `major`; prereleases are ignored. */
export function highestOfMajor(versions: Iterable<string>, major: number): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    const p = parseExact(v);
    if (!p || p[0] !== major) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}
