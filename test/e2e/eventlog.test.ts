/**
 * The Windows Event Log under Wine.
 *
 * - `install` registers the service's event source (HKLM\SYSTEM\CurrentControlSet\Services\
 *   EventLog\Application\<Name>: EventMessageFile = this exe, TypesSupported 7), `install --force`
 *   from another folder re-points it, `uninstall` removes it; an exe built with `eventLog: false`
 *   registers none. Read back with `wine reg query`.
 * - The reporting calls, through a driver (test/e2e/drivers/eventlog.ts, bundled to CJS, run by
 *   the Windows node.exe): Wine 10 keeps no event log (its EventLog service runs but stores
 *   nothing; GetNumberOfEventLogRecords gives 0) and has no viewer. Its RegisterEventSourceW
 *   is a stub returning a dummy handle, DeregisterEventSource a stub returning TRUE, and ReportEventW
 *   a stub that returns TRUE and prints each insertion string to its `eventlog` debug channel (ERR
 *   for errors, WARN for warnings, TRACE otherwise) after a FIXME on the `advapi` channel listing
 *   its arguments. The driver runs with WINEDEBUG=-all,fixme+advapi,+eventlog, so the type, event
 *   ID and text of every event reported are asserted from that output.
 * - What Event Viewer would show: FormatMessageW over the built exe's message table (loaded as a
 *   data file) with the event's insertion string.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { EVENT_IDS, EventId } from '../../runtime-shim/logging/event-ids';
import { acquireRuntime } from '../../src/runtime/acquire';
import { INSERT, type EventLogDriverConfig, type EventLogDriverReport } from './drivers/eventlog';
import {
  besidesWineScmWarnings,
  buildFixture,
  bundleDriver,
  driverSteps,
  e2eFile,
  regQuery,
  removeService,
  repoRoot,
  runDriver,
  runExe,
  scratchDir,
  wine,
  winPath,
  type BuiltFixture,
} from './wine';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

const NAME = 'SvcpackE2EEventLog';
const QUIET = 'SvcpackE2EEventLogOff';
/** The Node.js the exes embed by default (the tests read its runtime from svcpack's cache). */
const NODE_VERSION = DEFAULT_NODE_VERSION;
const KOFFI_NODE = path.join(repoRoot, 'node_modules/koffi/build/koffi/win32_x64/koffi.node');
const SOURCES_KEY = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application';

interface Ctx {
  built: BuiltFixture;
  quiet: BuiltFixture;
  nodeExe: string;
  /** Scratch folder (kept when a test fails): config.json, report.json, driver.*.txt. */
  dir: string;
  driver: string;
}

const file = e2eFile<Ctx>({
  services: [NAME, QUIET],
  setup: async () => {
    const dir = scratchDir('eventlog');
    const driver = path.join(dir, 'driver.cjs');
    const [built, quiet, runtime] = await Promise.all([
      buildFixture('hello-http', NAME, { stopTimeout: 5_000 }),
      buildFixture('hello-http', QUIET, { stopTimeout: 5_000, eventLog: false }),
      acquireRuntime({ version: NODE_VERSION }),
      bundleDriver('eventlog', driver),
    ]);
    return { built, quiet, nodeExe: runtime.targetExe, dir, driver };
  },
});

afterAll(async () => {
  for (const name of [NAME, QUIET, `${NAME}Driver`]) await wine(['reg', 'delete', `${SOURCES_KEY}\\${name}`, '/f']).catch(() => undefined);
});

/** The values of an event source's key, or null if there is no key. */
const sourceKey = (name: string) => regQuery(`${SOURCES_KEY}\\${name}`);

const exe = (exePath: string, ...args: string[]) => runExe(exePath, args, { timeoutMs: 60_000 });

