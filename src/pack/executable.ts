/**
 * A built executable, before it is written: its bytes in memory (the Linux ELF, the pkg packer's
 * exe), or a cached base and a payload that are only put together in the output file
 * (assembled-exe.ts, the direct packer's Windows exe). The emit step writes and hashes it without
 * knowing which.
 */
import fs from 'node:fs/promises';
import { webcrypto } from 'node:crypto';

export interface Executable {
  readonly byteLength: number;
  /** Writes the executable to `file` (created or replaced, with `mode`). */
  writeTo(file: string, mode: number): Promise<void>;
  /** Lower-case hex SHA-256 of the executable's bytes. */
  sha256(): Promise<string>;
  /** The bytes, in memory (signing reads them; the others never need them). */
  bytes(): Promise<Buffer>;
}

/** An executable whose bytes are in memory. */
export class InMemoryExecutable implements Executable {
  constructor(private readonly data: Buffer) {}

  get byteLength(): number {
    return this.data.byteLength;
  }

  async writeTo(file: string, mode: number): Promise<void> {
    await fs.writeFile(file, this.data, { mode });
  }

  async sha256(): Promise<string> {
    // WebCrypto hashes on libuv's thread pool: the main thread stays free.
    return Buffer.from(await webcrypto.subtle.digest('SHA-256', this.data)).toString('hex');
  }

  async bytes(): Promise<Buffer> {
    return this.data;
  }
}
