/**
 * Which specifiers the module hooks serve from the exe (embeddedModuleOf, relativeOfUrl), on
 * POSIX exe paths (the functions use the host's path rules); then the hooks themselves on a real
 * Node ≥ 22.15 (module.registerHooks), in a child process when the test runner's Node is older.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbedManifest } from '../../../runtime-shim/embedded/manifest';
import { embeddedModuleOf, relativeOfUrl } from '../../../runtime-shim/embedded/module-hooks';
import { repoModule, runOnHooksNode } from '../../support/hooks-node';

const EXE = '/opt/svc/app.exe';
const manifest: EmbedManifest = {
  modules: {
    'src/jobs/w.ts': 'module-w',
    'src/jobs/sib.ts': 'module-sib',
    'src/lib/util.ts': 'module-util',
    'node_modules/pino/lib/worker.js': 'module-pino',
    'svcpack-chunk-ABC.mjs': 'module-chunk',
  },
  files: {},
  bundlerPaths: {},
};
const W = 'file:///opt/svc/app.exe/src/jobs/w.ts';
const of = (specifier: string, parentURL?: string) => embeddedModuleOf(specifier, parentURL, manifest, EXE);

describe('relativeOfUrl', () => {
  it('the tree path of a file: URL inside the exe', () => {
    expect(relativeOfUrl(W, EXE)).toBe('src/jobs/w.ts');
    expect(relativeOfUrl('file:///opt/svc/app.exe/data/not-a-module.txt', EXE)).toBe('data/not-a-module.txt');
  });

  it("pino's shape, 'file://' + the path", () => {
    expect(relativeOfUrl('file://' + '/opt/svc/app.exe/node_modules/pino/lib/worker.js', EXE)).toBe('node_modules/pino/lib/worker.js');
  });

  it('percent-encoded characters of the exe path', () => {
    expect(relativeOfUrl('file:///opt/my%20svc/app.exe/src/a.ts', '/opt/my svc/app.exe')).toBe('src/a.ts');
  });

  it('null: not a file: URL, not inside the exe, the exe itself, or no path at all', () => {
    expect(relativeOfUrl('node:fs', EXE)).toBeNull();
    expect(relativeOfUrl('data:text/javascript,1', EXE)).toBeNull();
    expect(relativeOfUrl('/opt/svc/app.exe/src/jobs/w.ts', EXE)).toBeNull();
    expect(relativeOfUrl('file:///srv/app/src/jobs/w.ts', EXE)).toBeNull();
    expect(relativeOfUrl('file:///opt/svc/app.exe', EXE)).toBeNull();
    expect(relativeOfUrl('file://remote-host/opt/svc/app.exe/a.js', EXE)).toBeNull();
  });
});

describe('embeddedModuleOf', () => {
  it('a virtual file: URL (as written, and as pino builds it)', () => {
    expect(of(W)).toBe('src/jobs/w.ts');
    expect(of('file://' + '/opt/svc/app.exe/node_modules/pino/lib/worker.js')).toBe('node_modules/pino/lib/worker.js');
  });

  it('an absolute path inside the exe', () => {
    expect(of('/opt/svc/app.exe/src/lib/util.ts', 'file:///srv/elsewhere.js')).toBe('src/lib/util.ts');
  });

  it('a relative specifier from an embedded module', () => {
    expect(of('./sib.ts', W)).toBe('src/jobs/sib.ts');
    expect(of('../lib/util.ts', W)).toBe('src/lib/util.ts');
  });

  it('a shared chunk by its file name, from any folder of the tree', () => {
    expect(of('./svcpack-chunk-ABC.mjs', W)).toBe('svcpack-chunk-ABC.mjs');
    expect(of('./svcpack-chunk-ABC.mjs', 'file:///opt/svc/app.exe/node_modules/pino/lib/worker.js')).toBe('svcpack-chunk-ABC.mjs');
    expect(of('./svcpack-chunk-ABC.mjs', 'file:///opt/svc/app.exe/svcpack-chunk-DEF.mjs')).toBe('svcpack-chunk-ABC.mjs');
    expect(of('../svcpack-chunk-ABC.mjs', W)).toBe('svcpack-chunk-ABC.mjs');
    expect(of('./svcpack-chunk-XYZ.mjs', W)).toBeNull();
  });

  it('null for what is not embedded: Node resolves it as usual', () => {
    expect(of('file:///opt/svc/app.exe/src/gone.ts')).toBeNull();
    expect(of('/opt/svc/app.exe/src/gone.ts')).toBeNull();
    expect(of('/srv/app/src/jobs/w.ts')).toBeNull();
    expect(of('./gone.ts', W)).toBeNull();
    expect(of('node:path', W)).toBeNull();
    expect(of('pino', W)).toBeNull();
  });

  it('null for a relative specifier whose parent is not in the exe (or unknown)', () => {
    expect(of('./sib.ts', 'file:///srv/app/src/jobs/w.ts')).toBeNull();
    expect(of('./svcpack-chunk-ABC.mjs', 'file:///srv/app/x.js')).toBeNull();
    expect(of('./sib.ts')).toBeNull();
  });
});

/**
 * installModuleHooks on a real Node: an entry, a sibling, a shared chunk and require() served from
 * sources in memory at virtual URLs; built-ins and missing modules handled by Node.
 */
