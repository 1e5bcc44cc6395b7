/**
 * `svcpack build`: resolve → bundle → runtime → pack → emit (docs/architecture.md, The stages of a
 * build). Nothing is written to the output folder until every step has succeeded; then all outputs
 * appear together.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { bundleApp, bundleLoader, unusedNativeWarnings, type BundleInput } from './bundle/bundle';
import type { BundleSession } from './bundle/bundle-session';
import { bundleKey, cachedBundle, storeBundle, type BundleStepResult } from './bundle/bundle-cache';
import { sourceDateEpoch } from './config/source-date-epoch';
import { resolveBuildOptions, type BuildOptions, type ResolvedBuild } from './config/options';
import { buildRecord, recordFileName, type BuildRecord } from './emit/build-record';
import { OutputStage } from './emit/outputs';
import { sha256Hex } from './emit/sha256';
import { generateScripts } from './emit/scripts';
import { cycloneDxBom } from './emit/sbom';
import { svcpackVersion } from './package-root';
import { makeSeaBlob, packDirect } from './pack/direct';
import { InMemoryExecutable, type Executable } from './pack/executable';
import { packElf } from './pack/elf';
import { koffiNativeFor, type NativeModule } from './pack/koffi-native';
import { checkLinuxName, linuxOutputs } from './emit/linux-outputs';
import { linuxAddonRefusal } from './bundle/addons/linux-refusal';
import { configKey } from './config/config-keys';
import { SIGN_KEYS } from './config/sign-options';
import { planMsiStep } from './msi/msi-step';
import { TARGET_INFO, type Target } from './targets';
import { exeManifest } from './pack/manifest';
import { refuseAddonsForPkg } from './pack/pkg-addon-check';
import { packWithPkg } from './pack/pkg-packer';
import { versionInfoTable } from './pack/version-info';
import { buildSignDefaults, buildSignOptions, signInStage } from './sign/build-step';
import { acquireRuntime, cacheRoot, type ProgressEvent, type Runtime } from './runtime/acquire';
import { DEFAULT_NODE_VERSION, lineOf, majorOf, NODE_LINES } from './runtime/node-lines';
import { defaultRegistry } from './runtime/npm-registry';
import { resolveDependencyTree } from './deps/tree';
import { decideMissingBinaries, packagesMissingBinaries } from './deps/install-binaries';
import { treeFiles } from './deps/tree-files';
import { cachedTree, storeTree, treeKey, type TreeStepResult } from './deps/tree-cache';
import { TreeGlobs } from './deps/tree-globs';
import { treeEdges, treeManifests } from './deps/tree-edges';
import { moduleHookLibraries } from './deps/module-hook-libraries';
import { bundledPackages } from './deps/bundled-packages';
import type { ExeConfig } from '../runtime-shim/exe-config';
import { THREAD_LOADER_ASSET } from '../runtime-shim/embedded/thread-start';

export type BuildStep = 'resolve' | 'dependencies' | 'bundle' | 'runtime' | 'blob' | 'resources' | 'inject' | 'pkg' | 'sign' | 'msi' | 'emit';

export type BuildEvent =
  /** `target`: the executable the step is for; absent for the steps all targets share (resolve, runtime, emit). */
  | { type: 'step'; step: BuildStep; status: 'start' | 'done'; ms?: number; target?: Target }
  | { type: 'runtime'; event: ProgressEvent }
  /** Something the user should know that does not stop the build (e.g. signed without a timestamp). */
  | { type: 'warning'; message: string };

export interface BuildHooks {
  onEvent?: (e: BuildEvent) => void;
  /** Cache folder for Node runtimes (default: the user cache, see runtime/cache.ts). */
  cacheDir?: string;
  /**
   * Called once every output is staged, right before they are moved into place (watch mode stops
   * the service whose exe is about to be replaced: Windows locks a running exe). A rejection
   * fails the build: nothing is moved, the staged outputs are removed.
   */
  beforeCommit?: () => Promise<void>;
  /**
   * Takes the removal of the staging folder, with the outputs the build replaced (a 100 MB exe's
   * blocks take ≈ 25 ms to free), instead of build() awaiting it: the outputs are in place when it
   * is called. Watch mode lets it run after the rebuild and awaits it before the next one.
   */
  afterOutputs?: (removal: Promise<void>) => void;
  /** Bundle incrementally with this session's esbuild contexts (watch mode; bundle/bundle-session.ts). */
  bundleSession?: BundleSession;
}

