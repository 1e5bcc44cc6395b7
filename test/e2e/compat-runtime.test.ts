/**
 * The compatibility suite, part two: packages reached only at run time, by names the bundler
 * cannot see (fixtures/compat-runtime) — a database driver loaded by name, an emscripten `.wasm`
 * found beside its loader, a per-platform native package picked by a computed name, a native
 * addon loaded through createRequire(import.meta.url) from an ES module, the app's own modules
 * found by listing a folder, and data files named by a template. Each app is built, run as a
 * service under Wine's SCM, probed and stopped gracefully by the machinery in compat-suite.ts.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compatSuite, type Companion } from './compat-suite';
import { ensurePortFree, fixturesDir } from './wine';

const FIXTURE = path.join(fixturesDir, 'compat-runtime');
const FIRST_PORT = 18600;
const DB_PORT = 18690;

/**
 * A PostgreSQL server for the Sequelize app: PGlite (PostgreSQL compiled to WebAssembly, a dev
 * dependency of the fixture) behind its wire-protocol socket server, on 127.0.0.1 — no database
 * service on the machine. The app in Wine reaches it over the loopback.
 */
async function postgres(): Promise<Companion> {
  const fixtureRequire = createRequire(path.join(FIXTURE, 'package.json'));
  const load = async (pkg: string) => import(pathToFileURL(fixtureRequire.resolve(pkg)).href);
  // Typed by hand: the fixture's packages are installed by the test's setup, after `tsc` ran.
  const { PGlite } = (await load('@electric-sql/pglite')) as { PGlite: { create(): Promise<{ close(): Promise<void> }> } };
  const { PGLiteSocketServer } = (await load('@electric-sql/pglite-socket')) as {
    PGLiteSocketServer: new (o: { db: unknown; port: number; host: string; maxConnections: number }) => { start(): Promise<void>; stop(): Promise<void> };
  };
  await ensurePortFree(DB_PORT);
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: DB_PORT, host: '127.0.0.1', maxConnections: 4 });
  await server.start();
  return {
    args: [`db=${DB_PORT}`],
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** The apps (fixtures/compat-runtime/apps/<app>.ts), what each stands for, and its package(s). */
export const COMPAT_RUNTIME_APPS = [
  { app: 'sequelize', kind: 'ORM, driver loaded by name', packages: 'sequelize 6, pg 8 (against PGlite over TCP)', companion: postgres },
  { app: 'sql-js', kind: 'database, emscripten .wasm', packages: 'sql.js 1' },
  { app: 'libsql', kind: 'database, per-platform native package', packages: '@libsql/client 0.18 (libsql, neon)' },
  { app: 'sharp', kind: 'images, native addon from an ES module', packages: 'sharp 0.35 (createRequire, libvips DLLs)' },
  { app: 'fastify-autoload', kind: "the app's own modules by folder", packages: '@fastify/autoload 6, fastify 5' },
  { app: 'i18next', kind: 'data files by a name template', packages: 'i18next 27, i18next-fs-backend 2' },
] as const;

compatSuite({
  fixtureDir: FIXTURE,
  apps: COMPAT_RUNTIME_APPS,
  firstPort: FIRST_PORT,
  servicePrefix: 'SvcpackCompatRt',
  title: 'compatibility suite, part two: packages reached only at run time',
  tag: '[compat-runtime]',
});
