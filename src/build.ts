/**
 * `svcpack build`: resolve → bundle → runtime → pack → emit (docs/architecture.md, The stages of a
 * build). Nothing is written to the output folder until every step has succeeded; then all outputs
 * appear together.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { bundleApp, bundleLoader, unusedNativeWarnings } from './bundle/bundle';
import { sourceDateEpoch } from './config/source-date-epoch';
import { resolveBuildOptions, type BuildOptions, type ResolvedBuild } from './config/options';
import { buildRecord, recordFileName, type BuildRecord } from './emit/build-record';
import { OutputStage } from './emit/outputs';
import { sha256Hex } from './emit/sha256';
import { generateScripts } from './emit/scripts';
import { cycloneDxBom } from './emit/sbom';
import { svcpackVersion } from './package-root';
import { packDirect } from './pack/direct';
import { koffiNativeFor } from './pack/koffi-native';
import { exeManifest } from './pack/manifest';
import { refuseAddonsForPkg } from './pack/pkg-addon-check';
import { packWithPkg } from './pack/pkg-packer';
import { versionInfoTable } from './pack/version-info';
import { buildSignDefaults, buildSignOptions, signInStage } from './sign/build-step';
import { acquireRuntime, cacheRoot, type ProgressEvent } from './runtime/acquire';
import { DEFAULT_NODE_VERSION, lineOf, majorOf, NODE_LINES } from './runtime/node-lines';
import { defaultRegistry } from './runtime/npm-registry';
import { resolveDependencyTree } from './deps/tree';
import { decideMissingBinaries, packagesMissingBinaries } from './deps/install-binaries';
import { treeFiles } from './deps/tree-files';
import { TreeGlobs } from './deps/tree-globs';
import { treeEdges, treeManifests } from './deps/tree-edges';
import { moduleHookLibraries } from './deps/module-hook-libraries';
import { bundledPackages } from './deps/bundled-packages';
import { planMsiStep } from './msi/msi-step';
import type { ExeConfig } from '../runtime-shim/exe-config';
import { THREAD_LOADER_ASSET } from '../runtime-shim/embedded/thread-start';

export type BuildStep = 'resolve' | 'dependencies' | 'bundle' | 'runtime' | 'blob' | 'resources' | 'pkg' | 'sign' | 'msi' | 'emit';

export type BuildEvent =
  | { type: 'step'; step: BuildStep; status: 'start' | 'done'; ms?: number }
  | { type: 'runtime'; event: ProgressEvent }
  /** Something the user should know that does not stop the build (e.g. signed without a timestamp). */
  | { type: 'warning'; message: string };

export interface BuildHooks {
  onEvent?: (e: BuildEvent) => void;
  /** Cache folder for Node runtimes (default: the user cache, see runtime/cache.ts). */
  cacheDir?: string;
}

export interface BuildResult {
  record: BuildRecord;
  /** Absolute paths of every output, the exe first. */
  files: string[];
  /**
   * Step durations in ms, including writing the outputs ('emit'), which the record (written during
   * that step) cannot hold.
   */
  timings: Record<string, number>;
}

