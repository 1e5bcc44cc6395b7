/**
 * The watchdog example (fixtures/watchdog) as a service under Wine's SCM, watching two target
 * services (fixtures/watchdog-target) through `services.watch` of svcpack/runtime — the SCM's
 * NotifyServiceStatusChangeW notifications, no polling. One watchdog serves the three tests, in
 * order:
 * - a target that crashes (exit code 1) is started again, and the webhook hears of it;
 * - a target whose process is killed (SIGKILL to its Wine process) is started again;
 * - a target that crashes half a second after every start is restarted with growing delays
 *   (debounce 300 ms + 500 ms × 2ⁿ), then given up and reported (log, webhook and a mail to a
 *   local SMTP server);
 * - `sc stop` of a target is a deliberate stop: it stays stopped;
 * - a target uninstalled (`<exe> uninstall`) or deleted (`sc delete`) while watched is removed by
 *   the SCM within seconds (the watch lets go of it) and logged; the watchdog runs on, and then
 *   stops cleanly (STOPPED 0/0, no process left).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixture, createService, dataDirOf, e2eFile, readText, removeService, runExe, sc, sleep, waitForState, waitForText } from './wine';

const DOG = 'SvcpackE2EWatchDog';
const CRASHER = 'SvcpackE2EWatchCrash';
const FLAPPER = 'SvcpackE2EWatchFlap';
const HOOK_PORT = 18700;
const SMTP_PORT = 18701;

interface HookReport {
  watchdog: string;
  service: string;
  event: 'restart' | 'give-up';
  message: string;
}

const file = e2eFile({
  // Shared by the tests: removed after the last one (below), not after each.
  services: [],
  setup: async () => {
    const [dog, crasher, flapper] = await Promise.all([
      buildFixture('watchdog', DOG, { stopTimeout: 5_000, eventLog: 'false' }),
      buildFixture('watchdog-target', CRASHER, { stopTimeout: 5_000, eventLog: 'false' }),
      buildFixture('watchdog-target', FLAPPER, { stopTimeout: 5_000, eventLog: 'false' }),
    ]);
    return { dog, crasher, flapper };
  },
});

const reports: HookReport[] = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    reports.push(JSON.parse(body) as HookReport);
    res.end('ok');
  });
});

/** A minimal SMTP server that accepts every message and keeps what came after DATA. */
const mails: string[] = [];
const smtp = net.createServer((socket) => {
  let buffer = '';
  let inData = false;
  socket.write('220 test SMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (;;) {
      if (inData) {
        const end = buffer.indexOf('\r\n.\r\n');
        if (end < 0) return;
        mails.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 5);
        inData = false;
        socket.write('250 queued\r\n');
        continue;
      }
      const eol = buffer.indexOf('\r\n');
      if (eol < 0) return;
      const verb = buffer.slice(0, eol).split(' ')[0]!.toUpperCase();
      buffer = buffer.slice(eol + 2);
      if (verb === 'DATA') {
        inData = true;
        socket.write('354 go ahead\r\n');
      } else if (verb === 'QUIT') socket.end('221 bye\r\n');
      else socket.write('250 ok\r\n');
    }
  });
});

afterAll(async () => {
  await Promise.all([DOG, CRASHER, FLAPPER].map(removeService));
  await new Promise((resolve) => receiver.close(resolve));
  await new Promise((resolve) => smtp.close(resolve));
});

