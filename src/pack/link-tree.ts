/**
 * Mirrors a folder tree with hard links (a copy where linking fails, e.g. across devices), for the
 * pkg packer's staging folder: linking is cheap (no file data is copied) and leaves the sources
 * untouched. Symbolic links are recreated pointing at their resolved absolute target.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** Entries skipped at every level: npm's bin shims and tool caches, never part of an app. */
const SKIPPED = new Set(['.bin', '.cache', '.package-lock.json']);

/** Mirrors `src` into `dest` (which must not exist). Returns the number of files linked or copied. */
export async function linkTree(src: string, dest: string): Promise<number> {
  await fs.mkdir(dest);
  let files = 0;
  const entries = await fs.readdir(src, { withFileTypes: true });
  await Promise.all(
    entries
      .filter((e) => !SKIPPED.has(e.name))
      .map(async (e) => {
        const from = path.join(src, e.name);
        const to = path.join(dest, e.name);
        if (e.isDirectory()) files += await linkTree(from, to);
        else if (e.isSymbolicLink()) await fs.symlink(path.resolve(src, await fs.readlink(from)), to);
        else if (e.isFile()) {
          await fs.link(from, to).catch(() => fs.copyFile(from, to));
          files += 1;
        }
      }),
  );
  return files;
}
