/**
 * A real systemd for the Linux tests: boots the Debian trixie root that `npm run setup:test` builds
 * (scripts/systemd-root.sh, systemd 257) as a container with `systemd-nspawn -b`, and drives
 * `systemctl`/`journalctl` inside it through `nsenter`. One container per test file (or run):
 *
 * - `--volatile=overlay`: the root is the read-only lower layer of an overlay whose upper layer is a
 *   tmpfs, so a boot costs no copy, the cached root never changes, and any number of containers
 *   (other runs, other users of the machine) share it at once. Everything written inside the
 *   container, units included, is gone when it stops.
 * - `--private-network`: the container has only its own loopback, so services listen on fixed ports
 *   without meeting the host's or another container's; `http()` asks from inside (curl is in the root).
 * - a per-run host folder is bind-mounted read-write at `SHARED_DIR` (`/svcpack-test`): files the test
 *   writes there are in the container at once, no copying; `binds` adds more (the Node binary, a
 *   package folder), read-only by default.
 * - `--register=no --keep-unit`: nspawn asks no machined or host systemd for anything (the host need
 *   not run systemd). nspawn then splits its own cgroup into `supervisor` and `payload`; the harness
 *   first moves it into a cgroup of its own (named like the machine, under the caller's), so two
 *   containers never share a `payload` cgroup, and removes that cgroup at shutdown.
 * - `shutdown()` powers the container off (SIGTERM to nspawn: the container's systemd stops its
 *   units, SIGTERM handlers run; ≈ 0.2 s), kills whatever is left after `stopTimeoutMs` (SIGKILL to
 *   the container's PID 1 ends its whole PID namespace; a SIGKILL to nspawn alone would leave the
 *   container running), removes the cgroup, the per-run folder and nspawn's
 *   /run/systemd/nspawn/propagate/<machine>. A detached guardian process does the same if the
 *   process that booted the container dies first (a crashed or interrupted test run, SIGKILL
 *   included): no container outlives its test process by more than about a second plus the shutdown.
 *
 * Needs root (nspawn and nsenter), systemd-nspawn on the host (Debian package systemd-container)
 * and the root; without them every test fails (never skips) with checkSystemd()'s one line.
 * Free of vitest, like test/support/wine.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onPath } from './on-path';
import { build as esbuild } from 'esbuild';
import { acquireRuntime, cacheRoot, DEFAULT_NODE_VERSION } from '../../src/runtime/acquire';
import { cachedBinaryPath } from '../../src/runtime/cache';

/** How to get the systemd root: the second half of every "systemd is missing" line. */
export const SYSTEMD_SETUP_HINT = 'run "npm run setup:test" (as root; it builds a Debian trixie root with systemd, see scripts/systemd-root.sh)';

/** The marker scripts/systemd-root.sh writes last; its number is the script's RECIPE. */
const READY_MARKER = 'ready-1';

/** Where the per-run host folder appears inside the container. */
export const SHARED_DIR = '/svcpack-test';

/** The PATH of commands run inside the container (nsenter keeps the caller's environment otherwise). */
const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------- locating what is needed

/** Where scripts/systemd-root.sh keeps its files: $SVCPACK_SYSTEMD_ROOT, else ~/.cache/svcpack-systemd (the script's rules). */
export function systemdRootBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.SVCPACK_SYSTEMD_ROOT ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'svcpack-systemd');
}

/** The root folder `scripts/systemd-root.sh setup` finished (marker written last, systemd in it), or null. */
export function systemdRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  const base = systemdRootBase(env);
  const root = path.join(base, 'trixie-root');
  return fs.existsSync(path.join(base, READY_MARKER)) && fs.existsSync(path.join(root, 'usr/lib/systemd/systemd')) ? root : null;
}

export type SystemdCheck = { ok: true; root: string; nspawn: string; nsenter: string } | { ok: false; problem: string };

