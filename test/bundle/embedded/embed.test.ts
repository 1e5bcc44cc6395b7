/**
 * The whole bundling step with run-time files (bundleApp → embedRunTimeFiles) on a temp project:
 * a URL worker, a fork of a path built from __dirname, a file and a folder read at run time, two
 * entries sharing a module, `assets` globs; what the manifest and the SEA assets hold, how the
 * entry bundles look, and the pkg packer's warning.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleApp, type BundleInput } from '../../../src/bundle/bundle';
import { SvcpackError } from '../../../src/errors';
import { rejected } from '../../support/thrown';
import { tempProjects } from '../../support/temp-project';
import { testExeConfig } from '../../support/exe-config';

const exeConfig = testExeConfig('EmbedSvc', 'Embed Service');

const MULTI_MODULE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'multi', version: '1.0.0', type: 'module' }),
  'src/app.ts': [
    "import { Worker } from 'node:worker_threads';",
    "import { readFileSync } from 'node:fs';",
    "import path from 'node:path';",
    "import { startJob } from './jobs.cjs';",
    "export const worker = new Worker(new URL('./w.ts', import.meta.url));",
    "export const text = readFileSync(new URL('./data/a.txt', import.meta.url), 'utf8');",
    "export const greeting = (lang: string) => readFileSync(path.join(import.meta.dirname, 'locales', lang + '.json'), 'utf8');",
    'startJob();',
    '',
  ].join('\n'),
  'src/jobs.cjs': "const { fork } = require('node:child_process');\nconst path = require('node:path');\nexports.startJob = () => fork(path.join(__dirname, 'job.cjs'));\n",
  'src/w.ts': "import { parentPort } from 'node:worker_threads';\nimport { shared } from './shared.cjs';\nparentPort?.postMessage(shared('w'));\n",
  'src/job.cjs': "const { shared } = require('./shared.cjs');\nprocess.send?.(shared('job'));\n",
  'src/shared.cjs': "exports.shared = (x) => 'SHARED_MARKER:' + x;\n",
  'src/data/a.txt': 'hello',
  'src/locales/en.json': '{"hi":"hello"}',
  'src/locales/de.json': '{"hi":"hallo"}',
  'extra/one.txt': '1',
  'extra/two.txt': '22',
  'extra/skip.md': 'not matched',
};

/** A temp project from `files` (path → contents); returns its folder. */
const project = tempProjects('svcpack-embed-');

const bundle = (dir: string, more: Partial<BundleInput> = {}) =>
  bundleApp({ entry: path.join(dir, 'src/app.ts'), projectDir: dir, nodeMajor: 22, exeConfig, packer: 'direct', ...more });

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The inline source map of a bundle. */
function sourceMap(code: string): { sources: string[]; sourceRoot?: string } {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  expect(m, 'an inline source map').not.toBeNull();
  return JSON.parse(Buffer.from(m![1]!, 'base64').toString('utf8'));
}

/** The modules (esbuild's `// path` comments) whose part of the bundle matches `re`. */
function modulesMatching(code: string, re: RegExp): string[] {
  const names: string[] = [];
  let current = '';
  for (const line of code.split('\n')) {
    const header = /^\/\/ (\S+)$/.exec(line);
    if (header) current = header[1]!;
    else if (re.test(line) && !names.includes(current)) names.push(current);
  }
  return names;
}