const HOOKS_SCRIPT = `
import { createRequire } from 'node:module';
import { installModuleHooks } from ${repoModule('runtime-shim/embedded/module-hooks.ts')};
const exe = ${JSON.stringify(EXE)};
const sources = {
  'module-w': "import path from 'node:path'; import { shared } from './svcpack-chunk-ABC.mjs'; import { sib } from './sib.ts';" +
    " export const out = [shared, sib, path.posix.basename(import.meta.url)];",
  'module-sib': "export const sib = 'sib';",
  'module-chunk': "export const shared = 'chunk';",
};
const manifest = { modules: { 'src/jobs/w.ts': 'module-w', 'src/jobs/sib.ts': 'module-sib', 'svcpack-chunk-ABC.mjs': 'module-chunk' }, files: {}, bundlerPaths: {} };
installModuleHooks(manifest, (asset) => sources[asset], exe);
const w = await import('file:///opt/svc/app.exe/src/jobs/w.ts');
const required = createRequire(import.meta.url)('/opt/svc/app.exe/src/jobs/sib.ts');
const missing = await import('file:///opt/svc/app.exe/src/jobs/gone.ts').then(() => 'loaded', (e) => e.code);
console.log(JSON.stringify({ out: w.out, required: required.sib, missing }));
`;

describe('installModuleHooks on Node', () => {
  it('serves embedded modules to import and require at their virtual URLs', { timeout: 120_000 }, async () => {
    const r = await runOnHooksNode(HOOKS_SCRIPT);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ out: ['chunk', 'sib', 'w.ts'], required: 'sib', missing: 'ERR_MODULE_NOT_FOUND' });
  });
});

/**
 * The bundle's own `require` (made from the exe's path) finds packages in the embedded tree before
 * a node_modules folder beside the exe on disk, as Node in the app's folder looks in the folder's
 * own node_modules first; Node's search of the disk is the fallback for what the tree lacks.
 */
const TREE_FIRST_SCRIPT = (dir: string) => `
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { installModuleHooks } from ${repoModule('runtime-shim/embedded/module-hooks.ts')};
const dir = ${JSON.stringify(dir)};
const exe = dir + '/app.exe';
for (const [name, body] of [['dep', "module.exports = 'disk';"], ['only-on-disk', "module.exports = 'disk only';"]]) {
  fs.mkdirSync(dir + '/node_modules/' + name, { recursive: true });
  fs.writeFileSync(dir + '/node_modules/' + name + '/package.json', JSON.stringify({ name, version: '1.0.0' }));
  fs.writeFileSync(dir + '/node_modules/' + name + '/index.js', body);
}
const texts = {
  'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '2.0.0' }),
  'node_modules/dep/index.js': "module.exports = 'tree ' + require('./sub');",
  'node_modules/dep/sub.js': "module.exports = 'sub';",
};
const files = Object.fromEntries(Object.keys(texts).map((rel) => [rel, { asset: rel, size: texts[rel].length }]));
const manifest = { modules: {}, files, bundlerPaths: {}, packages: { 'node_modules/dep': 'dep@2.0.0' } };
installModuleHooks(manifest, (asset) => texts[asset], exe, (entry) => new TextEncoder().encode(texts[entry.asset]));
const req = createRequire(exe);
console.log(JSON.stringify({ dep: req('dep'), resolved: req.resolve('dep'), diskOnly: req('only-on-disk') }));
`;

describe('installModuleHooks: the bundle resolves packages from the tree first', () => {
  it('takes the tree copy over a node_modules beside the exe, and the disk for what the tree lacks', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-tree-first-'));
    try {
      const r = await runOnHooksNode(TREE_FIRST_SCRIPT(dir));
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ dep: 'tree sub', resolved: path.join(dir, 'app.exe', 'node_modules', 'dep', 'index.js'), diskOnly: 'disk only' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
