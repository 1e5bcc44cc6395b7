/**
 * Node's node_modules resolution over the embedded tree (runtime-shim/embedded/package-resolve.ts)
 * and the file filter (src/deps/filter.ts), on small in-memory trees. Pure.
 */
import { describe, expect, it } from 'vitest';
import { keepsBinary, keepsDir, keepsFile } from '../../src/deps/filter';
import { formatOf, packageDirs, resolveExports, resolveImports, resolveImportsMap, resolvePackage, type TreeView } from '../../runtime-shim/embedded/package-resolve';
import { treeModuleOf } from '../../runtime-shim/embedded/module-hooks';

function tree(files: Record<string, string>): TreeView {
  const packages: Record<string, string> = {};
  for (const rel of Object.keys(files)) if (rel.endsWith('/package.json')) packages[rel.slice(0, -'/package.json'.length)] = 'x@1.0.0';
  return { isFile: (rel) => files[rel] !== undefined, readText: (rel) => files[rel]!, packages };
}

const TREE = tree({
  'node_modules/pug/package.json': JSON.stringify({ name: 'pug', main: 'lib' }),
  'node_modules/pug/lib/index.js': '',
  'node_modules/pug-runtime/package.json': JSON.stringify({ name: 'pug-runtime' }),
  'node_modules/pug-runtime/index.js': '',
  'node_modules/pug-runtime/wrap.js': '',
  'node_modules/a/package.json': JSON.stringify({ name: 'a', type: 'module', exports: { '.': { import: './a.mjs', require: './a.cjs' }, './feature/*': './lib/*.js', './package.json': './package.json', './private/*': null } }),
  'node_modules/a/a.mjs': '',
  'node_modules/a/a.cjs': '',
  'node_modules/a/lib/x.js': '',
  'node_modules/a/node_modules/pug/package.json': JSON.stringify({ name: 'pug', version: '2.0.0' }),
  'node_modules/a/node_modules/pug/index.js': '',
  'node_modules/@s/b/package.json': JSON.stringify({ name: '@s/b', exports: './main.js' }),
  'node_modules/@s/b/main.js': '',
  // @opentelemetry/core's shape: `#platform` by conditions (a custom one first), and a pattern to a bare package.
  'node_modules/@o/core/package.json': JSON.stringify({
    name: '@o/core',
    imports: {
      '#platform': { otel: './src/platform.ts', node: { require: './dist/platform/node.cjs', default: './dist/platform/node.mjs' }, default: './dist/platform/browser.cjs' },
      '#dep/*': 'pug-runtime/*',
      '#gone': null,
    },
  }),
  'node_modules/@o/core/dist/index.cjs': '',
  'node_modules/@o/core/dist/platform/node.cjs': '',
  'node_modules/@o/core/dist/platform/node.mjs': '',
  'node_modules/@o/core/dist/esm/package.json': JSON.stringify({ type: 'module' }),
  'node_modules/@o/core/dist/esm/index.js': '',
});

describe('resolvePackage', () => {
  it('follows main to a folder index, from the bundle (no parent)', () => {
    expect(resolvePackage(TREE, 'pug', null, 'require')).toBe('node_modules/pug/lib/index.js');
    expect(resolvePackage(TREE, 'pug/package.json', null, 'require')).toBe('node_modules/pug/package.json');
  });
  it('prefers the nested node_modules of the parent package', () => {
    expect(packageDirs('pug', 'node_modules/a/lib/x.js')).toEqual(['node_modules/a/lib/node_modules/pug', 'node_modules/a/node_modules/pug', 'node_modules/pug']);
    expect(resolvePackage(TREE, 'pug', 'node_modules/a/lib/x.js', 'require')).toBe('node_modules/a/node_modules/pug/index.js');
  });
  it('applies exports with conditions, patterns, sugar and null targets', () => {
    expect(resolvePackage(TREE, 'a', null, 'require')).toBe('node_modules/a/a.cjs');
    expect(resolvePackage(TREE, 'a', null, 'import')).toBe('node_modules/a/a.mjs');
    expect(resolvePackage(TREE, 'a/feature/x', null, 'require')).toBe('node_modules/a/lib/x.js');
    expect(resolvePackage(TREE, 'a/lib/x.js', null, 'require')).toBeNull();
    expect(resolvePackage(TREE, 'a/private/y', null, 'require')).toBeNull();
    expect(resolvePackage(TREE, '@s/b', null, 'import')).toBe('node_modules/@s/b/main.js');
    expect(resolveExports({ './lib/': './lib/' }, './lib/x.js', ['require'])).toBe('./lib/x.js');
  });
  it("resolves a package's own #imports from its package scope, by conditions, to a file or a bare package", () => {
    const parent = 'node_modules/@o/core/dist/index.cjs';
    expect(resolveImports(TREE, '#platform', parent, 'require')).toBe('node_modules/@o/core/dist/platform/node.cjs');
    expect(resolveImports(TREE, '#platform', parent, 'import')).toBe('node_modules/@o/core/dist/platform/node.mjs');
    expect(resolveImports(TREE, '#dep/wrap', parent, 'require')).toBe('node_modules/pug-runtime/wrap.js');
    expect(resolveImportsMap({ '#a/*.js': './lib/*.js' }, '#a/b.js', ['require'])).toBe('./lib/b.js');
  });
  it('is null for an #import its scope does not define, excludes, or from the bundle', () => {
    expect(resolveImports(TREE, '#gone', 'node_modules/@o/core/dist/index.cjs', 'require')).toBeNull();
    expect(resolveImports(TREE, '#nope', 'node_modules/@o/core/dist/index.cjs', 'require')).toBeNull();
    // The nearest package.json is the scope, even one that only sets the type.
    expect(resolveImports(TREE, '#platform', 'node_modules/@o/core/dist/esm/index.js', 'import')).toBeNull();
    expect(treeModuleOf('#platform', 'file:///svc/App.exe', 'require', TREE, '/svc/App.exe')).toBeNull();
    expect(resolveImportsMap({ '#/x': './x.js' }, '#/x', ['require'])).toBeNull();
    expect(resolveImportsMap({ '#loop': '#loop' }, '#loop', ['require'])).toBeNull();
  });
  it('is null for packages the tree does not have', () => {
    expect(resolvePackage(TREE, 'nope', null, 'require')).toBeNull();
  });
});

