/**
 * Peer: `bun build --compile` cross-compiling to Windows x64 with the Linux bun. Offline: the
 * Windows runtime it embeds is passed with `--compile-executable-path` (bun.exe from
 * `@oven/bun-windows-x64`, see tools.ts); without it bun would download it from the npm registry.
 * bun keeps no cache of its own for this (no install or transpiler cache is consulted when the
 * app's dependencies are already in node_modules).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { runTool, stage, type PeerBuild } from './tools';

export interface BunCompileInput {
  entry: string;
  /** Work folder of this build (created; the exe is written into it). */
  workDir: string;
  bun: string;
  bunWindowsExe: string;
  /** Exe base name (default `app`). */
  name?: string;
  /** Extra environment (e.g. empty cache folders for cold builds). */
  env?: NodeJS.ProcessEnv;
  /** Report bun's peak resident set (`peakRssKiB`; runs it under GNU time, see tools.ts `runTool`). */
  peakMemory?: boolean;
}

/** Builds `<workDir>/<name>.exe`; one stage: compile (one process: bun starts no other). */
export async function buildBunCompile(input: BunCompileInput): Promise<PeerBuild> {
  const exe = path.join(input.workDir, `${input.name ?? 'app'}.exe`);
  const stages: Record<string, number> = {};
  await fs.mkdir(input.workDir, { recursive: true });
  const run = await stage(stages, 'compile', () =>
    runTool(
      input.bun,
      ['build', '--compile', '--target=bun-windows-x64', '--compile-executable-path', input.bunWindowsExe, '--outfile', exe, input.entry],
      { what: 'bun build --compile', cwd: path.dirname(input.entry), env: input.env, peakMemory: input.peakMemory },
    ),
  );
  return { exe, stages, ...(run.peakRssKiB !== undefined && { peakRssKiB: run.peakRssKiB }) };
}
