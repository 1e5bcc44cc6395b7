/**
 * Apps of more than one module end to end, with real npm packages installed as users
 * install them (`npm ci` on Linux; test/support/fixture-deps.ts): fixtures/multi-module starts
 * worker threads of every form (a `new URL(…, import.meta.url)` TS worker, a path built from the
 * module's folder — ESM and CommonJS —, a module that starts itself, a worker that throws, an eval
 * worker), a piscina pool, a `child_process.fork()` with IPC, spawns `process.execPath` Node-style,
 * reads files at run time (detected ones, and `templates/**` declared through the `assets` option)
 * and a `.wasm`, and logs through pino transports (pino/file + pino-pretty in one worker, pino-roll
 * in another). Built for Node 26 (the app bundle is the ES module SEA main) and Node 22 (a loader
 * script inside the exe), each run as a service; after a graceful stop every log line is on disk.
 *
 * Virtual paths: inside the exe a module's `import.meta.url`/`__filename` is the exe's path used as
 * a folder plus the module's path in the project (`…\SvcpackE2EWorkers.exe\hash-worker.ts`); only
 * that tail is asserted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { BuildOptions } from '../../src/build';
import { lineOf as nodeLine } from '../../src/runtime/node-lines';
import { ensureFixtureDeps } from '../support/fixture-deps';
import {
  buildFixture,
  dataDirOf,
  e2eFile,
  fixturesDir,
  httpGet,
  lineOf,
  readText,
  sc,
  startService,
  waitForHttp,
  waitForState,
  waitForText,
  type BuiltFixture,
} from './wine';

const NODE26 = 'SvcpackE2EWorkers';
const NODE22 = 'SvcpackE2EWorkers22';
const PORT = 18400; // the fixture's default: Wine gives services no custom environment
const LOG_LINES = 200;
const fixtureDir = path.join(fixturesDir, 'multi-module');

/** The build options with `assets` (typed here until BuildOptions has it). */
type FixtureOptions = Partial<BuildOptions> & { assets?: string[] };
const OPTIONS: FixtureOptions = { stopTimeout: 5_000, assets: ['templates/**'] };

const file = e2eFile({
  services: [NODE26, NODE22],
  setup: async () => {
    await ensureFixtureDeps(fixtureDir);
    const [node26, node22] = await Promise.all([
      buildFixture('multi-module', NODE26, OPTIONS),
      buildFixture('multi-module', NODE22, { ...OPTIONS, node: nodeLine(22)!.proven }),
    ]);
    return { node26, node22 };
  },
});

// ---------------------------------------------------------------- expectations

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches a virtual path or file URL ending in `<Name>.exe/<rel>` (either separator). */
function virtual(name: string, rel: string): RegExp {
  return new RegExp(`[\\\\/]${escape(name)}\\.exe${rel.split('/').map((p) => `[\\\\/]${escape(p)}`).join('')}$`);
}

const fixtureText = (rel: string) => fs.readFileSync(path.join(fixtureDir, rel), 'utf8');

function expectedFiles() {
  const big = fixtureText('data/big.txt');
  const bigLines = big.split('\n').filter(Boolean);
  return {
    greeting: fixtureText('data/greeting.txt').trim(),
    locales: ['de.json', 'en.json', 'fr.json'],
    greetings: { de: 'Hallo', en: 'Hello', fr: 'Bonjour' },
    big: {
      bytes: Buffer.byteLength(big),
      chunks: expect.any(Number), // read with highWaterMark 1024: how many is up to the stream
      lines: bigLines.length,
      lastLine: bigLines.at(-1),
      statSize: Buffer.byteLength(big),
      isFile: true,
    },
    localesIsDirectory: true,
    exists: { greeting: true, missing: false },
    missing: { readFileSync: 'ENOENT', statSync: 'ENOENT', readFile: 'ENOENT' },
    template: fixtureText('templates/page.html'),
  };
}

