/**
 * Native addons end to end, with real npm packages installed as users install them
 * (`npm ci` on Linux, which skips their Windows binaries; test/support/fixture-deps.ts):
 * fixtures/native-addons uses @node-rs/argon2 (napi-rs platform package, fetched from the npm
 * registry), classic-level (prebuildify, node-gyp-build) and @duckdb/node-api (a platform package
 * whose duckdb.node needs duckdb.dll beside it). The exe runs as a service, in `run`, and — built
 * supervised and compressed — as a supervised child; each route calls one addon.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatInspect } from '../../src/inspect/format';
import { inspect } from '../../src/inspect/inspect';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { buildFixture, e2eFile, ensurePortFree, fixturesDir, httpGet, sc, spawnExe, startService, waitForHttp, waitForState, winePrefix } from './wine';

const PLAIN = 'SvcpackE2EAddons';
const SUPERVISED = 'SvcpackE2EAddonsSup';
const SERVICE_PORT = 18310; // the fixture's default: Wine gives services no custom environment
const RUN_PORT = 18312;

/** %LOCALAPPDATA%\svcpack\native of the Wine user, whom Wine runs every service as (docs/wine10-facts.md). */
const nativeModuleDirUnderWine = () => path.join(winePrefix, 'drive_c', 'users', os.userInfo().username, 'AppData', 'Local', 'svcpack', 'native');

const file = e2eFile({
  services: [PLAIN, SUPERVISED],
  setup: async () => {
    await ensureFixtureDeps(path.join(fixturesDir, 'native-addons'));
    const [plain, supervised] = await Promise.all([
      buildFixture('native-addons', PLAIN, { stopTimeout: 5_000 }),
      buildFixture('native-addons', SUPERVISED, { stopTimeout: 5_000, supervise: 'true', compress: true }),
    ]);
    return { plain, supervised };
  },
});

/** Calls each addon's route; returns what each answered. */
async function callAddons(port: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const route of ['argon2', 'argon2-worker', 'level', 'duckdb']) {
    const body = await httpGet(`http://127.0.0.1:${port}/${route}`, 20_000);
    out[route] = body === null ? null : JSON.parse(body);
  }
  return out;
}

const EXPECTED = {
  argon2: { argon2: true, verified: true },
  'argon2-worker': { argon2: true, verified: true },
  level: { level: 'hello from leveldb' },
  duckdb: { duckdb: [{ answer: 42 }] },
};

describe('native addons', () => {
  test('the build found each addon, fetched the platform packages, and records them', () => {
    const { plain } = file.ctx;
    const addons = plain.record.addons.map((a) => ({ package: a.package, source: a.source, files: a.files.map((f) => f.path) }));
    expect(addons).toEqual(
      expect.arrayContaining([
        { package: '@node-rs/argon2-win32-x64-msvc', source: 'registry', files: ['argon2.win32-x64-msvc.node'] },
        { package: 'classic-level', source: 'installed', files: ['classic-level.node'] },
        { package: '@duckdb/node-bindings-win32-x64', source: 'registry', files: ['duckdb.node', 'duckdb.dll'] },
      ]),
    );
    expect(addons).toHaveLength(3);
    for (const a of plain.record.addons) for (const f of a.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('svcpack inspect lists the embedded addons from the exe alone', async () => {
    const { plain } = file.ctx;
    const inspected = await inspect(plain.exe);
    expect(inspected.svcpack?.addons).toEqual(plain.record.addons);
    const text = formatInspect(inspected);
    expect(text).toMatch(/^native addons +\S/m);
    expect(text).toMatch(/^(native addons)? +@duckdb\/node-bindings-win32-x64@1\.5\.6-r\.1 \(registry\): duckdb\.node \+ duckdb\.dll, sha256 [0-9a-f]{64}$/m);
  });

  test('as a service: each addon answers; files extracted hash-named into the protected native folder', async () => {
    const { plain } = file.ctx;
    await startService(PLAIN, plain.exe, { port: SERVICE_PORT, timeoutMs: 30_000 });
    expect(await waitForHttp(`http://127.0.0.1:${SERVICE_PORT}/`, 20_000)).toBe('ok');
    expect(await callAddons(SERVICE_PORT)).toEqual(EXPECTED);
    // duckdb.dll sits beside duckdb.node in the addon's content-addressed folder.
    const duck = plain.record.addons.find((a) => a.package === '@duckdb/node-bindings-win32-x64')!;
    const dir = path.join(nativeModuleDirUnderWine(), duck.key.slice(0, 32));
    expect(fs.readdirSync(dir).sort()).toEqual(['duckdb.dll', 'duckdb.node']);
    await sc('stop', PLAIN);
    const stopped = await waitForState(PLAIN, 'STOPPED', 15_000);
    expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
  });

  test('run: each addon answers', async () => {
    const { plain } = file.ctx;
    await ensurePortFree(RUN_PORT);
    const p = spawnExe(plain.exe, ['run'], { env: { PORT: String(RUN_PORT) }, tag: 'run-addons' });
    try {
      await waitForHttp(`http://127.0.0.1:${RUN_PORT}/`, 30_000);
      expect(await callAddons(RUN_PORT)).toEqual(EXPECTED);
    } finally {
      await p.kill();
    }
  });

  test('supervised and compressed: the child loads the addons unpacked from the compressed payload', async () => {
    const { supervised } = file.ctx;
    expect(supervised.record.size.compressed).toBe(true);
    await startService(SUPERVISED, supervised.exe, { port: SERVICE_PORT, timeoutMs: 30_000 });
    expect(await waitForHttp(`http://127.0.0.1:${SERVICE_PORT}/`, 30_000)).toBe('ok');
    expect(await callAddons(SERVICE_PORT)).toEqual(EXPECTED);
  });
});
