/**
 * Optional dependencies: packages an app or a package loads only if they are installed, or only
 * when a feature that needs them is used — Nest's `loadPackage('class-validator', …, () =>
 * import('class-validator'))`, ws's `try { require('bufferutil') } catch {}`, pg's
 * `require('pg-native')`, mongodb's compressors and auth providers.
 *
 * When such an import cannot be resolved, the build goes on: the import becomes a module that
 * throws the error Node throws for a missing package, when (and only if) it is loaded —
 * `Cannot find module 'x'` with `code: 'MODULE_NOT_FOUND'` for `require('x')`, and a promise
 * rejected with `Cannot find package 'x'`, `code: 'ERR_MODULE_NOT_FOUND'`, for `import('x')` —
 * and the build lists the packages in one warning. An import is optional when every call of it in
 * the importing module sits in a try/catch block or a function, or is a dynamic import the top
 * level does not `await` without a `.catch` (call-sites.ts decides, from the module's source).
 * Anything else that cannot be resolved — a static `import … from 'x'`, a `require('x')` run when
 * the module loads — fails the build as before (bundle.ts's bundleError). Packages of native
 * binaries for other platforms are handled the same way but left out of the warning.
 *
 * Cost: a bare `require('x')` / `import('x')` / `require('x/sub')` of the app and its packages
 * whose package folder `node_modules/x` (and `sub` in it) exists is left to esbuild at once; the
 * others (missing packages, subpaths mapped by `exports`, tsconfig `paths`) are resolved once more
 * through `build.resolve`, to learn whether they fail. Only the few modules whose import fails are
 * read and scanned.
 */
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { esbuild } from '../esbuild';
import { PLATFORM_NAMES, packageOf, sourceLoader } from '../module-names';
import { isOptionalImport, scanCalls, type CallKind, type CallScan } from './call-sites';

/** Namespaces of the modules that stand for a missing package: loaded by require(), by import(). */
const NS_REQUIRE = 'svcpack-missing';
const NS_IMPORT = 'svcpack-missing-import';
/** Marks this plugin's own build.resolve calls. */
const INNER = 'svcpackOptionalInner';

/**
 * The kinds of import handled. `require.resolve('x')` never reaches plugins in an ES-module
 * bundle: esbuild leaves the call as written, and Node's own require.resolve throws
 * MODULE_NOT_FOUND at run time if `x` is missing.
 */
const KINDS = new Set<string>(['require-call', 'dynamic-import']);

/**
 * A package with a native binary for another platform (`@napi-rs/nice-openharmony-arm64`,
 * `@esbuild/linux-x64`, `x-wasm32-wasi`, `x-win32-ia32-msvc`), that a loader tries when it runs there: the exe
 * never loads it, so it is not worth a warning. (The native-addon plugin handles the platform
 * packages a package names in its optionalDependencies; these are the ones it leaves.)
 */
export const FOREIGN_PLATFORM_PACKAGE = new RegExp(
  `^(?:@[^/]+/)?(?:[^/]*-)?(?:(?:${PLATFORM_NAMES.replace('win32|', '')})-[^/]+|win32-(?:ia32|arm64)(?:-[^/]+)?)$`,
);


/** The optional imports the build could not resolve: package → importing file (absolute) → line of its first call. */
export class OptionalImports {
  readonly missing = new Map<string, Map<string, number | undefined>>();

  /** `name`: the missing package, or the missing subpath of an installed one (`pkg/feature`). */
  add(name: string, importer: string, line: number | undefined): void {
    const files = this.missing.get(name) ?? new Map<string, number | undefined>();
    this.missing.set(name, files);
    if (!files.has(importer)) files.set(importer, line);
  }

  /** The one warning listing them (paths relative to `projectDir`), or none. */
  warnings(projectDir: string): string[] {
    const warning = missingWarning(this.missing, projectDir);
    return warning ? [warning] : [];
  }
}

const MAX_GROUPS = 5;

