/** Locations inside the installed svcpack package (works from `src/` under vitest and from `lib/`). */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'svcpack') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('svcpack package root not found');
    dir = parent;
  }
}

export const packageRoot: string = findRoot();
export const shimDir: string = path.join(packageRoot, 'runtime-shim');
export const svcpackVersion: string = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;

let codeStamp: string | undefined;

/** Every file of svcpack's toolchain (lib/ or src/) and runtime shim, by path, size and mtime: a changed svcpack is another key. */
export function svcpackCodeStamp(): string {
  if (codeStamp) return codeStamp;
  const hash = createHash('sha256');
  const toolchain = path.dirname(fileURLToPath(import.meta.url));
  const roots = [shimDir, path.basename(toolchain) === 'lib' ? toolchain : path.join(packageRoot, 'src')];
  for (const root of roots) {
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const st = fs.statSync(file, { bigint: true });
      hash.update(`${file}\0${st.size}\0${st.mtimeNs}\n`);
    }
  }
  codeStamp = hash.digest('hex');
  return codeStamp;
}

