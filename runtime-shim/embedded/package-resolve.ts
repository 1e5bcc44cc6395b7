/**
 * Node's module resolution over the embedded dependency tree (manifest.ts `packages`), for the
 * modules the bundle did not inline: a package a library requires by a name computed at run time
 * (Express's `require(ext)` of a view engine), and everything that package requires in turn. The
 * rules are Node's for a node_modules folder: a package's reference to itself by name (through its
 * `exports`), the `node_modules` folders of the parent's ancestors then the tree's root one,
 * package.json `exports` (with conditions and `*` patterns) or `main`, the package's `imports`
 * (`#name`), and for CommonJS the `.js`/`.json`/`.node` extensions and `index` files. The tree's
 * root `package.json` is the app's own (its `imports`, and its `exports` for a self-reference).
 * Pure: it sees the tree only through {@link TreeView}.
 */
import path from 'node:path';

export interface TreeView {
  /** Whether a file exists at this tree path. */
  isFile(rel: string): boolean;
  /** A file's text (only asked for package.json files). */
  readText(rel: string): string;
  /** Package folders of the tree by tree path. */
  packages: Readonly<Record<string, string>>;
}

export type ResolveKind = 'require' | 'import';

const EXTENSIONS = ['.js', '.json', '.node'];
const CONDITIONS: Record<ResolveKind, readonly string[]> = {
  require: ['node', 'require', 'default'],
  import: ['node', 'import', 'default'],
};

interface PackageJson {
  name?: unknown;
  main?: unknown;
  exports?: unknown;
  imports?: unknown;
  type?: unknown;
}

/** How far a resolution goes: `exists` (the default) also requires the target file to be in the tree. */
export interface ResolveOptions {
  /**
   * False: an `exports` or `imports` target is returned whether or not the tree has the file,
   * as Node's `import.meta.resolve` does (it resolves, it does not load).
   */
  exists?: boolean;
}

const posix = path.posix;

/** The package.json at tree path `rel`, parsed, or null when there is none or it does not parse. */
export function readPackage(tree: TreeView, rel: string): PackageJson | null {
  if (!tree.isFile(rel)) return null;
  try {
    return JSON.parse(tree.readText(rel)) as PackageJson;
  } catch {
    return null;
  }
}

/** A file as CommonJS finds it: exact, with an extension, or a folder's main or index. */
export function resolveFile(tree: TreeView, rel: string): string | null {
  if (tree.isFile(rel)) return rel;
  for (const ext of EXTENSIONS) if (tree.isFile(rel + ext)) return rel + ext;
  const pkg = readPackage(tree, `${rel}/package.json`);
  if (typeof pkg?.main === 'string' && pkg.main) {
    const main = posix.join(rel, pkg.main);
    const found = main === rel ? null : resolveFile(tree, main);
    if (found) return found;
  }
  for (const ext of EXTENSIONS) if (tree.isFile(`${rel}/index${ext}`)) return `${rel}/index${ext}`;
  return null;
}

/** The package folders Node would look in for `name`, from a module at tree path `parentRel` (null: the tree root). */
export function packageDirs(name: string, parentRel: string | null): string[] {
  const dirs: string[] = [];
  if (parentRel !== null) {
    const parts = posix.dirname(parentRel).split('/');
    for (let i = parts.length; i > 0; i--) {
      if (parts[i - 1] === 'node_modules') continue;
      const base = parts.slice(0, i).join('/');
      if (base !== '.') dirs.push(`${base}/node_modules/${name}`);
    }
  }
  dirs.push(`node_modules/${name}`);
  return [...new Set(dirs)];
}

/**
 * `exports`/`imports` target resolution (Node's PACKAGE_TARGET_RESOLVE): undefined = no match,
 * null = excluded. A target is package-relative (`./…`), or for `imports` (`bare`) also a bare
 * package specifier, returned as it is.
 */
function resolveTarget(target: unknown, match: string, conditions: readonly string[], bare = false): string | null | undefined {
  if (typeof target === 'string') {
    // A bare target is a package; one naming another `#name` is no target (no resolution loop).
    if (!target.startsWith('./') && !(bare && !target.startsWith('#') && splitBare(target) !== null)) return undefined;
    return target.replaceAll('*', match);
  }
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t, match, conditions, bare);
      if (r) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key !== 'default' && !conditions.includes(key)) continue;
      const r = resolveTarget(value, match, conditions, bare);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  return target === null ? null : undefined;
}

