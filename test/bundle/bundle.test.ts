import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { describe, it, expect } from 'vitest';
import { bundleApp, bundleError, bundleLoader, entrySource, type BundleInput } from '../../src/bundle/bundle';
import { SvcpackError } from '../../src/errors';
import { shimDir } from '../../src/package-root';
import { rejected } from '../support/thrown';
import { tempProjects } from '../support/temp-project';
import { testExeConfig } from '../support/exe-config';

const exeConfig = testExeConfig('BundleSvc', 'Bundle Service');

const inputFor = (dir: string, entry = 'src/app.ts', packer: BundleInput['packer'] = 'direct'): BundleInput => ({
  entry: path.join(dir, entry),
  projectDir: dir,
  nodeMajor: 22,
  exeConfig,
  packer,
});
/** A temp project from `files` (path → contents); returns its folder. */
const project = tempProjects('svcpack-bundle-');

const bundleError_ = (dir: string, entry = 'src/app.ts'): Promise<SvcpackError> => rejected(SvcpackError, bundleApp(inputFor(dir, entry)));

describe('entrySource', () => {
  it('imports the shim boot module before the app, then calls appLoaded()', () => {
    const src = entrySource('/proj/src/app.ts');
    const lines = src.trim().split('\n');
    expect(lines).toEqual([
      'import { appLoaded } from "svcpack:runtime-shim/boot.ts";',
      'import "/proj/src/app.ts";',
      'appLoaded();',
    ]);
  });
  it('imports the preload modules after the shim and before the app, in order', () => {
    const lines = entrySource('/proj/src/app.ts', false, ['/proj/tracing.ts', '/proj/env.ts']).trim().split('\n');
    expect(lines).toEqual([
      'import { appLoaded } from "svcpack:runtime-shim/boot.ts";',
      'import "/proj/tracing.ts";',
      'import "/proj/env.ts";',
      'import "/proj/src/app.ts";',
      'appLoaded();',
    ]);
  });
  it('quotes paths safely', () => {
    expect(entrySource('C:\\a "b"\\app.ts')).toContain('import "C:\\\\a \\"b\\"\\\\app.ts";');
  });
});

