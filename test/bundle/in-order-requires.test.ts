import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { inOrderRequiresPlugin } from '../../src/bundle/in-order-requires';
import { tempProjects } from '../support/temp-project';

const project = tempProjects('svcpack-in-order-');

/** `src/app.js` of `dir` bundled as bundle.ts does (an ES module for Node) with the plugin. */
async function bundle(dir: string, fromTree?: (name: string) => Promise<boolean>): Promise<string> {
  const result = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: [path.join(dir, 'src/app.js')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
    plugins: [inOrderRequiresPlugin({ projectDir: dir, fromTree })],
  });
  return result.outputFiles[0]!.text;
}

/**
 * Bundles `src/app.js` of `dir`, then runs it with a `require` that logs what it is asked for, beside a `log` the modules write to:
 * the order of the two shows where each load happens.
 */
async function run(dir: string, fromTree?: (name: string) => Promise<boolean>): Promise<{ events: string[]; code: string }> {
  const code = await bundle(dir, fromTree);
  const events: string[] = [];
  const fake: Record<string, unknown> = { 'node:http': { get: 'http.get' }, http: { get: 'http.get' }, pg: { Client: 'pg.Client' }, 'node:fs': { readFileSync: 'fs.readFileSync' } };
  const require = (id: string) => {
    events.push(`require ${id}`);
    return fake[id] ?? {};
  };
  // An ES module body runs as a function here: the bundle has no import or export left to keep.
  expect(code).not.toMatch(/^import /m);
  new Function('require', 'log', code)(require, (line: string) => events.push(line));
  return { events, code };
}

describe('inOrderRequiresPlugin', () => {
  it("loads a built-in an ES module imports at the importer's place, after the modules before it ran", async () => {
    const dir = project({
      'src/app.js': "import './tracing.js';\nimport http from 'node:http';\nlog(`app sees ${http.get}`);\n",
      'src/tracing.js': "log('tracing started');\n",
    });
    const { events } = await run(dir);
    expect(events).toEqual(['tracing started', 'require node:http', 'app sees http.get']);
  });

  it('gives each importing module its own require call, as Node runs one per module', async () => {
    const dir = project({
      'src/app.js': "import './a.js';\nimport './b.js';\n",
      'src/a.js': "import { get } from 'http';\nlog(`a ${get}`);\n",
      'src/b.js': "import * as http from 'http';\nlog(`b ${http.get}`);\n",
    });
    const { events } = await run(dir);
    expect(events).toEqual(['require http', 'a http.get', 'require http', 'b http.get']);
  });

  it("keeps a CommonJS require() of a built-in at its call site, and import() as a require when it runs", async () => {
    const dir = project({
      'src/app.js': "log('start');\nconst fs = require('node:fs');\nlog(fs.readFileSync);\nimport('node:http').then((m) => log(`later ${m.get}`));\n",
    });
    const { events } = await run(dir);
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['start', 'require node:fs', 'fs.readFileSync', 'require node:http', 'later http.get']);
  });

  it('with packages from the tree, loads those packages by require in order and bundles the rest', async () => {
    const dir = project({
      'package.json': '{"name":"app","version":"1.0.0"}',
      'node_modules/pg/package.json': '{"name":"pg","version":"8.0.0","main":"index.js"}',
      'node_modules/pg/index.js': "throw new Error('pg must not be bundled');\n",
      'node_modules/local-dev/package.json': '{"name":"local-dev","version":"1.0.0","main":"index.js"}',
      'node_modules/local-dev/index.js': "log('local-dev bundled');\nmodule.exports = 1;\n",
      'src/app.js': "import './tracing.js';\nimport { Client } from 'pg';\nimport 'local-dev';\nlog(`app sees ${Client}`);\n",
      'src/tracing.js': "log('tracing started');\n",
    });
    const asked: string[] = [];
    const { events } = await run(dir, async (name) => {
      asked.push(name);
      return name === 'pg';
    });
    expect(events).toEqual(['tracing started', 'require pg', 'local-dev bundled', 'app sees pg.Client']);
    expect([...new Set(asked)].sort()).toEqual(['local-dev', 'pg']);
  });

  it("keeps a bundled package's own imports of tree packages bundled (its addon helpers must reach the addon loader)", async () => {
    const dir = project({
      'package.json': '{"name":"app","version":"1.0.0"}',
      'node_modules/bindings/package.json': '{"name":"bindings","version":"1.0.0","main":"index.js"}',
      'node_modules/bindings/index.js': "log('bindings bundled');\nmodule.exports = () => 'addon';\n",
      'node_modules/native-db/package.json': '{"name":"native-db","version":"1.0.0","main":"index.js"}',
      'node_modules/native-db/index.js': "module.exports = require('bindings')();\n",
      'src/app.js': "import db from 'native-db';\nlog(`app sees ${db}`);\n",
    });
    const { events } = await run(dir, async (name) => name === 'bindings');
    expect(events).toEqual(['bindings bundled', 'app sees addon']);
  });

  it('lets an .mjs module take the default export of a built-in (a CommonJS module to it)', async () => {
    const dir = project({ 'src/app.js': "import './lib.mjs';\n", 'src/lib.mjs': "import http from 'node:http';\nlog(`mjs sees ${http.get}`);\n" });
    const { events } = await run(dir);
    expect(events).toEqual(['require node:http', 'mjs sees http.get']);
  });

  it('names no absolute build path in the bundle (reproducible across folders)', async () => {
    const dir = project({ 'src/app.js': "import http from 'node:http';\nlog(http.get);\n" });
    const { code } = await run(dir);
    expect(code).not.toContain(dir);
    expect(code).toMatch(/src\/app\.js: require\(\\?"node:http\\?"\)/);
  });
});

describe('inOrderRequiresPlugin: ES module packages loaded by require', () => {
  it("gives an ES module package's default and named exports to importers of every kind, not its namespace as a default", async () => {
    const dir = project({
      'package.json': '{"name":"app","version":"1.0.0","type":"module"}',
      'node_modules/esm-only/package.json': '{"name":"esm-only","version":"1.0.0","type":"module","exports":"./index.js"}',
      'node_modules/esm-only/index.js': 'export default class Queue {}\nexport const size = 3;\n',
      'node_modules/cjs-dual/package.json': '{"name":"cjs-dual","version":"1.0.0","exports":{"import":"./index.mjs","require":"./index.cjs"}}',
      'node_modules/cjs-dual/index.mjs': 'export default "esm build";\n',
      'node_modules/cjs-dual/index.cjs': 'module.exports = { build: "cjs" };\n',
      'src/app.js': "import Queue, { size } from 'esm-only';\nimport * as ns from 'esm-only';\nimport dual from 'cjs-dual';\nimport('esm-only').then((m) => log(`dynamic ${m.default === Queue}`));\nlog(`${Queue.name} ${size} ${ns.size} ${dual.build}`);\n",
    });
    const code = await bundle(dir, async () => true);
    const events: string[] = [];
    class Queue {}
    // What Node's require gives: an ES module's namespace (marked __esModule, it has a default
    // export), and for the dual package its `require` build.
    const loaded: Record<string, unknown> = {
      'esm-only': Object.freeze(Object.assign(Object.create(null), { __esModule: true, default: Queue, size: 3 })),
      'cjs-dual': { build: 'cjs' },
    };
    new Function('require', 'log', code)((id: string) => loaded[id], (line: string) => events.push(line));
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['Queue 3 3 cjs', 'dynamic true']);
  });
});
