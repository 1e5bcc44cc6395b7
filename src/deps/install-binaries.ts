/**
 * Packages of the dependency tree whose Windows binary only their install script would make or
 * fetch (node-gyp, prebuild-install, node-pre-gyp, cmake-js): `npm ci` on Windows runs that script;
 * svcpack never runs one. Such a package without a Windows x64 `.node` file among its embedded
 * files would fail inside the exe, so the build decides up front (docs/addons-and-files.md,
 * "Dependencies in the exe"): the bundle's addon loader already embeds it,
 * `--native <package>=<file>` supplies the file (placed at `build/Release/<file name>`, where
 * node-gyp builds it and `bindings` looks first), an optional dependency is left without it with a warning (npm
 * skips an optional package whose install fails), and any other one stops the build.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { usageError, type SvcpackError } from '../errors';
import { alternativeFor } from './known-packages';
import type { TreeFile } from './tree-files';
import type { TreePackage } from './tree';

/** Install scripts that build or download a native addon. */
const NATIVE_INSTALL = /\b(node-gyp|prebuild-install|node-pre-gyp|cmake-js|node-gyp-build-optional|napi-build)\b/;

/** Whether the package's own files say it gets its addon at install time (pure over its package.json and root listing). */
export function buildsAddonAtInstall(pkgJson: { gypfile?: unknown; scripts?: Record<string, unknown> }, rootFiles: readonly string[]): boolean {
  if (pkgJson.gypfile === true || rootFiles.includes('binding.gyp')) return true;
  const scripts = pkgJson.scripts ?? {};
  return ['preinstall', 'install', 'postinstall'].some((s) => typeof scripts[s] === 'string' && NATIVE_INSTALL.test(scripts[s] as string));
}

/** The packages of `packages` that build their addon at install time and have no Windows `.node` among `files`. */
export async function packagesMissingBinaries(packages: readonly TreePackage[], files: readonly TreeFile[]): Promise<TreePackage[]> {
  const withAddon = new Set<string>();
  for (const f of files) {
    if (!f.rel.toLowerCase().endsWith('.node')) continue;
    const owner = packages.filter((p) => f.rel.startsWith(`${p.location}/`)).sort((a, b) => b.location.length - a.location.length)[0];
    if (owner) withAddon.add(owner.location);
  }
  const out: TreePackage[] = [];
  for (const p of packages) {
    if (withAddon.has(p.location)) continue;
    const pkgJson = JSON.parse(await fs.readFile(path.join(p.dir, 'package.json'), 'utf8').catch(() => '{}')) as { gypfile?: unknown; scripts?: Record<string, unknown> };
    const rootFiles = await fs.readdir(p.dir).catch(() => [] as string[]);
    if (buildsAddonAtInstall(pkgJson, rootFiles)) out.push(p);
  }
  return out;
}

/**
 * What the build does about each missing binary: `--native` files to add to the tree, warnings,
 * and the failure for the first required package (null when none). `handled` names the packages
 * whose addon the bundle already embeds. Pure.
 */
export function decideMissingBinaries(
  missing: readonly TreePackage[],
  opts: { native: Readonly<Record<string, string>>; handled: ReadonlySet<string>; nodeMajor: number },
): { add: Array<{ pkg: TreePackage; rel: string; file: string }>; warnings: string[]; failure: SvcpackError | null } {
  const add: Array<{ pkg: TreePackage; rel: string; file: string }> = [];
  const warnings: string[] = [];
  let failure: SvcpackError | null = null;
  for (const pkg of missing) {
    if (opts.handled.has(pkg.name)) continue;
    const given = opts.native[pkg.name];
    if (given !== undefined) {
      add.push({ pkg, rel: `${pkg.location}/build/Release/${path.basename(given)}`, file: given });
      continue;
    }
    const hint = `pass --native ${pkg.name}=<path to its win32-x64 .node file for Node.js ${opts.nodeMajor}>`;
    const alternative = alternativeFor(pkg.name);
    const fix = alternative ? `${hint}, or use ${alternative}` : hint;
    if (pkg.optional) {
      warnings.push(`${pkg.name}@${pkg.version} (an optional dependency) gets its Windows binary from its install script, which svcpack never runs: it is in the exe without it and fails to load, as when its install fails on Windows — ${fix}`);
    } else if (failure === null) {
      failure = usageError('ADDON_UNAVAILABLE', `${pkg.name}@${pkg.version} (${pkg.location}) gets its Windows binary from its install script, which svcpack never runs`, fix);
    }
  }
  return { add, warnings, failure };
}
