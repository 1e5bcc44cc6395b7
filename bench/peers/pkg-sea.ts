/**
 * Peer: `@yao-pkg/pkg --sea`, run directly (the pkg svcpack depends on) under the host Node of the
 * target version (pkg's SEA mode needs Node ≥ 22 and a blob generator of exactly the target
 * version; this machine's Node is older). pkg wants one JavaScript entry, so the app is bundled
 * first (esbuild, ES module: top-level await works) and handed to pkg with a minimal package.json
 * naming it as `bin` — pkg's "enhanced" SEA mode, the one that handles ES modules with top-level
 * await and supports `--compress` (the "simple" mode, a bare .js without package.json, needs a
 * CommonJS entry and refuses `--compress`).
 *
 * pkg's SEA mode looks for the target node.exe in `~/.pkg-cache/sea/` (it ignores
 * PKG_CACHE_PATH there), so pkg runs with HOME pointing at a folder seeded as svcpack seeds it
 * ({@link seedPkgHome}); pkg never downloads.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { seedPkgCache } from '../../src/pack/pkg-packer';
import { bundleForPeer, maxPeak, pkgCli, runTool, stage, type NodeRuntime, type PeerBuild } from './tools';

export interface PkgSeaInput {
  entry: string;
  /** Work folder of this build (created; the exe is written into it). */
  workDir: string;
  node: NodeRuntime;
  /** A HOME seeded by {@link seedPkgHome}. */
  pkgHome: string;
  /** pkg's `--compress` (enhanced SEA mode only). */
  compress?: 'Brotli' | 'GZip';
  /** Exe base name (default `app`). */
  name?: string;
  /** Report the peak resident set of the recipe's commands (`peakRssKiB`: the larger of esbuild's and pkg's). */
  peakMemory?: boolean;
}

/**
 * Makes `<dir>/pkg-home/.pkg-cache/sea/` hold node-v<v>-win-x64.exe (a hard link to, or copy of,
 * `node.nodeExe`) and the `.ok` markers pkg checks; returns the folder to use as pkg's HOME.
 */
export async function seedPkgHome(dir: string, node: NodeRuntime): Promise<string> {
  return seedPkgCache(dir, node.version, node.nodeExe);
}

/** Builds `<workDir>/<name>.exe`; stages: bundle, pkg. */
export async function buildPkgSea(input: PkgSeaInput): Promise<PeerBuild> {
  const { workDir, node } = input;
  const name = input.name ?? 'app';
  const exe = path.join(workDir, `${name}.exe`);
  const stageDir = path.join(workDir, 'pkg-input');
  const stages: Record<string, number> = {};
  await fs.mkdir(stageDir, { recursive: true });

  let peakRssKiB = await stage(stages, 'bundle', () =>
    bundleForPeer({ entry: input.entry, cwd: stageDir, outfile: 'app.mjs', format: 'esm', what: 'pkg --sea: esbuild', peakMemory: input.peakMemory }),
  );

  await stage(stages, 'pkg', async () => {
    await fs.writeFile(path.join(stageDir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, bin: 'app.mjs' }, null, 2));
    const run = await runTool(
      node.hostNode,
      [
        pkgCli(),
        'package.json',
        '--sea',
        '--target',
        `node${node.version}-win-x64`,
        '--output',
        exe,
        ...(input.compress ? ['--compress', input.compress] : []),
      ],
      { what: 'pkg --sea', cwd: stageDir, env: { HOME: input.pkgHome, USERPROFILE: input.pkgHome }, peakMemory: input.peakMemory },
    );
    peakRssKiB = maxPeak(peakRssKiB, run.peakRssKiB);
  });
  return { exe, stages, ...(peakRssKiB !== undefined && { peakRssKiB }) };
}
