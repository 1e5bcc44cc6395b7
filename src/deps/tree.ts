/**
 * The app's production dependency tree as npm would install it on the Windows machine:
 * `npm ci --omit=dev --os=win32 --cpu=x64 --ignore-scripts` (docs/addons-and-files.md,
 * "Dependencies in the exe"). npm's own machinery decides it (@npmcli/arborist, from the app's
 * package-lock.json when there is one), so what goes into the exe is what the user's contract
 * names, including the Windows per-platform optional packages that an install on Linux skipped.
 *
 * Each package's files come from the project's installed folder when it holds that very version
 * (what the user tested with), else from the svcpack cache, filled by pacote from the registry
 * with the lockfile's integrity checked. Install scripts never run: packages are only extracted.
 *
 * A node_modules that does not match the tree stops the build (exit 2, {@link checkInstalled}):
 * svcpack never silently embeds another version than the one installed. Only packages an
 * install here could skip are fetched: optional ones (the Windows per-platform packages), and
 * every package of a project with no node_modules folder at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { failure, usageError } from '../errors';
import { defaultRegistry } from '../runtime/npm-registry';
import { atomicWrite } from '../atomic-write';

/** One installed package of the tree. */
export interface TreePackage {
  name: string;
  version: string;
  /** The lockfile's or registry's `integrity` (SRI), or null when npm had none (a folder or git dependency). */
  integrity: string | null;
  /** The package.json `license` (SPDX expression), or null. */
  license: string | null;
  /** Where npm puts it, relative to the project: `node_modules/express`, `node_modules/a/node_modules/b`. */
  location: string;
  /** The folder its files are read from (the project's install, or the cache). */
  dir: string;
  /** Where the files came from. */
  source: 'installed' | 'cache' | 'registry';
  /** Only optional dependency edges lead to it: npm skips it when its install fails. */
  optional: boolean;
}

export interface DependencyTreeOptions {
  projectDir: string;
  /** svcpack's cache folder; packages are kept under `<cacheDir>/tree/`. */
  cacheDir: string;
  /** npm registry (default: `npm_config_registry`, else registry.npmjs.org; runtime/npm-registry.ts). */
  registry?: string;
  /** npm's cache for arborist's and pacote's HTTP requests (default: `<cacheDir>/npm-cache`). */
  npmCache?: string;
  /**
   * The platform the executable runs on, as npm's install checks name it (default TARGET_PLATFORM,
   * win32-x64; src/targets.ts has linux-x64's: linux, x64, glibc).
   */
  platform?: { os: string; cpu: string; libc: string };
}

/** The platform the exe runs on, as npm's install checks name it. */
// Windows has no libc in npm's sense; a package that asks for one is not for Windows.
export const TARGET_PLATFORM = { os: 'win32', cpu: 'x64', libc: 'none' } as const;

interface ArboristNode {
  name: string;
  packageName: string;
  version: string;
  location: string;
  path: string;
  integrity: string | null;
  resolved: string | null;
  isRoot: boolean;
  isLink: boolean;
  inert?: boolean;
  dev: boolean;
  /** Reached only through optional dependencies: an install may skip it (another platform, a failed build). */
  optional: boolean;
  package: { license?: unknown; version?: string };
  shouldOmit?(omit: Set<string>): boolean;
}

const require = createRequire(import.meta.url);

/**
 * The packages of the production tree for the target platform (default win32-x64), sorted by location; fetches the ones the
 * project's node_modules lacks. A project with no dependencies gives [].
 */
export async function resolveDependencyTree(opts: DependencyTreeOptions): Promise<TreePackage[]> {
  const pkgJson = path.join(opts.projectDir, 'package.json');
  const manifest = JSON.parse(await fs.readFile(pkgJson, 'utf8').catch(() => '{}')) as { dependencies?: object; optionalDependencies?: object };
  if (Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }).length === 0) return [];

  const npmCache = opts.npmCache ?? path.join(opts.cacheDir, 'npm-cache');
  const registry = opts.registry ?? defaultRegistry();
  const platform = opts.platform ?? TARGET_PLATFORM;
  const nodes = await idealTree(opts, { npmCache, registry, platform });
  await checkInstalled(nodes, opts.projectDir);
  const out = await Promise.all(nodes.map((n) => packageFiles(n, opts, npmCache, registry)));
  return out.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}

/** What {@link idealTree} keeps of an arborist node: the production packages npm would install. */
type TreeNode = Pick<ArboristNode, 'packageName' | 'version' | 'location' | 'integrity' | 'resolved' | 'optional'>;

/**
 * The production packages npm's arborist puts in the ideal tree for `platform`. With a lockfile the
 * answer depends only on package.json, the lockfile and the platform: it is kept in
 * `<cacheDir>/ideal-tree/` keyed by their hash, since building the tree costs ≈ 2 s for a
 * 200-package app (measured) and an unchanged project asks the same question every build.
 */