/** The package-relative target of `subpath` ('.', './feature') under `exports`, or null. */
export function resolveExports(exports: unknown, subpath: string, conditions: readonly string[]): string | null {
  const map: Record<string, unknown> =
    typeof exports === 'string' || Array.isArray(exports) || (exports && typeof exports === 'object' && !Object.keys(exports).some((k) => k.startsWith('.')))
      ? { '.': exports }
      : ((exports ?? {}) as Record<string, unknown>);
  return resolveMap(map, subpath, conditions, false);
}

/**
 * The target of `#name` under a package's `imports` map: package-relative (`./lib/x.js`) or a
 * bare specifier (`#dep` → `other-package`), or null when the map does not define it.
 */
export function resolveImportsMap(imports: unknown, specifier: string, conditions: readonly string[]): string | null {
  if (!imports || typeof imports !== 'object' || Array.isArray(imports)) return null;
  if (specifier === '#' || specifier.startsWith('#/')) return null;
  return resolveMap(imports as Record<string, unknown>, specifier, conditions, true);
}

/** Node's PACKAGE_EXPORTS_RESOLVE / PACKAGE_IMPORTS_RESOLVE matching over one map: exact key, then the most specific pattern. */
function resolveMap(map: Record<string, unknown>, subpath: string, conditions: readonly string[], bare: boolean): string | null {
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) return resolveTarget(map[subpath], '', conditions, bare) ?? null;
  let best: { key: string; match: string } | null = null;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) {
      // Folder mappings (`"./lib/": "./lib/"`, deprecated but still honoured).
      if (key.endsWith('/') && subpath.startsWith(key) && (!best || key.length > best.key.length)) best = { key, match: subpath.slice(key.length) };
      continue;
    }
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1 && (!best || prefix.length > best.key.indexOf('*'))) {
      best = { key, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  if (!best) return null;
  const target = map[best.key];
  if (!best.key.includes('*')) return typeof target === 'string' ? target + best.match : null;
  return resolveTarget(target, best.match, conditions, bare) ?? null;
}

/** `name` and `./subpath` of a bare specifier, or null when it is not one. */
export function splitBare(specifier: string): { name: string; subpath: string } | null {
  if (!specifier || specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.includes(':') || specifier.includes('\\')) return null;
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => !p)) return null;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * The package.json that rules a tree path: the nearest one in its folder or above, not past a
 * `node_modules` folder (Node's package scope). `dir` is its folder, '.' for the tree root (the
 * app's own package.json). `rel`: a module or file (its folder is where the search starts).
 */
export function packageScope(tree: TreeView, rel: string): { dir: string; pkg: PackageJson } | null {
  for (let dir = posix.dirname(rel); ; dir = posix.dirname(dir)) {
    if (dir === 'node_modules' || dir.endsWith('/node_modules')) return null;
    const pkg = readPackage(tree, dir === '.' ? 'package.json' : `${dir}/package.json`);
    if (pkg) return { dir, pkg };
    if (dir === '.' || dir === '' || dir === '/') return null;
  }
}

/**
 * The folder of the package a bare name means from `parentRel`: the parent's own package when it
 * has that name and an `exports` map (a self-reference), else the first package of that name in
 * the `node_modules` folders Node looks in. Null: none.
 */
export function packageDirOf(tree: TreeView, name: string, parentRel: string | null): { dir: string; self: boolean } | null {
  if (parentRel !== null) {
    const scope = packageScope(tree, parentRel);
    if (scope && scope.pkg.name === name && scope.pkg.exports !== undefined && scope.pkg.exports !== null) return { dir: scope.dir, self: true };
  }
  const dir = packageDirs(name, parentRel).find((d) => tree.packages[d] !== undefined);
  return dir === undefined ? null : { dir, self: false };
}

/**
 * The tree path a bare specifier resolves to from `parentRel` (a tree path, or null for the
 * bundle and project modules), or null when no package of the tree has it. A package's own name
 * from inside it resolves through its `exports` (Node's self-reference).
 */
export function resolvePackage(tree: TreeView, specifier: string, parentRel: string | null, kind: ResolveKind, options: ResolveOptions = {}): string | null {
  const bare = splitBare(specifier);
  if (!bare) return null;
  const found = packageDirOf(tree, bare.name, parentRel);
  if (!found) return null;
  const { dir } = found;
  const pkg = readPackage(tree, dir === '.' ? 'package.json' : `${dir}/package.json`) ?? {};
  if (pkg.exports !== undefined && pkg.exports !== null) {
    const target = resolveExports(pkg.exports, bare.subpath, CONDITIONS[kind]);
    if (target === null) return null;
    const rel = posix.join(dir, target);
    return options.exists === false || tree.isFile(rel) ? rel : null;
  }
  return resolveFile(tree, bare.subpath === '.' ? dir : posix.join(dir, bare.subpath));
}

/**
 * The tree path `#name` resolves to from a module at `parentRel`, through the `imports` map of
 * the package that holds it (the app's own package.json for the app's modules), with conditions
 * and `*` patterns; a bare target is resolved from that package. Null: no such import, or (unless
 * `options.exists` is false) its target is not in the tree.
 */
export function resolveImports(tree: TreeView, specifier: string, parentRel: string, kind: ResolveKind, options: ResolveOptions = {}): string | null {
  if (!specifier.startsWith('#')) return null;
  const scope = packageScope(tree, parentRel);
  if (!scope) return null;
  const target = resolveImportsMap(scope.pkg.imports, specifier, CONDITIONS[kind]);
  if (target === null) return null;
  if (!target.startsWith('./')) return resolvePackage(tree, target, posix.join(scope.dir, 'package.json'), kind, options);
  const rel = posix.join(scope.dir, target);
  return options.exists === false || tree.isFile(rel) ? rel : null;
}

/**
 * Where `module.findPackageJSON(specifier, base)` finds a package.json, for a base at tree path
 * `baseRel`: for a bare specifier the package.json of the package it names (without `exports`
 * resolution), for anything else (a tree path `target`, already resolved by the caller) the
 * nearest package.json in its folder or above. Null: none.
 */
export function packageJsonOf(tree: TreeView, specifier: string, baseRel: string): string | null {
  const bare = splitBare(specifier);
  if (bare) {
    const found = packageDirOf(tree, bare.name, baseRel);
    return found === null ? null : found.dir === '.' ? 'package.json' : `${found.dir}/package.json`;
  }
  return nearestPackageJson(tree, specifier);
}

/** The tree path of the nearest package.json at or above the folder of `rel` (the tree root's included), not past a `node_modules` folder; or null. */
export function nearestPackageJson(tree: TreeView, rel: string): string | null {
  for (let dir = posix.dirname(rel); ; dir = posix.dirname(dir)) {
    if (dir === 'node_modules' || dir.endsWith('/node_modules')) return null;
    const file = dir === '.' ? 'package.json' : `${dir}/package.json`;
    if (tree.isFile(file)) return file;
    if (dir === '.' || dir === '' || dir === '/') return null;
  }
}

/** A relative or tree-path target: the file itself for `import`, CommonJS's search for `require`. */
export function resolveRelative(tree: TreeView, rel: string, kind: ResolveKind): string | null {
  if (kind === 'import' && tree.isFile(rel)) return rel;
  return resolveFile(tree, rel);
}

/** How Node loads a tree file: by extension, and for `.js` the nearest package.json's `type`. */
export function formatOf(tree: TreeView, rel: string): 'module' | 'commonjs' | 'json' | 'addon' {
  const ext = posix.extname(rel).toLowerCase();
  if (ext === '.mjs') return 'module';
  if (ext === '.cjs') return 'commonjs';
  if (ext === '.json') return 'json';
  if (ext === '.node') return 'addon';
  for (let dir = posix.dirname(rel); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
    const pkg = readPackage(tree, `${dir}/package.json`);
    if (pkg) return pkg.type === 'module' ? 'module' : 'commonjs';
  }
  return 'commonjs';
}
