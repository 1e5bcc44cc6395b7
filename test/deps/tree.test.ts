/**
 * The production dependency tree for win32-x64 (src/deps/tree.ts) on a fixture project that has
 * only a package.json and a lockfile (test/deps/fixture-tree): the Windows optional package that
 * a Linux install skips is fetched from the npm registry (network), the Linux-only one and the dev
 * dependency are left out, a second resolve is served by the cache, a tampered integrity fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moveIntoPlace, resolveDependencyTree } from '../../src/deps/tree';
import { treeFiles } from '../../src/deps/tree-files';

const FIXTURE = path.join(import.meta.dirname, 'fixture-tree');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-deptree-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function project(name: string, edit?: (lock: string) => string): string {
  const dir = path.join(temp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(FIXTURE, 'package.json'), path.join(dir, 'package.json'));
  const lock = fs.readFileSync(path.join(FIXTURE, 'package-lock.json'), 'utf8');
  fs.writeFileSync(path.join(dir, 'package-lock.json'), edit ? edit(lock) : lock);
  return dir;
}

describe('resolveDependencyTree', () => {
  const cacheDir = path.join(temp, 'cache');

  it('takes what npm ci --omit=dev --os=win32 --cpu=x64 installs, fetched with integrity, then cached', { timeout: 60_000 }, async () => {
    const dir = project('plain');
    const first = await resolveDependencyTree({ projectDir: dir, cacheDir });
    expect(first.map((p) => [p.location, p.source])).toEqual([
      ['node_modules/@parcel/watcher-win32-x64', 'registry'],
      ['node_modules/is-number', 'registry'],
    ]);
    const win = first[0]!;
    expect(win).toMatchObject({ name: '@parcel/watcher-win32-x64', version: '2.6.0', license: 'MIT' });
    expect(win.integrity).toMatch(/^sha512-/);
    expect(fs.existsSync(path.join(win.dir, 'watcher.node'))).toBe(true);

    const again = await resolveDependencyTree({ projectDir: dir, cacheDir });
    expect(again.map((p) => p.source)).toEqual(['cache', 'cache']);

    const { packages, files } = await treeFiles(again);
    expect(packages.map((p) => p.name)).toEqual(['@parcel/watcher-win32-x64', 'is-number']);
    // The Windows addon is kept (a PE x64 DLL); README.md is left out by the filter.
    expect(files.map((f) => f.rel)).toContain('node_modules/@parcel/watcher-win32-x64/watcher.node');
    expect(files.map((f) => f.rel)).not.toContain('node_modules/is-number/README.md');
    expect(files.map((f) => f.rel)).toContain('node_modules/is-number/LICENSE');
  });

  it('keeps the ideal tree per package.json, lockfile and platform: an unchanged project does not ask arborist again', { timeout: 60_000 }, async () => {
    const dir = project('ideal');
    const ownCache = path.join(temp, 'cache-ideal');
    await resolveDependencyTree({ projectDir: dir, cacheDir: ownCache });
    const kept = fs.readdirSync(path.join(ownCache, 'ideal-tree'));
    expect(kept).toHaveLength(1);
    // The kept answer is what the next build reads (edited here to show it): no arborist run.
    const file = path.join(ownCache, 'ideal-tree', kept[0]!);
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ packageName: string }>;
    fs.writeFileSync(file, JSON.stringify(nodes.filter((n) => n.packageName === 'is-number')));
    expect((await resolveDependencyTree({ projectDir: dir, cacheDir: ownCache })).map((p) => p.name)).toEqual(['is-number']);
    // Another platform, or an edited lockfile, is another question.
    await resolveDependencyTree({ projectDir: dir, cacheDir: ownCache, platform: { os: 'linux', cpu: 'x64', libc: 'glibc' } });
    fs.appendFileSync(path.join(dir, 'package-lock.json'), '\n');
    expect((await resolveDependencyTree({ projectDir: dir, cacheDir: ownCache })).map((p) => p.name)).toEqual(['@parcel/watcher-win32-x64', 'is-number']);
    expect(fs.readdirSync(path.join(ownCache, 'ideal-tree'))).toHaveLength(3);
  });

  it('fails when a fetched package does not match the lockfile integrity', { timeout: 60_000 }, async () => {
    const lock = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string }> };
    const real = lock.packages['node_modules/is-number']!.integrity!;
    const other = lock.packages['node_modules/is-odd']!.integrity!;
    const dir = project('tampered', (text) => text.replace(real, other));
    await expect(resolveDependencyTree({ projectDir: dir, cacheDir: path.join(temp, 'cache-tampered') })).rejects.toMatchObject({ code: 'DEPENDENCY_FETCH' });
  });

  it('two builds at once on a cold cache (one process) both get the packages', { timeout: 60_000 }, async () => {
    const dir = project('parallel');
    const cold = path.join(temp, 'cache-parallel');
    const [a, b] = await Promise.all([resolveDependencyTree({ projectDir: dir, cacheDir: cold }), resolveDependencyTree({ projectDir: dir, cacheDir: cold })]);
    expect(a.map((p) => p.dir)).toEqual(b.map((p) => p.dir));
    for (const p of a) expect(fs.existsSync(path.join(p.dir, 'package.json'))).toBe(true);
    expect(fs.readdirSync(path.join(cold, 'tree')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is empty for a project without dependencies', async () => {
    const dir = path.join(temp, 'none');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'none', version: '1.0.0' }));
    expect(await resolveDependencyTree({ projectDir: dir, cacheDir })).toEqual([]);
  });
});

describe('moveIntoPlace', () => {
  const stage = (name: string, text: string) => {
    const dir = path.join(temp, 'move', name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), text);
    return dir;
  };
  const complete = (dir: string) => async () => fs.existsSync(path.join(dir, 'package.json'));

  it('renames the staging folder into place', async () => {
    const staging = stage('a.tmp', 'mine');
    const dir = path.join(temp, 'move', 'a');
    await moveIntoPlace(staging, dir, complete(dir));
    expect(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe('mine');
    expect(fs.existsSync(staging)).toBe(false);
  });

  it('keeps a complete folder another build put in place, and replaces a damaged one', async () => {
    const dir = stage('b', 'theirs');
    await moveIntoPlace(stage('b.tmp', 'mine'), dir, complete(dir));
    expect(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe('theirs');

    const damaged = path.join(temp, 'move', 'c');
    fs.mkdirSync(damaged, { recursive: true });
    fs.writeFileSync(path.join(damaged, 'half-written.js'), '');
    await moveIntoPlace(stage('c.tmp', 'mine'), damaged, complete(damaged));
    expect(fs.readdirSync(damaged)).toEqual(['package.json']);
  });
});
