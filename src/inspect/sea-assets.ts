/**
 * The assets of a Node SEA preparation blob (the exe's NODE_SEA_BLOB resource), read without
 * running the exe. Layout after the code path (Node's SeaSerializer, little-endian; the header
 * and code path are found by sea-code-path.ts): the main code or snapshot as u64 length + bytes,
 * the code cache likewise when flag 1<<2 (use code cache) is set, then when flag 1<<3 (include
 * assets) is set a u64 count and, per asset, its name and its contents, each u64 length + bytes.
 * Pure; the contents are views into `blob`, not copies.
 */
import { readSeaCodePath } from '../pack/sea-code-path';

const USE_CODE_CACHE = 1 << 2;
const INCLUDE_ASSETS = 1 << 3;

/**
 * Asset name → contents; an empty map for a blob without assets; null when `blob` is not a SEA
 * blob or does not parse (a damaged or unknown layout).
 */
export function readSeaAssets(blob: Uint8Array): Map<string, Uint8Array> | null {
  const codePath = readSeaCodePath(blob);
  if (!codePath) return null;
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const flags = view.readUInt32LE(4);
  let at = codePath.end;
  /** The next u64 length + bytes, or null when it does not fit. */
  const next = (): Buffer | null => {
    if (at + 8 > view.length) return null;
    const length = view.readBigUInt64LE(at);
    if (length > BigInt(view.length - at - 8)) return null;
    const start = at + 8;
    at = start + Number(length);
    return view.subarray(start, at);
  };
  if (!next()) return null; // the main code
  if (flags & USE_CODE_CACHE && !next()) return null;
  const assets = new Map<string, Uint8Array>();
  if (!(flags & INCLUDE_ASSETS)) return assets;
  if (at + 8 > view.length) return null;
  const count = view.readBigUInt64LE(at);
  at += 8;
  // Each asset takes at least 16 bytes: a count larger than that allows is damage.
  if (count > BigInt(Math.floor((view.length - at) / 16))) return null;
  for (let i = 0; i < Number(count); i++) {
    const name = next();
    const contents = name && next();
    if (!name || !contents) return null;
    assets.set(name.toString('utf8'), contents);
  }
  return assets;
}
