/**
 * The benchmarks' peers and the build/size suites: the peer tools come from the npm registry (cached
 * in benchToolsDir(), so only the first run downloads), each peer turns fixtures/hello-http into a
 * Windows exe. The suites themselves run once, in quick mode, in test/bench/quick-run.test.ts.
 * Postject-bound builds take ~10-20 s each.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildBunCompile } from '../../bench/peers/bun-compile';
import { buildHandmadeSea, handmadeSeaFormat } from '../../bench/peers/handmade-sea';
import { ensureLargeApp, HELLO_APP_ENTRY, LARGE_APP_ENTRY, staleLargeAppPackages } from '../../bench/peers/large-app';
import { buildPkgSea, seedPkgHome } from '../../bench/peers/pkg-sea';
import { acquirePeerTools, benchToolsDir, PEER_VERSIONS, runTool, toolVersions, type PeerTools } from '../../bench/peers/tools';
import { bundledInputCount } from '../../bench/suites/build';
import { peLayout, seaBlobBytes } from '../../bench/suites/size';
import { isWindowsPe } from '../../src/runtime/pe-check';

const log = (message: string) => console.log(`[bench] ${message}`);
let tools: PeerTools;
let scratch: string;

beforeAll(async () => {
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-bench-test-'));
  tools = await acquirePeerTools({ toolsDir: benchToolsDir(), log });
}, 600_000);

afterAll(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

async function readExe(file: string): Promise<Buffer> {
  const image = await fs.readFile(file);
  expect(image.toString('latin1', 0, 2)).toBe('MZ');
  expect(isWindowsPe(image.subarray(0, 4096), 'x64')).toBe(true);
  return image;
}

describe('peer tools', () => {
  test('are acquired into the bench cache at the pinned versions, and reused', async () => {
    const dir = benchToolsDir();
    expect(tools.bun.startsWith(dir)).toBe(true);
    expect((await runTool(tools.bun, ['--version'], { what: 'bun --version' })).stdout.trim()).toBe(PEER_VERSIONS.bun);
    await readExe(tools.bunWindowsExe);
    await fs.access(tools.postjectCli);
    expect((await runTool(tools.node.hostNode, ['--version'], { what: 'node --version' })).stdout.trim()).toBe(`v${PEER_VERSIONS.node}`);
    await readExe(tools.node.nodeExe);

    const again = await acquirePeerTools({ toolsDir: dir, log: (m) => expect.fail(`unexpected work: ${m}`) });
    expect(again).toEqual(tools);
    expect(toolVersions()).toMatchObject({ bun: PEER_VERSIONS.bun, postject: PEER_VERSIONS.postject });
  });

  test('large-app: dependencies installed on demand, several hundred bundled modules', async () => {
    await ensureLargeApp(log);
    expect(await staleLargeAppPackages()).toEqual([]);
    expect(await bundledInputCount(LARGE_APP_ENTRY)).toBeGreaterThanOrEqual(300);
  }, 300_000);
});

describe('peer builds of hello-http', () => {
  test('hand-made SEA: a node.exe with a NODE_SEA_BLOB resource', async () => {
    const format = await handmadeSeaFormat(HELLO_APP_ENTRY);
    expect(format).toBe('esm-asset'); // hello-http uses top-level await
    const built = await buildHandmadeSea({ entry: HELLO_APP_ENTRY, workDir: path.join(scratch, 'handmade'), node: tools.node, postjectCli: tools.postjectCli, format, peakMemory: true });
    expect(Object.keys(built.stages)).toEqual(['bundle', 'blob', 'copy', 'inject']);
    // postject holds node.exe (≈ 83 MiB) and the blob in a Node process: the largest of the three commands.
    expect(built.peakRssKiB).toBeGreaterThan(100 * 1024);
    expect(seaBlobBytes(await readExe(built.exe))).toBeGreaterThan(0);
  }, 180_000);

  test('pkg --sea: a node.exe with a NODE_SEA_BLOB resource', async () => {
    const home = await seedPkgHome(path.join(scratch, 'pkg-cache'), tools.node);
    const built = await buildPkgSea({ entry: HELLO_APP_ENTRY, workDir: path.join(scratch, 'pkg'), node: tools.node, pkgHome: home, peakMemory: true });
    expect(Object.keys(built.stages)).toEqual(['bundle', 'pkg']);
    expect(built.peakRssKiB).toBeGreaterThan(100 * 1024);
    expect(seaBlobBytes(await readExe(built.exe))).toBeGreaterThan(0);
  }, 180_000);

  test('bun build --compile: a Windows x64 PE, built offline', async () => {
    const built = await buildBunCompile({ entry: HELLO_APP_ENTRY, workDir: path.join(scratch, 'bun'), bun: tools.bun, bunWindowsExe: tools.bunWindowsExe, peakMemory: true });
    expect(built.peakRssKiB).toBeGreaterThan(20 * 1024);
    const unmeasured = await buildBunCompile({ entry: HELLO_APP_ENTRY, workDir: path.join(scratch, 'bun-plain'), bun: tools.bun, bunWindowsExe: tools.bunWindowsExe });
    expect(unmeasured.peakRssKiB).toBeUndefined();
    const image = await readExe(built.exe);
    expect(seaBlobBytes(image)).toBeUndefined();
    // bun appends the app as a `.bun` section to bun.exe (and drops bun.exe's signature).
    expect(peLayout(image).sections.find((s) => s.name === '.bun')?.rawBytes).toBeGreaterThan(0);
  }, 120_000);
});
