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

/** Walks up from `startDir`; returns null when there is none (or it is not valid JSON). */
export function findPackageJson(startDir: string): FoundPackageJson | null {
  let dir = path.resolve(startDir);
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        return { dir, data: JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson };
      } catch {
        return null;
      }
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
