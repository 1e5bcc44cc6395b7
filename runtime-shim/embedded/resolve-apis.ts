/**
 * The module-resolution APIs Node gives a module, answered for modules inside the exe:
 * `import.meta.resolve()` of bundled code (src/bundle/embedded/locations.ts turns it into a call
 * of {@link ResolveApi.metaResolve} with the module's own tree path), and
 * `module.findPackageJSON()`, whose native implementation cannot see the embedded files. Both
 * answer with the places inside the exe (`file:///C:/svc/MySvc.exe/node_modules/pg/lib/index.js`,
 * `C:\svc\MySvc.exe\node_modules\pg\package.json`), by Node's rules over the embedded tree
 * (package-resolve.ts). `require.resolve()` needs nothing here: bundled code gets a per-module
 * `createRequire(<its path>).resolve`, whose requests module-hooks.ts resolves.
 */
import Module, { isBuiltin, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exeRelative } from './embedded-fs';
import { virtualPath, virtualUrl } from './manifest';
import { nearestPackageJson, packageDirOf, packageJsonOf, readPackage, resolveImports, resolvePackage, splitBare, type TreeView } from './package-resolve';

/** What the bundle's per-module helpers call (the banner reads it from `globalThis`). */
export interface ResolveApi {
  /** `import.meta.resolve(specifier)` of the bundled module at tree path `rel` (`src/app.ts`). */
  metaResolve(rel: string, specifier: string): string;
}

const API_KEY = Symbol.for('svcpack.resolve');
type ApiGlobal = typeof globalThis & { [API_KEY]?: ResolveApi };

/** A Node-style error with a `code`. */
function codeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** `./x`, `../x`, `.`, `..`, `/x`: resolved against the module's URL. */
const isRelative = (s: string) => s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../') || s.startsWith('/');

/** A URL with a scheme (`file:`, `data:`, `node:`), not a Windows drive path. */
const isUrl = (s: string) => /^[a-zA-Z][a-zA-Z\d+.-]+:/.test(s) && URL.canParse(s);

/**
 * `import.meta.resolve(specifier)` for the module at tree path `rel`, as Node answers in the
 * project folder: a built-in is `node:<name>`; a URL is itself; a relative specifier is the URL
 * of that place inside the exe (like Node, whether or not a file is there); `#name` goes through
 * the `imports` of the module's package (the app's package.json for the app's modules); a bare
 * specifier through the tree with the `import` conditions (a self-reference first), and when the
 * tree has no such package, through Node's resolution from the module's folder (a package on
 * disk beside the exe). Throws Node's errors (`ERR_MODULE_NOT_FOUND`,
 * `ERR_PACKAGE_PATH_NOT_EXPORTED`, `ERR_PACKAGE_IMPORT_NOT_DEFINED`).
 */
export function metaResolve(tree: TreeView | null, rel: string, specifier: string, exePath: string = process.execPath): string {
  const parentUrl = virtualUrl(rel, exePath);
  const parentPath = virtualPath(rel, exePath);
  if (isBuiltin(specifier)) return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
  if (isRelative(specifier)) return new URL(specifier, parentUrl).href;
  if (isUrl(specifier)) return new URL(specifier).href;
  if (specifier.startsWith('#')) {
    const found = tree ? resolveImports(tree, specifier, rel, 'import', { exists: false }) : null;
    if (found !== null) return virtualUrl(found, exePath);
    throw codeError('ERR_PACKAGE_IMPORT_NOT_DEFINED', `Package import specifier "${specifier}" is not defined imported from ${parentPath}`);
  }
  const bare = splitBare(specifier);
  if (bare && tree) {
    const found = resolvePackage(tree, specifier, rel, 'import', { exists: false });
    if (found !== null) return virtualUrl(found, exePath);
    const pkg = packageDirOf(tree, bare.name, rel);
    if (pkg) {
      const pkgJson = virtualPath(pkg.dir === '.' ? 'package.json' : `${pkg.dir}/package.json`, exePath);
      if (bare.subpath !== '.' && hasExports(tree, pkg.dir)) {
        throw codeError('ERR_PACKAGE_PATH_NOT_EXPORTED', `Package subpath '${bare.subpath}' is not defined by "exports" in ${pkgJson} imported from ${parentPath}`);
      }
      throw codeError('ERR_MODULE_NOT_FOUND', `Cannot find module '${virtualPath(`${pkg.dir}/${bare.subpath}`, exePath)}' imported from ${parentPath}`);
    }
  }
  try {
    return pathToFileURL(Module.createRequire(parentPath).resolve(specifier)).href;
  } catch {
    throw codeError('ERR_MODULE_NOT_FOUND', `Cannot find package '${bare?.name ?? specifier}' imported from ${parentPath}`);
  }
}

