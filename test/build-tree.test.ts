/**
 * `svcpack build` with the embedded dependency tree, through the CLI on small temp projects with a
 * hand-written package.json, package-lock.json and node_modules (no network, no Wine):
 * `--include`/`--exclude` reach the exe (an excluded file's bytes are not in it, an included one's
 * are), `--native` for a package the app does not use warns, and each bad input — an include that
 * matches nothing, an exclude that removes a file the bundle embeds, a node_modules that disagrees
 * with the lockfile, a registry that cannot be reached — is one line on stderr, exit 2, and leaves
 * the output folder as it was.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { cacheRoot } from '../src/runtime/acquire';
import { captureOutput } from './support/capture-output';
import { tempProjects } from './support/temp-project';
import { fakePe } from './runtime/helpers';

const out = captureOutput();
const project = tempProjects('svcpack-build-tree-');

const MARKERS = { kept: 'KEPT-MARKER-77ab3c', extra: 'EXTRA-MARKER-91f2c0', docs: 'DOCS-MARKER-5e0d1f' };

/**
 * An app using `foo`, which reads `data/table.json` next to it at run time (the bundle embeds
 * it), and ships `kept.txt`, `extra.txt` and `docs/guide.txt` (left out by the filter).
 */
function treeApp(opts: { lockVersion?: string; windowsOptional?: boolean; gypPackage?: boolean; extra?: Record<string, string> } = {}): string {
  const optional = opts.windowsOptional ? { 'watcher-win32-x64': '1.0.0' } : undefined;
  const root = { name: 'treeapp', version: '1.0.0', dependencies: { foo: opts.lockVersion ?? '1.0.0', ...(opts.gypPackage ? { gyp: '1.0.0' } : {}) }, optionalDependencies: optional };
  const packages: Record<string, unknown> = { '': root, 'node_modules/foo': { version: opts.lockVersion ?? '1.0.0', license: 'MIT' } };
  // A package the app loads only by a computed name, whose addon node-gyp builds at install time.
  if (opts.gypPackage) packages['node_modules/gyp'] = { version: '1.0.0', hasInstallScript: true };
  if (optional) packages['node_modules/watcher-win32-x64'] = { version: '1.0.0', optional: true, os: ['win32'], cpu: ['x64'], integrity: `sha512-${'A'.repeat(86)}==` };
  return project({
    'package.json': JSON.stringify(root),
    'package-lock.json': JSON.stringify({ name: 'treeapp', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
    'app.ts': "import table from 'foo';\nconsole.log(table);\n",
    'node_modules/foo/package.json': JSON.stringify({ name: 'foo', version: '1.0.0', main: 'index.js', license: 'MIT' }),
    'node_modules/foo/index.js': "const fs = require('node:fs');\nconst path = require('node:path');\nmodule.exports = fs.readFileSync(path.join(__dirname, 'data', 'table.json'), 'utf8');\n",
    'node_modules/foo/data/table.json': '{"rows": []}\n',
    'node_modules/foo/kept.txt': MARKERS.kept,
    'node_modules/foo/extra.txt': MARKERS.extra,
    'node_modules/foo/docs/guide.txt': MARKERS.docs,
    ...(opts.gypPackage
      ? {
          'node_modules/gyp/package.json': JSON.stringify({ name: 'gyp', version: '1.0.0', main: 'index.js', gypfile: true }),
          'node_modules/gyp/index.js': "module.exports = require('./build/Release/gyp.node');\n",
          'node_modules/gyp/binding.gyp': '{}',
        }
      : {}),
    ...opts.extra,
  });
}

async function build(dir: string, ...args: string[]): Promise<number> {
  return main(['build', path.join(dir, 'app.ts'), '--name', 'TreeSvc', ...args], { cwd: dir });
}

/** Exit 2, one line `svcpack: … — …` matching `pattern`, and the output folder as it was (`before`: its listing, or null when it did not exist). */
async function expectUsageError(dir: string, args: string[], pattern: RegExp): Promise<void> {
  const outDir = path.join(dir, 'dist');
  const before = fs.existsSync(outDir) ? fs.readdirSync(outDir).sort() : null;
  const code = await build(dir, ...args, '--out-dir', outDir);
  const lines = out.stderr.trim().split('\n');
  expect(lines, out.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^svcpack: .+ — .+/);
  expect(lines[0]).toMatch(pattern);
  expect(code).toBe(2);
  expect(fs.existsSync(outDir) ? fs.readdirSync(outDir).sort() : null).toEqual(before);
}

describe('svcpack build: --include, --exclude and --native with the dependency tree', () => {
  it('an excluded file is not in the exe, an included one is; build.json counts the files; --native for a package the app does not use warns', async () => {
    const dir = treeApp({ gypPackage: true, extra: { 'vendor/other.node': 'not loaded' } });
    const dll = fakePe('gyp addon');
    dll.writeUInt16LE(0x2022, 0x80 + 22); // IMAGE_FILE_DLL
    fs.writeFileSync(path.join(dir, 'vendor/gyp.node'), dll);
    const outDir = path.join(dir, 'dist');
    const code = await build(
      dir, '--out-dir', outDir, '--json', '--exclude', 'foo/extra.txt', '--include', 'node_modules/foo/docs/**',
      '--native', 'nothere=vendor/other.node', '--native', 'foo=vendor/other.node', '--native', 'gyp=vendor/gyp.node',
    );
    expect(code, out.stderr).toBe(0);
    // The tree took gyp's file (deps/install-binaries.ts): no warning for it.
    expect(out.stderr).not.toContain('--native gyp');
    expect(out.stderr).toContain(`svcpack: warning: --native nothere: the app does not use nothere, so ${path.join(dir, 'vendor/other.node')} is not embedded — check the package name, or drop --native nothere\n`);
    expect(out.stderr).toContain(`svcpack: warning: --native foo: no module of the app loads a native addon of foo, so ${path.join(dir, 'vendor/other.node')} is not embedded — check the package name, or drop --native foo\n`);
    const record = JSON.parse(out.stdout);
    // package.json, index.js, data/table.json, kept.txt and the included docs/guide.txt; not extra.txt.
    expect(record.embedded.packages).toMatchObject([
      { name: 'foo', version: '1.0.0', location: 'node_modules/foo', source: 'installed', files: 5 },
      { name: 'gyp', location: 'node_modules/gyp', files: 3 }, // package.json, index.js, build/Release/gyp.node
    ]);
    const exe = fs.readFileSync(path.join(outDir, 'TreeSvc.exe'));
    expect(exe.includes(MARKERS.kept)).toBe(true);
    expect(exe.includes(MARKERS.docs)).toBe(true);
    expect(exe.includes(MARKERS.extra)).toBe(false);
  }, 120_000);

  it('a whole package excluded leaves build.json', async () => {
    const dir = treeApp({ extra: { 'node_modules/foo/node_modules/bar/package.json': '{"name":"bar","version":"1.0.0"}' } });
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
    lock.packages['node_modules/foo/node_modules/bar'] = { version: '1.0.0' };
    lock.packages['node_modules/foo'].dependencies = { bar: '1.0.0' };
    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
    const code = await build(dir, '--out-dir', path.join(dir, 'dist'), '--json', '--exclude', 'node_modules/foo/node_modules/bar');
    expect(code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).embedded.packages.map((p: { location: string }) => p.location)).toEqual(['node_modules/foo']);
  }, 120_000);
});

describe('svcpack build: bad input about the dependency tree', () => {
  it('an --include that matches no file of the tree', async () => {
    const dir = treeApp();
    await expectUsageError(dir, ['--include', 'node_modules/foo/nothing/**'], /^svcpack: --include "node_modules\/foo\/nothing\/\*\*" matched no file of the production dependency tree \(1 package\) — /);
  }, 120_000);

  it('an include from the config is named by the config and key', async () => {
    const dir = treeApp({ extra: { 'svcpack.config.json': JSON.stringify({ include: ['typescript/**'] }) } });
    await expectUsageError(dir, [], /^svcpack: svcpack\.config\.json: include "typescript\/\*\*" matched no file of the production dependency tree/);
  }, 120_000);

  it('an --exclude that removes a file the bundle reads at run time names the file and the glob; an existing output folder is unchanged', async () => {
    const dir = treeApp({ extra: { 'dist/old.txt': 'from an earlier build' } });
    await expectUsageError(
      dir,
      ['--exclude', 'foo/data/**'],
      /^svcpack: --exclude "foo\/data\/\*\*" leaves out node_modules\/foo\/data\/table\.json, which the bundle reads at run time — narrow the glob so it spares the files the bundle embeds, or drop it$/,
    );
    expect(fs.readFileSync(path.join(dir, 'dist/old.txt'), 'utf8')).toBe('from an earlier build');
  }, 120_000);

  it('an --exclude that removes a worker entry module of a package', async () => {
    const dir = treeApp({
      extra: {
        'app.ts': "import { start } from 'foo/pool.js';\nstart();\n",
        'node_modules/foo/pool.js': "const { Worker } = require('node:worker_threads');\nconst path = require('node:path');\nexports.start = () => new Worker(path.join(__dirname, 'lib', 'task.js'));\n",
        'node_modules/foo/lib/task.js': 'module.exports = 1;\n',
      },
    });
    await expectUsageError(dir, ['--exclude', 'node_modules/foo/lib'], /^svcpack: --exclude "node_modules\/foo\/lib" leaves out node_modules\/foo\/lib\/task\.js, a module the app starts in a worker thread or child process — /);
  }, 120_000);

  it('an --exclude that removes the Windows binary of a native addon the bundle loads', async () => {
    const dir = treeApp({
      extra: {
        'app.ts': "import addon from 'foo/native.js';\nconsole.log(addon);\n",
        'node_modules/foo/native.js': "module.exports = require('node-gyp-build')(__dirname);\n",
      },
    });
    const dll = fakePe('foo addon');
    dll.writeUInt16LE(0x2022, 0x80 + 22); // IMAGE_FILE_DLL
    fs.mkdirSync(path.join(dir, 'node_modules/foo/prebuilds/win32-x64'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules/foo/prebuilds/win32-x64/node.napi.node'), dll);
    await expectUsageError(dir, ['--exclude', '**/*.node'], /^svcpack: --exclude "\*\*\/\*\.node" leaves out node_modules\/foo\/prebuilds\/win32-x64\/node\.napi\.node, a file of the native addon of foo — /);
  }, 120_000);

  it('--include or --exclude without the embedded tree', async () => {
    const dir = treeApp();
    await expectUsageError(dir, ['--no-embed-dependencies', '--exclude', '**/*.txt'], /^svcpack: --exclude adjusts the embedded dependency tree, which this build leaves out \(--no-embed-dependencies\) — /);
    out.stderr = '';
    await expectUsageError(dir, ['--include', '/abs/x'], /^svcpack: --include "\/abs\/x" is an absolute path/);
  }, 120_000);

  it('a node_modules that disagrees with package-lock.json names the package and says to run npm ci', async () => {
    const dir = treeApp({ lockVersion: '2.0.0' });
    await expectUsageError(
      dir,
      [],
      new RegExp(`^svcpack: node_modules does not match package-lock\\.json: node_modules/foo holds foo@1\\.0\\.0 but package-lock\\.json wants foo@2\\.0\\.0 — run npm ci \\(or npm install\\) in ${dir.replace(/[.]/g, '\\.')}, then build again$`),
    );
  }, 120_000);

  describe('a registry that cannot be reached on a first build', () => {
    let registry: string;
    let cacheDir: string;
    const saved = { registry: process.env.npm_config_registry, cache: process.env.SVCPACK_CACHE_DIR };
    beforeAll(async () => {
      const server = net.createServer().listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      registry = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
      await new Promise((resolve) => server.close(resolve));
      // An empty cache but for the Node runtimes (already downloaded; no network here).
      cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-build-tree-cache-'));
      fs.symlinkSync(path.join(cacheRoot(), 'node'), path.join(cacheDir, 'node'));
      process.env.npm_config_registry = registry;
      process.env.SVCPACK_CACHE_DIR = cacheDir;
    });
    afterAll(() => {
      for (const [key, value] of [['npm_config_registry', saved.registry], ['SVCPACK_CACHE_DIR', saved.cache]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      fs.rmSync(cacheDir, { recursive: true, force: true });
    });

    it('one line naming the package and the registry, exit 2, quickly', async () => {
      const dir = treeApp({ windowsOptional: true });
      const started = performance.now();
      await expectUsageError(dir, [], new RegExp(`^svcpack: cannot reach the npm registry ${registry.replace(/[.]/g, '\\.')} to fetch watcher-win32-x64@1\\.0\\.0, which node_modules lacks \\(connect ECONNREFUSED [^)]+\\) — `));
      expect(performance.now() - started).toBeLessThan(30_000);
      const treeCache = path.join(cacheDir, 'tree');
      expect(fs.existsSync(treeCache) ? fs.readdirSync(treeCache) : []).toEqual([]); // nothing half-fetched
    }, 120_000);
  });
});
