/**
 * Build options: what the CLI and the API accept, and their resolution into a complete, validated
 * build plan. Defaults come from the app's nearest package.json (docs/architecture.md, Options,
 * settings and errors). A config file is read and merged before this (config-load.ts, merge.ts):
 * here there is one set of options, and `sources` only tells messages which of them came from a
 * config.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LoggingSettings } from '../../runtime-shim/settings/logging-settings';
import type { SupervisionSettings } from '../../runtime-shim/settings/supervision-settings';
import { DEFAULT_RUNTIME, resolveRuntime, type RuntimeInput } from '../../runtime-shim/settings/runtime-settings';
import type { OperationSettings } from '../../runtime-shim/settings/operation-settings';
import { resolveSettings, SettingError, type SettingsInput } from '../../runtime-shim/settings/resolve';
import { defaultSettings, type ServiceSettings } from '../../runtime-shim/settings/service-settings';
import { usageError } from '../errors';
import { treeGlobProblem, type TreeGlobOptions } from '../deps/tree-globs';
import type { SignOptions } from './sign-options';
import { configKey, type ConfigKey, type OptionSources } from './config-keys';
import { authorName, findPackageJson, type FoundPackageJson } from './package-json';
import { looksLikeIco, nodeVersionProblem, numericCore, serviceNameProblem, versionProblem } from './validate';
import { SUPPORTED_LINES_HINT, unsupportedReason } from '../runtime/node-lines';
import { parseVersionSpec } from '../runtime/node-version';
import { parseTargets, type Target } from '../targets';

export type Packer = 'direct' | 'pkg';
export type PackagesMode = 'auto' | 'bundle' | 'node';

/**
 * The service settings (`startType`, `account`, `recovery`…, see SettingsInput) are the exe's
 * install defaults; `displayName` and `description` also feed the version resources. The runtime
 * settings (RuntimeInput: the stop timeout, logging, supervision, exit codes, hooks, alerts) are
 * baked into the exe as its defaults. The signing options (SignOptions) sign the exe when a
 * certificate or sign command is given.
 */
