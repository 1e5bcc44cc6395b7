/**
 * Renames the main script's code path inside a Node SEA preparation blob. `pkg --sea` writes its
 * main script to a random temporary folder (`/tmp/pkg-sea-XXXXXX/sea-main.js`) and Node records
 * that path in the blob: without the rename, no two `--packer pkg` builds would be byte-identical
 * (issue 6). The path only names the script in stack traces.
 *
 * Blob layout (Node's SeaSerializer): u32 magic, u32 flags, in newer Node versions one u8
 * exec-argv extension, then the code path as u64 length + bytes, then the rest. Pure.
 */
const SEA_MAGIC = 0x0143da20;

/**
 * Returns `blob` with its code path replaced by `codePath`, or null when the blob does not look
 * like a SEA blob whose code path ends with `expectedSuffix` (the caller then keeps it as is).
 */
export function withSeaCodePath(blob: Uint8Array, codePath: string, expectedSuffix: string): Buffer | null {
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.length < 17 || view.readUInt32LE(0) !== SEA_MAGIC) return null;
  for (const lengthAt of [8, 9]) {
    if (view.length < lengthAt + 8) continue;
    const length = view.readBigUInt64LE(lengthAt);
    if (length === 0n || length > 4096n || lengthAt + 8 + Number(length) > view.length) continue;
    const start = lengthAt + 8;
    const current = view.subarray(start, start + Number(length)).toString('utf8');
    if (!/^[\x20-\x7e]+$/.test(current) || !current.endsWith(expectedSuffix)) continue;
    const replacement = Buffer.from(codePath, 'utf8');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(replacement.length));
    return Buffer.concat([view.subarray(0, lengthAt), size, replacement, view.subarray(start + Number(length))]);
  }
  return null;
}
