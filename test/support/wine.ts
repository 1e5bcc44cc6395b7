/**
 * End-to-end harness: runs built exes under Wine, as Windows services (Wine's services.exe is the
 * SCM) and from a console. Facts this relies on are in docs/wine10-facts.md:
 *
 * - node.exe must be told it runs on Windows 10 (`HKCU\Software\Wine\Version = win10`).
 * - Wine's SCM exits when the last ordinary Wine process ends, taking running services with it:
 *   `startWine()` keeps one long-lived Wine process (`ping`) alive until `stop()`.
 * - node.exe under Wine cannot write stdout to a Linux pipe: `runExe`/`spawnExe` send the exe's
 *   stdout/stderr to files, never pipes. (Wine's own sc.exe writes to pipes fine.)
 * - Wine does not give services the registry `Environment` value: fixtures hard-code their ports
 *   and report through stdout (captured into `%ProgramData%\<Name>\logs\<Name>.log`).
 * - A new prefix must be finished before a service starts in it (`ensurePrefix()`): services
 *   started in the Wine session that created the prefix get an environment without Path, TEMP,
 *   ComSpec or ProgramData.
 *
 * The tests use their own Wine prefix (default `<tmpdir>/svcpack-e2e-wine-<uid>`, override with
 * SVCPACK_E2E_WINEPREFIX) so they neither see nor disturb services anyone else created in
 * `~/.wine`, and the prefix's SCM lives exactly as long as the test file's keep-alive.
 *
 * Wine 10 is required (Wine 8 cannot run Node.js 24 or 26): `npm run setup:test` builds it in a
 * Debian trixie root without touching the host's packages (scripts/wine-root.sh), and the harness
 * finds that root by itself. Without Wine 10 every test fails (never skips) with checkWine()'s line;
 * the e2e and bench projects fail at once (test/e2e/global-setup.ts).
 *
 * Free of vitest so that the benchmarks (bench/) drive Wine with the same code; the per-test-file
 * hooks are in test/e2e/wine.ts.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from './on-path';
import { build as esbuild } from 'esbuild';
import * as ResEdit from 'resedit';
import { build, type BuildOptions, type BuildResult } from '../../src/build';
import type { ServiceHost } from '../../src/watch/restart';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'fixtures');

/** How to get Wine 10: the second half of every "Wine is missing" line. */
export const WINE_SETUP_HINT = 'run "npm run setup:test" (as root; it builds Wine 10 in a Debian trixie root, see scripts/wine-root.sh)';

/** The oldest Wine that runs every supported Node.js line (Wine 8 aborts Node 24 and 26 at start). */
export const MIN_WINE_MAJOR = 10;

// ---------------------------------------------------------------- locating Wine

/** Where `scripts/wine-root.sh` keeps the Wine 10 root: $SVCPACK_WINE_ROOT, else ~/.cache/svcpack-wine (the script's rules). */
export function wineRootBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.SVCPACK_WINE_ROOT ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'svcpack-wine');
}

/**
 * The folder of the launchers `scripts/wine-root.sh setup` writes (`wine`, `wineserver`: Wine 10 from
 * a Debian trixie root, run in a private mount namespace), or null when it has not been set up
 * (or not finished: the script writes `ready-1` last).
 */
export function wineRootLaunchers(env: NodeJS.ProcessEnv = process.env): string | null {
  const base = wineRootBase(env);
  const dir = path.join(base, 'bin');
  return fs.existsSync(path.join(base, 'ready-1')) && fs.existsSync(path.join(dir, 'wine')) ? dir : null;
}

/** The `wine` launcher `env` names: SVCPACK_E2E_WINE when set (a missing file is no Wine), else the Wine 10 root's, else `wine`/`wine64` on PATH. */
function locateWine(env: NodeJS.ProcessEnv): string | null {
  const forced = env.SVCPACK_E2E_WINE;
  if (forced !== undefined) return fs.existsSync(forced) ? forced : null;
  const root = wineRootLaunchers(env);
  return (root && path.join(root, 'wine')) ?? onPath('wine', env) ?? onPath('wine64', env);
}