export interface BuildOptions extends SettingsInput, RuntimeInput, SignOptions {
  /** The app's entry file (.ts, .mts, .cts, .js, .mjs, .cjs). */
  entry: string;
  /** Service name (SCM key) and exe base name. */
  name: string;
  /** Default: `name`. */
  displayName?: string;
  /** Default: package.json description. */
  description?: string;
  /** x.y.z[.w]; default: package.json version (numeric core). */
  version?: string;
  company?: string;
  productName?: string;
  copyright?: string;
  /** Path to an .ico file. */
  icon?: string;
  /** Output folder; default `dist`. */
  outDir?: string;
  /**
   * The platforms to build for (src/targets.ts): `win-x64` (the service exe, the default),
   * `linux-x64` (one Linux executable, its systemd unit and install scripts), or both, as a list or
   * one comma-separated string.
   */
  targets?: string | string[];
  /**
   * Also write a CycloneDX 1.6 JSON SBOM of the exe to this file (relative paths against `cwd`),
   * with the other outputs (src/emit/sbom.ts). Direct packer only: with `--packer pkg`, pkg decides
   * which files of node_modules go into the exe and svcpack cannot list them.
   */
  sbom?: string;
  /** Node.js version for the exe: exact or a supported major (22, 24, 26); default the pinned 26.x (node-lines.ts). */
  node?: string;
  /** Use this node.exe instead of fetching one. */
  nodeBinary?: string;
  packer?: Packer;
  /**
   * Brotli-compress the payload inside the exe (direct packer: the app bundle and koffi.node in the
   * SEA blob, unpacked in memory at start; pkg packer: pkg's own `--compress Brotli`). Default off.
   */
  compress?: boolean;
  /**
   * Embed the app's production dependency tree as npm installs it on win32-x64 (src/deps/), read-only,
   * behind the embedded fs layer and module hooks. Direct packer only. Default off.
   */
  embedDependencies?: boolean;
  /**
   * How the app reaches its packages (direct packer): `bundle` inlines them into the bundle (the
   * fastest start); `node` loads the packages at the root of the embedded dependency tree with
   * Node's `require`, where the app imports them, so module load hooks (APM agents) see them;
   * `auto` (default) is `node` when a production dependency hooks module loading
   * (src/deps/module-hook-libraries.ts), else `bundle`.
   */
  packages?: PackagesMode;
  /**
   * Modules run before the app's entry in every process that runs the app (service, `run`,
   * supervised child, cluster worker), in order, like `node --require`: the place to start an APM
   * agent. Paths of .ts/.js files, relative ones against `cwd` (a config's against its folder).
   */
  preload?: string | string[];
  /**
   * Let the NODE_OPTIONS environment variable add Node.js options when the exe runs (SEA
   * `"execArgvExtension": "env"`). Default off: a machine-wide NODE_OPTIONS (a debugger hook, a
   * `--require` of some agent) is ignored, so it cannot change how the service runs.
   */
  allowNodeOptions?: boolean;
  /**
   * Native addons svcpack cannot fetch (built from source or downloaded at install time): package
   * name → path of its win32-x64 `.node` file for the embedded Node (relative paths against `cwd`).
   * A record, or a list of `package=path`. Also replaces what svcpack would pick for that package.
   */
  native?: Record<string, string> | string[];
  /**
   * Files the app reads at run time that svcpack cannot find by itself (a path built from a
   * variable): globs relative to the project folder (`templates/**`, `data/*.json`), embedded in
   * the exe and readable at the path the code computes from its own location. Direct packer.
   */
  assets?: string[];
  /**
   * Files of the embedded dependency tree to embed although the filter (src/deps/filter.ts) leaves
   * them out: globs of tree paths (`node_modules/foo/docs/**`) or package paths (`foo/docs/**`),
   * see src/deps/tree-globs.ts. Each must match a file of the tree. Needs the embedded tree.
   */
  include?: string[];
  /**
   * Files of the embedded dependency tree to leave out (`moment/locale/**`,
   * `node_modules/typescript/**`); wins over `include`. A file the bundle itself embeds (a file
   * it reads at run time, a worker entry, a native addon) cannot be left out. Needs the embedded tree.
   */
  exclude?: string[];
  /**
   * Also write `<Name>-<version>-x64.msi` next to the exe: per-machine, installs, upgrades and
   * removes the service (src/msi/). An object is `true` plus the MSI options under short names:
   * `{ dir, upgradeCode, winget, wingetUrl, wingetId }` (the keys below win when both are given).
   */
  msi?: boolean | { dir?: string; upgradeCode?: string; winget?: boolean; wingetUrl?: string; wingetId?: string };
  /** The MSI's install folder under `%ProgramFiles%` (`Contoso\\MySvc`); default `<company>\\<name>`. Needs `msi`. */
  msiDir?: string;
  /** The MSI's UpgradeCode (a GUID); default: derived from the service name, the same for every version. Needs `msi`. */
  upgradeCode?: string;
  /** Also write the winget manifest of the MSI (three YAML files in `<outDir>/winget/`). Needs `msi` and `wingetUrl`. */
  winget?: boolean;
  /** The URL the MSI is downloaded from, for the winget manifest; `{version}` and `{file}` are replaced. */
  wingetUrl?: string;
  /** The winget PackageIdentifier (`Publisher.Name`); default from the company and the service name. */
  wingetId?: string;
  /** @deprecated The old name of `stopTimeout`, still accepted; giving both is an error. */
  stopTimeoutMs?: number | string;
  /** Relative paths resolve against this folder; default process.cwd(). */
  cwd?: string;
  /**
   * Which options came from a config, for error messages (loadConfig's `sources`, as mergeConfig
   * passes them on): a bad value of a key listed here is reported as `svcpack.config.json:
   * startType: …`; any other as its flag, `--start-type: …`.
   */
  sources?: OptionSources;
}

