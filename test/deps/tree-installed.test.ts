/**
 * resolveDependencyTree (src/deps/tree.ts) against the project's node_modules, with no network:
 * a node_modules that disagrees with the lockfile stops the build (exit 2, run npm ci) before
 * anything is fetched; a missing optional package for another platform is fetched, and a registry
 * that cannot be reached is one line naming the package and the registry (exit 2), at once.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDependencyTree } from '../../src/deps/tree';
import { SvcpackError } from '../../src/errors';
import { rejected } from '../support/thrown';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-tree-installed-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

/** A registry URL on a local port nothing listens on. */
let closedRegistry: string;
beforeAll(async () => {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  closedRegistry = `http://127.0.0.1:${port}/`;
});

const fakeIntegrity = (c: string) => `sha512-${c.repeat(86)}==`;

interface Spec {
  /** Lockfile version of each production dependency (hoisted). */
  deps: Record<string, string>;
  /** Installed versions (node_modules/<name>); a name not listed is not installed. */
  installed?: Record<string, string>;
  /** Whether node_modules exists at all (default: true). */
  modules?: boolean;
  /** A Windows-only optional package in the lockfile (never installed on Linux). */
  windowsOptional?: boolean;
}

let count = 0;
function project(spec: Spec): string {
  const dir = path.join(temp, `p${count++}`);
  const write = (file: string, data: unknown) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  };
  const optional = spec.windowsOptional ? { 'watcher-win32-x64': '1.0.0' } : undefined;
  const root = { name: 'app', version: '1.0.0', dependencies: spec.deps, optionalDependencies: optional, devDependencies: { devtool: '3.0.0' } };
  write('package.json', root);
  const packages: Record<string, unknown> = { '': root, 'node_modules/devtool': { version: '3.0.0', dev: true, integrity: fakeIntegrity('D') } };
  for (const [name, version] of Object.entries(spec.deps)) packages[`node_modules/${name}`] = { version, integrity: fakeIntegrity('B') };
  if (optional) packages['node_modules/watcher-win32-x64'] = { version: '1.0.0', optional: true, os: ['win32'], cpu: ['x64'], integrity: fakeIntegrity('A') };
  write('package-lock.json', { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages });
  if (spec.modules !== false) {
    fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    // The dev dependency is installed at another version: not part of the tree, so no matter.
    write('node_modules/devtool/package.json', { name: 'devtool', version: '2.0.0' });
    for (const [name, version] of Object.entries(spec.installed ?? {})) {
      write(`node_modules/${name}/package.json`, { name, version });
      write(`node_modules/${name}/index.js`, 'module.exports = 1;\n');
    }
  }
  return dir;
}

const resolve = (dir: string) => resolveDependencyTree({ projectDir: dir, cacheDir: path.join(dir, '.cache'), registry: closedRegistry });

describe('resolveDependencyTree and the installed node_modules', () => {
  it('reads every package from node_modules when it matches the lockfile (a dev dependency at another version is not in the tree)', async () => {
    const dir = project({ deps: { a: '1.0.0', b: '2.1.0' }, installed: { a: '1.0.0', b: '2.1.0' } });
    const tree = await resolve(dir);
    expect(tree.map((p) => [p.location, p.version, p.source])).toEqual([
      ['node_modules/a', '1.0.0', 'installed'],
      ['node_modules/b', '2.1.0', 'installed'],
    ]);
  });

  it('a package installed at another version than the lockfile says stops the build: which one, and run npm ci', async () => {
    const dir = project({ deps: { a: '2.0.0', b: '2.1.0' }, installed: { a: '1.0.0', b: '2.1.0' } });
    const err = await rejected(SvcpackError, resolve(dir));
    expect(err).toMatchObject({ code: 'DEPENDENCY_MISMATCH', exitCode: 2 });
    expect(err.toLine()).toBe(`svcpack: node_modules does not match package-lock.json: node_modules/a holds a@1.0.0 but package-lock.json wants a@2.0.0 — run npm ci (or npm install) in ${dir}, then build again`);
    expect(fs.existsSync(path.join(dir, '.cache', 'tree'))).toBe(false); // nothing fetched
  });

  it('a package that every install puts there but node_modules lacks stops the build; several are counted', async () => {
    const dir = project({ deps: { a: '1.0.0', b: '2.1.0', c: '3.0.0' }, installed: { a: '1.0.0', c: '2.0.0' } });
    const err = await rejected(SvcpackError, resolve(dir));
    expect(err).toMatchObject({ code: 'DEPENDENCY_MISMATCH', exitCode: 2 });
    expect(err.message).toBe('node_modules does not match package-lock.json: node_modules/b is missing but package-lock.json wants b@2.1.0 (and 1 more package)');
  });

  it('a missing optional package for another platform is no disagreement: it is fetched, and an unreachable registry is one line naming it and the registry (exit 2), at once', async () => {
    const dir = project({ deps: { a: '1.0.0' }, installed: { a: '1.0.0' }, windowsOptional: true });
    const started = performance.now();
    const err = await rejected(SvcpackError, resolve(dir));
    expect(performance.now() - started).toBeLessThan(5_000); // no retry rounds
    expect(err).toMatchObject({ code: 'DEPENDENCY_FETCH', exitCode: 2 });
    expect(err.toLine()).toMatch(
      new RegExp(
        `^svcpack: cannot reach the npm registry ${closedRegistry.replace(/[.]/g, '\\.')} to fetch watcher-win32-x64@1\\.0\\.0, which node_modules lacks \\(connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+\\) — check the network, or set npm_config_registry to a registry this machine can reach`,
      ),
    );
  });

  it('a project with no node_modules at all has its packages fetched (nothing installed is no disagreement)', async () => {
    const dir = project({ deps: { a: '1.0.0' }, modules: false });
    const err = await rejected(SvcpackError, resolve(dir));
    expect(err).toMatchObject({ code: 'DEPENDENCY_FETCH', exitCode: 2 });
    expect(err.message).toMatch(/to fetch a@1\.0\.0, which node_modules lacks/);
  });
});
