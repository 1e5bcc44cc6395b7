/**
 * One instance per package, bundle or tree (docs/architecture.md, "The app's folder inside the
 * exe"). When the app imports a package (inlined in the bundle) and a library then loads the same
 * package by a computed name (Express's `require(viewEngine)`, an ORM's `require(driver)`), Node
 * in a project folder returns the same module; the tree would load a second copy, without the
 * helpers, type parsers or settings the app gave the first. So esbuild's CommonJS wrapper
 * (`__commonJS`) is made to announce each package module it evaluates by its tree path
 * (`node_modules/hbs/lib/hbs.js`, the key esbuild gives it), and the run time
 * (runtime-shim/embedded/shared-modules.ts) puts it into Node's CommonJS cache at its path inside
 * the exe, where a `require` or `import()` resolved into the tree finds it. ES modules the bundle
 * inlined have no such cache entry: a second copy of those still loads from the tree.
 */
import { failure } from '../errors';

/**
 * What esbuild's `__commonJS` helper evaluates a module with (esbuild 0.2x, unminified):
 * `return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;`
 * — its names may carry a suffix (`cb2`) when the bundle's own code uses them.
 */
const COMMONJS_EVAL = /return (\w+) \|\| \(0, (\w+)\[(\w+)\(\2\)\[0\]\]\)\(\(\1 = \{ exports: \{\} \}\)\.exports, \1\), \1\.exports;/;

/** Declares `__svcpackShareCjs` (for the bundle's banner): hands a module to the run time's hook, if one is installed. */
export const SHARE_CJS_BANNER =
  "const __svcpackShareCjs = (key, mod) => { const share = globalThis[Symbol.for('svcpack.shareModule')]; if (share && key.startsWith('node_modules/')) share(key, mod); };";

/**
 * `code` with esbuild's `__commonJS` helper announcing each module after its first evaluation.
 * Returns `code` unchanged when it does not define the helper (no CommonJS module, or a split
 * entry that imports it from a chunk). Throws when it defines the helper in a shape this does not
 * know (an esbuild upgrade changed it): the build must not quietly load packages twice.
 */
export function shareCommonJsModules(code: string): string {
  if (!/\b__commonJS\d* = /.test(code)) return code;
  // esbuild writes its helpers first, before any package's code (which may hold a copy of its own).
  const m = COMMONJS_EVAL.exec(code);
  if (!m) {
    throw failure('BUNDLE_FAILED', "esbuild's __commonJS helper is not in the shape svcpack knows: it cannot share the bundle's CommonJS modules with the dependency tree", 'use the esbuild version svcpack depends on');
  }
  const [, mod, cb, names] = m;
  const shared = `return ${mod} || ((0, ${cb}[${names}(${cb})[0]])((${mod} = { exports: {} }).exports, ${mod}), __svcpackShareCjs(${names}(${cb})[0], ${mod})), ${mod}.exports;`;
  return code.slice(0, m.index) + shared + code.slice(m.index + m[0].length);
}
