import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { failure, SvcpackError, usageError } from '../errors';
import {
  binaryFileName,
  cachedVersions,
  cacheRoot,
  readCache,
  writeCache,
  type BinaryKey,
  type NodeArch,
  type NodePlatform,
} from './cache';
import { describeError } from './http';
import { DEFAULT_NODEJS_MIRROR, downloadFromNodejsOrg, MirrorMissingVersionError, newestFromIndex } from './nodejs-org';
import { DEFAULT_NODE_VERSION, majorOf, SUPPORTED_LINES_HINT, unsupportedReason } from './node-lines';
import { highestOfMajor, parseVersionSpec, type VersionSpec } from './node-version';
import { defaultRegistry, downloadFromNpm, fetchPackument, MissingVersionError, type Packument } from './npm-registry';
import { isWindowsPe, isWindowsPeFile, readPeVersion } from './pe-check';
import { emit, throttled, type ProgressEvent } from './progress';
import type { Target } from '../targets';

export { cacheRoot } from './cache';
export { DEFAULT_NODE_VERSION } from './node-lines';
export type { ProgressEvent } from './progress';

/**
 * Acquiring the two Node binaries a build needs: the Windows node.exe that becomes the service
 * exe, and a Node of exactly the same version for THIS machine (to generate the SEA blob).
 * Sources, in order: the user's --node-binary (target only), the cache, the npm registry,
 * nodejs.org (only when npm fails). Everything downloaded is integrity-checked before use.
 */

export interface RuntimeRequest {
  /**
   * '26.10.0' exact, or a major '26' (resolved to the newest 26.x.y published for both the target
   * and this machine), or undefined = DEFAULT_NODE_VERSION. Lines svcpack does not support
   * (node-lines.ts) are refused before anything is downloaded.
   */
  version?: string;
  /** User-supplied node.exe (skips fetching the target); its version is read from its VERSIONINFO, never by running it. */
  nodeBinary?: string;
  /** Default win x64: the architecture of the Windows node.exe (with `targets` including win-x64). */
  target?: { platform: 'win'; arch: 'x64' | 'arm64' };
  /**
   * The executables to make (src/targets.ts); default win-x64 only. linux-x64 adds the official
   * linux-x64 `node` of the same version (the one the ELF executable is made from), which is also
   * the host Node on an x64 Linux build machine: one download serves both.
   */
  targets?: readonly Target[];
  /** Default: cacheRoot(). */
  cacheDir?: string;
  /** Default: env npm_config_registry || 'https://registry.npmjs.org'. */
  registry?: string;
  /** Default 'https://nodejs.org/dist'. */
  nodejsOrgMirror?: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Injectable for tests. */
  fetchImpl?: typeof fetch;
  /** The Node running svcpack, used as the host Node when its version matches (default: this process). Injectable for tests. */
  runningNode?: { version: string; execPath: string };
}

export interface Runtime {
  /** Exact x.y.z. */
  version: string;
  /**
   * The Node binary of the first target asked for: node.exe for win-x64 (the cached copy, or the
   * user's --node-binary file), else the linux-x64 `node`.
   */
  targetExe: string;
  /** The binary of each target asked for, and where it came from. */
  binaries: Partial<Record<Target, { path: string; source: 'node-binary' | 'cache' | 'npm' | 'nodejs.org'; /** SHA-256 (hex) from the cache record; absent for a --node-binary file. */ sha256?: string }>>;
  /** `targetExe`'s contents when acquiring it read them already (--node-binary: for its version). */
  targetExeBytes?: Buffer;
  /** A node executable for this machine of exactly `version` (process.execPath when it matches). */
  hostNode: string;
  sources: { target: 'node-binary' | 'cache' | 'npm' | 'nodejs.org'; host: 'process' | 'cache' | 'npm' | 'nodejs.org' };
}

interface Ctx {
  cacheDir: string;
  registry: string;
  mirror: string;
  fetchImpl: typeof fetch;
  onProgress: RuntimeRequest['onProgress'];
  packuments: Map<string, Promise<Packument>>;
  /** Aborted when the result is no longer wanted (the target failed while the host downloads). */
  signal: AbortSignal;
}

const FETCH_HINT = 'check the network or pass --node-binary <path to node.exe> (and a cached host Node)';

