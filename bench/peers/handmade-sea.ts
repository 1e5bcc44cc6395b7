/**
 * Peer: a plain Node single-executable application made by hand, the way Node's documentation
 * describes it (nodejs.org/api/single-executable-applications.html), one command per step as a
 * user would type them:
 *
 *   esbuild app.ts --bundle --platform=node --format=cjs --outfile=app.cjs
 *   echo '{ "main": "app.cjs", "output": "sea-prep.blob", ... }' > sea-config.json
 *   node --experimental-sea-config sea-config.json        (Node of exactly the target version)
 *   cp node.exe app.exe
 *   npx postject app.exe NODE_SEA_BLOB sea-prep.blob --sentinel-fuse NODE_SEA_FUSE_… --overwrite
 *
 * Node 22's SEA main script must be CommonJS, and esbuild cannot write top-level await as
 * CommonJS. For apps that use it (fixtures/hello-http does), the app is bundled as an ES module
 * and embedded as a SEA asset (`assets` in sea-config.json, documented), and a small CommonJS
 * main imports it — the same technique pkg's and svcpack's loaders use. Which form an app needs
 * is decided once, untimed ({@link handmadeSeaFormat}). What the recipe leaves out on Windows
 * (`signtool remove /s`, resource editing) is not done here either.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { SEA_FUSE } from '../../src/pack/pe';
import { bundleForPeer, maxPeak, runTool, stage, type NodeRuntime, type PeerBuild } from './tools';

/** `cjs`: the documented recipe as is. `esm-asset`: ES module bundle as an asset + CommonJS main (top-level await). */
export type SeaBundleFormat = 'cjs' | 'esm-asset';

export interface HandmadeSeaInput {
  entry: string;
  /** Work folder of this build (created; the exe is written into it). */
  workDir: string;
  node: NodeRuntime;
  postjectCli: string;
  format: SeaBundleFormat;
  /** Exe base name (default `app`). */
  name?: string;
  /**
   * Report the peak resident set of the recipe's commands (`peakRssKiB`: the largest of esbuild's,
   * node --experimental-sea-config's and postject's). The copy of node.exe is done in the
   * benchmark's own process (a `cp` would take a few MiB), so it is not part of the figure.
   */
  peakMemory?: boolean;
}

/**
 * The CommonJS main for `esm-asset`: serves the embedded ES module under the exe's file URL via a
 * module hook and imports it through a vm.Script that may use the default ESM loader.
 */
export const ESM_ASSET_MAIN = `'use strict';
const { getAsset } = require('node:sea');
const { registerHooks } = require('node:module');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');
const url = pathToFileURL(process.execPath).href;
const source = getAsset('app.mjs', 'utf8');
registerHooks({
  resolve: (s, c, next) => (s === url ? { url, format: 'module', shortCircuit: true } : next(s, c)),
  load: (u, c, next) => (u === url ? { format: 'module', source, shortCircuit: true } : next(u, c)),
});
new vm.Script('import(' + JSON.stringify(url) + ')', { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })
  .runInThisContext()
  .catch((err) => { console.error(err); process.exit(1); });
`;

/** Banner for ES module bundles: CommonJS dependencies may `require` Node's built-in modules. */

/** Whether `entry` can be bundled as CommonJS (the documented recipe) or needs `esm-asset` (top-level await). */
export async function handmadeSeaFormat(entry: string): Promise<SeaBundleFormat> {
  try {
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node22', write: false, logLevel: 'silent' });
    return 'cjs';
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors ?? [];
    if (errors.length > 0 && errors.every((e) => /top-level await/i.test(e.text))) return 'esm-asset';
    throw new Error(`hand-made SEA: cannot bundle ${entry}: ${errors[0]?.text ?? String(err)}`);
  }
}

/** Builds `<workDir>/<name>.exe`; stages: bundle, blob, copy, inject. */
export async function buildHandmadeSea(input: HandmadeSeaInput): Promise<PeerBuild> {
  const { workDir, node } = input;
  const name = input.name ?? 'app';
  const exe = path.join(workDir, `${name}.exe`);
  const stages: Record<string, number> = {};
  const cwd = workDir;
  await fs.mkdir(workDir, { recursive: true });

  const esm = input.format === 'esm-asset';
  const bundleFile = esm ? 'app.mjs' : 'app.cjs';
  const { peakMemory } = input;
  let peakRssKiB = await stage(stages, 'bundle', () =>
    bundleForPeer({ entry: input.entry, cwd, outfile: bundleFile, format: esm ? 'esm' : 'cjs', what: 'hand-made SEA: esbuild', peakMemory }),
  );

  await stage(stages, 'blob', async () => {
    if (esm) await fs.writeFile(path.join(cwd, 'sea-main.cjs'), ESM_ASSET_MAIN);
    const config = {
      main: esm ? 'sea-main.cjs' : 'app.cjs',
      output: 'sea-prep.blob',
      disableExperimentalSEAWarning: true,
      ...(esm && { assets: { 'app.mjs': 'app.mjs' } }),
    };
    await fs.writeFile(path.join(cwd, 'sea-config.json'), JSON.stringify(config, null, 2));
    const run = await runTool(node.hostNode, ['--experimental-sea-config', 'sea-config.json'], { what: 'hand-made SEA: node --experimental-sea-config', cwd, peakMemory });
    peakRssKiB = maxPeak(peakRssKiB, run.peakRssKiB);
  });

  await stage(stages, 'copy', () => fs.copyFile(node.nodeExe, exe));

  const injected = await stage(stages, 'inject', () =>
    runTool(node.hostNode, [input.postjectCli, exe, 'NODE_SEA_BLOB', 'sea-prep.blob', '--sentinel-fuse', SEA_FUSE, '--overwrite'], {
      what: 'hand-made SEA: postject',
      cwd,
      peakMemory,
    }),
  );
  peakRssKiB = maxPeak(peakRssKiB, injected.peakRssKiB);
  return { exe, stages, ...(peakRssKiB !== undefined && { peakRssKiB }) };
}
