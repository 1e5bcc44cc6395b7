/**
 * Native binaries of the embedded dependency tree (tree-natives.ts, tree-binary-hooks.ts): which
 * files go out together, under which content address; then, on a real Node with module hooks, a
 * real addon `require`d by a computed name at its path inside the exe and an executable started
 * with spawn, execFile and spawnSync from its package folder — both from their checked copies.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbedManifest } from '../../../runtime-shim/embedded/manifest';
import { treeBinaryPath, withoutNamespace } from '../../../runtime-shim/embedded/tree-binary-hooks';
import { nativeSetOf, packageOfTreePath } from '../../../runtime-shim/embedded/tree-natives';
import { repoModule, runOnHooksNode } from '../../support/hooks-node';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const A = sha('a');
const B = sha('b');
const C = sha('c');
const manifest: EmbedManifest = {
  modules: {},
  bundlerPaths: {},
  files: {
    'node_modules/@img/sharp-win32-x64/package.json': { asset: `file-${sha('{}')}`, size: 2 },
    'node_modules/@img/sharp-win32-x64/lib/sharp-win32-x64.node': { asset: `file-${A}`, size: 1 },
    'node_modules/@img/sharp-win32-x64/lib/libvips-42.dll': { asset: `file-${B}`, size: 1 },
    'node_modules/@img/sharp-win32-x64/lib/vips.txt': { asset: `file-${sha('t')}`, size: 1 },
    'node_modules/@img/sharp-win32-x64/node_modules/inner/x.dll': { asset: `file-${C}`, size: 1 },
    'node_modules/@img/sharp-win32-x64/node_modules/inner/package.json': { asset: `file-${sha('{}')}`, size: 2 },
  },
  packages: {
    'node_modules/@img/sharp-win32-x64': '@img/sharp-win32-x64@0.34.5',
    'node_modules/@img/sharp-win32-x64/node_modules/inner': 'inner@1.0.0',
  },
};

describe('nativeSetOf', () => {
  it("a package's binaries (.node, .dll, .exe) go together, at their place in it; a nested package's do not", () => {
    const set = nativeSetOf(manifest, 'node_modules/@img/sharp-win32-x64/lib/sharp-win32-x64.node')!;
    expect(set.location).toBe('node_modules/@img/sharp-win32-x64');
    expect(set.files).toEqual([
      { path: 'lib/libvips-42.dll', asset: `file-${B}`, sha256: B },
      { path: 'lib/sharp-win32-x64.node', asset: `file-${A}`, sha256: A },
    ]);
    expect(set.key).toBe(sha(`lib/libvips-42.dll:${B}\nlib/sharp-win32-x64.node:${A}`));
    expect(nativeSetOf(manifest, 'node_modules/@img/sharp-win32-x64/node_modules/inner/x.dll')!.files).toEqual([{ path: 'x.dll', asset: `file-${C}`, sha256: C }]);
  });

  it('null for what is not an embedded tree binary', () => {
    expect(nativeSetOf(manifest, 'node_modules/@img/sharp-win32-x64/lib/vips.txt')).toBeNull();
    expect(nativeSetOf(manifest, 'node_modules/@img/sharp-win32-x64/lib/gone.node')).toBeNull();
    expect(nativeSetOf({ ...manifest, packages: {} }, 'node_modules/@img/sharp-win32-x64/lib/sharp-win32-x64.node')).toBeNull();
  });

  it('refuses a binary whose asset is not named by its content hash (it could not be checked)', () => {
    const bad: EmbedManifest = { ...manifest, files: { ...manifest.files, 'node_modules/@img/sharp-win32-x64/lib/y.dll': { asset: 'y', size: 1 } } };
    expect(() => nativeSetOf(bad, 'node_modules/@img/sharp-win32-x64/lib/sharp-win32-x64.node')).toThrow(/no content hash/);
  });
});

describe('paths', () => {
  it('packageOfTreePath: the longest package folder holding the path', () => {
    expect(packageOfTreePath(manifest.packages!, 'node_modules/@img/sharp-win32-x64/node_modules/inner/x.dll')).toBe('node_modules/@img/sharp-win32-x64/node_modules/inner');
    expect(packageOfTreePath(manifest.packages!, 'node_modules/@img/sharp-win32-x64-other/x.dll')).toBeNull();
  });

  it("withoutNamespace: Node's \\\\?\\ addon paths back to plain ones", () => {
    expect(withoutNamespace('\\\\?\\C:\\svc\\a.exe\\x.node')).toBe('C:\\svc\\a.exe\\x.node');
    expect(withoutNamespace('\\\\?\\UNC\\host\\share\\a.exe\\x.node')).toBe('\\\\host\\share\\a.exe\\x.node');
    expect(withoutNamespace('C:\\x.node')).toBe('C:\\x.node');
  });

  it('treeBinaryPath leaves alone what is outside the exe, not a path, or not a tree binary', () => {
    const read = () => {
      throw new Error('not read');
    };
    expect(treeBinaryPath('C:\\other\\x.node', manifest, 'C:\\svc\\a.exe', read, path.win32)).toBeNull();
    expect(treeBinaryPath(42, manifest, 'C:\\svc\\a.exe', read, path.win32)).toBeNull();
    expect(treeBinaryPath('C:\\svc\\a.exe\\node_modules\\@img\\sharp-win32-x64\\lib\\vips.txt', manifest, 'C:\\svc\\a.exe', read, path.win32)).toBeNull();
  });
});

/**
 * On a real Node: koffi's Linux addon and a shell script named `tool.exe` as the tree's binaries,
 * loaded and started at their virtual paths; their copies land in the account's native folder (on this Linux host, XDG_CACHE_HOME's).
 */
