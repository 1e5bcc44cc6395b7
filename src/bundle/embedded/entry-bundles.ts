/**
 * Bundles the entry modules the app starts on their own — worker threads, forked modules, the
 * worker files of libraries such as pino, thread-stream and piscina — in one esbuild build with
 * code splitting, so what they share (pino in four entries) is embedded once as chunks. Each
 * output is an ES module with its own inline source map, embedded at its tree path
 * (runtime-shim/embedded/manifest.ts); chunks by file name (`svcpack-chunk-<hash>.mjs`).
 */
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { failure } from '../../errors';
import { esbuild } from '../esbuild';
import { CHUNK_PREFIX } from '../../../runtime-shim/embedded/manifest';
import { treePath } from './locations';
import { shareCommonJsModules } from '../shared-modules';

export interface EntryBundles {
  /** Tree path (entries) or file name (chunks) → module source. */
  modules: Map<string, string>;
  /** Input files and their sizes (project-relative), for build.json. */
  inputs: Record<string, number>;
}

/**
 * `shared` are the main bundle's options (plugins, define, banner, target…); `entries` absolute
 * paths of the entry modules.
 */
export async function bundleEntries(entries: readonly string[], projectDir: string, shared: Esbuild.BuildOptions): Promise<EntryBundles> {
  const result = await esbuild.build({
    ...shared,
    entryPoints: [...entries],
    outdir: projectDir,
    entryNames: 'svcpack-entry-[hash]',
    chunkNames: `${CHUNK_PREFIX}[hash]`,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    format: 'esm',
    bundle: true,
    write: false,
    metafile: true,
  });
  const modules = new Map<string, string>();
  const byOutput = new Map(result.outputFiles.map((f) => [path.relative(projectDir, f.path).split(path.sep).join('/'), f.text]));
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (out.endsWith('.map')) continue;
    const text = byOutput.get(out);
    if (text === undefined) throw failure('BUNDLE_FAILED', `esbuild reported ${out} but produced no such file`);
    const key = meta.entryPoint ? treePath(projectDir, path.resolve(projectDir, meta.entryPoint)) : path.posix.basename(out);
    modules.set(key, shareCommonJsModules(text));
  }
  const inputs = Object.fromEntries(Object.entries(result.metafile.inputs).map(([file, meta]) => [file, meta.bytes]));
  return { modules, inputs };
}