export interface ResolvedBuild {
  entry: string;
  projectDir: string;
  name: string;
  displayName: string;
  description: string;
  version: string;
  company?: string;
  productName: string;
  copyright?: string;
  icon?: { path: string; data: Buffer };
  outDir: string;
  /** What to build for, each once, in the order of TARGETS (win-x64 first). */
  targets: Target[];
  /** Absolute path of the SBOM to write (`--sbom`), checked writable; absent: none. */
  sbom?: string;
  node?: string;
  nodeBinary?: string;
  packer: Packer;
  compress: boolean;
  embedDependencies: boolean;
  /** `auto` is decided by the build, from the dependency tree (build.ts). Always `bundle` with `--packer pkg`, which keeps packages in its own file system. */
  packages: PackagesMode;
  /** Absolute paths of the `--preload` modules, each checked to be a file. */
  preload: string[];
  allowNodeOptions: boolean;
  /** `--native`: package name → absolute path of its `.node` file (each checked to exist). */
  native: Record<string, string>;
  /** `--asset` globs, relative to `projectDir` (checked to match when bundling). */
  assets: string[];
  /** `--include`/`--exclude` globs over the dependency tree, and how messages name each list. */
  dependencyGlobs: TreeGlobOptions;
  stopTimeoutMs: number;
  /** Baked into the exe as its install defaults and written into the install scripts. */
  settings: ServiceSettings;
  /** Baked into the exe: its log files, rotation and the Event Log. */
  logging: LoggingSettings;
  supervision: SupervisionSettings;
  /** Exit-code policy, hooks and alert webhook. */
  operation: OperationSettings;
}