const SCRIPT = (addon: string, tool: string) => `
import { createRequire } from 'node:module';
import childProcess from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { installModuleHooks } from ${repoModule('runtime-shim/embedded/module-hooks.ts')};
import { installTreeBinaryHooks } from ${repoModule('runtime-shim/embedded/tree-binary-hooks.ts')};
const exe = '/opt/svc/app.exe';
const blobs = {};
const add = (data) => { const h = createHash('sha256').update(data).digest('hex'); blobs['file-' + h] = data; return { asset: 'file-' + h, size: data.length }; };
const manifest = {
  modules: {}, bundlerPaths: {},
  files: {
    'node_modules/@scope/native-linux/package.json': add(Buffer.from(JSON.stringify({ name: '@scope/native-linux', version: '1.0.0', main: 'koffi.node' }))),
    'node_modules/@scope/native-linux/koffi.node': add(fs.readFileSync(${JSON.stringify(addon)})),
    'node_modules/tools/package.json': add(Buffer.from(JSON.stringify({ name: 'tools', version: '1.0.0' }))),
    'node_modules/tools/bin/tool.exe': add(fs.readFileSync(${JSON.stringify(tool)})),
  },
  packages: { 'node_modules/@scope/native-linux': '@scope/native-linux@1.0.0', 'node_modules/tools': 'tools@1.0.0' },
};
const read = (entry) => blobs[entry.asset];
installModuleHooks(manifest, (a) => new TextDecoder().decode(blobs[a]), exe, read);
installTreeBinaryHooks(manifest, exe, read);
const require = createRequire(import.meta.url);
const target = ['native', 'linux'].join('-');
const koffi = require('@scope/' + target);
const tool = exe + '/node_modules/tools/bin/tool.exe';
const viaSpawn = await new Promise((resolve) => { let out = ''; const c = childProcess.spawn(tool, ['spawn']); c.stdout.on('data', (d) => (out += d)); c.on('close', () => resolve(out.trim())); });
const viaExecFile = await new Promise((resolve) => childProcess.execFile(tool, ['execFile'], (e, out) => resolve(e ? e.message : out.trim())));
const viaSync = childProcess.spawnSync(tool, ['spawnSync'], { encoding: 'utf8' }).stdout.trim();
const viaFileSync = childProcess.execFileSync(tool, ['execFileSync'], { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ koffi: typeof koffi.load, viaSpawn, viaExecFile, viaSync, viaFileSync }));
`;

describe('tree binaries on Node', () => {
  it('a real addon by a computed name, and an executable by spawn, execFile, spawnSync, execFileSync, from checked copies', { timeout: 120_000 }, async () => {
    const addon = path.resolve('node_modules/koffi/build/koffi/linux_x64/koffi.node');
    let written: string[] = [];
    const r = await runOnHooksNode(
      (dir) => {
        const tool = path.join(dir, 'tool.sh');
        fs.writeFileSync(tool, '#!/bin/sh\necho "tool $1"\n');
        return { script: SCRIPT(addon, tool), env: { XDG_CACHE_HOME: path.join(dir, 'local') } };
      },
      (dir) => {
        written = fs.readdirSync(path.join(dir, 'local', 'svcpack', 'native'));
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ koffi: 'function', viaSpawn: 'tool spawn', viaExecFile: 'tool execFile', viaSync: 'tool spawnSync', viaFileSync: 'tool execFileSync' });
    // the addon's package and the tool's package: one folder each
    expect(written).toHaveLength(2);
  });
});
