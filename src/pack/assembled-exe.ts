/**
 * The direct packer's Windows exe as a cached base (base-cache.ts) and the SEA blob: put together
 * only in the output file. The base's ≈ 100 MB are copied by the kernel (`copy_file_range`, or a
 * reflink where the filesystem shares blocks), the blob and the .reloc section are written after
 * them and the fields the blob's length changes are patched (pe/pe-base.ts): the exe is never
 * whole in memory. Its SHA-256 is remembered per base and blob, so an unchanged rebuild does not
 * read it back.
 */
import { constants, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { assembly, assemblePe, le32, type Assembly } from '../pe/pe-base';
import { onesSum } from '../pe/checksum';
import type { CachedBase } from './base-cache';
import type { Executable } from './executable';

export class AssembledExecutable implements Executable {
  private readonly plan: Assembly;
  private tail: Promise<Buffer> | undefined;
  private payloadSha: string | undefined;

  constructor(
    private readonly base: CachedBase,
    private readonly payload: Buffer,
  ) {
    this.plan = assembly(base.layout, payload.byteLength, onesSum(payload, base.layout.payloadOffset));
  }

  get byteLength(): number {
    return this.plan.length;
  }

  async writeTo(file: string, mode: number): Promise<void> {
    const { layout } = this.base;
    await fs.copyFile(this.base.file, file, constants.COPYFILE_FICLONE);
    const fh = await fs.open(file, 'r+');
    try {
      await fh.write(this.payload, 0, this.payload.byteLength, layout.payloadOffset);
      const after = await this.afterPayload();
      await fh.write(after, 0, after.byteLength, layout.payloadOffset + this.payload.byteLength);
      for (const { offset, value } of this.plan.patches) await fh.write(le32(value), 0, 4, offset);
      await fh.truncate(this.plan.length);
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
  }

  async sha256(): Promise<string> {
    this.payloadSha ??= createHash('sha256').update(this.payload).digest('hex');
    const known = this.base.outputSha256(this.payloadSha);
    if (known) return known;
    const hash = createHash('sha256');
    // The base up to the blob, with the patched fields in it, read while writeTo() copies it.
    const { payloadOffset } = this.base.layout;
    let at = 0;
    for await (const chunk of createReadStream(this.base.file, { start: 0, end: payloadOffset - 1, highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
      for (const { offset, value } of this.plan.patches) {
        if (offset >= at && offset + 4 <= at + chunk.byteLength) chunk.writeUInt32LE(value, offset - at);
        else if (offset < at + chunk.byteLength && offset + 4 > at) return this.hashInMemory(); // a field across two chunks: never with 4 MiB chunks and aligned fields
      }
      hash.update(chunk);
      at += chunk.byteLength;
    }
    hash.update(this.payload);
    hash.update(await this.afterPayload());
    const sha256 = hash.digest('hex');
    await this.base.rememberOutput(this.payloadSha, sha256);
    return sha256;
  }

  async bytes(): Promise<Buffer> {
    return assemblePe(await fs.readFile(this.base.file), this.base.layout, this.payload);
  }

  private async hashInMemory(): Promise<string> {
    return createHash('sha256').update(await this.bytes()).digest('hex');
  }

  /** The bytes after the blob: zeros to the end of the resource section, then the base's tail. */
  private afterPayload(): Promise<Buffer> {
    this.tail ??= (async () => {
      const { layout } = this.base;
      const out = Buffer.alloc(this.plan.length - (layout.payloadOffset + this.payload.byteLength));
      const fh = await fs.open(this.base.file, 'r');
      try {
        const start = out.byteLength - layout.tailLength;
        for (let done = 0; done < layout.tailLength; ) {
          const { bytesRead } = await fh.read(out, start + done, layout.tailLength - done, layout.tailOffset + done);
          if (bytesRead === 0) throw new Error(`${this.base.file} is shorter than its layout says`);
          done += bytesRead;
        }
      } finally {
        await fh.close();
      }
      return out;
    })();
    return this.tail;
  }
}