export async function build(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const timings: Record<string, number> = {};
  const emit = (e: BuildEvent) => hooks.onEvent?.(e);
  const step = async <T>(name: BuildStep, work: () => Promise<T> | T): Promise<T> => {
    emit({ type: 'step', step: name, status: 'start' });
    const t = performance.now();
    const result = await work();
    timings[name] = Math.round(performance.now() - t);
    emit({ type: 'step', step: name, status: 'done', ms: timings[name] });
    return result;
  };
  const started = performance.now();

  const plan = await step('resolve', () => {
    const resolved = resolveBuildOptions(options);
    if (resolved.packer === 'pkg') refuseAddonsForPkg(resolved.projectDir); // before anything is fetched
    return resolved;
  });
  const signOptions = buildSignOptions(options); // checked before anything is bundled
  const timeDateStamp = sourceDateEpoch(process.env);
  // The MSI's options, what it cannot carry and its tools are checked before anything is bundled.
  const msiStep = planMsiStep(options, plan, { sourceDateEpoch: timeDateStamp, signOptions });
  const scripts = generateScripts({ name: plan.name, exeFile: `${plan.name}.exe`, settings: plan.settings });
  const koffi = koffiNativeFor('x64');
  // What the exe bakes in: the one source of its manifest's and build record's settings.
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

  // The bundle only needs the Node line (esbuild's syntax target, the SEA main's format, the addon
  // ABI); it runs while the runtime is fetched. A lone --node-binary's version is known only then:
  // the bundle targets the oldest supported line.
  const line = lineOf(plan.node ? majorOf(plan.node) : plan.nodeBinary ? NODE_LINES[0]!.major : majorOf(DEFAULT_NODE_VERSION))!;
  const nodeMajor = line.major;
  // Node 26: the app bundle is itself the SEA main, an ES module (no loader script). Not with
  // --compress: the script loader unpacks the compressed bundle.
  const seaModuleMain = plan.packer === 'direct' && !plan.compress && line.moduleMain;
  const runtimeReady = step('runtime', () =>
    acquireRuntime({
      version: plan.node,
      nodeBinary: plan.nodeBinary,
      cacheDir: hooks.cacheDir,
      onProgress: (event) => emit({ type: 'runtime', event }),
    }),
  );
  // The direct packer edits node.exe (≈ 90 MB): reading it overlaps bundling and the blob
  // (a --node-binary file was read already, for its version).
  const nodeExeBytes = plan.packer === 'direct' ? runtimeReady.then((r) => r.targetExeBytes ?? readFile(r.targetExe)) : undefined;
  nodeExeBytes?.catch(() => undefined); // awaited by packDirect; a failure surfaces there
  // The production dependency tree as npm installs it on win32-x64 (deps/tree.ts), read while
  // the runtime is fetched and esbuild runs; the embedding step waits for it.
  const treeReady =
    plan.embedDependencies && plan.packer === 'direct'
      ? step('dependencies', async () => {
          const packages = await resolveDependencyTree({ projectDir: plan.projectDir, cacheDir: hooks.cacheDir ?? cacheRoot(), registry: defaultRegistry() });
          const tree = await treeFiles(packages, new TreeGlobs(plan.dependencyGlobs));
          // Packages whose Windows binary only their install script makes (deps/install-binaries.ts):
          // a --native file goes where node-gyp would have built it; the rest is decided after bundling.
          // A package --exclude left out entirely needs none.
          const kept = new Set(tree.packages.map((p) => p.location));
          const missing = await packagesMissingBinaries(packages.filter((p) => kept.has(p.location)), tree.files);
          const nativeInTree = new Set<string>();
          for (const { pkg, rel, file } of decideMissingBinaries(missing, { native: plan.native, handled: new Set(), nodeMajor }).add) {
            nativeInTree.add(pkg.name);
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
          return { ...tree, missing, nativeInTree, lacksBinary };
        })
      : undefined;
  treeReady?.catch(() => undefined); // awaited by the bundle step; a failure surfaces there
  const packagesMode = decidePackagesMode(plan);
  const preload = plan.preload.map((file) => path.relative(plan.projectDir, file).split(path.sep).join('/'));
  const [bundle, runtime] = await Promise.all([
    step('bundle', async () => {
      const [app, loader] = await Promise.all([
        bundleApp({
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
          addons:
            plan.packer === 'direct'
              ? { abi: line.abi, nodeMajor, native: plan.native, source: { registry: defaultRegistry(), cacheDir: hooks.cacheDir ?? cacheRoot(), fetchImpl: fetch } }
              : undefined,
        }),
        seaModuleMain ? undefined : bundleLoader(plan.packer === 'pkg' ? 'pkg' : 'sea-script', nodeMajor, plan.compress && plan.packer === 'direct'),
      ]);
      // Worker threads on embedded modules start with the thread loader (asset thread.cjs).
      const threadLoader = app.embedded && Object.keys(app.embedded.manifest.modules).length > 0 ? await bundleLoader('thread', nodeMajor) : undefined;
      return { ...app, loader, threadLoader };
    }),
    runtimeReady,
  ]);

  const tree = await treeReady;
  if (tree) {
    const handled = new Set(bundle.addons.map((a) => a.package));
    const decided = decideMissingBinaries(tree.missing, { native: plan.native, handled, nodeMajor });
    if (decided.failure) throw decided.failure;
    bundle.warnings.push(...decided.warnings);
  }
  if (plan.packer === 'direct') {
    const used = new Set([...bundle.nativeUsed, ...(tree?.nativeInTree ?? [])]);
    bundle.warnings.push(...unusedNativeWarnings(plan.native, used, Object.keys(bundle.inputs), tree?.packages.map((p) => p.name)));
  }
  for (const message of [...(tree?.warnings ?? []), ...bundle.warnings]) emit({ type: 'warning', message });
  const versionInfo = versionInfoTable(plan);
  const manifest = exeManifest(exeConfig, { nodeVersion: runtime.version, packer: plan.packer, compress: plan.compress, packages: packagesMode, preload, addons: bundle.addons });
  let exe: Buffer;
  if (plan.packer === 'pkg') {
    exe = await step('pkg', () =>
      packWithPkg({
        runtime,
        projectDir: plan.projectDir,
        loader: bundle.loader!,
        appBundle: bundle.code,
        koffiNode: koffi.bytes,
        versionInfo,
        icon: plan.icon?.data,
        cacheDir: hooks.cacheDir ?? cacheRoot(),
        compress: plan.compress,
        timeDateStamp,
        manifest,
      }),
    );
  } else {
    const packed = await packDirect({
      hostNode: runtime.hostNode,
      targetExe: nodeExeBytes ?? readFile(runtime.targetExe),
      seaMain: bundle.loader ?? bundle.code,
      moduleMain: seaModuleMain,
      allowNodeOptions: plan.allowNodeOptions,
      appBundle: bundle.code,
      koffiNode: koffi.bytes,
      addonFiles: bundle.addonFiles,
      embeddedAssets: embeddedAssets(bundle.embedded?.assets, bundle.threadLoader),
      versionInfo,
      icon: plan.icon?.data,
      compress: plan.compress,
      timeDateStamp,
      manifest,
    });
    timings.blob = Math.round(packed.timings.blob);
    timings.resources = Math.round(packed.timings.resources);
    exe = packed.exe;
  }

  // The exe is signed in the staging folder before the outputs are hashed (sign/build-step.ts).
  const signing =
    signOptions &&
    (await step('sign', () =>
      signInStage({
        outDir: plan.outDir,
        exeFile: `${plan.name}.exe`,
        exe,
        options: signOptions,
        hooks: { cwd: options.cwd, label: `${plan.name}.exe`, defaults: buildSignDefaults(plan), onWarning: (message) => emit({ type: 'warning', message }) },
      }),
    ));

  // The SBOM names node.exe by its SHA-256: hashed (off the main thread) while the outputs are written.
  const nodeExeSha256 = plan.sbom && nodeExeBytes ? nodeExeBytes.then((bytes) => sha256Hex(bytes)) : undefined;
  nodeExeSha256?.catch(() => undefined); // awaited when the SBOM is made
  const result = await step('emit', async () => {
    const stage = signing?.stage ?? (await OutputStage.open(plan.outDir));
    try {
      const files: Record<string, string | Uint8Array> = { [`${plan.name}.exe`]: exe, ...scripts };
      const outputs: BuildRecord['outputs'] = {};
      // Each file is hashed (WebCrypto: off the main thread) while it is written.
      const written = await Promise.all(
        Object.entries(files).map(async ([file, data]) => {
          if (signing && file === `${plan.name}.exe`) return [file, { bytes: signing.signed.bytes, sha256: signing.signed.sha256 }] as const; // already staged
          const [sha256] = await Promise.all([sha256Hex(data), stage.write(file, data, file.endsWith('.exe') ? 0o755 : undefined)]);
          return [file, { bytes: Buffer.byteLength(data), sha256 }] as const;
        }),
      );
      for (const [file, output] of written) outputs[file] = output;
      // The MSI wraps the exe as written (signed, when the build signs it).
      const msiFiles = msiStep ? await step('msi', () => msiStep.run(stage, outputs, (message) => emit({ type: 'warning', message }))).then((r) => r.files) : [];
      // The SBOM describes the exe as written (signed, when the build signs it).
      const sbomFile = plan.sbom
        ? await (async () => {
            const text = await sbomText(plan, { exeSha256: outputs[`${plan.name}.exe`]!.sha256, nodeExeSha256: await nodeExeSha256, nodeVersion: runtime.version, koffi, addons: bundle.addons, tree: await treeReady, inputs: bundle.inputs, timeDateStamp });
            const [sha256, staged] = await Promise.all([sha256Hex(text), stage.writeTo(plan.sbom!, text)]);
            outputs[path.relative(plan.outDir, plan.sbom!).split(path.sep).join('/')] = { bytes: Buffer.byteLength(text), sha256 };
            return staged;
          })()
        : undefined;
      timings.total = Math.round(performance.now() - started);
      const record = buildRecord({
        build: plan,
        exeConfig,
        nodeVersion: runtime.version,
        nodeSource: runtime.sources.target,
        koffiVersion: koffi.version,
        addons: bundle.addons,
        embedded: bundle.embedded?.summary,
        entry: path.relative(plan.projectDir, plan.entry).split(path.sep).join('/'),
        packages: packagesMode,
        preload,
        inputs: bundle.inputs,
        outputs,
        size: { runtimeBytes: (await nodeExeBytes)?.byteLength ?? (await stat(runtime.targetExe)).size, exeBytes: signing?.signed.bytes ?? exe.byteLength, compressed: plan.compress },
        timings,
        sourceDateEpoch: timeDateStamp ?? null,
        signature: signing?.signed.signature,
      });
      const recordFile = recordFileName(plan.name);
      await stage.write(recordFile, `${JSON.stringify(record, null, 2)}\n`);
      const finals = await stage.commit([...Object.keys(files), ...msiFiles, ...(sbomFile ? [sbomFile] : []), recordFile]);
      return { record, files: finals, timings };
    } catch (err) {
      await stage.abandon();
      throw err;
    }
  });
  return result;
}

/** The text of the `--sbom` file (emit/sbom.ts) of an exe whose SHA-256 is `exeSha256`. */
async function sbomText(
  plan: ResolvedBuild,
  facts: {
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
    node: { version: facts.nodeVersion, ...(facts.nodeExeSha256 ? { sha256: facts.nodeExeSha256 } : {}) },
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
