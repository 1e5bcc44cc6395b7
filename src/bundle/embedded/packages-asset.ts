/**
 * The SEA asset `packages.json`: the list of the dependency tree's packages an exe embeds, so that
 * `svcpack inspect` can say what is inside an exe from the exe alone. The exe itself never reads
 * it (at start it reads only its index, `embedded.json`). Written by the build next to the index
 * (embed.ts), Brotli-compressed as `packages.json.br` with `--compress` like every asset.
 *
 * Deterministic: the packages in tree order (sorted by location), no paths of the build machine and
 * not where the files came from (the project's install or the cache), so rebuilds stay byte-identical.
 */
import type { EmbeddedPackage } from '../../deps/tree-files';

export const PACKAGES_ASSET = 'packages.json';

/** One embedded package of the dependency tree, as the exe lists it. */
export interface ExePackage {
  name: string;
  version: string;
  /** The package.json `license` (an SPDX expression, or whatever the package says), or null. */
  license: string | null;
  /** The lockfile's or registry's SRI integrity of its tarball (`sha512-…`), or null when npm had none. */
  integrity: string | null;
  /** Its folder in the tree: `node_modules/express`, `node_modules/a/node_modules/b`. */
  location: string;
  /** Files embedded after the filter, and their bytes (before deduplication and compression). */
  files: number;
  bytes: number;
}

export interface PackagesAsset {
  schema: 1;
  packages: ExePackage[];
}

/** The asset's text for `packages` (the build's EmbeddedPackage list; `source` is left out). */
export function encodePackagesAsset(packages: readonly EmbeddedPackage[]): string {
  const list: ExePackage[] = [...packages]
    .sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0))
    .map((p) => ({ name: p.name, version: p.version, license: p.license, integrity: p.integrity, location: p.location, files: p.files, bytes: p.bytes }));
  return JSON.stringify({ schema: 1, packages: list } satisfies PackagesAsset);
}

/**
 * The packages of an asset's bytes. Throws an Error saying what is wrong when the bytes are not a
 * schema-1 list (the caller names the exe).
 */
export function decodePackagesAsset(bytes: Uint8Array): ExePackage[] {
  const value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  const asset = value as Partial<PackagesAsset>;
  if (asset.schema !== 1) throw new Error(`schema ${JSON.stringify(asset.schema)}, expected 1`);
  if (!Array.isArray(asset.packages)) throw new Error('no package list');
  const text = (v: unknown): v is string => typeof v === 'string';
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  for (const p of asset.packages as unknown[]) {
    const q = p as Partial<Record<keyof ExePackage, unknown>>;
    const ok =
      typeof p === 'object' && p !== null && text(q.name) && text(q.version) && text(q.location) &&
      (q.license === null || text(q.license)) && (q.integrity === null || text(q.integrity)) && count(q.files) && count(q.bytes);
    if (!ok) throw new Error(`a package entry is not name, version, license, integrity, location, files, bytes: ${JSON.stringify(p).slice(0, 120)}`);
  }
  return asset.packages;
}
