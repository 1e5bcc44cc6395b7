/**
 * LINUX: what `--target linux-x64` costs and gives for fixtures/hello-http, each figure against a
 * reference measured in the same run:
 *
 * - build time and binary size of the linux-x64 ELF against the win-x64 exe (both on Node
 *   DEFAULT_NODE_VERSION, warm caches, builds interleaved);
 * - as a systemd service in the booted Debian trixie container (systemd 257, test/support/systemd.ts):
 *   `systemctl start` returning (the ELF is Type=notify, or notify-reload on systemd ≥ 253: READY=1), start → HTTP answering, and the
 *   idle RSS of the main process once settled, against bare `node app.mjs` — the same official
 *   linux-x64 Node binary the ELF is made from, bound read-only into the container, running the
 *   esbuild bundle of the app — under the SAME unit the ELF's install wrote (same DynamicUser,
 *   sandbox and seccomp filter), changed only where a bare node cannot follow it: `Type=exec`
 *   (it sends no READY=1), no NotifyAccess=/WatchdogSec=/ExecReload=, its own ExecStart=,
 *   WorkingDirectory= and names, PORT as an Environment= line.
 *
 * The two contenders run turn about (one warm-up round unless quick). Timings are taken inside the
 * container by one shell script (date +%s%N around `systemctl start`, then a curl loop until the
 * port answers), so nsenter's own cost is not in them. Called by bench/run.ts; needs what
 * bootSystemd needs (root, systemd-nspawn, the systemd root of `npm run setup:test`) and throws
 * its one line otherwise.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { cacheRoot, readCache } from '../../src/runtime/cache';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { bootSystemd, type SystemdContainer } from '../../test/support/systemd';
import { measurement, ratioCheck, round1 } from '../lib/stats';
import type { BenchContext, Check, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { BENCH_NAME, ensureSvcpackLib, FIXTURES, runSvcpackBuild, type SvcpackRecord } from './build';

const MB = 1_000_000;

/** The contenders' labels, as the report shows them. */
export const LINUX_CONTENDERS = {
  elf: 'svcpack --target linux-x64',
  win: 'svcpack --target win-x64',
  bare: 'bare node app.mjs (same unit)',
} as const;

