/**
 * The native-addon plugin on synthetic packages laid out the way real ones are (napi-rs platform
 * packages, prebuildify, bindings, a stray Linux binary), with a fake npm registry. The real
 * packages run under Wine in test/e2e/native-addons.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { SvcpackError } from '../../../src/errors';
import { AddonCollector, addonPlugin, type AddonPluginOptions } from '../../../src/bundle/addons/addon-plugin';
import { notWindowsX64Dll } from '../../../src/deps/binary-kind';
import { shimNamespacePlugin } from '../../../src/bundle/shim-namespace';
import { shimDir } from '../../../src/package-root';
import { deadUrl, FakeServer, fakePe, makeTgz, noNetwork, sri512, tempDir } from '../../runtime/helpers';

/** A PE header that says DLL (IMAGE_FILE_DLL) for `machine`. */
function fakeDll(tag: string, machine = 0x8664): Buffer {
  const b = fakePe(tag, machine);
  b.writeUInt16LE(0x2022, 0x80 + 22);
  return b;
}
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(512)]);

let registry: FakeServer;
beforeAll(async () => {
  registry = await new FakeServer().start();
  const tgz = makeTgz([
    { name: 'package/package.json', data: JSON.stringify({ name: 'napi-pkg-win32-x64-msvc', version: '1.2.3', main: 'napi.win32-x64-msvc.node', os: ['win32'], cpu: ['x64'] }) },
    { name: 'package/napi.win32-x64-msvc.node', data: fakeDll('napi win32') },
    { name: 'package/helper.dll', data: fakeDll('helper') },
  ]);
  registry.set('/napi-pkg-win32-x64-msvc/-/napi-pkg-win32-x64-msvc-1.2.3.tgz', tgz);
  registry.set(
    '/napi-pkg-win32-x64-msvc',
    JSON.stringify({ versions: { '1.2.3': { dist: { integrity: sri512(tgz), tarball: `${registry.base}/napi-pkg-win32-x64-msvc/-/napi-pkg-win32-x64-msvc-1.2.3.tgz` } } } }),
  );
});
afterAll(() => registry.stop());

/** Writes `files` (path → contents) under a new project folder; returns it. */
async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir('svcpack-addons-');
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), typeof data === 'string' ? data : data);
  }
  return dir;
}

const pkgJson = (json: object) => JSON.stringify(json);

async function bundle(dir: string, entry: string, opts: Partial<AddonPluginOptions> = {}) {
  const collector = new AddonCollector();
  const cacheDir = opts.source?.cacheDir ?? path.join(dir, '.cache');
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: dir, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
      plugins: [
        shimNamespacePlugin(shimDir),
        addonPlugin({ abi: 147, nodeMajor: 26, native: {}, ...opts, source: { registry: registry.base, cacheDir, fetchImpl: fetch, ...opts.source } }, collector),
      ],
    });
    return { code: result.outputFiles[0]!.text, addons: [...collector.addons.values()], collector };
  } catch (err) {
    if (collector.failure) throw collector.failure;
    throw err;
  }
}

const NAPI_LOADER = `
let binding;
try { binding = require('./napi.win32-x64-msvc.node'); } catch {
  try { binding = require('napi-pkg-win32-x64-msvc'); require('napi-pkg-win32-x64-msvc/package.json'); } catch {}
}
try { require('napi-pkg-linux-x64-gnu'); } catch {}
module.exports = binding;
`;

describe('binary kinds', () => {
  it('only a PE DLL for x64 passes', () => {
    expect(notWindowsX64Dll(fakeDll('x'))).toBeNull();
    expect(notWindowsX64Dll(ELF)).toBe('a Linux (ELF) binary');
    expect(notWindowsX64Dll(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0, 0, 0]))).toBe('a macOS (Mach-O) binary');
    expect(notWindowsX64Dll(fakeDll('x', 0xaa64))).toBe('a Windows arm64 binary, not x64');
    expect(notWindowsX64Dll(fakePe('exe'))).toBe('a Windows program, not a DLL');
  });
});