export interface BuildResult {
  record: BuildRecord;
  /** Absolute paths of every output, each target's executable first (win-x64's, then linux-x64's). */
  files: string[];
  /**
   * Step durations in ms, including writing the outputs ('emit'), which the record (written during
   * that step) cannot hold: the shared steps and the first target's (as the record's `timings`).
   */
  timings: Record<string, number>;
  /** Each target's own step durations in ms (as the record's `targets[…].timings`). */
  targetTimings: Partial<Record<Target, Record<string, number>>>;
}

/** What one target's steps made, before anything is written. */
interface TargetBuild {
  target: Target;
  executable: string;
  /** The executable, not yet written (for win-x64 unsigned: a signed exe is in the stage already). */
  exe: Executable;
  /** The other outputs of this target: file name → contents. */
  files: Record<string, string | Uint8Array>;
  signing?: Awaited<ReturnType<typeof signInStage>>;
  exeConfig: ExeConfig;
  koffi: NativeModule;
  bundle: BundleStepResult;
  tree: TreeStepResult | undefined;
  packages: BuildRecord['packages'];
  /** The Node binary the executable was made from: its size, and its SHA-256 for the SBOM. */
  runtimeBytes: number;
  runtimeSha256: Promise<string> | undefined;
  timings: Record<string, number>;
}

