/**
 * The PE checksum (as Windows' CheckSumMappedFile computes it): the one's-complement sum of the
 * image's 16-bit little-endian words, the checksum field itself counted as 0, folded to 16 bits,
 * plus the file length.
 *
 * The sum is additive: a part of the image contributes the same whatever else is in the file, given
 * only whether it starts at an even or an odd offset ({@link onesSum}). That is what lets an exe be
 * assembled from a prepared base and a payload (pe-base.ts) without summing the base's 100 MB again.
 */

const M16 = 0xffff;
const M32 = 0xffffffff;

/**
 * The one's-complement sum, modulo 0xFFFF, of `bytes` placed at file offset `at`: every byte at an
 * even offset counts as itself, every byte at an odd offset times 256 (the high byte of its word).
 * Summed 32 bits at a time: 2^16 ≡ 1 modulo 0xFFFF, so a dword counts as its two words.
 */
export function onesSum(bytes: Uint8Array, at = 0): number {
  const sum = dwordSum(bytes) % M16;
  // Shifted by one byte, every byte changes its place in its word: × 256 (and 256 × 256 ≡ 1).
  return at % 2 === 0 ? sum : (sum * 256) % M16;
}

/** The checksum field's value from the sum of the whole image (field counted as 0) and its length. */
export function foldChecksum(sum: number, length: number): number {
  // A one's-complement sum is never 0 for a non-zero image (0 ≡ 0xFFFF), and a PE image (it starts
  // with "MZ") is never all zeros.
  const folded = (((sum % M16) + M16) % M16) || M16;
  return (folded + length) >>> 0;
}

/** The PE checksum of `image` whose checksum field (4 bytes, 4-aligned) is at `checksumOffset`. */
export function peChecksum(image: Uint8Array, checksumOffset: number): number {
  if (checksumOffset % 4 !== 0) throw new Error(`PE checksum field at unaligned offset ${checksumOffset}`);
  let sum = onesSum(image);
  if (checksumOffset + 4 <= image.byteLength) sum -= onesSum(image.subarray(checksumOffset, checksumOffset + 4), checksumOffset);
  return foldChecksum(sum, image.byteLength);
}

/**
 * The sum of `bytes` as little-endian dwords (a short last dword padded with zeros), modulo
 * 2^32 − 1. Read through a Uint32Array where `bytes` is 4-aligned in memory, else copied a chunk at
 * a time into an aligned buffer.
 */
function dwordSum(bytes: Uint8Array): number {
  const CHUNK = 1 << 22; // bytes: 2^20 dwords < 2^52, exact in a double
  let sum = 0;
  let scratch: Uint8Array | undefined;
  for (let start = 0; start < bytes.byteLength; start += CHUNK) {
    let part = bytes.subarray(start, Math.min(bytes.byteLength, start + CHUNK));
    if (part.byteOffset % 4 !== 0 || part.byteLength % 4 !== 0) {
      scratch ??= new Uint8Array(CHUNK);
      const padded = scratch.subarray(0, Math.ceil(part.byteLength / 4) * 4);
      padded.fill(0, part.byteLength);
      padded.set(part);
      part = padded;
    }
    const words = new Uint32Array(part.buffer, part.byteOffset, part.byteLength / 4);
    let partial = 0;
    for (let i = 0; i < words.length; i++) partial += words[i]!;
    sum = (sum + (partial % M32)) % M32;
  }
  return sum;
}
