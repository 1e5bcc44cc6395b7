/**
 * lookupModule: which embedded module a worker's `filename` or a fork's `modulePath` names —
 * Node's rules (URL, absolute path, relative to the working folder), then the tree root, then a
 * unique suffix; 'missing' for a path inside the exe that was not embedded, 'outside' otherwise.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbedManifest } from '../../../runtime-shim/embedded/manifest';
import { lookupModule } from '../../../runtime-shim/embedded/module-path';

const manifest: EmbedManifest = {
  modules: {
    'src/job.js': 'module-1',
    'src/w.ts': 'module-2',
    'lib/a/util.js': 'module-3',
    'lib/b/util.js': 'module-4',
    'svcpack-chunk-ABC.mjs': 'module-5',
  },
  files: {},
  bundlerPaths: {},
};

describe('lookupModule (posix)', () => {
  const exe = '/opt/svc/app.exe';
  const cwd = '/home/u';
  const lookup = (target: string | URL, at = cwd, m: EmbedManifest | null = manifest) => lookupModule(target, m, exe, at, path.posix);

  it("a script of a dependency-tree package (a worker file a package starts by its own path); not its other files", () => {
    const withTree: EmbedManifest = {
      ...manifest,
      files: {
        'node_modules/pool/dist/worker.js': { asset: 'file-1', size: 1 },
        'node_modules/pool/dist/data.json': { asset: 'file-2', size: 1 },
        'data/report.js': { asset: 'file-3', size: 1 },
      },
      packages: { 'node_modules/pool': 'pool@1.0.0' },
    };
    expect(lookup('/opt/svc/app.exe/node_modules/pool/dist/worker.js', cwd, withTree)).toEqual({ kind: 'module', rel: 'node_modules/pool/dist/worker.js' });
    expect(lookup('/opt/svc/app.exe/node_modules/pool/dist/data.json', cwd, withTree)).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/node_modules/pool/dist/data.json' });
    expect(lookup('/opt/svc/app.exe/data/report.js', cwd, withTree)).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/data/report.js' });
  });

  it('a file: URL, as a URL or a string', () => {
    expect(lookup(new URL('file:///opt/svc/app.exe/src/w.ts'))).toEqual({ kind: 'module', rel: 'src/w.ts' });
    expect(lookup('file:///opt/svc/app.exe/src/job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('file:///opt/svc/app.exe/src/gone.js')).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/src/gone.js' });
    expect(lookup('file:///srv/w.js')).toEqual({ kind: 'outside' });
  });

  it('a URL Node cannot turn into a path is outside', () => {
    expect(lookup('file://elsewhere/opt/svc/app.exe/src/w.ts')).toEqual({ kind: 'outside' });
  });

  it('an absolute path inside the exe: the module, or missing when it was not embedded', () => {
    expect(lookup('/opt/svc/app.exe/src/job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('/opt/svc/app.exe/lib/../src/w.ts')).toEqual({ kind: 'module', rel: 'src/w.ts' });
    expect(lookup('/opt/svc/app.exe/src/gone.js')).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/src/gone.js' });
  });

  it('an absolute path outside the exe (or the exe itself) is outside, even when its tail matches a module', () => {
    expect(lookup('/srv/app/src/job.js')).toEqual({ kind: 'outside' });
    expect(lookup('/opt/svc/app.exe')).toEqual({ kind: 'outside' });
    expect(lookup('/opt/svc/app.exe2/src/job.js')).toEqual({ kind: 'outside' });
  });

  it('a relative path: against the working folder first', () => {
    expect(lookup('util.js', '/opt/svc/app.exe/lib/b')).toEqual({ kind: 'module', rel: 'lib/b/util.js' });
  });

  it('then against the tree root (where node ran during development)', () => {
    expect(lookup('src/job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('./lib/a/util.js')).toEqual({ kind: 'module', rel: 'lib/a/util.js' });
  });

  it("then as the unique module ending with it: fork('./job.js') written in src/app.ts", () => {
    expect(lookup('./job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('w.ts')).toEqual({ kind: 'module', rel: 'src/w.ts' });
    expect(lookup('b/util.js')).toEqual({ kind: 'module', rel: 'lib/b/util.js' });
  });

  it('a suffix matches whole path segments only', () => {
    expect(lookup('./ob.js')).toEqual({ kind: 'outside' });
  });

  it('an ambiguous suffix finds nothing', () => {
    expect(lookup('./util.js')).toEqual({ kind: 'outside' });
    expect(lookup('./util.js', '/opt/svc/app.exe/src')).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/src/util.js' });
  });

  it("a relative path not found is missing only where Node resolves it (the working folder) inside the exe", () => {
    expect(lookup('gone.js', '/opt/svc/app.exe/src')).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/src/gone.js' });
    expect(lookup('src/gone.js')).toEqual({ kind: 'outside' });
    expect(lookup('process.exit(0)')).toEqual({ kind: 'outside' });
  });

  it('a relative path that leaves the tree is outside', () => {
    expect(lookup('../other.js')).toEqual({ kind: 'outside' });
  });

  it('without a manifest nothing is a module: inside the exe is missing, the rest outside', () => {
    expect(lookup('/opt/svc/app.exe/src/job.js', cwd, null)).toEqual({ kind: 'missing', path: '/opt/svc/app.exe/src/job.js' });
    expect(lookup('/srv/job.js', cwd, null)).toEqual({ kind: 'outside' });
  });
});

describe('lookupModule (win32 paths)', () => {
  const exe = 'C:\\svc\\App.exe';
  const cwd = 'C:\\Windows\\System32';
  const lookup = (target: string, at = cwd) => lookupModule(target, manifest, exe, at, path.win32);

  it('an absolute path: the exe folder matches without regard to case', () => {
    expect(lookup('C:\\svc\\App.exe\\src\\job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('c:\\SVC\\app.EXE\\src\\w.ts')).toEqual({ kind: 'module', rel: 'src/w.ts' });
    expect(lookup('C:/svc/App.exe/src/w.ts')).toEqual({ kind: 'module', rel: 'src/w.ts' });
  });

  it('missing inside the exe, outside elsewhere', () => {
    expect(lookup('C:\\svc\\App.exe\\src\\gone.js')).toEqual({ kind: 'missing', path: 'C:\\svc\\App.exe\\src\\gone.js' });
    expect(lookup('D:\\tools\\job.js')).toEqual({ kind: 'outside' });
    expect(lookup('C:\\svc\\App.exe')).toEqual({ kind: 'outside' });
  });

  it('relative paths with either separator: tree root, then unique suffix', () => {
    expect(lookup('src\\job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('.\\lib\\a\\util.js')).toEqual({ kind: 'module', rel: 'lib/a/util.js' });
    expect(lookup('.\\job.js')).toEqual({ kind: 'module', rel: 'src/job.js' });
    expect(lookup('./w.ts')).toEqual({ kind: 'module', rel: 'src/w.ts' });
  });

  it('against the working folder when it is inside the exe', () => {
    expect(lookup('util.js', 'C:\\svc\\App.exe\\lib\\a')).toEqual({ kind: 'module', rel: 'lib/a/util.js' });
  });

  it('an ambiguous suffix finds nothing: outside, or missing where the working folder is inside the exe', () => {
    expect(lookup('.\\util.js')).toEqual({ kind: 'outside' });
    expect(lookup('.\\util.js', 'C:\\svc\\App.exe\\src')).toEqual({ kind: 'missing', path: 'C:\\svc\\App.exe\\src\\util.js' });
  });
});
