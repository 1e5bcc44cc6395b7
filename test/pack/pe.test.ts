import fs from 'node:fs';
import path from 'node:path';
import { calculateCheckSumForPE } from 'pe-library';
import * as ResEdit from 'resedit';
import { beforeAll, describe, it, expect } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { EVENT_IDS } from '../../runtime-shim/logging/event-ids';
import { eventMessageTable } from '../../src/pack/message-table';
import { readPeLayout } from '../../src/pe/pe-layout';
import { SEA_FUSE, SEA_RESOURCE_NAME, editExecutable, flipSeaFuse } from '../../src/pack/pe';
import { versionInfoTable } from '../../src/pack/version-info';
import { acquireRuntime } from '../../src/runtime/acquire';
import { cacheRoot } from '../../src/runtime/cache';
import { parseMessageTable } from './message-table-reader';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

/** The Node.js the exes embed by default (the tests read its runtime from svcpack's cache). */
const NODE_VERSION = DEFAULT_NODE_VERSION;
const RT_ICON = 3;
const RT_RCDATA = 10;
const RT_VERSION = 16;
const RT_MESSAGETABLE = 11;

describe('flipSeaFuse', () => {
  it('flips :0 to :1 in place', () => {
    const exe = Buffer.from(`xx${SEA_FUSE}:0yy`, 'latin1');
    flipSeaFuse(exe);
    expect(exe.toString('latin1')).toBe(`xx${SEA_FUSE}:1yy`);
  });
  it('accepts an already flipped fuse', () => {
    const exe = Buffer.from(`${SEA_FUSE}:1`, 'latin1');
    expect(() => flipSeaFuse(exe)).not.toThrow();
    expect(exe.toString('latin1')).toBe(`${SEA_FUSE}:1`);
  });
  it('fails with PACK_FAILED when there is no fuse', () => {
    let err: unknown;
    try {
      flipSeaFuse(Buffer.from('MZ not a node.exe'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SvcpackError);
    expect((err as SvcpackError).code).toBe('PACK_FAILED');
    expect((err as SvcpackError).exitCode).toBe(1);
  });
});

/** A 16x16 32-bit ICO with one image (BITMAPINFOHEADER + BGRA pixels + AND mask). */
function tinyIco(): { file: Buffer; image: Buffer } {
  const bih = Buffer.alloc(40);
  bih.writeUInt32LE(40, 0);
  bih.writeInt32LE(16, 4);
  bih.writeInt32LE(32, 8); // height doubled: XOR + AND
  bih.writeUInt16LE(1, 12);
  bih.writeUInt16LE(32, 14);
  bih.writeUInt32LE(0, 16);
  bih.writeUInt32LE(16 * 16 * 4 + 16 * 4, 20);
  const pixels = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < 16 * 16; i++) pixels.writeUInt32LE(0xff2080e0 + (i & 0xff), i * 4); // opaque orange-ish
  const mask = Buffer.alloc(16 * 4); // rows padded to 32 bits
  const image = Buffer.concat([bih, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(1, 4);
  dir.writeUInt8(16, 6);
  dir.writeUInt8(16, 7);
  dir.writeUInt8(0, 8);
  dir.writeUInt8(0, 9);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return { file: Buffer.concat([dir, image]), image };
}

const toAB = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('editExecutable on a real node.exe', () => {
  let original: Buffer;
  let edited: Buffer;
  let resources: ResEdit.NtExecutableResource;
  const blob = Buffer.concat([Buffer.from('svcpack-test-blob\0'), Buffer.alloc(4093, 0xab)]);
  const ico = tinyIco();
  const table = versionInfoTable({
    name: 'MySvc',
    version: '1.4.2.9',
    displayName: 'My Service',
    description: 'A test service',
    company: 'ACME Ltd',
    productName: 'ACME Suite',
    copyright: '(c) 2026 ACME',
  });

  beforeAll(async () => {
    let exePath = path.join(cacheRoot(), 'node', NODE_VERSION, 'win-x64', 'node.exe');
    if (!fs.existsSync(exePath)) exePath = (await acquireRuntime({ version: NODE_VERSION })).targetExe;
    original = fs.readFileSync(exePath);
    edited = editExecutable(original, { seaBlob: blob, versionInfo: table, icon: ico.file });
    resources = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(edited));
  }, 600_000);

  it('leaves the input untouched', () => {
    expect(original.indexOf(`${SEA_FUSE}:0`, 0, 'latin1')).toBeGreaterThanOrEqual(0);
    expect(readPeLayout(original).certTable).toBeDefined();
  });

  it('flips the SEA fuse to :1', () => {
    expect(edited.indexOf(`${SEA_FUSE}:1`, 0, 'latin1')).toBeGreaterThanOrEqual(0);
    expect(edited.indexOf(`${SEA_FUSE}:0`, 0, 'latin1')).toBe(-1);
  });

  it('drops the stale Authenticode signature', () => {
    expect(readPeLayout(edited).certTable).toBeUndefined();
  });

  it('embeds the blob as RT_RCDATA NODE_SEA_BLOB, language 0', () => {
    const entries = resources.entries.filter((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.lang).toBe(0);
    expect(Buffer.from(entries[0]!.bin).equals(blob)).toBe(true);
  });

  it('writes one VERSIONINFO with the fixed versions and the strings', () => {
    expect(resources.entries.filter((e) => e.type === RT_VERSION)).toHaveLength(1);
    const [vi] = ResEdit.Resource.VersionInfo.fromEntries(resources.entries);
    expect(vi).toBeDefined();
    expect(vi!.fixedInfo.fileVersionMS).toBe((1 << 16) | 4);
    expect(vi!.fixedInfo.fileVersionLS).toBe((2 << 16) | 9);
    expect(vi!.fixedInfo.productVersionMS).toBe((1 << 16) | 4);
    expect(vi!.fixedInfo.productVersionLS).toBe((2 << 16) | 9);
    expect(vi!.getAllLanguagesForStringValues()).toEqual([{ lang: 1033, codepage: 1200 }]);
    expect(vi!.getStringValues({ lang: 1033, codepage: 1200 })).toMatchObject({
      FileVersion: '1.4.2.9',
      ProductVersion: '1.4.2.9',
      FileDescription: 'A test service',
      ProductName: 'ACME Suite',
      CompanyName: 'ACME Ltd',
      LegalCopyright: '(c) 2026 ACME',
      OriginalFilename: 'MySvc.exe',
      InternalName: 'MySvc',
    });
  });

  it('stores a PE checksum equal to a recomputed one', () => {
    const peOff = edited.readUInt32LE(0x3c);
    const stored = edited.readUInt32LE(peOff + 88);
    expect(stored).not.toBe(0);
    expect(calculateCheckSumForPE(toAB(edited), false)).toBe(stored);
  });

  it('replaces the icon group with the given icon', () => {
    const groups = ResEdit.Resource.IconGroupEntry.fromEntries(resources.entries);
    const before = ResEdit.Resource.IconGroupEntry.fromEntries(ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(original, { ignoreCert: true })).entries);
    expect(groups).toHaveLength(before.length);
    const group = groups[0]!;
    expect(group.id).toBe(before[0]!.id);
    expect(group.icons).toHaveLength(1);
    expect(group.icons[0]).toMatchObject({ width: 16, height: 16, bitCount: 32, dataSize: ico.image.length });
    const icon = resources.entries.find((e) => e.type === RT_ICON && e.id === group.icons[0]!.iconID);
    expect(icon).toBeDefined();
    expect(Buffer.from(icon!.bin).equals(ico.image)).toBe(true);
  });

  it('adds the Event Log message table: RT_MESSAGETABLE 1, language neutral, every event ID as "%1"', () => {
    const before = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(original, { ignoreCert: true }));
    expect(before.entries.filter((e) => e.type === RT_MESSAGETABLE)).toEqual([]);
    const tables = resources.entries.filter((e) => e.type === RT_MESSAGETABLE);
    expect(tables.map(({ id, lang }) => ({ id, lang }))).toEqual([{ id: 1, lang: 0 }]);
    expect(Buffer.from(tables[0]!.bin).equals(eventMessageTable())).toBe(true);
    const { entries } = parseMessageTable(new Uint8Array(tables[0]!.bin));
    expect(entries.map((e) => [e.id, e.text])).toEqual(EVENT_IDS.map((id) => [id, '%1\r\n']));
  });

  it('re-editing an exe that already carries a blob replaces it (one NODE_SEA_BLOB)', () => {
    const blob2 = Buffer.from('second blob');
    const again = editExecutable(edited, { seaBlob: blob2, versionInfo: table });
    const res = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(again));
    const entries = res.entries.filter((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
    expect(entries).toHaveLength(1);
    expect(Buffer.from(entries[0]!.bin).equals(blob2)).toBe(true);
    expect(ResEdit.Resource.VersionInfo.fromEntries(res.entries)).toHaveLength(1);
    expect(res.entries.filter((e) => e.type === RT_MESSAGETABLE)).toHaveLength(1);
  }, 60_000);

  it('without a blob (the pkg packer\'s pass) it still writes the message table', () => {
    const res = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(editExecutable(edited, { versionInfo: table })));
    expect(res.entries.filter((e) => e.type === RT_MESSAGETABLE).map((e) => e.id)).toEqual([1]);
  }, 60_000);
});
