/**
 * The esbuild plugin that puts the Windows x64 build of every native addon the app can load into
 * the exe. Addons are recognised by the shape of how they are loaded, not by package name:
 *
 * - `require('./x.node')` / `require('pkg/x.node')`: a Windows x64 DLL is embedded with the files
 *   shipped beside it; a binary for another platform, in a package that declares another `os` or
 *   `cpu` (or names one, like `-linux-x64-gnu`), becomes a module that throws MODULE_NOT_FOUND
 *   when that branch runs (it never does on Windows); any other non-Windows binary fails the build.
 * - platform packages (napi-rs `<pkg>-win32-x64-msvc`, `@img/sharp-win32-x64`, …), named in the
 *   importing package's `optionalDependencies`: the win32-x64 one is fetched from the npm registry
 *   at exactly the pinned version (npm skips it on Linux) and bundled as if installed; the others
 *   throw MODULE_NOT_FOUND, so the package's own loader picks the Windows one, unchanged.
 * - `require('node-gyp-build')(dir)` (prebuildify): the file node-gyp-build would pick for Windows
 *   x64 and the embedded Node's ABI, from the package's `prebuilds/`.
 * - `require('bindings')`, node-pre-gyp: the binary is built or downloaded at install time from a
 *   place svcpack cannot reach; the build fails naming the package and the ways out, unless
 *   `--native <package>=<file.node>` supplies it.
 *
 * Every embedded file is read here, hashed, and handed to the build as a SEA asset; the generated
 * module calls runtime-shim/addons/load-addon.ts with the addon's description.
 *
 * For a linux-x64 build (`target`) the same shapes pick the Linux x64 build instead: an x86-64 ELF
 * `.node` with the `.so` files beside it, the `<pkg>-linux-x64-gnu` / `@img/sharp-linux-x64`
 * platform package (the installed copy when the build machine has that version, else fetched),
 * the `prebuilds/linux-x64` file (glibc, not musl); `bindings` and node-pre-gyp are refused (the
 * binary on disk was built for the build machine's Node), and `--native` (win32-x64 files) does
 * not apply.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { SvcpackError, usageError } from '../../errors';
import { shimSpecifier } from '../shim-namespace';
import type { EmbeddedAddon, EmbeddedFile } from '../../../runtime-shim/addons/embedded-addon';
import { importedDlls, notWindowsX64Dll, unixBinaryKind, VC_RUNTIME_DLLS } from '../../deps/binary-kind';
import { isLinuxX64Elf } from '../../deps/filter';
import { linuxAddonRefusal } from './linux-refusal';
import { ensurePlatformPackage, type PackageSource } from './platform-package';
import { pickPrebuildFile, pickPrebuildFolder } from './prebuilds';
import { alternativeFor } from '../../deps/known-packages';
import { PLATFORM_NAMES } from '../module-names';

export interface AddonPluginOptions {
  /** NODE_MODULE_VERSION of the embedded Node. */
  abi: number;
  /** Embedded Node major, for messages. */
  nodeMajor: number;
  source: PackageSource;
  /** `--native`: package name → absolute path of its win32-x64 `.node` file (win-x64 only). */
  native: Record<string, string>;
  /** The platform the addons are picked for; default win-x64. */
  target?: 'win-x64' | 'linux-x64';
}

/** How a target's addons are recognised. */
interface AddonRules {
  /** As npm and platform package names call it: `win32-x64`, `linux-x64`. */
  platform: string;
  /** npm's `os` of the target. */
  os: string;
  /** For messages: `Windows x64`, `Linux x64`. */
  label: string;
  /** The target's platform package, by name. */
  platformPackage: RegExp;
  /** Other platforms or architectures, in a file or package name. */
  foreign: RegExp;
  /** null when `bytes` start a binary for the target; else what it is, for the error. */
  notForTarget(bytes: Uint8Array): string | null;
  /** Files beside a `.node` file that go with it. */
  companion: RegExp;
  /** prebuildify's folder prefix (`win32-`, `linux-`). */
  prebuildPrefix: string;
}

