// Compiles the toolchain (src/) and the runtime API (runtime-shim/api.ts) to lib/ with esbuild.
// runtime-shim/ itself ships as TypeScript: svcpack bundles it into every exe at build time.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', runtime: 'runtime-shim/api.ts' },
  outdir: 'lib',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
