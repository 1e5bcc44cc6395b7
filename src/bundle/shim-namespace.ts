/**
 * The runtime shim as its own esbuild namespace, so the bundle does not depend on where svcpack
 * is installed. esbuild names every module by its path relative to the project (a `// path`
 * comment before each module and the source map's `sources`); for the shim that path would be
 * `../../usr/lib/node_modules/svcpack/runtime-shim/boot.ts` on one machine and
 * `node_modules/svcpack/runtime-shim/boot.ts` on another. In the `svcpack` namespace every shim
 * module is named `svcpack:runtime-shim/<file>` wherever svcpack lives: part of what makes builds
 * reproducible.
 */
import fs from 'node:fs/promises';
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
  const inNamespace = (absolute: string) => ({ path: path.relative(packageDir, absolute).split(path.sep).join('/'), namespace: SHIM_NAMESPACE });
  return {
    name: 'svcpack-shim-namespace',
    setup(build) {
      build.onResolve({ filter: /^svcpack:/ }, (args) => inNamespace(path.join(packageDir, args.path.slice(SHIM_NAMESPACE.length + 1))));
      build.onResolve({ filter: /^svcpack\/runtime$/ }, () => inNamespace(path.join(shimDir, 'api.ts')));
      build.onResolve({ filter: /.*/, namespace: SHIM_NAMESPACE }, async (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        if (!args.path.startsWith('.')) {
          return { errors: [{ text: `the runtime shim imports "${args.path}"; it may only import node: built-ins and its own files` }] };
        }
        const base = path.resolve(args.resolveDir, args.path);
        for (const candidate of [base, ...TS_EXTENSIONS.map((ext) => base + ext)]) {
          if ((await fs.stat(candidate).catch(() => null))?.isFile()) return inNamespace(candidate);
        }
        return { errors: [{ text: `cannot resolve "${args.path}" in the runtime shim` }] };
      });
      build.onLoad({ filter: /.*/, namespace: SHIM_NAMESPACE }, async (args) => {
        const file = path.join(packageDir, args.path);
        return { contents: await fs.readFile(file), loader: 'ts', resolveDir: path.dirname(file) };
      });
    },
  };
}
