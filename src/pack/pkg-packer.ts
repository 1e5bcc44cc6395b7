/**
 * `--packer pkg`: @yao-pkg/pkg's enhanced SEA mode, for apps whose dependencies read their own
 * files at run time or load native addons (pkg walks node_modules into a virtual file system).
 * pkg runs under the acquired host Node (it needs Node >= 22 and a blob generator of exactly the
 * target version); it finds the target node.exe in a pkg cache svcpack seeds from its own cache,
 * so pkg never downloads. Its output then gets the same resedit pass as the direct packer
 * (VERSIONINFO, icon, stale signature removed, checksum).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { failure } from '../errors';
import type { Runtime } from '../runtime/acquire';
import { linkTree } from './link-tree';
import type { ExeManifest } from './manifest';
import { editExecutable } from './pe';
import { withSeaCodePath } from './sea-code-path';
import type { VersionInfoTable } from './version-info';

export interface PkgPackInput {
  runtime: Runtime;
  /** The app's project folder: the staging folder goes inside it so node_modules resolve. */
  projectDir: string;
  /** pkg-main loader (CommonJS). */
  loader: string;
  appBundle: string;
  koffiNode: Uint8Array;
  versionInfo: VersionInfoTable;
  icon?: Uint8Array;
  /** svcpack's cache folder; pkg's own cache lives under it. */
  cacheDir: string;
  /** pkg's `--compress Brotli`: the files in its virtual file system are stored compressed. */
  compress?: boolean;
  /** PE TimeDateStamp from SOURCE_DATE_EPOCH (seconds); default node.exe's own. */
  timeDateStamp?: number;
  /** Written into the exe as its SVCPACK_MANIFEST resource. */
  manifest?: ExeManifest;
}

/** The package.json pkg reads for the staged app. */
const STAGE_PACKAGE_JSON = {
  name: 'svcpack-app',
  version: '0.0.0',
  private: true,
  bin: 'svcpack-main.cjs',
  pkg: { assets: ['koffi.node'], scripts: ['app.mjs'] },
};

/**
 * Prepares `<cacheDir>/pkg-home/.pkg-cache/sea` so pkg finds node-v<v>-win-x64.exe (and the .ok
 * markers it checks) and never downloads. Returns the folder to use as pkg's home.
 */
export async function seedPkgCache(cacheDir: string, version: string, targetExe: string): Promise<string> {
  const home = path.join(cacheDir, 'pkg-home');
  const sea = path.join(home, '.pkg-cache', 'sea');
  await fs.mkdir(sea, { recursive: true });
  const base = path.join(sea, `node-v${version}-win-x64`);
  // Re-linking on every build would change the cached node.exe's ctime, and with it the runtime
  // cache's verification stamp (cache.ts): the next build would re-hash it.
  if (!(await sameFile(targetExe, `${base}.exe`))) {
    await fs.rm(`${base}.exe`, { force: true });
    await fs.link(targetExe, `${base}.exe`).catch(() => fs.copyFile(targetExe, `${base}.exe`));
  }
  for (const marker of [`${base}.exe.ok`, `${base}.zip`, `${base}.zip.ok`]) await fs.writeFile(marker, '');
  return home;
}

/** True when `a` and `b` are the same file (hard links of one inode). */
async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([fs.stat(a), fs.stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** The name pkg's SEA main script gets inside the blob (pkg writes it to a random temp folder). */
const PKG_SEA_CODE_PATH = 'sea-main.js';

/**
 * pkg names every file in its virtual file system after the last folder of the files' common
 * root (`/snapshot/<project folder>/node_modules/…`). The app is staged in a folder always named
 * `app`, with the project's node_modules mirrored into it by hard links, so the exe does not
 * depend on what the project folder is called (reproducible builds). The staging folder
 * sits inside the project: same device for the links, and a dependency that is missing from the
 * mirror still resolves from the project's own node_modules.
 */
async function stageApp(input: PkgPackInput, stageRoot: string): Promise<string> {
  const app = path.join(stageRoot, 'app');
  await fs.mkdir(stageRoot);
  await fs.mkdir(app);
  const nodeModules = path.join(input.projectDir, 'node_modules');
  if (await fs.stat(nodeModules).then((s) => s.isDirectory(), () => false)) await linkTree(nodeModules, path.join(app, 'node_modules'));
  await fs.writeFile(path.join(app, 'package.json'), JSON.stringify(STAGE_PACKAGE_JSON, null, 2));
  await fs.writeFile(path.join(app, 'svcpack-main.cjs'), input.loader);
  await fs.writeFile(path.join(app, 'app.mjs'), input.appBundle);
  await fs.writeFile(path.join(app, 'koffi.node'), input.koffiNode);
  return app;
}

export async function packWithPkg(input: PkgPackInput): Promise<Buffer> {
  const { runtime } = input;
  const stageRoot = path.join(input.projectDir, `.svcpack-pkg-${randomBytes(4).toString('hex')}`);
  const outFile = path.join(os.tmpdir(), `svcpack-pkg-${randomBytes(4).toString('hex')}.exe`);
  try {
    const stage = await stageApp(input, stageRoot);
    const home = await seedPkgCache(input.cacheDir, runtime.version, runtime.targetExe);

    const pkgBin = path.join(path.dirname(createRequire(import.meta.url).resolve('@yao-pkg/pkg/package.json')), 'lib-es5', 'bin.js');
    try {
      await promisify(execFile)(
        runtime.hostNode,
        [
          pkgBin,
          'package.json',
          '--sea',
          '--target',
          `node${runtime.version}-win-x64`,
          '--output',
          outFile,
          ...(input.compress ? ['--compress', 'Brotli'] : []),
        ],
        { cwd: stage, env: { ...process.env, HOME: home, USERPROFILE: home, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}\n${(err as { stderr?: string }).stderr ?? ''}`;
      const reason = out.split('\n').map((l) => l.trim()).filter(Boolean).filter((l) => /error/i.test(l)).pop() ?? String(err);
      throw failure('PACK_FAILED', `@yao-pkg/pkg failed: ${reason}`, 'run with --packer direct, or with SVCPACK_DEBUG=1 to see pkg\'s output', err);
    }
    const packed = await fs.readFile(outFile);
    return editExecutable(packed, {
      versionInfo: input.versionInfo,
      icon: input.icon,
      timeDateStamp: input.timeDateStamp,
      manifest: input.manifest,
      rewriteSeaBlob: (blob) => withSeaCodePath(blob, PKG_SEA_CODE_PATH, 'sea-main.js'),
    }, { label: "@yao-pkg/pkg's output", hint: 'run with --packer direct' });
  } finally {
    await fs.rm(stageRoot, { recursive: true, force: true });
    await fs.rm(outFile, { force: true });
  }
}
