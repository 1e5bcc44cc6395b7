import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedTree, storeTree, treeKey, type TreeStepResult } from '../../src/deps/tree-cache';
import { TreeGlobs } from '../../src/deps/tree-globs';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-tcache-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const globs = () => new TreeGlobs({ include: [], exclude: ['node_modules/a/test/**'] });

/** A project whose tree is node_modules/a with index.js, and the step result that names it. */
function setup(name: string): { dir: string; cacheDir: string; result: TreeStepResult } {
  const dir = path.join(temp, name);
  const pkg = path.join(dir, 'node_modules', 'a');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"dependencies":{"a":"1.0.0"}}');
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
  fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"a","version":"1.0.0"}');
  fs.writeFileSync(path.join(pkg, 'index.js'), 'module.exports = 1;');
  const result: TreeStepResult = {
    files: [
      { rel: 'node_modules/a/index.js', data: fs.readFileSync(path.join(pkg, 'index.js')) },
      { rel: 'node_modules/a/package.json', data: fs.readFileSync(path.join(pkg, 'package.json')) },
    ],
    packages: [{ name: 'a', version: '1.0.0', integrity: null, license: null, location: 'node_modules/a', source: 'installed', files: 2, bytes: 50 }],
    excludedBy: () => null,
    warnings: ['w'],
    read: { files: [path.join(pkg, 'index.js'), path.join(pkg, 'package.json')], folders: [pkg] },
    missing: [],
    nativeInTree: new Set(['x']),
    lacksBinary: new Set(),
  };
  const t = new Date(Date.now() - 60_000); // made before the step began
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(entry.parentPath, entry.name), t, t);
  return { dir, cacheDir: path.join(temp, `${name}-cache`), result };
}

describe('the dependency tree cache', () => {
  it('gives back the files, packages and sets while nothing changed, and answers excludedBy from the globs', async () => {
    const { dir, cacheDir, result } = setup('same');
    const key = treeKey(dir, { target: 'win-x64' });
    await storeTree(cacheDir, key, result, dir, [], Date.now());
    const hit = await cachedTree(cacheDir, key, globs());
    expect(hit?.files.map((f) => [f.rel, Buffer.from(f.data).toString()])).toEqual(result.files.map((f) => [f.rel, f.data.toString()]));
    expect(hit?.packages).toEqual(result.packages);
    expect(hit?.nativeInTree).toEqual(new Set(['x']));
    expect(hit?.excludedBy('node_modules/a/test/x.js')).toBe('--exclude "node_modules/a/test/**"');
    expect(hit?.excludedBy('node_modules/a/index.js')).toBeNull();
  });

  it('misses when a tree file changes, a file appears in a listed folder, or a package.json changes', async () => {
    for (const change of [
      (dir: string) => fs.appendFileSync(path.join(dir, 'node_modules', 'a', 'index.js'), ' '),
      (dir: string) => fs.writeFileSync(path.join(dir, 'node_modules', 'a', 'extra.js'), ''),
      (dir: string) => fs.writeFileSync(path.join(dir, 'node_modules', 'a', 'package.json'), '{"name":"a","version":"1.0.1"}'),
    ]) {
      const { dir, cacheDir, result } = setup(`change-${Math.random().toString(36).slice(2)}`);
      const key = treeKey(dir, { target: 'win-x64' });
      await storeTree(cacheDir, key, result, dir, [], Date.now());
      await new Promise((r) => setTimeout(r, 15));
      change(dir);
      expect(await cachedTree(cacheDir, key, globs())).toBeUndefined();
    }
  });

  it('keys by package.json, the lockfiles and the settings', () => {
    const { dir } = setup('keys');
    const key = treeKey(dir, { target: 'win-x64' });
    expect(treeKey(dir, { target: 'linux-x64' })).not.toBe(key);
    fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{}'); // npm install rewrites it
    expect(treeKey(dir, { target: 'win-x64' })).not.toBe(key);
  });
});