describe('an app with workers, a fork and files read at run time', () => {
  it('embeds the entry modules, their shared chunk and the files, with a manifest', async () => {
    const dir = project(MULTI_MODULE);
    const out = await bundle(dir, { assets: ['extra/*.txt'] });
    const embedded = out.embedded!;
    const { manifest, assets } = embedded;

    // modules: the worker and the forked module by tree path, and the chunk they share
    const modules = Object.keys(manifest.modules).sort();
    expect(modules).toEqual(['src/job.cjs', 'src/w.ts', expect.stringMatching(/^svcpack-chunk-[A-Z0-9]+\.mjs$/)]);
    expect(embedded.summary.modules).toEqual(['src/job.cjs', 'src/w.ts']);
    for (const asset of Object.values(manifest.modules)) {
      expect(asset).toMatch(/^module-[0-9a-f]{64}$/);
      expect(asset).toBe(`module-${sha256(assets.get(asset)!)}`);
    }
    // the shared module sits in the chunk, which both entries import by its file name
    const chunkName = modules[2]!;
    const code = (rel: string) => assets.get(manifest.modules[rel]!) as string;
    expect(code(chunkName)).toContain('SHARED_MARKER');
    for (const entry of ['src/w.ts', 'src/job.cjs']) {
      expect(code(entry)).toContain(`from "./${chunkName}"`);
      expect(code(entry)).not.toContain('SHARED_MARKER');
    }

    // files: the one read by URL, the folder named by a partial join, the declared assets (not skip.md)
    expect(manifest.files).toEqual({
      'src/data/a.txt': { asset: `file-${sha256('hello')}`, size: 5 },
      'src/locales/de.json': { asset: `file-${sha256('{"hi":"hallo"}')}`, size: 14 },
      'src/locales/en.json': { asset: `file-${sha256('{"hi":"hello"}')}`, size: 14 },
      'extra/one.txt': { asset: `file-${sha256('1')}`, size: 1 },
      'extra/two.txt': { asset: `file-${sha256('22')}`, size: 2 },
    });
    expect(Buffer.from(assets.get(manifest.files['src/data/a.txt']!.asset)!).toString()).toBe('hello');
    expect(manifest.bundlerPaths).toEqual({});

    // the SEA assets: every module and file, and the manifest as embedded.json
    expect(JSON.parse(assets.get('embedded.json') as string)).toEqual(manifest);
    expect([...assets.keys()].sort()).toEqual(
      ['embedded.json', ...Object.values(manifest.modules), ...Object.values(manifest.files).map((f) => f.asset)].sort(),
    );
    expect(out.warnings).toEqual([]);
  });

  it('the app gets worker_threads through the shim; only shim modules import Node’s', async () => {
    const out = await bundle(project(MULTI_MODULE), { assets: ['extra/*.txt'] });
    expect(out.code).toContain('// svcpack:runtime-shim/embedded/worker-threads.ts');
    const importers = modulesMatching(out.code, /from "(node:)?worker_threads"/);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.every((m) => m.startsWith('svcpack:runtime-shim/'))).toBe(true);
    // the app's code keeps its worker, with its own location for import.meta.url
    expect(modulesMatching(out.code, /new Worker\(new URL\("\.\/w\.ts", __svcpack_meta_url\d*\)\)/)).toEqual(['src/app.ts']);
    expect(out.code).toMatch(/__svcpackUrl\("src\/app\.ts"\)/);
  });

  it('each embedded module has an inline source map rooted at svcpack:///', async () => {
    const dir = project(MULTI_MODULE);
    const out = await bundle(dir, { assets: ['extra/*.txt'] });
    const { manifest, assets } = out.embedded!;
    for (const [rel, asset] of Object.entries(manifest.modules)) {
      const map = sourceMap(assets.get(asset) as string);
      expect(map.sourceRoot, rel).toBe('svcpack:///');
      if (!rel.startsWith('svcpack-chunk-')) expect(map.sources).toContain(rel);
    }
    // the entries' inputs are listed for the build record
    expect(out.inputs['src/w.ts']).toBe(fs.statSync(path.join(dir, 'src/w.ts')).size);
    expect(out.inputs['src/shared.cjs']).toBeGreaterThan(0);
  });

  it('an assets glob that matches nothing is a usage error (ASSET_NOT_FOUND, exit 2)', async () => {
    const dir = project(MULTI_MODULE);
    const err = await rejected(SvcpackError, bundle(dir, { assets: ['extra/*.txt', 'nope/*.bin'] }));
    expect(err.code).toBe('ASSET_NOT_FOUND');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('"nope/*.bin"');
    expect(err.message).not.toContain('extra/*.txt');
  });

  it('with the pkg packer nothing is embedded, and a warning names the worker and fork entries', async () => {
    const out = await bundle(project(MULTI_MODULE), { packer: 'pkg' });
    expect(out.embedded).toBeUndefined();
    expect(out.warnings).toHaveLength(1);
    const names = /^the app starts (.+) in a worker thread or child process, which --packer pkg cannot embed/.exec(out.warnings[0]!)?.[1];
    expect(names?.split(', ').sort()).toEqual(['src/job.cjs', 'src/w.ts']);
    expect(out.warnings[0]).toContain('--packer direct');
  });
});

