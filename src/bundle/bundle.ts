/**
 * Bundles the app and the runtime shim into one ES module with an inline source map (esbuild),
 * and the SEA main script that loads it. Bundling errors become one-line SvcpackErrors naming
 * file:line:col.
 */
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { SvcpackError, failure, usageError } from '../errors';
import { shimDir } from '../package-root';
import { esbuild } from './esbuild';
import type { BundleSession } from './bundle-session';
import { packageOf } from './module-names';
import { shimNamespacePlugin, shimSpecifier } from './shim-namespace';
import { SHARE_CJS_BANNER } from './shared-modules';
import { AddonCollector, addonPlugin, type AddonPluginOptions } from './addons/addon-plugin';
import { embedRunTimeFiles, type Embedded, type EmbeddedTree } from './embedded/embed';
import { LOCATION_DEFINES, locationsPlugin, RESOLVE_HELPERS } from './embedded/locations';
import { RunTimeFiles } from './embedded/run-time-files';
import { shareCommonJsModules } from './shared-modules';
import { inOrderRequiresPlugin } from './in-order-requires';
import { refuseExcludedNeeds, type BundleNeed } from './embedded/excluded-needs';
import { workerAliasPlugin } from './embedded/worker-alias';
import { decoratorMetadata } from './decorators/metadata';
import { OptionalImports, optionalImportsPlugin } from './optional/optional-imports';
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';
import type { ExeConfig } from '../../runtime-shim/exe-config';

export interface BundleInput {
  /** Absolute path of the app's entry file. */
  entry: string;
  /** Project folder (nearest package.json); source map paths are relative to it. */
  projectDir: string;
  /** Node major version the bundle targets, e.g. 22. */
  nodeMajor: number;
  exeConfig: ExeConfig;
  /**
   * 'direct': everything bundled, served from the SEA (the exe is the module's location).
   * 'pkg': npm packages stay external, read from pkg's virtual file system at run time.
   */
  packer: 'direct' | 'pkg';
  /**
   * The bundle is itself the SEA main, an ES module (`"mainFormat": "module"`, Node 26+): it starts
   * with runtime-shim/loaders/sea-prelude.ts, which a loader script would otherwise replace.
   */
  seaModuleMain?: boolean;
  /** Native addons: embed their builds for the target, Windows x64 or Linux x64 (direct packer; see addons/addon-plugin.ts). */
  addons?: AddonPluginOptions;
  /** `--asset` globs, relative to `projectDir` (direct packer). */
  assets?: readonly string[];
  /**
   * The production dependency tree's files to embed at their package paths (src/deps/), direct
   * packer; may still be resolving: it is awaited only after esbuild has run.
   */
  tree?: EmbeddedTree | Promise<EmbeddedTree | undefined>;
  /** `--compress`: the tree pack's files are compressed one by one (the packer compresses the rest). */
  compress?: boolean;
  /**
   * Packages mode `node` (direct packer, with `tree`): the packages at the root of the tree are not
   * bundled but loaded from the embedded tree by Node's `require`, where the app imports them, so
   * module load hooks see them (in-order-requires.ts). Default: bundled.
   */
  packagesFromTree?: boolean;
  /** `--preload` modules (absolute paths): evaluated, in order, after the shim and before the app's entry. */
  preload?: readonly string[];
}

export interface AppBundle {
  /** The ES module: shim + app, inline source map. */
  code: string;
  /** The native addons embedded, and their files' contents by SHA-256 (SEA assets). */
  addons: EmbeddedAddon[];
  addonFiles: Map<string, Uint8Array>;
  /** The packages whose `--native` file the addon loader embedded. */
  nativeUsed: ReadonlySet<string>;
  /**
   * Direct packer: the modules and files embedded besides the bundle (worker and fork entries,
   * files read at run time) and their manifest; see embedded/embed.ts.
   */
  embedded?: Embedded;
  /** Warnings about the addons (e.g. one needs the Visual C++ runtime) and the files read at run time. */
  warnings: string[];
  /** Input files (project-relative) and their sizes in bytes. */
  inputs: Record<string, number>;
  /**
   * What the bundle read besides esbuild's `inputs`, absolute paths: addon files, files and modules
   * found for run time, and the folders listed to find them (bundle-cache.ts stamps them).
   */
  read: { files: string[]; folders: string[] };
}

/**
 * The top of every output module. Direct packer: the helpers each module's location declaration
 * calls (embedded/locations.ts: `__svcpackDir("src/app.ts")` → `C:\svc\MySvc.exe\src`), and a
 * `require` for CommonJS code, made from the exe's path (it reaches built-in modules; the
 * embedded ones are served by module hooks). pkg: `__filename`/`__dirname` name the bundle's
 * place in pkg's virtual file system, so external packages resolve from node_modules there.
 */
