/**
 * Access to files embedded in the exe (koffi.node). The SEA loaders (`loaders/sea-prelude.ts`,
 * `loaders/sea-script.ts`) install the reader before the bundle runs, so the bundle itself does
 * not depend on how it was packed.
 */
export interface AssetReader {
  read(name: string): Uint8Array;
  /** The asset's bytes as stored, never unpacked (the tree pack); default {@link read}. */
  readRaw?(name: string): Uint8Array;
}

const ASSETS_KEY = Symbol.for('svcpack.assets');
type AssetsGlobal = typeof globalThis & { [ASSETS_KEY]?: AssetReader };

export function installAssetReader(reader: AssetReader): void {
  (globalThis as AssetsGlobal)[ASSETS_KEY] = reader;
}

/** Reads an asset as stored, never unpacked (the tree pack, whose files are compressed one by one); throws like {@link readAsset}. */
export function readRawAsset(name: string): Uint8Array {
  const reader = (globalThis as AssetsGlobal)[ASSETS_KEY];
  if (!reader) throw new Error(`embedded asset ${name} is not available outside the svcpack exe`);
  return reader.readRaw ? reader.readRaw(name) : reader.read(name);
}

/** Reads an embedded asset; throws if the exe has no asset reader or no such asset. */
export function readAsset(name: string): Uint8Array {
  const reader = (globalThis as AssetsGlobal)[ASSETS_KEY];
  if (!reader) throw new Error(`embedded asset ${name} is not available outside the svcpack exe`);
  return reader.read(name);
}
