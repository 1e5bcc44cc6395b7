/**
 * Writes a file so readers see the old contents or the new, never a part: the data goes to a
 * temporary file next to it, which is then renamed over it. On failure the temporary file is
 * removed and the error rethrown; the target is untouched.
 */
import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';

/** `mode` (e.g. 0o755) is applied exactly, whatever the umask; default the umask's. */
export async function atomicWrite(file: string, data: Uint8Array | string, mode?: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, mode === undefined ? undefined : { mode });
    if (mode !== undefined) await chmod(tmp, mode); // writeFile's mode is subject to the umask
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
