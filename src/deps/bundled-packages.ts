/**
 * The npm packages whose code the app bundle inlined, from the bundle's input paths
 * (`node_modules/express/lib/router.js` → the package at `node_modules/express`), for the SBOM:
 * without the embedded tree (`--no-embed-dependencies`), or for a package the tree leaves out (a
 * dev dependency the app imports), this is how they are in the exe. Name, version and license come
 * from the installed package.json, the integrity from the project's lockfile.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The folder of the package a project-relative input path lies in, the innermost one
 * (`node_modules/a/node_modules/@s/b/x.js` → `node_modules/a/node_modules/@s/b`), in the
 * project's node_modules or a parent folder's (`../node_modules/…`, a workspace's); null for any
 * other path (the app's own files, svcpack's runtime).
 */
export function packageLocationOf(input: string): string | null {
  const p = input.replace(/\\/g, '/');
  if (!/^(?:\.\.\/)*node_modules\//.test(p)) return null;
  let end = -1;
  for (const m of p.matchAll(/(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*(?=\/)/g)) end = m.index + m[0].length;
  return end < 0 ? null : p.slice(0, end);
}

export interface BundledPackage {
  name: string;
  version: string;
  license: string | null;
  integrity: string | null;
  location: string;
}

/**
 * The packages the bundle inlined that are not at one of `skip` (the tree's locations), sorted by
 * location, with their package.json (for the dependency graph). An input whose package.json
 * cannot be read or names no version is left out.
 */
export async function bundledPackages(
  projectDir: string,
  inputs: Record<string, number>,
  skip: ReadonlySet<string>,
): Promise<{ packages: BundledPackage[]; manifests: Map<string, unknown> }> {
  const locations = [...new Set(Object.keys(inputs).map(packageLocationOf).filter((l): l is string => l !== null && !skip.has(l)))].sort();
  const lock = await readJson(path.join(projectDir, 'package-lock.json')) ?? (await readJson(path.join(projectDir, 'npm-shrinkwrap.json')));
  const lockPackages = (lock?.packages ?? {}) as Record<string, { integrity?: unknown }>;
  const packages: BundledPackage[] = [];
  const manifests = new Map<string, unknown>();
  for (const location of locations) {
    const manifest = await readJson(path.join(projectDir, ...location.split('/'), 'package.json'));
    if (typeof manifest?.name !== 'string' || typeof manifest.version !== 'string') continue;
    const integrity = lockPackages[location]?.integrity;
    packages.push({ name: manifest.name, version: manifest.version, license: licenseText(manifest.license), integrity: typeof integrity === 'string' ? integrity : null, location });
    manifests.set(location, manifest);
  }
  return { packages, manifests };
}

/** A package.json `license`: the string, or the `type` of the old `{ type, url }` form. */
function licenseText(license: unknown): string | null {
  if (typeof license === 'string') return license;
  const type = (license as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : null;
}

async function readJson(file: string): Promise<(Record<string, unknown> & { name?: unknown; version?: unknown; license?: unknown; packages?: unknown }) | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
