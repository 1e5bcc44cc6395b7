/**
 * The stop-chaos suite: a stop ends as STOPPED within the stop timeout + 1 s whatever the app
 * does, under Wine 10's SCM, in-process and supervised. One exe per mode (fixtures/stop-chaos:
 * the service argument `case=<name>` picks the misbehaviour), stop timeout 3 s. Each case:
 * `sc start` (or nothing, for a service stuck starting), the stop (`sc stop`, or the app's own
 * SIGTERM), then STOPPED with the expected exit codes, the stop's duration measured in the
 * service's own log (from the stop request to the STOPPED report, both logged by the service
 * just before it acts), the app's stop work recorded where it could run, and no process of the
 * service left (the exe, and the ping.exe a case starts).
 *
 * `SVCPACK_CHAOS_REPS=5` repeats every case and prints the median per case (the table in
 * docs/performance.md).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixture, createServiceCommand, dataDirOf, e2eFile, readText, removeService, repoRoot, sc, sleep, waitForState, waitForText, winPath, type BuiltFixture } from './wine';

const IN_PROCESS = 'SvcpackE2EChaos';
const SUPERVISED = 'SvcpackE2EChaosSup';
const STOP_TIMEOUT_MS = 3_000;
const PORT = 18870;
const REPS = Math.max(1, Number(process.env.SVCPACK_CHAOS_REPS ?? 1));
/** The contract: STOPPED within the stop timeout + 1 s of the stop request. */
const BOUND_MS = STOP_TIMEOUT_MS + 1_000;

const koffiNode = path.join(repoRoot, 'node_modules', 'koffi', 'build', 'koffi', 'win32_x64', 'koffi.node');

const file = e2eFile({
  services: [IN_PROCESS, SUPERVISED],
  setup: async () => {
    const common = { stopTimeout: STOP_TIMEOUT_MS, eventLog: 'false', native: { koffi: koffiNode } } as const;
    const [inProcess, supervised] = await Promise.all([buildFixture('stop-chaos', IN_PROCESS, common), buildFixture('stop-chaos', SUPERVISED, { ...common, supervise: 'true' })]);
    return { inProcess, supervised };
  },
});

type Mode = 'in-process' | 'supervised';

interface Case {
  name: string;
  /** How the stop comes: `sc stop` once RUNNING (default), `sc stop` while START_PENDING, or the app itself. */
  trigger?: 'sc-stop' | 'sc-stop-starting' | 'self';
  /** The service exit code STOPPED reports (0 unless given). */
  exitCode?: number | Partial<Record<Mode, number>>;
  /** What the app's record file must hold after the stop. */
  recorded?: string[];
  /** A log line the stop must write, per mode. */
  logs?: Partial<Record<Mode, RegExp>>;
}

/** The control thread's deadline line (in-process: the main thread could not force the stop). */
const DEADLINE = /\[lifecycle\] stop deadline \(3000 ms \+ 500 ms\) reached/;
/** The lifecycle's own forced stop (the main thread, or the supervisor, could still run). */
const FORCED = /stop handlers still running after 3000 ms; forcing the stop/;

const CASES: Case[] = [
  { name: 'busy-stop', recorded: ['stop-work-began'], logs: { 'in-process': DEADLINE, supervised: FORCED } },
  { name: 'busy-running', recorded: ['busy'], logs: { 'in-process': DEADLINE, supervised: FORCED } },
  { name: 'native-block', recorded: ['stop-work-began'], logs: { 'in-process': DEADLINE, supervised: FORCED } },
  { name: 'self-signal-stop', recorded: ['stop-work-began', 'stop-work-done'], logs: { 'in-process': /the app ended itself with SIGTERM during the stop/ } },
  { name: 'self-signal-running', trigger: 'self', recorded: ['stop-work-began', 'stop-work-done'], logs: { 'in-process': /the app sent itself SIGTERM: stopping the service/, supervised: /sent itself SIGTERM: stopping the service/ } },
  { name: 'exit-in-handler', recorded: ['stop-work-done'] },
  { name: 'throw-in-handler', exitCode: 1, recorded: ['stop-work-began'], logs: { 'in-process': /uncaught exception: Error: stop-chaos: a SIGTERM listener that throws/ } },
  { name: 'reject-in-handler', exitCode: 1, recorded: ['stop-work-began'], logs: { 'in-process': /unhandled promise rejection: Error: stop-chaos: a SIGTERM listener whose promise rejects/ } },
  { name: 'stuck-worker', recorded: ['stop-work-began', 'stop-work-done'] },
  { name: 'child-tree', recorded: ['stop-work-began', 'stop-work-done'] },
  { name: 'never-resolves', recorded: ['stop-work-began'], logs: { 'in-process': FORCED, supervised: FORCED } },
  { name: 'start-pending', trigger: 'sc-stop-starting', recorded: ['listening', 'stop-work-done'] },
  { name: 'start-blocked', trigger: 'sc-stop-starting', recorded: ['blocking'], logs: { 'in-process': DEADLINE, supervised: FORCED } },
];

