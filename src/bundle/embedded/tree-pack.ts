/**
 * Builds the tree pack (runtime-shim/embedded/manifest.ts `TREE_PACK_ASSET`): the dependency
 * tree's files one after the other, each distinct content once, Brotli-compressed one by one
 * with `--compress` so that the exe unpacks only the file it reads.
 */
import { brotli } from '../../pack/brotli';

export class TreePack {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly byHash = new Map<string, [number, number]>();

  constructor(private readonly compress: boolean) {}

  /** Adds a file by its content's SHA-256 (once per content); returns where its stored bytes are. */
  add(data: Uint8Array, sha256: string): [number, number] {
    const known = this.byHash.get(sha256);
    if (known) return known;
    const stored = this.compress ? brotli(data) : data;
    const at: [number, number] = [this.length, stored.byteLength];
    this.chunks.push(stored);
    this.length += stored.byteLength;
    this.byHash.set(sha256, at);
    return at;
  }

  get empty(): boolean {
    return this.chunks.length === 0;
  }

  /** The pack's bytes. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}