/** Validates `opts` and fills in defaults. Throws a usage SvcpackError (exit 2) on bad input. */
export function resolveBuildOptions(opts: BuildOptions, pkg?: FoundPackageJson | null): ResolvedBuild {
  const cwd = opts.cwd ?? process.cwd();
  /** `message`, prefixed with where `key`'s value came from when that was a config. */
  const named = (key: ConfigKey, message: string): string => (opts.sources?.[key] ? `${opts.sources[key]}: ${message}` : message);
  /** How to fix `key`: `cli` when it was given as a flag, `config` when it came from a config. */
  const fix = (key: ConfigKey, cli: string, config: string): string => (opts.sources?.[key] ? config : cli);

  const entry = path.resolve(cwd, opts.entry);
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
    throw usageError(
      'ENTRY_NOT_FOUND',
      named('entry', `entry file ${opts.entry} does not exist`),
      fix('entry', "pass the path of your app's main .ts or .js file", "set it to the path of your app's main .ts or .js file, relative to the config's folder"),
    );
  }

  const nameProblem = serviceNameProblem(opts.name ?? '');
  if (nameProblem) {
    throw usageError('INVALID_NAME', named('name', nameProblem), `${fix('name', 'use --name with', 'use')} 1-256 characters and no / \\ < > : " | ? *`);
  }

  const found = pkg === undefined ? findPackageJson(path.dirname(entry)) : pkg;
  const data = found?.data ?? {};

  const version = opts.version ?? (data.version ? numericCore(data.version) : '0.0.0');
  const vProblem = versionProblem(version);
  if (vProblem) {
    throw usageError(
      'INVALID_VERSION',
      opts.version ? named('version', vProblem) : `package.json ${vProblem}`,
      `${fix('version', 'pass --version', 'set "version" to')} x.y.z or x.y.z.w with numeric parts 0-65535`,
    );
  }

  if (opts.node !== undefined) {
    const problem = nodeVersionProblem(opts.node);
    if (problem) throw usageError('INVALID_NODE_VERSION', named('node', problem), SUPPORTED_LINES_HINT);
    const unsupported = unsupportedReason(parseVersionSpec(opts.node));
    if (unsupported) throw usageError('INVALID_NODE_VERSION', named('node', unsupported), SUPPORTED_LINES_HINT);
  }

  if (opts.packer !== undefined && opts.packer !== 'direct' && opts.packer !== 'pkg') {
    throw usageError('USAGE', named('packer', `--packer "${String(opts.packer)}" is not a packer`), 'use --packer direct or --packer pkg');
  }
  const targets = parseTargets(opts.targets, opts.sources?.targets ? `${opts.sources.targets}` : '--target');
  if (opts.packer === 'pkg' && targets.includes('linux-x64')) {
    throw usageError('USAGE', named('packer', '--packer pkg makes Windows executables only, and linux-x64 is a target'), 'drop --packer pkg (the default packer builds for Linux), or build --target win-x64');
  }
  if (opts.nodeBinary !== undefined && !targets.includes('win-x64')) {
    throw usageError('USAGE', named('nodeBinary', '--node-binary is a win-x64 node.exe, which a linux-x64 build does not use'), 'drop --node-binary (pick the Node.js version with --node), or add --target win-x64');
  }

  if (opts.embedDependencies !== undefined && typeof opts.embedDependencies !== 'boolean') {
    throw usageError('USAGE', named('embedDependencies', `embedDependencies "${String(opts.embedDependencies)}" is not true or false`), 'pass --embed-dependencies to embed the dependency tree, or leave it out');
  }
  if (opts.embedDependencies && opts.packer === 'pkg') {
    throw usageError('USAGE', named('embedDependencies', '--embed-dependencies needs the default packer: --packer pkg packs node_modules its own way'), 'drop --packer pkg, or drop --embed-dependencies');
  }
  if (opts.packages !== undefined && !['auto', 'bundle', 'node'].includes(opts.packages)) {
    throw usageError('USAGE', named('packages', `--packages "${String(opts.packages)}" is not auto, bundle or node`), `${fix('packages', 'pass --packages', 'set "packages" to')} auto, bundle or node`);
  }
  if (opts.packages !== undefined && opts.packages !== 'auto' && opts.packer === 'pkg') {
    throw usageError('USAGE', named('packages', `--packages ${opts.packages} needs the default packer: --packer pkg keeps packages in its own file system`), `drop --packer pkg, or drop ${fix('packages', '--packages', '"packages" from the config')}`);
  }
  if (opts.packages === 'node' && opts.embedDependencies === false) {
    throw usageError('USAGE', named('packages', '--packages node loads packages from the embedded dependency tree, which --no-embed-dependencies leaves out'), 'drop --no-embed-dependencies, or use --packages bundle');
  }
  const preload = (typeof opts.preload === 'string' ? [opts.preload] : (opts.preload ?? [])).map((file) => {
    const abs = typeof file === 'string' && file.trim() ? path.resolve(cwd, file.trim()) : '';
    if (!abs || !fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
      throw usageError('USAGE', named('preload', `preload module ${JSON.stringify(file)} does not exist`), `${fix('preload', 'give --preload', 'list in "preload"')} the path of a .ts or .js file, such as ./tracing.ts`);
    }
    return abs;
  });
  if (opts.allowNodeOptions !== undefined && typeof opts.allowNodeOptions !== 'boolean') {
    throw usageError('USAGE', named('allowNodeOptions', `allowNodeOptions "${String(opts.allowNodeOptions)}" is not true or false`), 'pass --allow-node-options to let NODE_OPTIONS apply, or leave it out');
  }
  const native: Record<string, string> = {};
  const nativeHint = 'give --native <package>=<path to its win32-x64 .node file>';
  const nativePairs = Array.isArray(opts.native)
    ? opts.native.map((entry): [string, string] => {
        const eq = entry.indexOf('=');
        if (eq <= 0) throw usageError('USAGE', named('native', `--native "${entry}" is not <package>=<path>`), nativeHint);
        return [entry.slice(0, eq), entry.slice(eq + 1)];
      })
    : Object.entries(opts.native ?? {});
  for (const [pkg, file] of nativePairs) {
    if (!pkg.trim() || !file.trim()) throw usageError('USAGE', named('native', `--native "${pkg}=${file}" is not <package>=<path>`), nativeHint);
    const abs = path.resolve(cwd, file.trim());
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw usageError('USAGE', named('native', `--native ${pkg}: ${file} does not exist`), nativeHint);
    native[pkg.trim()] = abs;
  }
  const assets = opts.assets ?? [];
  if (!Array.isArray(assets) || assets.some((g) => typeof g !== 'string' || !g.trim() || path.isAbsolute(g) || g.split(/[\\/]/).includes('..'))) {
    throw usageError('USAGE', named('assets', `--asset ${JSON.stringify(opts.assets)} is not a list of globs inside the project folder`), 'give globs relative to the project folder, such as templates/** or data/*.json');
  }
  if (opts.assets?.length && opts.packer === 'pkg') {
    throw usageError('USAGE', named('assets', '--asset needs the default packer: --packer pkg does not embed them'), 'drop --packer pkg, or drop --asset');
  }
  const embedDependencies = opts.embedDependencies ?? (opts.packer ?? 'direct') === 'direct';
  const dependencyGlobs: TreeGlobOptions = { include: [], exclude: [], names: { include: opts.sources?.include ?? '--include', exclude: opts.sources?.exclude ?? '--exclude' } };
  for (const key of ['include', 'exclude'] as const) {
    const globs = opts[key] ?? [];
    const name = dependencyGlobs.names![key];
    if (!Array.isArray(globs)) throw usageError('USAGE', `${name} ${JSON.stringify(globs)} is not a list of globs`, `give globs such as ${key === 'include' ? 'node_modules/foo/docs/**' : 'node_modules/typescript/**'}`);
    for (const glob of globs) {
      const problem = treeGlobProblem(glob);
      if (problem) throw usageError('USAGE', `${name} ${JSON.stringify(glob)} ${problem}`, 'give globs of tree paths (node_modules/<package>/<file>) or package paths (<package>/<file>)');
    }
    if (globs.length > 0 && !embedDependencies) {
      throw usageError(
        'USAGE',
        `${name} adjusts the embedded dependency tree, which this build leaves out (${opts.packer === 'pkg' ? '--packer pkg' : '--no-embed-dependencies'})`,
        `${opts.sources?.[key] ? `remove "${key}" from the config` : `drop --${key}`}, or embed the tree (${opts.packer === 'pkg' ? 'the default packer' : 'drop --no-embed-dependencies'})`,
      );
    }
    dependencyGlobs[key] = globs.map((g) => g.trim());
  }
  if (opts.compress !== undefined && typeof opts.compress !== 'boolean') {
    throw usageError('USAGE', named('compress', `compress "${String(opts.compress)}" is not true or false`), 'pass --compress to compress the payload, or leave it out');
  }

  const outDir = path.resolve(cwd, opts.outDir ?? 'dist');
  const sbom = opts.sbom === undefined ? undefined : sbomPath(opts, cwd, outDir, named);

  if (opts.stopTimeout !== undefined && opts.stopTimeoutMs !== undefined) {
    throw usageError('USAGE', named('stopTimeout', 'the stop timeout is given twice, as stopTimeout and as its old name stopTimeoutMs'), 'keep stopTimeout only');
  }

  const displayName = opts.displayName ?? opts.name;
  const description = opts.description ?? data.description ?? '';
  const sources: OptionSources = { ...opts.sources, ...(opts.description === undefined ? { description: 'package.json description' } : {}) };
  const settings = settingsOrUsageError(() => resolveSettings({ ...opts, displayName, description }, defaultSettings(opts.name, displayName, description)), sources);
  const runtime = settingsOrUsageError(() => resolveRuntime({ ...opts, stopTimeout: opts.stopTimeout ?? opts.stopTimeoutMs }, DEFAULT_RUNTIME), sources);
  return {
    entry,
    projectDir: found?.dir ?? path.dirname(entry),
    name: opts.name,
    displayName,
    description,
    version,
    company: opts.company ?? authorName(data.author),
    productName: opts.productName ?? displayName,
    copyright: opts.copyright,
    icon: opts.icon === undefined ? undefined : readIcon(path.resolve(cwd, opts.icon), named('icon', `icon ${opts.icon}`)),
    outDir,
    targets,
    ...(sbom ? { sbom } : {}),
    node: opts.node?.replace(/^v/, ''),
    nodeBinary: opts.nodeBinary === undefined ? undefined : path.resolve(cwd, opts.nodeBinary),
    packer: opts.packer ?? 'direct',
    compress: opts.compress ?? false,
    // On by default: the exe behaves like the app's folder after a Windows production install
    // (docs/addons-and-files.md, "Dependencies in the exe"); pkg packs node_modules its own way.
    embedDependencies,
    packages: opts.packer === 'pkg' ? 'bundle' : (opts.packages ?? (embedDependencies ? 'auto' : 'bundle')),
    preload,
    allowNodeOptions: opts.allowNodeOptions ?? false,
    native,
    assets: assets.map((g) => g.trim()),
    dependencyGlobs,
    stopTimeoutMs: runtime.stopTimeoutMs,
    settings,
    logging: runtime.logging,
    supervision: runtime.supervision,
    operation: runtime.operation,
  };
}