/** Resolves the request to a target node.exe and a host Node of the same exact version. */
export async function acquireRuntime(req: RuntimeRequest = {}): Promise<Runtime> {
  const target = req.target ?? { platform: 'win', arch: 'x64' };
  if ((req.targets ?? []).length === 0 && req.targets !== undefined) throw usageError('USAGE', 'no target to acquire Node.js for', 'build for win-x64, linux-x64 or both');
  if (target.platform !== 'win' || (target.arch !== 'x64' && target.arch !== 'arm64')) {
    throw usageError('USAGE', `unsupported target ${String(target.platform)}-${String(target.arch)}`, 'svcpack builds for win-x64 or win-arm64');
  }
  const abort = new AbortController();
  const ctx: Ctx = {
    cacheDir: req.cacheDir ?? cacheRoot(),
    registry: req.registry ?? defaultRegistry(),
    mirror: req.nodejsOrgMirror ?? DEFAULT_NODEJS_MIRROR,
    fetchImpl: req.fetchImpl ?? fetch,
    onProgress: req.onProgress,
    packuments: new Map(),
    signal: abort.signal,
  };
  const spec = req.version !== undefined ? parseVersionSpec(req.version) : undefined;
  if (spec) refuseUnsupported(spec);

  const targets = req.targets ?? ['win-x64'];
  const windows = targets.includes('win-x64');
  const linux = targets.includes('linux-x64');
  let version: string;
  let targetExe: Promise<{ path: string; source: Runtime['sources']['target']; bytes?: Buffer; sha256?: string }> | undefined;
  if (req.nodeBinary !== undefined) {
    const inspected = await inspectNodeBinary(req.nodeBinary, target.arch, spec, req.version);
    version = inspected.version;
    refuseUnsupported({ kind: 'exact', version });
    targetExe = Promise.resolve({ path: resolve(req.nodeBinary), source: 'node-binary', bytes: inspected.bytes });
  } else {
    version = !spec ? DEFAULT_NODE_VERSION : spec.kind === 'exact' ? spec.version : await resolveMajor(ctx, spec.major, target.arch, { windows, linux });
    refuseUnsupported({ kind: 'exact', version });
    if (windows) targetExe = obtainBinary(ctx, { version, platform: 'win', arch: target.arch });
  }

  // One download per binary: the linux-x64 target is the host Node on an x64 Linux machine.
  const binaries = new Map<string, Promise<{ path: string; source: 'cache' | 'npm' | 'nodejs.org'; sha256: string }>>();
  const binary = (key: BinaryKey) => {
    const id = `${key.platform}-${key.arch}`;
    if (!binaries.has(id)) binaries.set(id, obtainBinary(ctx, key));
    return binaries.get(id)!;
  };
  const linuxNode = linux ? binary({ version, platform: 'linux', arch: 'x64' }) : undefined;
  const running = req.runningNode ?? { version: process.version, execPath: process.execPath };
  const hostNode: Promise<{ path: string; source: Runtime['sources']['host'] }> =
    running.version === `v${version}`
      ? Promise.resolve({ path: running.execPath, source: 'process' })
      : binary({ version, ...hostPlatform() });
  // The downloads run in parallel; a target's error is reported first (and without waiting
  // for the host download to finish).
  hostNode.catch(() => {});
  linuxNode?.catch(() => {});
  let t: Awaited<NonNullable<typeof targetExe>> | undefined;
  let l: Awaited<NonNullable<typeof linuxNode>> | undefined;
  try {
    t = await targetExe;
    l = await linuxNode;
  } catch (err) {
    abort.abort(err);
    throw err;
  }
  const h = await hostNode;
  const first = t ?? l!;
  return {
    version,
    targetExe: first.path,
    ...(t?.bytes ? { targetExeBytes: t.bytes } : {}),
    binaries: {
      ...(t ? { 'win-x64': { path: t.path, source: t.source, ...(t.sha256 ? { sha256: t.sha256 } : {}) } } : {}),
      ...(l ? { 'linux-x64': { path: l.path, source: l.source, sha256: l.sha256 } } : {}),
    },
    hostNode: h.path,
    sources: { target: first.source, host: h.source },
  };
}

/** usageError INVALID_NODE_VERSION when svcpack cannot embed `spec` (node-lines.ts). */
function refuseUnsupported(spec: VersionSpec): void {
  const reason = unsupportedReason(spec);
  if (reason) throw usageError('INVALID_NODE_VERSION', reason, SUPPORTED_LINES_HINT);
}

