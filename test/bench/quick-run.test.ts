/**
 * `npm run bench -- --quick` as CI runs it: every suite once (one repetition per figure), through
 * the same runner, writing the same three report files. Figures are printed, never asserted (these
 * machines are noisy); what is asserted is that every suite ran, that every metric the report
 * promises is there for every contender with a finite sample, that the supervised log lost and
 * duplicated nothing, and that the JSON, Markdown and PNG files were written.
 *
 * Needs Wine (the service suites), mingw-w64 (the native C service) and, for the linux suite, what
 * test/support/systemd.ts needs (root, systemd-nspawn, the systemd root): without them this FAILS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SuiteResult } from '../../bench/lib/types';
import { runBench, SUITES, type RunResult } from '../../bench/run';
import { ADDON_APPS, ADDON_STARTS, HASH_CONTENDER } from '../../bench/suites/addons';
import { benchFixtures, CONTENDER } from '../../bench/suites/build';
import { EMBEDDED_APPS, READ_KINDS, WORKER_KINDS } from '../../bench/suites/embedded';
import { TREE_VARIANTS, treeApps } from '../../bench/suites/tree';
import { PACKAGES_VARIANTS } from '../../bench/suites/packages';
import { lineVariants } from '../../bench/suites/lines';
import { CONTENDERS } from '../../bench/suites/service';
import { LINUX_CONTENDERS } from '../../bench/suites/linux';
import { benchLineVersions } from '../../bench/peers/tools';
import { requireWine } from '../support/wine';

let outDir = '';
let run: RunResult | undefined;
let runError: unknown;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-bench-quick-'));
  try {
    requireWine();
    run = await runBench({ quick: true, outDir, log: (m) => console.log(`[bench] ${m}`) });
    console.log(fs.readFileSync(run.files.markdown, 'utf8'));
  } catch (err) {
    runError = err;
  }
}, 40 * 60_000);

afterAll(() => {
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

function result(): RunResult {
  if (!run) throw runError ?? new Error('the quick benchmark run did not happen');
  return run;
}

function suite(name: string): SuiteResult {
  const found = result().report.suites.find((s) => s.suite === name);
  if (!found) throw new Error(`suite ${name} missing: ${result().failures.find((f) => f.suite === name)?.error ?? 'not run'}`);
  return found;
}

/** Every metric × contender is present with one finite sample. */
function expectComplete(s: SuiteResult, expected: Record<string, readonly string[]>): void {
  for (const [metric, contenders] of Object.entries(expected)) {
    for (const contender of contenders) {
      const m = s.measurements.find((x) => x.metric === metric && x.contender === contender);
      expect(m, `${metric} for ${contender}`).toBeDefined();
      expect(m!.samples, `${metric} for ${contender}`).toHaveLength(1);
      expect(m!.samples.every(Number.isFinite), `${metric} for ${contender}: ${m!.samples.join(', ')}`).toBe(true);
    }
  }
  for (const c of s.checks) expect(Number.isFinite(c.value), `check ${c.id}`).toBe(true);
  expect(s.notes.length).toBeGreaterThan(0);
}