const ADDON_RULES: Record<'win-x64' | 'linux-x64', AddonRules> = {
  'win-x64': {
    platform: 'win32-x64',
    os: 'win32',
    label: 'Windows x64',
    platformPackage: /-win32-x64(?:-|$)/,
    foreign: new RegExp(`(?:^|[-./+])(?:${PLATFORM_NAMES.replace('win32|', '')}|ia32|arm64|armv\\d|arm|musl|gnueabihf|ppc64|s390x|riscv64|loong64)(?:[-./+]|$)`),
    notForTarget: (bytes) => notWindowsX64Dll(bytes),
    companion: /\.(dll|dat|pak|bin|manifest)$/i,
    prebuildPrefix: 'win32-',
  },
  'linux-x64': {
    platform: 'linux-x64',
    os: 'linux',
    label: 'Linux x64',
    // glibc's (napi-rs `-linux-x64-gnu`, sharp's `-linux-x64`), never musl's.
    platformPackage: /-linux-x64(?:-gnu)?$/,
    foreign: new RegExp(`(?:^|[-./+])(?:${PLATFORM_NAMES.replace(/(^|\|)linux\|/, '$1')}|ia32|arm64|armv\\d|arm|musl|gnueabihf|ppc64|s390x|riscv64|loong64|msvc)(?:[-./+]|$)`),
    notForTarget: (bytes) => (isLinuxX64Elf(bytes) ? null : (unixBinaryKind(bytes) === 'a Linux (ELF) binary' ? 'a Linux binary for another architecture' : (unixBinaryKind(bytes) ?? 'not a Linux (ELF) binary'))),
    companion: /\.so(\.\d+)*$/i,
    prebuildPrefix: 'linux-',
  },
};

/** What the plugin found: addons to embed (with their bytes), and the first failure. */
export class AddonCollector {
  readonly addons = new Map<string, EmbeddedAddon>();
  /** File contents by SHA-256. */
  readonly data = new Map<string, Uint8Array>();
  /** The absolute path of every embedded addon file (the `.node` and its companions) → its package. */
  readonly sourceFiles = new Map<string, string>();
  /** The packages whose `--native` file was used (the others are reported: the app does not load them). */
  readonly nativeUsed = new Set<string>();
  failure: SvcpackError | undefined;
  /** Things the user should know that do not stop the build, each once. */
  readonly warnings = new Set<string>();

  add(addon: EmbeddedAddon, contents: Map<string, Uint8Array>, files: readonly string[] = []): void {
    this.addons.set(addon.key, addon);
    for (const [sha, bytes] of contents) this.data.set(sha, bytes);
    for (const file of files) this.sourceFiles.set(file, addon.package);
  }

  fail(err: SvcpackError): Esbuild.OnResolveResult {
    this.failure ??= err;
    return { errors: [{ text: err.message }] };
  }
}

const NS_ADDON = 'svcpack-addon';
const NS_STUB = 'svcpack-addon-stub';
const NS_LOADER_FN = 'svcpack-addon-fn';
const NS_PRE_GYP = 'svcpack-addon-pre-gyp';

const PLATFORMS = PLATFORM_NAMES;
/** A bare specifier naming a platform package: `[@scope/]name-<platform>[-<arch>…][/subpath]`. */
const PLATFORM_PACKAGE = new RegExp(`^((?:@[^/]+/)?[^/]*-(?:${PLATFORMS})(?:-[^/]*)?)(/.*)?$`);