/**
 * Whether the systemd tests can run with `env` as user `uid` (looks at files only; starts nothing).
 * When not, `problem` is one line: `systemd is missing: <what was looked for and not found> — run
 * "npm run setup:test" …`, or, for a user other than root, that the tests need root. The tests must
 * fail, not skip, without it (in CI a skipped suite would look green); with CI set the line says so.
 */
export function checkSystemd(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): SystemdCheck {
  const ci = env.CI ? ' (CI is set: the systemd tests cannot be skipped)' : '';
  if (uid !== 0) {
    return { ok: false, problem: `the systemd tests need root${ci}: systemd-nspawn boots their container, which uid ${uid ?? '(none)'} cannot — run them as root` };
  }
  const missing = (why: string): SystemdCheck => ({ ok: false, problem: `systemd is missing: ${why}${ci} — ${SYSTEMD_SETUP_HINT}` });
  const nspawn = onPath('systemd-nspawn', env);
  if (!nspawn) return missing('no systemd-nspawn on PATH (Debian package systemd-container)');
  const nsenter = onPath('nsenter', env);
  if (!nsenter) return missing('no nsenter on PATH (Debian package util-linux)');
  const root = systemdRoot(env);
  if (!root) {
    const base = systemdRootBase(env);
    const where = env.SVCPACK_SYSTEMD_ROOT === undefined ? '' : ' ($SVCPACK_SYSTEMD_ROOT)';
    return missing(fs.existsSync(base) ? `the systemd root ${base}${where} is not finished (no ${READY_MARKER} or trixie-root/usr/lib/systemd/systemd)` : `no systemd root at ${base}${where}`);
  }
  return { ok: true, root, nspawn, nsenter };
}

/**
 * The official Node.js linux-x64 binary of svcpack's default Node line, to bind into the container
 * (it runs on the container's glibc; the host's own Node may not): svcpack's cached copy, fetched
 * into the cache first when missing (throws the fetch's error then).
 */
export async function officialLinuxNode(): Promise<string> {
  const cached = cachedBinaryPath(cacheRoot(), { version: DEFAULT_NODE_VERSION, platform: 'linux', arch: 'x64' });
  if (fs.existsSync(cached)) return cached;
  const rt = await acquireRuntime({ version: DEFAULT_NODE_VERSION, runningNode: { version: 'v0.0.0', execPath: '' } });
  return rt.hostNode;
}

/** Where `bootWithNode` puts the official Node.js binary inside the container. */
export const CONTAINER_NODE = '/usr/local/bin/node';
/** Where `bootWithNode` puts this repository's koffi package inside the container. */
export const CONTAINER_KOFFI = '/usr/local/lib/node_modules/koffi';

/**
 * Boots the root (`bootSystemd`) with the official linux-x64 Node.js binary at CONTAINER_NODE and
 * this repository's koffi at CONTAINER_KOFFI, both read-only: what a test needs to run a bundled
 * script of the shim's modules in the container (`bundleForContainer`).
 */
export async function bootWithNode(opts: BootOptions = {}): Promise<SystemdContainer> {
  const repoRoot = path.resolve(import.meta.dirname, '..', '..');
  return bootSystemd({
    ...opts,
    binds: [
      { host: await officialLinuxNode(), container: CONTAINER_NODE },
      { host: fs.realpathSync(path.join(repoRoot, 'node_modules', 'koffi')), container: CONTAINER_KOFFI },
      ...(opts.binds ?? []),
    ],
  });
}

