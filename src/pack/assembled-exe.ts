/**
 * The direct packer's Windows exe as a cached base (base-cache.ts) and the SEA blob: put together
 * only in the output file. The base's ≈ 100 MB are copied by the kernel (`copy_file_range`, or a
 * reflink where the filesystem shares blocks), the blob and the .reloc section are written after
 * them and the fields the blob's length changes are patched (pe/pe-base.ts): the exe is never
 * whole in memory. Its SHA-256 is remembered per base and blob, so an unchanged rebuild does not
 * read it back.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
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

  /**
   * The exe's SHA-256: remembered per base and blob, else computed from the base and the blob
   * (≈ 70 ms for 100 MB), on this thread with synchronous reads while writeTo() has the kernel
   * copy the base. Awaited reads through libuv were slower (≈ 85 ms alone, 110-130 ms beside the
   * copy, measured), and another thread would need the hash's state back.
   */
  async sha256(): Promise<string> {
    this.payloadSha ??= createHash('sha256').update(this.payload).digest('hex');
    const known = this.base.outputSha256(this.payloadSha);
    if (known) return known;
    // A writeTo() called after this in the same tick starts its copy before the hashing holds the thread.
    await new Promise((resolve) => setImmediate(resolve));
    const hash = createHash('sha256');
    // The base up to the blob, with the patched fields in it.
    const { payloadOffset } = this.base.layout;
    const fd = openSync(this.base.file, 'r');
    try {
      const chunk = Buffer.allocUnsafe(1 << 22);
      for (let at = 0; at < payloadOffset; ) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.byteLength, payloadOffset - at), at);
        if (n === 0) throw new Error(`${this.base.file} is shorter than its layout says`);
        const part = chunk.subarray(0, n);
        for (const { offset, value } of this.plan.patches) {
          if (offset >= at && offset + 4 <= at + n) part.writeUInt32LE(value, offset - at);
          else if (offset < at + n && offset + 4 > at) return this.hashInMemory(); // a field across two reads
        }
        hash.update(part);
        at += n;
      }
    } finally {
      closeSync(fd);
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