/** Per mode and case, every measured duration from the stop request to STOPPED (ms, from the service's log). */
const measured = new Map<string, number[]>();

afterAll(() => {
  const rows = [...measured].map(([key, ms]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `${key.padEnd(32)} median ${String(sorted[Math.floor(sorted.length / 2)]).padStart(5)} ms  (n=${ms.length}, ${sorted.join(', ')})`;
  });
  console.log(`[e2e] stop request → STOPPED, stop timeout ${STOP_TIMEOUT_MS} ms:\n${rows.join('\n')}`);
});

/** Linux pids of Wine processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** Waits until no process matches `needle` (bounded); returns what is still there. */
async function gone(needle: string, timeoutMs = 5_000): Promise<number[]> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const left = processesMatching(needle);
    if (left.length === 0 || performance.now() > until) return left;
    await sleep(100);
  }
}

const stamp = (line: string): number => Date.parse(line.slice(0, 24));

/** The stop's duration in the log written since `from`: the request's line to the STOPPED line. */
function stopDuration(log: string, trigger: Case['trigger'], mode: Mode): number {
  const lines = log.split(/\r?\n/);
  const request =
    trigger === 'self'
      ? lines.find((l) => /sent itself SIGTERM: stopping the service/.test(l))
      : lines.find((l) => /the SCM asks for a stop \(stop\)/.test(l));
  // The STOPPED report's line: the deadline's, or the lifecycle's (the supervisor's in supervised mode).
  const source = mode === 'supervised' ? 'supervisor' : 'lifecycle';
  const reported = new RegExp(`\\[${source}\\] (stopped|stopped after failure.*|stopped; the app ended with exit code \\d+ during the stop|app exited with code \\d+)$`);
  const stopped = lines.find((l) => /\] stop deadline \(/.test(l) || reported.test(l));
  if (!request || !stopped) throw new Error(`no stop request or STOPPED line in the log:\n${log}`);
  return stamp(stopped) - stamp(request);
}

async function runCase(mode: Mode, c: Case, built: BuiltFixture): Promise<void> {
  const name = built.name;
  const record = path.join(dataDirOf(name), `${c.name}.txt`);
  fs.rmSync(record, { force: true });
  const logBefore = fs.existsSync(built.logFile) ? fs.statSync(built.logFile).size : 0;
  const logSince = (): string => readText(built.logFile).slice(logBefore);
  await createServiceCommand(name, `"${winPath(built.exe)}" --service case=${c.name} port=${PORT}`);
  try {
    expect((await sc('start', name)).code).toBe(0);
    const trigger = c.trigger ?? 'sc-stop';
    if (trigger === 'sc-stop-starting') {
      await waitForText(record, /^(listening|blocking) /m, 20_000);
      expect((await sc('query', name)).state).toBe('START_PENDING');
    } else {
      await waitForState(name, 'RUNNING', 20_000);
    }
    if (trigger !== 'self') {
      if (c.name === 'busy-running') await waitForText(record, /^busy /m, 10_000);
      const stop = await sc('stop', name);
      expect(stop.code, stop.text).toBe(0);
    }
    const stopped = await waitForState(name, 'STOPPED', BOUND_MS + 10_000, { pollMs: 100 });
    const log = logSince();
    const ms = stopDuration(log, c.trigger, mode);
    measured.set(`${mode} ${c.name}`, [...(measured.get(`${mode} ${c.name}`) ?? []), ms]);
    expect(ms, log).toBeLessThanOrEqual(BOUND_MS);
    const exitCode = typeof c.exitCode === 'object' ? (c.exitCode[mode] ?? 0) : (c.exitCode ?? 0);
    expect(stopped.serviceExitCode, stopped.text).toBe(exitCode);
    expect(stopped.win32ExitCode, stopped.text).toBe(exitCode === 0 ? 0 : 1066);
    const wrote = fs.existsSync(record) ? readText(record) : '';
    for (const what of c.recorded ?? []) expect(wrote, `${c.name}: ${what}\n${log}`).toMatch(new RegExp(`^${what} `, 'm'));
    const expectedLog = c.logs?.[mode];
    if (expectedLog) expect(log).toMatch(expectedLog);
    expect(await gone(`${name}.exe`), `${name}.exe still running`).toEqual([]);
    expect(await gone('ping -n 600'), 'the app\'s child processes still running').toEqual([]);
  } finally {
    await removeService(name);
  }
}

for (const mode of ['in-process', 'supervised'] as const) {
  describe(`stop chaos (${mode}, stop timeout ${STOP_TIMEOUT_MS} ms)`, () => {
    for (const c of CASES) {
      test(`${c.name}: STOPPED within the stop timeout + 1 s`, async () => {
        const built = mode === 'in-process' ? file.ctx.inProcess : file.ctx.supervised;
        for (let i = 0; i < REPS; i++) await runCase(mode, c, built);
      }, 60_000 * REPS);
    }
  });
}
