/**
 * The compatibility suites on the Linux target: every app of the three Windows suites
 * (test/e2e/compat-apps.ts: real packages, packages reached only at run time, APM agents) built
 * with `targets: 'linux-x64'`, two at a time while ONE container (Debian trixie, systemd 257) boots
 * and the first apps already run. Each app is installed by the install script its build wrote
 * (`--arg port=N`, and `--arg db=P` for an app whose PostgreSQL companion — pglite-server.mjs run
 * by the official Linux Node bound into the container, as a transient unit — listens inside the
 * container's private network), must be active, answers `/probe` with `{ ok: true, … }` over HTTP
 * from inside the container, stops with `<bin> stop` (Result=success) and is uninstalled with
 * `--purge`. The figures of docs/compatibility.md's Linux table are printed at the end. (The
 * build's refusals of addons it cannot embed for Linux are test/linux-target.test.ts's.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMPAT_SUITES } from '../e2e/compat-apps';
import { buildCompatApps, companionArgs, compatRuns, figuresRow, PGLITE_SERVER_SCRIPT, type BuiltApp, type CompatRun, type Figures, type PostgresCompanion } from '../support/compat';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { bootSystemd, officialLinuxNode, type SystemdContainer } from '../support/systemd';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-systemd-compat-'));
/** Where the builds' folders appear inside the container (bound read-only: the install scripts copy the binary to /opt). */
const BUILDS = '/compat-builds';
const NODE = '/usr/local/bin/node';
const SUPPORT = '/compat-support';
/** A fixture folder inside the container: bound read-only, for the companion's PGlite. */
const fixtureIn = (dir: string): string => `/compat-fixtures/${path.basename(dir)}`;

const runs = COMPAT_SUITES.flatMap((suite) => compatRuns(suite));
const running = runs.filter((r) => !r.app.linux);
const leftOut = runs.flatMap((r) => (r.app.linux ? [`${r.app.app}: ${r.app.linux.leftOut}`] : []));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The container's CLOCK_MONOTONIC (the host's: nspawn gives no time namespace) in µs, as systemd's *TimestampMonotonic. */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