describe('install / uninstall register and remove the event source', () => {
  beforeEach(async () => {
    await removeService(NAME);
    await removeService(QUIET);
  });

  test('install registers it (message file = the exe), --force re-points it, uninstall removes it', async () => {
    const { built } = file.ctx;
    await wine(['reg', 'delete', `${SOURCES_KEY}\\${NAME}`, '/f']);
    const installed = await exe(built.exe, 'install', '--start-type', 'manual');
    expect(besidesWineScmWarnings(installed.stderr)).toBe('');
    expect(installed.code).toBe(0);
    expect(await sourceKey(NAME)).toEqual({
      EventMessageFile: { type: 'REG_EXPAND_SZ', data: winPath(built.exe) },
      TypesSupported: { type: 'REG_DWORD', data: '0x7' },
    });

    // The same service's exe in another folder takes it over.
    const moved = path.join(built.outDir, 'moved folder', `${NAME}.exe`);
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    fs.copyFileSync(built.exe, moved);
    const forced = await exe(moved, 'install', '--force');
    expect(besidesWineScmWarnings(forced.stderr)).toBe('');
    expect(forced.code).toBe(0);
    expect((await sourceKey(NAME))?.EventMessageFile).toEqual({ type: 'REG_EXPAND_SZ', data: winPath(moved) });

    const removed = await exe(built.exe, 'uninstall');
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(await sourceKey(NAME)).toBeNull();
  });

  test('uninstall of a service that is not installed removes a stale source', async () => {
    const { built } = file.ctx;
    const add = await wine(['reg', 'add', `${SOURCES_KEY}\\${NAME}`, '/v', 'EventMessageFile', '/t', 'REG_EXPAND_SZ', '/d', winPath(built.exe), '/f']);
    expect(add.code).toBe(0);
    const r = await exe(built.exe, 'uninstall');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not installed/);
    expect(await sourceKey(NAME)).toBeNull();
  });

  test('an exe built with eventLog false registers no source', async () => {
    const { quiet } = file.ctx;
    await wine(['reg', 'delete', `${SOURCES_KEY}\\${QUIET}`, '/f']);
    const r = await exe(quiet.exe, 'install', '--start-type', 'manual');
    expect(besidesWineScmWarnings(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(await sourceKey(QUIET)).toBeNull();
    expect((await exe(quiet.exe, 'uninstall')).code).toBe(0);
  });
});

// ---------------------------------------------------------------- reporting, through the driver

type Report = EventLogDriverReport & { debug: string };
let reportPromise: Promise<Report> | undefined;
function report(): Promise<Report> {
  reportPromise ??= runEventLogDriver(file.ctx);
  return reportPromise;
}
const { step, ok } = driverSteps(report);

const STACK = ['uncaught exception: Error: boom', ...Array.from({ length: 29 }, (_, i) => `    at frame${i} (svcpack:///src/app.ts:${i + 1}:9)`)].join('\n');

/** What the driver feeds the sink: [level, source, message]. */
const RECORDS: [string, string, string][] = [
  ['info', 'lifecycle', 'starting'],
  ['info', 'lifecycle', 'running'],
  ['info', 'app', 'not reported'],
  ['warn', 'app', 'disk almost full'],
  ['error', 'app', 'database unreachable'],
  ['warn', 'lifecycle', 'stop handlers still running after 5000 ms; forcing the stop'],
  ['error', 'lifecycle', STACK],
  ['error', 'lifecycle', 'stopped after failure (exit code 1)'],
  ['info', 'stdout', 'a console line'],
  ['info', 'lifecycle', 'stopped'],
];

async function runEventLogDriver(ctx: Ctx): Promise<Report> {
  const config: Omit<EventLogDriverConfig, 'report'> = {
    koffi: winPath(KOFFI_NODE),
    source: `${NAME}Reports`,
    registrySource: `${NAME}Driver`,
    exe: winPath(ctx.built.exe),
    records: RECORDS,
  };
  const env = { WINEDEBUG: '-all,fixme+advapi,+eventlog' };
  const r = await runDriver({ nodeExe: ctx.nodeExe, driver: ctx.driver, dir: ctx.dir, config, env, timeoutMs: 120_000 });
  return { ...r, debug: r.stderr };
}

interface WineEvent {
  type: number;
  id: number;
  /** The insertion string as Wine's debugstr_w prints it (escaped, possibly shortened). */
  text: string;
}

/**
 * The events Wine's ReportEventW stub saw, from its debug output: each FIXME line (handle, type,
 * category, ID, SID, string count…) followed by one `eventlog` line per insertion string.
 */
function wineEvents(debug: string): WineEvent[] {
  const events: WineEvent[] = [];
  let pending: { type: number; id: number } | null = null;
  for (const line of debug.split('\n')) {
    const call = /fixme:advapi:ReportEventW \([0-9A-Fa-f]+,0x([0-9a-f]{4}),0x0000,0x([0-9a-f]{8}),0+,0x0001,0x00000000,/.exec(line);
    if (call) {
      pending = { type: parseInt(call[1]!, 16), id: parseInt(call[2]!, 16) };
      continue;
    }
    const text = /(?:err|warn|trace):eventlog:ReportEventW (L".*)$/.exec(line);
    if (text && pending) {
      events.push({ ...pending, text: text[1]! });
      pending = null;
    }
  }
  return events;
}

/** How Wine's debugstr_w prints `s`: L"…" with C escapes. */
const wineQuoted = (s: string) => `L"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;

describe('reporting events (driver under Wine)', () => {
  test('RegisterEventSourceW gives a handle; ReportEventW of each type and DeregisterEventSource succeed', async () => {
    const r = await report();
    expect(r.fatal).toBeUndefined();
    expect(r.done).toBe(true);
    expect(await ok('register')).toBe(true);
    await ok('reportInformation');
    await ok('reportWarning');
    await ok('reportError');
    await ok('deregister');
    // Wine: the stub saw each call with its type and ID; ERR/WARN/TRACE by type.
    expect(wineEvents(r.debug).slice(0, 3)).toEqual([
      { type: 4, id: 1, text: 'L"driver information"' },
      { type: 2, id: 3, text: 'L"driver warning"' },
      { type: 1, id: 4, text: 'L"driver error"' },
    ]);
    expect(r.debug).toMatch(/err:eventlog:ReportEventW L"driver error"/);
    expect(r.debug).toMatch(/warn:eventlog:ReportEventW L"driver warning"/);
    expect(r.debug).toMatch(/trace:eventlog:ReportEventW L"driver information"/);
    // Wine: RegisterEventSourceW returns a dummy handle; ReportEventW and DeregisterEventSource get it back.
    expect(r.debug).toContain(`fixme:advapi:RegisterEventSourceW ((null),L"${NAME}Reports"): stub`);
    const reportCalls = r.debug.split('\n').filter((l) => l.includes('fixme:advapi:ReportEventW'));
    expect(reportCalls.length).toBeGreaterThanOrEqual(3);
    expect(reportCalls.every((l) => l.includes('ReportEventW (00000000CAFE4242,'))).toBe(true);
    expect(r.debug.split('\n').filter((l) => l.includes('fixme:advapi:DeregisterEventSource (00000000CAFE4242) stub'))).toHaveLength(2);
  });

  test('the sink reports lifecycle milestones and failures and the app\'s warnings and errors, nothing else', async () => {
    const r = await report();
    expect(await ok('createSink')).toBe(true);
    await ok('sinkWrites');
    await ok('sinkClose');
    const events = wineEvents(r.debug).slice(3);
    expect(events.map(({ type, id }) => [type, id])).toEqual([
      [4, EventId.Started],
      [2, EventId.AppWarning],
      [1, EventId.AppError],
      [2, EventId.LifecycleWarning],
      [1, EventId.Failure],
      [1, EventId.Stopped],
      [4, EventId.Stopped],
    ]);
    expect(events[0]!.text).toBe(wineQuoted('running'));
    expect(events[1]!.text).toBe(wineQuoted('disk almost full'));
    expect(events[2]!.text).toBe(wineQuoted('database unreachable'));
    expect(events[3]!.text).toBe(wineQuoted('stop handlers still running after 5000 ms; forcing the stop'));
    expect(events[5]!.text).toBe(wineQuoted('stopped after failure (exit code 1)'));
    expect(events[6]!.text).toBe(wineQuoted('stopped'));
    // The crash: CR LF line ends, the stack's first lines. Wine 10's ReportEventW stub traces each
    // line of an insertion string on a line of its own (Wine 8 printed the whole, shortened string).
    expect(events[4]!.text).toBe(wineQuoted('uncaught exception: Error: boom\r\n'));
    const traced = r.debug.split('\n').filter((l) => l.includes('err:eventlog:ReportEventW ')).map((l) => l.slice(l.indexOf('L"')));
    const crashAt = traced.indexOf(wineQuoted('uncaught exception: Error: boom\r\n'));
    expect(traced.slice(crashAt, crashAt + 3)).toEqual([
      wineQuoted('uncaught exception: Error: boom\r\n'),
      wineQuoted('    at frame0 (svcpack:///src/app.ts:1:9)\r\n'),
      wineQuoted('    at frame1 (svcpack:///src/app.ts:2:9)\r\n'),
    ]);
  });

  test('the source\'s registry key: created with the message file, read back, re-pointed, removed (twice is fine)', async () => {
    const { built } = file.ctx;
    expect(await ok('sourceBefore')).toBeNull();
    await ok('registerSource');
    expect(await ok('sourceAfter')).toBe(winPath(built.exe));
    await ok('reregisterSource');
    expect(await ok('sourceMoved')).toBe('C:\\moved\\Other Folder\\x.exe');
    await ok('removeSource');
    expect(await ok('sourceRemoved')).toBeNull();
    await ok('removeAgain');
    expect(await step('invalidName')).toMatchObject({ ok: false, error: { message: 'invalid event source name: "a\\\\b"' } });
  });

  test('Event Viewer\'s view: FormatMessageW over the exe\'s message table gives the insertion string itself', async () => {
    expect(await ok('loadExe')).toBe(true);
    for (const id of EVENT_IDS) expect(await ok(`format:${id}`), `event ${id}`).toBe(`${INSERT}\r\n`);
    // Language neutral: found whichever language is asked for.
    expect(await ok('formatEnglish')).toBe(`${INSERT}\r\n`);
    expect(await ok('formatGerman')).toBe(`${INSERT}\r\n`);
    // An ID the table does not define: ERROR_MR_MID_NOT_FOUND, the "description cannot be found" case.
    expect(await step('formatUnknownId')).toMatchObject({ ok: false, error: { fn: 'FormatMessageW', code: 317 } });
  });
});
