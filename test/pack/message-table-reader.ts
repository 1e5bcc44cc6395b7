import { expect } from 'vitest';

export interface ParsedEntry {
  id: number;
  length: number;
  flags: number;
  text: string;
  /** Byte offset of the entry in the resource. */
  at: number;
}

/**
 * An independent reader of MESSAGE_RESOURCE_DATA (winnt.h), as RtlFindMessage walks it: blocks,
 * then each block's entries from OffsetToEntries, each entry `Length` bytes long. Checks the
 * invariants Windows relies on while reading.
 */
export function parseMessageTable(bytes: Uint8Array): { blocks: { low: number; high: number; offset: number }[]; entries: ParsedEntry[] } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = b.readUInt32LE(0);
  const blocks = Array.from({ length: count }, (_, i) => ({
    low: b.readUInt32LE(4 + 12 * i),
    high: b.readUInt32LE(8 + 12 * i),
    offset: b.readUInt32LE(12 + 12 * i),
  }));
  const entries: ParsedEntry[] = [];
  for (const block of blocks) {
    let at = block.offset;
    for (let id = block.low; id <= block.high; id++) {
      const length = b.readUInt16LE(at);
      const flags = b.readUInt16LE(at + 2);
      expect(length % 4, `entry ${id} length is a multiple of 4`).toBe(0);
      expect(at + length).toBeLessThanOrEqual(b.length);
      const raw = b.subarray(at + 4, at + length);
      const text = flags === 1 ? raw.toString('utf16le') : raw.toString('latin1');
      const nul = text.indexOf('\0');
      expect(nul, `entry ${id} is NUL-terminated`).toBeGreaterThanOrEqual(0);
      expect(/^\0*$/.test(text.slice(nul)), `entry ${id} is padded with zeros`).toBe(true);
      entries.push({ id, length, flags, text: text.slice(0, nul), at });
      at += length;
    }
  }
  return { blocks, entries };
}
