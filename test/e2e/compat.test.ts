/**
 * The compatibility suite (issue 15 item 4): one small realistic service per widely used package
 * or framework, installed as users install them (fixtures/compat: a plain `npm install` on Linux;
 * `npm ci` here through test/support/fixture-deps.ts), built with svcpack on its default Node,
 * registered with Wine's SCM, started, probed over HTTP (each app's `/probe` exercises its package
 * and answers `{ ok: true, … }`) and stopped gracefully (STOPPED, exit codes 0/0). The apps are
 * built two at a time (two cores) while Wine starts, and run one after another in one Wine
 * session. The figures the README's compatibility table shows are printed at the end.
 */
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { createServiceCommand, e2eFile, ensurePortFree, fixturesDir, httpGet, sc, scratchDir, waitForHttp, waitForState, winPath } from './wine';

const COMPAT_DIR = path.join(fixturesDir, 'compat');

/** The apps (fixtures/compat/apps/<app>.ts), what each stands for, and its package(s). */
export const COMPAT_APPS = [
  { app: 'express', kind: 'web framework', packages: 'express 5' },
  { app: 'fastify', kind: 'web framework', packages: 'fastify 5' },
  { app: 'hono', kind: 'web framework', packages: 'hono 4, @hono/node-server' },
  { app: 'koa', kind: 'web framework', packages: 'koa 3, @koa/router' },
  { app: 'winston', kind: 'logger', packages: 'winston 3 (file transport)' },
  { app: 'pino', kind: 'logger', packages: 'pino 10, pino-pretty (transport in a worker thread)' },
  { app: 'node-sqlite', kind: 'database', packages: 'node:sqlite (built in)' },
  { app: 'classic-level', kind: 'embedded database, native addon', packages: 'classic-level 3 (LevelDB)' },
  { app: 'croner', kind: 'scheduler', packages: 'croner 11' },
  { app: 'p-queue', kind: 'queue', packages: 'p-queue 9 (ES module only)' },
  { app: 'validation', kind: 'validation', packages: 'zod 4, ajv 8' },
  { app: 'axios', kind: 'HTTP client', packages: 'axios 1' },
  { app: 'graphql', kind: 'API', packages: 'graphql 16' },
  { app: 'ws', kind: 'WebSockets', packages: 'ws 8' },
  { app: 'piscina', kind: 'worker pool', packages: 'piscina 5' },
  { app: 'cluster', kind: 'process cluster', packages: 'node:cluster (built in), two workers sharing the port' },
  { app: 'tsyringe', kind: 'dependency injection', packages: 'tsyringe 4, reflect-metadata' },
  { app: 'nestjs', kind: 'framework, dependency injection', packages: '@nestjs/core 12, @nestjs/platform-express' },
] as const;

type AppName = (typeof COMPAT_APPS)[number]['app'];
const FIRST_PORT = 18500;
const serviceName = (app: string) => `SvcpackCompat${app.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase())}`;

interface Built {
  exe: string;
  result: BuildResult;
  buildMs: number;
}

/** Builds the apps, `concurrency` at a time; a failed build is kept as its error (its test fails with it). */
async function buildAll(concurrency: number): Promise<Map<AppName, Built | Error>> {
  const out = new Map<AppName, Built | Error>();
  const queue = COMPAT_APPS.map((a) => a.app);
  const worker = async () => {
    for (let app = queue.shift(); app; app = queue.shift()) {
      const outDir = scratchDir(serviceName(app));
      const t = performance.now();
      try {
        const result = await build({ entry: path.join(COMPAT_DIR, 'apps', `${app}.ts`), name: serviceName(app), outDir, stopTimeoutMs: 10_000 });
        out.set(app, { exe: result.files[0]!, result, buildMs: performance.now() - t });
      } catch (err) {
        out.set(app, err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

const file = e2eFile({
  services: COMPAT_APPS.map((a) => serviceName(a.app)),
  setup: async () => {
    await ensureFixtureDeps(COMPAT_DIR);
    return buildAll(2);
  },
});

/** What each app's run measured, for the table printed at the end. */
const figures = new Map<AppName, { buildMs: number; exeMB: number; runningMs: number; answeringMs: number }>();

describe('compatibility suite: real packages as services', () => {
  COMPAT_APPS.forEach(({ app }, i) => {
    test(`${app}: builds, starts as a service, answers its probe, stops gracefully`, { timeout: 90_000 }, async () => {
      const built = file.ctx.get(app);
      if (!built || built instanceof Error) throw built ?? new Error(`${app} was not built`);
      const name = serviceName(app);
      const port = FIRST_PORT + i;
      await ensurePortFree(port);
      await createServiceCommand(name, `"${winPath(built.exe)}" --service port=${port}`);
      const since = performance.now();
      const started = await sc('start', name);
      expect(started.code, started.text).toBe(0);
      const running = await waitForState(name, 'RUNNING', 30_000, { since });
      await waitForHttp(`http://127.0.0.1:${port}/`, 20_000);
      const answeringMs = performance.now() - since;
      const body = await httpGet(`http://127.0.0.1:${port}/probe`, 20_000);
      expect(body, `${app} did not answer its probe`).not.toBeNull();
      expect(JSON.parse(body!)).toMatchObject({ ok: true });

      const stopping = await sc('stop', name);
      expect(stopping.code, stopping.text).toBe(0);
      const stopped = await waitForState(name, 'STOPPED', 20_000);
      expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
      figures.set(app, { buildMs: built.buildMs, exeMB: built.result.record.size.exeBytes / 1024 / 1024, runningMs: running.ms, answeringMs });
    });
  });

  afterAll(() => {
    const rows = COMPAT_APPS.filter((a) => figures.has(a.app)).map((a) => {
      const f = figures.get(a.app)!;
      return `| ${a.app} | ${a.kind} | ${a.packages} | ${(f.buildMs / 1000).toFixed(1)} s | ${f.exeMB.toFixed(1)} MB | ${Math.round(f.runningMs)} ms | ${Math.round(f.answeringMs)} ms |`;
    });
    if (rows.length > 0) console.log(['[compat] figures (build in parallel pairs; start: sc start → RUNNING, → HTTP answering):', ...rows].join('\n'));
  });
});