export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  const emit = (e: BuildEvent) => hooks.onEvent?.(e);
  const step = async <T>(name: BuildStep, work: () => Promise<T> | T, into: Record<string, number> = timings, target?: Target): Promise<T> => {
    emit({ type: 'step', step: name, status: 'start', ...(target ? { target } : {}) });
    const t = performance.now();
    const result = await work();
    into[name] = Math.round(performance.now() - t);
    emit({ type: 'step', step: name, status: 'done', ms: into[name], ...(target ? { target } : {}) });
    return result;
  };
  const started = performance.now();

  const plan = await step('resolve', () => {
    const resolved = resolveBuildOptions(options);
    if (resolved.packer === 'pkg') refuseAddonsForPkg(resolved.projectDir); // before anything is fetched
    if (resolved.targets.includes('linux-x64')) checkLinuxName(resolved.name);
    return resolved;
  });
  const windows = plan.targets.includes('win-x64');
  const warned = new Set<string>();
  const warn = (message: string): void => {
    if (warned.has(message)) return;
    warned.add(message);
    emit({ type: 'warning', message });
  };
  for (const message of windowsOnlyOptionWarnings(options, plan.targets)) warn(message);
  const signOptions = windows ? buildSignOptions(options) : undefined; // checked before anything is bundled
  const timeDateStamp = sourceDateEpoch(process.env);
  // The MSI's options, what it cannot carry and its tools are checked before anything is bundled.
  const msiStep = planMsiStep(options, plan, { sourceDateEpoch: timeDateStamp, signOptions });

  // The bundle only needs the Node line (esbuild's syntax target, the SEA main's format, the addon
  // ABI); it runs while the runtime is fetched. A lone --node-binary's version is known only then:
  // the bundle targets the oldest supported line.
  const line = lineOf(plan.node ? majorOf(plan.node) : plan.nodeBinary ? NODE_LINES[0]!.major : majorOf(DEFAULT_NODE_VERSION))!;
  const runtimeReady = step('runtime', () =>
    acquireRuntime({
      version: plan.node,
      nodeBinary: plan.nodeBinary,
      targets: plan.targets,
      cacheDir: hooks.cacheDir,
      onProgress: (event) => emit({ type: 'runtime', event }),
    }),
  );
  runtimeReady.catch(() => undefined); // awaited by the first target; a failure surfaces there

  // One target after the other (each executable is a Node binary of ≈ 100 MB held in memory while
  // it is made); outputs are staged and written together only when every target succeeded.
  const built: TargetBuild[] = [];
  try {
    for (const target of plan.targets) {
      built.push(await buildTarget(target, { plan, line, runtimeReady, signOptions, timeDateStamp, options, hooks, emit, step, warn }));
    }
  } catch (err) {
    for (const b of built) await b.signing?.stage.abandon();
    throw err;
  }
  const runtime = await runtimeReady;
  const first = built[0]!;
  // A signed exe is staged already; the stage is the one every output goes to.
  const signedStage = built.find((b) => b.signing)?.signing?.stage;

  const result = await step('emit', async () => {
    const stage = signedStage ?? (await OutputStage.open(plan.outDir));
    try {
      const outputs: BuildRecord['outputs'] = {};
      const staged: string[] = [];
      const targetOutputs: Partial<Record<Target, string[]>> = {};
      for (const b of built) {
        const files: Record<string, string | Uint8Array> = b.files;
        // Each file is hashed while it is written.
        const written = await Promise.all([
          (async () => {
            if (b.signing) return [b.executable, { bytes: b.signing.signed.bytes, sha256: b.signing.signed.sha256 }] as const; // already staged
            const [sha256] = await Promise.all([b.exe.sha256(), b.exe.writeTo(stage.path(b.executable), 0o755)]);
            return [b.executable, { bytes: b.exe.byteLength, sha256 }] as const;
          })(),
          ...Object.entries(files).map(async ([file, data]) => {
            const [sha256] = await Promise.all([sha256Hex(data), stage.write(file, data, file.endsWith('.sh') ? 0o755 : undefined)]);
            return [file, { bytes: Buffer.byteLength(data), sha256 }] as const;
          }),
        ]);
        for (const [file, output] of written) outputs[file] = output;
        staged.push(b.executable, ...Object.keys(files));
        targetOutputs[b.target] = [b.executable, ...Object.keys(files)];
      }
      // The MSI wraps the Windows exe as written (signed, when the build signs it).
      const msiFiles = msiStep ? await step('msi', () => msiStep.run(stage, outputs, warn)).then((r) => r.files) : [];
      // The SBOM describes the first target's executable as written (signed, when the build signs it).
      const sbomFile = plan.sbom
        ? await (async () => {
            const text = await sbomText(plan, {
              target: first.target,
              exeSha256: outputs[first.executable]!.sha256,
              nodeExeSha256: await first.runtimeSha256,
              nodeVersion: runtime.version,
              koffi: first.koffi,
              addons: first.bundle.addons,
              tree: first.tree,
              inputs: first.bundle.inputs,
              timeDateStamp,
            });
            const [sha256, stagedSbom] = await Promise.all([sha256Hex(text), stage.writeTo(plan.sbom!, text)]);
            outputs[path.relative(plan.outDir, plan.sbom!).split(path.sep).join('/')] = { bytes: Buffer.byteLength(text), sha256 };
            return stagedSbom;
          })()
        : undefined;
      timings.total = Math.round(performance.now() - started);
      const record = buildRecord({
        build: plan,
        exeConfig: first.exeConfig,
        nodeVersion: runtime.version,
        nodeSource: runtime.binaries[first.target]?.source ?? runtime.sources.target,
        koffiVersion: first.koffi.version,
        addons: first.bundle.addons,
        embedded: first.bundle.embedded?.summary,
        entry: path.relative(plan.projectDir, plan.entry).split(path.sep).join('/'),
        packages: first.packages,
        preload: plan.preload.map((file) => path.relative(plan.projectDir, file).split(path.sep).join('/')),
        inputs: first.bundle.inputs,
        outputs,
        size: { runtimeBytes: first.runtimeBytes, exeBytes: first.signing?.signed.bytes ?? first.exe.byteLength, compressed: plan.compress },
        timings: stepOrder(first.timings, timings),
        sourceDateEpoch: timeDateStamp ?? null,
        signature: first.signing?.signed.signature,
        targets: Object.fromEntries(
          built.map((b) => [
            b.target,
            {
              executable: b.executable,
              outputs: targetOutputs[b.target]!,
              node: { source: runtime.binaries[b.target]?.source ?? runtime.sources.target },
              koffiSha256: b.koffi.sha256,
              size: { runtimeBytes: b.runtimeBytes, exeBytes: b.signing?.signed.bytes ?? b.exe.byteLength, payloadBytes: (b.signing?.signed.bytes ?? b.exe.byteLength) - b.runtimeBytes },
              timings: b.timings,
            },
          ]),
        ),
      });
      const recordFile = recordFileName(plan.name);
      await stage.write(recordFile, `${JSON.stringify(record, null, 2)}\n`);
      await hooks.beforeCommit?.();
      const finals = await stage.commit([...staged, ...msiFiles, ...(sbomFile ? [sbomFile] : []), recordFile]);
      const closed = stage.close();
      if (hooks.afterOutputs) hooks.afterOutputs(closed);
      else await closed;
      return { record, files: finals, timings: stepOrder(first.timings, timings), targetTimings: Object.fromEntries(built.map((b) => [b.target, b.timings])) };
    } catch (err) {
      await stage.abandon();
      throw err;
    }
  });
  // 'emit' was timed after the record was written: the result has it.
  result.timings.emit = timings.emit!;
  return result;
}

