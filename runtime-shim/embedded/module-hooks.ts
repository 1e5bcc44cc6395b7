/**
 * Serves the embedded modules (manifest.ts `modules`) to `import()`, `require()` and worker and
 * fork entries through a synchronous module hook (`module.registerHooks`, Node ≥ 22.15), at their
 * virtual URLs. Hooks are per thread: the main thread, every worker thread (loaders/thread.ts) and
 * every forked process install their own.
 */
import Module, { isBuiltin, registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { embeddedRelative, exeRelative } from './embedded-fs';
import { CHUNK_PREFIX, virtualPath, virtualUrl, type EmbedManifest, type ReadEntry } from './manifest';
import { formatOf, packageDirOf, resolveImports, resolvePackage, resolveRelative, splitBare, type TreeView } from './package-resolve';
import { installResolveApis } from './resolve-apis';

/** The tree-relative path of a `file:` URL inside `exePath`, else null. Accepts `file://C:\x` as pino writes it. */
export function relativeOfUrl(url: string, exePath: string): string | null {
  if (!url.startsWith('file:')) return null;
  try {
    return embeddedRelative(exePath, fileURLToPath(new URL(url)), path);
  } catch {
    return null;
  }
}

/**
 * Whether a module at `file` (a path or `file:` URL) resolves packages in the tree first: a module
 * inside the exe, or the bundle itself, whose `require` and `import()` have the exe as parent. In
 * the app's folder Node looks in the folder's own node_modules before its ancestors', and the
 * tree is the exe's own; a node_modules beside or above the exe (a build's project folder) is not.
 */
function resolvesFromTree(file: string, exePath: string): boolean {
  let p = file;
  if (file.startsWith('file:')) {
    try {
      p = fileURLToPath(new URL(file));
    } catch {
      return false;
    }
  }
  return path.isAbsolute(p) && exeRelative(exePath, p, path) !== null;
}

/**
 * Which embedded module a specifier names, as a tree path: a virtual `file:` URL or absolute
 * path, or a relative specifier from an embedded module (a shared chunk is found by its file
 * name, wherever the importing module sits). Null: not an embedded module.
 */
export function embeddedModuleOf(specifier: string, parentURL: string | undefined, manifest: EmbedManifest, exePath: string): string | null {
  let rel: string | null = null;
  if (specifier.startsWith('file:')) rel = relativeOfUrl(specifier, exePath);
  else if (path.isAbsolute(specifier)) rel = embeddedRelative(exePath, specifier, path);
  else if ((specifier.startsWith('./') || specifier.startsWith('../')) && parentURL && relativeOfUrl(parentURL, exePath) !== null) {
    const base = path.posix.basename(specifier);
    if (base.startsWith(CHUNK_PREFIX)) return manifest.modules[base] ? base : null;
    rel = relativeOfUrl(new URL(specifier, parentURL).href, exePath);
  }
  return rel !== null && manifest.modules[rel] !== undefined ? rel : null;
}

/**
 * Which file of the embedded dependency tree a specifier names (tree path), or null: a bare
 * package specifier from the bundle (whose `require` and `import()` have the exe as parent), a
 * project module or a tree module; a relative one from a tree module; a path inside the exe;
 * `#name` from a module inside the exe, through its package's `imports`.
 */
export function treeModuleOf(specifier: string, parentURL: string | undefined, kind: 'require' | 'import', tree: TreeView, exePath: string): string | null {
  if (isBuiltin(specifier)) return null;
  const parentRel = parentURL ? relativeOfUrl(parentURL, exePath) : null;
  if (specifier.startsWith('#')) return parentRel === null ? null : resolveImports(tree, specifier, parentRel, kind);
  if (specifier.startsWith('file:')) {
    const rel = relativeOfUrl(specifier, exePath);
    return rel === null ? null : resolveRelative(tree, rel, kind);
  }
  if (path.isAbsolute(specifier)) {
    const rel = embeddedRelative(exePath, specifier, path);
    return rel === null ? null : resolveRelative(tree, rel, kind);
  }
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    if (parentRel === null) return null;
    const rel = path.posix.normalize(path.posix.join(path.posix.dirname(parentRel), specifier)).replace(/\/+$/, '');
    return rel.startsWith('../') ? null : resolveRelative(tree, rel, kind);
  }
  return resolvePackage(tree, specifier, parentRel, kind);
}

/** A {@link TreeView} over the manifest's files and the app's package.json, package.json texts cached. */
function treeView(manifest: EmbedManifest, readFile: ReadEntry): TreeView {
  const texts = new Map<string, string>();
  if (manifest.appPackage !== undefined) texts.set('package.json', manifest.appPackage);
  return {
    packages: manifest.packages ?? {},
    isFile: (rel) => manifest.files[rel] !== undefined || (rel === 'package.json' && manifest.appPackage !== undefined),
    readText(rel) {
      let text = texts.get(rel);
      if (text === undefined) texts.set(rel, (text = new TextDecoder().decode(readFile(manifest.files[rel]!))));
      return text;
    },
  };
}

type CjsParent = { filename?: string | null } | undefined;
type ResolveFilename = (request: unknown, parent: CjsParent, isMain?: unknown, options?: { paths?: unknown }, ...rest: unknown[]) => string;

