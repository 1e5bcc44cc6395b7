/**
 * A PostgreSQL server for the compatibility apps that need one: PGlite (PostgreSQL compiled to
 * WebAssembly, a dev dependency of the fixture) behind its wire-protocol socket server, in memory.
 * Plain JavaScript so that any Node runs it as is: the host's (the Wine suites, through
 * compat.ts's startHostCompanion) and the official Linux Node bound into the systemd container (the
 * Linux suite, whose container has its own network).
 *
 *   node pglite-server.mjs <fixture folder> <port>
 *
 * Listens on 127.0.0.1:<port>, then prints one line `pglite listening on 127.0.0.1:<port>`; SIGTERM
 * or SIGINT closes the server and the database and exits 0. A failure to start ends it with exit
 * code 1 and the error on stderr.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [fixtureDir, portArg] = process.argv.slice(2);
const port = Number(portArg);
if (!fixtureDir || !Number.isInteger(port)) {
  process.stderr.write('usage: node pglite-server.mjs <fixture folder> <port>\n');
  process.exit(2);
}
const fixtureRequire = createRequire(path.join(fixtureDir, 'package.json'));
const load = (pkg) => import(pathToFileURL(fixtureRequire.resolve(pkg)).href);
const { PGlite } = await load('@electric-sql/pglite');
const { PGLiteSocketServer } = await load('@electric-sql/pglite-socket');
const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
await server.start();
process.stdout.write(`pglite listening on 127.0.0.1:${port}\n`);
const stop = async () => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
