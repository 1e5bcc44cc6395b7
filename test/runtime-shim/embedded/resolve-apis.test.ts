/**
 * The module-resolution APIs over the embedded tree (runtime-shim/embedded/resolve-apis.ts,
 * package-resolve.ts, module-hooks.ts) against Node itself: one project folder is written to
 * disk, Node (≥ 22.14, the hooks Node) answers `import.meta.resolve(x, parent)`,
 * `createRequire(parent).resolve(x)` and `module.findPackageJSON(x, base)` there, and the pure
 * functions answer over a tree view of the same folder, used as the exe's path (so a path
 * "inside the exe" is the real one). Then the hooks as the exe installs them, on files in memory:
 * `require.resolve`'s `paths`, `#imports` through createRequire, findPackageJSON, require.cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { treeModuleOf } from '../../../runtime-shim/embedded/module-hooks';
import { packageScope, resolveImportsMap, type TreeView } from '../../../runtime-shim/embedded/package-resolve';
import { findPackageJsonInTree, metaResolve } from '../../../runtime-shim/embedded/resolve-apis';
import { repoModule, runOnHooksNode } from '../../support/hooks-node';

const json = (v: unknown) => JSON.stringify(v);

/** A project after `npm ci`: the app's package.json with exports and imports, and a small node_modules. */
const FILES: Record<string, string> = {
  'package.json': json({
    name: 'myapp',
    type: 'module',
    exports: { '.': './src/main.js', './sub': './src/sub.js' },
    imports: { '#lib/*': './src/lib/*.js', '#dep': 'pkg', '#cond': { node: './src/node.js', default: './src/default.js' } },
  }),
  'src/main.js': '',
  'src/sub.js': '',
  'src/lib/a.js': '',
  'src/node.js': '',
  'src/default.js': '',
  'node_modules/pkg/package.json': json({
    name: 'pkg',
    exports: {
      '.': { import: './lib/index.mjs', require: './lib/index.cjs' },
      './package.json': './package.json',
      './feat/*': './lib/feat-*.cjs',
      './private/*': null,
    },
    imports: { '#int': { node: './lib/int.cjs', default: './lib/no.cjs' }, '#x/*': './lib/x-*.cjs', '#inner': 'inner' },
  }),
  'node_modules/pkg/lib/index.cjs': '',
  'node_modules/pkg/lib/index.mjs': '',
  'node_modules/pkg/lib/int.cjs': '',
  'node_modules/pkg/lib/feat-a.cjs': '',
  'node_modules/pkg/lib/x-y.cjs': '',
  'node_modules/pkg/node_modules/inner/package.json': json({ name: 'inner' }),
  'node_modules/pkg/node_modules/inner/index.js': '',
  'node_modules/selfy/package.json': json({ name: 'selfy', exports: { '.': './index.js', './sub': './lib/sub.js' } }),
  'node_modules/selfy/index.js': '',
  'node_modules/selfy/lib/sub.js': '',
  'node_modules/a/package.json': json({ name: 'a', main: 'main.js' }),
  'node_modules/a/main.js': '',
  'node_modules/a/node_modules/selfy/package.json': json({ name: 'selfy', version: '2.0.0', exports: { '.': './i.js', './sub': './lib/sub2.js' } }),
  'node_modules/a/node_modules/selfy/i.js': '',
  'node_modules/a/node_modules/selfy/lib/sub2.js': '',
  'node_modules/legacy/package.json': json({ name: 'legacy', main: 'lib/entry' }),
  'node_modules/legacy/lib/entry.js': '',
};

/** The tree view of FILES (as the exe builds it from its manifest). */
function memoryTree(files: Record<string, string>): TreeView {
  const packages: Record<string, string> = {};
  for (const rel of Object.keys(files)) if (rel.startsWith('node_modules/') && rel.endsWith('/package.json')) packages[rel.slice(0, -'/package.json'.length)] = 'x@1.0.0';
  return { isFile: (rel) => files[rel] !== undefined, readText: (rel) => files[rel]!, packages };
}

const MAIN = 'src/main.js';
const PKG = 'node_modules/pkg/lib/index.mjs';
const PKG_CJS = 'node_modules/pkg/lib/index.cjs';
const NESTED = 'node_modules/a/node_modules/selfy/i.js';
const A = 'node_modules/a/main.js';