/** The shared steps' and the first target's durations in one object, in the order the steps begin, the total last. */
function stepOrder(target: Record<string, number>, shared: Record<string, number>): Record<string, number> {
  const order: readonly string[] = ['resolve', 'dependencies', 'runtime', 'bundle', 'blob', 'resources', 'inject', 'pkg', 'sign', 'msi', 'emit', 'total'];
  const all = { ...target, ...shared };
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => (order.indexOf(a) >>> 0) - (order.indexOf(b) >>> 0)));
}

/** What every target's steps share. */
interface TargetContext {
  plan: ResolvedBuild;
  line: NonNullable<ReturnType<typeof lineOf>>;
  runtimeReady: Promise<Runtime>;
  signOptions: ReturnType<typeof buildSignOptions>;
  timeDateStamp: number | undefined;
  options: BuildOptions;
  hooks: BuildHooks;
  emit: (e: BuildEvent) => void;
  step: <T>(name: BuildStep, work: () => Promise<T> | T, into?: Record<string, number>, target?: Target) => Promise<T>;
  /** Prints a warning once, however many targets give it. */
  warn: (message: string) => void;
}

/**
 * One target's executable and its other outputs, in memory (a signed exe: in the output stage):
 * dependency tree, bundle, SEA blob, then the Windows resource pass (and signing) or the ELF
 * injection. The bundle is per target: it bakes the target's koffi.node hash, and the tree and the
 * native addons are the target platform's.
 */
