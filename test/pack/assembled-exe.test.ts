import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssembledExecutable } from '../../src/pack/assembled-exe';
import { baseKey, cachedBase, storeBase } from '../../src/pack/base-cache';
import { packDirect } from '../../src/pack/direct';
import { prepareExecutableBase } from '../../src/pack/pe';
import { versionInfoTable } from '../../src/pack/version-info';
import { assemblePe } from '../../src/pe/pe-base';
import { acquireRuntime } from '../../src/runtime/acquire';
import { cacheRoot } from '../../src/runtime/cache';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const edits = { versionInfo: versionInfoTable({ name: 'AsmSvc', version: '1.0.0', displayName: 'Asm', description: '' }) };

describe('an exe assembled from a cached base', () => {
  let nodeExe: Buffer;
  let dir: string;

  beforeAll(async () => {
    let exePath = path.join(cacheRoot(), 'node', DEFAULT_NODE_VERSION, 'win-x64', 'node.exe');
    if (!fs.existsSync(exePath)) exePath = (await acquireRuntime({ version: DEFAULT_NODE_VERSION })).targetExe;
    nodeExe = fs.readFileSync(exePath);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-asm-'));
  }, 600_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the bytes assemblePe makes, with their SHA-256, and remembers that hash for the same blob', async () => {
    const cacheDir = path.join(dir, 'cache-a');
    const { image, layout } = prepareExecutableBase(nodeExe, edits);
    const stored = await storeBase(cacheDir, 'k1', image, layout);
    const blob = Buffer.from(Array.from({ length: 70_001 }, (_, i) => i & 0xff));
    const expected = assemblePe(image, layout, blob);
    const exe = new AssembledExecutable(stored, blob);
    const out = path.join(dir, 'a.exe');
    const [hash] = await Promise.all([exe.sha256(), exe.writeTo(out, 0o755)]);
    expect(fs.readFileSync(out).equals(expected)).toBe(true);
    expect(fs.statSync(out).mode & 0o777).toBe(0o755);
    expect(exe.byteLength).toBe(expected.byteLength);
    expect(hash).toBe(sha(expected));
    expect((await exe.bytes()).equals(expected)).toBe(true);
    // A later build finds the base and the hash of this blob's exe without reading the exe.
    const again = await cachedBase(cacheDir, 'k1');
    expect(again?.outputSha256(sha(blob))).toBe(hash);
    // Over an older, longer file the output is truncated to the exe.
    fs.writeFileSync(out, Buffer.alloc(expected.byteLength + 5000, 7));
    await new AssembledExecutable(again!, blob).writeTo(out, 0o755);
    expect(fs.readFileSync(out).equals(expected)).toBe(true);
    // Another blob (an odd length), the write begun first: the same agreement.
    const other = Buffer.concat([blob, Buffer.from('odd')]);
    const otherExe = new AssembledExecutable(again!, other);
    const [, otherHash] = await Promise.all([otherExe.writeTo(out, 0o755), otherExe.sha256()]);
    expect(otherHash).toBe(sha(assemblePe(image, layout, other)));
    expect(sha(fs.readFileSync(out))).toBe(otherHash);
  }, 60_000);

  it('does not use a base whose file changed after it was written', async () => {
    const cacheDir = path.join(dir, 'cache-b');
    const { image, layout } = prepareExecutableBase(nodeExe, edits);
    const stored = await storeBase(cacheDir, 'k2', image, layout);
    expect(await cachedBase(cacheDir, 'k2')).toBeDefined();
    const fd = fs.openSync(stored.file, 'r+');
    fs.writeSync(fd, Buffer.from([0x99]), 0, 1, 5000);
    fs.closeSync(fd);
    expect(await cachedBase(cacheDir, 'k2')).toBeUndefined();
  }, 60_000);

  it('packDirect: the first build stores the base, the next reuses it without reading node.exe; both exes equal the in-memory assembly', async () => {
    const cacheDir = path.join(dir, 'cache-c');
    let reads = 0;
    const input = (blob: Buffer) => ({ seaBlob: blob, nodeExe: async () => (reads++, nodeExe), nodeSha256: sha(nodeExe), edits, cacheDir });
    const first = await packDirect(input(Buffer.from('blob one')));
    const second = await packDirect(input(Buffer.from('blob two, longer')));
    expect(reads).toBe(1);
    expect(first).toBeInstanceOf(AssembledExecutable);
    const { image, layout } = prepareExecutableBase(nodeExe, edits);
    expect((await second.bytes()).equals(assemblePe(image, layout, Buffer.from('blob two, longer')))).toBe(true);
    expect(fs.readdirSync(path.join(cacheDir, 'exe-base')).filter((f) => f.endsWith('.exe'))).toHaveLength(1);
    // Without node.exe's hash nothing is cached: the exe is assembled in memory.
    const uncached = await packDirect({ ...input(Buffer.from('x')), nodeSha256: undefined, cacheDir: path.join(dir, 'cache-none') });
    expect(fs.existsSync(path.join(dir, 'cache-none'))).toBe(false);
    expect((await uncached.bytes()).equals(assemblePe(image, layout, Buffer.from('x')))).toBe(true);
  }, 60_000);

  it('keeps the three most recently used bases, and any used in the last ten minutes', async () => {
    const cacheDir = path.join(dir, 'cache-d');
    const { image, layout } = prepareExecutableBase(nodeExe, edits);
    const record = (k: string) => path.join(cacheDir, 'exe-base', `${baseKey({ k })}.json`);
    const age = (k: string, minutes: number) => {
      const t = new Date(Date.now() - minutes * 60_000);
      fs.utimesSync(record(k), t, t);
    };
    for (const k of ['a', 'b', 'c']) await storeBase(cacheDir, baseKey({ k }), image.subarray(0, 4096), layout);
    const kept = () => fs.readdirSync(path.join(cacheDir, 'exe-base')).filter((f) => f.endsWith('.exe')).sort();
    await storeBase(cacheDir, baseKey({ k: 'd' }), image.subarray(0, 4096), layout);
    expect(kept()).toHaveLength(4); // all used in the last ten minutes: a concurrent build may be reading one
    age('a', 40);
    age('b', 30);
    age('c', 20);
    await storeBase(cacheDir, baseKey({ k: 'e' }), image.subarray(0, 4096), layout);
    expect(kept()).toEqual(['c', 'd', 'e'].map((k) => `${baseKey({ k })}.exe`).sort());
  }, 60_000);
});
