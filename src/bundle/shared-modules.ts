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

/** What esbuild's `__commonJS` helper evaluates a module with (esbuild 0.2x, unminified). */
const COMMONJS_EVAL = 'return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;';
const COMMONJS_EVAL_SHARED =
  'return mod || ((0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), __svcpackShareCjs(__getOwnPropNames(cb)[0], mod)), mod.exports;';

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
  if (!/\b__commonJS = /.test(code)) return code;
  const at = code.indexOf(COMMONJS_EVAL);
  if (at < 0) {
    throw failure('BUNDLE_FAILED', "esbuild's __commonJS helper is not in the shape svcpack knows: it cannot share the bundle's CommonJS modules with the dependency tree", 'use the esbuild version svcpack depends on');
  }
  return code.slice(0, at) + COMMONJS_EVAL_SHARED + code.slice(at + COMMONJS_EVAL.length);
}