/** This machine's Node build (npm package `node-<platform>-<arch>`). */
function hostPlatform(): { platform: NodePlatform; arch: NodeArch } {
  const platform = process.platform === 'win32' ? 'win' : process.platform === 'linux' || process.platform === 'darwin' ? process.platform : undefined;
  const arch = process.arch === 'x64' || process.arch === 'arm64' ? process.arch : undefined;
  if (!platform || !arch) {
    throw failure('RUNTIME_FETCH_FAILED', `there is no official Node.js build for this machine (${process.platform}-${process.arch}) to generate the executable with`, 'run svcpack on x64 or arm64 Linux, macOS or Windows');
  }
  return { platform, arch };
}

const packageName = (k: Pick<BinaryKey, 'platform' | 'arch'>): string => `node-${k.platform}-${k.arch}`;

function packument(ctx: Ctx, pkg: string): Promise<Packument> {
  let p = ctx.packuments.get(pkg);
  if (!p) {
    p = fetchPackument(ctx.registry, pkg, ctx.fetchImpl, ctx.signal);
    p.catch(() => {}); // observed by whoever awaits it; avoid unhandled-rejection noise
    ctx.packuments.set(pkg, p);
  }
  return p;
}

/**
 * Newest x.y.z of `major` published for both the target (node-win-<arch>) and this machine
 * (node-<host platform>-<arch>): the two packages are published separately, and a version only one
 * of them has cannot be built. From the npm packuments; if npm is unreachable, from the mirror's
 * index.json; if that fails too, the newest such version in the cache.
 */
async function resolveMajor(ctx: Ctx, major: number, arch: NodeArch, want: { windows: boolean; linux: boolean } = { windows: true, linux: false }): Promise<string> {
  const pkg = packageName(want.windows ? { platform: 'win', arch } : { platform: 'linux', arch: 'x64' });
  const others = [...new Set([packageName(hostPlatform()), ...(want.linux ? [packageName({ platform: 'linux', arch: 'x64' })] : [])])].filter((p) => p !== pkg);
  let npmReason: string;
  try {
    const [target, ...rest] = await Promise.all([packument(ctx, pkg), ...others.map((p) => packument(ctx, p))]);
    const all = Object.keys(target!.versions).filter((v) => rest.every((r) => v in r!.versions));
    const found = highestOfMajor(all, major);
    if (found) return found;
    throw usageError('INVALID_NODE_VERSION', `Node.js ${major} has no release on the npm registry (${[pkg, ...others].join(' and ')})`, SUPPORTED_LINES_HINT);
  } catch (err) {
    if (err instanceof SvcpackError) throw err;
    npmReason = describeError(err);
  }
  let mirrorReason: string;
  try {
    const found = await newestFromIndex({ mirror: ctx.mirror, major, platform: want.windows ? 'win' : 'linux', arch, fetchImpl: ctx.fetchImpl });
    if (found) return found;
    mirrorReason = `no ${major}.x release`;
  } catch (err) {
    mirrorReason = describeError(err);
  }
  const cached = highestOfMajor(await cachedVersions(ctx.cacheDir, want.windows ? 'win' : 'linux', arch), major);
  if (cached) return cached;
  throw failure(
    'RUNTIME_FETCH_FAILED',
    `could not resolve Node.js ${major} to a release from ${ctx.registry} (${npmReason}) nor from ${ctx.mirror} (${mirrorReason}), and no ${major}.x is cached`,
    FETCH_HINT,
  );
}

