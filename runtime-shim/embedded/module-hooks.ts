/**
 * Serves the embedded modules (manifest.ts `modules`) to `import()`, `require()` and worker and
 * fork entries through a synchronous module hook (`module.registerHooks`, Node ≥ 22.15), at their
 * virtual URLs. Hooks are per thread: the main thread, every worker thread (loaders/thread.ts) and
 * every forked process install their own.
 */
import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedRelative } from './embedded-fs';
import { CHUNK_PREFIX, virtualUrl, type EmbedManifest } from './manifest';

/** The tree-relative path of a `file:` URL inside `exePath`, else null. Accepts `file://C:\x` as pino writes it. */
export function relativeOfUrl(url: string, exePath: string): string | null {
  if (!url.startsWith('file:')) return null;
  try {
    return embeddedRelative(exePath, fileURLToPath(new URL(url)), path);
  } catch {
    return null;
  }
}

/**
 * Which embedded module a specifier names, as a tree path: a virtual `file:` URL or absolute
 * path, or a relative specifier from an embedded module (a shared chunk is found by its file
 * name, wherever the importing module sits). Null: not an embedded module.
 */
export function embeddedModuleOf(specifier: string, parentURL: string | undefined, manifest: EmbedManifest, exePath: string): string | null {
  let rel: string | null = null;
  if (specifier.startsWith('file:')) rel = relativeOfUrl(specifier, exePath);
  else if (path.isAbsolute(specifier)) rel = embeddedRelative(exePath, specifier, path);
  else if ((specifier.startsWith('./') || specifier.startsWith('../')) && parentURL && relativeOfUrl(parentURL, exePath) !== null) {
    const base = path.posix.basename(specifier);
    if (base.startsWith(CHUNK_PREFIX)) return manifest.modules[base] ? base : null;
    rel = relativeOfUrl(new URL(specifier, parentURL).href, exePath);
  }
  return rel !== null && manifest.modules[rel] !== undefined ? rel : null;
}

/** Installs the hooks for this thread. `readModule` returns an embedded module's source by asset name. */
export function installModuleHooks(manifest: EmbedManifest, readModule: (asset: string) => string, exePath = process.execPath): void {
  registerHooks({
    resolve(specifier, context, next) {
      const rel = embeddedModuleOf(specifier, context.parentURL, manifest, exePath);
      return rel === null ? next(specifier, context) : { url: virtualUrl(rel, exePath), format: 'module', shortCircuit: true };
    },
    load(url, context, next) {
      const rel = relativeOfUrl(url, exePath);
      const asset = rel === null ? undefined : manifest.modules[rel];
      return asset === undefined ? next(url, context) : { format: 'module', source: readModule(asset), shortCircuit: true };
    },
  });
}
