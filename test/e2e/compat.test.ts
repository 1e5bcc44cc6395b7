/**
 * The compatibility suite: one small realistic service per widely used package or framework
 * (fixtures/compat), each built, run as a service under Wine's SCM, probed and stopped
 * gracefully by the machinery in compat-suite.ts, which prints the README table's figures.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { compatSuite, type CompatApp } from './compat-suite';
import { fixturesDir } from './wine';

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

compatSuite({
  fixtureDir: COMPAT_DIR,
  apps: COMPAT_APPS,
  firstPort: 18500,
  servicePrefix: 'SvcpackCompat',
  title: 'compatibility suite: real packages as services',
  tag: '[compat]',
});