describe('npm run bench -- --quick', () => {
  test('every suite ran, and the JSON, Markdown and PNG reports were written', () => {
    const { report, files, failures } = result();
    expect(failures).toEqual([]);
    expect(report.quick).toBe(true);
    expect(report.reps).toBe(1);
    expect(report.suites.map((s) => s.suite)).toEqual(SUITES.map((s) => s.name));
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8')).suites).toHaveLength(SUITES.length);
    expect(fs.readFileSync(files.markdown, 'utf8')).toMatch(/quick mode/);
    expect(fs.readFileSync(files.chart).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  test('build: cold and warm wall time and peak memory, hello-http (quick mode leaves large-app to full runs), every contender, with the targets checked', () => {
    const s = suite('build');
    const contenders = Object.values(CONTENDER);
    expect(benchFixtures(true).map((f) => f.id)).toEqual(['hello']);
    expect(benchFixtures(false).map((f) => f.id)).toEqual(['hello', 'large']);
    const metrics = benchFixtures(true).flatMap((f) => ['warm', 'cold'].flatMap((mode) => [`build.${mode}.${f.id}`, `build.memory.${mode}.${f.id}`]));
    expectComplete(s, Object.fromEntries(metrics.map((m) => [m, contenders])));
    // Quick mode reports the targets, met or not; it never fails on one.
    expect(s.checks.map((c) => c.id)).toEqual([
      'build.warm.hello.svcpack-vs-bun',
      'build.warm.hello.svcpack-vs-pkg',
      'build.cold.hello.svcpack-vs-bun',
      'build.memory.warm.hello.svcpack-vs-bun',
      'build.watch.hello',
    ]);
    // Every contender is at least one Node or bun process: tens of MiB.
    for (const m of s.measurements.filter((x) => x.metric.startsWith('build.memory.'))) expect(m.samples[0], `${m.metric} for ${m.contender}`).toBeGreaterThan(20);
    const svcpack = s.measurements.find((m) => m.metric === 'build.warm.hello' && m.contender === CONTENDER.svcpack)!;
    expect(svcpack.details).toMatchObject({ 'bundle ms': expect.any(Number) });
    // Watch mode: svcpack only, a few edits in quick mode, each a rebuild's own time in seconds.
    const watch = s.measurements.filter((m) => m.metric === 'build.watch.hello');
    expect(watch.map((m) => m.contender)).toEqual([CONTENDER.svcpack]);
    expect(watch[0]!.unit).toBe('s');
    expect(watch[0]!.samples).toHaveLength(3);
    expect(watch[0]!.samples.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(s.checks.find((c) => c.id === 'build.watch.hello')).toMatchObject({ kind: 'absolute', unit: 's', target: { op: '<=', value: 0.25 } });
  });

  test('size: exe, runtime and payload of every packer, compressed and not', () => {
    const s = suite('size');
    const contenders = ['svcpack', 'svcpack --compress', 'svcpack --packer pkg', 'svcpack --packer pkg --compress', 'hand-made SEA', 'pkg --sea', 'pkg --sea --compress Brotli', 'bun build --compile'];
    expectComplete(s, Object.fromEntries(benchFixtures(true).flatMap((f) => ['exe', 'runtime', 'payload'].map((k) => `size.${k}.${f.id}`)).map((m) => [m, contenders])));
  });

  test('service: start, ready, stop and memory of every contender', () => {
    const s = suite('service');
    const all = Object.values(CONTENDERS);
    const node = all.filter((c) => c !== CONTENDERS.native);
    expectComplete(s, {
      'service.start': all,
      'service.stop': all,
      'memory.rss': all,
      'memory.pss': all,
      'memory.processes': all,
      'service.ready': node,
      'memory.heap': node,
    });
    const processes = (c: string) => s.measurements.find((m) => m.metric === 'memory.processes' && m.contender === c)!.samples[0];
    expect(processes(CONTENDERS.svcpack)).toBe(1);
    expect(processes(CONTENDERS.supervised)).toBeGreaterThanOrEqual(2);
    expect(processes(CONTENDERS.wrapper)).toBe(2);
  });

  test('lines: build, start and memory on every supported Node line, the module main against the script loader, and the per-line table', () => {
    const s = suite('lines');
    const lines = benchLineVersions();
    const variants = lineVariants(lines);
    const all = variants.map((v) => v.label);
    const svcpack = variants.filter((v) => v.kind === 'svcpack').map((v) => v.label);
    expectComplete(s, { 'lines.build.hello': svcpack, 'lines.start': all, 'lines.ready': all, 'lines.rss': all, 'lines.pss': all, 'lines.heap': all });
    expect(s.checks.map((c) => c.id)).toEqual([
      ...lines.flatMap((l) => [`lines.start.${l.major}.svcpack-vs-bare`, `lines.rss.${l.major}.svcpack-vs-bare`]),
      ...lines.filter((l) => l.major >= 26).map((l) => `lines.start.${l.major}.module-vs-script`),
    ]);
    expect(s.tables?.[0]?.rows).toHaveLength(variants.length);
  });

  test('supervision: restart latency and log throughput, nothing lost or duplicated', () => {
    const s = suite('supervision');
    const supervised = [CONTENDERS.supervised];
    expectComplete(s, { 'restart.latency': supervised, 'restart.overhead': supervised, 'log.lines': supervised, 'log.bytes': supervised, 'log.lost': supervised });
    const lost = s.measurements.find((m) => m.metric === 'log.lost')!;
    expect(lost.samples).toEqual([0]);
    expect(lost.details).toMatchObject({ missing: 0, duplicated: 0, unexpected: 0, 'out of order': 0 });
  });

  test('addons: build, exe size, first and later start of the addon app against hello-http, the re-hash cost, and the table', () => {
    const s = suite('addons');
    const apps = Object.values(ADDON_APPS);
    const starts = Object.values(ADDON_STARTS);
    expectComplete(s, {
      'addons.build': apps,
      'addons.exe': apps,
      'addons.start': starts,
      'addons.ready': starts,
      'addons.stop': starts,
      'addons.rss': starts,
      'addons.rehash': [HASH_CONTENDER],
    });
    const exe = (c: string) => s.measurements.find((m) => m.metric === 'addons.exe' && m.contender === c)!.samples[0]!;
    expect(exe(ADDON_APPS.addons)).toBeGreaterThan(exe(ADDON_APPS.hello));
    expect(s.tables?.[0]?.rows).toHaveLength(starts.length);
  });

  test('embedded: build and exe of hello-http and multi-module, the per-module figures, the per-worker and per-read probe (no worktree, no service lives in quick mode)', () => {
    const s = suite('embedded');
    const apps = [EMBEDDED_APPS.hello, EMBEDDED_APPS.multi];
    expectComplete(s, {
      'embedded.build': apps,
      'embedded.exe': apps,
      'embedded.per-module.build': [EMBEDDED_APPS.multi],
      'embedded.per-module.exe': [EMBEDDED_APPS.multi],
      'embedded.worker.first': Object.values(WORKER_KINDS),
      'embedded.worker.later': Object.values(WORKER_KINDS),
      'embedded.read': Object.values(READ_KINDS),
    });
    expect(s.measurements.some((m) => m.contender === EMBEDDED_APPS.helloBefore || m.metric === 'embedded.start')).toBe(false);
    const multi = s.measurements.find((m) => m.metric === 'embedded.build' && m.contender === EMBEDDED_APPS.multi)!;
    expect(multi.details?.['embedded modules']).toBeGreaterThan(0);
    expect(s.tables?.map((t) => t.rows.length)).toEqual([2, 4]);
  });

  test('tree: per app (express, libsql), with the tree and bundle only: warm build and exe, and a cold build with the tree (no service lives in quick mode)', () => {
    const s = suite('tree');
    const both = treeApps(true).flatMap((a) => Object.values(TREE_VARIANTS).map((v) => `${a.label}, ${v}`));
    expectComplete(s, {
      'tree.build.warm': both,
      'tree.exe': both,
      'tree.build.cold': treeApps(true).map((a) => `${a.label}, ${TREE_VARIANTS.tree}`),
    });
    expect(s.measurements.some((m) => m.metric === 'tree.start')).toBe(false);
    const exe = (c: string) => s.measurements.find((m) => m.metric === 'tree.exe' && m.contender === c)!;
    const withTree = exe(`libsql, ${TREE_VARIANTS.tree}`);
    expect(withTree.samples[0]).toBeGreaterThan(exe(`libsql, ${TREE_VARIANTS.bundle}`).samples[0]!);
    expect(withTree.details?.packages).toBeGreaterThan(10);
    expect(s.tables?.[0]?.rows).toHaveLength(2);
  });

  test('packages: express and the otel agent app, with --packages node and bundle: warm build and exe (no service lives in quick mode)', () => {
    const s = suite('packages');
    const both = ['express', 'otel'].flatMap((app) => Object.values(PACKAGES_VARIANTS).map((v) => `${app}, ${v}`));
    expectComplete(s, { 'packages.build.warm': both, 'packages.exe': both });
    expect(s.measurements.some((m) => m.metric === 'packages.start')).toBe(false);
    // The tree is in the exe either way; the bundle holds a second copy of the packages it inlined.
    const exe = (c: string) => s.measurements.find((m) => m.metric === 'packages.exe' && m.contender === c)!.samples[0]!;
    expect(exe(`otel, ${PACKAGES_VARIANTS.node}`)).toBeLessThan(exe(`otel, ${PACKAGES_VARIANTS.bundle}`));
    expect(s.tables?.[0]?.rows).toHaveLength(2);
  });

  test('linux: build and size of the linux-x64 ELF against win-x64, and start, HTTP and idle RSS under systemd against bare node in the same unit', () => {
    const s = suite('linux');
    const service = [LINUX_CONTENDERS.elf, LINUX_CONTENDERS.bare];
    expectComplete(s, {
      'linux.build.hello': [LINUX_CONTENDERS.elf, LINUX_CONTENDERS.win],
      'linux.size.hello': [LINUX_CONTENDERS.elf, LINUX_CONTENDERS.win],
      'linux.start.active': service,
      'linux.start.http': service,
      'linux.rss': service,
    });
    expect(s.checks.map((c) => c.id)).toEqual(['linux.start.http.svcpack-vs-bare', 'linux.rss.svcpack-vs-bare']);
    expect(s.tables?.[0]?.rows).toHaveLength(5);
  });
});