function hasExports(tree: TreeView, dir: string): boolean {
  const pkg = readPackage(tree, dir === '.' ? 'package.json' : `${dir}/package.json`);
  return pkg?.exports !== undefined && pkg.exports !== null;
}

/** The tree path of a path inside the exe ('.' for the exe's own folder), or null outside it. */
const treeRel = (p: string, exePath: string): string | null => exeRelative(exePath, p, path);

/** A `base` of findPackageJSON (a URL, a `file:` URL string or an absolute path) as a URL, or null. */
function baseUrlOf(base: unknown): URL | null {
  try {
    if (base instanceof URL) return base;
    if (typeof base !== 'string') return null;
    return path.isAbsolute(base) ? pathToFileURL(base) : new URL(base);
  } catch {
    return null;
  }
}

/**
 * `module.findPackageJSON(specifier, base)` over the tree, for a base or target inside the exe:
 * the path of the package.json (`C:\svc\MySvc.exe\node_modules\pg\package.json`), undefined when
 * there is none, ERR_MODULE_NOT_FOUND for a bare specifier no package matches. Null: not about
 * the exe (Node answers).
 */
export function findPackageJsonInTree(tree: TreeView, specifier: string, base: unknown, exePath: string = process.execPath): { found: string | undefined } | null {
  const baseUrl = baseUrlOf(base);
  const baseRel = baseUrl?.protocol === 'file:' ? treeRel(fileURLToPath(baseUrl), exePath) : null;
  if (splitBare(specifier)) {
    if (baseRel === null) return null;
    const found = packageJsonOf(tree, specifier, baseRel === '.' ? 'package.json' : baseRel);
    if (found === null) throw codeError('ERR_MODULE_NOT_FOUND', `Cannot find package '${splitBare(specifier)!.name}' imported from ${fileURLToPath(baseUrl!)}`);
    return { found: virtualPath(found, exePath) };
  }
  let target: URL;
  try {
    target = path.isAbsolute(specifier) && !specifier.startsWith('/') ? pathToFileURL(specifier) : baseUrl ? new URL(specifier, baseUrl) : new URL(specifier);
  } catch {
    return null;
  }
  if (target.protocol !== 'file:') return null;
  const rel = treeRel(fileURLToPath(target), exePath);
  if (rel === null) return null;
  // A folder (`..`, `./`) is searched from itself, a file from its folder.
  const from = target.pathname.endsWith('/') || rel === '.' ? `${rel}/_` : rel;
  const found = nearestPackageJson(tree, from);
  return { found: found === null ? undefined : virtualPath(found, exePath) };
}

type FindPackageJson = (specifier: unknown, base?: unknown) => string | undefined;

/** Wraps `module.findPackageJSON` (Node ≥ 22.14) so that it answers for bases and targets inside the exe. */
function wrapFindPackageJson(tree: TreeView, exePath: string): void {
  const mod = Module as unknown as { findPackageJSON?: FindPackageJson };
  const original = mod.findPackageJSON;
  if (typeof original !== 'function') return;
  mod.findPackageJSON = function findPackageJSON(this: unknown, specifier: unknown, base?: unknown) {
    if (typeof specifier === 'string' || specifier instanceof URL) {
      const spec = specifier instanceof URL ? specifier.href : specifier;
      const answer = findPackageJsonInTree(tree, spec, base, exePath);
      if (answer) return answer.found;
    }
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(original, this, arguments) as string | undefined;
  };
  syncBuiltinESMExports();
}

/** Installs this thread's resolution APIs over the embedded tree (null: the exe embeds no dependency tree). */
export function installResolveApis(tree: TreeView | null, exePath: string = process.execPath): void {
  (globalThis as ApiGlobal)[API_KEY] = { metaResolve: (rel, specifier) => metaResolve(tree, rel, specifier, exePath) };
  if (tree) wrapFindPackageJson(tree, exePath);
}

// An exe that embeds nothing installs no tree: its modules still resolve relative specifiers,
// built-ins and packages on disk. (The loader that installs a tree runs before the bundle.)
(globalThis as ApiGlobal)[API_KEY] ??= { metaResolve: (rel, specifier) => metaResolve(null, rel, specifier) };