/** The binary for `key`: verified cache entry, else npm, else nodejs.org (then cached). */
async function obtainBinary(ctx: Ctx, key: BinaryKey): Promise<{ path: string; source: 'cache' | 'npm' | 'nodejs.org'; sha256: string }> {
  const pkg = packageName(key);
  const label = `${pkg}@${key.version}`;
  const hit = await readCache(ctx.cacheDir, key);
  if (hit) {
    emit(ctx.onProgress, { phase: 'done', label, fromCache: true });
    return { path: hit.path, source: 'cache', sha256: hit.record.sha256 };
  }
  const reporter = (source: 'npm' | 'nodejs.org') => {
    let total: number | undefined;
    const tick = throttled((receivedBytes) => emit(ctx.onProgress, { phase: 'download', label, source, receivedBytes, totalBytes: total }));
    return (received: number, totalBytes: number | undefined, final: boolean): void => {
      total = totalBytes;
      tick(received, final);
    };
  };
  const store = async (data: Buffer, source: 'npm' | 'nodejs.org', url: string) => {
    if (key.platform === 'win' && !isWindowsPe(data.subarray(0, 4096), key.arch)) {
      throw new Error(`${binaryFileName(key.platform)} in ${url} is not a Windows ${key.arch} executable`);
    }
    const { path, record } = await writeCache(ctx.cacheDir, key, data, { source, url });
    emit(ctx.onProgress, { phase: 'done', label, fromCache: false });
    return { path, source, sha256: record.sha256 };
  };

  let npmReason: string;
  let npmMissing = false;
  try {
    const { data, url } = await downloadFromNpm({
      registry: ctx.registry,
      pkg,
      version: key.version,
      file: `package/bin/${binaryFileName(key.platform)}`,
      packument: await packument(ctx, pkg),
      fetchImpl: ctx.fetchImpl,
      onBytes: reporter('npm'),
      signal: ctx.signal,
    });
    return await store(data, 'npm', url);
  } catch (err) {
    if (err instanceof SvcpackError) throw err; // integrity failures are not papered over by a fallback
    npmMissing = err instanceof MissingVersionError;
    npmReason = npmMissing ? 'no such version' : describeError(err);
  }

  let mirrorReason: string;
  let mirrorMissing = false;
  try {
    const { data, url } = await downloadFromNodejsOrg({
      mirror: ctx.mirror,
      ...key,
      fetchImpl: ctx.fetchImpl,
      onBytes: reporter('nodejs.org'),
      signal: ctx.signal,
    });
    return await store(data, 'nodejs.org', url);
  } catch (err) {
    if (err instanceof SvcpackError) throw err;
    mirrorMissing = err instanceof MirrorMissingVersionError;
    mirrorReason = mirrorMissing ? 'no such version' : describeError(err);
  }

  if (npmMissing) {
    throw usageError(
      'INVALID_NODE_VERSION',
      `Node.js ${key.version} does not exist on the npm registry (${pkg})${mirrorMissing ? '' : ` and ${ctx.mirror} could not be checked (${mirrorReason})`}`,
      SUPPORTED_LINES_HINT,
    );
  }
  throw failure('RUNTIME_FETCH_FAILED', `could not download ${label} from ${ctx.registry} (${npmReason}) nor from ${ctx.mirror} (${mirrorReason})`, FETCH_HINT);
}

/**
 * Validates a user-supplied node.exe and returns its version (from VERSIONINFO; never run) and its
 * contents, so the build does not read the 90 MB file again. Usage errors: missing file, not a
 * Windows PE for `arch`, no version info, or a version that contradicts the requested one.
 */
async function inspectNodeBinary(
  file: string,
  arch: NodeArch,
  spec: VersionSpec | undefined,
  requested: string | undefined,
): Promise<{ version: string; bytes: Buffer }> {
  const hint = `pass the node.exe of the official win-${arch} build`;
  let isFile = false;
  try {
    isFile = (await stat(file)).isFile();
  } catch {
    throw usageError('INVALID_NODE_BINARY', `${file} does not exist`, hint);
  }
  if (!isFile) throw usageError('INVALID_NODE_BINARY', `${file} is not a file`, hint);
  if (!(await isWindowsPeFile(file, arch))) throw usageError('INVALID_NODE_BINARY', `${file} is not a Windows ${arch} executable`, hint);
  const bytes = await readFile(file);
  let version: string | undefined;
  try {
    version = readPeVersion(bytes);
  } catch {
    version = undefined;
  }
  if (!version) throw usageError('INVALID_NODE_BINARY', `${file} has no readable version information (not an official Node.js build?)`, hint);
  const mismatch = spec && (spec.kind === 'exact' ? spec.version !== version : majorOf(version) !== spec.major);
  if (mismatch) {
    throw usageError(
      'INVALID_NODE_BINARY',
      `${file} is Node.js ${version}, but Node.js ${requested} was requested`,
      `drop the version option or pass it as ${version}`,
    );
  }
  return { version, bytes };
}
