/**
 * Optional dependencies (optional-imports.ts) on small temp projects: what builds with one
 * warning, what still fails as before, and what the bundled code does at run time (evaluated by
 * Node on this machine: the app bundled with the plugin alone, as an ES module).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleApp, type BundleInput } from '../../../src/bundle/bundle';
import { esbuild } from '../../../src/bundle/esbuild';
import { packageOf } from '../../../src/bundle/module-names';
import { FOREIGN_PLATFORM_PACKAGE, missingWarning, OptionalImports, optionalImportsPlugin } from '../../../src/bundle/optional/optional-imports';
import { SvcpackError } from '../../../src/errors';
import { rejected } from '../../support/thrown';
import { tempProjects } from '../../support/temp-project';
import { testExeConfig } from '../../support/exe-config';

const exeConfig = testExeConfig('OptSvc', 'Optional Service');

/** A temp project from `files` (path → contents); returns its folder. */
const project = tempProjects('svcpack-optional-');

const inputFor = (dir: string, packer: BundleInput['packer'] = 'direct'): BundleInput => ({
  entry: path.join(dir, 'src/app.ts'),
  projectDir: dir,
  nodeMajor: 22,
  exeConfig,
  packer,
});

/** A package whose optional imports are missing, the way real packages write them. */
const LIB_A = {
  'node_modules/lib-a/package.json': JSON.stringify({ name: 'lib-a', version: '1.0.0', main: 'index.js' }),
  'node_modules/lib-a/index.js': [
    '// ws, debug, mongodb: try { require(...) } catch {}',
    'try {',
    "  exports.fast = require('fast-missing');",
    '} catch (e) {',
    "  exports.fastError = e.code + ': ' + e.message;",
    '}',
    "// Nest's loaders: a function that may never run",
    "exports.loadLater = () => require('later-missing');",
    "exports.loadAsync = function () { return import('@scope/async-missing/sub.js'); };",
    "exports.present = () => require('lib-b').name;",
    "try { exports.sub = require('lib-b/missing-sub'); } catch (e) { exports.subError = e.code; }",
    "try { require.resolve('resolve-missing'); } catch (e) { exports.resolveError = e.code; }",
    "exports.foreign = () => { try { return require('@lib-a/binding-darwin-arm64'); } catch (e) { return e.message; } };",
    '',
  ].join('\n'),
  'node_modules/lib-b/package.json': JSON.stringify({ name: 'lib-b', version: '1.0.0', main: 'index.js' }),
  'node_modules/lib-b/index.js': "exports.name = 'lib-b';\n",
};

const APP = [
  "import a from 'lib-a';",
  'async function main(): Promise<void> {',
  '  const out: Record<string, unknown> = { fastError: a.fastError, present: a.present(), subError: a.subError, resolveError: a.resolveError, foreign: a.foreign() };',
  '  try { a.loadLater(); } catch (e: any) { out.later = `${e.code}: ${e.message}`; }',
  '  await a.loadAsync().then(() => {}, (e: any) => { out.async = `${e.code}: ${e.message}`; });',
  "  try { await import('app-missing'); } catch (e: any) { out.app = e.code; }",
  "  out.chained = await import('chained-missing').catch((e: any) => e.code);",
  '  console.log(JSON.stringify(out));',
  '}',
  'await main();',
  '',
].join('\n');

