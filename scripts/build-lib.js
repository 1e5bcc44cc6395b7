// Compiles the toolchain (src/) and the runtime API (runtime-shim/api.ts) to lib/ with esbuild.
// runtime-shim/ itself ships as TypeScript: svcpack bundles it into every exe at build time.
//
// commander and resedit are bundled into lib/: loading them as node_modules packages (dozens of
// files, and a CommonJS export scan for commander) was a measurable part of a warm build's
// 0.1 s of start-up. esbuild (it locates its own binary), @yao-pkg/pkg (run as a
// program), koffi (read as files) and postject (4.8 MB of WebAssembly, loaded only by linux-x64
// builds) stay external.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);

fs.rmSync('lib', { recursive: true, force: true });
await esbuild.build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', runtime: 'runtime-shim/api.ts' },
  outdir: 'lib',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['esbuild', '@yao-pkg/pkg', 'koffi', 'postject'],
  // Bundled CommonJS (commander) calls require() for Node built-ins.
  banner: { js: "import { createRequire as __libCreateRequire } from 'node:module'; const require = __libCreateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});

// Type declarations for `import … from 'svcpack'` (and 'svcpack/runtime'): lib/types/, emitted by
// tsc from the sources. The sources import each other without file extensions (esbuild and
// `moduleResolution: bundler` resolve them); consumers compiling with `node16`/`nodenext` need
// `./x.js`, so every relative specifier is rewritten to name the file it resolves to.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
for (const file of fs.readdirSync('lib/types', { recursive: true })) {
  if (!file.endsWith('.d.ts')) continue;
  const full = path.join('lib/types', file);
  const text = fs.readFileSync(full, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g, (whole, lead, quote, spec) => {
    const base = path.resolve(path.dirname(full), spec);
    if (fs.existsSync(`${base}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
    if (fs.existsSync(path.join(base, 'index.d.ts'))) return `${lead}${quote}${spec}/index.js${quote}`;
    return whole;
  });
  fs.writeFileSync(full, text);
}
