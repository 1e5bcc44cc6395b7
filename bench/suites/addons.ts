/**
 * Suite 'addons': what native addons cost an exe. fixtures/native-addons (three
 * real packages: @node-rs/argon2, classic-level, @duckdb/node-api with duckdb.dll beside its
 * addon; dependencies installed by `npm ci`, test/support/fixture-deps.ts) against
 * fixtures/hello-http, the same kind of app without addons, both on svcpack's default Node:
 *
 * - the warm build time and the exe size of both (the CLI, timed as the build suite times it);
 * - StartService → RUNNING and → HTTP answering, and idle memory, under Wine's SCM with the
 *   service suite's service life, for (a) the addon exe with its addons' folders removed from
 *   `%LOCALAPPDATA%\svcpack\native` before the start (a first start: every addon file is written
 *   out of the exe and hash-checked), (b) the addon exe started again (files present: only
 *   re-hashed), (c) hello-http; ratios against hello-http measured in the same run;
 * - what re-hashing the addon files costs on every start: the same read + SHA-256 the shim does
 *   (runtime-shim/addons/native-module.ts), timed inside the default Node's node.exe under Wine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { ensureFixtureDeps } from '../../test/support/fixture-deps';
import { dataDirOf, removeService, runExe, winePrefix, winPath } from '../../test/support/wine';
import { buildNativeTools } from '../native/build';
import { HELLO_APP_ENTRY, REPO_ROOT } from '../peers/large-app';
import { runTool } from '../peers/tools';
import { formatValue } from '../lib/report';
import { measurement, round1, summarize } from '../lib/stats';
import { interleave } from '../lib/timer';
import type { BenchContext, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { ensureSvcpackLib, runSvcpackBuild, type SvcpackRecord } from './build';
import { processLabel, runServiceLife, withWine, type RepSample, type ServiceContender } from './service';

export const ADDONS_APP_DIR = path.join(REPO_ROOT, 'fixtures', 'native-addons');
export const ADDONS_APP_ENTRY = path.join(ADDONS_APP_DIR, 'app.ts');

/** The two apps (build and size figures). */
export const ADDON_APPS = {
  hello: 'hello-http (no addons)',
  addons: 'native-addons (3 addons)',
} as const;

/** The three starts (service figures). */
export const ADDON_STARTS = {
  hello: ADDON_APPS.hello,
  first: 'native-addons, first start (extraction)',
  again: 'native-addons, later start (files present)',
} as const;

export const HASH_CONTENDER = 'node.exe under Wine: read + SHA-256 of every addon file';

const NAMES = { hello: 'SvcpackBenchAddonsHello', addons: 'SvcpackBenchAddons' } as const;
/**
 * hello-http listens on 8080 as a service (Wine gives services no custom environment, so PORT
 * cannot be set); no other suite uses 8080. The addon fixture takes `port=<n>`: 18341 is clear of
 * the service (18311–18314), supervision (18321) and lines (18321…) suites and of the fixture's
 * own default 18310, which the e2e tests use.
 */
export const ADDON_PORTS = { hello: 8080, addons: 18341 } as const;

/** `%LOCALAPPDATA%\svcpack\native` of the Wine user, whom Wine runs every service as. */
export function nativeDirUnderWine(prefix = winePrefix, user = os.userInfo().username): string {
  return path.join(prefix, 'drive_c', 'users', user, 'AppData', 'Local', 'svcpack', 'native');
}

/** An addon as the build record lists it. */
export interface RecordAddon {
  key: string;
  package: string;
  files: { path: string; sha256: string; bytes: number }[];
}

/**
 * The folders an exe's addons are written to (pure): `<native dir>\<key's first 32 hex digits>`,
 * as runtime-shim/addons/native-module.ts names them. koffi's folder is not among them: every svcpack
 * exe has koffi, so it stays in place for both apps and the difference is the addons alone.
 */
export function addonFolders(nativeDir: string, addons: readonly RecordAddon[]): string[] {
  return [...new Set(addons.map((a) => path.join(nativeDir, a.key.slice(0, 32))))];
}