/** The bare node's unit name and the ports the two services listen on inside the container. */
const BARE_NAME = 'BenchBare';
const ELF_PORT = 18_310;
const BARE_PORT = 18_311;
/** How long a service sits idle after it first answered before its memory is read. */
const SETTLE_MS = { quick: 1_000, full: 5_000 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const linuxSuite: Suite = {
  name: 'linux',
  title: 'Linux: linux-x64 build and systemd service',
  run: runLinuxSuite,
};

/** One timed start: ms from before `systemctl start` to its return and to the first HTTP answer, and systemd's own inactive → active. */
interface StartSample {
  startMs: number;
  httpMs: number;
  systemdMs: number;
  rssMiB: number;
  /** VmRSS split as /proc/<pid>/status gives it: anonymous memory and mapped files (the binary's pages among them), MiB; and the thread count. */
  anonMiB: number;
  fileMiB: number;
  /** Shared memory pages: a binary on tmpfs (the container's overlay upper layer, where the ELF is installed) is mapped as these, not as RssFile. */
  shmemMiB: number;
  threads: number;
  memoryCurrentMiB: number | null;
  mainPid: number;
}

/**
 * Runs inside the container: $1 the unit, $2 the port. Prints "t0 t1 t2" in ns: before `systemctl
 * start`, after it returned, when curl first got an answer (curl fails at once while nothing
 * listens, so the loop polls as fast as curl starts, a few ms).
 */
const START_SCRIPT = `
t0=$(date +%s%N)
systemctl start "$1.service" || exit 3
t1=$(date +%s%N)
i=0
until curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$2/"; do
  i=$((i + 1)); [ "$i" -gt 20000 ] && exit 4
done
t2=$(date +%s%N)
echo "$t0 $t1 $t2"
`;

async function runLinuxSuite(ctx: BenchContext): Promise<SuiteResult> {
  await ensureSvcpackLib(ctx.log);
  const fixture = FIXTURES.find((f) => f.id === 'hello')!;
  const root = path.join(ctx.workDir, 'linux');
  await fs.mkdir(root, { recursive: true });

  // ---- build time and size: linux-x64 against win-x64, interleaved, warm caches
  const targets = { elf: 'linux-x64', win: 'win-x64' } as const;
  const buildMs: Record<keyof typeof targets, number[]> = { elf: [], win: [] };
  const records: Partial<Record<keyof typeof targets, { file: string; record: SvcpackRecord }>> = {};
  const warmup = ctx.quick ? 0 : 1;
  for (let round = 0; round < warmup + ctx.reps; round++) {
    for (const key of ['elf', 'win'] as const) {
      const outDir = path.join(root, `build-${key}`);
      await fs.rm(outDir, { recursive: true, force: true });
      ctx.log(`linux: build ${targets[key]}${round < warmup ? ' (warm-up)' : ` ${round - warmup + 1}/${ctx.reps}`}`);
      const t = performance.now();
      const { record } = await runSvcpackBuild({ entry: fixture.entry, outDir, node: DEFAULT_NODE_VERSION, flags: ['--target', targets[key]] });
      const ms = performance.now() - t;
      if (round >= warmup) buildMs[key].push(ms);
      records[key] = { file: path.join(outDir, key === 'elf' ? BENCH_NAME : `${BENCH_NAME}.exe`), record };
    }
  }
  const elfBuild = records.elf!;
  const winBuild = records.win!;
  const elfHead = Buffer.alloc(4);
  const fh = await fs.open(elfBuild.file);
  await fh.read(elfHead, 0, 4, 0).finally(() => fh.close());
  if (elfHead.toString('latin1') !== '\x7fELF') throw new Error(`svcpack --target linux-x64 produced ${elfBuild.file}, which is not an ELF executable`);

  const measurements: Measurement[] = [];
  for (const key of ['elf', 'win'] as const) {
    const { file, record } = records[key]!;
    const bytes = (await fs.stat(file)).size;
    const label = LINUX_CONTENDERS[key];
    measurements.push(
      measurement('linux.build.hello', 'warm build, hello-http', label, 'ms', buildMs[key], {
        node: DEFAULT_NODE_VERSION,
        ...Object.fromEntries(Object.entries(record.timings).map(([stage, ms]) => [`${stage} ms`, ms])),
      }),
      measurement('linux.size.hello', 'binary size, hello-http', label, 'MB', [bytes / MB], {
        bytes,
        'runtime MB': round1((record.size?.runtimeBytes ?? NaN) / MB),
        'payload MB': round1((record.size?.payloadBytes ?? NaN) / MB),
      }),
    );
  }

  // ---- the bare node: the cached official linux-x64 binary the ELF was made from, and the app bundled by esbuild
  const node = await readCache(cacheRoot(), { version: DEFAULT_NODE_VERSION, platform: 'linux', arch: 'x64' });
  if (!node) throw new Error(`the linux-x64 Node ${DEFAULT_NODE_VERSION} is not in svcpack's cache (${cacheRoot()}) although the build just used it — run the build once with --target linux-x64`);

  ctx.log('linux: booting the systemd container');
  const c = await bootSystemd({ binds: [{ host: node.path, container: '/opt/bare-node/node' }] });
  let starts: Record<'elf' | 'bare', StartSample[]>;
  let unitDiff: string[];
  try {
    const elfDir = path.join(c.shared.host, 'elf');
    const bareDir = path.join(c.shared.host, 'bare');
    await fs.mkdir(elfDir);
    await fs.mkdir(bareDir);
    await fs.chmod(bareDir, 0o755);
    for (const f of await fs.readdir(path.dirname(elfBuild.file))) await fs.copyFile(path.join(path.dirname(elfBuild.file), f), path.join(elfDir, f));
    await esbuild({ entryPoints: [fixture.entry], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile: path.join(bareDir, 'app.mjs'), logLevel: 'silent' });
    await fs.chmod(path.join(bareDir, 'app.mjs'), 0o644);

    const install = await c.exec(`${c.shared.container}/elf/install-${BENCH_NAME}.sh`, ['--start-type', 'manual', '--env', `PORT=${ELF_PORT}`], { timeoutMs: 120_000 });
    if (install.code !== 0) throw new Error(`installing the ELF in the container failed (exit code ${install.code}): ${(install.stderr || install.stdout).trim().split('\n').at(-1)}`);
    const unit = (await c.exec('cat', [`/etc/systemd/system/${BENCH_NAME}.service`])).stdout;
    const bare = bareUnit(unit, { execStart: `/opt/bare-node/node ${c.shared.container}/bare/app.mjs`, workingDir: `${c.shared.container}/bare`, port: BARE_PORT });
    unitDiff = bare.changes;
    await c.writeFile(`/etc/systemd/system/${BARE_NAME}.service`, bare.text);
    const reload = await c.systemctl('daemon-reload');
    if (reload.code !== 0) throw new Error(`systemctl daemon-reload failed: ${reload.stderr.trim()}`);
    // Both stopped before the first timed start; the ELF's install started it.
    await c.systemctl('stop', `${BENCH_NAME}.service`);

    starts = { elf: [], bare: [] };
    const settle = ctx.quick ? SETTLE_MS.quick : SETTLE_MS.full;
    for (let round = 0; round < warmup + ctx.reps; round++) {
      // Alternate who goes first, so neither always follows the other's stop.
      const order = round % 2 === 0 ? (['elf', 'bare'] as const) : (['bare', 'elf'] as const);
      for (const key of order) {
        const name = key === 'elf' ? BENCH_NAME : BARE_NAME;
        ctx.log(`linux: start ${name}${round < warmup ? ' (warm-up)' : ` ${round - warmup + 1}/${ctx.reps}`}`);
        const sample = await timedStart(c, name, key === 'elf' ? ELF_PORT : BARE_PORT, settle);
        if (round >= warmup) starts[key].push(sample);
      }
    }
  } finally {
    await c.shutdown();
  }

  const label = { elf: LINUX_CONTENDERS.elf, bare: LINUX_CONTENDERS.bare };
  const mem = (s: StartSample[]): string => (s.every((x) => x.memoryCurrentMiB !== null) ? String(round1(median(s.map((x) => x.memoryCurrentMiB!)))) : 'n/a');
  for (const key of ['elf', 'bare'] as const) {
    const s = starts[key];
    measurements.push(
      measurement('linux.start.active', 'systemctl start returning (ELF: READY=1; bare: exec done)', label[key], 'ms', s.map((x) => x.startMs), {
        type: key === 'elf' ? 'notify-reload' : 'exec',
        'systemd inactive → active ms (median)': round1(median(s.map((x) => x.systemdMs))),
      }),
      measurement('linux.start.http', 'start → HTTP answering', label[key], 'ms', s.map((x) => x.httpMs)),
      measurement('linux.rss', `idle RSS of MainPID (/proc/<pid>/status VmRSS, ${(ctx.quick ? SETTLE_MS.quick : SETTLE_MS.full) / 1000} s after first answer)`, label[key], 'MB', s.map((x) => x.rssMiB), {
        'RssAnon MB (median)': round1(median(s.map((x) => x.anonMiB))),
        'RssFile MB (median)': round1(median(s.map((x) => x.fileMiB))),
        'RssShmem MB (median)': round1(median(s.map((x) => x.shmemMiB))),
        threads: median(s.map((x) => x.threads)),
        'MemoryCurrent MB (median)': mem(s),
      }),
    );
  }

  const get = (metric: string, contender: string): Measurement => measurements.find((m) => m.metric === metric && m.contender === contender)!;
  const checks: Check[] = [
    ratioCheck({
      id: 'linux.start.http.svcpack-vs-bare',
      label: 'start → HTTP answering: ELF / bare node (same unit)',
      numerator: get('linux.start.http', LINUX_CONTENDERS.elf),
      denominator: get('linux.start.http', LINUX_CONTENDERS.bare),
      target: { op: '<=', value: 1.3 },
      explanation: 'the ELF loads its SEA blob, the runtime shim and koffi, and answers sd_notify before the app runs; see docs/performance.md "Linux"',
    }),
    ratioCheck({
      id: 'linux.rss.svcpack-vs-bare',
      label: 'idle RSS: ELF / bare node (same unit)',
      numerator: get('linux.rss', LINUX_CONTENDERS.elf),
      denominator: get('linux.rss', LINUX_CONTENDERS.bare),
      target: { op: '<=', value: 1.15 },
      explanation: "the shim's code and state, koffi and the SEA blob in memory; see docs/performance.md \"Linux\"",
    }),
  ];

  const ratio = (metric: string, a: string, b: string): string => `${(get(metric, a).stats.median / get(metric, b).stats.median).toFixed(2)}×`;
  const table: ReportTable = {
    title: 'linux-x64 against its references (medians; × = ratio in this run)',
    header: ['figure', LINUX_CONTENDERS.elf, 'reference', 'reference value', '×'],
    align: 'llllr',
    rows: [
      ['warm build, hello-http', `${(get('linux.build.hello', LINUX_CONTENDERS.elf).stats.median / 1000).toFixed(2)} s`, LINUX_CONTENDERS.win, `${(get('linux.build.hello', LINUX_CONTENDERS.win).stats.median / 1000).toFixed(2)} s`, ratio('linux.build.hello', LINUX_CONTENDERS.elf, LINUX_CONTENDERS.win)],
      ['binary size', `${round1(get('linux.size.hello', LINUX_CONTENDERS.elf).stats.median)} MB`, LINUX_CONTENDERS.win, `${round1(get('linux.size.hello', LINUX_CONTENDERS.win).stats.median)} MB`, ratio('linux.size.hello', LINUX_CONTENDERS.elf, LINUX_CONTENDERS.win)],
      ...(['linux.start.active', 'linux.start.http'] as const).map((m) => [
        m === 'linux.start.active' ? 'systemctl start returns' : 'start → HTTP answering',
        `${Math.round(get(m, LINUX_CONTENDERS.elf).stats.median)} ms`,
        LINUX_CONTENDERS.bare,
        `${Math.round(get(m, LINUX_CONTENDERS.bare).stats.median)} ms`,
        ratio(m, LINUX_CONTENDERS.elf, LINUX_CONTENDERS.bare),
      ]),
      ['idle RSS (VmRSS of MainPID)', `${round1(get('linux.rss', LINUX_CONTENDERS.elf).stats.median)} MB`, LINUX_CONTENDERS.bare, `${round1(get('linux.rss', LINUX_CONTENDERS.bare).stats.median)} MB`, ratio('linux.rss', LINUX_CONTENDERS.elf, LINUX_CONTENDERS.bare)],
    ],
  };

  return {
    suite: 'linux',
    title: linuxSuite.title,
    measurements,
    checks,
    tables: [table],
    notes: [
      `Build: \`svcpack build fixtures/hello-http/app.ts --node ${DEFAULT_NODE_VERSION} --target linux-x64\` against the same with \`--target win-x64\`, turn about${warmup ? ', after one warm-up build of each' : ''}, warm caches, wall time of the whole command. Size: the ELF and the exe (MB = 1,000,000 bytes); runtime = the official node binary it was made from, payload = the rest.`,
      `Service: systemd 257 in a booted Debian trixie container (systemd-nspawn, test/support/systemd.ts). The ELF is installed by its own install script (\`--start-type manual --env PORT=${ELF_PORT}\`); bare node runs the esbuild bundle of the app on the same official linux-x64 Node ${DEFAULT_NODE_VERSION} binary, bound read-only into the container, under a copy of the unit the ELF's install wrote with only these changes: ${unitDiff!.join('; ')}.`,
      '"systemctl start returning": for the ELF (Type=notify-reload on this systemd) that is READY=1, which svcpack sends once the app has loaded (hello-http listens in its top-level await); for bare node (Type=exec) it is only the exec having succeeded, before Node has loaded anything — compare "start → HTTP answering" (first successful curl, polled as fast as curl starts) for the two, which is what a client sees. Details give systemd\'s own inactive → active time (InactiveExitTimestampMonotonic → ActiveEnterTimestampMonotonic).',
      `Idle RSS: VmRSS from /proc/<MainPID>/status, read ${(ctx.quick ? SETTLE_MS.quick : SETTLE_MS.full) / 1000} s after the service first answered; MB here = MiB, as in the service suite. Details split it into RssAnon (heap, V8, malloc), RssFile (mapped files from disk: bare node's binary, bound from the host, and the libraries) and RssShmem (the ELF's pages: it is installed in /opt, which in this container is the tmpfs upper layer of an overlay, so its mapped pages count as shared memory, not as file pages), give the thread count, and the unit's cgroup MemoryCurrent (which also counts page cache and kernel memory charged to the unit) where systemd reports it: inside this nspawn container it does not (n/a; no memory controller is delegated to it).`,
      `Contenders alternate who starts first each round${warmup ? ', after one warm-up round' : ''}; each is stopped (systemctl stop) right after its memory is read.`,
    ],
  };
}

/** One start of `name`: timed inside the container, then its memory once settled, then stopped. */
async function timedStart(c: SystemdContainer, name: string, port: number, settleMs: number): Promise<StartSample> {
  const r = await c.exec('sh', ['-c', START_SCRIPT, 'sh', name, String(port)], { timeoutMs: 120_000 });
  if (r.code !== 0) {
    const journal = await c.journalctl('-u', `${name}.service`, '-o', 'cat', '-n', '5').catch(() => '');
    throw new Error(`starting ${name} in the container failed (exit code ${r.code}${r.code === 4 ? ': it never answered HTTP' : ''}): ${r.stderr.trim()} ${journal.trim().split('\n').join(' | ')}`);
  }
  const [t0, t1, t2] = r.stdout.trim().split(/\s+/).map((x) => Number(BigInt(x) / 1000n) / 1000);
  await sleep(settleMs);
  const props = await showProps(c, name, ['MainPID', 'MemoryCurrent', 'InactiveExitTimestampMonotonic', 'ActiveEnterTimestampMonotonic']);
  const mainPid = Number(props.MainPID);
  if (!mainPid) throw new Error(`${name} has no main process after it answered HTTP`);
  const status = (await c.exec('cat', [`/proc/${mainPid}/status`])).stdout;
  const field = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  const rssKiB = field('VmRSS');
  if (!Number.isFinite(rssKiB) || rssKiB <= 0) throw new Error(`no VmRSS for ${name}'s main process ${mainPid}`);
  const current = Number(props.MemoryCurrent);
  const systemdMs = (Number(props.ActiveEnterTimestampMonotonic) - Number(props.InactiveExitTimestampMonotonic)) / 1000;
  const stop = await c.systemctl('stop', `${name}.service`);
  if (stop.code !== 0) throw new Error(`systemctl stop ${name} failed: ${stop.stderr.trim()}`);
  return {
    startMs: t1! - t0!,
    httpMs: t2! - t0!,
    systemdMs,
    rssMiB: rssKiB / 1024,
    anonMiB: field('RssAnon') / 1024,
    fileMiB: field('RssFile') / 1024,
    shmemMiB: field('RssShmem') / 1024,
    threads: field('Threads'),
    memoryCurrentMiB: Number.isFinite(current) && current > 0 ? current / (1024 * 1024) : null,
    mainPid,
  };
}

async function showProps(c: SystemdContainer, name: string, props: string[]): Promise<Record<string, string>> {
  const out = (await c.systemctl('show', ...props.flatMap((p) => ['-p', p]), `${name}.service`)).stdout;
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/**
 * The bare node's unit from the ELF's (pure): the same text with the service's name replaced,
 * `Type=exec` for `Type=notify` (or `notify-reload`), the notify-only settings and the reload dropped, its own
 * `ExecStart=` and `WorkingDirectory=`, and PORT as an `Environment=` line in place of the
 * ELF's environment file. `changes` says what was changed, one phrase each. Throws when the unit
 * has a line this does not know how to carry over (another Exec…= line). Comments are dropped.
 */
export function bareUnit(elfUnit: string, opts: { execStart: string; workingDir: string; port: number; elfName?: string; bareName?: string }): { text: string; changes: string[] } {
  const elfName = opts.elfName ?? BENCH_NAME;
  const bareName = opts.bareName ?? BARE_NAME;
  const changes = new Set<string>();
  const out: string[] = [];
  for (const line of elfUnit.split('\n')) {
    const key = /^([A-Za-z]+)=/.exec(line)?.[1];
    if (line.startsWith('#')) {
      // The ELF's comments name its own files and commands; they change nothing.
      changes.add('no comments');
    } else if (key === 'Type') {
      if (line !== 'Type=notify' && line !== 'Type=notify-reload') throw new Error(`the ELF's unit has ${line}, not Type=notify or notify-reload`);
      out.push('Type=exec');
      changes.add(`Type=exec for ${line}`);
    } else if (key === 'NotifyAccess' || key === 'WatchdogSec' || key === 'ExecReload' || key === 'ReloadSignal') {
      changes.add('no NotifyAccess=, WatchdogSec=, ExecReload=/ReloadSignal=');
    } else if (key === 'ExecStart') {
      out.push(`ExecStart=${opts.execStart}`);
      changes.add('its own ExecStart= and WorkingDirectory=');
    } else if (key === 'WorkingDirectory') {
      out.push(`WorkingDirectory=${opts.workingDir}`);
    } else if (key === 'EnvironmentFile') {
      out.push(`Environment=PORT=${opts.port}`);
      changes.add('PORT in an Environment= line instead of the environment file');
    } else if (key?.startsWith('Exec')) {
      throw new Error(`the ELF's unit has ${line}, which the bare node's unit cannot carry over`);
    } else {
      out.push(line.replaceAll(elfName, bareName));
    }
  }
  if (!changes.has('PORT in an Environment= line instead of the environment file')) {
    const at = out.indexOf('[Service]');
    if (at < 0) throw new Error("the ELF's unit has no [Service] section");
    out.splice(at + 1, 0, `Environment=PORT=${opts.port}`);
    changes.add('PORT in an Environment= line');
  }
  changes.add(`names (Description=, SyslogIdentifier=, the State/Logs/Runtime/Cache directories) ${bareName} for ${elfName}`);
  return { text: out.join('\n'), changes: [...changes] };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
