/**
 * Gives every bundled module its own location inside the exe, as if the project's files sat in a
 * folder named like the exe (runtime-shim/embedded/manifest.ts): `__filename`, `__dirname`,
 * `import.meta.url`, `import.meta.filename` and `import.meta.dirname` of `src/jobs/hash.ts` are
 * `C:\svc\MySvc.exe\src\jobs\hash.ts` and its folder, instead of all naming the exe. Paths code
 * computes from them then reach the modules and files the build embedded there. Resolution
 * follows: `require.resolve` of a module is `createRequire(<its path>).resolve` (a relative
 * request is found beside the module, `paths` honoured), and `import.meta.resolve` resolves from
 * the module's URL over the embedded tree (runtime-shim/embedded/resolve-apis.ts).
 *
 * How: esbuild `define` turns the seven expressions into identifiers (`__svcpack_dirname`, …),
 * and this plugin's onLoad declares them on the first line of each module that mentions them
 * (`var __svcpack_dirname = __svcpackDir("src/jobs/hash.ts");`); esbuild binds each use to its
 * own module's declaration and renames them apart. A module that declares `__dirname` itself
 * (the ESM idiom `const __dirname = dirname(fileURLToPath(import.meta.url))`) keeps its own.
 * Nothing is added on other lines, so source maps stay exact but for line 1's columns.
 *
 * The same pass scans each module for files it reaches by such paths (references.ts) and records
 * them in a {@link RunTimeFiles}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import type { SourceTransform } from '../decorators/metadata';
import { sourceLoader } from '../module-names';
import { findFileReferences } from './references';
import { LOOKUP } from '../in-order-requires';
import type { RunTimeFiles } from './run-time-files';

/** The expressions replaced, and the identifier each becomes (esbuild `define`). */
export const LOCATION_DEFINES: Record<string, string> = {
  __filename: '__svcpack_filename',
  __dirname: '__svcpack_dirname',
  'import.meta.url': '__svcpack_meta_url',
  'import.meta.filename': '__svcpack_meta_filename',
  'import.meta.dirname': '__svcpack_meta_dirname',
  'import.meta.resolve': '__svcpack_meta_resolve',
  'require.resolve': '__svcpack_require_resolve',
};

/** The helper each declaration calls, by identifier; the banner (banner.ts) defines the helpers. */
const DECLARATIONS: ReadonlyArray<{ mention: string; id: string; helper: string }> = [
  { mention: '__filename', id: '__svcpack_filename', helper: '__svcpackFile' },
  { mention: '__dirname', id: '__svcpack_dirname', helper: '__svcpackDir' },
  { mention: 'import.meta', id: '__svcpack_meta_url', helper: '__svcpackUrl' },
  { mention: 'import.meta', id: '__svcpack_meta_filename', helper: '__svcpackFile' },
  { mention: 'import.meta', id: '__svcpack_meta_dirname', helper: '__svcpackDir' },
  { mention: 'import.meta.resolve', id: '__svcpack_meta_resolve', helper: '__svcpackMetaResolve' },
  { mention: 'require.resolve', id: '__svcpack_require_resolve', helper: '__svcpackRequireResolve' },
];

/**
 * The banner's lines (bundle.ts) that define the resolution helpers, after `__svcpackFile`,
 * `__svcpackUrl` and `__svcpackCreateRequire`: `__svcpackMetaResolve(rel)` is the module's
 * `import.meta.resolve` (the run time's, installed on `globalThis` by
 * runtime-shim/embedded/resolve-apis.ts; URL rules alone before it is there), and
 * `__svcpackRequireResolve(rel)` its `require.resolve` (with `.paths`), from a require made at
 * the module's own path on first use.
 */
export const RESOLVE_HELPERS: readonly string[] = [
  "const __svcpackMetaResolve = (rel) => (specifier) => { const api = globalThis[Symbol.for('svcpack.resolve')]; return api ? api.metaResolve(rel, `${specifier}`) : new URL(specifier, __svcpackUrl(rel)).href; };",
  'const __svcpackRequireResolve = (rel) => { let req; const get = () => (req ??= __svcpackCreateRequire(__svcpackFile(rel))); const resolve = (request, options) => get().resolve(request, options); resolve.paths = (request) => get().resolve.paths(request); return resolve; };',
];

/**
 * A module's place in the virtual tree: its path relative to the project, POSIX. A file outside
 * the project (a hoisted node_modules of a monorepo, a fetched platform package) keeps its
 * relative path with each leading `..` spelled `_up_`, so it stays inside the tree and the same
 * on every build machine.
 */
export function treePath(projectDir: string, file: string): string {
  const parts = path.relative(projectDir, file).split(path.sep);
  let i = 0;
  while (parts[i] === '..') parts[i++] = '_up_';
  return parts.join('/');
}

/** The declarations line 1 of a module gets, for what its source mentions ('' for none). */
export function locationPrefix(source: string, rel: string): string {
  const wanted = DECLARATIONS.filter((d) => source.includes(d.mention));
  if (wanted.length === 0) return '';
  const lit = JSON.stringify(rel);
  return `var ${wanted.map((d) => `${d.id} = /* @__PURE__ */ ${d.helper}(${lit})`).join(', ')};`;
}

/** Puts `prefix` at the very start of `source`, or after a `#!` line, which must stay first. */
function withPrefix(source: string, prefix: string): string {
  if (!prefix) return source;
  if (!source.startsWith('#!')) return prefix + source;
  const eol = source.indexOf('\n');
  return eol < 0 ? `${source}\n${prefix}` : `${source.slice(0, eol + 1)}${prefix}${source.slice(eol + 1)}`;
}

/**
 * `declare`: give modules their locations (direct packer); false only scans them (pkg packer,
 * whose modules see pkg's own paths), so the build can warn about what pkg cannot start.
 * `addedBytes` receives, per module path, how many bytes the declarations added (so the build
 * record can report the files' own sizes). `transform` rewrites a module's source first (decorator
 * metadata, decorators/metadata.ts): esbuild takes the first onLoad that returns contents, so it
 * runs inside this one.
 */
export function locationsPlugin(
  projectDir: string,
  found: RunTimeFiles,
  opts: { declare: boolean; addedBytes: Map<string, number>; transform?: SourceTransform },
): Esbuild.Plugin {
  return {
    name: 'svcpack-locations',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.namespace !== 'file') return undefined;
        const loader = sourceLoader(args.path);
        if (!loader) return undefined;
        // Read synchronously: esbuild asks for every module of the app and its packages, and an awaited
        // read per module through libuv's thread pool was most of a 1,500-module bundle's wait (measured).
        const source = readFileSync(args.path, 'utf8');
        const refs = findFileReferences(source);
        if (refs.length > 0) {
          await found.add(args.path, refs, async (specifier, fromDir) => {
            const r = await build.resolve(specifier, { resolveDir: fromDir, kind: 'require-call', pluginData: LOOKUP });
            return r.errors.length > 0 || r.external || r.namespace !== 'file' ? null : r.path;
          });
        }
        // Decorator metadata: a decorated file is compiled by swc first (its output is what gets prefixed).
        const transformed = await opts.transform?.(args.path, source);
        const code = transformed?.contents ?? source;
        const prefix = opts.declare ? locationPrefix(code, treePath(projectDir, args.path)) : '';
        const contents = withPrefix(code, prefix);
        const added = Buffer.byteLength(contents) - Buffer.byteLength(source);
        if (added !== 0) opts.addedBytes.set(args.path, added);
        return { contents, loader: transformed?.loader ?? loader };
      });
    },
  };
}
