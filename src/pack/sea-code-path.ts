/**
 * Renames the main script's code path inside a Node SEA preparation blob. `pkg --sea` writes its
 * main script to a random temporary folder (`/tmp/pkg-sea-XXXXXX/sea-main.js`) and Node records
 * that path in the blob: without the rename, no two `--packer pkg` builds would be byte-identical.
 * The path only names the script in stack traces.
 *
 * Blob layout (Node's SeaSerializer, little-endian): a fixed header, then the code path as u64
 * length + bytes, then the main code as u64 length + bytes, then the rest. The header grew over
 * time (measured with each line's `--experimental-sea-config` under NODE_DEBUG_NATIVE=SEA):
 *
 *   Node 22.20+, 24.x (≥ 24.7)  u32 magic, u32 flags, u8 exec-argv extension            (9 bytes)
 *   Node 26.x                   u32 magic, u32 flags, u8 exec-argv extension,
 *                               u8 main code format (0 CommonJS, 1 ES module)           (10 bytes)
 *   older                       u32 magic, u32 flags                                    (8 bytes)
 *
 * The blob does not say which header it has, so each known layout is tried and the one under
 * which the code path and the main code both parse is used. Pure.
 */
const SEA_MAGIC = 0x0143da20;

/** Longest code path accepted (a path, not code). */
const MAX_CODE_PATH = 4096;

interface HeaderLayout {
  /** Bytes before the code path's length. */
  size: number;
  /** Whether the one-byte fields after magic and flags hold values Node writes. */
  fieldsValid: (blob: Buffer) => boolean;
}

/** exec-argv extension: 0 none, 1 env, 2 cli. Main code format: 0 CommonJS, 1 ES module. */
const HEADER_LAYOUTS: readonly HeaderLayout[] = [
  { size: 10, fieldsValid: (b) => b[8]! <= 2 && b[9]! <= 1 },
  { size: 9, fieldsValid: (b) => b[8]! <= 2 },
  { size: 8, fieldsValid: () => true },
];

/** Where a blob's code path is: its u64 length at `lengthAt`, its bytes from `start` to `end`. */
export interface SeaCodePath {
  path: string;
  lengthAt: number;
  start: number;
  end: number;
}

/** The code path under `layout`, or null when the blob does not parse under it. */
function codePathUnder(blob: Buffer, layout: HeaderLayout): SeaCodePath | null {
  const lengthAt = layout.size;
  if (blob.length < lengthAt + 8 || !layout.fieldsValid(blob)) return null;
  const length = blob.readBigUInt64LE(lengthAt);
  const start = lengthAt + 8;
  if (length === 0n || length > BigInt(MAX_CODE_PATH) || start + Number(length) + 8 > blob.length) return null;
  const end = start + Number(length);
  const path = blob.subarray(start, end).toString('latin1');
  if (!/^[\x20-\x7e]+$/.test(path)) return null;
  // The main code (or snapshot) follows: its length must fit in what is left.
  if (blob.readBigUInt64LE(end) > BigInt(blob.length - end - 8)) return null;
  return { path, lengthAt, start, end };
}

/**
 * The code path of a SEA blob, or null when `blob` is not a SEA blob, or parses under no known
 * header layout, or under more than one (ambiguous: better left alone).
 */
export function readSeaCodePath(blob: Uint8Array): SeaCodePath | null {
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.length < 8 || view.readUInt32LE(0) !== SEA_MAGIC) return null;
  const found = HEADER_LAYOUTS.map((layout) => codePathUnder(view, layout)).filter((c) => c !== null);
  return found.length === 1 ? found[0]! : null;
}

/**
 * Returns `blob` with its code path replaced by `codePath`, or null when the blob does not look
 * like a SEA blob whose code path ends with `expectedSuffix` (the caller then keeps it as is).
 */
export function withSeaCodePath(blob: Uint8Array, codePath: string, expectedSuffix: string): Buffer | null {
  const current = readSeaCodePath(blob);
  if (!current || !current.path.endsWith(expectedSuffix)) return null;
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const replacement = Buffer.from(codePath, 'utf8');
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(replacement.length));
  return Buffer.concat([view.subarray(0, current.lengthAt), size, replacement, view.subarray(current.end)]);
}
