/**
 * Node's module resolution over the embedded dependency tree (manifest.ts `packages`), for the
 * modules the bundle did not inline: a package a library requires by a name computed at run time
 * (Express's `require(ext)` of a view engine), and everything that package requires in turn. The
 * rules are Node's for a node_modules folder: the `node_modules` folders of the parent's
 * ancestors then the tree's root one, package.json `exports` (with conditions and `*` patterns)
 * or `main`, a package's own `#name` specifiers through its `imports`, and for CommonJS the
 * `.js`/`.json`/`.node` extensions and `index` files. Pure: it sees the tree only through
 * {@link TreeView}.
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
  main?: unknown;
  exports?: unknown;
  imports?: unknown;
  type?: unknown;
}

const posix = path.posix;

function readPackage(tree: TreeView, rel: string): PackageJson | null {
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
 * null = excluded. A target is package-relative (`./…`); an `imports` target may also be a bare
 * package specifier (`allowBare`; not another `#name`), returned as it is.
 */
function resolveTarget(target: unknown, match: string, conditions: readonly string[], allowBare = false): string | null | undefined {
  if (typeof target === 'string') {
    if (target.startsWith('./')) return target.replaceAll('*', match);
    return allowBare && !target.startsWith('#') && splitBare(target) ? target.replaceAll('*', match) : undefined;
  }
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t, match, conditions, allowBare);
      if (r) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key !== 'default' && !conditions.includes(key)) continue;
      const r = resolveTarget(value, match, conditions, allowBare);
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
  return resolveSubpathMap(map, subpath, conditions, false);
}

/**
 * The target of a `#name` specifier under a package's `imports` (Node's PACKAGE_IMPORTS_RESOLVE):
 * package-relative (`./…`) or a bare package specifier, or null when `imports` does not define it.
 */
export function resolveImports(imports: unknown, specifier: string, conditions: readonly string[]): string | null {
  if (!imports || typeof imports !== 'object' || Array.isArray(imports) || specifier === '#' || specifier.startsWith('#/')) return null;
  return resolveSubpathMap(imports as Record<string, unknown>, specifier, conditions, true);
}

/** The target of `subpath` in an `exports` or `imports` map: an exact key, else the longest `*` pattern (or, for `exports`, folder key) that matches. */
function resolveSubpathMap(map: Record<string, unknown>, subpath: string, conditions: readonly string[], allowBare: boolean): string | null {
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) return resolveTarget(map[subpath], '', conditions, allowBare) ?? null;
  let best: { key: string; match: string } | null = null;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) {
      // Folder mappings (`"./lib/": "./lib/"`, deprecated but still honoured in `exports`).
      if (!allowBare && key.endsWith('/') && subpath.startsWith(key) && (!best || key.length > best.key.length)) best = { key, match: subpath.slice(key.length) };
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
  return resolveTarget(target, best.match, conditions, allowBare) ?? null;
}

/** `name` and `./subpath` of a bare specifier, or null when it is not one. */
export function splitBare(specifier: string): { name: string; subpath: string } | null {
  if (!specifier || specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':') || specifier.includes('\\')) return null;
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => !p)) return null;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * The tree path a bare specifier resolves to from `parentRel` (a tree path, or null for the
 * bundle and project modules), or null when no package of the tree has it.
 */
export function resolvePackage(tree: TreeView, specifier: string, parentRel: string | null, kind: ResolveKind): string | null {
  if (specifier.startsWith('#')) return parentRel === null ? null : resolvePackageImport(tree, specifier, parentRel, kind);
  const bare = splitBare(specifier);
  if (!bare) return null;
  for (const dir of packageDirs(bare.name, parentRel)) {
    if (tree.packages[dir] === undefined) continue;
    const pkg = readPackage(tree, `${dir}/package.json`) ?? {};
    if (pkg.exports !== undefined && pkg.exports !== null) {
      const target = resolveExports(pkg.exports, bare.subpath, CONDITIONS[kind]);
      if (target === null) return null;
      const rel = posix.join(dir, target);
      return tree.isFile(rel) ? rel : null;
    }
    return resolveFile(tree, bare.subpath === '.' ? dir : posix.join(dir, bare.subpath));
  }
  return null;
}

/**
 * A `#name` specifier from the tree module at `parentRel`: the `imports` of the package.json
 * nearest to it (its package scope), the target found in that package or, when it is a bare
 * specifier, resolved from there. Null when the scope has no such import.
 */
function resolvePackageImport(tree: TreeView, specifier: string, parentRel: string, kind: ResolveKind): string | null {
  for (let dir = posix.dirname(parentRel); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
    if (posix.basename(dir) === 'node_modules') return null;
    const pkg = readPackage(tree, `${dir}/package.json`);
    if (!pkg) continue;
    const target = resolveImports(pkg.imports, specifier, CONDITIONS[kind]);
    if (target === null) return null;
    if (!target.startsWith('./')) return resolvePackage(tree, target, `${dir}/package.json`, kind);
    const rel = posix.join(dir, target);
    return tree.isFile(rel) ? rel : null;
  }
  return null;
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
