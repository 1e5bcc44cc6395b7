/**
 * One instance per package (src/bundle/shared-modules.ts, runtime-shim/embedded/shared-modules.ts):
 * esbuild's CommonJS helper, as the pinned esbuild writes it, announces each module once after it
 * ran; on a real Node the announced module is what `require` and `import()` of a computed name
 * resolved into the tree return, instead of a second copy from the tree.
 */
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { esbuild } from '../../src/bundle/esbuild';
import { SHARE_CJS_BANNER, shareCommonJsModules } from '../../src/bundle/shared-modules';
import { repoModule, runOnHooksNode } from '../support/hooks-node';
import { tempProjects } from '../support/temp-project';

const project = tempProjects('svcpack-shared-modules-');

describe('shareCommonJsModules', () => {
  it("patches the pinned esbuild's __commonJS helper: each package module is announced once, by its tree path", async () => {
    const dir = project({
      'node_modules/counter/package.json': JSON.stringify({ name: 'counter', version: '1.0.0', main: 'index.js' }),
      'node_modules/counter/index.js': 'let n = 0; module.exports = { next: () => ++n };\n',
      'lib/local.cjs': "module.exports = 'local';\n",
      'app.mjs': "import counter from 'counter'; import local from './lib/local.cjs'; counter.next(); globalThis.result = [counter.next(), local];\n",
    });
    const out = await esbuild.build({ entryPoints: [path.join(dir, 'app.mjs')], bundle: true, write: false, format: 'esm', platform: 'node', absWorkingDir: dir, banner: { js: SHARE_CJS_BANNER } });
    const code = shareCommonJsModules(out.outputFiles[0]!.text);
    const announced: string[] = [];
    const context = vm.createContext({ Symbol, globalThis: undefined as unknown });
    context.globalThis = context;
    (context as Record<symbol, unknown>)[Symbol.for('svcpack.shareModule')] = (key: string) => announced.push(key);
    vm.runInContext(code.replace(/^export\s*\{\s*\};?\s*$/m, ''), context);
    expect((context as { result?: unknown }).result).toEqual([2, 'local']);
    expect(announced).toEqual(['node_modules/counter/index.js']);
  });

  it('leaves a bundle that does not define the helper alone (none, or a split entry importing it), and patches a helper whose names esbuild suffixed (cb2), and refuses one it does not know', () => {
    expect(shareCommonJsModules('console.log(1);')).toBe('console.log(1);');
    expect(shareCommonJsModules('import { __commonJS } from "./chunk.mjs"; __commonJS({})')).toBe('import { __commonJS } from "./chunk.mjs"; __commonJS({})');
    const renamed = 'var __commonJS = (cb2, mod) => function __require2() {\n  try {\n    return mod || (0, cb2[__getOwnPropNames2(cb2)[0]])((mod = { exports: {} }).exports, mod), mod.exports;\n  } catch (e) {}\n};';
    expect(shareCommonJsModules(renamed)).toContain('return mod || ((0, cb2[__getOwnPropNames2(cb2)[0]])((mod = { exports: {} }).exports, mod), __svcpackShareCjs(__getOwnPropNames2(cb2)[0], mod)), mod.exports;');
    expect(() => shareCommonJsModules('var __commonJS = (cb) => cb; __commonJS({})')).toThrow(/__commonJS helper is not in the shape svcpack knows/);
  });
});

const SCRIPT = `
import { createRequire } from 'node:module';
import { installModuleHooks } from ${repoModule('runtime-shim/embedded/module-hooks.ts')};
import { installSharedModules } from ${repoModule('runtime-shim/embedded/shared-modules.ts')};
const exe = '/opt/svc/app.exe';
const text = { 'pj': JSON.stringify({ name: 'engine', version: '1.0.0', main: 'index.js' }), 'ix': "module.exports = { copy: 'tree' };" };
const manifest = {
  modules: {}, bundlerPaths: {},
  files: { 'node_modules/engine/package.json': { asset: 'pj', size: 1 }, 'node_modules/engine/index.js': { asset: 'ix', size: 1 } },
  packages: { 'node_modules/engine': 'engine@1.0.0' },
};
const read = (entry) => new TextEncoder().encode(text[entry.asset]);
installModuleHooks(manifest, (a) => text[a], exe, read);
installSharedModules(exe, (rel) => manifest.files[rel] !== undefined);
const require = createRequire(exe);
const name = ['eng', 'ine'].join('');
const before = require(name).copy;
delete require.cache[require.resolve(name)];
// What the bundle's __commonJS helper does once the app's inlined copy ran:
const bundled = { exports: { copy: 'bundle', helpers: [] } };
globalThis[Symbol.for('svcpack.shareModule')]('node_modules/engine/index.js', bundled);
bundled.exports.helpers.push('shout');
const viaRequire = require(name);
const viaImport = (await import(name)).default;
console.log(JSON.stringify({ before, required: viaRequire.copy, same: viaRequire === bundled.exports, imported: viaImport === bundled.exports, helpers: viaRequire.helpers }));
`;

describe('shared modules on Node', () => {
  it('require and import() of a computed name get the bundle instance once it is announced', { timeout: 120_000 }, async () => {
    const r = await runOnHooksNode(SCRIPT);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ before: 'tree', required: 'bundle', same: true, imported: true, helpers: ['shout'] });
  });
});