/**
 * `class-transformer, class-validator (node_modules/@nestjs/common/pipes/validation.pipe.js and 1
 * more file), pg-native (node_modules/pg/lib/native/client.js:7)`: packages grouped by the file
 * that imports them first (with the line when the group is one package), at most MAX_GROUPS
 * groups, then the other packages' names.
 */
export function missingWarning(missing: ReadonlyMap<string, ReadonlyMap<string, number | undefined>>, projectDir: string): string | undefined {
  if (missing.size === 0) return undefined;
  const rel = (file: string) => path.relative(projectDir, file).split(path.sep).join('/') || file;
  const groups = new Map<string, { names: string[]; file: string; line: number | undefined; more: number }>();
  const names = [...missing.keys()].sort((a, b) => a.localeCompare(b, 'en'));
  for (const name of names) {
    const places = [...missing.get(name)!].map(([file, line]) => ({ file: rel(file), line })).sort((a, b) => a.file.localeCompare(b.file, 'en'));
    const { file, line } = places[0]!;
    const key = `${file}\0${places.length}`;
    const group = groups.get(key);
    if (group) group.names.push(name);
    else groups.set(key, { names: [name], file, line, more: places.length - 1 });
  }
  const shown = [...groups.values()].slice(0, MAX_GROUPS).map(({ names: pkgs, file, line, more }) => {
    const where = `${file}${pkgs.length === 1 && line ? `:${line}` : ''}${more > 0 ? ` and ${more} more file${more > 1 ? 's' : ''}` : ''}`;
    return `${pkgs.join(', ')} (${where})`;
  });
  const rest = [...groups.values()].slice(MAX_GROUPS).flatMap((group) => group.names);
  const list = shown.join(', ') + (rest.length > 0 ? `, and ${rest.length} more: ${rest.slice(0, 8).join(', ')}${rest.length > 8 ? ', …' : ''}` : '');
  const one = missing.size === 1;
  return (
    `${one ? 'an optional package is' : `${missing.size} optional packages are`} not installed (imported only in try blocks, functions or import()): ${list}` +
    ` — the exe throws MODULE_NOT_FOUND only if code that loads ${one ? 'it' : 'one of them'} runs; if the app needs ${one ? 'it' : 'one'}, install it (npm install ${one ? names[0] : '<package>'}) and build again`
  );
}