async function buildTarget(target: Target, ctx: TargetContext): Promise<TargetBuild> {
  const { plan, line, hooks, emit } = ctx;
  const info = TARGET_INFO[target];
  const timings: Record<string, number> = {};
  const step = <T>(name: BuildStep, work: () => Promise<T> | T) => ctx.step(name, work, timings, target);
  // svcpack's cache: the runtime, the registry's packages and addons, and what the steps derive.
  const cacheDir = hooks.cacheDir ?? cacheRoot();
  const linux = target === 'linux-x64';
  const executable = info.executable(plan.name);
  const koffi = koffiNativeFor(target);
  const nodeMajor = line.major;
  const direct = plan.packer === 'direct';
  // What the executable bakes in: the one source of its manifest's and build record's settings.
  const exeConfig: ExeConfig = {
    name: plan.name,
    displayName: plan.displayName,
    description: plan.description,
    version: plan.version,
    svcpackVersion,
    stopTimeoutMs: plan.stopTimeoutMs,
    koffiSha256: koffi.sha256,
    settings: plan.settings,
    logging: plan.logging,
    supervision: plan.supervision,
    operation: plan.operation,
  };
  const extra: { files: Record<string, string | Uint8Array>; warnings: string[] } = linux
    ? linuxOutputs(exeConfig)
    : { files: { ...generateScripts({ name: plan.name, exeFile: executable, settings: plan.settings }) }, warnings: [] };

  // Node 26: the app bundle is itself the SEA main, an ES module (no loader script). Not with
  // --compress: the script loader unpacks the compressed bundle.
  const seaModuleMain = direct && !plan.compress && line.moduleMain;
  // The Node binary the executable is made from (≈ 90-120 MB): the ELF's is read while bundling; the
  // exe's only when its base is not cached (a --node-binary file was read already, for its version).
  let runtimeRead: Promise<Buffer> | undefined;
  const runtimeData = (): Promise<Buffer> =>
    (runtimeRead ??= ctx.runtimeReady.then((r) => (linux ? readFile(r.binaries['linux-x64']!.path) : (r.targetExeBytes ?? readFile(r.binaries['win-x64']!.path)))));
  if (direct && linux) runtimeData().catch(() => undefined); // awaited when packing; a failure surfaces there
  // The production dependency tree as npm installs it on the target (deps/tree.ts), read while
  // the runtime is fetched and esbuild runs; the embedding step waits for it.
  const treeReady =
    plan.embedDependencies && direct
      ? step('dependencies', async (): Promise<TreeStepResult> => {
          const globs = new TreeGlobs(plan.dependencyGlobs);
          // An unchanged project's tree comes from the cache (deps/tree-cache.ts).
          const key = treeKey(plan.projectDir, { projectDir: plan.projectDir, target, include: plan.dependencyGlobs.include, exclude: plan.dependencyGlobs.exclude, native: plan.native, nodeMajor });
          const cached = await cachedTree(cacheDir, key, globs);
          if (cached) return cached;
          const started = Date.now();
          const packages = await resolveDependencyTree({ projectDir: plan.projectDir, cacheDir, registry: defaultRegistry(), platform: info.npm });
          // For linux-x64 the tree keeps the x86-64 ELF addons its packages ship (a package may load one by a
          // computed name: lightningcss); the exe's dlopen hook writes them out when loaded (runtime-shim/embedded/tree-natives.ts).
          const tree = await treeFiles(packages, globs, { target });
          // Packages whose binary only their install script makes (deps/install-binaries.ts):
          // a --native file goes where node-gyp would have built it; the rest is decided after bundling.
          // A package --exclude left out entirely needs none.
          const kept = new Set(tree.packages.map((p) => p.location));
          const missing = await packagesMissingBinaries(packages.filter((p) => kept.has(p.location)), tree.files);
          if (linux && missing.length > 0) throw linuxAddonRefusal(`${missing[0]!.name}@${missing[0]!.version}`, 'builds its native addon when it is installed');
          const nativeInTree = new Set<string>();
          const nativeFiles: string[] = [];
          for (const { pkg, rel, file } of decideMissingBinaries(missing, { native: plan.native, handled: new Set(), nodeMajor }).add) {
            nativeInTree.add(pkg.name);
            nativeFiles.push(file);
            const data = await readFile(file);
            tree.files.push({ rel, data });
            const summary = tree.packages.find((p) => p.location === pkg.location);
            if (summary) {
              summary.files += 1;
              summary.bytes += data.byteLength;
            }
          }
          // Packages the addon loader must supply a binary for stay bundled when packages load from the tree.
          const lacksBinary = new Set(missing.filter((p) => !nativeInTree.has(p.name)).map((p) => p.name));
          const result = { ...tree, missing, nativeInTree, lacksBinary };
          await storeTree(cacheDir, key, result, plan.projectDir, nativeFiles, started);
          return result;
        })
      : undefined;
  treeReady?.catch(() => undefined); // awaited by the bundle step; a failure surfaces there
  const packagesMode = decidePackagesMode(plan);
  const bundle = await step('bundle', async (): Promise<BundleStepResult> => {
    const input: BundleInput = {
      entry: plan.entry,
      projectDir: plan.projectDir,
      nodeMajor,
      exeConfig,
      packer: plan.packer,
      seaModuleMain,
      assets: plan.assets,
      tree: treeReady,
      compress: plan.compress,
      packagesFromTree: packagesMode.mode === 'node',
      preload: plan.preload,
      addons: direct
        ? { abi: line.abi, nodeMajor, native: linux ? {} : plan.native, target, source: { registry: defaultRegistry(), cacheDir, fetchImpl: fetch } }
        : undefined,
    };
    const loaderKind = seaModuleMain ? undefined : plan.packer === 'pkg' ? 'pkg' : 'sea-script';
    // An unchanged app's bundle comes from the cache (bundle-cache.ts); --asset globs are never cached.
    const key = plan.assets.length === 0 ? bundleKey({ ...input, tree: undefined, addons: input.addons && { ...input.addons, source: { registry: input.addons.source?.registry } }, loaderKind }) : undefined;
    const cached = key ? await cachedBundle(cacheDir, key, treeReady) : undefined;
    if (cached) return cached;
    const started = Date.now();
    const [app, loader] = await Promise.all([bundleApp(input, hooks.bundleSession), loaderKind ? bundleLoader(loaderKind, nodeMajor, plan.compress && direct) : undefined]);
    // Worker threads on embedded modules start with the thread loader (asset thread.cjs).
    const threadLoader = app.embedded && Object.keys(app.embedded.manifest.modules).length > 0 ? await bundleLoader('thread', nodeMajor) : undefined;
    const result = { ...app, loader, threadLoader };
    if (key) await storeBundle(cacheDir, key, result, plan.projectDir, await treeReady, started);
    return result;
  });
  const runtime = await ctx.runtimeReady;

  const tree = await treeReady;
  if (tree) {
    const handled = new Set(bundle.addons.map((a) => a.package));
    const decided = decideMissingBinaries(tree.missing, { native: plan.native, handled, nodeMajor });
    if (decided.failure) throw decided.failure;
    bundle.warnings.push(...decided.warnings);
  }
  if (direct && !linux) {
    const used = new Set([...bundle.nativeUsed, ...(tree?.nativeInTree ?? [])]);
    bundle.warnings.push(...unusedNativeWarnings(plan.native, used, Object.keys(bundle.inputs), tree?.packages.map((p) => p.name)));
  }
  for (const message of [...(tree?.warnings ?? []), ...bundle.warnings, ...extra.warnings]) ctx.warn(message);
  const preload = plan.preload.map((file) => path.relative(plan.projectDir, file).split(path.sep).join('/'));
  const manifest = exeManifest(exeConfig, { nodeVersion: runtime.version, packer: plan.packer, compress: plan.compress, packages: packagesMode, preload, addons: bundle.addons });
  const blobInput = {
    hostNode: runtime.hostNode,
    seaMain: bundle.loader ?? bundle.code,
    moduleMain: seaModuleMain,
    allowNodeOptions: plan.allowNodeOptions,
    appBundle: bundle.code,
    koffiNode: koffi.bytes,
    addonFiles: bundle.addonFiles,
    embeddedAssets: embeddedAssets(bundle.embedded?.assets, bundle.threadLoader),
    compress: plan.compress,
  };

  let exe: Executable;
  if (linux) {
    const seaBlob = await step('blob', () => makeSeaBlob(blobInput, { cacheDir, nodeVersion: runtime.version }));
    const node = await runtimeData();
    exe = new InMemoryExecutable(await step('inject', async () => (await packElf({ node, seaBlob, manifest })).elf));
  } else if (plan.packer === 'pkg') {
    exe = new InMemoryExecutable(await step('pkg', () =>
      packWithPkg({
        runtime,
        projectDir: plan.projectDir,
        loader: bundle.loader!,
        appBundle: bundle.code,
        koffiNode: koffi.bytes,
        versionInfo: versionInfoTable(plan),
        icon: plan.icon?.data,
        cacheDir,
        compress: plan.compress,
        timeDateStamp: ctx.timeDateStamp,
        manifest,
      }),
    ));
  } else {
    const seaBlob = await step('blob', () => makeSeaBlob(blobInput, { cacheDir, nodeVersion: runtime.version }));
    exe = await step('resources', () =>
      packDirect({
        seaBlob,
        nodeExe: runtimeData,
        nodeSha256: runtime.binaries['win-x64']?.sha256,
        edits: { versionInfo: versionInfoTable(plan), icon: plan.icon?.data, timeDateStamp: ctx.timeDateStamp, manifest },
        cacheDir,
      }),
    );
  }

  // The exe is signed in the staging folder before the outputs are hashed (sign/build-step.ts).
  const signing =
    !linux && ctx.signOptions
      ? await step('sign', async () =>
          signInStage({
            outDir: plan.outDir,
            exeFile: executable,
            exe: await exe.bytes(),
            options: ctx.signOptions!,
            hooks: { cwd: ctx.options.cwd, label: executable, defaults: buildSignDefaults(plan), onWarning: (message) => emit({ type: 'warning', message }) },
          }),
        )
      : undefined;
  const runtimeBinary = runtime.binaries[target];
  const runtimeBytes = runtimeRead ? (await runtimeRead).byteLength : (await stat(runtimeBinary?.path ?? runtime.targetExe)).size;
  const runtimeSha256 = !ctx.plan.sbom || !direct ? undefined : runtimeBinary?.sha256 ? Promise.resolve(runtimeBinary.sha256) : runtimeData().then((bytes) => sha256Hex(bytes));
  return { target, executable, exe, files: extra.files, signing, exeConfig, koffi, bundle, tree, packages: packagesMode, runtimeBytes, runtimeSha256, timings };
}