/** `wine --version` of `bin` (`wine-10.0 (Debian 10.0~repack-6)`) and its major, or undefined. */
function wineVersion(bin: string, env: NodeJS.ProcessEnv): { version: string; major: number } | undefined {
  try {
    const version = execFileSync(bin, ['--version'], { env: { ...env, WINEDEBUG: '-all' }, timeout: 30_000, encoding: 'utf8' }).trim();
    const major = /wine-(\d+)/.exec(version)?.[1];
    return major === undefined ? undefined : { version, major: Number(major) };
  } catch {
    return undefined;
  }
}

export type WineCheck = { ok: true; wine: string; version: string } | { ok: false; problem: string };

/**
 * Whether the Wine tests can run with `env` (uncached: looks for the launcher and runs
 * `wine --version`). When not, `problem` is one line, `Wine 10 is missing: <what was looked for and
 * not found> — run "npm run setup:test" …`. The tests must fail, not skip, on a machine without
 * Wine (in CI a skipped e2e suite would look green); with CI set the line says so.
 */
export function checkWine(env: NodeJS.ProcessEnv = process.env): WineCheck {
  const ci = env.CI ? ' (CI is set: the Wine tests cannot be skipped)' : '';
  const missing = (why: string): WineCheck => ({ ok: false, problem: `Wine 10 is missing: ${why}${ci} — ${WINE_SETUP_HINT}` });
  const wine = locateWine(env);
  if (!wine) {
    if (env.SVCPACK_E2E_WINE !== undefined) return missing(`SVCPACK_E2E_WINE=${env.SVCPACK_E2E_WINE} does not exist`);
    const base = wineRootBase(env);
    const root = fs.existsSync(base) ? `the Wine root ${base} is not finished (no ready-1 or bin/wine)` : `no Wine root at ${base}`;
    return missing(`${root}${env.SVCPACK_WINE_ROOT === undefined ? '' : ' ($SVCPACK_WINE_ROOT)'} and no wine on PATH`);
  }
  const found = wineVersion(wine, env);
  if (!found) return missing(`${wine} --version does not answer with a Wine version`);
  if (found.major < MIN_WINE_MAJOR) return missing(`${wine} is ${found.version}, which cannot run Node.js 24 or 26`);
  return { ok: true, wine, version: found.version };
}

let located: string | null | undefined;
let checked: WineCheck | undefined;

/** The `wine` launcher this process's environment names (whatever its version), or null; see requireWine(). */
export function findWine(): string | null {
  if (located === undefined) located = locateWine(process.env);
  return located;
}

/** The `wine` launcher; throws checkWine()'s one-line problem unless Wine 10 or newer is there (checked once per process). */
export function requireWine(): string {
  checked ??= checkWine();
  if (!checked.ok) throw new Error(checked.problem);
  return checked.wine;
}

/** The `wineserver` that belongs to the Wine `requireWine()` found. */
function findWineserver(): string | null {
  const wine = findWine();
  const sibling = wine && path.join(path.dirname(wine), 'wineserver');
  if (sibling && fs.existsSync(sibling)) return sibling;
  return onPath('wineserver', process.env) ?? ['/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver'].find((f) => fs.existsSync(f)) ?? null;
}

// ---------------------------------------------------------------- prefix and environment

export const winePrefix: string =
  process.env.SVCPACK_E2E_WINEPREFIX ?? path.join(os.tmpdir(), `svcpack-e2e-wine-${process.getuid?.() ?? 'user'}`);

/** Environment for every Wine process the tests start. */
export function wineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WINEPREFIX: winePrefix,
    WINEDEBUG: '-all',
    // No Mono/Gecko installer prompts when the prefix is first created (CI has no display).
    WINEDLLOVERRIDES: 'mscoree=d;mshtml=d',
    ...extra,
  };
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wine <args>` (a Wine builtin such as sc or reg, whose output may go to pipes). */
export function wine(args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  const bin = requireWine();
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: wineEnv(), timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`wine ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
    });
  });
}

/**
 * Written into the prefix by `ensurePrefix()` once it has finished it: the prefix's
 * `.update-timestamp` at that moment, so a prefix Wine updates (a new Wine) is finished again.
 */