/** [parent, specifier] for import.meta.resolve and require.resolve. */
const RESOLVE_CASES: Array<[string, string]> = [
  [MAIN, './nope.js'],
  [MAIN, '../src/sub.js'],
  [MAIN, 'pkg'],
  [MAIN, 'pkg/package.json'],
  [MAIN, 'fs'],
  [MAIN, 'node:fs'],
  [MAIN, '#lib/a'],
  [MAIN, '#dep'],
  [MAIN, '#cond'],
  [MAIN, '#nope'],
  [MAIN, 'myapp/sub'],
  [MAIN, 'myapp'],
  [MAIN, 'nopkg'],
  [MAIN, 'pkg/feat/a'],
  [MAIN, 'pkg/private/x'],
  [MAIN, 'pkg/lib/int.cjs'],
  [MAIN, 'legacy'],
  [MAIN, 'selfy/sub'],
  [PKG, '#int'],
  [PKG, '#x/y'],
  [PKG, '#inner'],
  [PKG, 'inner'],
  [PKG, 'pkg/feat/a'],
  [PKG_CJS, '#int'],
  [NESTED, 'selfy/sub'],
  [NESTED, 'selfy'],
  [A, 'selfy/sub'],
];

/** [specifier, base (tree path, or null: none)] for findPackageJSON; a `file:` specifier is a tree path here. */
const FIND_CASES: Array<[string, string | null]> = [
  ['pkg', MAIN],
  ['..', MAIN],
  ['.', MAIN],
  ['./sub.js', MAIN],
  ['inner', PKG_CJS],
  ['myapp', MAIN],
  ['nopkg', MAIN],
  ['pkg/feat/x', MAIN],
  ['selfy', A],
  ['./i.js', NESTED],
  ['file:node_modules/pkg/lib/int.cjs', null],
];

type Answer = { ok: string | null } | { code: string };

/** Node's answers in the folder `dir` (one JSON line from the hooks Node). */
const nodeScript = (dir: string) => `
import { createRequire, findPackageJSON } from 'node:module';
import { pathToFileURL } from 'node:url';
const dir = ${json(dir)};
const url = (rel) => pathToFileURL(dir + '/' + rel).href;
const t = (f) => { try { return { ok: f() ?? null }; } catch (e) { return { code: e.code }; } };
const resolveCases = ${json(RESOLVE_CASES)};
const findCases = ${json(FIND_CASES)};
console.log(JSON.stringify({
  meta: resolveCases.map(([p, s]) => t(() => import.meta.resolve(s, url(p)))),
  require: resolveCases.map(([p, s]) => t(() => createRequire(dir + '/' + p).resolve(s))),
  find: findCases.map(([s, b]) => t(() => s.startsWith('file:') ? findPackageJSON(url(s.slice(5))) : findPackageJSON(s, url(b)))),
}));
`;

