// Compiles the toolchain (src/) and the runtime API (runtime-shim/api.ts) to lib/ with esbuild.
// runtime-shim/ itself ships as TypeScript: svcpack bundles it into every exe at build time.
//
// commander and resedit are bundled into lib/: loading them as node_modules packages (dozens of
// files, and a CommonJS export scan for commander) was a measurable part of a warm build's
// 0.1 s of start-up (issue 5). esbuild (it locates its own binary), @yao-pkg/pkg (run as a
// program) and koffi (read as files) stay external.
import fs from 'node:fs';
import * as esbuild from 'esbuild';

fs.rmSync('lib', { recursive: true, force: true });
await esbuild.build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', runtime: 'runtime-shim/api.ts' },
  outdir: 'lib',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['esbuild', '@yao-pkg/pkg', 'koffi'],
  // Bundled CommonJS (commander) calls require() for Node built-ins.
  banner: { js: "import { createRequire as __libCreateRequire } from 'node:module'; const require = __libCreateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
