/** Locations inside the installed svcpack package (works from `src/` under vitest and from `lib/`). */
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