function banner(packer: 'direct' | 'pkg'): string {
  if (packer === 'pkg') {
    return [
      "import { createRequire as __svcpackCreateRequire } from 'node:module';",
      "import { dirname as __svcpackDirname } from 'node:path';",
      "import { fileURLToPath as __svcpackFileURLToPath } from 'node:url';",
      'const __svcpack_filename = __svcpackFileURLToPath(import.meta.url);',
      'const __svcpack_dirname = __svcpackDirname(__svcpack_filename);',
      'const require = __svcpackCreateRequire(__svcpack_filename);',
    ].join('\n');
  }
  return [
    "import { createRequire as __svcpackCreateRequire } from 'node:module';",
    "import { dirname as __svcpackDirname, join as __svcpackJoin } from 'node:path';",
    "import { pathToFileURL as __svcpackPathToFileURL } from 'node:url';",
    'const __svcpackFile = (rel) => __svcpackJoin(process.execPath, rel);',
    'const __svcpackDir = (rel) => __svcpackDirname(__svcpackFile(rel));',
    'const __svcpackUrl = (rel) => __svcpackPathToFileURL(__svcpackFile(rel)).href;',
    'const require = __svcpackCreateRequire(process.execPath);',
    ...RESOLVE_HELPERS,
    SHARE_CJS_BANNER,
  ].join('\n');
}

/**
 * The generated entry: shim first (it decides what this process is), then the app; as the SEA
 * main, the prelude before both.
 */
export function entrySource(appEntry: string, seaModuleMain = false, preload: readonly string[] = []): string {
  const boot = JSON.stringify(shimSpecifier('boot.ts'));
  const prelude = seaModuleMain ? `import ${JSON.stringify(shimSpecifier('loaders/sea-prelude.ts'))};\n` : '';
  const preloads = preload.map((file) => `import ${JSON.stringify(file)};\n`).join('');
  return `${prelude}import { appLoaded } from ${boot};\n${preloads}import ${JSON.stringify(appEntry)};\nappLoaded();\n`;
}

/**
 * Packages mode `node`: whether a package (by name) is loaded from the embedded tree — one at the
 * tree's root that the addon loader need not supply. Waits for the tree; none without one.
 */
function packagesFromTree(input: BundleInput): ((name: string) => Promise<boolean>) | undefined {
  if (!input.packagesFromTree || input.packer !== 'direct' || !input.tree) return undefined;
  let names: Promise<ReadonlySet<string>> | undefined;
  const load = async (): Promise<ReadonlySet<string>> => {
    const tree = await input.tree;
    const lacking = tree?.lacksBinary ?? new Set<string>();
    return new Set((tree?.packages ?? []).filter((p) => p.location === `node_modules/${p.name}` && !lacking.has(p.name)).map((p) => p.name));
  };
  return async (name) => (await (names ??= load())).has(name);
}

/**
 * Bundles `input`'s app with the shim. With `session` (a watch session's), by an esbuild context
 * kept between builds (bundle-session.ts); the result is the same.
 */
