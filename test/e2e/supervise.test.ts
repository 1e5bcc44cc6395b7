/**
 * Supervised mode under Wine's SCM: the service process is a supervisor that runs the
 * app in a child process from the same exe.
 *
 * - crash: the app crashes a second after each start; it is restarted with growing delays while
 *   `sc query` stays RUNNING, then the supervisor gives up: STOPPED, 1066 / service exit code 4.
 * - ignore-stop: a hung app (and the `ping` it started) is ended with its whole process tree when
 *   the stop timeout passes; the service is STOPPED within the timeout plus a small margin.
 * - unhealthy: an app that stops answering its health URL is restarted (a new pid).
 * - log-flood: 100,000 lines through the supervisor into a log that rotates many times: every
 *   line exactly once, in order.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { logFilesOldestFirst } from '../../bench/suites/supervision';
import { buildFixture, dataDirOf, e2eFile, ensurePortFree, readText, sc, sleep, startService, waitForHttp, waitForState, waitForText } from './wine';

const CRASH = 'SvcpackE2ESupCrash';
const HUNG = 'SvcpackE2ESupHung';
const UNHEALTHY = 'SvcpackE2ESupHealth';
const FLOOD = 'SvcpackE2ESupFlood';
const STOP_TIMEOUT_MS = 2_000;

const file = e2eFile({
  services: [CRASH, HUNG, UNHEALTHY, FLOOD],
  setup: async () => {
    const [crash, hung, unhealthy, flood] = await Promise.all([
      buildFixture('crash', CRASH, { supervise: 'true', restartDelay: '500ms', restartFactor: '2', maxRestarts: '3', restartWindow: '1m', eventLog: 'false' }),
      buildFixture('ignore-stop', HUNG, { supervise: 'true', stopTimeout: STOP_TIMEOUT_MS, eventLog: 'false' }),
      buildFixture('unhealthy', UNHEALTHY, {
        supervise: 'true',
        healthUrl: 'http://127.0.0.1:18086/health',
        healthInterval: '500ms',
        healthTimeout: '300ms',
        healthFailures: '2',
        eventLog: 'false',
      }),
      buildFixture('log-flood', FLOOD, { supervise: 'true', logRotate: '256KB', logKeep: '500', eventLog: 'false' }),
    ]);
    return { crash, hung, unhealthy, flood };
  },
});

/** The `[supervisor]` records of a log, with their times in ms. */
function supervisorLines(log: string): { at: number; text: string }[] {
  return log
    .split('\n')
    .map((line) => /^(\S+) \S+ +\[supervisor\] (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ at: Date.parse(m[1]!), text: m[2]! }));
}