/** Linux pids of Wine processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(needle))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const starts = (name: string): number => readText(path.join(dataDirOf(name), 'starts.log')).split('\n').filter(Boolean).length;

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; await sleep(100)) {
    const value = await probe();
    if (value) return value;
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe('watchdog service', () => {
  test('a crashed service is started again, and the webhook is told', async () => {
    const { dog, crasher } = file.ctx;
    await new Promise<void>((resolve) => receiver.listen(HOOK_PORT, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => smtp.listen(SMTP_PORT, '127.0.0.1', resolve));
    const { flapper } = file.ctx;
    await Promise.all([createService(CRASHER, crasher.exe), createService(FLAPPER, flapper.exe), createService(DOG, dog.exe)]);
    fs.mkdirSync(dataDirOf(DOG), { recursive: true });
    fs.writeFileSync(
      path.join(dataDirOf(DOG), 'watchdog.json'),
      JSON.stringify({
        services: [CRASHER, FLAPPER],
        debounce: '300ms',
        restartDelay: '500ms',
        restartFactor: 2,
        maxRestarts: 3,
        restartWindow: '1m',
        webhook: `http://127.0.0.1:${HOOK_PORT}/hook`,
        smtp: { host: '127.0.0.1', port: SMTP_PORT, from: 'watchdog@example.test', to: ['ops@example.test'] },
      }),
    );
    // Either may start first: the watchdog's first status of a service is whatever it is then.
    await Promise.all(
      [CRASHER, DOG].map(async (name) => {
        expect((await sc('start', name)).code).toBe(0);
        await waitForState(name, 'RUNNING', 30_000);
      }),
    );
    await waitForText(dog.logFile, new RegExp(`watching ${CRASHER}, ${FLAPPER}`), 10_000);
    await waitForText(dog.logFile, new RegExp(`${CRASHER}: running \\(pid \\d+\\)`), 10_000);
    expect(starts(CRASHER)).toBe(1);

    const crashedAt = performance.now();
    fs.writeFileSync(path.join(dataDirOf(CRASHER), 'crash'), '');
    await until('the crashed service started again', 30_000, () => starts(CRASHER) === 2);
    await waitForState(CRASHER, 'RUNNING', 15_000);
    console.log(`[e2e] watchdog: crash → service RUNNING again in ${Math.round(performance.now() - crashedAt)} ms (debounce + first delay 800 ms)`);

    const log = readText(dog.logFile);
    expect(log).toMatch(new RegExp(`${CRASHER}: crashed \\(exit code 1\\); restarting in 800 ms \\(restart 1\\)`));
    const report = await until('the restart report', 5_000, () => reports.find((r) => r.service === CRASHER && r.event === 'restart'));
    expect(report).toMatchObject({ watchdog: DOG, message: expect.stringMatching(/^crashed \(exit code 1\); restarting in 800 ms/) });
  }, 90_000);

  test('a service whose process is killed is started again', async () => {
    const { dog } = file.ctx;
    const before = starts(CRASHER);
    const pids = processesMatching(`${CRASHER}.exe`);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await until('the killed service started again', 30_000, () => starts(CRASHER) === before + 1);
    await waitForState(CRASHER, 'RUNNING', 15_000);
    // Wine's SCM reports a process that died as STOPPED with ERROR_PROCESS_ABORTED (1067).
    expect(readText(dog.logFile)).toMatch(new RegExp(`${CRASHER}: crashed \\(exit code 1067\\); restarting in \\d+ ms \\(restart 2\\)`));
  }, 60_000);

  test('a flapping service is restarted with growing delays, then given up and reported', async () => {
    const { dog } = file.ctx;
    fs.mkdirSync(dataDirOf(FLAPPER), { recursive: true });
    fs.writeFileSync(path.join(dataDirOf(FLAPPER), 'flap'), '');
    expect((await sc('start', FLAPPER)).code).toBe(0);

    const log = await waitForText(dog.logFile, new RegExp(`${FLAPPER}: giving up`), 60_000);
    const restarts = [...log.matchAll(new RegExp(`${FLAPPER}: crashed \\(exit code 1\\); restarting in (\\d+) ms \\(restart (\\d)\\)`, 'g'))].map((m) => `${m[1]}/${m[2]}`);
    expect(restarts).toEqual(['800/1', '1300/2', '2300/3']);
    expect(log).toMatch(new RegExp(`${FLAPPER}: giving up: it crashed 4 times within 60 s \\(at most 3 restarts allowed\\); last exit code 1`));
    const gaveUp = await until('the give-up report', 5_000, () => reports.find((r) => r.service === FLAPPER && r.event === 'give-up'));
    expect(gaveUp.message).toMatch(/^giving up: it crashed 4 times/);
    expect(reports.filter((r) => r.service === FLAPPER && r.event === 'restart')).toHaveLength(3);
    const mail = await until('the give-up mail', 5_000, () => mails[0]);
    expect(mail).toContain(`Subject: ${DOG}: gave up on ${FLAPPER}`);
    expect(mail).toMatch(/To: ops@example\.test\r\n/);
    expect(mail).toMatch(/giving up: it crashed 4 times within 60 s/);
    expect(mails).toHaveLength(1);

    // Given up means left alone: no fifth start.
    await sleep(1_500);
    expect(starts(FLAPPER)).toBe(4);
    expect((await sc('query', FLAPPER)).state).toBe('STOPPED');
  }, 90_000);

  test('sc stop of a watched service is not undone', async () => {
    const { dog } = file.ctx;
    const before = starts(CRASHER);
    const reported = reports.filter((r) => r.service === CRASHER).length;
    expect((await sc('stop', CRASHER)).code).toBe(0);
    const stopped = await waitForState(CRASHER, 'STOPPED', 15_000);
    expect(stopped.win32ExitCode).toBe(0);
    await waitForText(dog.logFile, new RegExp(`${CRASHER}: stopped deliberately; leaving it stopped`), 10_000);
    await sleep(2_000);
    expect((await sc('query', CRASHER)).state).toBe('STOPPED');
    expect(starts(CRASHER)).toBe(before);
    expect(reports.filter((r) => r.service === CRASHER)).toHaveLength(reported);
    // The watchdog saw the stop go through STOP_PENDING.
    expect(readText(dog.logFile)).toMatch(new RegExp(`${CRASHER}: stop-pending`));
  }, 60_000);

  test('an uninstalled or deleted service is let go while the watchdog runs, and the watchdog still stops cleanly', async () => {
    const { dog, crasher } = file.ctx;
    // Both targets are stopped now (the crasher by sc stop, the flapper given up) and still watched.
    expect((await sc('query', DOG)).state).toBe('RUNNING');

    // uninstall waits up to 5 s for the SCM to remove what it deleted, and says which happened.
    const since = performance.now();
    const uninstalled = await runExe(crasher.exe, ['uninstall'], { timeoutMs: 60_000 });
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
    expect(uninstalled.stdout).toMatch(new RegExp(`^${CRASHER}: removed\\r?$`, 'm'));
    console.log(`[e2e] watchdog: ${CRASHER}.exe uninstall → removed in ${Math.round(performance.now() - since)} ms while watched`);
    expect((await sc('query', CRASHER)).state).toBeUndefined();
    await waitForText(dog.logFile, new RegExp(`${CRASHER}: deleted \\(uninstalled\\); no longer watched`), 10_000);

    expect((await sc('delete', FLAPPER)).code).toBe(0);
    await until(`${FLAPPER} gone from the SCM after sc delete`, 15_000, async () => (await sc('query', FLAPPER)).state === undefined);
    await waitForText(dog.logFile, new RegExp(`${FLAPPER}: deleted \\(uninstalled\\); no longer watched`), 10_000);

    // Carried on: still running, no watch reported as failed, nothing restarted.
    await sleep(1_000);
    expect((await sc('query', DOG)).state).toBe('RUNNING');
    const log = readText(dog.logFile);
    expect(log).not.toMatch(/no longer watched: /);
    expect(log).not.toMatch(/restart failed/);

    expect((await sc('stop', DOG)).code).toBe(0);
    const stopped = await waitForState(DOG, 'STOPPED', 20_000);
    expect([stopped.win32ExitCode, stopped.serviceExitCode]).toEqual([0, 0]);
    await until('the watchdog process ended', 15_000, () => processesMatching(`${DOG}.exe`).length === 0);
    expect(readText(dog.logFile)).toMatch(/\[lifecycle\] stopped\r?$/m);
  }, 90_000);
});
