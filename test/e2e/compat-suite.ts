/**
 * The machinery of the compatibility suites (compat.test.ts, compat-runtime.test.ts,
 * compat-hooks.test.ts): each app of a fixture (`<fixture>/apps/<app>.ts` unless it names its entry; the fixture's packages
 * installed as users install them: a plain `npm install` on Linux, `npm ci` here through
 * test/support/fixture-deps.ts) is built with svcpack on its default Node, registered with Wine's SCM, started, probed over HTTP (each app's
 * `/probe` exercises its package and answers `{ ok: true, … }`) and stopped gracefully (STOPPED,
 * exit codes 0/0). The apps are built two at a time (two cores) while Wine starts, and run one
 * after another in one Wine session. The figures docs/compatibility.md's tables show are
 * printed at the end.
 */
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import type { BuildOptions } from '../../src/config/options';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { createServiceCommand, e2eFile, ensurePortFree, httpGet, sc, scratchDir, waitForHttp, waitForState, winPath } from './wine';

/** Something an app needs beside it while it runs (a database server the test starts). */
export interface Companion {
  /** Extra `name=value` arguments for the service (Wine gives services no custom environment). */
  args: string[];
  close(): Promise<void>;
}

/** One app of a suite: its file name, what it stands for and its package(s), for the table. */
export interface CompatApp {
  readonly app: string;
  readonly kind: string;
  readonly packages: string;
  /** The entry, relative to the fixture folder; apps/<app>.ts when not given. */
  readonly entry?: string;
  /** Run before the app is built (compiling it with tsc, say). */
  readonly prepare?: () => Promise<void>;
  /** Build options beside entry, name and outDir. */
  readonly build?: Partial<BuildOptions>;
  /** Started before the service, closed after it stopped (or failed). */
  readonly companion?: () => Promise<Companion>;
}

export interface CompatSuite {
  /** The fixture folder: package.json, package-lock.json, apps/. */
  fixtureDir: string;
  apps: readonly CompatApp[];
  /** App i listens on firstPort + i. */
  firstPort: number;
  /** Service names are the prefix and the app's name in PascalCase. */
  servicePrefix: string;
  /** The describe block's title. */
  title: string;
  /** Tag of the printed figures, e.g. `[compat]`. */
  tag: string;
}

interface Built {
  exe: string;
  result: BuildResult;
  buildMs: number;
}

interface Figures {
  buildMs: number;
  exeMB: number;
  runningMs: number;
  answeringMs: number;
}

/** `express` → `<prefix>Express`, `sql-js` → `<prefix>SqlJs`. */
export function compatServiceName(prefix: string, app: string): string {
  return `${prefix}${app.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase())}`;
}

/** Builds the apps, `concurrency` at a time; a failed build is kept as its error (its test fails with it). */
async function buildAll(suite: CompatSuite, concurrency: number): Promise<Map<string, Built | Error>> {
  const out = new Map<string, Built | Error>();
  const queue = [...suite.apps];
  const worker = async () => {
    for (let app = queue.shift(); app; app = queue.shift()) {
      const name = compatServiceName(suite.servicePrefix, app.app);
      try {
        await app.prepare?.();
        const t = performance.now();
        const entry = path.join(suite.fixtureDir, app.entry ?? path.join('apps', `${app.app}.ts`));
        const result = await build({ stopTimeout: 10_000, ...app.build, entry, name, outDir: scratchDir(name) });
        out.set(app.app, { exe: result.files[0]!, result, buildMs: performance.now() - t });
      } catch (err) {
        out.set(app.app, err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** The docs/compatibility.md table row of one app. */
export function figuresRow(app: CompatApp, f: Figures): string {
  return `| ${app.app} | ${app.kind} | ${app.packages} | ${(f.buildMs / 1000).toFixed(1)} s | ${f.exeMB.toFixed(1)} MB | ${Math.round(f.runningMs)} ms | ${Math.round(f.answeringMs)} ms |`;
}

/** Declares the suite's tests: one per app, in order, in one Wine session. */
export function compatSuite(suite: CompatSuite): void {
  const file = e2eFile({
    services: suite.apps.map((a) => compatServiceName(suite.servicePrefix, a.app)),
    setup: async () => {
      await ensureFixtureDeps(suite.fixtureDir);
      return buildAll(suite, 2);
    },
  });

  const figures = new Map<string, Figures>();

  describe(suite.title, () => {
    suite.apps.forEach((app, i) => {
      test(`${app.app}: builds, starts as a service, answers its probe, stops gracefully`, { timeout: 90_000 }, async () => {
        const built = file.ctx.get(app.app);
        if (!built || built instanceof Error) throw built ?? new Error(`${app.app} was not built`);
        const name = compatServiceName(suite.servicePrefix, app.app);
        const port = suite.firstPort + i;
        await ensurePortFree(port);
        const companion = await app.companion?.();
        try {
          const args = [`port=${port}`, ...(companion?.args ?? [])].join(' ');
          await createServiceCommand(name, `"${winPath(built.exe)}" --service ${args}`);
          const since = performance.now();
          const started = await sc('start', name);
          expect(started.code, started.text).toBe(0);
          const running = await waitForState(name, 'RUNNING', 30_000, { since });
          await waitForHttp(`http://127.0.0.1:${port}/`, 20_000);
          const answeringMs = performance.now() - since;
          const body = await httpGet(`http://127.0.0.1:${port}/probe`, 20_000);
          expect(body, `${app.app} did not answer its probe`).not.toBeNull();
          console.log(`${suite.tag} ${app.app} /probe: ${body}`);
          expect(JSON.parse(body!), body!).toMatchObject({ ok: true });

          const stopping = await sc('stop', name);
          expect(stopping.code, stopping.text).toBe(0);
          const stopped = await waitForState(name, 'STOPPED', 20_000);
          expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
          figures.set(app.app, { buildMs: built.buildMs, exeMB: built.result.record.size.exeBytes / 1024 / 1024, runningMs: running.ms, answeringMs });
        } finally {
          await companion?.close();
        }
      });
    });

    afterAll(() => {
      const rows = suite.apps.filter((a) => figures.has(a.app)).map((a) => figuresRow(a, figures.get(a.app)!));
      if (rows.length > 0) console.log([`${suite.tag} figures (build in parallel pairs; start: sc start → RUNNING, → HTTP answering):`, ...rows].join('\n'));
    });
  });
}