describe('an app that starts no module and reads no file', () => {
  it('embeds nothing: no asset to install at run time', async () => {
    const dir = project({
      'package.json': JSON.stringify({ name: 'plain', version: '1.0.0', type: 'module' }),
      'src/app.ts': "import { createServer } from 'node:http';\ncreateServer((_, res) => res.end('ok')).listen(0);\nconsole.log(__dirname);\n",
    });
    const out = await bundle(dir);
    expect(out.embedded!.assets.size).toBe(0);
    expect(out.embedded!.manifest).toEqual({ modules: {}, files: {}, bundlerPaths: {} });
    expect(out.embedded!.summary).toEqual({ modules: [], files: [] });
    expect(out.warnings).toEqual([]);
  });
});

describe('an app with a dependency tree', () => {
  it("carries the app's own package.json for resolution (its imports and exports), not as a file fs serves", async () => {
    const pkgJson = JSON.stringify({ name: 'treeapp', version: '1.0.0', type: 'module', imports: { '#lib': './src/lib.ts' } });
    const dir = project({ 'package.json': pkgJson, 'src/app.ts': "console.log(import.meta.resolve('#lib'));\n" });
    const data = new TextEncoder().encode('module.exports = 1;\n');
    const tree = {
      files: [{ rel: 'node_modules/dep/index.js', data }],
      packages: [{ name: 'dep', version: '1.0.0', integrity: null, license: null, location: 'node_modules/dep', source: 'installed' as const, files: 1, bytes: data.byteLength }],
    };
    const out = await bundle(dir, { tree });
    expect(out.embedded!.manifest.appPackage).toBe(pkgJson);
    expect(out.embedded!.manifest.files['package.json']).toBeUndefined();
    expect(out.embedded!.summary.files).toEqual([]);
  });
});

describe('an app that imports what it lists in a folder (an autoloader)', () => {
  const AUTOLOAD: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'autoload', version: '1.0.0', type: 'module' }),
    'src/app.ts': [
      "import fs from 'node:fs';",
      "import path from 'node:path';",
      "import { pathToFileURL } from 'node:url';",
      "const routes = path.join(import.meta.dirname, 'routes');",
      'for (const f of fs.readdirSync(routes)) await import(pathToFileURL(path.join(routes, f)).href);',
      "export const staticFiles = fs.readdirSync(path.join(import.meta.dirname, 'public'));",
      '',
    ].join('\n'),
    'src/routes/users.ts': "import { tag } from '../lib/tag.ts';\nexport default (x: string): string => tag('users', x);\n",
    'src/routes/health.mjs': "export default () => 'ROUTE_HEALTH_MARKER';\n",
    'src/routes/readme.txt': 'not a module',
    'src/lib/tag.ts': "export const tag = (a: string, b: string): string => `TAG_MARKER:${a}:${b}`;\n",
    'src/public/index.html': '<script src="app.js"></script>',
    'src/public/app.js': "import missing from './not-there.js';\nconsole.log(missing);\n",
  };

  it('its scripts are embedded as modules too (compiled), a script that does not bundle stays a file with a warning', async () => {
    const out = await bundle(project(AUTOLOAD));
    const { manifest, assets } = out.embedded!;
    expect(Object.keys(manifest.modules).filter((m) => !m.startsWith('svcpack-chunk-')).sort()).toEqual(['src/routes/health.mjs', 'src/routes/users.ts']);
    const code = (rel: string) => assets.get(manifest.modules[rel]!) as string;
    expect(code('src/routes/users.ts')).toContain('TAG_MARKER');
    expect(code('src/routes/users.ts')).not.toContain(': string');
    expect(code('src/routes/health.mjs')).toContain('ROUTE_HEALTH_MARKER');
    // listing the folder still shows every file, the TypeScript sources among them
    expect(Object.keys(manifest.files).sort()).toEqual([
      'src/public/app.js',
      'src/public/index.html',
      'src/routes/health.mjs',
      'src/routes/readme.txt',
      'src/routes/users.ts',
    ]);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatch(/^src\/public\/app\.js is in a folder the app reads but does not bundle as a module \(.*not-there\.js.*\): embedded as a file only/);
  });
});
