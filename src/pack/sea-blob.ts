/**
 * Generates a SEA preparation blob with `node --experimental-sea-config`, run by a host Node of
 * exactly the target version (blobs are version-specific). Code cache and snapshot are off: they
 * are tied to the host platform, and the blob runs on Windows.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { failure } from '../errors';

export interface SeaBlobInput {
  hostNode: string;
  /** CommonJS main script source. */
  main: string;
  /** Embedded assets: name → contents. */
  assets: Record<string, Uint8Array | string>;
  /** Scratch folder (created by the caller, removed by the caller). */
  workDir: string;
}

export function seaConfig(assetFiles: Record<string, string>): Record<string, unknown> {
  return {
    main: 'sea-main.cjs',
    output: 'sea-prep.blob',
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    assets: assetFiles,
  };
}

export async function generateSeaBlob(input: SeaBlobInput): Promise<Buffer> {
  const { workDir } = input;
  await fs.writeFile(path.join(workDir, 'sea-main.cjs'), input.main);
  const assetFiles: Record<string, string> = {};
  for (const [name, data] of Object.entries(input.assets)) {
    const file = `asset-${Object.keys(assetFiles).length}`;
    await fs.writeFile(path.join(workDir, file), data);
    assetFiles[name] = file;
  }
  await fs.writeFile(path.join(workDir, 'sea-config.json'), JSON.stringify(seaConfig(assetFiles)));
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
