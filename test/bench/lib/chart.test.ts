import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { encodePng, renderChecksChart } from '../../../bench/lib/chart';
import { measurement, ratioCheck } from '../../../bench/lib/stats';

/** CRC-32 bit by bit, independent of the table-driven one under test. */
function referenceCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  /** The bytes the CRC covers: type and data. */
  covered: Buffer;
}

function parsePng(png: Buffer): { chunks: Chunk[]; width: number; height: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    chunks.push({
      type: png.toString('latin1', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + length),
      crc: png.readUInt32BE(at + 8 + length),
      covered: png.subarray(at + 4, at + 8 + length),
    });
    at += 12 + length;
  }
  const ihdr = chunks[0]!.data;
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  return { chunks, width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), pixels: inflateSync(idat) };
}

describe('encodePng', () => {
  it('the reference CRC matches published test vectors', () => {
    expect(referenceCrc32(Buffer.from('IEND'))).toBe(0xae426082);
    expect(referenceCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes signature, IHDR, IDAT and IEND with correct CRCs and unfiltered rows', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3 × 2
    const png = parsePng(encodePng(3, 2, rgb));
    expect(png.chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of png.chunks) expect(c.crc, c.type).toBe(referenceCrc32(c.covered));
    expect(png.chunks[0]!.data).toEqual(Buffer.from([0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]));
    expect(png.chunks[2]!.data.length).toBe(0);
    expect(png.pixels).toEqual(Buffer.from([0, ...rgb.subarray(0, 9), 0, ...rgb.subarray(9)]));
  });

  it('refuses a buffer that does not fit the size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow('2×2 RGB pixels take 12 bytes, not 11');
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow('a PNG needs a positive whole width and height, not 0×2');
  });
});

describe('renderChecksChart', () => {
  const a = measurement('build', 'build', 'svcpack', 'ms', [400, 450, 500]);
  const b = measurement('build', 'build', 'bun', 'ms', [1000, 1050, 1100]);
  const met = ratioCheck({ id: 'met', label: 'warm build: svcpack / bun', numerator: a, denominator: b, target: { op: '<=', value: 1.3 } });
  const missed = ratioCheck({ id: 'missed', label: 'warm build: bun / svcpack', numerator: b, denominator: a, target: { op: '<=', value: 1.3 } });

  /** How many pixels are clearly green and clearly red. */
  function colours(pixels: Buffer, width: number): { green: number; red: number } {
    let green = 0;
    let red = 0;
    const rowBytes = 1 + 3 * width;
    for (let row = 0; row * rowBytes < pixels.length; row++) {
      for (let i = row * rowBytes + 1; i < (row + 1) * rowBytes; i += 3) {
        const [r, g, bl] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
        if (g > 130 && r < 80 && bl < 100) green++;
        if (r > 180 && g < 80 && bl < 80) red++;
      }
    }
    return { green, red };
  }

  it('renders a valid PNG 900 px wide that grows with the number of checks', () => {
    const one = parsePng(renderChecksChart([met]));
    const two = parsePng(renderChecksChart([met, missed], { title: 'Targets', subtitle: '2025-06-01 · 5 reps' }));
    for (const png of [one, two]) {
      expect(png.width).toBe(900);
      expect(png.pixels.length).toBe(png.height * (1 + 3 * png.width));
      for (const c of png.chunks) expect(c.crc).toBe(referenceCrc32(c.covered));
    }
    expect(two.height).toBeGreaterThan(one.height);
    expect(parsePng(renderChecksChart([met], { width: 640 })).width).toBe(640);
  });

  it('draws a met check green and a missed one red', () => {
    const metOnly = parsePng(renderChecksChart([met]));
    expect(colours(metOnly.pixels, metOnly.width)).toMatchObject({ red: 0 });
    expect(colours(metOnly.pixels, metOnly.width).green).toBeGreaterThan(1_000);
    const missedOnly = parsePng(renderChecksChart([missed]));
    expect(colours(missedOnly.pixels, missedOnly.width)).toMatchObject({ green: 0 });
    expect(colours(missedOnly.pixels, missedOnly.width).red).toBeGreaterThan(1_000);
  });
});