describe('resolution over the tree, against Node in the same folder', () => {
  let node: { meta: Answer[]; require: Answer[]; find: Answer[] };
  let dir = '';
  let tree: TreeView;

  beforeAll(async () => {
    let written = '';
    const r = await runOnHooksNode((d) => {
      written = fs.realpathSync(d);
      for (const [rel, text] of Object.entries(FILES)) {
        fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
        fs.writeFileSync(path.join(d, rel), text);
      }
      return { script: nodeScript(written), env: { NODE_OPTIONS: '--experimental-import-meta-resolve' } };
    });
    expect(r.status, r.stderr).toBe(0);
    node = JSON.parse(r.stdout) as typeof node;
    dir = written;
    tree = memoryTree(FILES);
  }, 120_000);

  const ours = (f: () => string | null | undefined): Answer => {
    try {
      return { ok: f() ?? null };
    } catch (e) {
      return { code: (e as { code: string }).code };
    }
  };

  it('import.meta.resolve: relative URLs, built-ins, exports with the import condition, #imports, self-references, nested copies', () => {
    const answers = RESOLVE_CASES.map(([p, s]) => ours(() => metaResolve(tree, p, s, dir)));
    RESOLVE_CASES.forEach(([p, s], i) => expect(answers[i], `import.meta.resolve(${s}) from ${p}`).toEqual(node.meta[i]));
  });

  it('require.resolve: exports with the require condition, #imports, self-references, main, nested copies', () => {
    const answers = RESOLVE_CASES.map(([p, s]): Answer => {
      if (s === 'fs' || s === 'node:fs') return { ok: s };
      const found = treeModuleOf(s, pathToFileURL(path.join(dir, p)).href, 'require', tree, dir);
      return found === null ? { code: 'MODULE_NOT_FOUND' } : { ok: path.join(dir, found) };
    });
    RESOLVE_CASES.forEach(([p, s], i) => {
      const expected = node.require[i]!;
      // Node's codes for what it cannot resolve vary (ERR_PACKAGE_PATH_NOT_EXPORTED, …): the tree then has no answer.
      expect(answers[i], `require.resolve(${s}) from ${p}`).toEqual('ok' in expected ? expected : { code: 'MODULE_NOT_FOUND' });
    });
  });

  it('module.findPackageJSON: a package by name (no exports applied), the nearest package.json of a file or folder', () => {
    const answers = FIND_CASES.map(([s, b]) =>
      ours(() => {
        const answer = s.startsWith('file:') ? findPackageJsonInTree(tree, pathToFileURL(path.join(dir, s.slice(5))).href, undefined, dir) : findPackageJsonInTree(tree, s, pathToFileURL(path.join(dir, b!)).href, dir);
        if (answer === null) throw new Error('not answered for a base inside the exe');
        return answer.found;
      }),
    );
    FIND_CASES.forEach(([s, b], i) => expect(answers[i], `findPackageJSON(${s}, ${b})`).toEqual(node.find[i]));
  });
});

describe('package scopes and imports maps', () => {
  const tree = memoryTree(FILES);
  it("the nearest package.json, the app's own at the tree root, never past node_modules", () => {
    expect(packageScope(tree, 'src/lib/a.js')?.dir).toBe('.');
    expect(packageScope(tree, 'node_modules/pkg/lib/x.cjs')?.dir).toBe('node_modules/pkg');
    expect(packageScope(tree, 'node_modules/loose.js')).toBeNull();
  });
  it('imports: conditions, patterns, bare targets; `#` alone and `#/` are never defined', () => {
    const imports = { '#a': { node: './n.js', default: './d.js' }, '#p/*': './p/*.js', '#b': 'dep/sub', '#': './x.js' };
    expect(resolveImportsMap(imports, '#a', ['node', 'import'])).toBe('./n.js');
    expect(resolveImportsMap(imports, '#a', ['import'])).toBe('./d.js');
    expect(resolveImportsMap(imports, '#p/q/r', ['require'])).toBe('./p/q/r.js');
    expect(resolveImportsMap(imports, '#b', ['require'])).toBe('dep/sub');
    expect(resolveImportsMap(imports, '#', ['require'])).toBeNull();
    expect(resolveImportsMap(imports, '#c', ['require'])).toBeNull();
  });
});

const EXE = '/opt/svc/app.exe';

/**
 * The hooks as the exe installs them, FILES as the embedded tree of /opt/svc/app.exe (no such
 * file on disk): CommonJS resolution with `paths`, `#imports` through createRequire from a
 * package's ES module (pdfkit's shape), ESM `#imports` of a tree module, findPackageJSON,
 * import.meta.resolve through the run time's API, require.cache and module.children.
 */