async function idealTree(opts: DependencyTreeOptions, ctx: { npmCache: string; registry: string; platform: { os: string; cpu: string; libc: string } }): Promise<TreeNode[]> {
  const lock = await lockfileOf(opts.projectDir);
  const key = lock
    ? createHash('sha256')
        .update(JSON.stringify({ format: 1, arborist: arboristVersion(), platform: ctx.platform }))
        .update(await fs.readFile(path.join(opts.projectDir, 'package.json')))
        .update(await fs.readFile(path.join(opts.projectDir, lock)))
        .digest('hex')
        .slice(0, 32)
    : undefined;
  const cached = key ? path.join(opts.cacheDir, 'ideal-tree', `${key}.json`) : undefined;
  if (cached) {
    const hit = await fs.readFile(cached, 'utf8').then((text) => JSON.parse(text) as TreeNode[], () => undefined);
    if (Array.isArray(hit)) return hit;
  }
  const Arborist = require('@npmcli/arborist') as new (o: Record<string, unknown>) => { buildIdealTree(o: Record<string, unknown>): Promise<{ inventory: Map<string, ArboristNode> }> };
  const arb = new Arborist({
    path: opts.projectDir,
    registry: ctx.registry,
    cache: ctx.npmCache,
    omit: ['dev'],
    ...ctx.platform,
    ignoreScripts: true,
    audit: false,
    fund: false,
    // Use cached registry metadata and tarballs without revalidating them (versions come from the lockfile).
    preferOffline: true,
    progress: false,
  });
  let tree: { inventory: Map<string, ArboristNode> };
  try {
    tree = await arb.buildIdealTree({});
  } catch (err) {
    if (unreachable(err)) {
      throw usageError('DEPENDENCY_FETCH', `cannot reach the npm registry ${ctx.registry} to resolve the dependency tree of ${opts.projectDir} (${reasonOf(err)})`, REGISTRY_HINT);
    }
    throw failure('DEPENDENCY_TREE', `could not resolve the production dependency tree of ${opts.projectDir}: ${(err as Error).message}`, 'run npm install in the project folder, then build again', err);
  }
  const omit = new Set(['dev']);
  const nodes: TreeNode[] = [...tree.inventory.values()]
    .filter((n) => !n.isRoot && !n.isLink && !n.inert && !(n.shouldOmit?.(omit) ?? n.dev) && n.location.startsWith('node_modules/'))
    .map((n) => ({ packageName: n.packageName, version: n.version, location: n.location, integrity: n.integrity ?? null, resolved: n.resolved ?? null, optional: n.optional }));
  if (cached) {
    await fs.mkdir(path.dirname(cached), { recursive: true }).then(() => atomicWrite(cached, JSON.stringify(nodes))).catch(() => undefined); // a cache that cannot be written only costs the next build
  }
  return nodes;
}

function arboristVersion(): string {
  return (require('@npmcli/arborist/package.json') as { version: string }).version;
}

/** Where a package's files come from: the project's install if it holds this version, else the cache (fetched when missing). */
async function packageFiles(node: TreeNode, opts: DependencyTreeOptions, npmCache: string, registry: string): Promise<TreePackage> {
  const base = { name: node.packageName, version: node.version, integrity: node.integrity ?? null, location: node.location, optional: node.optional };
  const installedDir = path.join(opts.projectDir, ...node.location.split('/'));
  const installed = await readJson(path.join(installedDir, 'package.json'));
  if (installed && installed.version === node.version && (installed.name === undefined || installed.name === node.packageName)) {
    return { ...base, license: licenseOf(installed.license), dir: installedDir, source: 'installed' };
  }
  if (!node.integrity) {
    throw failure(
      'DEPENDENCY_TREE',
      `${node.packageName}@${node.version} (${node.location}) is not installed and has no integrity to fetch it by`,
      'run npm install in the project folder, then build again',
    );
  }
  const dir = cachedPackageDir(opts.cacheDir, node.packageName, node.version, node.integrity);
  const cached = await readJson(path.join(dir, 'package.json'));
  if (cached?.version === node.version) return { ...base, license: licenseOf(cached.license), dir, source: 'cache' };

  const pacote = require('pacote') as { extract(spec: string, dest: string, o: Record<string, unknown>): Promise<{ integrity: string }> };
  // Extracted into a folder of this call's own, then renamed into place whole: builds running at
  // once (in one process or several, on a cold cache) each fetch the package; a folder another
  // build already put in place is kept, never cleared while that build may be reading it.
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // pacote checks the tarball against `integrity` and fails on a mismatch (EINTEGRITY).
    await pacote.extract(node.resolved ?? `${node.packageName}@${node.version}`, tmp, { integrity: node.integrity, cache: npmCache, registry, ignoreScripts: true });
    await moveIntoPlace(tmp, dir, async () => (await readJson(path.join(dir, 'package.json')))?.version === node.version);
  } catch (err) {
    if (unreachable(err)) {
      throw usageError(
        'DEPENDENCY_FETCH',
        `cannot reach the npm registry ${registry} to fetch ${node.packageName}@${node.version}, which node_modules lacks (${reasonOf(err)})`,
        REGISTRY_HINT,
      );
    }
    const { os, cpu } = opts.platform ?? TARGET_PLATFORM;
    throw failure('DEPENDENCY_FETCH', `could not fetch ${node.packageName}@${node.version} for ${os}-${cpu}: ${(err as Error).message}`, 'check the network access to the npm registry, or install the package', err);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  const fetched = await readJson(path.join(dir, 'package.json'));
  return { ...base, license: licenseOf(fetched?.license), dir, source: 'registry' };
}

