/**
 * Finding and reading the config: a config file (`svcpack.config.{ts,mts,cts,js,mjs,cjs,json}`
 * in the current folder, or the file `--config` names) and the `"svcpack"` key of the nearest
 * package.json. Reads files; everything else is pure (config-validate.ts checks the keys).
 *
 * Code configs (every extension but .json) are compiled with esbuild into one ES module in a
 * private temporary folder, imported from there and deleted. Their relative imports are bundled;
 * packages (node_modules) stay external and are imported from where they are installed;
 * `import … from 'svcpack'` gets a stand-in exporting only `defineConfig`; `import.meta.url`,
 * `import.meta.dirname`, `import.meta.filename`, `__dirname` and `__filename` are the config
 * file's. esbuild strips types without checking them: a type error is not reported here
 * (run tsc), a syntax error is, as `file:line:column`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import { esbuild } from '../bundle/esbuild';
import { SvcpackError, usageError } from '../errors';
import type { ConfigOptions, OptionSources } from './config-keys';
import { fileOrigin, packageJsonOrigin, validateConfig, type ValidatedConfig } from './config-validate';
import { DEFINE_CONFIG_MODULE } from './define-config';
import { jsonSyntaxError } from './json-syntax';
import { findPackageJson } from './package-json';

/** The names a config file may have, all looked for in the current folder; more than one there is an error. */
export const CONFIG_FILE_NAMES = [
  'svcpack.config.ts',
  'svcpack.config.mts',
  'svcpack.config.cts',
  'svcpack.config.js',
  'svcpack.config.mjs',
  'svcpack.config.cjs',
  'svcpack.config.json',
] as const;

const EXTENSIONS = CONFIG_FILE_NAMES.map((name) => path.extname(name));

export interface LoadConfigOptions {
  /**
   * Where to look for a config file and, walking up, for a package.json with a "svcpack" key;
   * also what a relative `configFile` and the names in messages are relative to. Default
   * process.cwd().
   */
  cwd?: string;
  /** Read this config file instead of looking for one (`svcpack build --config`); missing → CONFIG_NOT_FOUND. */
  configFile?: string;
}

export interface LoadedConfig {
  /** The config file's options over the package.json "svcpack" key's; relative paths made absolute. */
  options: ConfigOptions;
  /** Where each key of `options` came from, as messages name it (`svcpack.config.json: startType`). */
  sources: OptionSources;
  /** The config file read (absolute), if any. */
  file?: string;
  /** The package.json whose "svcpack" key was read (absolute), if it has one. */
  packageJson?: string;
}

/**
 * Reads the config file and package.json "svcpack" key (either, both or neither may exist) and
 * merges them, the file's keys winning. Throws a usage SvcpackError (exit 2, CONFIG_NOT_FOUND or
 * INVALID_CONFIG) naming the file — and the key, line or column — for any problem.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const file = options.configFile === undefined ? discoverConfigFile(cwd) : givenConfigFile(cwd, options.configFile);

  const pkg = findPackageJson(cwd);
  const pkgFile = pkg ? path.join(pkg.dir, 'package.json') : undefined;
  const fromPackage: ValidatedConfig | undefined =
    pkg && pkgFile && pkg.data.svcpack !== undefined ? validateConfig(pkg.data.svcpack, packageJsonOrigin(shownPath(cwd, pkgFile), pkg.dir)) : undefined;

  let fromFile: ValidatedConfig | undefined;
  if (file) {
    const label = shownPath(cwd, file);
    const value = file.endsWith('.json') ? readJsonConfig(file, label) : await importCodeConfig(file, label, cwd);
    fromFile = validateConfig(value, fileOrigin(label, path.dirname(file)));
  }
  return {
    options: { ...fromPackage?.options, ...fromFile?.options },
    sources: { ...fromPackage?.sources, ...fromFile?.sources },
    ...(file ? { file } : {}),
    ...(fromPackage && pkgFile ? { packageJson: pkgFile } : {}),
  };
}

/** The one config file in `cwd`, if any. */
function discoverConfigFile(cwd: string): string | undefined {
  const found = CONFIG_FILE_NAMES.filter((name) => isFile(path.join(cwd, name)));
  if (found.length > 1) {
    throw usageError('INVALID_CONFIG', `there are ${found.length} config files: ${found.join(', ')}`, 'keep one, or choose one with --config <file>');
  }
  return found[0] === undefined ? undefined : path.join(cwd, found[0]);
}

