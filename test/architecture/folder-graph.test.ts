/**
 * The folders of src/ and runtime-shim/ depend on each other one way only (docs/architecture.md,
 * Where each concept lives): no two folders import each other, type-only imports included, so a
 * concept can be read, tested and moved with what it needs and nothing that needs it. The root
 * files (entry points such as boot.ts and cli.ts, and shared leaves such as errors.ts and
 * exe-config.ts) are not folders and are left out; `platform/windows/` counts as its own folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The folder a file belongs to, relative to `root`: its first segment (`platform/windows` whole); null for a root file. */
function folderOf(root: string, file: string): string | null {
  const parts = path.relative(root, file).split(path.sep);
  if (parts.length === 1) return null;
  return parts[0] === 'platform' && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s*'(\.[^']+)'/gm;

/** Folder → the folders its files import from. */
export function folderEdges(root: string): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of sources(root)) {
    const from = folderOf(root, file);
    if (!from) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1]!);
      if (path.relative(root, target).startsWith('..')) continue;
      const to = folderOf(root, `${target}.ts`);
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  return edges;
}

function mutualPairs(edges: Map<string, Set<string>>): string[] {
  const pairs: string[] = [];
  for (const [a, tos] of edges) for (const b of tos) if (a < b && edges.get(b)?.has(a)) pairs.push(`${a} <-> ${b}`);
  return pairs.sort();
}

describe('folders depend on each other one way only', () => {
  for (const tree of ['src', 'runtime-shim']) {
    it(`${tree}/: no two folders import each other`, () => {
      const edges = folderEdges(path.join(REPO, tree));
      expect(edges.size).toBeGreaterThan(5);
      expect(mutualPairs(edges)).toEqual([]);
    });
  }
});