describe('the native-addon plugin', () => {
  it('napi-rs style: fetches the pinned win32-x64 platform package (with its DLL), stubs the other platforms; a warm cache needs no network', async () => {
    const dir = await project({
      'node_modules/napi-pkg/package.json': pkgJson({ name: 'napi-pkg', version: '1.2.3', main: 'index.js', optionalDependencies: { 'napi-pkg-win32-x64-msvc': '1.2.3', 'napi-pkg-linux-x64-gnu': '1.2.3' } }),
      'node_modules/napi-pkg/index.js': NAPI_LOADER,
      'node_modules/napi-pkg-linux-x64-gnu/package.json': pkgJson({ name: 'napi-pkg-linux-x64-gnu', version: '1.2.3', main: 'napi.linux-x64-gnu.node', os: ['linux'] }),
      'node_modules/napi-pkg-linux-x64-gnu/napi.linux-x64-gnu.node': ELF,
    });
    const first = await bundle(dir, "import 'napi-pkg';");
    expect(first.addons.map((a) => ({ package: a.package, version: a.version, source: a.source, files: a.files.map((f) => f.path) }))).toEqual([
      { package: 'napi-pkg-win32-x64-msvc', version: '1.2.3', source: 'registry', files: ['napi.win32-x64-msvc.node', 'helper.dll'] },
    ]);
    expect(first.code).toContain('loadEmbeddedAddon');
    expect(first.code).toContain('notForThisPlatform');
    expect(first.code).not.toContain('napi.linux-x64-gnu.node"'); // the Linux binary is not embedded
    expect([...first.collector.data.values()].some((b) => Buffer.from(b).equals(ELF))).toBe(false);

    const before = registry.requests.length;
    const warm = await bundle(dir, "import 'napi-pkg';", { source: { registry: registry.base, cacheDir: path.join(dir, '.cache'), fetchImpl: noNetwork } });
    expect(warm.addons.map((a) => a.key)).toEqual(first.addons.map((a) => a.key));
    expect(registry.requests.length).toBe(before);
  });

  it('a damaged cached platform package is fetched again and replaced', async () => {
    const dir = await project({
      'node_modules/napi-pkg/package.json': pkgJson({ name: 'napi-pkg', version: '1.2.3', main: 'index.js', optionalDependencies: { 'napi-pkg-win32-x64-msvc': '1.2.3' } }),
      'node_modules/napi-pkg/index.js': NAPI_LOADER,
    });
    await bundle(dir, "import 'napi-pkg';");
    const dll = path.join(dir, '.cache', 'packages', 'napi-pkg-win32-x64-msvc@1.2.3', 'node_modules', 'napi-pkg-win32-x64-msvc', 'helper.dll');
    const good = fs.readFileSync(dll);
    fs.writeFileSync(dll, 'damaged');
    const before = registry.requests.length;
    const again = await bundle(dir, "import 'napi-pkg';");
    expect(registry.requests.length).toBeGreaterThan(before);
    expect(again.addons.map((a) => a.files.map((f) => f.path))).toEqual([['napi.win32-x64-msvc.node', 'helper.dll']]);
    expect(fs.readFileSync(dll).equals(good)).toBe(true);
    expect(fs.readdirSync(path.join(dir, '.cache', 'packages'))).toEqual(['napi-pkg-win32-x64-msvc@1.2.3']);
  });

  it('builds that fetch the same platform package at once into a cold cache all succeed and leave it intact', async () => {
    // Parallel builds on a new machine (the e2e files build two exes at once) failed with
    // ENOENT/ENOTEMPTY: each cleared and rewrote the package's folder while another wrote into it.
    const files = Array.from({ length: 20 }, (_, i) => ({ name: `package/data/${i}.bin`, data: Buffer.alloc(1 << 20, i) }));
    const tgz = makeTgz([
      { name: 'package/package.json', data: JSON.stringify({ name: 'many-win32-x64-msvc', version: '1.0.0', main: 'many.win32-x64-msvc.node', os: ['win32'], cpu: ['x64'] }) },
      { name: 'package/many.win32-x64-msvc.node', data: fakeDll('many win32') },
      ...files,
    ]);
    registry.set('/many-win32-x64-msvc/-/many-win32-x64-msvc-1.0.0.tgz', tgz);
    registry.set('/many-win32-x64-msvc', JSON.stringify({ versions: { '1.0.0': { dist: { integrity: sri512(tgz), tarball: `${registry.base}/many-win32-x64-msvc/-/many-win32-x64-msvc-1.0.0.tgz` } } } }));
    const dir = await project({
      'node_modules/many/package.json': pkgJson({ name: 'many', version: '1.0.0', main: 'index.js', optionalDependencies: { 'many-win32-x64-msvc': '1.0.0' } }),
      'node_modules/many/index.js': "module.exports = require('many-win32-x64-msvc');",
    });
    // Every build gets the tarball at the same moment, so their writes overlap.
    const BUILDS = 4;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    let tarballs = 0;
    const fetchTogether = (async (url: string, init?: RequestInit) => {
      const res = await fetch(url, init);
      if (String(url).endsWith('.tgz') && ++tarballs === BUILDS) release();
      if (String(url).endsWith('.tgz')) await together;
      return res;
    }) as typeof fetch;
    const source = { registry: registry.base, cacheDir: path.join(dir, '.cache'), fetchImpl: fetchTogether };
    const builds = await Promise.all(Array.from({ length: BUILDS }, () => bundle(dir, "import 'many';", { source })));
    for (const b of builds) expect(b.addons.map((a) => a.files.map((f) => f.path))).toEqual([['many.win32-x64-msvc.node']]);
    // Only the package's folder: no staging folder left behind.
    expect(fs.readdirSync(path.join(dir, '.cache', 'packages'))).toEqual(['many-win32-x64-msvc@1.0.0']);
    const warm = await bundle(dir, "import 'many';", { source: { registry: registry.base, cacheDir: path.join(dir, '.cache'), fetchImpl: noNetwork } });
    expect(warm.addons.map((a) => a.key)).toEqual(builds[0]!.addons.map((a) => a.key));
  });

  it('a pinned platform package that is not published fails naming it; an unreachable registry names the package', async () => {
    const dir = await project({
      'node_modules/other-napi/package.json': pkgJson({ name: 'other-napi', version: '2.0.0', optionalDependencies: { 'other-napi-win32-x64-msvc': '2.0.0' } }),
      'node_modules/other-napi/index.js': "module.exports = require('other-napi-win32-x64-msvc');",
    });
    registry.set('/other-napi-win32-x64-msvc', JSON.stringify({ versions: { '1.0.0': {} } }));
    const missing = await bundle(dir, "import 'other-napi';").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SvcpackError);
    expect((missing as SvcpackError).message).toBe(`other-napi-win32-x64-msvc@2.0.0, which other-napi pins, is not published on ${registry.base}`);

    const dead = await deadUrl();
    const offline = (await bundle(dir, "import 'other-napi';", { source: { registry: dead, cacheDir: path.join(dir, 'c2'), fetchImpl: fetch } }).catch((e: unknown) => e)) as SvcpackError;
    expect(offline.code).toBe('ADDON_FETCH_FAILED');
    expect(offline.message).toMatch(/^could not fetch other-napi-win32-x64-msvc@2\.0\.0 \(the Windows x64 binary of other-napi\)/);
  });

  it('prebuildify: picks the prebuild node-gyp-build would load on Windows for the target ABI', async () => {
    const dir = await project({
      'node_modules/pb/package.json': pkgJson({ name: 'pb', version: '4.5.6' }),
      'node_modules/pb/index.js': "module.exports = require('node-gyp-build')(__dirname);",
      'node_modules/pb/prebuilds/linux-x64/pb.node': ELF,
      'node_modules/pb/prebuilds/win32-x64/node.abi127.node': fakeDll('abi127'),
      'node_modules/pb/prebuilds/win32-x64/node.napi.node': fakeDll('napi'),
    });
    const on26 = await bundle(dir, "import 'pb';", { abi: 147 });
    expect(on26.addons.map((a) => [a.package, a.main, a.source])).toEqual([['pb', 'node.napi.node', 'installed']]);
    // The files' places, for --exclude (bundle/embedded/excluded-needs.ts).
    expect([...on26.collector.sourceFiles]).toEqual([[path.join(dir, 'node_modules/pb/prebuilds/win32-x64/node.napi.node'), 'pb']]);
    const on22 = await bundle(dir, "import 'pb';", { abi: 127, nodeMajor: 22 });
    expect(on22.addons.map((a) => a.main)).toEqual(['node.abi127.node']);
  });

  it('a prebuildify package without a Windows prebuild fails naming it and --native', async () => {
    const dir = await project({
      'node_modules/nowin/package.json': pkgJson({ name: 'nowin', version: '1.0.0' }),
      'node_modules/nowin/index.js': "module.exports = require('node-gyp-build')(__dirname);",
      'node_modules/nowin/prebuilds/linux-x64/nowin.node': ELF,
    });
    const err = (await bundle(dir, "import 'nowin';").catch((e: unknown) => e)) as SvcpackError;
    expect(err).toMatchObject({ code: 'ADDON_UNAVAILABLE', exitCode: 2 });
    expect(err.message).toBe('nowin@1.0.0 has no Windows x64 prebuild for Node.js 26 (ABI 147) in its prebuilds/ folder');
    expect(err.hint).toBe('pass --native nowin=<path to its win32-x64 .node file>');
  });

  it('a Linux binary that is not another platform’s branch fails the build, naming the file', async () => {
    const dir = await project({
      'node_modules/built-here/package.json': pkgJson({ name: 'built-here', version: '0.1.0' }),
      'node_modules/built-here/index.js': "module.exports = require('./build/Release/addon.node');",
      'node_modules/built-here/build/Release/addon.node': ELF,
    });
    const err = (await bundle(dir, "import 'built-here';").catch((e: unknown) => e)) as SvcpackError;
    expect(err).toMatchObject({ code: 'ADDON_NOT_WINDOWS', exitCode: 2 });
    expect(err.message).toBe(`${path.join(dir, 'node_modules/built-here/build/Release/addon.node')} (native addon of built-here) is a Linux (ELF) binary`);
    expect(err.hint).toBe('pass --native built-here=<path to its win32-x64 .node file>');
  });

  it('bindings (built from source at install): fails naming the package and a known alternative; --native supplies the file', async () => {
    const dir = await project({
      'node_modules/better-sqlite3/package.json': pkgJson({ name: 'better-sqlite3', version: '12.0.0' }),
      'node_modules/better-sqlite3/index.js': "module.exports = require('bindings')('better_sqlite3.node');",
      'vendor/better_sqlite3.node': fakeDll('sqlite'),
      'vendor/linux.node': ELF,
    });
    const err = (await bundle(dir, "import 'better-sqlite3';").catch((e: unknown) => e)) as SvcpackError;
    expect(err).toMatchObject({ code: 'ADDON_UNAVAILABLE', exitCode: 2 });
    expect(err.message).toBe("better-sqlite3@12.0.0 builds its native addon from source when it is installed; its Windows x64 binary is on no registry svcpack can reach");
    expect(err.hint).toBe('pass --native better-sqlite3=<path to its win32-x64 .node file for Node.js 26>, or use node:sqlite (built into Node.js 22.5+)');

    const ok = await bundle(dir, "import 'better-sqlite3';", { native: { 'better-sqlite3': path.join(dir, 'vendor/better_sqlite3.node'), unused: path.join(dir, 'vendor/linux.node') } });
    expect(ok.addons.map((a) => [a.package, a.source, a.main])).toEqual([['better-sqlite3', 'native-option', 'better_sqlite3.node']]);
    // Which --native files were used: the build warns about the others (bundle.ts).
    expect([...ok.collector.nativeUsed]).toEqual(['better-sqlite3']);

    const elf = (await bundle(dir, "import 'better-sqlite3';", { native: { 'better-sqlite3': path.join(dir, 'vendor/linux.node') } }).catch((e: unknown) => e)) as SvcpackError;
    expect(elf.code).toBe('ADDON_NOT_WINDOWS');
  });
});