/** Every addon file's path under `nativeDir` (pure). */
export function addonFiles(nativeDir: string, addons: readonly RecordAddon[]): string[] {
  return addons.flatMap((a) => a.files.map((f) => path.join(nativeDir, a.key.slice(0, 32), ...f.path.split('/'))));
}

/**
 * The re-hash probe: what hasHash() in native-module.ts does for each file (fs.readFileSync, then
 * SHA-256), timed per round; prints one `[readMs, hashMs]` pair per round.
 */
const HASH_PROBE = `const { createHash } = require('node:crypto');
const fs = require('node:fs');
const [rounds, ...files] = process.argv.slice(2);
const out = [];
for (let i = 0; i < Number(rounds); i++) {
  let read = 0;
  let hash = 0;
  for (const f of files) {
    const t0 = performance.now();
    const data = fs.readFileSync(f);
    const t1 = performance.now();
    createHash('sha256').update(data).digest('hex');
    read += t1 - t0;
    hash += performance.now() - t1;
  }
  out.push([read, hash]);
}
console.log(JSON.stringify(out));
`;

const MiB = 1024 * 1024;

export const addonsSuite: Suite = {
  name: 'addons',
  title: 'Native addons: build, exe size, first start (extraction) and later starts',
  run: runAddonsSuite,
};

type AppKey = keyof typeof ADDON_APPS;
type StartKey = keyof typeof ADDON_STARTS;

