/**
 * Native addons the bundle reaches in a linux-x64 build: not embedded yet. The Windows addon loader (addon-plugin.ts)
 * picks, fetches and checks win32-x64 binaries; its Linux counterpart (linux-x64 prebuilds,
 * `-linux-x64-gnu` platform packages, ELF checks) does not exist, so an app that loads a native
 * addon is refused with one line (exit 2) when it is built for linux-x64, before anything is
 * written, rather than failing when the service starts. What counts as loading one: importing a
 * `.node` file, prebuildify's `node-gyp-build`, `bindings` or node-pre-gyp from a package, or a
 * platform package the importer lists in its optionalDependencies (napi-rs, sharp). The
 * dependency step refuses a tree package whose install script builds its addon the same way
 * (build.ts). An addon the app reaches only through the embedded dependency tree (a platform
 * package loaded by a computed name: lightningcss) is not refused: the tree keeps the x86-64 ELF
 * addons its packages ship (deps/filter.ts), and the executable writes one out when it is loaded
 * (runtime-shim/embedded/tree-natives.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { usageError } from '../../errors';
import type { AddonCollector } from './addon-plugin';
import { PLATFORM_NAMES } from '../module-names';

const PLATFORM_PACKAGE = new RegExp(`^((?:@[^/]+/)?[^/]*-(?:${PLATFORM_NAMES})(?:-[^/]*)?)(/.*)?$`);

/** The one line for an app that loads `pkg`'s native addon in a linux-x64 build. */
export function linuxAddonRefusal(pkg: string, how: string) {
  return usageError(
    'ADDON_UNAVAILABLE',
    `${pkg} ${how}, and svcpack does not embed native addons in a linux-x64 executable yet`,
    'build this app for Windows only (--target win-x64), or use a pure-JavaScript alternative to the package',
  );
}

/** The esbuild plugin that refuses native addons (see the module comment). */
export function linuxAddonRefusalPlugin(collector: AddonCollector): Esbuild.Plugin {
  const owners = new Map<string, { name: string; version: string; json: Record<string, unknown> } | null>();
  const packageOf = (dir: string): { name: string; version: string; json: Record<string, unknown> } | null => {
    if (owners.has(dir)) return owners.get(dir)!;
    let found: { name: string; version: string; json: Record<string, unknown> } | null = null;
    try {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      if (typeof json.name === 'string') found = { name: json.name, version: String(json.version ?? '0.0.0'), json };
    } catch {
      // no package.json here
    }
    if (!found && path.dirname(dir) !== dir) found = packageOf(path.dirname(dir));
    owners.set(dir, found);
    return found;
  };
  const label = (p: { name: string; version: string } | null, fallback: string) => (p ? `${p.name}@${p.version}` : fallback);
  return {
    name: 'svcpack-linux-addon-refusal',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const owner = packageOf(args.resolveDir);
        return collector.fail(linuxAddonRefusal(label(owner, args.path), `loads the native addon ${path.basename(args.path)}`));
      });
      build.onResolve({ filter: /^(node-gyp-build|bindings|@mapbox\/node-pre-gyp|node-pre-gyp)$/ }, (args) => {
        const owner = args.importer ? packageOf(path.dirname(args.importer)) : null;
        if (!owner) return undefined;
        return collector.fail(linuxAddonRefusal(label(owner, args.path), `loads its native addon through ${args.path}`));
      });
      build.onResolve({ filter: PLATFORM_PACKAGE }, (args) => {
        const owner = args.importer ? packageOf(path.dirname(args.importer)) : null;
        const name = PLATFORM_PACKAGE.exec(args.path)![1]!;
        const optional = owner?.json.optionalDependencies as Record<string, string> | undefined;
        if (!owner || optional?.[name] === undefined) return undefined;
        return collector.fail(linuxAddonRefusal(label(owner, args.path), `loads its native addon from the platform package ${name}`));
      });
    },
  };
}
