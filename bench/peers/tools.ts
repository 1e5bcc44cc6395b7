/**
 * The peer tools the build and size benchmarks compare svcpack with, acquired from the npm
 * registry only (nodejs.org and GitHub are not reachable on this project's machines) into a
 * cache kept between runs:
 *
 *   <toolsDir>/bun/<v>/linux-x64/bun            `@oven/bun-linux-x64`, runs `bun build --compile`
 *   <toolsDir>/bun/<v>/windows-x64/bun.exe      `@oven/bun-windows-x64`, the runtime bun embeds
 *   <toolsDir>/postject/<v>/node_modules/...    `postject`, the injector Node's SEA docs use
 *
 * Each is installed into a temporary folder beside its final place and renamed into it, so a
 * folder that exists is complete; present folders are reused without network. The Node runtimes
 * (node.exe of the target version and a host Node of the same version, which generates SEA
 * blobs) are svcpack's own: `acquireRuntime`, from svcpack's cache.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION, NODE_LINES } from '../../src/runtime/node-lines';
import { isWindowsPe } from '../../src/runtime/pe-check';
import { extractFromTgz } from '../../src/runtime/tar';
import type { BenchContext } from '../lib/types';

/** Pinned versions of everything the peers use. `node` is the target (and host) Node of every exe. */
export const PEER_VERSIONS = {
  bun: '1.4.5',
  postject: '1.0.0-alpha.6',
  node: '22.22.2',
} as const;

/**
 * The exact Node each supported line is benchmarked with (bench/suites/lines.ts): one pinned patch
 * per line of src/runtime/node-lines.ts. The default line's pin is svcpack's own default; the
 * oldest line's is the Node the peers and the other suites use. {@link benchLineVersions} refuses a
 * line without a pin, so a line added to NODE_LINES is benchmarked only once it is pinned here.
 */
export const LINE_PINS: Readonly<Record<number, string>> = {
  22: PEER_VERSIONS.node,
  24: '24.21.0',
  26: DEFAULT_NODE_VERSION,
};

/** The pinned exact version of every supported line, oldest line first. Throws for a line without a pin, or a pin outside its line. */
export function benchLineVersions(): { major: number; version: string; isDefault: boolean }[] {
  return NODE_LINES.map(({ major }) => {
    const version = LINE_PINS[major];
    if (!version) throw new Error(`bench: Node line ${major} has no pinned patch in LINE_PINS (bench/peers/tools.ts)`);
    if (!version.startsWith(`${major}.`)) throw new Error(`bench: LINE_PINS[${major}] is ${version}, not a ${major}.x version`);
    return { major, version, isDefault: version === DEFAULT_NODE_VERSION };
  });
}

const exec = promisify(execFile);
const require = createRequire(import.meta.url);

/**
 * Default cache of peer tools, outside the repo: `SVCPACK_BENCH_CACHE` if set, else
 * `$XDG_CACHE_HOME/svcpack-bench` or `~/.cache/svcpack-bench`.
 */
export function benchToolsDir(): string {
  const env = process.env;
  if (env.SVCPACK_BENCH_CACHE) return path.resolve(env.SVCPACK_BENCH_CACHE);
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'svcpack-bench');
}

export interface NodeRuntime {
  version: string;
  /** node.exe (win-x64) every Node-based exe is made from. */
  nodeExe: string;
  /** A Node of exactly `version` for this machine: generates SEA blobs, runs pkg. */
  hostNode: string;
}

export interface PeerTools {
  /** bun for this machine (Linux x64). */
  bun: string;
  /** bun.exe for windows-x64, passed to `--compile-executable-path`. */
  bunWindowsExe: string;
  /** postject's CLI script (run it with a Node). */
  postjectCli: string;
  node: NodeRuntime;
}

type Log = BenchContext['log'];

/** Everything the peers need, downloading what is missing. */
export async function acquirePeerTools(ctx: { toolsDir: string; log: Log }): Promise<PeerTools> {
  const node = await acquireNodeRuntime(ctx.log);
  const bunTools = await acquireBun(ctx.toolsDir, ctx.log);
  const postjectCli = await acquirePostject(ctx.toolsDir, ctx.log);
  return { ...bunTools, postjectCli, node };
}

/** node.exe and the host Node of {@link PEER_VERSIONS}.node, from svcpack's runtime cache (downloaded once). */
export async function acquireNodeRuntime(log: Log): Promise<NodeRuntime> {
  let announced = false;
  const runtime = await acquireRuntime({
    version: PEER_VERSIONS.node,
    onProgress: (e) => {
      if (e.phase === 'download' && !announced) {
        announced = true;
        log(`downloading ${e.label} from ${e.source}`);
      }
    },
  });
  return { version: runtime.version, nodeExe: runtime.targetExe, hostNode: runtime.hostNode };
}

