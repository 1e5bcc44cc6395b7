/**
 * The file-reference scanner on snippets shaped like real packages (pino, thread-stream, piscina,
 * i18n loaders) and app code, as written and as tsc/esbuild/babel emit them.
 */
import { describe, expect, it } from 'vitest';
import { findFileReferences, type FileReference } from '../../../src/bundle/embedded/references';

/** The references without offsets, for comparing. */
function refs(source: string): Omit<FileReference, 'index'>[] {
  return findFileReferences(source).map(({ index: _, ...rest }) => rest);
}

const dir = (segments: string[], use: FileReference['use'] = 'path', partial = false) =>
  ({ base: 'module-dir', segments, partial, use }) as const;
const self = (use: 'worker' | 'fork') => ({ base: 'module-file', segments: [], partial: false, use }) as const;

describe('paths from the module folder', () => {
  it("pino's lib/transport.js: join(__dirname, …) kept in a variable, and '..'", () => {
    const src = `'use strict'
const { join, isAbsolute, sep } = require('node:path')
const loadTransportStreamBuilder = require('./transport-stream')
function transport (fullOptions) {
  let target = fullOptions.target
  const bundlerOverrides = '__bundlerPathsOverrides' in globalThis ? globalThis.__bundlerPathsOverrides : {}
  if (targets) {
    target = bundlerOverrides['pino-worker'] || join(__dirname, 'worker.js')
  } else if (pipeline) {
    target = bundlerOverrides['pino-pipeline-worker'] || join(__dirname, '..', 'file.js')
  }
  return buildStream(fixTarget(target), options, worker, sync)
}`;
    expect(refs(src)).toEqual([dir(['worker.js']), dir(['..', 'file.js'])]);
  });

  it("thread-stream: join(__dirname, 'lib', 'worker.js') as the Worker's first argument", () => {
    const src = `const { Worker } = require('worker_threads')
const { join } = require('path')
function createWorker (stream, opts) {
  const { filename, workerData } = opts
  const toExecute = bundlerOverrides['thread-stream-worker'] || join(__dirname, 'lib', 'worker.js')
  const worker = new Worker(join(__dirname, 'lib', 'worker.js'), {
    ...opts.workerOpts,
    trackUnmanagedFds: false,
  })
  return worker
}`;
    expect(refs(src)).toEqual([dir(['lib', 'worker.js']), dir(['lib', 'worker.js'], 'worker')]);
  });

  it("piscina compiled by tsc: (0, node_path_1.resolve)(__dirname, 'worker.js')", () => {
    const src = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const node_path_1 = require("node:path");
const node_worker_threads_1 = require("node:worker_threads");
class ThreadPool {
    _addNewWorker() {
        const worker = new node_worker_threads_1.Worker((0, node_path_1.resolve)(__dirname, 'worker.js'), {
            env: this.options.env,
            argv: this.options.argv,
        });
    }
}`;
    expect(refs(src)).toEqual([dir(['worker.js'], 'worker')]);
  });

  it('minified, esbuild and posix variants, with newlines between tokens', () => {
    expect(refs(`var a=(0,n.join)(__dirname,"templates","page.html");`)).toEqual([dir(['templates', 'page.html'])]);
    expect(refs(`const f = import_node_path.default.join(\n  __dirname,\n  "../assets/logo.png"\n);`)).toEqual([
      dir(['../assets/logo.png']),
    ]);
    expect(refs('const p = path.posix.join(__dirname, `static`, "index.html")')).toEqual([dir(['static', 'index.html'])]);
    expect(refs("const p = path.resolve(import.meta.dirname, 'lib/worker.js')")).toEqual([dir(['lib/worker.js'])]);
    expect(refs("const p = join(dirname(fileURLToPath(import.meta.url)), 'schema.sql')")).toEqual([dir(['schema.sql'])]);
  });

  it('an i18n loader: a variable after the literals makes the reference partial', () => {
    const src = `function load(lang) {
  const file = path.join(__dirname, 'locales', lang + '.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}`;
    expect(refs(src)).toEqual([dir(['locales'], 'path', true)]);
    expect(refs("path.join(__dirname, 'locales/' + lang)")).toEqual([dir(['locales'], 'path', true)]);
    expect(refs('path.join(__dirname, `locales/${lang}.json`)')).toEqual([dir(['locales'], 'path', true)]);
    expect(refs('path.join(__dirname, file)')).toEqual([dir([], 'path', true)]);
  });

  it('a placeholder the library fills in (i18next-fs-backend, printf, globs) names the folder before it', () => {
    expect(refs("backend: { loadPath: path.join(import.meta.dirname, 'locales/{{lng}}/{{ns}}.json') }")).toEqual([dir(['locales'], 'path', true)]);
    expect(refs("loadPath: join(__dirname, 'i18n', '{lng}', '{ns}.json')")).toEqual([dir(['i18n'], 'path', true)]);
    expect(refs("const f = __dirname + '/data/%s.json'")).toEqual([dir(['data'], 'path', true)]);
    expect(refs("glob(path.join(__dirname, 'migrations/*.sql'))")).toEqual([dir(['migrations'], 'path', true)]);
    expect(refs("new URL('./locales/{{lng}}.json', import.meta.url)")).toEqual([dir(['locales'], 'path', true)]);
    expect(refs("path.join(__dirname, '{{lng}}.json')")).toEqual([dir([], 'path', true)]);
    expect(refs("path.join(__dirname, 'static', 'a-b.json')")).toEqual([dir(['static', 'a-b.json'])]);
  });

  it('__dirname + literal and template strings, leading separator dropped', () => {
    expect(refs("const cert = fs.readFileSync(__dirname + '/certs/ca.pem')")).toEqual([dir(['certs/ca.pem'])]);
    expect(refs(String.raw`const ini = __dirname + "\\defaults.ini";`)).toEqual([dir(['defaults.ini'])]);
    expect(refs("const p = __dirname + path.sep + 'data.bin'")).toEqual([dir(['data.bin'])]);
    expect(refs('const p = `${__dirname}/x.txt`;')).toEqual([dir(['x.txt'])]);
    expect(refs('const p = `${import.meta.dirname}/views/${name}.ejs`;')).toEqual([dir(['views'], 'path', true)]);
    expect(refs("const p = __dirname + '/views/' + name")).toEqual([dir(['views'], 'path', true)]);
  });

  it("the ES module idiom: a variable set to the module's folder counts as __dirname", () => {
    const src = [
      'const here = path.dirname(fileURLToPath(import.meta.url));',
      "new Worker(path.join(here, 'workers', 'echo-worker.js'));",
      "await fs.promises.readdir(path.join(here, 'data', 'locales'));",
      "const root: string = fileURLToPath(new URL('.', import.meta.url));",
      "fs.readFileSync(root + '/a.txt'); join(elsewhere, 'no.txt');",
    ].join('\n');
    expect(refs(src).map((r) => [r.segments, r.use])).toEqual([
      [['workers', 'echo-worker.js'], 'worker'],
      [['data', 'locales'], 'path'],
      [['.'], 'path'],
      [['a.txt'], 'path'],
    ]);
  });

  it('new URL(…, import.meta.url), and import.meta.resolve of a relative path', () => {
    const src = `import { Worker } from 'node:worker_threads';
const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { workerData });
const dataDir = new URL("../data/", import.meta.url);
const remote = new URL('https://example.com/x', import.meta.url);
const helper = import.meta.resolve('./helper.js');
const pkg = import.meta.resolve('lodash');`;
    expect(refs(src)).toEqual([dir(['./hash-worker.ts'], 'worker'), dir(['../data/']), dir(['./helper.js'])]);
  });
});

describe('workers and child processes', () => {
  it('a module that starts itself as a worker, guarded by isMainThread', () => {
    const src = `const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (isMainThread) {
  const worker = new Worker(__filename, { workerData: 1 });
  worker.on('message', console.log);
} else {
  parentPort.postMessage(heavy());
}`;
    expect(refs(src)).toEqual([self('worker')]);
  });

  it('every way of naming the module itself', () => {
    for (const arg of [
      'fileURLToPath(import.meta.url)',
      'url.fileURLToPath(import.meta.url), { workerData }',
      '(0, url_1.fileURLToPath)(import.meta.url)',
      'import.meta.filename',
      'new URL(import.meta.url)',
      'import.meta.url',
    ]) {
      expect(refs(`const w = new Worker(${arg});`), arg).toEqual([self('worker')]);
    }
    expect(refs('const child = fork(__filename, ["child"]);')).toEqual([self('fork')]);
    expect(refs('cp.fork(fileURLToPath(import.meta.url))')).toEqual([self('fork')]);
  });

  it('fork with a module-dir path, and relative literals resolved against the working folder', () => {
    const src = `const child_process = require('child_process');
const job = child_process.fork(path.join(__dirname, 'job.js'), ['a']);
const other = fork('./job.js');
const w = new Worker("../workers/w.js", { workerData });
const x = (0, import_child_process.fork)('./task.js', [], { silent: true });`;
    expect(findFileReferences(src)).toEqual([
      { ...dir(['job.js'], 'fork'), index: src.indexOf('path.join') },
      { base: 'cwd', segments: ['./job.js'], partial: false, use: 'fork', index: src.indexOf("fork('./job") },
      { base: 'cwd', segments: ['../workers/w.js'], partial: false, use: 'worker', index: src.indexOf('new Worker') },
      { base: 'cwd', segments: ['./task.js'], partial: false, use: 'fork', index: src.indexOf('(0, import_child') },
    ]);
  });

  it('a worker path built by concatenation or a template string', () => {
    expect(refs("new Worker(__dirname + '/worker.js')")).toEqual([dir(['worker.js'], 'worker')]);
    expect(refs('new Worker(`${__dirname}/worker.js`, { workerData })')).toEqual([dir(['worker.js'], 'worker')]);
    expect(refs("new Worker(fileURLToPath(new URL('./w.mjs', import.meta.url)))")).toEqual([dir(['./w.mjs'], 'worker')]);
  });

  it('new Worker(code, { eval: true }) and absolute or bare literals are not references', () => {
    expect(refs('const w = new Worker(code, { eval: true });')).toEqual([]);
    expect(refs("const w = new Worker(`require('x')`, { eval: true });")).toEqual([]);
    expect(refs("const w = new Worker('worker.js');")).toEqual([]);
  });
});

describe('worker-transport packages', () => {
  it("pino.transport targets: 'pino/file' and 'pino-pretty'", () => {
    const src = `const transport = pino.transport({
  targets: [
    { target: 'pino/file', options: { destination: 1 } },
    { target: 'pino-pretty', level: 'debug' },
    { "target": "@myorg/pino-cloud" },
    { target: "./my-transport.mjs" },
  ]
})`;
    const pkg = (name: string) => ({ base: 'package', segments: [name], partial: false, use: 'path' });
    expect(refs(src)).toEqual([pkg('pino/file'), pkg('pino-pretty'), pkg('@myorg/pino-cloud')]);
  });

  it('build targets, link targets and paths are not packages', () => {
    const src = `esbuild.build({ target: 'es2020' }); tsc({ target: "ESNext" }); b({ target: 'node18' });
a({ target: '_blank' }); b({ target: 'web' }); c({ target: '/abs/t.js' }); d({ target: 'C:\\\\x' });
e({ target: 'a b' }); f({ target: 'http://x' }); g({ target: 'body' }); h(event.target);`;
    expect(refs(src)).toEqual([]);
  });
});

describe('what is not a reference', () => {
  it('ignores comments but not strings that look like them', () => {
    const src = `// const w = new Worker(__filename)
/* path.join(__dirname, 'old.js')
   fork('./job.js') */
  /**
   * @example pino.transport({ target: 'pino-pretty' })
   */
const url = 'http://example.com/*'; const re = /\\/\\/|'/g; const half = a / b;
const keep = path.join(__dirname, 'kept.js'); // path.join(__dirname, 'trailing.js')
const t = \`\${ {a: 1}.a } // not a comment \${ \`/*\` }\`, u = \`\${__dirname}/in-template.txt\`;
/* a */ const after = join(__dirname, 'after.js');`;
    expect(refs(src)).toEqual([dir(['kept.js']), dir(['in-template.txt']), dir(['after.js'])]);
  });

  it('a base that is not the module folder', () => {
    expect(refs("path.join(dir, 'x'); path.resolve(process.cwd(), 'y'); join(os.tmpdir(), 'z'); path.join(__dirname)")).toEqual(
      [],
    );
  });

  it('returns [] for a large file without any trigger word, and for odd input', () => {
    const big = 'const x = path.join(somewhere, "file.js"); // nothing here\n'.repeat(40_000);
    expect(big.length).toBeGreaterThan(2_000_000);
    expect(findFileReferences(big)).toEqual([]);
    expect(findFileReferences('')).toEqual([]);
    expect(findFileReferences(undefined as unknown as string)).toEqual([]);
    for (const broken of ["path.join(__dirname, 'unterminated", '`${__dirname} /* ${ `${ } //', "fork(/[/*]/'"]) {
      expect(() => findFileReferences(broken)).not.toThrow();
    }
  });
});