describe('compatibility suites on linux-x64: real packages as systemd services', () => {
  let c: SystemdContainer;
  let builds: Map<string, Promise<BuiltApp>>;
  const figures = new Map<string, Figures>();

  beforeAll(async () => {
    for (const suite of COMPAT_SUITES) await ensureFixtureDeps(suite.fixtureDir);
    // In the order they run.
    builds = buildCompatApps(running, {
      concurrency: 2,
      outDir: (r) => path.join(scratch, r.name),
      options: { targets: 'linux-x64' },
    });
    const node = await officialLinuxNode();
    c = await bootSystemd({
      binds: [
        { host: scratch, container: BUILDS },
        { host: node, container: NODE },
        { host: path.dirname(PGLITE_SERVER_SCRIPT), container: SUPPORT },
        ...COMPAT_SUITES.map((s) => ({ host: s.fixtureDir, container: fixtureIn(s.fixtureDir) })),
      ],
    });
  });

  afterAll(async () => {
    await c?.shutdown();
    // Every build settled before the folder goes.
    await Promise.allSettled(builds?.values() ?? []);
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const suite of COMPAT_SUITES) {
      const rows = suite.apps.filter((a) => figures.has(a.app)).map((a) => figuresRow(a, figures.get(a.app)!));
      if (rows.length > 0) console.log([`${suite.tag}[linux-x64] figures (build in parallel pairs; start: InactiveExit → ActiveEnter, → first HTTP answer):`, ...rows].join('\n'));
    }
    if (leftOut.length > 0) console.log(['[compat][linux-x64] left out (compat-apps.ts says why):', ...leftOut].join('\n'));
  });

  /** Starts the companion in the container as a transient unit; resolves once it listens. */
  async function startCompanion(run: CompatRun, spec: PostgresCompanion): Promise<{ args: string[]; close(): Promise<void> }> {
    // A unit of the app's own: the journal of a unit name used before holds the earlier server's lines.
    const unit = `svcpack-pglite-${run.name}.service`;
    const r = await c.exec('systemd-run', ['--quiet', '--collect', `--unit=${unit}`, NODE, `${SUPPORT}/${path.basename(PGLITE_SERVER_SCRIPT)}`, fixtureIn(spec.fixtureDir), String(spec.port)]);
    expect(r.code, r.stderr).toBe(0);
    const deadline = performance.now() + 30_000;
    for (;;) {
      const log = await c.journalctl('-u', unit, '-o', 'cat');
      if (log.includes('pglite listening')) break;
      if (performance.now() > deadline) throw new Error(`the PGlite server ${unit} did not listen within 30 s:\n${log}`);
      await sleep(100);
    }
    return {
      args: companionArgs(spec),
      async close() {
        await c.systemctl('stop', unit);
      },
    };
  }

  for (const run of running) {
    test(`${run.app.app}: builds for linux-x64, installs, is active, answers its probe, stops (Result=success), uninstalls`, { timeout: 150_000 }, async () => {
      const built = await builds.get(run.name)!;
      const dist = `${BUILDS}/${run.name}`;
      const bin = `/opt/${run.name}/${run.name}`;
      const unit = `${run.name}.service`;
      const companion = run.app.companion ? await startCompanion(run, run.app.companion) : undefined;
      try {
        const args = [`port=${run.port}`, ...(companion?.args ?? [])].flatMap((a) => ['--arg', a]);
        const installed = await c.exec(`${dist}/install-${run.name}.sh`, ['--start-type', 'manual', ...args], { timeoutMs: 90_000 });
        const journal = (): Promise<string> => c.journalctl('-u', unit, '-o', 'cat', '-n', '40');
        expect(installed.code, `${installed.stdout}\n${installed.stderr}\n${await journal()}`).toBe(0);
        const answeringUs = await firstAnswer(run);
        expect((await c.systemctl('is-active', unit)).stdout.trim(), await journal()).toBe('active');
        const times = await show(unit, 'InactiveExitTimestampMonotonic', 'ActiveEnterTimestampMonotonic');
        const startUs = Number(times.InactiveExitTimestampMonotonic);
        const activeUs = Number(times.ActiveEnterTimestampMonotonic);
        expect(activeUs).toBeGreaterThan(startUs);

        const probe = await c.http(run.port, '/probe');
        console.log(`${run.suite.tag}[linux-x64] ${run.app.app} /probe: ${probe.body}`);
        expect(probe.status, probe.body).toBe(200);
        expect(JSON.parse(probe.body), probe.body).toMatchObject({ ok: true });

        const stopped = await c.exec(bin, ['stop'], { timeoutMs: 60_000 });
        expect(stopped.code, `${stopped.stdout}\n${stopped.stderr}`).toBe(0);
        expect(await show(unit, 'ActiveState', 'Result'), await journal()).toEqual({ ActiveState: 'inactive', Result: 'success' });
        const removed = await c.exec(`${dist}/uninstall-${run.name}.sh`, ['--purge'], { timeoutMs: 60_000 });
        expect(removed.code, `${removed.stdout}\n${removed.stderr}`).toBe(0);
        figures.set(run.app.app, {
          buildMs: built.buildMs,
          exeMB: built.result.record.size.exeBytes / 1024 / 1024,
          runningMs: (activeUs - startUs) / 1000,
          answeringMs: (Math.max(answeringUs, activeUs) - startUs) / 1000,
        });
      } finally {
        await companion?.close();
        fs.rmSync(path.join(scratch, run.name), { recursive: true, force: true });
      }
    });
  }

  /** `systemctl show -p …` of `unit` as an object. */
  async function show(unit: string, ...props: string[]): Promise<Record<string, string>> {
    const out = (await c.systemctl('show', ...props.flatMap((p) => ['-p', p]), unit)).stdout;
    return Object.fromEntries(out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  /** The monotonic time (µs) at which the app's `/` was first asked and answered (polled every 50 ms for up to 20 s). */
  async function firstAnswer(run: CompatRun): Promise<number> {
    const deadline = performance.now() + 20_000;
    for (;;) {
      const asked = monotonicUs();
      const answered = await c.http(run.port, '/').then(
        () => true,
        () => false,
      );
      if (answered) return asked;
      if (performance.now() > deadline) throw new Error(`${run.app.app} did not answer on port ${run.port} within 20 s`);
      await sleep(50);
    }
  }
});
