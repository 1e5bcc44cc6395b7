/**
 * The default packer: svcpack makes the SEA blob itself (SEA main script + app bundle + koffi's
 * native module as assets) and writes it into node.exe in the same resedit pass that writes the
 * version resources and icon (DESIGN §3). No postject.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { editExecutable } from './pe';
import { generateSeaBlob } from './sea-blob';
import type { VersionInfoTable } from './version-info';

export interface PackInput {
  hostNode: string;
  targetExe: string;
  seaMain: string;
  appBundle: string;
  koffiNode: Uint8Array;
  versionInfo: VersionInfoTable;
  icon?: Uint8Array;
}

export interface PackTimings {
  blob: number;
  resources: number;
}

export async function packDirect(input: PackInput): Promise<{ exe: Buffer; timings: PackTimings }> {
  // node.exe (≈ 90 MB) is read while the blob is generated: the two overlap.
  const nodeExeRead = fs.readFile(input.targetExe);
  nodeExeRead.catch(() => undefined); // awaited below; a failure surfaces there
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-sea-'));
  try {
    let t = performance.now();
    const seaBlob = await generateSeaBlob({
      hostNode: input.hostNode,
      main: input.seaMain,
      assets: { 'app.mjs': input.appBundle, 'koffi.node': input.koffiNode },
      workDir,
    });
    const blob = performance.now() - t;
    t = performance.now();
    const nodeExe = await nodeExeRead;
    const exe = editExecutable(nodeExe, { seaBlob, versionInfo: input.versionInfo, icon: input.icon });
    return { exe, timings: { blob, resources: performance.now() - t } };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}