describe('--packer pkg and native addons', () => {
  it('names the first addon among the production dependencies and points to the direct packer', async () => {
    const { refuseAddonsForPkg } = await import('../../../src/pack/pkg-addon-check');
    const dir = await project({
      'package.json': pkgJson({ name: 'app', dependencies: { express: '1' }, devDependencies: { esbuild: '1' } }),
      'node_modules/express/package.json': pkgJson({ name: 'express', dependencies: { 'deep-addon': '1' } }),
      'node_modules/deep-addon/package.json': pkgJson({ name: 'deep-addon' }),
      'node_modules/deep-addon/prebuilds/win32-x64/deep.node': fakeDll('deep'),
      'node_modules/esbuild/package.json': pkgJson({ name: 'esbuild', optionalDependencies: { '@esbuild/win32-x64': '1' } }),
    });
    const err = (() => {
      try {
        refuseAddonsForPkg(dir);
      } catch (e) {
        return e as SvcpackError;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'ADDON_UNAVAILABLE', exitCode: 2 });
    expect(err!.message).toMatch(/^--packer pkg cannot carry deep-addon, a prebuildify addon/);
    expect(err!.hint).toMatch(/direct packer/);
    fs.rmSync(path.join(dir, 'node_modules/deep-addon/prebuilds'), { recursive: true });
    expect(() => refuseAddonsForPkg(dir)).not.toThrow(); // esbuild is a devDependency: not the app's
  });
});
