/**
 * The compatibility suite (issue 15 item 4): one small realistic service per widely used package
 * or framework, installed as users install them (fixtures/compat: a plain `npm install` on Linux;
 * `npm ci` here through test/support/fixture-deps.ts), built with svcpack on its default Node,
 * registered with Wine's SCM, started, probed over HTTP (each app's `/probe` exercises its package
 * and answers `{ ok: true, … }`) and stopped gracefully (STOPPED, exit codes 0/0). The apps are
 * built two at a time (two cores) while Wine starts, and run one after another in one Wine
 * session. The figures the README's compatibility table shows are printed at the end.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { createServiceCommand, e2eFile, ensurePortFree, fixturesDir, httpGet, sc, scratchDir, waitForHttp, waitForState, winPath } from './wine';

const COMPAT_DIR = path.join(fixturesDir, 'compat');
const TSC_APP_DIR = path.join(COMPAT_DIR, 'tsc-app');

/**
 * Compiles fixtures/compat/tsc-app with the project's own TypeScript into its dist/ (gitignored;
 * emptied first), as a user's `tsc` build would: CommonJS .js files next to which Node finds
 * fixtures/compat/node_modules by walking up.
 */
async function compileTscApp(): Promise<void> {
  await fs.rm(path.join(TSC_APP_DIR, 'dist'), { recursive: true, force: true });
  const tsc = path.join(fixturesDir, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(TSC_APP_DIR, 'tsconfig.json')], { env: { ...process.env, NODE_OPTIONS: '' } });
  } catch (err) {
    throw new Error(`tsc -p ${TSC_APP_DIR} failed: ${`${(err as { stdout?: string }).stdout ?? ''}`.trim() || (err as Error).message}`);
  }
}

/** An app of the suite; `entry` (relative to fixtures/compat) defaults to apps/<app>.ts. */
interface CompatApp {
  app: string;
  kind: string;
  packages: string;
  entry?: string;
  /** Run before the app is built. */
  prepare?: () => Promise<void>;
}

/** The apps (fixtures/compat/apps/<app>.ts unless `entry` says otherwise), what each stands for, and its package(s). */
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
  { app: 'hbs', kind: 'view engine chosen by name', packages: 'express 5, hbs 4 (handlebars; views read at run time)' },
  { app: 'swagger-ui-express', kind: 'package serving its own folder', packages: 'swagger-ui-express 5 (swagger-ui-dist through express.static)' },
  { app: 'socket-io', kind: 'WebSockets, realtime', packages: 'socket.io 4, socket.io-client 4' },
  { app: 'grpc', kind: 'RPC, .proto read at run time', packages: '@grpc/grpc-js 1, @grpc/proto-loader 0.8' },
  { app: 'nestjs-shutdown-hooks', kind: 'framework re-raising SIGTERM', packages: '@nestjs/core 12 with app.enableShutdownHooks()' },
  { app: 'tsc-app', kind: 'compiled with tsc to CommonJS', packages: 'tsyringe 4, zod 4, dotenv by name (required from tsc output)', entry: 'tsc-app/dist/main.js', prepare: compileTscApp },
] as const satisfies readonly CompatApp[];

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
  const queue: CompatApp[] = [...COMPAT_APPS];
  const worker = async () => {
    for (let spec = queue.shift(); spec; spec = queue.shift()) {
      const app = spec.app as AppName;
      const outDir = scratchDir(serviceName(app));
      try {
        await spec.prepare?.();
        const t = performance.now();
        const entry = path.join(COMPAT_DIR, spec.entry ?? path.join('apps', `${app}.ts`));
        const result = await build({ entry, name: serviceName(app), outDir, stopTimeoutMs: 10_000 });
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
