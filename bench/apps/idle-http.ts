/**
 * The benchmark app: the same code runs under every Node contender of the service suites (svcpack
 * in-process and supervised, bare node.exe under bench/apps/bare-service.ts, node.exe under the
 * NSSM-style wrapper). An ordinary HTTP server, nothing svcpack-specific:
 *
 * - `GET /`        → `ok`
 * - `GET /pid`     → process.pid (the supervised restart benchmark waits for a new one)
 * - `GET /memory`  → JSON of process.memoryUsage() after a full GC: `global.gc` when exposed
 *                    (--expose-gc), else obtained at run time (v8.setFlagsFromString('--expose-gc')
 *                    and a fresh vm context's `gc`), so that heapUsed is the live heap and not
 *                    whatever garbage the last requests left; `gc` in the answer says which
 * - `GET /crash`   → answers, then throws an uncaught error on the next tick
 * - SIGTERM        → closes the server (the app's own stop work), like fixtures/hello-http
 *
 * The port is the app's first argument. How it arrives differs by host, so the app takes the first
 * argument after argv[1] that is not a `--` switch:
 * - svcpack exe (a SEA: argv[1] is the exe again): the SCM runs `<exe> --service <port>` and the
 *   shim leaves argv as is, so argv is [exe, exe, '--service', port]; the supervised child is
 *   started as `<exe> --svcpack-supervised-child <port>` (supervisor-mode.ts passes what followed
 *   --service), argv [exe, exe, '--svcpack-supervised-child', port].
 * - `node.exe idle-http.js <port>` (under the wrapper): argv [node, script, port].
 * - bare-service.js sets argv to [node, idle-http.js, port] before loading the app.
 *
 * It writes nothing to stdout/stderr: under the bare host a service process has no usable console
 * and node.exe under Wine fails writing to a Linux pipe (docs/wine10-facts.md), and the figures
 * should not include log writing.
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';

const port = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 8080);
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`idle-http: bad port argument (argv ${JSON.stringify(process.argv)})`);

const server = http.createServer((req, res) => {
  switch (req.url) {
    case '/':
      res.end('ok');
      return;
    case '/pid':
      res.end(String(process.pid));
      return;
    case '/memory': {
      const gc = findGc();
      if (gc.fn) gc.fn();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...process.memoryUsage(), gc: gc.how }));
      return;
    }
    case '/crash':
      // Once the answer has been handed to the OS, crash outside any handler.
      res.end('crashing', () =>
        process.nextTick(() => {
          throw new Error('idle-http: deliberate crash (GET /crash)');
        }),
      );
      return;
    default:
      res.statusCode = 404;
      res.end('not found');
  }
});
server.listen(port, '127.0.0.1');

let gcFound: { fn: (() => void) | null; how: string } | undefined;

/** A full-GC function: the exposed one, else one made at run time (once); none if neither works. */
function findGc(): { fn: (() => void) | null; how: string } {
  gcFound ??= lookUpGc();
  return gcFound;
}

function lookUpGc(): { fn: (() => void) | null; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { fn: exposed, how: 'exposed' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const made = vm.runInNewContext('gc') as unknown;
    if (typeof made === 'function') return { fn: made as () => void, how: 'runtime' };
  } catch {
    // not available
  }
  return { fn: null, how: 'none' };
}

process.on('SIGTERM', () => {
  server.close();
});
