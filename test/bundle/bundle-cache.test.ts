import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleKey, cachedBundle, storeBundle, type BundleStepResult } from '../../src/bundle/bundle-cache';
import type { EmbeddedTree } from '../../src/bundle/embedded/embed';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-bcache-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** A project with src/app.ts importing src/util.ts, and a bundle result naming them as inputs. */
function setup(name: string): { dir: string; cacheDir: string; result: BundleStepResult } {
  const dir = path.join(temp, name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
  fs.writeFileSync(path.join(dir, 'src', 'app.ts'), "import './util';");
  fs.writeFileSync(path.join(dir, 'src', 'util.ts'), 'export const x = 1;');
  fs.writeFileSync(path.join(dir, 'data.bin'), 'run-time data');
  const result: BundleStepResult = {
    code: 'console.log("bundle ✓")',
    inputs: { 'src/app.ts': 16, 'src/util.ts': 19, 'svcpack:runtime-shim/boot.ts': 100 },
    addons: [],
    addonFiles: new Map([['ab'.repeat(32), new Uint8Array([1, 2, 3])]]),
    nativeUsed: new Set(['pkg']),
    embedded: {
      manifest: { modules: {}, files: {} } as never,
      assets: new Map<string, Uint8Array | string>([['a.txt', 'text'], ['b.bin', new Uint8Array([9, 8])]]),
      inputs: {},
      summary: { modules: [], files: [] },
    },
    warnings: ['a warning'],
    read: { files: [path.join(dir, 'data.bin')], folders: [] },
    loader: 'loader();',
  };
  backdate(dir);
  return { dir, cacheDir: path.join(temp, `${name}-cache`), result };
}

/** `result` with its byte arrays as plain Uint8Arrays (the cache gives Buffers, which are Uint8Arrays). */
const plain = (result: BundleStepResult | undefined) =>
  result && {
    ...result,
    addonFiles: new Map([...result.addonFiles].map(([k, v]) => [k, new Uint8Array(v)])),
    embedded: result.embedded && { ...result.embedded, assets: new Map([...result.embedded.assets].map(([k, v]) => [k, typeof v === 'string' ? v : new Uint8Array(v)])) },
  };

/** Sets the mtimes of `dir` and everything in it a minute back: made before the bundle began. */
function backdate(dir: string): void {
  const t = new Date(Date.now() - 60_000);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(entry.parentPath, entry.name), t, t);
  fs.utimesSync(dir, t, t);
}

const tree = (data: string): EmbeddedTree => ({ files: [{ rel: 'node_modules/x/index.js', data: Buffer.from(data) }], packages: [] });
const later = (file: string) => {
  const t = new Date(Date.now() + 5000);
  fs.utimesSync(file, t, t);
};

describe('the bundle cache', () => {
  it('gives back the stored result while nothing it read changed', async () => {
    const { dir, cacheDir, result } = setup('same');
    const key = bundleKey({ entry: 'src/app.ts', n: 1 });
    await storeBundle(cacheDir, key, result, dir, undefined, Date.now());
    const hit = await cachedBundle(cacheDir, key, undefined);
    expect(plain(hit)).toEqual(plain(result));
    expect(await cachedBundle(cacheDir, bundleKey({ entry: 'src/app.ts', n: 2 }), undefined)).toBeUndefined(); // other settings: another key
  });

  it('misses when an input, a file read at run time or a config file above them changes', async () => {
    for (const change of [
      (dir: string) => fs.appendFileSync(path.join(dir, 'src', 'util.ts'), ' '),
      (dir: string) => later(path.join(dir, 'src', 'app.ts')),
      (dir: string) => fs.writeFileSync(path.join(dir, 'data.bin'), 'changed data!'),
      (dir: string) => fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p","type":"module"}'),
      (dir: string) => fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}'),
    ]) {
      const { dir, cacheDir, result } = setup(`change-${Math.random().toString(36).slice(2)}`);
      const key = bundleKey({ dir });
      await storeBundle(cacheDir, key, result, dir, undefined, Date.now());
      change(dir);
      expect(await cachedBundle(cacheDir, key, undefined)).toBeUndefined();
    }
  });

  it('misses when a file appears next to an input (it could change what an import resolves to)', async () => {
    const { dir, cacheDir, result } = setup('new-file');
    const key = bundleKey({ dir });
    await storeBundle(cacheDir, key, result, dir, undefined, Date.now());
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(path.join(dir, 'src', 'util.js'), 'export const x = 2;');
    expect(await cachedBundle(cacheDir, key, undefined)).toBeUndefined();
  });

  it('is not stored when a file it read changed after the bundle began (the bundle may hold the old contents)', async () => {
    const { dir, cacheDir, result } = setup('during');
    const key = bundleKey({ dir });
    const started = Date.now();
    fs.appendFileSync(path.join(dir, 'src', 'util.ts'), ' // saved while esbuild ran');
    await storeBundle(cacheDir, key, result, dir, undefined, started);
    expect(await cachedBundle(cacheDir, key, undefined)).toBeUndefined();
  });

  it('still hits when only a hidden entry appears next to an input (an editor\'s swap file, a tool\'s dot-folder)', async () => {
    const { dir, cacheDir, result } = setup('hidden');
    const key = bundleKey({ dir });
    await storeBundle(cacheDir, key, result, dir, undefined, Date.now());
    fs.writeFileSync(path.join(dir, 'src', '.app.ts.swp'), 'swap');
    fs.mkdirSync(path.join(dir, '.svcpack-pkg-1234'));
    expect(await cachedBundle(cacheDir, key, undefined)).toBeDefined();
  });

  it('misses when the embedded dependency tree differs', async () => {
    const { dir, cacheDir, result } = setup('tree');
    const key = bundleKey({ dir });
    await storeBundle(cacheDir, key, result, dir, tree('one'), Date.now());
    expect(plain(await cachedBundle(cacheDir, key, Promise.resolve(tree('one'))))).toEqual(plain(result));
    expect(await cachedBundle(cacheDir, key, Promise.resolve(tree('two')))).toBeUndefined();
    expect(await cachedBundle(cacheDir, key, undefined)).toBeUndefined();
  });
});
