import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateCheckSumForPE } from 'pe-library';
import * as ResEdit from 'resedit';
import { beforeAll, describe, expect, it } from 'vitest';
import { peChecksum } from '../../src/pe/checksum';
import { PeImage } from '../../src/pe/pe-image';
import { acquireRuntime } from '../../src/runtime/acquire';
import { cacheRoot } from '../../src/runtime/cache';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

/** The Node.js the exes embed by default (the tests read its runtime from svcpack's cache). */
const NODE_VERSION = DEFAULT_NODE_VERSION;
const toAB = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** A fake image: "MZ", e_lfanew = 0x80, random bytes elsewhere; the checksum field at 0x80 + 88. */
function fakeImage(size: number): Buffer {
  const b = randomBytes(size);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  return b;
}

describe('peChecksum', () => {
  it('equals resedit’s checksum (an independent implementation) on random images', () => {
    for (const size of [512, 4096, 65_536, 1_000_000, 5 * (1 << 20)]) {
      const image = fakeImage(size);
      const offset = 0x80 + 88;
      expect(peChecksum(image, offset)).toBe(calculateCheckSumForPE(toAB(image), false));
    }
  });

  it('ignores the checksum field’s current value and works on unaligned views', () => {
    const image = fakeImage(8192);
    const offset = 0x80 + 88;
    const expected = calculateCheckSumForPE(toAB(image), false);
    image.writeUInt32LE(0xdeadbeef, offset);
    expect(peChecksum(image, offset)).toBe(expected);
    const shifted = Buffer.alloc(image.length + 1);
    image.copy(shifted, 1);
    expect(peChecksum(shifted.subarray(1), offset)).toBe(expected);
  });

  it('rejects an unaligned checksum field', () => {
    expect(() => peChecksum(fakeImage(512), 0x81)).toThrow(/unaligned/);
  });
});

describe('PeImage on a real node.exe', () => {
  let original: Buffer;
  const blob = toAB(Buffer.alloc(300_000, 0x5a));

  beforeAll(async () => {
    let exePath = path.join(cacheRoot(), 'node', NODE_VERSION, 'win-x64', 'node.exe');
    if (!fs.existsSync(exePath)) exePath = (await acquireRuntime({ version: NODE_VERSION })).targetExe;
    original = fs.readFileSync(exePath);
  }, 600_000);

  /** The same resource edit through resedit's own NtExecutable and through PeImage. */
  function edit(host: 'resedit' | 'PeImage'): Buffer {
    const exe = host === 'resedit' ? ResEdit.NtExecutable.from(Buffer.from(original), { ignoreCert: true }) : PeImage.parse(original);
    const asExe = exe as unknown as ResEdit.NtExecutable;
    const res = ResEdit.NtExecutableResource.from(asExe);
    res.entries.push({ type: 10, id: 'NODE_SEA_BLOB', lang: 0, codepage: 0, bin: blob });
    res.outputResource(asExe);
    return exe instanceof PeImage ? exe.generate() : Buffer.from(exe.generate());
  }

  it('writes the sections resedit writes, with the resources on a page boundary in the file; headers differ only where it keeps them exact', () => {
    const ours = edit('PeImage');
    const theirs = edit('resedit');
    const mine = ResEdit.NtExecutable.from(ours);
    const ref = ResEdit.NtExecutable.from(theirs);
    const sections = (exe: ResEdit.NtExecutable) => exe.getAllSections().map((x) => ({ ...x.info, data: Buffer.from(x.data ?? new ArrayBuffer(0)) }));
    const a = sections(mine);
    const b = sections(ref);
    expect(a.map((x) => x.name)).toEqual(b.map((x) => x.name));
    a.forEach((x, i) => {
      const y = b[i]!;
      expect(x.data.equals(y.data), x.name).toBe(true);
      expect([x.virtualAddress, x.virtualSize, x.sizeOfRawData, x.characteristics], x.name).toEqual([y.virtualAddress, y.virtualSize, y.sizeOfRawData, y.characteristics]);
      // Only the resources and what follows them move in the file, by less than a page.
      if (!['.rsrc', '.reloc'].includes(x.name)) expect(x.pointerToRawData, x.name).toBe(y.pointerToRawData);
    });
    const rsrc = a.find((x) => x.name === '.rsrc')!;
    expect(rsrc.pointerToRawData % 0x1000).toBe(0);
    expect(rsrc.pointerToRawData - b.find((x) => x.name === '.rsrc')!.pointerToRawData).toBeLessThan(0x1000);
    // The headers before the section table: equal but for the three fields resedit does not keep exact.
    const optional = original.readUInt32LE(0x3c) + 24;
    const allowed = new Set<number>();
    const field = (offset: number) => [0, 1, 2, 3].forEach((i) => allowed.add(offset + i));
    field(optional + 8); // SizeOfInitializedData: resedit leaves the old value
    field(optional + 64); // CheckSum (covers the field above)
    field(optional + 112 + 2 * 8 + 4); // resource directory size: the data's size, not its aligned size
    const tableStart = optional + original.readUInt16LE(original.readUInt32LE(0x3c) + 20);
    const differing: number[] = [];
    for (let i = 0; i < tableStart; i++) if (ours[i] !== theirs[i] && !allowed.has(i)) differing.push(i);
    expect(differing).toEqual([]);
    expect(calculateCheckSumForPE(toAB(ours), false)).toBe(ours.readUInt32LE(optional + 64));
  });

  it('moves .reloc after the grown resources and drops the certificate table', () => {
    const ours = edit('PeImage');
    const exe = ResEdit.NtExecutable.from(ours);
    const sections = exe.getAllSections().map((s) => s.info);
    const rsrc = sections.find((s) => s.name === '.rsrc')!;
    const reloc = sections.find((s) => s.name === '.reloc')!;
    expect(reloc.pointerToRawData).toBe(rsrc.pointerToRawData + rsrc.sizeOfRawData);
    expect(reloc.virtualAddress).toBeGreaterThanOrEqual(rsrc.virtualAddress + rsrc.virtualSize);
    expect(exe.getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.BaseRelocation)?.info.name).toBe('.reloc');
    const dirs = original.readUInt32LE(0x3c) + 24 + 112;
    expect(ours.readUInt32LE(dirs + 4 * 8 + 4)).toBe(0);
    // The relocation data itself is unchanged.
    const before = ResEdit.NtExecutable.from(original, { ignoreCert: true }).getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.BaseRelocation)!;
    expect(Buffer.from(exe.getSectionByEntry(ResEdit.Format.ImageDirectoryEntry.BaseRelocation)!.data!)).toEqual(Buffer.from(before.data!));
  });

  it('does not modify the image it parsed', () => {
    const copy = Buffer.from(original);
    edit('PeImage');
    expect(original.equals(copy)).toBe(true);
  });

  it('fails with PACK_FAILED on something that is not a PE', () => {
    expect(() => PeImage.parse(Buffer.from('not an exe at all, clearly not'))).toThrow(/^node\.exe is not a valid PE image \(no MZ header\)$/);
    // pkg's output goes through the same parser: the message names it, not node.exe.
    expect(() => PeImage.parse(Buffer.from('not an exe at all, clearly not'), { label: "@yao-pkg/pkg's output", hint: 'run with --packer direct' })).toThrow(
      /^@yao-pkg\/pkg's output is not a valid PE image/,
    );
  });
});