/**
 * The options a linux-x64 executable does not carry, given to a build without a win-x64 target:
 * one warning line naming them, and one for `--native` (never an error: a config shared by both
 * targets may hold them).
 */
export function windowsOnlyOptionWarnings(options: BuildOptions, targets: readonly Target[]): string[] {
  if (targets.includes('win-x64')) return [];
  const resources = (['icon', 'company', 'productName', 'copyright'] as const).filter((k) => options[k] !== undefined).map((k) => configKey(k).flag);
  const signing = SIGN_KEYS.filter((k) => options[k] !== undefined).map((k) => configKey(k).flag);
  const given = [...resources, ...signing];
  const what = [resources.length ? 'version resources and icons' : '', signing.length ? 'Authenticode signatures' : ''].filter(Boolean).join(' or ');
  const warnings = given.length ? [`${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply to the linux-x64 executable (an ELF file has no ${what}); ignored`] : [];
  const native = Array.isArray(options.native) ? options.native.length > 0 : Object.keys(options.native ?? {}).length > 0;
  if (native) warnings.push('--native gives win32-x64 .node files, which the linux-x64 executable cannot load; ignored');
  return warnings;
}

/** The text of the `--sbom` file (emit/sbom.ts) of an exe whose SHA-256 is `exeSha256`. */
async function sbomText(
  plan: ResolvedBuild,
  facts: {
    /** The target of the executable the SBOM describes (the first target's). */
    target: Target;
    exeSha256: string;
    nodeExeSha256: string | undefined;
    nodeVersion: string;
    koffi: { version: string; sha256: string };
    addons: Parameters<typeof cycloneDxBom>[0]['addons'];
    tree: Awaited<ReturnType<typeof treeFiles>> | undefined;
    /** The bundle's input files: the packages it inlined code from that the tree lacks are listed too. */
    inputs: Record<string, number>;
    timeDateStamp: number | undefined;
  },
): Promise<string> {
  const projectManifest = JSON.parse(await readFile(path.join(plan.projectDir, 'package.json'), 'utf8').catch(() => 'null')) as unknown;
  const treePackages = facts.tree?.packages ?? [];
  const bundled = await bundledPackages(plan.projectDir, facts.inputs, new Set(treePackages.map((p) => p.location)));
  const manifests = facts.tree ? treeManifests(projectManifest, facts.tree) : new Map([['', projectManifest]]);
  for (const [location, manifest] of bundled.manifests) manifests.set(location, manifest);
  const bom = cycloneDxBom({
    exe: { name: plan.name, version: plan.version, description: plan.description, sha256: facts.exeSha256, company: plan.company },
    svcpackVersion,
    node: { version: facts.nodeVersion, target: facts.target, ...(facts.nodeExeSha256 ? { sha256: facts.nodeExeSha256 } : {}) },
    koffi: facts.koffi,
    packages: [...treePackages, ...bundled.packages.map((p) => ({ ...p, embedded: 'bundle' as const }))],
    addons: facts.addons,
    edges: treeEdges(manifests),
    timestamp: facts.timeDateStamp === undefined ? new Date() : new Date(facts.timeDateStamp * 1000),
  });
  return `${JSON.stringify(bom, null, 2)}\n`;
}

