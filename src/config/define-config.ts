/**
 * The shape of a config file (`svcpack.config.json`/`.ts`/`.mjs`…, or package.json `"svcpack"`)
 * and `defineConfig`, the identity function that types it:
 *
 * ```ts
 * import { defineConfig } from 'svcpack';
 * export default defineConfig({ entry: 'src/app.ts', name: 'MySvc', startType: 'delayed-auto' });
 * ```
 *
 * When svcpack loads a code config it compiles it with esbuild and resolves `import … from
 * 'svcpack'` to a stand-in exporting only `defineConfig` (config-load.ts), so a config needs no
 * installed svcpack to run; type-only imports (`import type { SvcpackConfig }`) are erased.
 */
import type { BuildOptions } from './options';

/**
 * Every build option (BuildOptions: the build's own, the service, logging, supervision and
 * signing settings) under its API key, all optional, except `cwd` and `sources`, which only the
 * API takes. `$schema` is allowed for editors and ignored.
 */
export type SvcpackConfig = Partial<Omit<BuildOptions, 'cwd' | 'sources'>> & { $schema?: string };

/** What a code config may export as default: the config, or a (possibly async) function returning it. */
export type SvcpackConfigExport = SvcpackConfig | (() => SvcpackConfig | Promise<SvcpackConfig>);

/** Returns `config` unchanged; it only gives a `.ts` config its type (keys and values are checked when loaded). */
export function defineConfig(config: SvcpackConfig): SvcpackConfig;
export function defineConfig(config: () => SvcpackConfig | Promise<SvcpackConfig>): () => SvcpackConfig | Promise<SvcpackConfig>;
export function defineConfig(config: SvcpackConfigExport): SvcpackConfigExport {
  return config;
}

/** The source of the stand-in module a code config's `import … from 'svcpack'` loads: defineConfig alone. */
export const DEFINE_CONFIG_MODULE = `export function defineConfig(config) { return config; }\n`;
