/**
 * `--packer pkg` cannot carry native addons when building on Linux: it packs node_modules as
 * installed, so a package gets the build machine's binary (or none: npm skips other platforms'
 * packages), and pkg's own cross-platform fetch (prebuild-install) needs GitHub. Before pkg runs,
 * the app's production dependencies (`dependencies` and `optionalDependencies`, transitively) are
 * checked for the shapes the direct packer handles (addon-plugin.ts); the first one found fails
 * the build with a pointer to the direct packer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors';

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  napi?: unknown;
  gypfile?: boolean;
}

const readJson = (file: string): Manifest | null => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return null;
  }
};

/** Why `dir` (an installed package) is a native addon, or null. */
function addonShape(dir: string, json: Manifest): string | null {
  if (json.napi !== undefined) return 'a napi-rs addon';
  if (Object.keys(json.optionalDependencies ?? {}).some((d) => /-win32-x64(?:-|$)/.test(d))) return 'a native addon in platform packages';
  if (fs.existsSync(path.join(dir, 'prebuilds'))) return 'a prebuildify addon';
  if (json.gypfile || fs.existsSync(path.join(dir, 'binding.gyp'))) return 'a node-gyp addon';
  return null;
}

/** The node_modules folder `name` resolves to from `from` (Node's lookup, upwards). */
function locate(name: string, from: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Throws ADDON_UNAVAILABLE naming the first native addon among the production dependencies of `projectDir`. */
export function refuseAddonsForPkg(projectDir: string): void {
  const root = readJson(path.join(projectDir, 'package.json'));
  if (!root) return;
  const seen = new Set<string>();
  const queue: [string, string][] = Object.keys({ ...root.dependencies, ...root.optionalDependencies }).map((d) => [d, projectDir]);
  while (queue.length > 0) {
    const [name, from] = queue.shift()!;
    const dir = locate(name, from);
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const json = readJson(path.join(dir, 'package.json'));
    if (!json) continue;
    const shape = addonShape(dir, json);
    if (shape) {
      throw usageError(
        'ADDON_UNAVAILABLE',
        `--packer pkg cannot carry ${name}, ${shape}: pkg packs node_modules as installed on this machine, without the Windows x64 binary`,
        'build with the direct packer (leave out --packer pkg), which embeds the Windows builds of native addons',
      );
    }
    for (const dep of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) queue.push([dep, dir]);
  }
}