/**
 * CommonJS resolution (`require`, `require.resolve`, `createRequire`) of what is inside the exe.
 * Node resolves `require.resolve()` without the module hooks on Node 22 (Node 26 runs them, and
 * they hand a CommonJS request from inside the exe to this), and its own resolver cannot see the
 * embedded files, so `Module._resolveFilename` answers: for a parent inside the exe, the tree
 * first (`#imports`, self-reference, `node_modules`, relative paths, the embedded modules), Node's
 * resolver after (a package on disk beside the exe); `require.resolve(x, { paths })` looks in each
 * path in turn (a path inside the exe through the tree, any other through Node's resolver), after
 * the parent's `#imports` and self-reference, as Node does; for any other parent Node's resolver,
 * then the tree when Node finds nothing.
 */
function resolveFilenameFromTree(tree: TreeView | null, manifest: EmbedManifest, exePath: string): void {
  const cjs = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = cjs._resolveFilename;
  /** A parent (or a `paths` folder) whose requires are the tree's first: inside the exe, or the exe itself (the bundle). */
  const treeFirst = (p: unknown): p is string => typeof p === 'string' && resolvesFromTree(p, exePath);
  /** The virtual path `request` resolves to as required from the file `parentFile`, or null. */
  const fromTree = (request: string, parentFile: string | null | undefined): string | null => {
    const parentURL = parentFile ? pathToFileURL(parentFile).href : undefined;
    const found = (tree ? treeModuleOf(request, parentURL, 'require', tree, exePath) : null) ?? embeddedModuleOf(request, parentURL, manifest, exePath);
    return found === null ? null : virtualPath(found, exePath);
  };
  cjs._resolveFilename = function (this: unknown, request, parent, isMain, options, ...rest) {
    const node = (opts = options) => original.call(this, request, parent, isMain, opts, ...rest);
    if (typeof request !== 'string' || isBuiltin(request)) return node();
    const parentFile = parent?.filename;
    const parentInside = treeFirst(parentFile);
    const paths = options?.paths;
    if (Array.isArray(paths) && (parentInside || paths.some(treeFirst))) {
      if (parentInside && request.startsWith('#')) return fromTree(request, parentFile) ?? node();
      const bare = splitBare(request);
      const parentRel = parentInside ? embeddedRelative(exePath, parentFile!, path) : null;
      if (bare && tree && parentRel !== null && packageDirOf(tree, bare.name, parentRel)?.self) return fromTree(request, parentFile) ?? node();
      for (const dir of paths) {
        if (treeFirst(dir)) {
          const found = fromTree(request, path.join(dir, '[paths]'));
          if (found !== null) return found;
          continue;
        }
        try {
          return node({ ...options, paths: [dir] });
        } catch (err) {
          if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
        }
      }
      // Node's own error, with its require stack.
      return node();
    }
    if (parentInside) return fromTree(request, parentFile) ?? node();
    try {
      return node();
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
      const found = fromTree(request, parentFile);
      if (found === null) throw err;
      return found;
    }
  };
}

/**
 * Installs the hooks for this thread. `readModule` returns an embedded module's source by asset
 * name; `readFile` an embedded file's bytes from its entry (for the dependency tree's modules).
 */
export function installModuleHooks(
  manifest: EmbedManifest,
  readModule: (asset: string) => string,
  exePath = process.execPath,
  readFile: ReadEntry = (entry) => new TextEncoder().encode(readModule(entry.asset)),
): void {
  const tree = manifest.packages && Object.keys(manifest.packages).length > 0 ? treeView(manifest, readFile) : null;
  resolveFilenameFromTree(tree, manifest, exePath);
  installResolveApis(tree, exePath);
  registerHooks({
    resolve(specifier, context, next) {
      const rel = embeddedModuleOf(specifier, context.parentURL, manifest, exePath);
      if (rel !== null) return { url: virtualUrl(rel, exePath), format: 'module', shortCircuit: true };
      if (tree) {
        const kind = context.conditions?.includes('require') ? 'require' : 'import';
        const hit = () => {
          const found = treeModuleOf(specifier, context.parentURL, kind, tree, exePath);
          return found === null ? null : { url: virtualUrl(found, exePath), format: formatOf(tree, found), shortCircuit: true };
        };
        /** Node's answer, else the tree's when Node finds nothing. */
        const nodeThenTree = () => {
          try {
            return next(specifier, context);
          } catch (err) {
            const found = hit();
            if (found === null) throw err;
            return found;
          }
        };
        // The imports of the bundle and of modules inside the exe, and paths inside the exe, are
        // the tree's first; anything else is Node's first (a real file, a built-in), and the
        // tree's only when Node finds nothing.
        // A CommonJS request from inside the exe goes to Node's resolver, which hands it to the
        // tree (resolveFilenameFromTree): only there are require.resolve's `paths` known.
        const parentInside = context.parentURL !== undefined && resolvesFromTree(context.parentURL, exePath);
        if (parentInside && kind === 'require' && !isBuiltin(specifier)) return nodeThenTree();
        const fromTree = parentInside || specifier.startsWith('file:') || path.isAbsolute(specifier);
        return fromTree ? (hit() ?? next(specifier, context)) : nodeThenTree();
      }
      return next(specifier, context);
    },
    load(url, context, next) {
      const rel = relativeOfUrl(url, exePath);
      const asset = rel === null ? undefined : manifest.modules[rel];
      if (asset !== undefined) return { format: 'module', source: readModule(asset), shortCircuit: true };
      const file = rel === null || !tree ? undefined : manifest.files[rel];
      if (file === undefined || rel === null || !tree) return next(url, context);
      const format = formatOf(tree, rel);
      // Node loads a `.node` file with process.dlopen, which tree-binary-hooks.ts points at its
      // written-out copy; what reaches this hook (an import of an addon) gets Node's own answer.
      if (format === 'addon') return next(url, context);
      return { format, source: new TextDecoder().decode(readFile(file)), shortCircuit: true };
    },
  });
}