describe('bundleApp: optional dependencies', () => {
  it('builds with one warning naming the missing packages and where they are imported', async () => {
    const dir = project({ ...LIB_A, 'src/app.ts': APP });
    const out = await bundleApp(inputFor(dir));
    const warnings = out.warnings.filter((w) => w.includes('optional'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      '6 optional packages are not installed (imported only in try blocks, functions or import()): ' +
        '@scope/async-missing, fast-missing, later-missing, lib-b/missing-sub (node_modules/lib-a/index.js), app-missing, chained-missing (src/app.ts)' +
        ' — the exe throws MODULE_NOT_FOUND only if code that loads one of them runs; if the app needs one, install it (npm install <package>) and build again',
    );
    // The stubs are bundled; the installed package too.
    const has = (text: string) => out.code.includes(text);
    expect(has("Cannot find module 'fast-missing'")).toBe(true);
    expect(has("Cannot find package '@scope/async-missing'")).toBe(true);
    expect(has('exports.name = "lib-b"')).toBe(true);
    // require.resolve is left to Node at run time: the module's own (locations.ts), not a stub.
    expect(out.code).toMatch(/__svcpack_require_resolve\d*\("resolve-missing"\)/);
  });

  it('warns about nothing when every import resolves', async () => {
    const dir = project({ ...LIB_A, 'node_modules/lib-a/index.js': "try { exports.b = require('lib-b'); } catch {}\n", 'src/app.ts': "import 'lib-a';\n" });
    const out = await bundleApp(inputFor(dir));
    expect(out.warnings).toEqual([]);
  });

  it.each([
    ['a top-level require()', "const x = require('top-missing');\nexports.x = x;\n", 'node_modules/lib-c/index.js:1:'],
    ['a require() at the top level as well as in a try', "try { require('top-missing'); } catch {}\nrequire('top-missing');\n", 'node_modules/lib-c/index.js:'],
    ['a require() in an if block', "if (process.env.X) { require('top-missing'); }\n", 'node_modules/lib-c/index.js:1:'],
    ['a require() in a UMD wrapper', "(function (f) { module.exports = f(require('top-missing')); })(function (x) { return x; });\n", 'node_modules/lib-c/index.js:1:'],
  ])('%s still fails the build with the usual error', async (_name, lib, where) => {
    const dir = project({
      'node_modules/lib-c/package.json': JSON.stringify({ name: 'lib-c', version: '1.0.0' }),
      'node_modules/lib-c/index.js': lib,
      'src/app.ts': "import 'lib-c';\n",
    });
    const err = await rejected(SvcpackError, bundleApp(inputFor(dir)));
    expect(err.code).toBe('BUNDLE_UNRESOLVED');
    expect(err.message).toContain(`cannot resolve import "top-missing" in ${where}`);
    expect(err.hint).toContain('npm install top-missing');
  });

  it.each([
    ['an import statement', "import x from 'top-missing';\nconsole.log(x);\n", 'src/app.ts:1:'],
    ['a top-level await import()', "const m = await import('top-missing');\nconsole.log(m);\n", 'src/app.ts:1:'],
    ['an export from', "export * from 'top-missing';\n", 'src/app.ts:1:'],
  ])('%s of a missing package still fails the build', async (_name, app, where) => {
    const dir = project({ 'src/app.ts': app });
    const err = await rejected(SvcpackError, bundleApp(inputFor(dir)));
    expect(err.code).toBe('BUNDLE_UNRESOLVED');
    expect(err.message).toContain(`cannot resolve import "top-missing" in ${where}`);
  });

  it('reads a TypeScript importer (types, return types) and names its line', async () => {
    const app = [
      'interface Driver { connect(): Promise<void> }',
      'export async function nativeDriver(): Promise<Driver | undefined> {',
      '  try {',
      "    const mod: { default: Driver } = await import('native-driver');",
      '    return mod.default;',
      '  } catch {',
      '    return undefined;',
      '  }',
      '}',
      "const lazy = (): unknown => require('lazy-driver');",
      'console.log(typeof nativeDriver, typeof lazy);',
      '',
    ].join('\n');
    const dir = project({ 'src/app.ts': app });
    const out = await bundleApp(inputFor(dir));
    expect(out.warnings).toEqual([expect.stringContaining(': lazy-driver, native-driver (src/app.ts) — ')]);
    const one = project({ 'src/app.ts': app.replace("const lazy = (): unknown => require('lazy-driver');", 'const lazy = 1;') });
    expect((await bundleApp(inputFor(one))).warnings).toEqual([expect.stringContaining(': native-driver (src/app.ts:4) — ')]);
  });

  it('reads a TypeScript importer with parameter decorators (Nest)', async () => {
    const app = [
      "import { Inject } from './di';",
      'export class Pipe {',
      "  constructor(@Inject('opts') private readonly opts: { validate?: boolean }) {}",
      '  async load(): Promise<unknown> {',
      "    return this.opts.validate ? require('class-validator') : undefined;",
      '  }',
      '}',
      'console.log(typeof Pipe);',
      '',
    ].join('\n');
    const dir = project({
      'src/app.ts': app,
      'src/di.ts': 'export const Inject = (token: string) => (target: unknown, key: unknown, index: number) => {};\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
    });
    const out = await bundleApp(inputFor(dir));
    expect(out.warnings).toEqual([expect.stringContaining(': class-validator (src/app.ts:5) — ')]);
  });

  it('is left out with the pkg packer (packages stay external there)', async () => {
    const dir = project({ ...LIB_A, 'src/app.ts': APP });
    const out = await bundleApp(inputFor(dir, 'pkg'));
    expect(out.warnings.filter((w) => w.includes('optional'))).toEqual([]);
  });
});

describe('the bundled code at run time', () => {
  /** Bundles `src/app.ts` with the plugin alone (and a require for CommonJS code), runs it with Node; returns stdout. */
  async function run(dir: string): Promise<string> {
    const found = new OptionalImports();
    const outfile = path.join(dir, 'out.mjs');
    await esbuild.build({
      entryPoints: [path.join(dir, 'src/app.ts')],
      absWorkingDir: dir,
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      plugins: [optionalImportsPlugin(found)],
    });
    expect(found.missing.size).toBeGreaterThan(0);
    // Run from a folder without node_modules: nothing can be found at run time but what is bundled.
    const runDir = project({});
    fs.copyFileSync(outfile, path.join(runDir, 'out.mjs'));
    return execFileSync(process.execPath, [path.join(runDir, 'out.mjs')], { cwd: runDir, encoding: 'utf8' });
  }

  it("loads, and throws Node's MODULE_NOT_FOUND naming the package only where the code runs", async () => {
    const dir = project({ ...LIB_A, 'src/app.ts': APP });
    const out = JSON.parse(await run(dir)) as Record<string, string>;
    expect(out).toEqual({
      fastError: "MODULE_NOT_FOUND: Cannot find module 'fast-missing' (not installed when this exe was built)",
      present: 'lib-b',
      subError: 'MODULE_NOT_FOUND',
      resolveError: 'MODULE_NOT_FOUND',
      foreign: "Cannot find module '@lib-a/binding-darwin-arm64' (for another platform; this exe is built for win32-x64)",
      later: "MODULE_NOT_FOUND: Cannot find module 'later-missing' (not installed when this exe was built)",
      async: "ERR_MODULE_NOT_FOUND: Cannot find package '@scope/async-missing' (not installed when this exe was built)",
      app: 'ERR_MODULE_NOT_FOUND',
      chained: 'ERR_MODULE_NOT_FOUND',
    });
  });

  it('an uncaught require of a missing optional package fails the app only when that code runs', async () => {
    const dir = project({
      'src/app.ts': "function connect() { return require('pg-native-ish'); }\nconsole.log('STARTED');\nif (process.env.NATIVE) connect();\n",
    });
    expect(await run(dir)).toBe('STARTED\n');
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(dir, 'out.mjs')], { env: { ...process.env, NATIVE: '1' }, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr: string }).stderr);
    }
    expect(stderr).toContain("Error: Cannot find module 'pg-native-ish'");
    expect(stderr).toContain("code: 'MODULE_NOT_FOUND'");
  });
});

