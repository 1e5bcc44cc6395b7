import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSeaBlob, type BlobInput } from '../../src/pack/direct';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-blob-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = (main: string, hostNode = process.execPath): BlobInput => ({
  hostNode,
  seaMain: main,
  moduleMain: false,
  allowNodeOptions: false,
  appBundle: 'export {}',
  koffiNode: new Uint8Array([1, 2, 3]),
});

describe('makeSeaBlob with a cache', () => {
  it('makes a blob once per inputs and reads it back afterwards without running Node', async () => {
    const cache = { cacheDir: path.join(dir, 'cache'), nodeVersion: process.versions.node };
    const first = await makeSeaBlob(input('console.log(1)'), cache);
    // A host Node that cannot run proves the second blob came from the cache.
    const again = await makeSeaBlob(input('console.log(1)', '/nonexistent/node'), cache);
    expect(again.equals(first)).toBe(true);
    await expect(makeSeaBlob(input('console.log(2)', '/nonexistent/node'), cache)).rejects.toThrow(/could not generate the SEA blob/);
    // Another Node version is another blob.
    await expect(makeSeaBlob(input('console.log(1)', '/nonexistent/node'), { ...cache, nodeVersion: '0.0.1' })).rejects.toThrow(/could not generate the SEA blob/);
  }, 60_000);
});
