/**
 * The compatibility suites' apps (run by compat.test.ts, compat-runtime.test.ts and
 * compat-hooks.test.ts through compat-suite.ts under Wine, all three by test/systemd/compat.test.ts
 * on the Linux target; measured by the bench's tree suite, the first two, and its packages suite,
 * all three): fixtures/compat, one small realistic service per
 * widely used package or framework; fixtures/compat-runtime, packages reached only at run time by
 * names the bundler cannot see — a database driver loaded by name, an emscripten `.wasm` found
 * beside its loader, a per-platform native package picked by a computed name, a native addon
 * loaded through createRequire(import.meta.url) from an ES module, the app's own modules found by
 * listing a folder, data files named by a template, and Node's module-resolution APIs
 * (require.resolve with paths, import.meta.resolve, #imports, …); and fixtures/compat-hooks, APM
 * and tracing agents whose require hooks must see the app's packages load. An app that does not
 * run on Linux says so, and why, in its `linux` field (the only place such exceptions live).
 * Free of vitest, so the benchmarks can import it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CompatApp, CompatSuite, PostgresCompanion } from '../support/compat';
import { fixturesDir } from '../support/wine';

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

/** The apps (fixtures/compat/apps/<app>.ts unless `entry` says otherwise), what each stands for, and its package(s). */
const COMPAT_APPS = [
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

/** The first suite: one small realistic service per widely used package or framework. */
export const COMPAT: CompatSuite = {
  fixtureDir: COMPAT_DIR,
  apps: COMPAT_APPS,
  firstPort: 18500,
  servicePrefix: 'SvcpackCompat',
  title: 'compatibility suite: real packages as services',
  tag: '[compat]',
};

const FIXTURE = path.join(fixturesDir, 'compat-runtime');
const FIRST_PORT = 18600;
const DB_PORT = 18690;

/** A PGlite server for an app of `fixtureDir` (whose dev dependencies hold PGlite) on `port`. */
function postgres(fixtureDir: string, port: number): PostgresCompanion {
  return { kind: 'postgres', fixtureDir, port };
}

/** The apps (fixtures/compat-runtime/apps/<app>.ts), what each stands for, and its package(s). */
const COMPAT_RUNTIME_APPS = [
  { app: 'sequelize', kind: 'ORM, driver loaded by name', packages: 'sequelize 6, pg 8 (against PGlite over TCP)', companion: postgres(FIXTURE, DB_PORT) },
  { app: 'sql-js', kind: 'database, emscripten .wasm', packages: 'sql.js 1' },
  { app: 'libsql', kind: 'database, per-platform native package', packages: '@libsql/client 0.18 (libsql, neon)' },
  {
    app: 'sharp',
    kind: 'images, native addon from an ES module',
    packages: 'sharp 0.35 (createRequire, libvips DLLs)',
    linux: {
      leftOut:
        "sharp's Linux addon finds libvips-cpp.so through its RPATH in the separate package @img/sharp-libvips-linux-x64; the linux-x64 build embeds only the .so files beside the .node, so the service fails to start (ERR_DLOPEN_FAILED: libvips-cpp.so.8.18.8) — not supported on Linux yet",
    },
  },
  { app: 'fastify-autoload', kind: "the app's own modules by folder", packages: '@fastify/autoload 6, fastify 5' },
  { app: 'i18next', kind: 'data files by a name template', packages: 'i18next 27, i18next-fs-backend 2' },
  { app: 'module-apis', kind: 'module-resolution APIs', packages: 'pdfkit 0.20 (#imports through createRequire), chalk 5 (#imports), jsdom 29 (require.resolve of its sync-XHR worker), pg 8' },
] as const satisfies readonly CompatApp[];

/** The second suite: packages reached only at run time, by names the bundler cannot see. */
export const COMPAT_RUNTIME: CompatSuite = {
  fixtureDir: FIXTURE,
  apps: COMPAT_RUNTIME_APPS,
  firstPort: FIRST_PORT,
  servicePrefix: 'SvcpackCompatRt',
  title: 'compatibility suite, part two: packages reached only at run time',
  tag: '[compat-runtime]',
};

const HOOKS_FIXTURE = path.join(fixturesDir, 'compat-hooks');
const HOOKS_DB_PORT = 18691;

/**
 * The apps (fixtures/compat-hooks/apps/<app>.ts), what each stands for, and its package(s): APM
 * agents that patch packages as they are required, each started by a `preload` module before the
 * app's imports. Nothing else is set: the fixture's production tree holds require-in-the-middle,
 * so the default packages mode (`auto`) loads the packages with Node's own `require`, where the
 * agents' hooks see them.
 */
const COMPAT_HOOKS_APPS = [
  {
    app: 'otel',
    kind: 'tracing, require hooks',
    packages: '@opentelemetry/sdk-node 0.301, instrumentation-http, instrumentation-pg, pg 8 (PGlite over TCP)',
    build: { preload: [path.join(HOOKS_FIXTURE, 'apps', 'otel-tracing.ts')] },
    companion: postgres(HOOKS_FIXTURE, HOOKS_DB_PORT),
  },
  {
    app: 'elastic-apm',
    kind: 'APM agent, require hooks',
    packages: 'elastic-apm-node 4 (disableSend), pg 8 (PGlite over TCP)',
    build: { preload: [path.join(HOOKS_FIXTURE, 'apps', 'elastic-apm-agent.ts')] },
    companion: postgres(HOOKS_FIXTURE, HOOKS_DB_PORT),
  },
] as const satisfies readonly CompatApp[];

/** The third suite: APM and tracing agents whose require hooks must see the app's packages load. */
export const COMPAT_HOOKS: CompatSuite = {
  fixtureDir: HOOKS_FIXTURE,
  apps: COMPAT_HOOKS_APPS,
  firstPort: 18660,
  servicePrefix: 'SvcpackCompatHk',
  title: 'compatibility suite, part three: APM agents patching packages as they load',
  tag: '[compat-hooks]',
};

/** Every compatibility suite, in the order the bench reports them. */
export const COMPAT_SUITES: readonly CompatSuite[] = [COMPAT, COMPAT_RUNTIME, COMPAT_HOOKS];