/** Linux pids of Wine processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('supervised mode', () => {
  test('a crashing app is restarted with growing delays while the service stays RUNNING, then the supervisor gives up', async () => {
    const { crash } = file.ctx;
    await startService(CRASH, crash.exe, { port: 18082, timeoutMs: 15_000 });

    // While the supervisor restarts the app, the SCM keeps seeing RUNNING.
    const seen = new Set<string>();
    const log = await (async () => {
      for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
        // Query first: "giving up" is logged before STOPPED is reported, so a query made before the
        // log shows it saw the state of a service that had not given up yet.
        const state = (await sc('query', CRASH)).state ?? 'none';
        const text = readText(crash.logFile);
        if (/giving up/.test(text)) return text;
        seen.add(state);
        await sleep(200);
      }
      throw new Error(`no "giving up" within 30 s:\n${fs.readFileSync(crash.logFile, 'utf8')}`);
    })();
    expect([...seen]).toEqual(['RUNNING']);

    const lines = supervisorLines(log);
    const restarts = lines.filter((l) => l.text.startsWith('restarting the app')).map((l) => l.text);
    expect(restarts).toEqual([
      'restarting the app in 0.5 s (restart 1)',
      'restarting the app in 1.0 s (restart 2)',
      'restarting the app in 2.0 s (restart 3)',
    ]);
    expect(lines.some((l) => /^giving up: the app ended 4 times within 60 s/.test(l.text))).toBe(true);
    // The app's crash stack reaches the log through the supervisor.
    expect(log).toMatch(/\[lifecycle\] uncaught exception: Error: crash fixture: deliberate uncaught error/);

    // Restart latency: from the crash being noticed to the new app running, minus the backoff delay.
    const latencies: number[] = [];
    lines.forEach((l, i) => {
      const delay = /^restarting the app in (\d+\.\d) s/.exec(l.text);
      const running = lines.slice(i).find((n) => n.text.startsWith('app running'));
      const exited = lines.slice(0, i).reverse().find((p) => p.text.startsWith('app exited unexpectedly'));
      if (delay && running && exited) latencies.push(running.at - exited.at - Number(delay[1]) * 1000);
    });
    console.log(`[e2e] supervised restart latency after the backoff delay (ms): ${latencies.join(', ')}`);
    expect(latencies).toHaveLength(3);

    const final = await waitForState(CRASH, 'STOPPED', 10_000);
    expect(final.win32ExitCode).toBe(1066);
    expect(final.serviceExitCode).toBe(4);
  });

  test('a hung app and the process it started are ended when the stop timeout passes', async () => {
    const { hung } = file.ctx;
    await startService(HUNG, hung.exe, { port: 18084, timeoutMs: 15_000 });
    await waitForText(hung.logFile, /started ping/, 10_000);
    expect(processesMatching('ping -n 777').length).toBeGreaterThan(0);

    const t0 = performance.now();
    await sc('stop', HUNG);
    const stopped = await waitForState(HUNG, 'STOPPED', STOP_TIMEOUT_MS + 8_000);
    const elapsed = performance.now() - t0;
    console.log(`[e2e] hung app: sc stop → STOPPED in ${Math.round(elapsed)} ms (stop timeout ${STOP_TIMEOUT_MS} ms)`);
    expect(stopped.win32ExitCode).toBe(0);
    expect(elapsed).toBeLessThan(STOP_TIMEOUT_MS + 5_000);
    const log = fs.readFileSync(hung.logFile, 'utf8');
    expect(log).toMatch(/\[supervisor\] stop handlers still running after 2000 ms; forcing the stop/);
    for (let i = 0; i < 20 && processesMatching('ping -n 777').length > 0; i++) await sleep(250);
    expect(processesMatching('ping -n 777')).toEqual([]);
    await ensurePortFree(18084, 5_000);
  });

  test('an app that stops answering its health URL is restarted', async () => {
    const { unhealthy } = file.ctx;
    await startService(UNHEALTHY, unhealthy.exe, { port: 18086, timeoutMs: 15_000 });
    const log = await waitForText(unhealthy.logFile, /\[supervisor\] app running \(pid \d+\)[\s\S]*\[supervisor\] app running \(pid \d+\)/, 20_000);
    expect(log).toMatch(/\[supervisor\] health check failed 2 times in a row: ending the app/);
    const pids = [...log.matchAll(/\[supervisor\] app running \(pid (\d+)\)/g)].map((m) => m[1]);
    expect(new Set(pids).size).toBe(pids.length);
    expect((await sc('query', UNHEALTHY)).state).toBe('RUNNING');
    expect(await waitForHttp('http://127.0.0.1:18086/', 5_000)).toBe('ok');
  });

  test('100,000 lines through the supervisor into a rotating log: each exactly once, in order', async () => {
    const { flood } = file.ctx;
    await startService(FLOOD, flood.exe, { timeoutMs: 15_000 });
    const dir = path.join(dataDirOf(FLOOD), 'logs');
    let text = '';
    for (let i = 0; i < 120; i++) {
      text = readAllLogs(dir, FLOOD);
      if (/flood done/.test(text)) break;
      await sleep(500);
    }
    const files = fs.readdirSync(dir).filter((f) => f.startsWith(FLOOD));
    expect(files.length).toBeGreaterThan(5);
    const numbers = [...text.matchAll(/\[stdout\] line (\d+)$/gm)].map((m) => Number(m[1]));
    expect(numbers.length).toBe(100_000);
    expect(numbers.every((n, i) => n === i)).toBe(true);
    const stamps = text.split('\n').filter((l) => /\[stdout\] line (0|99999)$/.test(l)).map((l) => Date.parse(l.split(' ')[0]!));
    const seconds = (stamps[1]! - stamps[0]!) / 1000;
    console.log(`[e2e] log flood: 100000 lines over ${files.length} files in ${seconds.toFixed(2)} s ≈ ${Math.round(100_000 / Math.max(seconds, 0.001))} lines/s`);
    await sc('stop', FLOOD);
    await waitForState(FLOOD, 'STOPPED', 10_000);
  });
});

/** Every log file of `name` in `dir`, oldest first (<name>.N.log … <name>.1.log, then <name>.log), as text. */
function readAllLogs(dir: string, name: string): string {
  return logFilesOldestFirst(fs.readdirSync(dir), name)
    .map((f) => readText(path.join(dir, f)))
    .join('');
}