/**
 * Renames the folder `staging` to `dir`. When `dir` is already there (another build stored the
 * package meanwhile, or a damaged copy is in the way), keeps it if `complete`, else replaces it.
 */
export async function moveIntoPlace(staging: string, dir: string, complete: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await complete()) return;
    try {
      await fs.rename(staging, dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 2 || (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM')) throw err;
    }
    if (await complete()) return;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stops the build (DEPENDENCY_MISMATCH, exit 2) when the project's node_modules disagrees with
 * the tree npm resolved from the lockfile: a package installed at another version (or another
 * package at its place), or a package missing that every install puts there. Not disagreements:
 * a missing optional package (the Windows per-platform packages an install on Linux skips, an
 * optional build that failed: fetched), a dev dependency (not in the tree), a project with no
 * node_modules folder at all (nothing installed: everything is fetched).
 */
async function checkInstalled(nodes: readonly TreeNode[], projectDir: string): Promise<void> {
  if (!(await isDir(path.join(projectDir, 'node_modules')))) return;
  const lock = (await lockfileOf(projectDir)) ?? 'package.json';
  const problems = (
    await Promise.all(
      nodes.map(async (n) => {
        const installed = await readJson(path.join(projectDir, ...n.location.split('/'), 'package.json'));
        if (installed) {
          if (installed.version === n.version && (installed.name === undefined || installed.name === n.packageName)) return null;
          return { location: n.location, text: `${n.location} holds ${installed.name ?? n.packageName}@${String(installed.version)} but ${lock} wants ${n.packageName}@${n.version}` };
        }
        return n.optional ? null : { location: n.location, text: `${n.location} is missing but ${lock} wants ${n.packageName}@${n.version}` };
      }),
    )
  )
    .filter((p) => p !== null)
    .sort((a, b) => (a.location < b.location ? -1 : 1));
  if (problems.length === 0) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more package${problems.length > 2 ? 's' : ''})` : '';
  throw usageError('DEPENDENCY_MISMATCH', `node_modules does not match ${lock}: ${problems[0]!.text}${more}`, `run npm ci (or npm install) in ${projectDir}, then build again`);
}

/** The lockfile npm installs from: npm-shrinkwrap.json before package-lock.json; null when there is none. */
async function lockfileOf(projectDir: string): Promise<string | null> {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    if (await fs.stat(path.join(projectDir, name)).then((s) => s.isFile(), () => false)) return name;
  }
  return null;
}

async function isDir(dir: string): Promise<boolean> {
  return fs.stat(dir).then((s) => s.isDirectory(), () => false);
}

const REGISTRY_HINT = 'check the network, or set npm_config_registry to a registry this machine can reach (a package once fetched is cached: later builds need no network)';

/** Network errors that mean the registry was not reached at all (pacote's and arborist's FetchErrors carry the system code). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_TIMEOUT']);

function unreachable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code);
}

/** The reason in a FetchError's message (`connect ECONNREFUSED 127.0.0.1:9`), else its code. */
function reasonOf(err: unknown): string {
  const message = String((err as Error).message ?? '');
  return /reason: (.+)$/.exec(message)?.[1] ?? String((err as { code?: unknown }).code);
}

/** `<cacheDir>/tree/<name>@<version>-<first 16 hex of the integrity's hash>`: one folder per tarball. */
export function cachedPackageDir(cacheDir: string, name: string, version: string, integrity: string): string {
  const tag = createHash('sha256').update(integrity).digest('hex').slice(0, 16);
  return path.join(cacheDir, 'tree', `${name.replace('/', '+')}@${version}-${tag}`);
}

function licenseOf(license: unknown): string | null {
  if (typeof license === 'string') return license;
  if (license && typeof license === 'object' && typeof (license as { type?: unknown }).type === 'string') return (license as { type: string }).type;
  return null;
}

async function readJson(file: string): Promise<Record<string, unknown> & { name?: string; version?: string; license?: unknown } | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
