/**
 * esbuild's JavaScript API, for the bundler (bundle.ts) and the config loader (config-load.ts).
 * It is CommonJS: loading it with require() skips the ES-module loader's export scan of its
 * 100 KB file (≈ 20 ms of every svcpack start-up, measured). An `import … from
 * 'esbuild'` anywhere in src/ brings that cost back: lib/ loads it eagerly.
 */
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';

export const esbuild: typeof Esbuild = createRequire(import.meta.url)('esbuild');
