/**
 * Each bundled module's place in the virtual tree (treePath) and the declarations that give it its
 * own __filename/__dirname/import.meta (locationPrefix, and the plugin on a small esbuild build).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuild } from '../../../src/bundle/esbuild';
import { LOCATION_DEFINES, locationPrefix, locationsPlugin, RESOLVE_HELPERS, treePath } from '../../../src/bundle/embedded/locations';
import { RunTimeFiles } from '../../../src/bundle/embedded/run-time-files';
import { tempProjects } from '../../support/temp-project';

describe('treePath', () => {
  const proj = path.join(path.sep, 'work', 'proj');

  it('the path relative to the project, with / separators', () => {
    expect(treePath(proj, path.join(proj, 'src', 'jobs', 'hash.ts'))).toBe('src/jobs/hash.ts');
    expect(treePath(proj, path.join(proj, 'node_modules', 'pino', 'lib', 'worker.js'))).toBe('node_modules/pino/lib/worker.js');
  });

  it('outside the project, each leading .. becomes _up_ (a hoisted node_modules of a monorepo)', () => {
    expect(treePath(proj, path.join(proj, '..', '..', 'node_modules', 'x', 'index.js'))).toBe('_up_/_up_/node_modules/x/index.js');
    expect(treePath(proj, path.join(proj, '..', 'shared', 'a.ts'))).toBe('_up_/shared/a.ts');
  });

  it('a name that merely starts with .. is kept', () => {
    expect(treePath(proj, path.join(proj, '..data', 'a.txt'))).toBe('..data/a.txt');
  });
});

describe('locationPrefix', () => {
  it('nothing for a module that mentions none of the five', () => {
    expect(locationPrefix('export const x = 1;\n', 'src/a.ts')).toBe('');
  });

  it('only what the source mentions, on one line', () => {
    expect(locationPrefix('console.log(__dirname)', 'src/a.ts')).toBe('var __svcpack_dirname = /* @__PURE__ */ __svcpackDir("src/a.ts");');
    expect(locationPrefix('module.exports = __filename', 'lib/b.cjs')).toBe('var __svcpack_filename = /* @__PURE__ */ __svcpackFile("lib/b.cjs");');
  });

  it('import.meta declares url, filename and dirname', () => {
    expect(locationPrefix('new URL("./w.ts", import.meta.url)', 'src/a.ts')).toBe(
      'var __svcpack_meta_url = /* @__PURE__ */ __svcpackUrl("src/a.ts"), ' +
        '__svcpack_meta_filename = /* @__PURE__ */ __svcpackFile("src/a.ts"), ' +
        '__svcpack_meta_dirname = /* @__PURE__ */ __svcpackDir("src/a.ts");',
    );
  });

  it('require.resolve and import.meta.resolve each declare their own helper', () => {
    expect(locationPrefix("require.resolve('./w.js')", 'node_modules/x/a.js')).toBe(
      'var __svcpack_require_resolve = /* @__PURE__ */ __svcpackRequireResolve("node_modules/x/a.js");',
    );
    expect(locationPrefix("import.meta.resolve('pg')", 'src/a.ts')).toContain('__svcpack_meta_resolve = /* @__PURE__ */ __svcpackMetaResolve("src/a.ts")');
  });

  it('the path is a JSON string literal', () => {
    expect(locationPrefix('__dirname', 'src/it\'s "x".ts')).toBe('var __svcpack_dirname = /* @__PURE__ */ __svcpackDir("src/it\'s \\"x\\".ts");');
  });
});