export async function bundleApp(input: BundleInput, session?: BundleSession): Promise<AppBundle> {
  const collector = new AddonCollector();
  const found = new RunTimeFiles(input.projectDir);
  const direct = input.packer === 'direct';
  const addedBytes = new Map<string, number>();
  // The tsconfig asks for decorator metadata: decorated files go through swc first (decorators/metadata.ts).
  // The SCM client's watch thread (runtime-shim/loaders/watch-thread.ts) and the control thread of
  // service and task processes (loaders/control-thread.ts) are eval workers: their scripts are
  // baked into the bundle as strings (esbuild drops the watch thread's when the app never watches).
  const [decorators, watchThread, controlThread] = await Promise.all([
    decoratorMetadata(input.entry),
    bundleLoader('watch-thread', input.nodeMajor),
    bundleLoader('control-thread', input.nodeMajor),
  ]);
  const optional = new OptionalImports();
  const fromTree = packagesFromTree(input);
  // What the main bundle and the entry bundles (embedded/entry-bundles.ts) share.
  const shared: Esbuild.BuildOptions = {
    absWorkingDir: input.projectDir,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: `node${input.nodeMajor}`,
    sourcemap: 'inline',
    sourcesContent: false,
    // Stack traces name project-relative sources (`svcpack:///src/app.ts:12:9`), not files
    // that would seem to sit next to the exe.
    sourceRoot: 'svcpack:///',
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    // Decorator apps: class names are what Nest, TypeORM and GraphQL schemas go by; renaming apart must not change them.
    keepNames: decorators !== undefined,
    plugins: [
      shimNamespacePlugin(shimDir),
      ...(direct ? [workerAliasPlugin()] : []),
      // Packages from the tree: built-ins and packages load where the app imports them.
      ...(fromTree ? [inOrderRequiresPlugin({ projectDir: input.projectDir, fromTree })] : []),
      ...(input.addons ? [addonPlugin(input.addons, collector)] : []),
      locationsPlugin(input.projectDir, found, { declare: direct, addedBytes, transform: decorators?.transform }),
      // Last: an unresolvable import in a try block or a function throws when it runs (pkg: packages stay external).
      ...(direct ? [optionalImportsPlugin(optional)] : []),
    ],
    define: {
      __SVCPACK_EXE__: JSON.stringify(input.exeConfig),
      __SVCPACK_WATCH_THREAD__: JSON.stringify(watchThread),
      __SVCPACK_CONTROL_THREAD__: JSON.stringify(controlThread),
      ...(direct ? LOCATION_DEFINES : { __dirname: '__svcpack_dirname', __filename: '__svcpack_filename' }),
    },
    banner: { js: banner(input.packer) },
    packages: direct ? undefined : 'external',
  };
  try {
    const options = {
      ...shared,
      write: false,
      metafile: true,
      stdin: { contents: entrySource(input.entry, input.seaModuleMain, input.preload), resolveDir: input.projectDir, sourcefile: 'svcpack-entry.js', loader: 'js' },
      outfile: path.join(input.projectDir, 'app.mjs'),
    } as const;
    const result = session ? await session.build(options) : await esbuild.build(options);
    const out = result.outputFiles[0];
    if (!out) throw failure('BUNDLE_FAILED', 'esbuild produced no output');
    const tree = await input.tree;
    const embedded = direct ? await embedRunTimeFiles(found, input.projectDir, shared, input.assets ?? [], { tree, addonShas: new Set(collector.data.keys()), compress: input.compress }) : undefined;
    // After the entry bundles: they may have found more entries and files.
    if (tree?.excludedBy) refuseExcludedNeeds(input.projectDir, bundleNeeds(found, collector), tree.excludedBy);
    const inputs = Object.fromEntries(
      Object.entries({ ...result.metafile.inputs, ...embedded?.inputs })
        .filter(([file]) => !file.startsWith('<stdin>'))
        .map(([file, meta]) => [file, (typeof meta === 'number' ? meta : meta.bytes) - (addedBytes.get(path.resolve(input.projectDir, file)) ?? 0)]),
    );
    const warnings = [...collector.warnings, ...found.warnings, ...optional.warnings(input.projectDir)];
    if (!direct && (found.entries.size > 0 || found.bundlerPaths.size > 0)) warnings.push(pkgCannotEmbed(found, input.projectDir));
    const read = { files: [...collector.sourceFiles.keys(), ...found.files, ...found.folderModules, ...found.entries], folders: [...found.listedFolders] };
    return { code: direct ? shareCommonJsModules(out.text) : out.text, inputs, addons: [...collector.addons.values()], addonFiles: collector.data, nativeUsed: collector.nativeUsed, embedded, warnings, read };
  } catch (err) {
    throw collector.failure ?? bundleError(err, input.projectDir);
  }
}

/** The files the bundle embeds itself, with what each is to it: an `--exclude` must not leave them out (embedded/excluded-needs.ts). */
function* bundleNeeds(found: RunTimeFiles, collector: AddonCollector): Generator<BundleNeed> {
  for (const file of found.files) yield { file, what: 'which the bundle reads at run time' };
  for (const file of found.entries) yield { file, what: 'a module the app starts in a worker thread or child process' };
  for (const [spec, file] of found.bundlerPaths) yield { file, what: `the module the bundle starts for "${spec}"` };
  for (const [file, pkg] of collector.sourceFiles) yield { file, what: `a file of the native addon of ${pkg}` };
}

/**
 * A warning for each `--native` package whose file the build did not use (`used`: the packages
 * whose file the bundle's addon loader or the dependency tree took): the app does not use the
 * package at all (no bundled module is in it, and it is not in `treePackages`), or nothing of the
 * app loads that package's addon. `inputs`: the bundle's input files, project-relative.
 */
