/**
 * The compatibility suite: one small realistic service per widely used package or framework
 * (fixtures/compat), each built, run as a service under Wine's SCM, probed and stopped
 * gracefully by the machinery in compat-suite.ts, which prints the README table's figures.
 */
import path from 'node:path';
import { compatSuite } from './compat-suite';
import { fixturesDir } from './wine';

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

compatSuite({
  fixtureDir: path.join(fixturesDir, 'compat'),
  apps: COMPAT_APPS,
  firstPort: 18500,
  servicePrefix: 'SvcpackCompat',
  title: 'compatibility suite: real packages as services',
  tag: '[compat]',
});
