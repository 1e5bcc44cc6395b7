import fs from 'node:fs';
import path from 'node:path';
import { calculateCheckSumForPE } from 'pe-library';
import * as ResEdit from 'resedit';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareExecutableBase, SEA_RESOURCE_NAME } from '../../src/pack/pe';
import { versionInfoTable } from '../../src/pack/version-info';
import { onesSum, peChecksum } from '../../src/pe/checksum';
import { assemblePe, assembly } from '../../src/pe/pe-base';
import { acquireRuntime } from '../../src/runtime/acquire';
import { cacheRoot } from '../../src/runtime/cache';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

const RT_RCDATA = 10;
const toAB = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const table = versionInfoTable({ name: 'BaseSvc', version: '2.0.0', displayName: 'Base', description: '' });

describe('onesSum', () => {
  it('is additive: the parts of an image at their offsets sum to the whole, whatever the parity', () => {
    const image = Buffer.from(Array.from({ length: 1001 }, (_, i) => (i * 37 + 11) & 0xff));
    const whole = onesSum(image);
    for (const cut of [1, 2, 3, 4, 500, 999]) {
      expect((onesSum(image.subarray(0, cut)) + onesSum(image.subarray(cut), cut)) % 0xffff).toBe(whole);
    }
  });
});

describe('a base and its payload', () => {
  let nodeExe: Buffer;
  let base: ReturnType<typeof prepareExecutableBase>;

  beforeAll(async () => {
    let exePath = path.join(cacheRoot(), 'node', DEFAULT_NODE_VERSION, 'win-x64', 'node.exe');
    if (!fs.existsSync(exePath)) exePath = (await acquireRuntime({ version: DEFAULT_NODE_VERSION })).targetExe;
    nodeExe = fs.readFileSync(exePath);
    base = prepareExecutableBase(nodeExe, { versionInfo: table });
  }, 600_000);

  it('puts the payload at the end of the resource section, 16-aligned, where resedit reads it back as NODE_SEA_BLOB', () => {
    expect(base.layout.payloadOffset % 16).toBe(0);
    for (const length of [0, 1, 4093, 4096, 300_001]) {
      const payload = Buffer.alloc(length, 0x5a);
      if (length > 0) payload[length - 1] = 0x42;
      const exe = assemblePe(base.image, base.layout, payload);
      const res = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(exe));
      const blob = res.entries.filter((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
      expect(blob).toHaveLength(1);
      expect(Buffer.from(blob[0]!.bin).equals(payload)).toBe(true);
      expect(exe.subarray(base.layout.payloadOffset, base.layout.payloadOffset + length).equals(payload)).toBe(true);
    }
  }, 60_000);

  it('computes the checksum from the base’s partial sums: equal to a full recomputation, for odd and even lengths', () => {
    const peOff = base.image.readUInt32LE(0x3c);
    for (const length of [1, 2, 3, 4097, 123_457]) {
      const payload = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff));
      const exe = assemblePe(base.image, base.layout, payload);
      const stored = exe.readUInt32LE(peOff + 88);
      expect(stored).toBe(calculateCheckSumForPE(toAB(exe), false));
      expect(stored).toBe(peChecksum(exe, peOff + 88));
      expect(exe.byteLength).toBe(assembly(base.layout, length, onesSum(payload, base.layout.payloadOffset)).length);
    }
  }, 60_000);

  it('moves .reloc after the grown resources with its bytes unchanged, and keeps SizeOfImage and the section table consistent', () => {
    const payload = Buffer.alloc(1_000_003, 1);
    const exe = ResEdit.NtExecutable.from(assemblePe(base.image, base.layout, payload));
    const before = ResEdit.NtExecutable.from(base.image);
    const reloc = exe.getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.BaseRelocation)!;
    const relocBefore = before.getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.BaseRelocation)!;
    const rsrc = exe.getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.Resource)!;
    expect(Buffer.from(reloc.data!).equals(Buffer.from(relocBefore.data!))).toBe(true);
    expect(reloc.info.virtualAddress).toBeGreaterThanOrEqual(rsrc.info.virtualAddress + rsrc.info.virtualSize);
    expect(reloc.info.pointerToRawData).toBe(rsrc.info.pointerToRawData + rsrc.info.sizeOfRawData);
    const sections = exe.getAllSections();
    const last = sections[sections.length - 1]!.info;
    const align = exe.newHeader.optionalHeader.sectionAlignment;
    expect(exe.newHeader.optionalHeader.sizeOfImage).toBe(Math.ceil((last.virtualAddress + last.virtualSize) / align) * align);
  }, 60_000);

  it('preparing an assembled exe again gives the same base (a built exe re-edited stays stable)', () => {
    const payload = Buffer.from('a blob');
    const exe = assemblePe(base.image, base.layout, payload);
    const again = assemblePe(prepareExecutableBase(exe, { versionInfo: table }).image, base.layout, payload);
    expect(again.equals(exe)).toBe(true); // re-basing an assembled exe gives the same base
  }, 60_000);
});
