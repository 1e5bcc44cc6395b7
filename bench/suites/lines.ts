/**
 * Suite 'lines': svcpack on every supported Node line (src/runtime/node-lines.ts; the exact patch
 * of each is pinned in bench/peers/tools.ts LINE_PINS). Per line: the warm build time of
 * fixtures/hello-http, and StartService → RUNNING, HTTP answering and idle memory of
 * bench/apps/idle-http.ts under Wine's SCM, each against stock node.exe of the same version (the
 * bare host of the service suite). Ratios are taken against svcpack on the default line, measured
 * in the same run.
 *
 * On the default line (Node 26) the exe's SEA main is the app bundle itself (an ES module); 22
 * and 24 use the CommonJS script loader (runtime-shim/loaders/sea-script.ts). To tell the loader
 * from the line, Node 26 is also measured with the script loader, with no bench-only switch in
 * svcpack: a build that names its runtime only by `--node-binary` (the same cached node.exe) gets
 * the script loader, because src/build.ts decides the module main before it has read the binary's
 * version. Such a build bundles for the oldest line's syntax (esbuild target node22; idle-http and
 * the shim need no lowering for it). Each exe is checked to hold the main it is labelled with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { acquireRuntime } from '../../src/runtime/acquire';
import { dataDirOf, removeService, winPath } from '../../test/support/wine';
import { buildNativeTools } from '../native/build';
import { HELLO_APP_ENTRY } from '../peers/large-app';
import { benchLineVersions, runTool } from '../peers/tools';
import { formatValue } from '../lib/report';
import { measurement, ratioCheck, round1, summarize } from '../lib/stats';
import { interleave } from '../lib/timer';
import type { BenchContext, Check, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { ensureSvcpackLib, runSvcpackBuild, type SvcpackRecord } from './build';
import {
  BARE_SERVICE_ENTRY,
  buildSvcpack,
  bundleForNode,
  IDLE_HTTP_ENTRY,
  installKoffi,
  processLabel,
  runServiceLife,
  withWine,
  type RepSample,
  type ServiceContender,
} from './service';

/** Which SEA main an svcpack exe has. */
export type SeaMain = 'module' | 'script';

/** One svcpack exe or bare node.exe of one line. */
export interface LineVariant {
  /** Stable key: `svcpack-26`, `svcpack-26-script`, `bare-22`. */
  key: string;
  label: string;
  major: number;
  version: string;
  kind: 'svcpack' | 'bare';
  /** svcpack only. */
  main?: SeaMain;
  /** The reference every ratio is taken against: svcpack on the default line, as built by default. */
  reference: boolean;
}

/**
 * The variants for `lines` (pure): per line, bare node.exe and svcpack as svcpack builds it
 * (module main from Node 26, script loader before); on lines with a module main also svcpack with
 * the script loader.
 */
export function lineVariants(lines: readonly { major: number; version: string; isDefault: boolean }[]): LineVariant[] {
  const out: LineVariant[] = [];
  for (const l of lines) {
    const main: SeaMain = l.major >= 26 ? 'module' : 'script';
    out.push({ key: `bare-${l.major}`, label: `bare node.exe ${l.version}`, major: l.major, version: l.version, kind: 'bare', reference: false });
    out.push({ key: `svcpack-${l.major}`, label: `svcpack, Node ${l.version} (${main === 'module' ? 'module main' : 'script loader'})`, major: l.major, version: l.version, kind: 'svcpack', main, reference: l.isDefault });
    if (main === 'module') {
      out.push({ key: `svcpack-${l.major}-script`, label: `svcpack, Node ${l.version} (script loader, --node-binary)`, major: l.major, version: l.version, kind: 'svcpack', main: 'script', reference: false });
    }
  }
  return out;
}

/** The script loader's vm.Script file name (runtime-shim/loaders/sea-script.ts): in the exe exactly when it has the script loader. */
const SCRIPT_LOADER_MARK = 'svcpack:sea-main';

/** Which SEA main `exe` holds, by the script loader's mark. */
export function seaMainOf(exe: Buffer): SeaMain {
  return exe.includes(SCRIPT_LOADER_MARK, 0, 'latin1') ? 'script' : 'module';
}

function expectMain(v: LineVariant, exe: string): void {
  const found = seaMainOf(fs.readFileSync(exe));
  if (found !== v.main) throw new Error(`${v.label}: ${exe} has the ${found} main, not the ${v.main} main it is measured as`);
}

const FIRST_PORT = 18321;
const serviceName = (v: LineVariant): string => `SvcpackBenchLine${v.key.replace(/(^|-)([a-z0-9])/g, (_, _d: string, c: string) => c.toUpperCase())}`;


