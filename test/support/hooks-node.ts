/**
 * Runs an ES module script on a Node that has `module.registerHooks` (Node ≥ 22.15): this one,
 * else the host Node of svcpack's default line (fetched into the cache when missing), with the
 * TypeScript loader, so the script can import the runtime shim's modules by their file URLs.
 * For tests of what the exe installs per thread (module hooks, binary hooks), on Linux.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import { registerHooks } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

async function hooksNode(): Promise<string> {
  if (typeof registerHooks === 'function') return process.execPath;
  return (await acquireRuntime({ version: DEFAULT_NODE_VERSION })).hostNode;
}

/** The `import` specifier of a module of this repository (`runtime-shim/embedded/x.ts`), for scripts. */
export const repoModule = (rel: string): string => JSON.stringify(pathToFileURL(path.resolve(rel)).href);

/**
 * Runs a script from a temp folder: `make` is the script, or makes it (and extra environment
 * variables) from the folder, after putting files there; `after(dir)` looks at the folder once the
 * process ended, before it is removed. Returns the finished process (stdout, stderr, status).
 */
export async function runOnHooksNode(
  make: string | ((dir: string) => { script: string; env?: NodeJS.ProcessEnv }),
  after?: (dir: string) => void,
): Promise<SpawnSyncReturns<string>> {
  const node = await hooksNode();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-hooks-node-'));
  try {
    const { script, env } = typeof make === 'string' ? { script: make, env: {} } : make(dir);
    const file = path.join(dir, 'run.mjs');
    fs.writeFileSync(file, script);
    const result = spawnSync(node, ['--no-deprecation', '--import', './scripts/ts-register.js', file], { encoding: 'utf8', cwd: process.cwd(), env: { ...process.env, ...env } });
    after?.(dir);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
