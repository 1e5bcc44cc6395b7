/**
 * With packages loaded from the dependency tree (`--packages node`): loads Node's built-in modules
 * and the app's packages where and when the app's code imports them, through Node's own
 * `require`, so module load hooks (`Module.prototype.require`/`Module._load` wrappers such as
 * require-in-the-middle, `module.registerHooks`) see each load in the app's order, as under
 * `node app.js` (docs/architecture.md, "Module load hooks").
 *
 * esbuild writes an ES module bundle: an `import` of an external module would become a static
 * `import` at the top of the bundle, evaluated before any of the app's code — an agent the app
 * starts first (OpenTelemetry's SDK) would find `http` already loaded and never see it. So each
 * `import` (and `import()`) of such a module becomes, per importing module, a tiny CommonJS module
 * `module.exports = require("http")` that esbuild evaluates at the importer's place; a `require()`
 * of one stays a `require()` at its call site. The bundle's `require` is Node's
 * (`createRequire`, bundle.ts), so every call passes through the hooks.
 *
 * The shim's own imports (namespace `svcpack`) keep static imports: like Node's internals, the
 * runtime's modules are not the app's loads. Bundles without packages from the tree keep
 * esbuild's static imports of built-ins: with these requires, a service under Wine's SCM that
 * listens on a socket lost the source-mapped positions of its stack traces (a cause not yet
 * found; docs/compatibility.md, Known limits).
 */
import fs from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { packageOf } from './module-names';
import { treePath } from './embedded/locations';

const NAMESPACE = 'svcpack-require';
/** The CommonJS module inside an ES module package's stand-in, which does the `require`. */
const INNER = 'svcpack-require-esm';

export interface InOrderRequireOptions {
  projectDir: string;
  /**
   * Packages mode `node` (bundle.ts `BundleInput.packagesFromTree`): whether a package, by name,
   * is loaded from the embedded tree at run time instead of being bundled. Asked for each bare
   * specifier of the app; may wait for the tree to be resolved. Absent: packages are bundled.
   */
  fromTree?: (packageName: string) => Promise<boolean>;
}

/**
 * The `pluginData` of a `build.resolve` that looks for a file rather than importing it (the
 * locations plugin finding a worker-transport package, this plugin asking what `require` would
 * load): this plugin leaves it to esbuild, which answers with the file.
 */
export const LOOKUP = Object.freeze({ svcpackLookup: true });

/** Whether a resolve is a lookup ({@link LOOKUP}) or the addon plugin's own inner resolve. */
function isLookup(pluginData: unknown): boolean {
  const data = pluginData as { svcpackLookup?: boolean; svcpackInner?: boolean } | undefined;
  return data?.svcpackLookup === true || data?.svcpackInner === true;
}

/** A bare specifier that names a package (not relative, absolute, a `#` import or a URL). */
function isPackageSpecifier(spec: string): boolean {
  return !/^(?:[./#]|[a-zA-Z]:|[a-z][a-z0-9+.-]*:)/.test(spec);
}

/**
 * Whether Node loads `file` as an ES module: by extension, and for `.js` the nearest package.json's
 * `type`. `types` caches package.json answers by folder.
 */
async function isEsModuleFile(file: string, types: Map<string, Promise<boolean>>): Promise<boolean> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext !== '.js') return false;
  const typeOf = (dir: string): Promise<boolean> => {
    let known = types.get(dir);
    if (!known) {
      known = fs.readFile(path.join(dir, 'package.json'), 'utf8').then(
        (text) => (JSON.parse(text) as { type?: unknown }).type === 'module',
        () => (path.dirname(dir) === dir ? false : typeOf(path.dirname(dir))),
      );
      types.set(dir, known);
    }
    return known;
  };
  return typeOf(path.dirname(file));
}

export function inOrderRequiresPlugin(opts: InOrderRequireOptions): Esbuild.Plugin {
  return {
    name: 'svcpack-in-order-requires',
    setup(build) {
      const types = new Map<string, Promise<boolean>>();
      /**
       * Whether Node's `require` of `spec` from `resolveDir` gets an ES module (Node ≥ 22.12 loads
       * one with require and returns its namespace): asked as esbuild resolves a require, with the
       * `require` conditions Node applies.
       */
      const esModules = new Map<string, Promise<boolean>>();
      const requiresEsModule = (spec: string, resolveDir: string): Promise<boolean> => {
        // Every module of a folder that imports a package asks the same question: asked once.
        const key = `${resolveDir}\0${spec}`;
        let answer = esModules.get(key);
        if (!answer) {
          answer = build.resolve(spec, { kind: 'require-call', resolveDir, pluginData: LOOKUP }).then((r) => r.errors.length === 0 && r.namespace === 'file' && isEsModuleFile(r.path, types));
          esModules.set(key, answer);
        }
        return answer;
      };
      build.onResolve({ filter: / namespace$/, namespace: NAMESPACE }, (args) => ({
        path: args.path,
        namespace: INNER,
        pluginData: args.pluginData as unknown,
      }));
      build.onLoad({ filter: /.*/, namespace: INNER }, (args) => {
        const { specifier } = args.pluginData as { specifier: string };
        return { contents: `module.exports = require(${JSON.stringify(specifier)});`, loader: 'js', resolveDir: opts.projectDir };
      });
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.namespace === 'svcpack' || isLookup(args.pluginData)) return undefined;
        const builtin = isBuiltin(args.path);
        // A package the build bundles although packages load from the tree (one whose binary the
        // addon loader supplies) keeps its own imports bundled too: its addon helpers
        // (`bindings`, `node-gyp-build`) must reach the addon loader.
        const fromBundledPackage = args.namespace === 'file' && /[\\/]node_modules[\\/]/.test(args.importer);
        if (!builtin && (fromBundledPackage || !(opts.fromTree && isPackageSpecifier(args.path) && (await opts.fromTree(packageOf(args.path)))))) return undefined;
        if (args.kind === 'import-statement' || args.kind === 'dynamic-import') {
          // One module per importer: each importing module's load is its own `require` call.
          const importer = args.namespace === 'file' ? treePath(opts.projectDir, args.importer) : `${args.namespace}:${args.importer}`;
          const esm = !builtin && (await requiresEsModule(args.path, args.resolveDir));
          // The name must not end in an extension: esbuild would take `….mjs` for an ES module.
          return { path: `${importer}: ${esm ? 'import' : 'require'}(${JSON.stringify(args.path)})`, namespace: NAMESPACE, pluginData: { specifier: args.path, esm } };
        }
        if (args.kind === 'require-call' || args.kind === 'require-resolve') return { path: args.path, external: true };
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { specifier, esm } = args.pluginData as { specifier: string; esm?: boolean };
        if (!esm) return { contents: `module.exports = require(${JSON.stringify(specifier)});`, loader: 'js', resolveDir: opts.projectDir };
        // An ES module package: the importer must see its exports as `import` would (its default
        // export as default), not its namespace as a CommonJS module's `module.exports`. Node's
        // require(esm) marks a namespace with a default export `__esModule`, which esbuild's
        // interop (CommonJS inner module, not in Node mode) reads.
        const inner = `${args.path} namespace`;
        return { contents: `export * from ${JSON.stringify(inner)};\nexport { default } from ${JSON.stringify(inner)};\n`, loader: 'js', resolveDir: opts.projectDir, pluginData: { specifier } };
      });
    },
  };
}