/** The SEA assets of what the app embeds besides its bundle, with the thread loader when workers start embedded modules. */
function embeddedAssets(assets: ReadonlyMap<string, Uint8Array | string> | undefined, threadLoader: string | undefined): Map<string, Uint8Array | string> {
  const all = new Map(assets);
  if (threadLoader !== undefined) all.set(THREAD_LOADER_ASSET, threadLoader);
  return all;
}

export type { BuildOptions, ResolvedBuild };

/**
 * How the app reaches its packages (options.ts `packages`), and why, for the record: `auto` is
 * `node` when a production dependency hooks module loading (deps/module-hook-libraries.ts).
 */
export function decidePackagesMode(plan: Pick<ResolvedBuild, 'packages' | 'projectDir'>): BuildRecord['packages'] {
  if (plan.packages === 'bundle') return { mode: 'bundle', reason: 'packages bundled' };
  if (plan.packages === 'node') return { mode: 'node', reason: 'packages: node' };
  const hooks = moduleHookLibraries(plan.projectDir);
  return hooks.length > 0
    ? { mode: 'node', reason: `${hooks.join(' and ')} ${hooks.length === 1 ? 'is a production dependency' : 'are production dependencies'}: module load hooks must see the packages load` }
    : { mode: 'bundle', reason: 'no production dependency hooks module loading' };
}