export const linesSuite: Suite = {
  name: 'lines',
  title: 'Node lines: build, start and idle memory per supported Node line',
  run: runLinesSuite,
};

async function runLinesSuite(ctx: BenchContext): Promise<SuiteResult> {
  const lines = benchLineVersions();
  const variants = lineVariants(lines);
  const svcpackVariants = variants.filter((v) => v.kind === 'svcpack');
  const ref = variants.find((v) => v.reference);
  if (!ref) throw new Error(`lines: no variant is svcpack on the default line (pins ${lines.map((l) => l.version).join(', ')})`);
  const root = path.join(ctx.workDir, 'lines');
  fs.mkdirSync(root, { recursive: true });

  const runtimes = Object.fromEntries(
    await Promise.all(lines.map(async (l) => [l.major, await acquireRuntime({ version: l.version })] as const)),
  );
  const nodeExeOf = (v: LineVariant): string => runtimes[v.major]!.targetExe;

  // ---- build time: the CLI, as the build suite times it
  await ensureSvcpackLib(ctx.log);
  const warmup = ctx.quick ? 0 : 1;
  ctx.log(`lines: warm build of hello-http on ${svcpackVariants.length} variants × ${ctx.reps}${warmup ? ` (+${warmup} warm-up)` : ''}`);
  const buildRecords: Record<string, SvcpackRecord[]> = Object.fromEntries(svcpackVariants.map((v) => [v.key, []]));
  const buildDir = (v: LineVariant) => path.join(root, 'build', v.key);
  const buildSamples = await interleave(
    ctx.reps,
    Object.fromEntries(
      svcpackVariants.map((v) => [
        v.key,
        async () => {
          const { exe, record } = await runSvcpackBuild({
            entry: HELLO_APP_ENTRY,
            outDir: buildDir(v),
            ...(v.main === 'script' && v.major >= 26 ? { node: null, flags: ['--node-binary', nodeExeOf(v)] } : { node: v.version }),
          });
          expectMain(v, exe);
          buildRecords[v.key]!.push(record);
        },
      ]),
    ),
    {
      warmup,
      between: async () => {
        for (const v of svcpackVariants) fs.rmSync(buildDir(v), { recursive: true, force: true });
        await runTool('sync', [], { what: 'sync' });
      },
    },
  );
  fs.rmSync(path.join(root, 'build'), { recursive: true, force: true });

  // ---- the service: every variant's service life, interleaved
  ctx.log(`lines: building idle-http for ${variants.length} variants (${lines.map((l) => l.version).join(', ')})`);
  const tools = await buildNativeTools(ctx.toolsDir, ctx.log);
  const contenders: Record<string, ServiceContender> = {};
  const q = (p: string) => `"${winPath(p)}"`;
  await Promise.all(
    variants.map(async (v, i) => {
      const dir = path.join(root, 'service', v.key);
      fs.mkdirSync(dir, { recursive: true });
      const port = FIRST_PORT + i;
      const service = serviceName(v);
      if (v.kind === 'bare') {
        await Promise.all([bundleForNode(BARE_SERVICE_ENTRY, path.join(dir, 'bare-service.js')), bundleForNode(IDLE_HTTP_ENTRY, path.join(dir, 'idle-http.js'))]);
        installKoffi(dir);
        contenders[v.key] = {
          label: v.label,
          service,
          commandLine: `"${winPath(nodeExeOf(v))}" ${q(path.join(dir, 'bare-service.js'))} ${q(path.join(dir, 'idle-http.js'))} ${port}`,
          needles: [winPath(dir)],
          port,
        };
      } else {
        const runtime = v.main === 'script' && v.major >= 26 ? { node: undefined, nodeBinary: nodeExeOf(v) } : { node: v.version };
        const { exe } = await buildSvcpack(service, dir, runtime);
        expectMain(v, exe);
        fs.rmSync(dataDirOf(service), { recursive: true, force: true }); // a previous run's logs
        contenders[v.key] = { label: v.label, service, commandLine: `${q(exe)} --service ${port}`, needles: [winPath(exe)], port };
      }
    }),
  );

  const lives: Record<string, RepSample[]> = Object.fromEntries(variants.map((v) => [v.key, []]));
  await withWine(async () => {
    let rep = 0;
    try {
      await interleave(
        ctx.reps,
        Object.fromEntries(
          variants.map((v, i) => [
            v.key,
            async () => {
              if (i === 0) rep++;
              const s = await runServiceLife(tools, contenders[v.key]!);
              lives[v.key]!.push(s);
              ctx.log(
                `lines: rep ${rep}/${ctx.reps} ${v.label}: start ${s.startMs.toFixed(1)} ms, ready ${s.readyMs?.toFixed(1) ?? '?'} ms, ` +
                  `RSS ${s.rssMiB.toFixed(1)} MB in ${s.processes.length} process(es), heap ${s.heapUsedMiB?.toFixed(2) ?? '?'} MB`,
              );
            },
          ]),
        ),
      );
    } finally {
      for (const c of Object.values(contenders)) await removeService(c.service);
    }
  });

  // ---- measurements
  const byKey: Record<string, Record<string, Measurement>> = {};
  for (const v of variants) {
    const ss = lives[v.key]!;
    const last = ss[ss.length - 1]!;
    const m: Record<string, Measurement> = {};
    if (v.kind === 'svcpack') {
      const records = buildRecords[v.key]!;
      const stage = (name: string) => Math.round(summarize(records.map((r) => r.timings[name] ?? 0)).median);
      m.build = measurement('lines.build.hello', 'warm build, hello-http, per Node line', v.label, 's', buildSamples[v.key]!.map((ms) => ms / 1000), {
        'record total ms': stage('total'),
        'bundle ms': stage('bundle'),
        'blob ms': stage('blob'),
        'resources ms': stage('resources'),
        'exe MB': round1((records.at(-1)?.size?.exeBytes ?? 0) / 1024 / 1024),
      });
    }
    m.start = measurement('lines.start', 'StartService → RUNNING, per Node line', v.label, 'ms', ss.map((s) => s.startMs), {
      method: [...new Set(ss.map((s) => s.startMethod))].join('/'),
    });
    m.ready = measurement('lines.ready', 'StartService → HTTP answering, per Node line', v.label, 'ms', ss.map((s) => s.readyMs!));
    m.rss = measurement('lines.rss', 'idle memory, RSS (all processes), per Node line', v.label, 'MB', ss.map((s) => s.rssMiB), {
      processes: last.processes.map(processLabel).join(', '),
    });
    m.pss = measurement('lines.pss', 'idle memory, PSS (all processes), per Node line', v.label, 'MB', ss.map((s) => s.pssMiB));
    m.heap = measurement('lines.heap', 'V8 heapUsed after a full GC, per Node line', v.label, 'MB', ss.map((s) => s.heapUsedMiB!), {
      gc: [...new Set(ss.map((s) => s.gc))].join('/'),
    });
    byKey[v.key] = m;
  }
  // Each figure's ratio to the reference, in the same run.
  const refM = byKey[ref.key]!;
  for (const v of variants) {
    for (const [k, m] of Object.entries(byKey[v.key]!)) {
      const r = refM[k];
      if (r && v !== ref) m.details = { ...m.details, '÷ ref': Number((m.stats.median / r.stats.median).toFixed(3)) };
    }
  }
  // Grouped by metric, the variants in order under each.
  const measurements = ['build', 'start', 'ready', 'rss', 'pss', 'heap'].flatMap((k) => variants.map((v) => byKey[v.key]![k]).filter((m): m is Measurement => m !== undefined));

  // ---- checks: the service suite's start and memory targets, per line; the two mains on the default line
  const checks: Check[] = [];
  const mid = (m: Measurement) => formatValue(m.stats.median, m.unit);
  for (const l of lines) {
    const sv = byKey[`svcpack-${l.major}`]!;
    const bare = byKey[`bare-${l.major}`]!;
    checks.push(
      ratioCheck({
        id: `lines.start.${l.major}.svcpack-vs-bare`,
        label: `RUNNING, Node ${l.major}: svcpack / bare node.exe`,
        numerator: sv.start!,
        denominator: bare.start!,
        target: { op: '<=', value: 1.3 },
        explanation: `svcpack ${mid(sv.start!)} vs bare node.exe ${mid(bare.start!)} on Node ${l.version}: the shim (koffi written out and hash-checked, log file, Event Log source) and the SEA main load before RUNNING.`,
      }),
      ratioCheck({
        id: `lines.rss.${l.major}.svcpack-vs-bare`,
        label: `idle RSS, Node ${l.major}: svcpack / bare node.exe`,
        numerator: sv.rss!,
        denominator: bare.rss!,
        target: { op: '<=', value: 1.15 },
        explanation: `svcpack ${mid(sv.rss!)} vs bare node.exe ${mid(bare.rss!)} on Node ${l.version}; V8 heap ${mid(sv.heap!)} vs ${mid(bare.heap!)}.`,
      }),
    );
  }
  for (const v of variants.filter((x) => x.kind === 'svcpack' && x.main === 'script' && x.major >= 26)) {
    const moduleMain = byKey[`svcpack-${v.major}`]!;
    const script = byKey[v.key]!;
    checks.push(
      ratioCheck({
        id: `lines.start.${v.major}.module-vs-script`,
        label: `RUNNING, Node ${v.major}: module main / script loader (info)`,
        numerator: moduleMain.start!,
        denominator: script.start!,
        target: { op: '<=', value: 1.0 },
        explanation: `informational: module main ${mid(moduleMain.start!)} vs script loader ${mid(script.start!)}; the difference is within this machine's noise when the ranges overlap.`,
      }),
    );
  }

  const table: ReportTable = {
    title: `Per Node line (medians; × = ratio to ${ref.label} in this run; ÷ bare = to stock node.exe of the same version)`,
    header: ['Node', 'SEA main', 'warm build, hello-http', '×', 'StartService → RUNNING', '×', '÷ bare', 'HTTP answering', 'idle RSS', '×', '÷ bare', 'V8 heap'],
    align: 'llrrrrrrrrrr',
    rows: variants
      .filter((v) => v.kind === 'svcpack')
      .map((v) => {
        const m = byKey[v.key]!;
        const bare = byKey[`bare-${v.major}`]!;
        const x = (k: string) => (v === ref ? '1 (ref)' : formatValue(m[k]!.stats.median / refM[k]!.stats.median, 'ratio'));
        const b = (k: string) => formatValue(m[k]!.stats.median / bare[k]!.stats.median, 'ratio');
        return [
          v.version,
          v.main === 'module' ? 'module (app bundle)' : v.major >= 26 ? 'script loader (--node-binary)' : 'script loader',
          mid(m.build!),
          x('build'),
          mid(m.start!),
          x('start'),
          b('start'),
          mid(m.ready!),
          mid(m.rss!),
          x('rss'),
          b('rss'),
          mid(m.heap!),
        ];
      })
      .concat(
        variants
          .filter((v) => v.kind === 'bare')
          .map((v) => {
            const m = byKey[v.key]!;
            return [v.version, 'bare node.exe (koffi host)', '—', '—', mid(m.start!), formatValue(m.start!.stats.median / refM.start!.stats.median, 'ratio'), '—', mid(m.ready!), mid(m.rss!), formatValue(m.rss!.stats.median / refM.rss!.stats.median, 'ratio'), '—', mid(m.heap!)];
          }),
      ),
  };

  const notes = [
    `Node lines and their pinned patches: ${lines.map((l) => `${l.major} → ${l.version}${l.isDefault ? ' (svcpack’s default)' : ''}`).join(', ')} (bench/peers/tools.ts LINE_PINS, one per line of src/runtime/node-lines.ts). Ratios (÷ ref in the details, × in the table) are to the reference, ${ref.label}, measured in the same run.`,
    `Build: the warm \`node bin/svcpack.js build fixtures/hello-http/app.ts --node <version> --json\` under this machine’s Node ${process.version}, as in the build suite (wall time, process start and exit included; ${ctx.reps} repetition(s)${warmup ? ` after ${warmup} warm-up round` : ''}, variants interleaved, outputs removed and \`sync\` run between builds, untimed). What differs per line is the Node that generates the SEA blob (a host Node of exactly the target version, from svcpack’s cache; details: blob ms) and the node.exe read and written (exe MB).`,
    'Service: each repetition runs every variant once, in turn (bare node.exe and svcpack per line, oldest line first), with the service suite’s service life: sc create → StartService → RUNNING (scm-timer, SCM API) → HTTP answering → 2 s idle → RSS/PSS of every process from /proc, V8 heap after a full GC (GET /memory) → stop → sc delete. The bare contender is stock node.exe of the same version running bench/apps/bare-service.ts (koffi), the service suite’s baseline; it runs idle-http.js as CommonJS, svcpack runs it as an ES module.',
    `SEA main: Node 26 exes have the app bundle itself as their ES-module SEA main; 22 and 24 a CommonJS loader script that imports the bundle through vm.Script. “script loader (--node-binary)” is Node 26 with that loader: built with --node-binary <the same node.exe> and no --node, which svcpack builds with the loader since it decides the main before reading the binary’s version (its app bundle then targets node22 syntax). Every exe is checked for the main it is labelled with (the loader’s “${SCRIPT_LOADER_MARK}” in the exe). The build-time row of that variant includes reading node.exe to learn its version.`,
  ];

  return { suite: 'lines', title: linesSuite.title, measurements, checks, tables: [table], notes };
}