const FINISHED_MARKER = 'svcpack-e2e-finished';

function prefixFinished(): boolean {
  try {
    const stamp = fs.readFileSync(path.join(winePrefix, '.update-timestamp'), 'utf8').trim();
    return stamp !== '' && fs.readFileSync(path.join(winePrefix, FINISHED_MARKER), 'utf8').trim() === stamp;
  } catch {
    return false;
  }
}

/**
 * Makes the prefix ready for services, once (later calls only read two small files): creates or
 * completes it (`wineboot -i`), makes Wine report Windows 10 (node.exe requires it), then ends the
 * prefix's Wine session and waits for its wineserver to exit. Call before anything else starts in
 * the prefix (`startWine()` does).
 *
 * Why the session must end: Wine's services.exe builds the environment block it gives services
 * once, when it starts its first service, and keeps it until it exits. In the session that
 * creates the prefix that is one of Wine's own services, started while wine.inf is still being
 * installed, so every service started in that session got 16 variables (Wine 10, besides the
 * harness's WINEDLLOVERRIDES): no windir, Path, ComSpec, TEMP or ProgramData. A services.exe of a
 * later session gives them the 42 of the machine environment, as Windows does. Without this, the
 * e2e file that happened to run first in a new prefix failed: a hook's cmd.exe could not find
 * `ping`, the service saw no ProgramData. (Windows services always get that environment, so the
 * services are right to expect it; the fix belongs here.)
 */
export async function ensurePrefix(): Promise<void> {
  requireWine();
  if (prefixFinished()) return;
  const t0 = performance.now();
  fs.mkdirSync(path.dirname(winePrefix), { recursive: true });
  const steps: Array<[string, string[]]> = [
    ['create or complete', ['wineboot', '-i']],
    ['set Windows 10 in', ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']],
  ];
  try {
    for (const [what, args] of steps) {
      const r = await wine(args, 300_000);
      if (r.code !== 0) throw new Error(`could not ${what} the Wine prefix ${winePrefix} (wine ${args.join(' ')}, exit ${r.code}): ${r.stderr || r.stdout}`);
    }
  } finally {
    // Also after a failure: no half-set-up session is left for the next attempt to run in.
    await wineserverKill();
  }
  // The registry is saved when the wineserver exits: check that it holds what the services need.
  const system = readText(path.join(winePrefix, 'system.reg'));
  const user = readText(path.join(winePrefix, 'user.reg'));
  if (!/\\Session Manager\\\\Environment\][^[]*"windir"=/.test(system) || !/\[Software\\\\Wine\][^[]*"Version"="win10"/.test(user)) {
    throw new Error(`the Wine prefix ${winePrefix} is not complete after wineboot -i (no machine environment or no win10 setting in its registry); delete it and retry`);
  }
  const stamp = readText(path.join(winePrefix, '.update-timestamp')).trim();
  if (!stamp) throw new Error(`the Wine prefix ${winePrefix} has no .update-timestamp after wineboot -i`);
  fs.writeFileSync(path.join(winePrefix, FINISHED_MARKER), `${stamp}\n`);
  console.log(`[e2e] finished the Wine prefix ${winePrefix} in ${Math.round(performance.now() - t0)} ms`);
}

export interface WineSession {
  /** pid of the keep-alive Wine process. */
  keepAlivePid: number;
  /** Ends the keep-alive process (by its pid); Wine's SCM and services then exit. */
  stop(): Promise<void>;
}

/**
 * Finishes the prefix if it is new (`ensurePrefix()`), then starts the keep-alive Wine process that
 * keeps the prefix's SCM running and waits for the SCM. Call from beforeAll; call `stop()` from
 * afterAll (after removing the services).
 */
export async function startWine(): Promise<WineSession> {
  const bin = requireWine();
  const t0 = performance.now();
  // Before anything else runs in the prefix. It ends its own Wine session, so the keep-alive
  // starts a new one: a client arriving while a session's SCM shuts down (after its last short-lived
  // process exited) can wait 30 s for it (seen: sc query blocked for exactly 30 s).
  await ensurePrefix();
  const t1 = performance.now();
  // ~30 min of pings: far longer than a test file runs, yet a keep-alive orphaned by a killed test
  // worker ends by itself. It is normally ended (by pid) in stop(), and at the latest at exit.
  const keepAlive = spawn(bin, ['ping', '-n', '1800', '127.0.0.1'], {
    env: wineEnv(),
    detached: true,
    stdio: 'ignore',
  });
  const pid = keepAlive.pid;
  if (pid === undefined) throw new Error('could not start the Wine keep-alive process');
  keepAlive.unref();
  const killAtExit = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killAtExit);
  // The SCM is up once it reports Wine's own Plug and Play service running. While the prefix boots,
  // the first sc query often blocks (sechost waits up to 30 s for the SCM's start event); a
  // query that takes longer than 2.5 s is abandoned and retried, which answers at once.
  // (A healthy query takes ~0.1 s.)
  let scmMs: number;
  try {
    await waitForState('PlugPlay', 'RUNNING', 90_000, { pollMs: 200, queryTimeoutMs: 2_500 }).catch((err: unknown) => {
      throw new Error(`Wine's Service Control Manager did not come up in ${winePrefix}: ${String(err)}`);
    });
    scmMs = Math.round(performance.now() - t1);
  } catch (err) {
    process.removeListener('exit', killAtExit);
    await killAndWait(pid, keepAlive, { group: true });
    throw err;
  }
  console.log(`[e2e] Wine SCM answering after ${scmMs} ms (${Math.round(performance.now() - t0)} ms with the prefix check)`);
  return {
    keepAlivePid: pid,
    async stop() {
      process.removeListener('exit', killAtExit);
      await killAndWait(pid, keepAlive, { group: true });
      // End the prefix (SCM, services, wineserver) so the next test file starts from a clean state
      // instead of racing a shutting-down SCM. Waiting for it to wind down by itself took the
      // whole 20 s bound here on every file (Wine 10's services.exe outlives its last client).
      await wineserverKill();
    },
  };
}

/**
 * Ends process `pid` (SIGTERM, then SIGKILL after 5 s). With `group`, its whole process group:
 * `wine ping` runs as `start.exe /exec ping` plus a separate ping.exe, both in the group of the
 * detached process we spawned.
 */
async function killAndWait(pid: number, child?: ChildProcess, opts: { group?: boolean } = {}): Promise<void> {
  if (!alive(pid)) return;
  const exited = child ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : null;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(opts.group ? -pid : pid, sig);
    } catch {
      // gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) {
    if (exited) await Promise.race([exited, sleep(50)]);
    else await sleep(50);
  }
  if (alive(pid)) signal('SIGKILL');
}