/** bun for Linux x64 and bun.exe for Windows x64, from `@oven/bun-*` on the npm registry. */
export async function acquireBun(toolsDir: string, log: Log): Promise<{ bun: string; bunWindowsExe: string }> {
  const v = PEER_VERSIONS.bun;
  const dir = path.join(toolsDir, 'bun', v);
  const bun = path.join(dir, 'linux-x64', 'bun');
  const bunWindowsExe = path.join(dir, 'windows-x64', 'bun.exe');
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`bun peer: only Linux x64 hosts are supported (this is ${process.platform}-${process.arch})`);
  }
  await installOnce(dir, `bun ${v}`, log, async (tmp) => {
    for (const [pkg, member, file] of [
      ['@oven/bun-linux-x64', 'package/bin/bun', path.join(tmp, 'linux-x64', 'bun')],
      ['@oven/bun-windows-x64', 'package/bin/bun.exe', path.join(tmp, 'windows-x64', 'bun.exe')],
    ] as const) {
      const tgz = await npmPack(`${pkg}@${v}`, tmp);
      const data = await extractFromTgz(await fs.readFile(tgz), member);
      if (!data) throw new Error(`${pkg}@${v} has no ${member}`);
      if (file.endsWith('.exe') && !isWindowsPe(data.subarray(0, 4096), 'x64')) throw new Error(`${member} in ${pkg}@${v} is not a Windows x64 executable`);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, data, { mode: 0o755 });
      await fs.rm(tgz, { force: true });
    }
    const { stdout } = await exec(path.join(tmp, 'linux-x64', 'bun'), ['--version']);
    if (stdout.trim() !== v) throw new Error(`the downloaded bun reports version ${stdout.trim()}, expected ${v}`);
  });
  return { bun, bunWindowsExe };
}

/** postject's CLI, from `npm install postject@<v>` into the tools folder. */
export async function acquirePostject(toolsDir: string, log: Log): Promise<string> {
  const v = PEER_VERSIONS.postject;
  const dir = path.join(toolsDir, 'postject', v);
  const cli = path.join(dir, 'node_modules', 'postject', 'dist', 'cli.js');
  await installOnce(dir, `postject ${v}`, log, async (tmp) => {
    await run('npm', ['install', '--prefix', tmp, '--no-audit', '--no-fund', '--no-save', '--prefer-offline', `postject@${v}`], `npm install postject@${v}`);
    await fs.access(path.join(tmp, 'node_modules', 'postject', 'dist', 'cli.js'));
  });
  return cli;
}