/**
 * The absolute path of `--sbom`, checked before anything is built: a file name (not a folder, not
 * one of the exe's other outputs) in a folder that exists and is writable, or can be created in
 * the nearest folder that exists. Usage error (exit 2) otherwise.
 */
function sbomPath(opts: BuildOptions, cwd: string, outDir: string, named: (key: ConfigKey, message: string) => string): string {
  const given = opts.sbom;
  if (typeof given !== 'string' || !given.trim()) {
    throw usageError('USAGE', named('sbom', `--sbom ${JSON.stringify(given)} is not a file path`), 'give the file to write the SBOM to, e.g. --sbom dist/MySvc.cdx.json');
  }
  if (opts.packer === 'pkg') {
    throw usageError('USAGE', named('sbom', '--sbom needs the default packer: --packer pkg decides which node_modules files go into the exe, so svcpack cannot list them'), 'drop --packer pkg, or drop --sbom');
  }
  const file = path.resolve(cwd, given);
  const shown = named('sbom', `--sbom ${given}`);
  const hint = 'give a file path in a folder you can write to, e.g. --sbom dist/MySvc.cdx.json';
  const own = [`${opts.name}.exe`, `${opts.name}.build.json`, 'install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1', opts.name, `${opts.name}.service`, `install-${opts.name}.sh`, `uninstall-${opts.name}.sh`];
  const outputs = new Set(own.map((f) => path.join(outDir, f)));
  if (outputs.has(file)) throw usageError('USAGE', `${shown} is one of the build's own outputs`, 'give the SBOM its own name, e.g. --sbom dist/MySvc.cdx.json');
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw usageError('USAGE', `${shown} is a folder`, hint);
  let dir = path.dirname(file);
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw usageError('USAGE', `${shown}: ${dir} is not a folder`, hint);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
  } catch {
    throw usageError('USAGE', `${shown} cannot be written (no write permission in ${dir})`, hint);
  }
  return file;
}

/**
 * Runs `resolve`; a SettingError becomes a usage error naming where the value came from: its
 * entry in `sources` (a config's key, package.json's description), else its flag.
 */
function settingsOrUsageError<T>(resolve: () => T, sources: OptionSources): T {
  try {
    return resolve();
  } catch (err) {
    if (!(err instanceof SettingError)) throw err;
    const source = sources[err.setting] ?? configKey(err.setting).flag;
    throw usageError('INVALID_SETTING', `${source}: ${err.message}`, err.hint);
  }
}

/** `what`: how messages name the icon (`icon app.ico`, `svcpack.config.json: icon /abs/app.ico`). */
function readIcon(file: string, what: string): { path: string; data: Buffer } {
  if (!fs.existsSync(file)) throw usageError('INVALID_ICON', `${what} does not exist`, 'pass the path of an .ico file');
  const data = fs.readFileSync(file);
  if (!looksLikeIco(data)) throw usageError('INVALID_ICON', `${what} is not an .ico file`, 'convert it to .ico (e.g. with ImageMagick: convert icon.png icon.ico)');
  return { path: file, data };
}
