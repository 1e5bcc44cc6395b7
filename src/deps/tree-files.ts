/**
 * The files of the dependency tree (tree.ts) that go into the exe, after the filter (filter.ts),
 * each at its package path (`node_modules/swagger-ui-dist/swagger-ui.css`), as the embedded
 * files the fs layer and the module hooks serve (runtime-shim/embedded/).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { keepsBinary, keepsDir, keepsFile } from './filter';
import type { TreePackage } from './tree';

export interface TreeFile {
  /** Tree path: the package's location and the file's path in it, POSIX. */
  rel: string;
  data: Uint8Array;
}

/** What build.json and the summary say about one embedded package. */
export interface EmbeddedPackage {
  name: string;
  version: string;
  integrity: string | null;
  license: string | null;
  location: string;
  source: TreePackage['source'];
  files: number;
  /** Bytes of its embedded files (before deduplication and compression). */
  bytes: number;
}

export async function treeFiles(packages: readonly TreePackage[]): Promise<{ files: TreeFile[]; packages: EmbeddedPackage[] }> {
  const perPackage = await Promise.all(packages.map(async (p) => ({ p, files: await packageFiles(p) })));
  const files: TreeFile[] = [];
  const summary: EmbeddedPackage[] = [];
  for (const { p, files: own } of perPackage) {
    files.push(...own);
    summary.push({
      name: p.name,
      version: p.version,
      integrity: p.integrity,
      license: p.license,
      location: p.location,
      source: p.source,
      files: own.length,
      bytes: own.reduce((n, f) => n + f.data.byteLength, 0),
    });
  }
  return { files, packages: summary };
}

async function packageFiles(p: TreePackage): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const rel = `${relDir}/${e.name}`;
      if (e.isDirectory()) {
        if (keepsDir(e.name, depth)) await walk(full, rel, depth + 1);
      } else if (e.isFile() && keepsFile(e.name)) {
        const data = await fs.readFile(full);
        if (keepsBinary(e.name, data.subarray(0, 4096))) out.push({ rel, data });
      }
    }
  };
  await walk(p.dir, p.location, 0);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
