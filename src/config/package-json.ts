/**
 * The nearest package.json: where version, description and author default from (the one nearest
 * the entry), and its "svcpack" key of build options (the one nearest the current folder).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PackageJson {
  name?: string;
  version?: string;
  description?: string;
  author?: string | { name?: string };
  /** Build options, as in a config file (config-load.ts). */
  svcpack?: unknown;
}

export interface FoundPackageJson {
  dir: string;
  data: PackageJson;
}

/**
 * Whether a package.json only marks its folder's module type (`{"type": "commonjs"}`, `{}`): the
 * file a build writes next to compiled output (tsc's CommonJS dist/ inside a `"type": "module"`
 * project, dual builds) so that Node reads the `.js` files there right. It names no package and no
 * dependencies, so it is not the project.
 */
export function isModuleTypeMarker(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).every((k) => k === 'type');
}

/**
 * Walks up from `startDir` to the nearest package.json that is more than a module-type marker
 * (those are passed over); returns null when there is none (or it is not valid JSON).
 */
export function findPackageJson(startDir: string): FoundPackageJson | null {
  let dir = path.resolve(startDir);
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      let data: unknown;
      try {
        data = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        return null;
      }
      if (!isModuleTypeMarker(data)) return { dir, data: data as PackageJson };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** `"Jane Doe <jane@example.com> (https://…)"` or `{ name }` → `"Jane Doe"`. */
export function authorName(author: PackageJson['author']): string | undefined {
  const raw = typeof author === 'string' ? author : author?.name;
  const name = raw?.replace(/<[^>]*>|\([^)]*\)/g, '').trim();
  return name || undefined;
}