/** What each route must answer in the exe built as service `name`. */
function expectations(name: string): Record<string, unknown> {
  const throwLine = lineOf(path.join(fixtureDir, 'throw-worker.ts'), 'throw new Error(');
  return {
    '/url-worker': {
      sha256: createHash('sha256').update('hello worker').digest('hex'),
      url: expect.stringMatching(virtual(name, 'hash-worker.ts')),
      serviceName: name,
    },
    '/dirname-worker': {
      echo: { echo: { hello: 'echo' }, filename: expect.stringMatching(virtual(name, 'workers/echo-worker.js')) },
      cjs: {
        dirname: expect.stringMatching(virtual(name, 'workers')),
        filename: expect.stringMatching(virtual(name, 'workers/cjs-worker.cjs')),
        helper: 'FROM A REQUIRED MODULE',
        greeting: fixtureText('data/greeting.txt').trim(),
      },
    },
    '/self-worker': { isMainThread: false, doubled: 42, url: expect.stringMatching(virtual(name, 'self-worker.ts')) },
    '/worker-error': {
      message: 'throw-worker: deliberate failure (ok=false)',
      // Source-mapped: the frame names the worker's TypeScript source at the throw.
      stack: expect.stringMatching(new RegExp(`throw-worker\\.ts:${throwLine}:\\d+`)),
    },
    '/eval-worker': { answer: 42 },
    '/piscina': { product: 42 },
    '/fork': expect.objectContaining({
      message: { result: 42, argv: ['arg1'], url: expect.stringMatching(virtual(name, 'job.ts')) },
      code: 0,
      signal: null,
    }),
    '/files': expectedFiles(),
    '/wasm': { sum: 42 },
    [`/log?n=${LOG_LINES}`]: { written: LOG_LINES, transportErrors: [] },
  };
}

// ---------------------------------------------------------------- calling the service

/** GETs each route in turn; the parsed JSON answers (or the raw text, or 'no answer'). */
async function callRoutes(routes: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const route of routes) {
    // /spawn-node-style starts the exe twice under Wine, synchronously.
    const body = await httpGet(`http://127.0.0.1:${PORT}${route}`, route === '/spawn-node-style' ? 70_000 : 20_000);
    try {
      out[route] = body === null ? 'no answer' : JSON.parse(body);
    } catch {
      out[route] = body;
    }
  }
  return out;
}

/** Starts `built` as a service, checks `routes` against the expectations, then stops it gracefully. */
async function runAsService(built: BuiltFixture, routes: string[]): Promise<Record<string, unknown>> {
  await startService(built.name, built.exe, { port: PORT, timeoutMs: 30_000 });
  expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 20_000)).toBe('ok');
  const answers = await callRoutes(routes);
  const expected = expectations(built.name);
  for (const route of routes) {
    if (route in expected) expect.soft(answers[route], `GET ${route}`).toEqual(expected[route]);
  }

  const before = await sc('query', built.name);
  expect(before.state, `the service ended before the stop; its log:\n${readText(built.logFile)}`).toBe('RUNNING');
  const stopping = await sc('stop', built.name);
  expect(stopping.code, stopping.text).toBe(0);
  const stopped = await waitForState(built.name, 'STOPPED', 15_000);
  expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
  await waitForText(built.logFile, /multi-module: transports ended/, 5_000);
  return answers;
}

// ---------------------------------------------------------------- pino's files

/** Each line of a JSON-lines file, parsed (a torn line stays a string, so a diff shows it). */
function jsonLines(file: string): unknown[] {
  return readText(file)
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return l;
      }
    });
}

/** The messages /log?n=<n> writes, in order. */
const loggedMessages = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => `line ${i + 1}`), `LAST LINE ${n}`];

