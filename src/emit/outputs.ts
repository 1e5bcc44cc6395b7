/**
 * Writes build outputs atomically: everything goes to a staging folder inside the output folder,
 * then each file is renamed into place. A failed build leaves the output folder as it was (and
 * removes it if the build created it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { failure } from '../errors';

export class OutputStage {
  private constructor(
    readonly outDir: string,
    readonly dir: string,
    private readonly createdOutDir: boolean,
  ) {}

  static async open(outDir: string): Promise<OutputStage> {
    let created = false;
    try {
      await fs.access(outDir);
    } catch {
      created = true;
    }
    try {
      await fs.mkdir(outDir, { recursive: true });
      const dir = path.join(outDir, `.svcpack-staging-${randomBytes(4).toString('hex')}`);
      await fs.mkdir(dir);
      return new OutputStage(outDir, dir, created);
    } catch (err) {
      throw failure('OUTPUT_FAILED', `cannot write to ${outDir}: ${(err as Error).message}`, 'choose a writable --out-dir', err);
    }
  }

  async write(file: string, data: string | Uint8Array, mode?: number): Promise<string> {
    const staged = path.join(this.dir, file);
    await fs.writeFile(staged, data, mode === undefined ? undefined : { mode });
    return staged;
  }

  /** Moves every staged file into the output folder; returns their final paths. */
  async commit(files: string[]): Promise<string[]> {
    try {
      const finals: string[] = [];
      for (const file of files) {
        const target = path.join(this.outDir, file);
        await fs.rename(path.join(this.dir, file), target);
        finals.push(target);
      }
      await fs.rm(this.dir, { recursive: true, force: true });
      return finals;
    } catch (err) {
      throw failure('OUTPUT_FAILED', `cannot move outputs into ${this.outDir}: ${(err as Error).message}`, 'close programs using the old exe (a running service?) and build again', err);
    }
  }

  /** Removes the staging folder (and the output folder if this build created it and it is empty). */
  async abandon(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
    if (this.createdOutDir) await fs.rmdir(this.outDir).catch(() => {});
  }
}