export function unusedNativeWarnings(native: Readonly<Record<string, string>>, used: ReadonlySet<string>, inputs: readonly string[], treePackages: readonly string[] = []): string[] {
  return Object.entries(native)
    .filter(([pkg]) => !used.has(pkg))
    .map(([pkg, file]) => {
      const inApp = treePackages.includes(pkg) || inputs.some((input) => input.startsWith(`node_modules/${pkg}/`) || input.includes(`/node_modules/${pkg}/`));
      const why = inApp ? `no module of the app loads a native addon of ${pkg}` : `the app does not use ${pkg}`;
      return `--native ${pkg}: ${why}, so ${file} is not embedded — check the package name, or drop --native ${pkg}`;
    });
}

/** The warning of a pkg build whose app starts modules in workers or child processes. */
function pkgCannotEmbed(found: RunTimeFiles, projectDir: string): string {
  const names = [...found.bundlerPaths.keys(), ...[...found.entries].map((f) => path.relative(projectDir, f).split(path.sep).join('/'))].sort();
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return `the app starts ${shown} in a worker thread or child process, which --packer pkg cannot embed: they will fail at run time — build with the default packer (--packer direct)`;
}

/**
 * Which loader starts the app bundle (see runtime-shim/loaders/): the direct packer's CommonJS SEA
 * main (sea-script.ts; Node 22/24, and `--compress`), or the entry pkg runs (pkg.ts). On Node 26
 * the direct packer needs none: the bundle is the SEA main (BundleInput.seaModuleMain). `thread`
 * starts embedded modules in worker threads (thread.ts; the asset `thread.cjs`); `watch-thread` is the
 * SCM client's watch thread (watch-thread.ts) and `control-thread` the control thread of service
 * and task processes (control-thread.ts), both strings in the app bundle.
 */
export type LoaderKind = 'sea-script' | 'pkg' | 'thread' | 'watch-thread' | 'control-thread';

const LOADER_FILES: Record<LoaderKind, string> = {
  'sea-script': 'sea-script.ts',
  pkg: 'pkg.ts',
  thread: 'thread.ts',
  'watch-thread': 'watch-thread.ts',
  'control-thread': 'control-thread.ts',
};

/** The loaders bundled in this process, by kind, Node major and compression: the shim does not change while svcpack runs. */
const loaders = new Map<string, Promise<string>>();

/**
 * Bundles the loader that starts the app bundle (runtime-shim/loaders/), minified; once per
 * process (a watch session's rebuilds, a build of two targets reuse it).
 */
export function bundleLoader(kind: LoaderKind, nodeMajor: number, compressedAssets = false): Promise<string> {
  const key = `${kind}:${nodeMajor}:${compressedAssets}`;
  let loader = loaders.get(key);
  if (!loader) {
    loader = buildLoader(kind, nodeMajor, compressedAssets);
    loaders.set(key, loader);
    loader.catch(() => loaders.delete(key));
  }
  return loader;
}

async function buildLoader(kind: LoaderKind, nodeMajor: number, compressedAssets: boolean): Promise<string> {
  const result = await esbuild.build({
    // sea-script.ts reads `<name>.br` assets and decompresses them when the payload is compressed.
    define: { SVCPACK_COMPRESSED_ASSETS: String(compressedAssets) },
    entryPoints: [path.join(shimDir, 'loaders', LOADER_FILES[kind])],
    external: ['./app.mjs'],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: `node${nodeMajor}`,
    logLevel: 'silent',
    minify: true,
  });
  const out = result.outputFiles[0];
  if (!out) throw failure('BUNDLE_FAILED', 'esbuild produced no loader script');
  return out.text;
}

/** Turns an esbuild failure into one clear line: what, where (file:line:col), how to fix. */
export function bundleError(err: unknown, projectDir: string): SvcpackError {
  if (err instanceof SvcpackError) return err;
  const errors = (err as { errors?: Esbuild.Message[] }).errors;
  const first = errors?.[0];
  if (!first) return failure('BUNDLE_FAILED', `bundling failed: ${String(err)}`, '', err);
  const where = first.location
    ? `${path.relative(projectDir, path.resolve(projectDir, first.location.file)) || first.location.file}:${first.location.line}:${first.location.column + 1}`
    : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const unresolved = /^Could not resolve "(.+)"/.exec(first.text);
  if (unresolved) {
    const spec = unresolved[1] ?? '';
    const isPackage = !spec.startsWith('.') && !path.isAbsolute(spec);
    return usageError(
      'BUNDLE_UNRESOLVED',
      `cannot resolve import "${spec}" in ${where}${more}`,
      isPackage ? `install it (npm install ${packageOf(spec)}) or fix the import` : 'check the path of the imported file',
    );
  }
  return usageError('BUNDLE_SYNTAX', `${where ? `${where}: ` : ''}${first.text}${more}`, 'fix the source and build again');
}