/** Versions for the report: the pinned peers, the pkg and esbuild svcpack depends on. */
export function toolVersions(): Record<string, string> {
  return {
    bun: PEER_VERSIONS.bun,
    postject: PEER_VERSIONS.postject,
    'node (target)': PEER_VERSIONS.node,
    'node lines (suite lines)': benchLineVersions().map((l) => l.version).join(', '),
    '@yao-pkg/pkg': packageVersion('@yao-pkg/pkg'),
    esbuild: packageVersion('esbuild'),
    resedit: packageVersion('resedit'),
    koffi: packageVersion('koffi'),
  };
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Runs `install(tmp)` into a fresh temporary folder beside `dir` and renames it to `dir`, unless
 * `dir` already exists (then nothing happens). A concurrent installer that wins the rename is fine.
 */
async function installOnce(dir: string, what: string, log: Log, install: (tmp: string) => Promise<void>): Promise<void> {
  if (await exists(dir)) return;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  log(`installing ${what} into ${dir}`);
  try {
    await fs.mkdir(tmp);
    await install(tmp);
    await fs.rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(dir))) throw err; // someone else installed it meanwhile: keep theirs
    });
  } catch (err) {
    throw new Error(`could not install ${what}: ${oneLine(err)}`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** `npm pack <spec>` into `dest`; the tarball's path. npm verifies the registry's integrity. */
async function npmPack(spec: string, dest: string): Promise<string> {
  const stdout = await run('npm', ['pack', spec, '--pack-destination', dest, '--json', '--prefer-offline'], `npm pack ${spec}`);
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack ${spec} reported no file`);
  return path.join(dest, info.filename);
}

/** Runs a command; on failure, an Error naming it and its last meaningful output line. */
async function run(cmd: string, args: string[], what: string): Promise<string> {
  return (await runTool(cmd, args, { what })).stdout;
}

/** What a peer build produced: the exe and how long each of its steps took (ms). */
export interface PeerBuild {
  exe: string;
  stages: Record<string, number>;
  /**
   * With `peakMemory`: the largest peak resident set (KiB) of the recipe's commands, each as
   * {@link runTool} reports it — the largest single process, not a sum (see {@link GNU_TIME}).
   */
  peakRssKiB?: number;
}

/**
 * GNU time, which runs a command and reports its peak memory (`-f %M`: ru_maxrss from wait4, in
 * KiB). wait4 reports the largest resident set of the command's process and of the descendants
 * that process waited for (each process's own peak, not a sum); a child the command leaves running
 * when it exits (svcpack's esbuild service) is reaped by init and not counted. Installed by
 * scripts/setup-test-machine.sh (Debian package `time`).
 */
export const GNU_TIME = '/usr/bin/time';

/** The one-line failure when {@link GNU_TIME} is missing or is not GNU time. */
export const GNU_TIME_MISSING = `${GNU_TIME} (GNU time, which measures the builds' peak memory) is missing or unusable — install the Debian package time (sudo npm run setup:test, or apt-get install -y time)`;

/** Throws {@link GNU_TIME_MISSING} unless {@link GNU_TIME} runs a command and reports its peak memory. */
export async function requireGnuTime(): Promise<void> {
  try {
    const { peakRssKiB } = await runTool('true', [], { what: 'GNU time', peakMemory: true });
    if (!(peakRssKiB > 0)) throw new Error('no figure');
  } catch {
    throw new Error(GNU_TIME_MISSING);
  }
}

/**
 * The peak resident set (KiB) from what `time -f %M -o FILE` wrote: its last non-empty line (a
 * failed command's exit status line comes before it). Throws when that line is not a whole number.
 */
export function parsePeakRss(text: string): number {
  const last = text.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
  if (!/^\d+$/.test(last)) throw new Error(`${GNU_TIME} reported no peak memory (its output ends "${last}")`);
  return Number(last);
}

/** The larger of two optional peaks (KiB); undefined when neither is known. */
export function maxPeak(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

export interface RunToolOptions {
  what: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Run the command under {@link GNU_TIME} and report its peak resident set (`peakRssKiB`). GNU
   * time's own start (≈ 1–2 ms) is then part of the caller's wall time, once per command.
   */
  peakMemory?: boolean;
}

export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs one command of a peer's build (a fresh process, as a user would run it). NODE_OPTIONS is
 * cleared so nothing of the benchmark's own process leaks in. On failure: an Error naming `what`
 * and the command's last meaningful output line. With `peakMemory`, also the command's peak
 * resident set in KiB (see {@link GNU_TIME} for what it covers).
 */
export async function runTool(cmd: string, args: string[], opts: RunToolOptions & { peakMemory: true }): Promise<ToolOutput & { peakRssKiB: number }>;
export async function runTool(cmd: string, args: string[], opts: RunToolOptions): Promise<ToolOutput & { peakRssKiB?: number }>;
export async function runTool(cmd: string, args: string[], opts: RunToolOptions): Promise<ToolOutput & { peakRssKiB?: number }> {
  const report = opts.peakMemory ? path.join(os.tmpdir(), `svcpack-bench-rss-${process.pid}-${randomBytes(6).toString('hex')}`) : undefined;
  const [file, argv] = report ? [GNU_TIME, ['-f', '%M', '-o', report, cmd, ...args]] : [cmd, args];
  try {
    const output = await exec(file, argv, {
      cwd: opts.cwd,
      env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (!report) return output;
    return { ...output, peakRssKiB: parsePeakRss(await fs.readFile(report, 'utf8')) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string; code?: unknown };
    if (report && e.code === 'ENOENT') throw new Error(GNU_TIME_MISSING);
    const lines = `${e.stdout ?? ''}\n${e.stderr ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/Unknown user config|nodedir/.test(l));
    throw new Error(`${opts.what} failed: ${lines.filter((l) => /err|fail/i.test(l)).pop() ?? lines.pop() ?? oneLine(e.message)}`);
  } finally {
    if (report) await fs.rm(report, { force: true });
  }
}

/** Runs `work` as the step `name` of a build, recording its duration in `stages`. */
export async function stage<T>(stages: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const result = await work();
  stages[name] = (stages[name] ?? 0) + (performance.now() - t);
  return result;
}

/** esbuild's command-line program, a Node script or the native binary (the esbuild svcpack itself depends on). */
export function esbuildCli(): string {
  return path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
}

/**
 * Bundles `entry` for Node 22 with esbuild's command line, as a peer's user would: CommonJS, or an
 * ES module given `require` (a banner) so bundled CommonJS dependencies still work. `what` names
 * the step in errors. With `peakMemory`, esbuild's peak resident set in KiB (see {@link runTool}).
 */
export async function bundleForPeer(input: { entry: string; cwd: string; outfile: string; format: 'cjs' | 'esm'; what: string; peakMemory?: boolean }): Promise<number | undefined> {
  // Run as a program, as `npx esbuild` would: bin/esbuild is a Node script until esbuild's install
  // script replaces it with the native binary (npm 11 runs it only where install scripts are allowed).
  const run = await runTool(
    esbuildCli(),
    [
      input.entry,
      '--bundle',
      '--platform=node',
      '--target=node22',
      `--format=${input.format}`,
      ...(input.format === 'esm' ? [`--banner:js=${ESM_REQUIRE_BANNER}`] : []),
      `--outfile=${input.outfile}`,
      '--log-level=warning',
    ],
    { what: input.what, cwd: input.cwd, peakMemory: input.peakMemory },
  );
  return run.peakRssKiB;
}

/** What makes `require` work inside an ES-module bundle of CommonJS code. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __peerCreateRequire } from 'node:module'; const require = __peerCreateRequire(import.meta.url);";

/** @yao-pkg/pkg's command-line script (the pkg svcpack itself depends on). */
export function pkgCli(): string {
  return path.join(path.dirname(require.resolve('@yao-pkg/pkg/package.json')), 'lib-es5', 'bin.js');
}

/** The first line of an error's message. */
export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