describe('bundleApp', () => {
  it('bundles TS, JSON, a local CJS module and top-level await into one ES module with the shim and an inline source map', async () => {
    const dir = project({
      'package.json': JSON.stringify({ name: 'demo', version: '1.0.0', type: 'module' }),
      'src/app.ts': [
        "import config from './config.json';",
        "import helper from './helper.cjs';",
        'interface Greeting { text: string }',
        "const g: Greeting = { text: 'APP_MARKER_' + config.port + helper.suffix };",
        'await new Promise<void>((r) => setTimeout(r, 1));',
        'console.log(g.text, __dirname);',
        '',
      ].join('\n'),
      'src/config.json': JSON.stringify({ port: 4321 }),
      'src/helper.cjs': "module.exports = { suffix: '_CJS_MARKER' };\n",
    });
    const out = await bundleApp(inputFor(dir));

    // app pieces
    expect(out.code).toContain('APP_MARKER_');
    expect(out.code).toContain('4321');
    expect(out.code).toContain('_CJS_MARKER');
    expect(out.code).not.toContain('interface Greeting');
    // the shim: boot's argument parsing and the baked-in exe config
    expect(out.code).toContain('parseExeArgs');
    expect(out.code).toContain('"BundleSvc"');
    expect(out.code).not.toMatch(/[=(]\s*__SVCPACK_EXE__/);
    // boot's code (its call into the modes) is evaluated before the app's
    const bootAt = out.code.search(/await startExe\d*\(/);
    expect(bootAt).toBeGreaterThan(0);
    expect(bootAt).toBeLessThan(out.code.indexOf('APP_MARKER_'));
    // the banner (location helpers, a require for CommonJS code); each module's __dirname declared from its own location
    expect(out.code.startsWith("import { createRequire as __svcpackCreateRequire } from 'node:module';")).toBe(true);
    expect(out.code).toMatch(/__svcpack_dirname\d* = \/\* @__PURE__ \*\/ __svcpackDir\("src\/app.ts"\)/);

    // an ES module: parses as ESM (top-level await included), not as CommonJS
    await expect(esbuild.transform(out.code, { format: 'esm', loader: 'js', logLevel: 'silent' })).resolves.toBeDefined();
    await expect(esbuild.transform(out.code, { format: 'cjs', loader: 'js', logLevel: 'silent' })).rejects.toThrow(/[Tt]op-level await/);

    // inline source map naming the project's sources
    const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(out.code);
    expect(m).not.toBeNull();
    const map = JSON.parse(Buffer.from(m![1]!, 'base64').toString('utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.some((s) => s.endsWith('src/app.ts'))).toBe(true);
    expect(map.sources.some((s) => s.endsWith('src/helper.cjs'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();

    // inputs are project-relative, with sizes
    expect(out.inputs['src/app.ts']).toBe(fs.statSync(path.join(dir, 'src/app.ts')).size);
    expect(out.inputs['src/config.json']).toBeGreaterThan(0);
    expect(out.inputs['src/helper.cjs']).toBeGreaterThan(0);
    expect(Object.keys(out.inputs).some((k) => k.startsWith('<stdin>'))).toBe(false);
  });

  it('with the pkg packer, npm packages stay external and paths come from import.meta.url', async () => {
    const dir = project({ 'src/app.ts': "import thing from 'some-external-pkg';\nconsole.log('PKG_MARKER', thing);\n" });
    const out = await bundleApp(inputFor(dir, 'src/app.ts', 'pkg'));
    expect(out.code).toContain('PKG_MARKER');
    expect(out.code).toMatch(/from\s*["']some-external-pkg["']/);
    expect(out.code).toContain('__svcpackFileURLToPath(import.meta.url)');
  });

  it("maps the 'svcpack/runtime' import to the shim's api", async () => {
    const dir = project({
      'src/app.ts': "import { service } from 'svcpack/runtime';\nservice.log.info('RUNTIME_MARKER');\n",
    });
    const out = await bundleApp(inputFor(dir));
    expect(out.code).toContain('RUNTIME_MARKER');
    expect(out.code).toContain('svcpack.runtime.host');
  });

  it('names shim modules svcpack:runtime-shim/… and holds no absolute path, so the bundle is the same wherever project and svcpack live', async () => {
    const files = { 'src/app.ts': "import { service } from 'svcpack/runtime';\nservice.log.info('hi');\n", 'package.json': '{"name":"a"}' };
    const [a, b] = [project(files), project(files)];
    const deeper = path.join(b, 'x', 'y');
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(deeper, file)), { recursive: true });
      fs.writeFileSync(path.join(deeper, file), text);
    }
    const [outA, outB] = await Promise.all([bundleApp(inputFor(a)), bundleApp(inputFor(deeper))]);
    expect(outA.code).toBe(outB.code);
    expect(outA.code).toContain('// svcpack:runtime-shim/boot.ts');
    // No temp folder of a build (svcpack's own are `<tmpdir>/svcpack-…`); `/tmp/` itself is a word of the shim (the systemd sandbox hides it).
    for (const absolute of [a, shimDir, path.join(os.tmpdir(), 'svcpack-')]) expect(outA.code).not.toContain(absolute);
    const map = JSON.parse(Buffer.from(/sourceMappingURL=data:application\/json;base64,(\S+)/.exec(outA.code)![1]!, 'base64').toString()) as { sources: string[] };
    expect(map.sources).toContain('src/app.ts');
    expect(map.sources.filter((s) => s.includes('runtime-shim')).every((s) => s.startsWith('svcpack:runtime-shim/'))).toBe(true);
  });

  it('a syntax error is BUNDLE_SYNTAX with file:line:col', async () => {
    const dir = project({ 'src/app.ts': 'const a = 1;\nconst b = 2;\nconst x = ;\n' });
    const err = await bundleError_(dir);
    expect(err.code).toBe('BUNDLE_SYNTAX');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^src[\\/]app\.ts:3:11: /);
    expect(err.message).not.toContain('\n');
    expect(err.hint).not.toBe('');
  });

  it('a missing package is BUNDLE_UNRESOLVED naming it and npm install', async () => {
    const dir = project({ 'src/app.ts': "import 'nope-not-installed';\nimport '@scope-x/pkg-y/sub';\n" });
    const err = await bundleError_(dir);
    expect(err.code).toBe('BUNDLE_UNRESOLVED');
    expect(err.message).toContain('"nope-not-installed"');
    expect(err.message).toMatch(/src[\\/]app\.ts:1:\d+/);
    expect(err.message).toContain('and 1 more error');
    expect(err.hint).toContain('npm install nope-not-installed');
    expect(err.toLine()).toContain('npm install');
  });

  it('a missing local file is BUNDLE_UNRESOLVED with a path hint', async () => {
    const dir = project({ 'src/app.ts': "import './missing';\n" });
    const err = await bundleError_(dir);
    expect(err.code).toBe('BUNDLE_UNRESOLVED');
    expect(err.message).toContain('"./missing"');
    expect(err.hint).not.toContain('npm install');
  });
});

describe('bundleError', () => {
  it('names the scoped package for npm install', () => {
    const e = bundleError(
      { errors: [{ text: 'Could not resolve "@acme/thing/deep"', location: { file: 'src/a.ts', line: 2, column: 7 } }] },
      '/proj',
    );
    expect(e.code).toBe('BUNDLE_UNRESOLVED');
    expect(e.message).toBe('cannot resolve import "@acme/thing/deep" in src/a.ts:2:8');
    expect(e.hint).toContain('npm install @acme/thing');
  });
  it('wraps unknown failures as BUNDLE_FAILED (exit 1) and passes SvcpackErrors through', () => {
    const e = bundleError(new Error('disk on fire'), '/proj');
    expect(e.code).toBe('BUNDLE_FAILED');
    expect(e.exitCode).toBe(1);
    const own = new SvcpackError('USAGE', 'x');
    expect(bundleError(own, '/proj')).toBe(own);
  });
});

describe('the SCM client\'s watch thread (runtime-shim/loaders/watch-thread.ts)', () => {
  const pkg = JSON.stringify({ name: 'demo', version: '1.0.0', type: 'module' });

  it('is a CommonJS script that compiles and registers NotifyServiceStatusChangeW', async () => {
    const code = await bundleLoader('watch-thread', 22);
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).toContain('NotifyServiceStatusChangeW');
    expect(code).toContain('SleepEx');
  });

  it('is baked into the bundle of an app that uses services, and not into one that does not', async () => {
    const watching = await bundleApp(
      inputFor(project({ 'package.json': pkg, 'src/app.ts': "import { services } from 'svcpack/runtime';\nservices.watch('Web', (s) => console.log(s.state));\n" })),
    );
    const plain = await bundleApp(inputFor(project({ 'package.json': pkg, 'src/app.ts': "import { service } from 'svcpack/runtime';\nservice.log.info('hi');\n" })));
    expect(watching.code).toContain('NotifyServiceStatusChangeW');
    expect(plain.code).not.toContain('NotifyServiceStatusChangeW');
  });
});