/** The /log records of JSON-lines `records` ({i, msg}, and `last` on the last one). */
function logRecords(records: unknown[]): unknown[] {
  return records.filter((r) => typeof r !== 'object' || r === null || 'i' in r).map((r) => (typeof r === 'object' && r !== null ? { i: (r as { i: unknown }).i, msg: (r as { msg: unknown }).msg, last: (r as { last?: unknown }).last } : r));
}

function expectPinoFiles(name: string, n: number): void {
  const dir = dataDirOf(name);
  const expected = loggedMessages(n).map((msg, i) => ({ i: i + 1, msg, last: i + 1 === n ? true : undefined }));

  // pino/file: JSON lines.
  expect.soft(logRecords(jsonLines(path.join(dir, 'pino-file.log'))), 'pino/file').toEqual(expected);

  // pino-pretty (colorize off): `[hh:mm:ss.mmm] INFO (pid): <msg>`, its fields on the lines below.
  const pretty = readText(path.join(dir, 'pino-pretty.log'))
    .split('\n')
    .map((l) => /^\[[\d:.]+\] INFO \(\d+\): ((?:line|LAST LINE) \d+)$/.exec(l)?.[1])
    .filter((m) => m !== undefined);
  expect.soft(pretty, 'pino-pretty').toEqual(loggedMessages(n));

  // pino-roll: roll/app.<number>.log, JSON lines, in number order.
  const rollDir = path.join(dir, 'roll');
  const rolled = fs.existsSync(rollDir)
    ? fs
        .readdirSync(rollDir)
        .filter((f) => /^app\.\d+\.log$/.test(f))
        .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    : [];
  expect.soft(rolled.length, `pino-roll files in ${rollDir}`).toBeGreaterThan(0);
  expect.soft(logRecords(rolled.flatMap((f) => jsonLines(path.join(rollDir, f)))), 'pino-roll').toEqual(expected);
}

// ---------------------------------------------------------------- tests

const ALL_ROUTES = [
  '/url-worker',
  '/dirname-worker',
  '/self-worker',
  '/worker-error',
  '/eval-worker',
  '/piscina',
  '/fork',
  '/spawn-node-style',
  '/files',
  '/wasm',
  `/log?n=${LOG_LINES}`,
];

describe('workers, fork and files read at run time', () => {
  test('Node 26 service: every form works; after a graceful stop pino/file, pino-pretty and pino-roll hold every line', { timeout: 180_000 }, async () => {
    const { node26 } = file.ctx;
    const answers = await runAsService(node26, ALL_ROUTES);

    // process.execPath with Node-style arguments never runs the exe's commands (nor the app again):
    // Node options and modules that were not embedded are refused in one line (exit code 2); an
    // embedded module runs with its arguments, as under node.
    const spawned = answers['/spawn-node-style'] as Record<string, { status: number | null; stdout: string; stderr: string }> | undefined;
    expect.soft(spawned?.options?.status, JSON.stringify(spawned?.options)).toBe(2);
    expect.soft(spawned?.options?.stderr).toMatch(new RegExp(`^${node26.name}: .*Node\\.js option`));
    expect.soft(spawned?.missing?.status, JSON.stringify(spawned?.missing)).toBe(2);
    expect.soft(spawned?.missing?.stderr).toMatch(/not-embedded\.js was not embedded in this exe/);
    expect.soft(spawned?.script?.status, JSON.stringify(spawned?.script)).toBe(0);
    expect.soft(JSON.parse(spawned?.script?.stdout || '{}')).toEqual({ args: ['a', 'b'], main: expect.stringMatching(/[\\/]print-args\.ts$/) });

    expectPinoFiles(node26.name, LOG_LINES);
  });

  test('Node 22 service (loader script): a URL worker, fork, files and pino', { timeout: 120_000 }, async () => {
    const { node22 } = file.ctx;
    expect(node22.record.node.version).toBe(nodeLine(22)!.proven);
    await runAsService(node22, ['/url-worker', '/fork', '/files', `/log?n=${LOG_LINES}`]);
    expectPinoFiles(node22.name, LOG_LINES);
  });
});