const TREE_SCRIPT = `
import Module, { createRequire, findPackageJSON } from 'node:module';
import { installModuleHooks } from ${repoModule('runtime-shim/embedded/module-hooks.ts')};
const exe = ${json(EXE)};
const files = ${json({
  ...FILES,
  'node_modules/pkg/lib/index.cjs': "module.exports = { int: require('#int'), x: require('#x/y'), inner: require('#inner') };",
  'node_modules/pkg/lib/index.mjs': "import int from '#int'; export default int;",
  'node_modules/pkg/lib/int.cjs': "module.exports = 'int';",
  'node_modules/pkg/lib/x-y.cjs': "module.exports = 'x-y';",
  'node_modules/pkg/node_modules/inner/index.js': "module.exports = 'inner';",
})};
const enc = new TextEncoder();
// The app's package.json travels as manifest.appPackage, not as a file.
const manifest = { modules: {}, bundlerPaths: {}, appPackage: files['package.json'], files: Object.fromEntries(Object.keys(files).filter((rel) => rel !== 'package.json').map((rel) => [rel, { asset: rel, size: files[rel].length }])),
  packages: Object.fromEntries(Object.keys(files).filter((r) => r.startsWith('node_modules/') && r.endsWith('/package.json')).map((r) => [r.slice(0, -13), 'x@1.0.0'])) };
installModuleHooks(manifest, (asset) => files[asset], exe, (entry) => enc.encode(files[entry.asset]));
const t = (f) => { try { return f(); } catch (e) { return e.code; } };
const app = createRequire(exe + '/src/main.js');
const inPkg = createRequire(exe + '/node_modules/pkg/lib/index.mjs');
const loaded = app(exe + '/node_modules/pkg/lib/index.cjs');
const esm = await import('pkg');
console.log(JSON.stringify({
  paths: {
    here: t(() => app.resolve('./sub.js', { paths: [exe + '/src'] })),
    inner: t(() => app.resolve('inner', { paths: [exe + '/node_modules/pkg/lib'] })),
    nested: t(() => app.resolve('selfy/sub', { paths: [exe + '/node_modules/a'] })),
    missing: t(() => app.resolve('inner', { paths: [exe + '/src'] })),
    outside: t(() => app.resolve('inner', { paths: ['/nonexistent-dir'] })),
  },
  imports: { font: t(() => inPkg('#x/y')), resolved: t(() => inPkg.resolve('#int')), app: t(() => app.resolve('#lib/a')), loaded, esm: esm.default },
  self: t(() => createRequire(exe + '/node_modules/a/node_modules/selfy/i.js').resolve('selfy/sub')),
  find: { pkg: t(() => findPackageJSON('pkg', 'file://' + exe + '/src/main.js')), up: t(() => findPackageJSON('..', 'file://' + exe + '/src/main.js')) },
  meta: globalThis[Symbol.for('svcpack.resolve')].metaResolve('src/main.js', 'pkg'),
  cache: Object.keys(Module._cache).filter((k) => k.startsWith(exe)).sort(),
  children: Module._cache[exe + '/node_modules/pkg/lib/index.cjs'].children.map((c) => c.id).sort(),
}));
`;

describe('the hooks as installed in the exe', () => {
  it('honour paths, #imports through createRequire and import, self-references; findPackageJSON; require.cache keys at virtual paths', { timeout: 120_000 }, async () => {
    const r = await runOnHooksNode(TREE_SCRIPT);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      paths: {
        here: `${EXE}/src/sub.js`,
        inner: `${EXE}/node_modules/pkg/node_modules/inner/index.js`,
        nested: `${EXE}/node_modules/a/node_modules/selfy/lib/sub2.js`,
        missing: 'MODULE_NOT_FOUND',
        outside: 'MODULE_NOT_FOUND',
      },
      imports: { font: 'x-y', resolved: `${EXE}/node_modules/pkg/lib/int.cjs`, app: `${EXE}/src/lib/a.js`, loaded: { int: 'int', x: 'x-y', inner: 'inner' }, esm: 'int' },
      self: `${EXE}/node_modules/a/node_modules/selfy/lib/sub2.js`,
      find: { pkg: `${EXE}/node_modules/pkg/package.json`, up: `${EXE}/package.json` },
      meta: `file://${EXE}/node_modules/pkg/lib/index.mjs`,
      cache: [
        `${EXE}/node_modules/pkg/lib/index.cjs`,
        `${EXE}/node_modules/pkg/lib/int.cjs`,
        `${EXE}/node_modules/pkg/lib/x-y.cjs`,
        `${EXE}/node_modules/pkg/node_modules/inner/index.js`,
      ],
      children: [`${EXE}/node_modules/pkg/lib/int.cjs`, `${EXE}/node_modules/pkg/lib/x-y.cjs`, `${EXE}/node_modules/pkg/node_modules/inner/index.js`],
    });
  });
});