/** The 1-based line of the first `require('x')` / `import('x')` in `text`, if the pattern finds one. */
function lineOf(text: string, specifier: string, kind: CallKind): number | undefined {
  const lit = specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const callee = kind === 'require-call' ? 'require' : 'import';
  const m = new RegExp(String.raw`(?<![\w$.])${callee}\s*\(\s*['"\`]${lit}['"\`]`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

/** The module that throws Node's error for a missing package (`why`: the parenthesis at the end). */
function missingModule(specifier: string, kind: 'require' | 'import', why: string): string {
  const [message, code] =
    kind === 'require'
      ? [`Cannot find module '${specifier}' (${why})`, 'MODULE_NOT_FOUND']
      : [`Cannot find package '${packageOf(specifier)}' (${why})`, 'ERR_MODULE_NOT_FOUND'];
  return `throw Object.assign(new Error(${JSON.stringify(message)}), { code: ${JSON.stringify(code)} });\n`;
}

/** Bytes of JavaScript above which an importer is scanned without esbuild's transform first. */
const MAX_TRANSFORMED_JS = 1_000_000;

export function optionalImportsPlugin(found: OptionalImports): Esbuild.Plugin {
  /** Each importer's source, its JavaScript (esbuild's transform) and the scan of its calls, made once. */
  const sources = new Map<string, Promise<{ text: string; code: string; scan: CallScan } | null>>();
  const read = (file: string) => {
    let hit = sources.get(file);
    if (!hit) {
      hit = (async () => {
        const text = await fs.promises.readFile(file, 'utf8').catch(() => null);
        if (text === null) return null;
        const loader = sourceLoader(file);
        // Types stripped, one statement per `;`: what the scanner reads best. Parameter
        // decorators (Nest) need experimentalDecorators to transform at all. A file esbuild
        // cannot transform alone (JSX in .js, say) is scanned as written, and so is a big
        // JavaScript file (a package's single-file build), which costs less that way.
        if (!loader || (loader === 'js' && text.length > MAX_TRANSFORMED_JS)) return { text, code: text, scan: scanCalls(text) };
        const tsconfigRaw = loader === 'ts' || loader === 'tsx' ? { compilerOptions: { experimentalDecorators: true } } : undefined;
        const code = await esbuild
          .transform(text, { loader, target: 'esnext', legalComments: 'none', sourcefile: file, logLevel: 'silent', tsconfigRaw })
          .then((r) => r.code)
          .catch(() => text);
        return { text, code, scan: scanCalls(code) };
      })();
      sources.set(file, hit);
    }
    return hit;
  };

  /** The folder `node_modules/<pkg>` in `dir` or the nearest folder above it that has one, by folder and package. */
  const installed = new Map<string, string | null>();
  const packageDir = (dir: string, pkg: string): string | null => {
    const key = `${dir}\0${pkg}`;
    let hit = installed.get(key);
    if (hit === undefined) {
      const candidate = path.join(dir, 'node_modules', pkg);
      const parent = path.dirname(dir);
      hit = fs.existsSync(candidate) ? candidate : parent !== dir ? packageDir(parent, pkg) : null;
      installed.set(key, hit);
    }
    return hit;
  };
  /**
   * Whether esbuild will resolve `specifier` as it is, judged from the disk alone: its package is
   * installed and, for a subpath (`es-errors/type`), a file or folder of that name is there.
   * False means "ask esbuild" (a missing package, a path mapped by `exports`, tsconfig `paths`).
   */
  const surelyThere = (dir: string, specifier: string, pkg: string): boolean => {
    const root = packageDir(dir, pkg);
    if (!root || specifier === pkg) return root !== null;
    const sub = path.join(root, specifier.slice(pkg.length + 1));
    return [sub, `${sub}.js`, `${sub}.json`, `${sub}.cjs`, `${sub}.mjs`].some((f) => fs.existsSync(f));
  };

  return {
    name: 'svcpack-optional-imports',
    setup(build) {
      // Bare specifiers only (not ./x, /x, #x). Runs after the other plugins' onResolve (shim,
      // worker alias, native addons), so what they handle never gets here.
      build.onResolve({ filter: /^[^./#]/ }, async (args) => {
        if (args.pluginData?.[INNER] || !KINDS.has(args.kind) || args.namespace !== 'file' || !args.importer) return undefined;
        if (args.path.startsWith('node:') || isBuiltin(args.path) || path.isAbsolute(args.path)) return undefined;
        // The common case, without a round trip to esbuild (≈ 10 ms each while it is busy).
        const pkg = packageOf(args.path);
        if (surelyThere(args.resolveDir, args.path, pkg)) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          with: args.with,
          pluginData: { [INNER]: true },
        });
        if (resolved.errors.length === 0) return undefined; // esbuild resolves it again, as usual
        const kind: CallKind = args.kind === 'dynamic-import' ? 'dynamic-import' : 'require-call';
        const source = await read(args.importer).catch(() => null);
        if (!source || !isOptionalImport(source.code, args.path, kind, source.scan)) return undefined; // fails as before
        const foreign = FOREIGN_PLATFORM_PACKAGE.test(pkg);
        // A missing package is named as such; a subpath missing from an installed package, in full.
        if (!foreign) found.add(pkg === args.path || !packageDir(args.resolveDir, pkg) ? pkg : args.path, args.importer, lineOf(source.text, args.path, kind));
        const why = foreign ? 'for another platform; this exe is built for win32-x64' : 'not installed when this exe was built';
        return { path: args.path, namespace: kind === 'dynamic-import' ? NS_IMPORT : NS_REQUIRE, pluginData: why };
      });
      build.onLoad({ filter: /.*/, namespace: NS_REQUIRE }, (args) => ({ contents: missingModule(args.path, 'require', String(args.pluginData)), loader: 'js' }));
      build.onLoad({ filter: /.*/, namespace: NS_IMPORT }, (args) => ({ contents: missingModule(args.path, 'import', String(args.pluginData)), loader: 'js' }));
    },
  };
}
