/**
 * Whether the app's production dependencies hook Node's module loading, which decides packages
 * mode `auto` (options.ts `packages`): APM and tracing agents patch `http`, database drivers and
 * frameworks as they are required, and every current agent does it through one of two libraries.
 * When one of them is a production dependency, the build loads the app's packages with Node's own
 * `require` from the embedded tree (bundle/in-order-requires.ts), where the hooks see them.
 *
 * Read from the project's lockfile before bundling starts (a few milliseconds), not from the
 * resolved tree, which the bundle step would otherwise have to wait for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MODULE_HOOK_LIBRARIES } from './known-packages';

interface LockEntry {
  dev?: boolean;
}

/**
 * The module hook libraries among the production dependencies of the project in `projectDir`
 * (package-lock.json or npm-shrinkwrap.json, lockfile v2/v3; without one, the installed
 * node_modules at any depth npm puts them, dev or not). Never throws: an unreadable lockfile
 * counts as none.
 */
export function moduleHookLibraries(projectDir: string): string[] {
  const names = MODULE_HOOK_LIBRARIES.map((l) => l.name);
  for (const file of ['npm-shrinkwrap.json', 'package-lock.json', path.join('node_modules', '.package-lock.json')]) {
    let lock: { packages?: Record<string, LockEntry> };
    try {
      lock = JSON.parse(fs.readFileSync(path.join(projectDir, file), 'utf8')) as typeof lock;
    } catch {
      continue;
    }
    if (!lock.packages) continue;
    const found = new Set<string>();
    for (const [location, entry] of Object.entries(lock.packages)) {
      const name = names.find((n) => location === `node_modules/${n}` || location.endsWith(`/node_modules/${n}`));
      if (name && !entry.dev) found.add(name);
    }
    return names.filter((n) => found.has(n));
  }
  return names.filter((n) => fs.existsSync(path.join(projectDir, 'node_modules', n, 'package.json')));
}