describe('treeModuleOf', () => {
  const exe = '/svc/App.exe';
  it('resolves relative requires of tree modules, a folder included', () => {
    const parent = 'file:///svc/App.exe/node_modules/pug-runtime/wrap.js';
    expect(treeModuleOf('./', parent, 'require', TREE, exe)).toBe('node_modules/pug-runtime/index.js');
    expect(treeModuleOf('./wrap', parent, 'require', TREE, exe)).toBe('node_modules/pug-runtime/wrap.js');
    expect(treeModuleOf('fs', parent, 'require', TREE, exe)).toBeNull();
  });
  it("resolves a tree module's #imports", () => {
    expect(treeModuleOf('#platform', 'file:///svc/App.exe/node_modules/@o/core/dist/index.cjs', 'require', TREE, exe)).toBe('node_modules/@o/core/dist/platform/node.cjs');
  });
  it('resolves bare names from the bundle (the exe itself as parent) and paths inside the exe', () => {
    expect(treeModuleOf('pug', 'file:///svc/App.exe', 'require', TREE, exe)).toBe('node_modules/pug/lib/index.js');
    expect(treeModuleOf('/svc/App.exe/node_modules/pug/lib', undefined, 'require', TREE, exe)).toBe('node_modules/pug/lib/index.js');
  });
});

describe('formatOf', () => {
  it('reads the nearest package.json type for .js', () => {
    expect(formatOf(TREE, 'node_modules/a/lib/x.js')).toBe('module');
    expect(formatOf(TREE, 'node_modules/pug/lib/index.js')).toBe('commonjs');
    expect(formatOf(TREE, 'node_modules/a/a.cjs')).toBe('commonjs');
    expect(formatOf(TREE, 'node_modules/pug/package.json')).toBe('json');
  });
});

describe('the file filter', () => {
  it('leaves out what no production run reads', () => {
    for (const name of ['index.js.map', 'index.d.ts', 'src.ts', 'README.md', 'CHANGELOG.md', 'HISTORY', 'History.txt', 'changelog', 'tsconfig.json', 'binding.gyp', 'addon.cc']) expect(keepsFile(name), name).toBe(false);
    for (const name of ['index.js', 'package.json', 'LICENSE', 'LICENSE.md', 'data.json', 'swagger-ui.css', 'x.wasm', 'History.js', 'History-impl.js']) expect(keepsFile(name), name).toBe(true);
    expect(keepsDir('test', 0)).toBe(false);
    expect(keepsDir('test', 2)).toBe(true);
    expect(keepsDir('.github', 3)).toBe(false);
    expect(keepsDir('lib', 0)).toBe(true);
  });

  it('binaries for another platform: ELF and Mach-O whatever their name, a .node that is not a Windows x64 DLL', () => {
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
    const machO = Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]);
    const script = new TextEncoder().encode('#!/usr/bin/env node\n');
    expect(keepsBinary('esbuild', elf)).toBe(false);
    expect(keepsBinary('libfoo.dylib', machO)).toBe(false);
    expect(keepsBinary('addon.node', script)).toBe(false);
    expect(keepsBinary('esbuild', script)).toBe(true);
    expect(keepsBinary('data.bin', Uint8Array.from([1, 2, 3]))).toBe(true);
  });

  it('for linux-x64 the other way round: x86-64 ELF addons and shared libraries stay; Windows, macOS, arm64 and ELF programs go', () => {
    const elf = (machine: number) => {
      const head = new Uint8Array(64);
      head.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
      head[18] = machine;
      return head;
    };
    const pe = new Uint8Array(512);
    pe.set([0x4d, 0x5a], 0);
    pe[0x3c] = 0x80;
    pe.set([0x50, 0x45, 0, 0, 0x64, 0x86], 0x80);
    const machO = Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]);
    expect(keepsBinary('lightningcss.linux-x64-gnu.node', elf(62), 'linux-x64')).toBe(true);
    expect(keepsBinary('libvips-cpp.so.42', elf(62), 'linux-x64')).toBe(true);
    expect(keepsBinary('addon.node', elf(183), 'linux-x64')).toBe(false); // aarch64
    expect(keepsBinary('addon.node', pe, 'linux-x64')).toBe(false);
    expect(keepsBinary('esbuild.exe', pe, 'linux-x64')).toBe(false);
    expect(keepsBinary('addon.node', machO, 'linux-x64')).toBe(false);
    expect(keepsBinary('esbuild', elf(62), 'linux-x64')).toBe(false);
    expect(keepsBinary('index.js', new TextEncoder().encode('module.exports = 1;\n'), 'linux-x64')).toBe(true);
    expect(keepsBinary('lightningcss.linux-x64-gnu.node', elf(62))).toBe(false); // the default, win-x64
  });
});
