/**
 * The printed summary (src/summary.ts): a Windows-only build reads as it always has; with a Linux
 * target the summary names the targets and gives each its own timings line.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildRecord } from '../src/emit/build-record';
import { formatSummary } from '../src/summary';

const outDir = path.resolve('dist');
const record = (targets: BuildRecord['targets'], timings: Record<string, number>) =>
  ({ name: 'hello-http', version: '1.2.3', node: { version: '26.10.0' }, packer: 'direct', outDir, outputs: { 'hello-http': { bytes: 156045837, sha256: 'x' } }, embedded: { modules: [], files: [] }, targets, timings }) as unknown as BuildRecord;
const target = (timings: Record<string, number>) => ({ executable: '', outputs: [], node: { source: 'cache' }, koffiSha256: '', size: { exeBytes: 0, runtimeBytes: 0, payloadBytes: 0 }, timings });

describe('formatSummary', () => {
  it('a Windows-only build: one timings line, as before targets', () => {
    const win = { dependencies: 18, bundle: 346, blob: 50, resources: 138 };
    const text = formatSummary(record({ 'win-x64': target(win) }, { resolve: 2, ...win, total: 900 }), []);
    expect(text).toBe('Built hello-http 1.2.3 (Node.js 26.10.0, packer direct)\nTimings: resolve options 2 ms, dependency tree 18 ms, bundle (esbuild) 346 ms, SEA blob 50 ms, resources 138 ms, total 900 ms\n');
  });

  it('with a Linux target: the targets named, shared steps first, then one line per target', () => {
    const win = { dependencies: 18, bundle: 346, blob: 50, resources: 138 };
    const linux = { dependencies: 24, bundle: 452, blob: 88, inject: 9047 };
    const text = formatSummary(record({ 'win-x64': target(win), 'linux-x64': target(linux) }, { resolve: 2, ...win, runtime: 25, emit: 322, total: 10440 }), [path.join(outDir, 'hello-http')]);
    expect(text.split('\n')).toEqual([
      'Built hello-http 1.2.3 (Node.js 26.10.0, packer direct) for win-x64, linux-x64',
      `  ${path.relative(process.cwd(), path.join(outDir, 'hello-http'))}  148.8 MB`,
      'Timings: resolve options 2 ms, Node.js runtime 25 ms, write outputs 322 ms, total 10.44 s',
      '  win-x64: dependency tree 18 ms, bundle (esbuild) 346 ms, SEA blob 50 ms, resources 138 ms',
      '  linux-x64: dependency tree 24 ms, bundle (esbuild) 452 ms, SEA blob 88 ms, inject (postject) 9.05 s',
      '',
    ]);
  });
});