describe('missingWarning', () => {
  const at = (entries: Array<[string, Array<[string, number | undefined]>]>) => new Map(entries.map(([name, files]) => [name, new Map(files)]));
  it('is none without missing packages; one package reads in the singular, with its line', () => {
    expect(missingWarning(new Map(), '/p')).toBeUndefined();
    expect(missingWarning(at([['pg-native', [['/p/node_modules/pg/lib/native/client.js', 7]]]]), '/p')).toBe(
      'an optional package is not installed (imported only in try blocks, functions or import()): pg-native (node_modules/pg/lib/native/client.js:7)' +
        ' — the exe throws MODULE_NOT_FOUND only if code that loads it runs; if the app needs it, install it (npm install pg-native) and build again',
    );
  });
  it('groups packages imported by the same file, counts further files, and shortens a long list', () => {
    const many = at([
      ['class-validator', [['/p/node_modules/@nestjs/common/pipes/validation.pipe.js', 64]]],
      ['class-transformer', [['/p/node_modules/@nestjs/common/pipes/validation.pipe.js', 68], ['/p/node_modules/@nestjs/common/serializer/x.js', 31]]],
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map((n): [string, Array<[string, number]>] => [`z-${n}`, [[`/p/src/${n}.ts`, 1]]]),
    ]);
    const w = missingWarning(many, '/p')!;
    expect(w).toContain('14 optional packages are not installed');
    expect(w).toContain(': class-transformer (node_modules/@nestjs/common/pipes/validation.pipe.js:68 and 1 more file), class-validator (node_modules/@nestjs/common/pipes/validation.pipe.js:64), z-a (src/a.ts:1), z-b (src/b.ts:1), z-c (src/c.ts:1), and 9 more: z-d, z-e, z-f, z-g, z-h, z-i, z-j, z-k, … — ');
    const grouped = at([
      ['kerberos', [['/p/node_modules/mongodb/lib/deps.js', 31]]],
      ['snappy', [['/p/node_modules/mongodb/lib/deps.js', 110]]],
    ]);
    expect(missingWarning(grouped, '/p')).toContain(': kerberos, snappy (node_modules/mongodb/lib/deps.js) — ');
  });
});

describe('packageOf', () => {
  it('names the package of a specifier', () => {
    expect(packageOf('class-validator')).toBe('class-validator');
    expect(packageOf('@nestjs/websockets/socket-module.js')).toBe('@nestjs/websockets');
    expect(packageOf('lodash/fp/map')).toBe('lodash');
  });
});

describe('FOREIGN_PLATFORM_PACKAGE', () => {
  it('matches packages of native binaries for other platforms, not win32-x64 nor ordinary names', () => {
    for (const name of ['@napi-rs/nice-darwin-universal', '@napi-rs/nice-wasm32-wasi', '@napi-rs/nice-openharmony-x64', '@esbuild/linux-x64', 'x-win32-ia32-msvc', '@img/sharp-libvips-linuxmusl-x64']) {
      expect(FOREIGN_PLATFORM_PACKAGE.test(name), name).toBe(true);
    }
    for (const name of ['x-win32-x64-msvc', '@esbuild/win32-x64', 'eslint-plugin-android', 'class-validator', 'pg-native', 'bufferutil']) {
      expect(FOREIGN_PLATFORM_PACKAGE.test(name), name).toBe(false);
    }
  });
});