/**
 * `wineserver -k`, then `wineserver -w`: ends every process of the prefix and waits until its
 * wineserver has exited (each bounded; never throws).
 */
async function wineserverKill(timeoutMs = 20_000): Promise<void> {
  const wineserver = findWineserver();
  if (!wineserver) return;
  for (const flag of ['-k', '-w']) {
    await new Promise<void>((resolve) => {
      execFile(wineserver, [flag], { env: wineEnv(), timeout: timeoutMs }, () => resolve());
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- sc.exe

export type ServiceStateName = 'STOPPED' | 'START_PENDING' | 'STOP_PENDING' | 'RUNNING' | 'CONTINUE_PENDING' | 'PAUSE_PENDING' | 'PAUSED';

export interface ScResult extends ExecResult {
  /** sc's whole output (stdout, then stderr). */
  text: string;
  state?: ServiceStateName;
  win32ExitCode?: number;
  serviceExitCode?: number;
  checkPoint?: number;
  waitHint?: number;
}

/** Parses `sc query`/`sc start`/`sc stop` output (pure). */
export function parseScOutput(text: string): Pick<ScResult, 'state' | 'win32ExitCode' | 'serviceExitCode' | 'checkPoint' | 'waitHint'> {
  const num = (key: string): number | undefined => {
    const m = new RegExp(`^\\s*${key}\\s*:\\s*(0x[0-9a-f]+|\\d+)`, 'im').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const state = /^\s*STATE\s*:\s*\d+\s+([A-Z_]+)/m.exec(text)?.[1] as ServiceStateName | undefined;
  return {
    state,
    win32ExitCode: num('WIN32_EXIT_CODE'),
    serviceExitCode: num('SERVICE_EXIT_CODE'),
    checkPoint: num('CHECKPOINT'),
    waitHint: num('WAIT_HINT'),
  };
}

/** `wine sc <args>`, parsed. */
export async function sc(...args: string[]): Promise<ScResult> {
  return scWithTimeout(30_000, ...args);
}

async function scWithTimeout(timeoutMs: number, ...args: string[]): Promise<ScResult> {
  const r = await wine(['sc', ...args], timeoutMs);
  const text = `${r.stdout}${r.stderr}`;
  return { ...r, text, ...parseScOutput(text) };
}

/** Polls `sc query` until the service is in `state`; returns that status and the time it took. */
export async function waitForState(
  name: string,
  state: ServiceStateName,
  timeoutMs: number,
  opts: { pollMs?: number; since?: number; queryTimeoutMs?: number } = {},
): Promise<ScResult & { ms: number }> {
  const since = opts.since ?? performance.now();
  const deadline = since + timeoutMs;
  let last = '';
  for (;;) {
    // A query that hangs (an SCM still starting) is abandoned and retried.
    const q = await scWithTimeout(opts.queryTimeoutMs ?? 30_000, 'query', name).catch((err: unknown) => String(err));
    if (typeof q !== 'string' && q.state === state) return { ...q, ms: Math.round(performance.now() - since) };
    last = typeof q === 'string' ? q : q.text;
    if (performance.now() > deadline) {
      throw new Error(`service ${name} did not reach ${state} within ${timeoutMs} ms; last sc query:\n${last}`);
    }
    await sleep(opts.pollMs ?? 50);
  }
}

/** The Linux path of service `name`'s data folder, `C:\ProgramData\<name>` in the prefix. */
export function dataDirOf(name: string): string {
  return path.join(winePrefix, 'drive_c', 'ProgramData', name);
}

/** `Z:\...` path of a Linux path (Wine maps Z: to /). */
export function winPath(p: string): string {
  return `Z:${path.resolve(p).split('/').join('\\')}`;
}

/** Registers `exe` as service `name`, started with `--service` (as install.cmd does). */
export async function createService(name: string, exe: string): Promise<void> {
  await createServiceCommand(name, `"${winPath(exe)}" --service`);
}

/** `sc create <name> binPath= <commandLine>` (quote paths in it), after removing a leftover of that name. */
export async function createServiceCommand(name: string, commandLine: string): Promise<void> {
  await removeService(name); // a leftover from an interrupted run
  const r = await sc('create', name, 'binPath=', commandLine);
  // Wine's sc prints nothing on success; failures print the Win32 error.
  if (r.code !== 0) throw new Error(`sc create ${name} failed (exit ${r.code}):\n${r.text}`);
}

/** A registry key's values (name → type and data as `reg query` prints them), or null if there is no key. */
export async function regQuery(key: string): Promise<Record<string, { type: string; data: string }> | null> {
  const r = await wine(['reg', 'query', key]);
  if (r.code !== 0) return null;
  const values: Record<string, { type: string; data: string }> = {};
  for (const line of r.stdout.split(/\r?\n/)) {
    const m = /^\s{4}(\S.*?)\s{4}(REG_\w+)\s{4}(.*)$/.exec(line);
    if (m) values[m[1]!] = { type: m[2]!, data: m[3]! };
  }
  return values;
}

/** Bundles a driver (test/e2e/drivers/<name>.ts) to `outfile` as CommonJS for node.exe under Wine. */
export async function bundleDriver(name: string, outfile: string): Promise<void> {
  await esbuild({
    entryPoints: [path.join(repoRoot, 'test/e2e/drivers', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    logLevel: 'silent',
  });
}

/** Stops (if running) and deletes the service; never throws. */
export async function removeService(name: string): Promise<void> {
  try {
    const q = await sc('query', name);
    if (q.state === undefined) return; // does not exist
    if (q.state !== 'STOPPED') {
      await sc('stop', name);
      await waitForState(name, 'STOPPED', 10_000).catch(() => undefined);
    }
    await sc('delete', name);
  } catch {
    // cleanup is best effort
  }
}

// ---------------------------------------------------------------- running the exe directly

export interface Spawned {
  child: ChildProcess;
  pid: number;
  stdoutFile: string;
  stderrFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Ends the process if it still runs; never throws. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Names the output files `<tag>.stdout.txt`/`<tag>.stderr.txt` (default: the first argument). */
  tag?: string;
  /** Working folder and where the output files go (default: the exe's folder). */
  dir?: string;
}

/**
 * Spawns `wine <exe> <args>` with stdout/stderr sent to files (next to the exe unless `dir`). The
 * `wine` launcher execs into the Windows process, so `pid` is node.exe's own Unix process: signals
 * sent to it reach Wine's handlers.
 */
export function spawnExe(exe: string, args: string[], opts: SpawnOptions = {}): Spawned {
  const bin = requireWine();
  const tag = opts.tag ?? (args[0] ?? 'noargs').replace(/[^a-z0-9]+/gi, '');
  const dir = opts.dir ?? path.dirname(exe);
  const stdoutFile = path.join(dir, `${tag}.stdout.txt`);
  const stderrFile = path.join(dir, `${tag}.stderr.txt`);
  const out = fs.openSync(stdoutFile, 'w');
  const err = fs.openSync(stderrFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(bin, [exe, ...args], { env: wineEnv(opts.env), cwd: dir, stdio: ['ignore', out, err] });
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn wine ${exe}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
  return {
    child,
    pid,
    stdoutFile,
    stderrFile,
    exited,
    stdout: () => read(stdoutFile),
    stderr: () => read(stderrFile),
    kill: () => killAndWait(pid, child),
  };
}

/** Runs `wine <exe> <args>` to completion (stdout/stderr through files). */
export async function runExe(exe: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<ExecResult> {
  const p = spawnExe(exe, args, opts);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const result = await Promise.race([p.exited, sleep(timeoutMs).then(() => null)]);
  if (result === null) {
    await p.kill();
    throw new Error(`wine ${path.basename(exe)} ${args.join(' ')} did not exit within ${timeoutMs} ms\nstderr: ${p.stderr()}`);
  }
  return { code: result.code ?? -1, stdout: p.stdout(), stderr: p.stderr() };
}

/** The Linux path of a path as Wine's SCM stores it: `Z:\tmp\x.exe` is `/tmp/x.exe`, another drive's a folder of the prefix (`C:` → `drive_c`). */
export function linuxPath(windowsPath: string): string {
  const m = /^([A-Za-z]):[\\/](.*)$/.exec(windowsPath);
  if (!m) return windowsPath;
  const rest = m[2]!.split(/[\\/]/).join('/');
  return m[1]!.toUpperCase() === 'Z' ? `/${rest}` : path.join(winePrefix, `drive_${m[1]!.toLowerCase()}`, rest);
}

/**
 * The machine of `svcpack build --watch --restart` (src/watch/restart.ts) as the Wine prefix: the
 * exe runs under Wine (`runExe`: its output through files, in a scratch folder of its own), the
 * SCM's `Z:\…` paths are mapped back to Linux paths.
 */
export function wineServiceHost(): ServiceHost {
  const dir = scratchDir('service-host');
  let n = 0;
  return {
    run: (exe, args) => runExe(exe, args, { dir, tag: `run${++n}-${args[0] ?? ''}`, timeoutMs: 90_000 }),
    copy: (from, to) => fs.promises.copyFile(from, to),
    localPath: linuxPath,
    samePath: (a, b) => path.resolve(a) === path.resolve(b),
  };
}

// ---------------------------------------------------------------- builds

export interface BuiltFixture extends BuildResult {
  exe: string;
  outDir: string;
  name: string;
  /** `%ProgramData%\<Name>\logs\<Name>.log` in the prefix, the service log. */
  logFile: string;
}

const builds = new Map<string, Promise<BuiltFixture>>();
const outDirs = new Set<string>();

/**
 * Builds `fixtures/<fixture>/app.ts` as service `name` into a fresh temp folder, once per test
 * file (same arguments → same promise).
 */
export function buildFixture(fixture: string, name: string, extra: Partial<BuildOptions> = {}): Promise<BuiltFixture> {
  const key = JSON.stringify([fixture, name, extra]);
  let done = builds.get(key);
  if (!done) {
    done = (async () => {
      const outDir = scratchDir(name);
      const t = performance.now();
      const result = await build({ entry: path.join(fixturesDir, fixture, 'app.ts'), name, outDir, ...extra });
      console.log(`[e2e] built ${fixture} as ${name}.exe in ${Math.round(performance.now() - t)} ms → ${outDir}`);
      const exe = result.files[0] ?? path.join(outDir, `${name}.exe`);
      // A previous run's data folder (and log) would confuse waitForText.
      fs.rmSync(dataDirOf(name), { recursive: true, force: true });
      return { ...result, exe, outDir, name, logFile: path.join(dataDirOf(name), 'logs', `${name}.log`) };
    })();
    builds.set(key, done);
  }
  return done;
}

/** A fresh temp folder that {@link removeBuilds} removes (or keeps) with the builds. */
export function scratchDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `svcpack-e2e-${label}-`));
  outDirs.add(dir);
  return dir;
}

/** Removes the temp build and scratch folders, unless `keep` (a test failed: the logs are worth reading). */
export function removeBuilds(keep: boolean): void {
  for (const dir of outDirs) {
    if (keep || process.env.SVCPACK_E2E_KEEP) console.log(`[e2e] kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  outDirs.clear();
  builds.clear();
}

// ---------------------------------------------------------------- reading outputs

/** The exe's VERSIONINFO strings (en-US, UTF-16 table) and fixed file version, read with resedit. */
export function readVersionInfo(exe: string): { strings: Record<string, string>; fileVersion: string; productVersion: string } {
  const executable = ResEdit.NtExecutable.from(fs.readFileSync(exe), { ignoreCert: true });
  const resource = ResEdit.NtExecutableResource.from(executable);
  const info = ResEdit.Resource.VersionInfo.fromEntries(resource.entries)[0];
  if (!info) throw new Error(`${exe} has no VERSIONINFO resource`);
  const fixed = info.fixedInfo;
  const dotted = (ms = 0, ls = 0) => [ms >>> 16, ms & 0xffff, ls >>> 16, ls & 0xffff].join('.');
  return {
    strings: info.getStringValues({ lang: 1033, codepage: 1200 }),
    fileVersion: dotted(fixed.fileVersionMS, fixed.fileVersionLS),
    productVersion: dotted(fixed.productVersionMS, fixed.productVersionLS),
  };
}

export function readText(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Polls `file` until `pattern` matches its text; returns the text. */
export async function waitForText(file: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = readText(file);
    if (pattern.test(text)) return text;
    if (performance.now() > deadline) throw new Error(`${file} did not show ${pattern} within ${timeoutMs} ms; it holds:\n${text}`);
    await sleep(50);
  }
}

/** Index of the first line matching `pattern`, or -1. */
export function lineIndex(text: string, pattern: RegExp): number {
  return text.split('\n').findIndex((l) => pattern.test(l));
}

/** 1-based line number of the first line of `file` containing `marker`. */
export function lineOf(file: string, marker: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`${marker} not found in ${file}`);
  return i + 1;
}

// ---------------------------------------------------------------- network

/** GET `url`; the body, or null when nothing answers. */
export async function httpGet(url: string, timeoutMs = 2_000): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return await res.text();
  } catch {
    return null;
  }
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const body = await httpGet(url, 1_000);
    if (body !== null) return body;
    if (performance.now() > deadline) throw new Error(`nothing answered ${url} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits (up to `timeoutMs`) until nothing listens on 127.0.0.1:`port`. A fixture that runs as a
 * service cannot be given another port, so a clash must be a clear failure, not a confusing one.
 */
export async function ensurePortFree(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (await portInUse(port)) {
    if (performance.now() > deadline) {
      throw new Error(`port ${port} is in use (another copy of the fixture running?); the service fixture needs it free`);
    }
    await sleep(250);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