async function runAddonsSuite(ctx: BenchContext): Promise<SuiteResult> {
  const root = path.join(ctx.workDir, 'addons');
  fs.mkdirSync(root, { recursive: true });
  ctx.log('addons: installing the fixture’s dependencies (npm ci, when stale)');
  await ensureFixtureDeps(ADDONS_APP_DIR);
  await ensureSvcpackLib(ctx.log);
  const runtime = await acquireRuntime({ version: DEFAULT_NODE_VERSION });

  // ---- build time and exe size: the CLI, as the build suite times it; each build into a new folder
  const entries: Record<AppKey, string> = { hello: HELLO_APP_ENTRY, addons: ADDONS_APP_ENTRY };
  const apps = Object.keys(ADDON_APPS) as AppKey[];
  const records: Record<AppKey, SvcpackRecord[]> = { hello: [], addons: [] };
  const latest: Partial<Record<AppKey, string>> = {};
  let n = 0;
  const warmup = ctx.quick ? 0 : 1;
  ctx.log(`addons: warm build of hello-http and native-addons (Node ${DEFAULT_NODE_VERSION}) × ${ctx.reps}${warmup ? ` (+${warmup} warm-up)` : ''}`);
  const buildSamples = await interleave(
    ctx.reps,
    Object.fromEntries(
      apps.map((k) => [
        k,
        async () => {
          const outDir = path.join(root, 'build', `${k}-${++n}`);
          const { exe, record } = await runSvcpackBuild({ entry: entries[k], outDir, node: DEFAULT_NODE_VERSION, name: NAMES[k] });
          records[k].push(record);
          latest[k] = exe;
        },
      ]),
    ),
    {
      warmup,
      between: async () => {
        // Older outputs go (untimed); the newest exe of each app is the one the service runs.
        const keep = new Set(Object.values(latest).map((exe) => path.dirname(exe!)));
        for (const d of fs.readdirSync(path.join(root, 'build'))) {
          if (!keep.has(path.join(root, 'build', d))) fs.rmSync(path.join(root, 'build', d), { recursive: true, force: true });
        }
        await runTool('sync', [], { what: 'sync' });
      },
    },
  );
  const addonRecord = records.addons.at(-1) as SvcpackRecord & { addons?: RecordAddon[] };
  const addons = addonRecord.addons ?? [];
  if (addons.length === 0) throw new Error('addons: the native-addons build recorded no addons');
  const helloAddons = (records.hello.at(-1) as { addons?: unknown[] }).addons ?? [];
  if (helloAddons.length > 0) throw new Error(`addons: hello-http was built with ${helloAddons.length} addon(s)`);
  const addonBytes = addons.reduce((s, a) => s + a.files.reduce((t, f) => t + f.bytes, 0), 0);
  const fileCount = addons.reduce((s, a) => s + a.files.length, 0);
  const largest = addons.flatMap((a) => a.files).sort((a, b) => b.bytes - a.bytes)[0]!;

  // ---- the service lives
  const tools = await buildNativeTools(ctx.toolsDir, ctx.log);
  const q = (p: string) => `"${winPath(p)}"`;
  const nativeDir = nativeDirUnderWine();
  const folders = addonFolders(nativeDir, addons);
  const helloExe = latest.hello!;
  const addonExe = latest.addons!;
  const addonContender = (label: string): ServiceContender => ({
    label,
    service: NAMES.addons,
    commandLine: `${q(addonExe)} --service port=${ADDON_PORTS.addons}`,
    needles: [winPath(addonExe)],
    port: ADDON_PORTS.addons,
    memoryRoute: false,
  });
  const contenders: Record<StartKey, ServiceContender> = {
    hello: { label: ADDON_STARTS.hello, service: NAMES.hello, commandLine: `${q(helloExe)} --service`, needles: [winPath(helloExe)], port: ADDON_PORTS.hello, memoryRoute: false },
    first: addonContender(ADDON_STARTS.first),
    again: addonContender(ADDON_STARTS.again),
  };
  // A previous run's data folders (logs, the fixture's leveldb) would only grow.
  for (const name of Object.values(NAMES)) fs.rmSync(dataDirOf(name), { recursive: true, force: true });

  // The order matters: `again` directly follows `first`, so its files are the ones `first` wrote.
  const order: StartKey[] = ['hello', 'first', 'again'];
  const lives: Record<StartKey, RepSample[]> = { hello: [], first: [], again: [] };
  const probeDir = path.join(root, 'probe');
  fs.mkdirSync(probeDir, { recursive: true });
  fs.writeFileSync(path.join(probeDir, 'hash-probe.js'), HASH_PROBE);
  const hashRounds = ctx.quick ? 2 : ctx.reps + 1;
  let probe: [number, number][] = [];
  await withWine(async () => {
    let rep = 0;
    try {
      await interleave(
        ctx.reps,
        Object.fromEntries(
          order.map((k, i) => [
            k,
            async () => {
              if (i === 0) rep++;
              if (k === 'first') for (const d of folders) fs.rmSync(d, { recursive: true, force: true });
              if (k === 'again' && !addonFiles(nativeDir, addons).every((f) => fs.existsSync(f))) {
                throw new Error(`addons: the first start left addon files missing under ${nativeDir}`);
              }
              const s = await runServiceLife(tools, contenders[k]);
              lives[k].push(s);
              ctx.log(
                `addons: rep ${rep}/${ctx.reps} ${contenders[k].label}: start ${s.startMs.toFixed(1)} ms, ready ${s.readyMs?.toFixed(1) ?? '?'} ms, ` +
                  `stop ${s.stopMs.toFixed(1)} ms, RSS ${s.rssMiB.toFixed(1)} MB in ${s.processes.length} process(es)`,
              );
            },
          ]),
        ),
      );
    } finally {
      for (const c of Object.values(contenders)) await removeService(c.service);
    }
    // The re-hash every later start does, alone: the first round reads from the page cache as the
    // service did (the files were just written or hashed); the first round is dropped as warm-up.
    const files = addonFiles(nativeDir, addons);
    const r = await runExe(runtime.targetExe, [winPath(path.join(probeDir, 'hash-probe.js')), String(hashRounds), ...files.map(winPath)], {
      dir: probeDir,
      tag: 'hash-probe',
      timeoutMs: 120_000,
    });
    if (r.code !== 0) throw new Error(`addons: the hash probe failed (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    probe = (JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') as [number, number][]).slice(1);
    ctx.log(`addons: re-hash of ${fileCount} files (${(addonBytes / MiB).toFixed(1)} MB) under Wine: ${probe.map(([a, b]) => `${(a + b).toFixed(1)} (read ${a.toFixed(1)} + SHA-256 ${b.toFixed(1)})`).join(', ')} ms`);
  });
  if (probe.length === 0) throw new Error('addons: the hash probe printed no timings');
  const hashMs = probe.map(([a, b]) => a + b);

  // ---- measurements
  const buildM: Record<AppKey, Measurement> = {} as Record<AppKey, Measurement>;
  const exeM: Record<AppKey, Measurement> = {} as Record<AppKey, Measurement>;
  for (const k of apps) {
    const rs = records[k].slice(-ctx.reps);
    const stage = (name: string) => Math.round(summarize(rs.map((r) => r.timings[name] ?? 0)).median);
    buildM[k] = measurement('addons.build', 'warm build (default Node)', ADDON_APPS[k], 's', buildSamples[k]!.map((ms) => ms / 1000), {
      'record total ms': stage('total'),
      'bundle ms': stage('bundle'),
      'blob ms': stage('blob'),
      'resources ms': stage('resources'),
    });
    exeM[k] = measurement('addons.exe', 'exe size', ADDON_APPS[k], 'MB', rs.map((r) => (r.size?.exeBytes ?? 0) / MiB), {
      'payload MB': round1((rs.at(-1)?.size?.payloadBytes ?? 0) / MiB),
      ...(k === 'addons' && { 'addon files MB': round1(addonBytes / MiB), 'addon files': fileCount }),
    });
  }
  const startM = {} as Record<StartKey, Measurement>;
  const readyM = {} as Record<StartKey, Measurement>;
  const rssM = {} as Record<StartKey, Measurement>;
  const stopM = {} as Record<StartKey, Measurement>;
  for (const k of order) {
    const ss = lives[k];
    const label = ADDON_STARTS[k];
    startM[k] = measurement('addons.start', 'StartService → RUNNING', label, 'ms', ss.map((s) => s.startMs), {
      method: [...new Set(ss.map((s) => s.startMethod))].join('/'),
    });
    readyM[k] = measurement('addons.ready', 'StartService → HTTP answering', label, 'ms', ss.map((s) => s.readyMs!));
    stopM[k] = measurement('addons.stop', 'STOP → STOPPED', label, 'ms', ss.map((s) => s.stopMs));
    rssM[k] = measurement('addons.rss', 'idle memory, RSS (all processes)', label, 'MB', ss.map((s) => s.rssMiB), {
      processes: ss.at(-1)!.processes.map(processLabel).join(', '),
    });
  }
  for (const group of [buildM, exeM, startM, readyM, stopM, rssM] as Record<string, Measurement>[]) {
    for (const [k, m] of Object.entries(group)) {
      if (k !== 'hello') m.details = { ...m.details, '÷ hello-http': Number((m.stats.median / group.hello!.stats.median).toFixed(3)) };
    }
  }
  const hashM = measurement('addons.rehash', `re-hash of the addon files (${fileCount} files, ${(addonBytes / MiB).toFixed(1)} MB)`, HASH_CONTENDER, 'ms', hashMs, {
    'read ms': round1(summarize(probe.map(([a]) => a)).median),
    'SHA-256 ms': round1(summarize(probe.map(([, b]) => b)).median),
    'share of a later start': `${((summarize(hashMs).median / startM.again.stats.median) * 100).toFixed(0)} %`,
    'MB/s': Math.round(addonBytes / MiB / (summarize(hashMs).median / 1000)),
  });
  const measurements = [...apps.map((k) => buildM[k]), ...apps.map((k) => exeM[k]), ...order.map((k) => startM[k]), ...order.map((k) => readyM[k]), ...order.map((k) => stopM[k]), ...order.map((k) => rssM[k]), hashM];

  // ---- the table
  const mid = (m: Measurement) => formatValue(m.stats.median, m.unit);
  const x = (m: Measurement, ref: Measurement) => (m === ref ? '1 (ref)' : formatValue(m.stats.median / ref.stats.median, 'ratio'));
  const table: ReportTable = {
    title: 'Addon app against hello-http (medians; × = ratio to hello-http in this run)',
    header: ['', 'warm build', '×', 'exe', '×', 'StartService → RUNNING', '×', 'HTTP answering', '×', 'idle RSS', '×'],
    align: 'lrrrrrrrrrr',
    rows: order.map((k) => {
      const app: AppKey = k === 'hello' ? 'hello' : 'addons';
      const showBuild = k !== 'again';
      return [
        ADDON_STARTS[k],
        showBuild ? mid(buildM[app]) : '〃',
        showBuild ? x(buildM[app], buildM.hello) : '〃',
        showBuild ? mid(exeM[app]) : '〃',
        showBuild ? x(exeM[app], exeM.hello) : '〃',
        mid(startM[k]),
        x(startM[k], startM.hello),
        mid(readyM[k]),
        x(readyM[k], readyM.hello),
        mid(rssM[k]),
        x(rssM[k], rssM.hello),
      ];
    }),
  };

  const extraction = startM.first.stats.median - startM.again.stats.median;
  const hashMid = summarize(hashMs).median;
  const notes = [
    `Apps: fixtures/native-addons (${addons.map((a) => `${a.package}: ${a.files.map((f) => `${f.path} ${round1(f.bytes / MiB)} MB`).join(' + ')}`).join('; ')}; dependencies installed by npm ci on Linux, the Windows binaries fetched by the build) and fixtures/hello-http, both built by \`node bin/svcpack.js build <app> --node ${DEFAULT_NODE_VERSION} --json\` (svcpack’s default Node). Build: wall time of the CLI, ${ctx.reps} repetition(s)${warmup ? ` after ${warmup} warm-up round` : ''}, the two apps interleaved, older outputs removed and \`sync\` run between builds (untimed).`,
    `Starts: each repetition runs hello-http, then the addon exe with its addons’ folders removed from the Wine user’s %LOCALAPPDATA%\\svcpack\\native (first start: every addon file is read out of the exe, hashed, written and hashed again before the app module finishes), then the addon exe again (the files are there: each is only read and re-hashed). koffi’s folder is left in place for all three, as every svcpack exe has it. Each start is the service suite’s service life: sc create → StartService → RUNNING (scm-timer, SCM API) → HTTP answering (polled from Linux) → 2 s idle → RSS from /proc → stop → sc delete.`,
    'What RUNNING includes: svcpack reports it once the app module has been evaluated. The addon app’s module loads all three addons, opens its leveldb (in the service’s data folder) and creates an in-memory DuckDB before it listens, so its start includes that work, not only the extraction; hello-http only listens. First start − later start is the extraction’s own cost.',
    `Per later start the shim re-reads and re-hashes every addon file (${fileCount} files, ${(addonBytes / MiB).toFixed(1)} MB, ${largest.path} ${round1(largest.bytes / MiB)} MB of it) so a stale or tampered copy is never loaded. That alone, timed inside node.exe ${DEFAULT_NODE_VERSION} under Wine with the shim’s own calls (fs.readFileSync + SHA-256, files in the page cache), takes ${formatValue(hashMid, 'ms')} (reading ${formatValue(summarize(probe.map(([a]) => a)).median, 'ms')}, SHA-256 ${formatValue(summarize(probe.map(([, b]) => b)).median, 'ms')}; ${((hashMid / startM.again.stats.median) * 100).toFixed(0)} % of the later start’s ${mid(startM.again)}); the first start (writing every file, hashing each twice) took ${extraction >= 0 ? `${formatValue(extraction, 'ms')} more` : `${formatValue(-extraction, 'ms')} less`} than a later start (medians). The first start takes the bytes from the exe’s embedded assets, not from a file, so what it adds to a later start is one more SHA-256 pass and the write (reading the written file back is common to both): small beside this machine’s start-to-start noise (see the p25–p75 ranges). On this 2-core machine Wine’s file read, not the hash, is most of the re-hash.`,
    'The two apps listen on fixed ports, as services under Wine get no custom environment: hello-http on its default 8080, the addon app on 18341 (port=18341 on its service command line). Neither has idle-http’s /memory route, so no V8 heap figure.',
  ];

  return { suite: 'addons', title: addonsSuite.title, measurements, checks: [], tables: [table], notes };
}