interface PackageInfo {
  dir: string;
  name: string;
  version: string;
  json: Record<string, unknown>;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export function addonPlugin(opts: AddonPluginOptions, collector: AddonCollector): Esbuild.Plugin {
  const packages = new Map<string, PackageInfo | null>();
  const rules = ADDON_RULES[opts.target ?? 'win-x64'];
  const windows = rules.os === 'win32';

  /** The nearest package.json with a name at or above `dir`. */
  function packageOf(dir: string): PackageInfo | null {
    const hit = packages.get(dir);
    if (hit !== undefined) return hit;
    let found: PackageInfo | null = null;
    const file = path.join(dir, 'package.json');
    try {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (typeof json.name === 'string') found = { dir, name: json.name, version: String(json.version ?? '0.0.0'), json };
    } catch {
      // no package.json here
    }
    if (!found) {
      const parent = path.dirname(dir);
      found = parent === dir ? null : packageOf(parent);
    }
    packages.set(dir, found);
    return found;
  }

  const embedded = new Map<string, EmbeddedAddon | SvcpackError>();

  /**
   * The addon `file` described and collected with its companions, or why it cannot go into the
   * exe (not a Windows x64 DLL). Each file is read and hashed once per build, however many
   * requires reach it.
   */
  function addonFor(file: string, pkg: PackageInfo | null, source: EmbeddedAddon['source']): EmbeddedAddon | SvcpackError {
    const memo = embedded.get(file);
    if (memo) return memo;
    const owner = pkg?.name ?? path.basename(file);
    const main = fs.readFileSync(file);
    const problem = rules.notForTarget(main);
    if (problem) {
      const err = windows
        ? usageError('ADDON_NOT_WINDOWS', `${file} (native addon of ${owner}) is ${problem}`, `pass --native ${owner}=<path to its win32-x64 .node file>`)
        : usageError('ADDON_UNAVAILABLE', `${file} (native addon of ${owner}) is ${problem}, not a Linux x64 addon`, 'install the package on an x64 Linux machine with glibc (npm ci), or build for Windows only (--target win-x64)');
      embedded.set(file, err);
      return err;
    }
    const dir = path.dirname(file);
    const companions = fs.readdirSync(dir).filter((f) => rules.companion.test(f) && fs.statSync(path.join(dir, f)).isFile());
    const contents = new Map<string, Uint8Array>();
    const files: EmbeddedFile[] = [];
    for (const name of [path.basename(file), ...companions.sort()]) {
      const bytes = name === path.basename(file) ? main : fs.readFileSync(path.join(dir, name));
      const hash = sha256(bytes);
      contents.set(hash, bytes);
      files.push({ path: name, sha256: hash, bytes: bytes.byteLength });
    }
    const key = sha256(Buffer.from(files.map((f) => `${f.path}:${f.sha256}\n`).join('')));
    const addon: EmbeddedAddon = { package: owner, version: pkg?.version ?? '0.0.0', source, main: path.basename(file), files, key };
    const shipped = new Set(files.map((f) => f.path.toLowerCase()));
    const vcRuntime = !windows ? [] : [...new Set([...contents.values()].flatMap((bytes) => importedDlls(bytes)))].filter((d) => VC_RUNTIME_DLLS.includes(d) && !shipped.has(d));
    if (vcRuntime.length > 0) {
      collector.warnings.add(
        `native addon ${addon.package}@${addon.version} needs the Visual C++ runtime (${vcRuntime.join(', ')}), which Node.js does not ship — install the Visual C++ 2015-2022 Redistributable (x64) on the Windows machines that run this exe`,
      );
    }
    collector.add(addon, contents, [file, ...companions.map((name) => path.join(dir, name))]);
    embedded.set(file, addon);
    return addon;
  }

  /** The `--native` file given for `pkg`, if any. */
  function nativeOverride(pkg: PackageInfo | null): string | undefined {
    const override = pkg && windows ? opts.native[pkg.name] : undefined;
    if (override) collector.nativeUsed.add(pkg!.name);
    return override;
  }

  /** A module that is the addon's exports. */
  const addonModule = (addon: EmbeddedAddon): Esbuild.OnResolveResult => ({ path: addon.key, namespace: NS_ADDON, pluginData: addon });
  /** A module whose export is a function returning the addon's exports (node-gyp-build, bindings). */
  const loaderFnModule = (addon: EmbeddedAddon): Esbuild.OnResolveResult => ({ path: addon.key, namespace: NS_LOADER_FN, pluginData: addon });
  /** node-pre-gyp's `find()`: the path of the extracted `.node` file. */
  const preGypModule = (addon: EmbeddedAddon): Esbuild.OnResolveResult => ({ path: addon.key, namespace: NS_PRE_GYP, pluginData: addon });
  const stubResult = (specifier: string, why: string): Esbuild.OnResolveResult => ({ path: specifier, namespace: NS_STUB, pluginData: why });

  /** `file` embedded and answered as `as` makes it, or the build failure. */
  function embedAs(file: string, pkg: PackageInfo | null, source: EmbeddedAddon['source'], as: (addon: EmbeddedAddon) => Esbuild.OnResolveResult): Esbuild.OnResolveResult {
    const addon = addonFor(file, pkg, source);
    return addon instanceof SvcpackError ? collector.fail(addon) : as(addon);
  }

  /** Whether a package or file name, or the package's `os`/`cpu`, says it is for another platform. */
  function foreign(pkg: PackageInfo | null, file: string): boolean {
    const os = pkg?.json.os;
    const cpu = pkg?.json.cpu;
    if (Array.isArray(os) && !os.includes(rules.os)) return true;
    if (Array.isArray(cpu) && !cpu.includes('x64')) return true;
    return rules.foreign.test(path.basename(file)) || (pkg !== null && rules.foreign.test(pkg.name.replace(/^@[^/]+\//, '')));
  }

  return {
    name: 'svcpack-native-addons',
    setup(build) {
      // Platform packages named in the importer's optionalDependencies.
      build.onResolve({ filter: PLATFORM_PACKAGE }, async (args) => {
        if (args.pluginData?.svcpackInner) return undefined;
        const m = PLATFORM_PACKAGE.exec(args.path)!;
        const name = m[1]!;
        const importer = args.importer ? packageOf(path.dirname(args.importer)) : null;
        const optional = importer?.json.optionalDependencies as Record<string, string> | undefined;
        const pinned = optional?.[name];
        if (!importer || pinned === undefined) return undefined;
        if (!rules.platformPackage.test(name)) return stubResult(args.path, `${name} is for another platform; this exe is built for ${rules.platform}`);
        const override = nativeOverride(importer);
        if (override) {
          if (m[2]?.endsWith('package.json')) return { path: args.path, namespace: NS_STUB, pluginData: { json: { name, version: pinned } } };
          return embedAs(override, importer, 'native-option', addonModule);
        }
        if (!windows) {
          // The build machine may have installed the package (npm installs the Linux one on Linux): that copy, when it is the pinned version.
          const installed = await build.resolve(args.path, { kind: args.kind, resolveDir: importer.dir, pluginData: { svcpackInner: true } });
          const owner = installed.errors.length === 0 && installed.path ? packageOf(path.dirname(installed.path)) : null;
          if (owner?.name === name && owner.version === pinned) {
            if (installed.path.endsWith('.node')) return resolveNodeFile(installed.path, args.path, 'installed');
            return { path: installed.path };
          }
        }
        let root: string;
        try {
          root = await ensurePlatformPackage(opts.source, name, pinned, importer.name);
        } catch (err) {
          if (err instanceof SvcpackError) return collector.fail(err);
          throw err;
        }
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: root, pluginData: { svcpackInner: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.path.endsWith('.node')) return resolveNodeFile(resolved.path, args.path, 'registry');
        return { path: resolved.path };
      });

      // `.node` files.
      build.onResolve({ filter: /\.node$/ }, async (args) => {
        if (args.namespace !== 'file' || args.pluginData?.svcpackInner) return undefined;
        if (args.path.startsWith('.') || path.isAbsolute(args.path)) return resolveNodeFile(path.resolve(args.resolveDir, args.path), args.path, 'installed');
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { svcpackInner: true } });
        if (resolved.errors.length > 0) return stubResult(args.path, 'not installed');
        return resolveNodeFile(resolved.path, args.path, 'installed');
      });

      function resolveNodeFile(file: string, specifier: string, source: EmbeddedAddon['source']): Esbuild.OnResolveResult {
        const pkg = packageOf(path.dirname(file));
        const override = nativeOverride(pkg);
        if (override) return embedAs(override, pkg, 'native-option', addonModule);
        if (!fs.existsSync(file)) return stubResult(specifier, `${path.basename(file)} is not part of the package as installed`);
        const addon = addonFor(file, pkg, source);
        if (!(addon instanceof SvcpackError)) return addonModule(addon);
        if (foreign(pkg, file)) return stubResult(specifier, `${path.basename(file)} is for another platform; this exe is built for ${rules.platform}`);
        return collector.fail(addon);
      }

      // prebuildify packages: node-gyp-build(dir) becomes "load the Windows prebuild".
      build.onResolve({ filter: /^node-gyp-build$/ }, (args) => {
        const pkg = args.importer ? packageOf(path.dirname(args.importer)) : null;
        if (!pkg) return undefined;
        const override = nativeOverride(pkg);
        if (override) return embedAs(override, pkg, 'native-option', loaderFnModule);
        const prebuilds = path.join(pkg.dir, 'prebuilds');
        const folder = fs.existsSync(prebuilds) ? pickPrebuildFolder(fs.readdirSync(prebuilds), rules.prebuildPrefix) : undefined;
        const file = folder && pickPrebuildFile(fs.readdirSync(path.join(prebuilds, folder)), { abi: opts.abi });
        if (!folder || !file) {
          return collector.fail(
            usageError(
              'ADDON_UNAVAILABLE',
              `${pkg.name}@${pkg.version} has no ${rules.label} prebuild for Node.js ${opts.nodeMajor} (ABI ${opts.abi}) in its prebuilds/ folder`,
              windows ? withAlternative(pkg.name, `pass --native ${pkg.name}=<path to its win32-x64 .node file>`) : withAlternative(pkg.name, 'build for Windows only (--target win-x64)'),
            ),
          );
        }
        return embedAs(path.join(prebuilds, folder, file), pkg, 'installed', loaderFnModule);
      });

      // Built or downloaded at install time: bindings('x'), node-pre-gyp's find().
      build.onResolve({ filter: /^(bindings|@mapbox\/node-pre-gyp|node-pre-gyp)$/ }, (args) => {
        const pkg = args.importer ? packageOf(path.dirname(args.importer)) : null;
        if (!pkg) return undefined;
        const override = nativeOverride(pkg);
        if (!windows) {
          return collector.fail(linuxAddonRefusal(`${pkg.name}@${pkg.version}`, `loads its native addon through ${args.path}, built on this machine for its own Node.js`));
        }
        if (!override) {
          const how = args.path === 'bindings' ? 'builds its native addon from source when it is installed' : 'downloads its native addon when it is installed';
          return collector.fail(
            usageError(
              'ADDON_UNAVAILABLE',
              `${pkg.name}@${pkg.version} ${how}; its Windows x64 binary is on no registry svcpack can reach`,
              withAlternative(pkg.name, `pass --native ${pkg.name}=<path to its win32-x64 .node file for Node.js ${opts.nodeMajor}>`),
            ),
          );
        }
        return embedAs(override, pkg, 'native-option', args.path === 'bindings' ? loaderFnModule : preGypModule);
      });

      const loaderImport = `require(${JSON.stringify(shimSpecifier('addons/load-addon.ts'))})`;
      build.onLoad({ filter: /.*/, namespace: NS_ADDON }, (args) => ({
        contents: `module.exports = ${loaderImport}.loadEmbeddedAddon(${JSON.stringify(args.pluginData)});\n`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: NS_LOADER_FN }, (args) => ({
        contents: `module.exports = function loadAddon() { return ${loaderImport}.loadEmbeddedAddon(${JSON.stringify(args.pluginData)}); };\n`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: NS_PRE_GYP }, (args) => ({
        contents: `module.exports = { find: function find() { return ${loaderImport}.extractEmbeddedAddon(${JSON.stringify(args.pluginData)}); } };\n`,
        loader: 'js',
      }));
      build.onLoad({ filter: /.*/, namespace: NS_STUB }, (args) => {
        const data = args.pluginData as string | { json: unknown };
        if (typeof data === 'object') return { contents: `module.exports = ${JSON.stringify(data.json)};\n`, loader: 'js' };
        return { contents: `${loaderImport}.notForThisPlatform(${JSON.stringify(args.path)}, ${JSON.stringify(data)});\n`, loader: 'js' };
      });
    },
  };
}

function withAlternative(pkg: string, hint: string): string {
  const alternative = alternativeFor(pkg);
  return alternative ? `${hint}, or use ${alternative}` : hint;
}
