/**
 * The dependency tree's files in the embed manifest (src/bundle/embedded/embed.ts): at their
 * package paths, in the tree pack once per distinct content (compressed one by one with
 * --compress, read back by the exe's entry reader), the package folders listed for the resolver.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { embedRunTimeFiles } from '../../src/bundle/embedded/embed';
import { RunTimeFiles } from '../../src/bundle/embedded/run-time-files';
import { entryReader } from '../../runtime-shim/embedded/install';
import type { EmbeddedPackage } from '../../src/deps/tree-files';

it('embeds tree files at their package paths, in the tree pack, deduplicated by content', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-embed-tree-'));
  try {
    const same = new TextEncoder().encode('module.exports = 1;\n');
    const pkg = (name: string, location: string): EmbeddedPackage => ({ name, version: '1.0.0', integrity: 'sha512-x', license: 'MIT', location, source: 'installed', files: 1, bytes: same.byteLength });
    const tree = {
      files: [
        { rel: 'node_modules/a/index.js', data: same },
        { rel: 'node_modules/b/node_modules/a/index.js', data: same },
      ],
      packages: [pkg('a', 'node_modules/a'), pkg('a', 'node_modules/b/node_modules/a')],
    };
    const embedded = await embedRunTimeFiles(new RunTimeFiles(dir), dir, {}, [], { tree });
    expect(embedded.manifest.files['node_modules/a/index.js']).toEqual(embedded.manifest.files['node_modules/b/node_modules/a/index.js']);
    // One pack asset, holding the shared content once
    expect([...embedded.assets.keys()].filter((k) => k.startsWith('file-'))).toEqual([]);
    expect(embedded.manifest.files['node_modules/a/index.js']).toEqual({ asset: 'tree-pack', size: same.byteLength, at: [0, same.byteLength] });
    expect((embedded.assets.get('tree-pack') as Uint8Array).byteLength).toBe(same.byteLength);
    expect(embedded.manifest.packCompressed).toBeUndefined();
    expect(embedded.manifest.packages).toEqual({ 'node_modules/a': 'a@1.0.0', 'node_modules/b/node_modules/a': 'a@1.0.0' });
    expect(embedded.summary.packages?.map((p) => p.location)).toEqual(['node_modules/a', 'node_modules/b/node_modules/a']);
    expect(embedded.summary.files).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("a tree file with the same bytes as an addon the bundle embeds shares the addon's asset (stored once)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-embed-tree-'));
  try {
    const dll = new TextEncoder().encode('MZ pretend addon');
    const hash = createHash('sha256').update(dll).digest('hex');
    const tree = {
      files: [{ rel: 'node_modules/native/prebuilds/win32-x64/native.node', data: dll }],
      packages: [{ name: 'native', version: '1.0.0', integrity: null, license: null, location: 'node_modules/native', source: 'installed' as const, files: 1, bytes: dll.byteLength }],
    };
    const embedded = await embedRunTimeFiles(new RunTimeFiles(dir), dir, {}, [], { tree, addonShas: new Set([hash]) });
    expect(embedded.manifest.files['node_modules/native/prebuilds/win32-x64/native.node']).toEqual({ asset: `addon-${hash}`, size: dll.byteLength });
    expect([...embedded.assets.keys()].filter((k) => k.startsWith('file-'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('with --compress each file is compressed alone in the pack, and the exe reads each back alone; a binary carries its hash', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-embed-tree-'));
  try {
    const js = new TextEncoder().encode('module.exports = "x".repeat(100);\n'.repeat(50));
    const dll = new TextEncoder().encode('MZ' + 'pretend'.repeat(100));
    const tree = {
      files: [
        { rel: 'node_modules/a/index.js', data: js },
        { rel: 'node_modules/a/lib/helper.dll', data: dll },
      ],
      packages: [{ name: 'a', version: '1.0.0', integrity: null, license: null, location: 'node_modules/a', source: 'installed' as const, files: 2, bytes: js.byteLength + dll.byteLength }],
    };
    const { manifest, assets } = await embedRunTimeFiles(new RunTimeFiles(dir), dir, {}, [], { tree, compress: true });
    expect(manifest.packCompressed).toBe(true);
    const pack = assets.get('tree-pack') as Uint8Array;
    expect(pack.byteLength).toBeLessThan(js.byteLength);
    expect(manifest.files['node_modules/a/lib/helper.dll']!.sha256).toBe(createHash('sha256').update(dll).digest('hex'));
    expect(manifest.files['node_modules/a/index.js']!.sha256).toBeUndefined();
    const read = entryReader(manifest, (name) => assets.get(name) as Uint8Array, () => {
      throw new Error('a pack entry is not read as its own asset');
    });
    expect(Buffer.from(read(manifest.files['node_modules/a/index.js']!)).equals(Buffer.from(js))).toBe(true);
    expect(Buffer.from(read(manifest.files['node_modules/a/lib/helper.dll']!)).equals(Buffer.from(dll))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