describe('locationsPlugin', () => {
  const project = tempProjects('svcpack-locations-');

  /** `entry` of `dir` bundled as an ES module for Node with the plugin (and `more` build options). */
  async function bundle(dir: string, entry: string, plugin: { declare: boolean; addedBytes?: Map<string, number> }, more: Partial<Esbuild.BuildOptions> = {}): Promise<string> {
    const result = await esbuild.build({
      entryPoints: [path.join(dir, entry)],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      ...(plugin.declare ? { define: LOCATION_DEFINES } : {}),
      ...more,
      plugins: [locationsPlugin(dir, new RunTimeFiles(dir), { declare: plugin.declare, addedBytes: plugin.addedBytes ?? new Map() })],
    });
    return result.outputFiles![0]!.text;
  }

  it("each module gets its own location, a module's own __dirname is kept, a #! line stays first", async () => {
    const files: Record<string, string> = {
      'src/app.js': "#!/usr/bin/env node\nimport { b } from './lib/b.js';\nimport { c } from './c.mjs';\nexport const a = [__dirname, b, c];\n",
      'src/lib/b.js': 'export const b = __filename;\n',
      'src/c.mjs': "import { dirname } from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst __dirname = dirname(fileURLToPath(import.meta.url));\nexport const c = __dirname;\n",
    };
    const dir = project(files);
    const addedBytes = new Map<string, number>();
    const code = await bundle(dir, 'src/app.js', { declare: true, addedBytes });
    expect(code.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(code).toMatch(/__svcpack_dirname\d* = \/\* @__PURE__ \*\/ __svcpackDir\("src\/app\.js"\)/);
    expect(code).toMatch(/__svcpack_filename\d* = \/\* @__PURE__ \*\/ __svcpackFile\("src\/lib\/b\.js"\)/);
    expect(code).toMatch(/__svcpack_meta_url\d* = \/\* @__PURE__ \*\/ __svcpackUrl\("src\/c\.mjs"\)/);
    // c.mjs's own __dirname is its own variable, not the declared one
    expect(code).not.toMatch(/__svcpackDir\("src\/c\.mjs"\)/);
    expect(code).toMatch(/var __dirname\d* = dirname\(fileURLToPath\(__svcpack_meta_url\d*\)\)/);
    // the bytes added are recorded per module, so the build record can report the files' own sizes
    expect(addedBytes.get(path.join(dir, 'src/lib/b.js'))).toBe(Buffer.byteLength(locationPrefix(files['src/lib/b.js']!, 'src/lib/b.js')));
  });

  it("require.resolve and import.meta.resolve answer from each module's own place (the banner's helpers)", async () => {
    const files: Record<string, string> = {
      'src/app.mjs': "import lib from 'lib';\nexport default { lib, meta: import.meta.resolve('./data/x.json'), builtin: require.resolve('node:fs'), dep: require.resolve('dep', { paths: [__dirname] }) };\n",
      'node_modules/lib/package.json': '{"name":"lib"}',
      'node_modules/lib/index.js': "module.exports = { worker: require.resolve('./worker.js'), paths: require.resolve.paths('dep')[0] };\n",
      'node_modules/lib/worker.js': '',
      'node_modules/dep/package.json': '{"name":"dep","main":"main.js"}',
      'node_modules/dep/main.js': '',
    };
    const dir = fs.realpathSync(project(files));
    // The banner's helpers, with the project folder standing for the exe's virtual folder.
    const banner = [
      "import { createRequire as __svcpackCreateRequire } from 'node:module';",
      "import { join as __svcpackJoin, dirname as __svcpackDirname } from 'node:path';",
      "import { pathToFileURL as __svcpackPathToFileURL } from 'node:url';",
      `const __svcpackFile = (rel) => __svcpackJoin(${JSON.stringify(dir)}, rel);`,
      'const __svcpackDir = (rel) => __svcpackDirname(__svcpackFile(rel));',
      'const __svcpackUrl = (rel) => __svcpackPathToFileURL(__svcpackFile(rel)).href;',
      'const require = __svcpackCreateRequire(import.meta.url);',
      ...RESOLVE_HELPERS,
    ].join('\n');
    const code = await bundle(dir, 'src/app.mjs', { declare: true }, { banner: { js: banner } });
    const out = path.join(os.tmpdir(), `svcpack-locations-${process.pid}.mjs`);
    fs.writeFileSync(out, code);
    try {
      const got = ((await import(`${pathToFileURL(out).href}?${Date.now()}`)) as { default: unknown }).default;
      expect(got).toEqual({
        lib: { worker: path.join(dir, 'node_modules/lib/worker.js'), paths: path.join(dir, 'node_modules/lib/node_modules') },
        meta: pathToFileURL(path.join(dir, 'src/data/x.json')).href,
        builtin: 'node:fs',
        dep: path.join(dir, 'node_modules/dep/main.js'),
      });
    } finally {
      fs.rmSync(out, { force: true });
    }
  });

  it('declare: false (pkg) adds nothing', async () => {
    const dir = project({ 'app.js': 'console.log(__filename);\n' });
    const addedBytes = new Map<string, number>();
    expect(await bundle(dir, 'app.js', { declare: false, addedBytes })).not.toContain('__svcpackFile');
    expect(addedBytes.size).toBe(0);
  });
});