function givenConfigFile(cwd: string, given: string): string {
  const file = path.resolve(cwd, given);
  if (!isFile(file)) throw usageError('CONFIG_NOT_FOUND', `config file ${given} does not exist`, 'check the path given to --config');
  if (!EXTENSIONS.includes(path.extname(file).toLowerCase())) {
    throw usageError('INVALID_CONFIG', `config file ${given} is not .json, .ts, .mts, .cts, .js, .mjs or .cjs`, 'rename it, e.g. to svcpack.config.json');
  }
  return file;
}

function readJsonConfig(file: string, label: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const problem = jsonSyntaxError(text);
    const where = problem ? `${label}:${problem.line}:${problem.column}` : label;
    const what = problem?.message ?? (err as Error).message;
    throw usageError('INVALID_CONFIG', `${where}: ${what}`, 'fix the JSON (no comments or trailing commas; a svcpack.config.ts may have both)');
  }
}

/** Compiles, imports and deletes a code config; resolves to its default export (a function's result). */
async function importCodeConfig(file: string, label: string, cwd: string): Promise<unknown> {
  const dir = path.dirname(file);
  let code: string;
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.dirname': JSON.stringify(dir),
        'import.meta.filename': JSON.stringify(file),
        __dirname: JSON.stringify(dir),
        __filename: JSON.stringify(file),
      },
      plugins: [configImports],
    });
    code = result.outputFiles[0]?.text ?? '';
  } catch (err) {
    throw compileError(err, label, dir, cwd);
  }
  // A CommonJS config's require() of a package or built-in: esbuild's __require needs a `require`.
  if (/\b__require\(/.test(code)) {
    const url = JSON.stringify(pathToFileURL(file).href);
    code = `import { createRequire as __svcpackCreateRequire } from 'node:module'; const require = __svcpackCreateRequire(${url});\n${code}`;
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-config-'));
  try {
    const compiled = path.join(tmp, 'svcpack.config.mjs');
    fs.writeFileSync(compiled, code, { mode: 0o600 });
    const mod = (await import(pathToFileURL(compiled).href)) as { default?: unknown };
    if (!('default' in mod)) {
      throw usageError('INVALID_CONFIG', `${label} has no default export`, 'export the config: export default defineConfig({ entry: …, name: … })');
    }
    return typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  } catch (err) {
    if (err instanceof SvcpackError) throw err;
    const what = `${label} failed to load: ${(err as Error)?.message ?? String(err)}`;
    throw new SvcpackError('INVALID_CONFIG', what, 'fix the config file (--verbose shows the stack)', 2, { cause: err });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `svcpack` → the defineConfig stand-in; packages → external, imported by absolute path from
 * where they are installed (the compiled config runs from a temporary folder).
 */
const configImports: Esbuild.Plugin = {
  name: 'svcpack-config-imports',
  setup(build) {
    build.onResolve({ filter: /^svcpack$/ }, () => ({ path: 'svcpack', namespace: 'svcpack-define-config' }));
    build.onLoad({ filter: /.*/, namespace: 'svcpack-define-config' }, () => ({ contents: DEFINE_CONFIG_MODULE, loader: 'js' }));
    build.onResolve({ filter: /.*/ }, async (args) => {
      const data = args.pluginData as { svcpackResolving?: boolean } | undefined;
      if (args.kind === 'entry-point' || data?.svcpackResolving || args.path.startsWith('.') || path.isAbsolute(args.path)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { svcpackResolving: true },
      });
      // Unresolvable: esbuild's own resolution reports it with the import's location.
      if (resolved.errors.length > 0 || resolved.external || !resolved.path.split(/[\\/]/).includes('node_modules')) return undefined;
      return { path: args.kind === 'require-call' ? resolved.path : pathToFileURL(resolved.path).href, external: true };
    });
  },
};

function compileError(err: unknown, label: string, dir: string, cwd: string): SvcpackError {
  const first = (err as { errors?: Esbuild.Message[] }).errors?.[0];
  if (!first) return new SvcpackError('INVALID_CONFIG', `${label} could not be compiled: ${String(err)}`, 'fix the config file', 2, { cause: err });
  const where = first.location ? `${shownPath(cwd, path.resolve(dir, first.location.file))}:${first.location.line}:${first.location.column + 1}` : label;
  return usageError('INVALID_CONFIG', `${where}: ${first.text}`, 'fix the config file');
}

/** `file` as messages show it: relative to `cwd` when inside it, else absolute. */
function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