/** Bundles the TypeScript `entry` (and the modules it imports) into one ES module at `outfile` for the container's Node. */
export async function bundleForContainer(entry: string, outfile: string): Promise<void> {
  await esbuild({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile, logLevel: 'error' });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` every 100 ms until `ok` holds for its value, which it returns; throws naming `what`
 * and the last value after `timeoutMs`.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (performance.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------- running commands

export interface RunResult {
  /** The exit code; -1 when the command was killed (signal or timeout). */
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { input?: string | Buffer; stdin?: NodeJS.ReadableStream; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {
      // the command ended without reading all of its input: its exit code says why
    });
    if (opts.stdin) opts.stdin.pipe(child.stdin);
    else child.stdin.end(opts.input ?? '');
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------- cgroups

/**
 * The caller's cgroup folders in the hierarchies nspawn uses: the v1 `name=systemd` one and the
 * unified (v2) one, whichever this host mounts.
 */
function ownCgroupDirs(): string[] {
  const dirs: string[] = [];
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line);
    if (!m) continue;
    const controllers = m[1] ?? '';
    const rel = m[2] ?? '/';
    let mount: string | undefined;
    if (controllers === 'name=systemd') mount = '/sys/fs/cgroup/systemd';
    else if (controllers === '') mount = fs.existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
    if (mount && fs.existsSync(path.join(mount, rel, 'cgroup.procs'))) dirs.push(path.join(mount, rel));
  }
  return dirs;
}

/** Every process in `dir` and its sub-cgroups. */
function cgroupPids(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
      for (const p of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.push(Number(p));
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return pids;
}

/** Removes the cgroup `dir` and its sub-cgroups (children first); false if some are still busy. */
function removeCgroup(dir: string): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return true; // gone
  }
  let ok = true;
  for (const e of entries) if (e.isDirectory()) ok = removeCgroup(path.join(dir, e.name)) && ok;
  try {
    fs.rmdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
  }
  return ok;
}

// ---------------------------------------------------------------- the container

export interface Bind {
  /** A file or folder on the host. */
  host: string;
  /** Where it appears in the container (created when missing). */
  container: string;
  /** Read-only unless false. */
  readOnly?: boolean;
}

export interface BootOptions {
  /** More host paths to bind into the container, besides the per-run folder at SHARED_DIR. */
  binds?: Bind[];
  /** How long boot may take until `systemctl is-system-running --wait` answers (default 60 s). */
  bootTimeoutMs?: number;
  /** How long `shutdown()` waits for the container's orderly poweroff before killing it (default 20 s). */
  stopTimeoutMs?: number;
}

export interface SystemdContainer {
  /** The machine name (also the container's hostname): `svcpack-<pid>-<random>`, private to this boot. */
  readonly name: string;
  /** The host pid of systemd-nspawn. */
  readonly nspawnPid: number;
  /** The host pid of the container's PID 1 (its systemd); commands enter its namespaces. */
  readonly leaderPid: number;
  /** What `systemctl is-system-running --wait` said once boot finished: running or degraded. */
  readonly state: string;
  /** Milliseconds from starting nspawn until boot finished. */
  readonly bootMs: number;
  /** The per-run folder shared with the container: `host` on the host is `container` (SHARED_DIR) inside. */
  readonly shared: { host: string; container: string };
  /** The cgroups the harness made for this container (removed by shutdown()). */
  readonly cgroups: readonly string[];
  /** Runs `file args` inside the container as root with a clean environment; never throws for a non-zero exit. */
  exec(file: string, args?: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** `systemctl --no-pager args` inside; the result as is (`is-active` and friends answer with exit codes). */
  systemctl(...args: string[]): Promise<RunResult>;
  /** `journalctl --no-pager args` inside; its stdout, or throws with its stderr when it fails. */
  journalctl(...args: string[]): Promise<string>;
  /** Writes `content` to `containerPath` inside (parent folders created), with `mode` (default 0644). */
  writeFile(containerPath: string, content: string | Buffer, mode?: number): Promise<void>;
  /** Copies the host file or folder `hostPath` to `containerPath` inside (a folder's contents into that folder). */
  copyIn(hostPath: string, containerPath: string): Promise<void>;
  /** GET http://127.0.0.1:<port><urlPath> from inside the container (curl); throws with curl's line when it cannot connect. */
  http(port: number, urlPath?: string): Promise<{ status: number; body: string }>;
  /** What nspawn and the container's console printed so far (the boot messages). */
  consoleLog(): string;
  /** Stops the container and removes everything this boot made; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The container's PID 1: the child of nspawn that is pid 1 in its own PID namespace. */
function findLeader(nspawnPid: number): number | null {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${nspawnPid}/task`);
  } catch {
    return null;
  }
  for (const tid of tasks) {
    let children: string;
    try {
      children = fs.readFileSync(`/proc/${nspawnPid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.split(' ').filter(Boolean).map(Number)) {
      try {
        const nspid = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
        if (nspid && nspid.length > 1 && nspid[nspid.length - 1] === '1') return pid;
      } catch {
        // gone meanwhile
      }
    }
  }
  return null;
}

/**
 * The guardian: a detached shell that waits until `owner` or nspawn is gone; if the owner went first
 * it powers the container off (SIGTERM to nspawn, then SIGKILL to PID 1 after `stop` seconds and
 * to nspawn if it does not end then), then kills whatever is left in the cgroups, removes them, the per-run folder and
 * nspawn's propagation folder for the machine.
 */
const GUARDIAN = `
owner=$1 ns=$2 leader=$3 stop=$4 run=$5 name=$6; shift 6
while kill -0 "$owner" 2>/dev/null && kill -0 "$ns" 2>/dev/null; do sleep 1; done
kill -0 "$ns" 2>/dev/null || exit 0
kill -TERM "$ns" 2>/dev/null
i=0
while kill -0 "$ns" 2>/dev/null && [ "$i" -lt "$((stop * 5))" ]; do sleep 0.2; i=$((i + 1)); done
kill -KILL "$leader" 2>/dev/null
i=0
while kill -0 "$ns" 2>/dev/null && [ "$i" -lt 15 ]; do sleep 0.2; i=$((i + 1)); done
kill -KILL "$ns" 2>/dev/null
sleep 0.2
for d in "$@"; do find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null; done
sleep 0.2
for d in "$@"; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
rm -rf "$run" "/run/systemd/nspawn/propagate/$name"
`;

/**
 * Boots the systemd root in a container and waits until its boot has finished (`systemctl
 * is-system-running --wait` says running or degraded). Throws checkSystemd()'s line when the root or
 * the tools are missing, and, when boot fails, a line with the end of the console output; nothing
 * is left running then.
 */
export async function bootSystemd(opts: BootOptions = {}): Promise<SystemdContainer> {
  const check = checkSystemd();
  if (!check.ok) throw new Error(check.problem);
  const bootTimeoutMs = opts.bootTimeoutMs ?? 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 20_000;
  for (const b of opts.binds ?? []) {
    for (const p of [b.host, b.container]) if (p.includes(':') || !path.isAbsolute(p)) throw new Error(`bootSystemd: bind path ${p} must be absolute and free of ':'`);
    if (!fs.existsSync(b.host)) throw new Error(`bootSystemd: bind source ${b.host} does not exist`);
  }
  const name = `svcpack-${process.pid}-${randomBytes(3).toString('hex')}`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const sharedHost = path.join(runDir, 'shared');
  fs.mkdirSync(sharedHost);
  // The container's services (DynamicUser ones too) must be able to read what the test puts here.
  fs.chmodSync(runDir, 0o755);
  fs.chmodSync(sharedHost, 0o755);
  const logFile = path.join(runDir, 'console.log');
  const propagateDir = `/run/systemd/nspawn/propagate/${name}`;

  const binds: Bind[] = [{ host: sharedHost, container: SHARED_DIR, readOnly: false }, ...(opts.binds ?? [])];
  const bindArgs = binds.map((b) => `--bind${b.readOnly === false ? '' : '-ro'}=${b.host}:${b.container}`);

  const cgroups = ownCgroupDirs().map((d) => path.join(d, name));
  for (const d of cgroups) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      for (const made of cgroups) removeCgroup(made);
      fs.rmSync(runDir, { recursive: true, force: true });
      throw new Error(`bootSystemd: cannot create the container's cgroup ${d} (${(e as NodeJS.ErrnoException).code}): the host's cgroup file system must be writable`);
    }
  }
  const log = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  let nspawn: ChildProcess;
  try {
    // The shell moves itself into the container's own cgroups, then becomes nspawn (same pid).
    nspawn = spawn(
      'sh',
      [
        '-c',
        'for d in $SVCPACK_CGROUPS; do echo $$ > "$d/cgroup.procs" || exit 125; done; exec "$@"',
        'sh',
        check.nspawn,
        '--quiet',
        `--directory=${check.root}`,
        '--boot',
        `--machine=${name}`,
        '--register=no',
        '--keep-unit',
        '--volatile=overlay',
        '--private-network',
        '--link-journal=no',
        '--console=read-only',
        ...bindArgs,
      ],
      { detached: true, stdio: ['ignore', log, log], env: { ...process.env, SVCPACK_CGROUPS: cgroups.join(' ') } },
    );
  } finally {
    fs.closeSync(log);
  }
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    nspawn.on('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  nspawn.unref();
  if (nspawn.pid === undefined) {
    for (const d of cgroups) removeCgroup(d);
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new Error('bootSystemd: could not start sh to run systemd-nspawn');
  }
  const nspawnPid = nspawn.pid;
  /** Waits until nspawn has ended or `ms` have passed (without a timer left behind). */
  const exitWithin = async (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  };

  const consoleLog = (): string => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const tail = (): string =>
    consoleLog()
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' | ');

  let leaderPid = 0;
  let guardian: ChildProcess | undefined;
  let done: Promise<void> | undefined;

  const shutdown = (): Promise<void> =>
    (done ??= (async () => {
      if (exited === undefined) {
        killQuietly(nspawnPid, 'SIGTERM');
        await exitWithin(stopTimeoutMs);
        if (exited === undefined) {
          // PID 1 first: nspawn then reaps it and ends by itself (killed at once, nspawn would
          // leave PID 1 a zombie for the host's init to reap).
          if (leaderPid) {
            killQuietly(leaderPid, 'SIGKILL');
            await exitWithin(3_000);
          }
          killQuietly(nspawnPid, 'SIGKILL');
          await exitWithin(5_000);
        }
      }
      for (let i = 0; i < 25; i++) {
        const left = cgroups.flatMap(cgroupPids);
        for (const pid of left) killQuietly(pid, 'SIGKILL');
        if (cgroups.map(removeCgroup).every(Boolean)) break;
        await sleep(200);
      }
      if (guardian?.pid) killQuietly(-guardian.pid, 'SIGKILL');
      fs.rmSync(runDir, { recursive: true, force: true });
      // nspawn's folder for mounts it may propagate into the container: it refuses to remove it
      // itself when /run is no tmpfs (as on hosts without systemd), and leaves it after a SIGKILL.
      fs.rmSync(propagateDir, { recursive: true, force: true });
    })());

  /** nsenter's arguments to run `argv` in all of the container's namespaces, as root, with a clean environment. */
  const inside = (argv: string[]): string[] => [
    ...['--target', String(leaderPid), '--all', '--root', '--wd', '--'],
    ...['/usr/bin/env', '-i', `PATH=${CONTAINER_PATH}`, 'LANG=C.UTF-8', 'SYSTEMD_COLORS=0'],
    ...argv,
  ];
  const exec = (file: string, args: string[] = [], o: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> =>
    run(check.nsenter, inside([file, ...args]), o);

  try {
    const deadline = t0 + bootTimeoutMs;
    while (!(leaderPid = findLeader(nspawnPid) ?? 0)) {
      if (exited !== undefined) throw new Error(`systemd-nspawn ended (exit code ${exited}) before the container started: ${tail()}`);
      if (performance.now() > deadline) throw new Error(`the container's systemd did not start within ${bootTimeoutMs / 1000} s: ${tail()}`);
      await sleep(20);
    }
    guardian = spawn('sh', ['-c', GUARDIAN, 'svcpack-systemd-guardian', String(process.pid), String(nspawnPid), String(leaderPid), String(Math.ceil(stopTimeoutMs / 1000)), runDir, name, ...cgroups], {
      detached: true,
      stdio: 'ignore',
    });
    guardian.unref();

    let state = '';
    for (;;) {
      const left = Math.max(1_000, deadline - performance.now());
      const r = await exec('systemctl', ['is-system-running', '--wait'], { timeoutMs: left });
      state = r.stdout.trim();
      if (state === 'running' || state === 'degraded') break;
      if (exited !== undefined) throw new Error(`systemd-nspawn ended (exit code ${exited}) during boot: ${tail()}`);
      if (performance.now() > deadline) throw new Error(`the container did not finish booting within ${bootTimeoutMs / 1000} s (systemctl is-system-running: ${state || r.stderr.trim() || 'no answer'}): ${tail()}`);
      // Before PID 1 listens, systemctl cannot connect and says "offline" (or nothing).
      if (!['', 'offline', 'initializing', 'starting'].includes(state)) throw new Error(`the container booted into state ${state}: ${tail()}`);
      await sleep(50);
    }
    const bootMs = Math.round(performance.now() - t0);

    const container: SystemdContainer = {
      name,
      nspawnPid,
      leaderPid,
      state,
      bootMs,
      shared: { host: sharedHost, container: SHARED_DIR },
      cgroups,
      exec,
      systemctl: (...args) => exec('systemctl', ['--no-pager', ...args]),
      async journalctl(...args) {
        const r = await exec('journalctl', ['--no-pager', ...args]);
        if (r.code !== 0) throw new Error(`journalctl ${args.join(' ')} failed (exit code ${r.code}): ${r.stderr.trim()}`);
        return r.stdout;
      },
      async writeFile(containerPath, content, mode = 0o644) {
        const r = await exec('sh', ['-c', 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', 'sh', containerPath, mode.toString(8)], { input: content });
        if (r.code !== 0) throw new Error(`writing ${containerPath} in the container failed: ${r.stderr.trim()}`);
      },
      async copyIn(hostPath, containerPath) {
        const stat = fs.statSync(hostPath);
        const dir = stat.isDirectory() ? hostPath : path.dirname(hostPath);
        const member = stat.isDirectory() ? '.' : path.basename(hostPath);
        const target = stat.isDirectory() ? containerPath : path.posix.dirname(containerPath);
        const tar = spawn('tar', ['-C', dir, '-cf', '-', member], { stdio: ['ignore', 'pipe', 'pipe'] });
        const tarErr: Buffer[] = [];
        tar.stderr.on('data', (b: Buffer) => tarErr.push(b));
        const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? -1)));
        const script = stat.isDirectory()
          ? 'mkdir -p "$1" && tar --no-same-owner -C "$1" -xf -'
          : 'mkdir -p "$1" && tar --no-same-owner -C "$1" -xf - && { [ "$2" = "$3" ] || mv -f "$1/$2" "$1/$3"; }';
        const r = await run(check.nsenter, inside(['sh', '-c', script, 'sh', target, member, path.posix.basename(containerPath)]), { stdin: tar.stdout });
        const tarCode = await tarDone;
        if (tarCode !== 0) throw new Error(`copying ${hostPath} into the container failed: tar: ${Buffer.concat(tarErr).toString().trim()}`);
        if (r.code !== 0) throw new Error(`copying ${hostPath} to ${containerPath} in the container failed: ${r.stderr.trim()}`);
      },
      async http(port, urlPath = '/') {
        const r = await exec('curl', ['-sS', '--max-time', '10', '-o', '-', '-w', '\n%{http_code}', `http://127.0.0.1:${port}${urlPath}`]);
        if (r.code !== 0) throw new Error(`GET http://127.0.0.1:${port}${urlPath} in the container failed: ${r.stderr.trim()}`);
        const cut = r.stdout.lastIndexOf('\n');
        return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
      },
      consoleLog,
      shutdown,
    };
    return container;
  } catch (e) {
    await shutdown();
    throw e;
  }
}
