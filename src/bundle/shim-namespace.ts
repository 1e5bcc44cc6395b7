/**
 * The runtime shim as its own esbuild namespace, so the bundle does not depend on where svcpack
 * is installed. esbuild names every module by its path relative to the project (a `// path`
 * comment before each module and the source map's `sources`); for the shim that path would be
 * `../../usr/lib/node_modules/svcpack/runtime-shim/boot.ts` on one machine and
 * `node_modules/svcpack/runtime-shim/boot.ts` on another. In the `svcpack` namespace every shim
 * module is named `svcpack:runtime-shim/<file>` wherever svcpack lives: part of what makes builds
 * reproducible.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';

const SHIM_NAMESPACE = 'svcpack';

/** How the generated entry and the app import a shim module: `svcpack:runtime-shim/boot.ts`. */
export const shimSpecifier = (file: string): string => `${SHIM_NAMESPACE}:runtime-shim/${file}`;

const TS_EXTENSIONS = ['.ts', '/index.ts'];

/**
 * Resolves `svcpack:` specifiers, `svcpack/runtime` (the app's import of the runtime API: the same
 * module instance the shim uses) and the shim's own relative imports into the namespace; node:
 * built-ins stay external. The shim imports nothing else (checked: anything else is an error).
 */
export function shimNamespacePlugin(shimDir: string): Esbuild.Plugin {
  const packageDir = path.dirname(shimDir);
  const files = shimFiles(shimDir);
  const inNamespace = (absolute: string) => ({ path: path.relative(packageDir, absolute).split(path.sep).join('/'), namespace: SHIM_NAMESPACE });
  // Synchronous callbacks over the shim's file list and contents read once per process: esbuild
  // calls them for each of the shim's ≈ 500 imports and 150 files, and promise-based stat and read
  // calls made that 0.15 s of a 0.2 s bundle (measured).
  return {
    name: 'svcpack-shim-namespace',
    setup(build) {
      build.onResolve({ filter: /^svcpack:/ }, (args) => inNamespace(path.join(packageDir, args.path.slice(SHIM_NAMESPACE.length + 1))));
      build.onResolve({ filter: /^svcpack\/runtime$/ }, () => inNamespace(path.join(shimDir, 'api.ts')));
      build.onResolve({ filter: /.*/, namespace: SHIM_NAMESPACE }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (!args.path.startsWith('.')) {
          return { errors: [{ text: `the runtime shim imports "${args.path}"; it may only import node: built-ins and its own files` }] };
        }
        const base = path.resolve(args.resolveDir, args.path);
        for (const candidate of [base, ...TS_EXTENSIONS.map((ext) => base + ext)]) {
          if (files.has(candidate)) return inNamespace(candidate);
        }
        return { errors: [{ text: `cannot resolve "${args.path}" in the runtime shim` }] };
      });
      build.onLoad({ filter: /.*/, namespace: SHIM_NAMESPACE }, (args) => {
        const file = path.join(packageDir, args.path);
        return { contents: shimSource(files, file), loader: 'ts', resolveDir: path.dirname(file) };
      });
    },
  };
}

/** The shim's files (absolute paths) by folder, listed once per process: svcpack's own files do not change while it runs. */
const listed = new Map<string, Map<string, Uint8Array | null>>();

function shimFiles(shimDir: string): Map<string, Uint8Array | null> {
  let files = listed.get(shimDir);
  if (!files) {
    files = new Map();
    for (const entry of fs.readdirSync(shimDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.set(path.join(entry.parentPath, entry.name), null);
    }
    listed.set(shimDir, files);
  }
  return files;
}

/** A shim file's contents, read on first use and kept (`files` from {@link shimFiles}). */
function shimSource(files: Map<string, Uint8Array | null>, file: string): Uint8Array {
  let contents = files.get(file);
  if (!contents) {
    contents = fs.readFileSync(file);
    files.set(file, contents);
  }
  return contents;
}
