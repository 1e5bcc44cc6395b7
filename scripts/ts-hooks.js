// Module hooks that let Node run this repository's TypeScript directly (used by `npm run bench`):
// extensionless relative imports resolve to `.ts` files, and `.ts` files are compiled with
// esbuild's transform as they load. Files keep their real paths, so `import.meta.url` is right.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent?.startsWith('file:') && parent.endsWith('.ts') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    for (const suffix of ['', '.ts', '/index.ts']) {
      const url = new URL(specifier + suffix, parent);
      if (url.pathname.endsWith('.ts') && existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
