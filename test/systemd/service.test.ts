/**
 * The built Linux executable as a systemd service, end to end: fixtures/systemd-probe is built
 * with `--target linux-x64` (twice: in-process with a restart policy, and supervised with a
 * heartbeat), copied into the booted Debian trixie root (systemd 257) and installed with the
 * install script the build wrote. Then, driving the binary's own commands and systemctl:
 * readiness (the unit is active only once HTTP answers), the dynamic user and its sandbox, reload
 * into service.onReload, a stop within the timeout with the app's stop work done, crashes
 * restarted per the policy until the start limit, a stop that cannot hang on a blocked main
 * thread, a hung app restarted through the heartbeat, and uninstall leaving nothing behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { bootSystemd, type RunResult, type SystemdContainer } from '../support/systemd';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(repoRoot, 'fixtures', 'systemd-probe', 'app.ts');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-systemd-service-'));

/** One built service: its name, port and where its dist folder is inside the container. */
interface Probe {
  name: string;
  port: number;
  dist: string;
  result?: BuildResult;
}
const PLAIN: Probe = { name: 'svcpack-probe', port: 18200, dist: '/root/dist-probe' };
const SUPERVISED: Probe = { name: 'svcpack-probe-sup', port: 18201, dist: '/root/dist-probe-sup' };
const READY_MS = 2_000;
const STOP_WORK_MS = 500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a linux-x64 build as a systemd service', () => {
  let c: SystemdContainer;
  const bin = (p: Probe, ...args: string[]): Promise<RunResult> => c.exec(`/opt/${p.name}/${p.name}`, args, { timeoutMs: 60_000 });
  const isActive = async (p: Probe): Promise<string> => (await c.systemctl('is-active', `${p.name}.service`)).stdout.trim();
  const show = async (p: Probe, ...props: string[]): Promise<Record<string, string>> => {
    const out = (await c.systemctl('show', ...props.flatMap((x) => ['-p', x]), `${p.name}.service`)).stdout;
    return Object.fromEntries(out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  };
  const journal = (p: Probe): Promise<string> => c.journalctl('-u', `${p.name}.service`, '-o', 'cat');
  const probe = async (p: Probe): Promise<{ mode: string; isService: boolean; dataDir: string; pid: number; uid: number; reloads: number }> => {
    const r = await c.http(p.port, '/');
    expect(r.status).toBe(200);
    return JSON.parse(r.body);
  };
  /** Polls until `check` holds, or fails naming `what`. */
  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await sleep(200);
    }
  }
  const answers = (p: Probe) => () => c.http(p.port, '/').then((r) => r.status === 200);

  beforeAll(async () => {
    // Both builds run while the container boots (postject needs ≈ 5 s and 1 GB for each).
    const booting = bootSystemd();
    const common = { entry: FIXTURE, targets: 'linux-x64', stopTimeout: '5s', restartDelay: '1s', maxRestarts: 2, restartWindow: '60s' } as const;
    [PLAIN.result, SUPERVISED.result] = await Promise.all([
      build({ ...common, name: PLAIN.name, outDir: path.join(scratch, PLAIN.name) }),
      build({ ...common, name: SUPERVISED.name, outDir: path.join(scratch, SUPERVISED.name), supervise: true, heartbeatTimeout: '2s' }),
    ]).catch(async (err) => {
      await (await booting.catch(() => null))?.shutdown();
      throw err;
    });
    c = await booting;
    for (const p of [PLAIN, SUPERVISED]) await c.copyIn(path.join(scratch, p.name), p.dist);
  }, 240_000);

  afterAll(async () => {
    await c?.shutdown();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('the install script puts the binary in /opt, installs the unit (manual start: not enabled) and starts it', async () => {
    const r = await c.exec(`${PLAIN.dist}/install-${PLAIN.name}.sh`, ['--start-type', 'manual', '--arg', `port=${PLAIN.port}`, '--arg', `ready-ms=${READY_MS}`, '--arg', `stop-ms=${STOP_WORK_MS}`]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await c.exec('stat', ['-c', '%U %a', `/opt/${PLAIN.name}/${PLAIN.name}`])).stdout.trim()).toBe('root 755');
    expect((await c.systemctl('is-enabled', `${PLAIN.name}.service`)).stdout.trim()).toBe('disabled');
    expect(await isActive(PLAIN)).toBe('active');
    const verify = await c.exec('systemd-analyze', ['verify', `/etc/systemd/system/${PLAIN.name}.service`]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  test('readiness: start returns once the app listens, and systemd says active only while HTTP answers', async () => {
    const seen: string[] = [];
    let starting = true;
    const watcher = (async () => {
      while (starting) {
        const state = await isActive(PLAIN);
        // Read after the state: once active, the port must already answer.
        if (state === 'active') seen.push(`active:${await answers(PLAIN)().catch(() => false)}`);
        else seen.push(state);
        await sleep(100);
      }
    })();
    expect((await bin(PLAIN, 'stop')).code).toBe(0);
    const t = performance.now();
    const started = await bin(PLAIN, 'start');
    const ms = performance.now() - t;
    starting = false;
    await watcher;
    expect(started.code, `${started.stdout}\n${started.stderr}`).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(READY_MS);
    expect(await answers(PLAIN)()).toBe(true);
    expect(seen).toContain('activating');
    expect(seen.filter((s) => s.startsWith('active:'))).not.toContain('active:false');
    console.log(`[systemd] start → active: ${Math.round(ms)} ms (the app waits ${READY_MS} ms before it listens); states seen: ${[...new Set(seen)].join(', ')}`);
  });

  test('it runs as a service under a dynamic user, its data folder the state directory', async () => {
    const p = await probe(PLAIN);
    expect(p).toMatchObject({ mode: 'service', isService: true, dataDir: `/var/lib/${PLAIN.name}` });
    expect(p.uid).not.toBe(0);
    const props = await show(PLAIN, 'Type', 'DynamicUser', 'MainPID');
    expect(props).toMatchObject({ DynamicUser: 'yes', MainPID: String(p.pid) });
    expect(props.Type).toMatch(/^notify/);
  });

  test('the sandbox: it writes its state directory and nothing outside it', async () => {
    const write = async (target: string) => JSON.parse((await c.http(PLAIN.port, `/write?path=${encodeURIComponent(target)}`)).body) as { ok: boolean; code?: string };
    expect(await write(`/var/lib/${PLAIN.name}/ok.txt`)).toEqual({ ok: true });
    expect(await write(`/opt/${PLAIN.name}/planted`)).toMatchObject({ ok: false, code: 'EROFS' });
    expect(await write('/etc/planted')).toMatchObject({ ok: false, code: 'EROFS' });
    expect((await write('/root/planted')).ok).toBe(false);
    expect((await c.exec('ls', ['/opt', '/etc/planted', '/root/planted'])).stdout).not.toContain('planted');
  });

  test('reload reaches service.onReload', async () => {
    const r = await bin(PLAIN, 'reload');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    await until('onReload to run', async () => (await probe(PLAIN)).reloads === 1);
    expect(await journal(PLAIN)).toContain('systemd-probe: reloaded (1)');
    expect(await isActive(PLAIN)).toBe('active');
  });

  test("stop: within the timeout, the app's stop work done, a clean exit", async () => {
    const t = performance.now();
    const r = await bin(PLAIN, 'stop');
    const ms = performance.now() - t;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(await isActive(PLAIN)).toBe('inactive');
    expect(await show(PLAIN, 'Result', 'ExecMainStatus')).toEqual({ Result: 'success', ExecMainStatus: '0' });
    expect((await c.exec('cat', [`/var/lib/${PLAIN.name}/stopped.txt`])).stdout).toMatch(/^stop work done at /);
    const log = await journal(PLAIN);
    expect(log).toContain('systemd-probe: stop work done');
    expect(log).not.toMatch(/SIGKILL|timed out/);
    console.log(`[systemd] stop with ${STOP_WORK_MS} ms of stop work: ${Math.round(ms)} ms`);
  });

  test('crashes are restarted per the policy until the start limit (2 restarts in 60 s)', { timeout: 90_000 }, async () => {
    expect((await bin(PLAIN, 'start')).code).toBe(0);
    let pid = (await probe(PLAIN)).pid;
    for (const restart of [1, 2]) {
      await c.http(PLAIN.port, '/crash');
      await until(`restart ${restart}`, async () => (await show(PLAIN, 'NRestarts')).NRestarts === String(restart) && (await isActive(PLAIN)) === 'active' && (await answers(PLAIN)()));
      const next = (await probe(PLAIN)).pid;
      expect(next).not.toBe(pid);
      pid = next;
    }
    await c.http(PLAIN.port, '/crash');
    // The third restart would be the fourth start in the window: systemd refuses it and leaves the unit failed.
    await until('the start limit', async () => (await journal(PLAIN)).includes('Start request repeated too quickly'), 30_000);
    expect(await isActive(PLAIN)).toBe('failed');
    expect((await show(PLAIN, 'NRestarts')).NRestarts).toBe('3');
    expect(await journal(PLAIN)).toContain('systemd-probe: deliberate uncaught error');
    // An admin's start after fixing the cause is not held back by the limit.
    const again = await bin(PLAIN, 'start');
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(await answers(PLAIN)()).toBe(true);
    expect((await bin(PLAIN, 'stop')).code).toBe(0);
  });

  test("stop never hangs: with the app's main thread blocked, systemd ends it at the stop timeout (5 s) + 1 s", { timeout: 60_000 }, async () => {
    expect((await bin(PLAIN, 'start')).code).toBe(0);
    await c.http(PLAIN.port, '/hang');
    await sleep(300);
    const t = performance.now();
    const r = await bin(PLAIN, 'stop');
    const ms = performance.now() - t;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(ms).toBeLessThan(6_000 + 3_000);
    expect(await isActive(PLAIN)).not.toBe('active');
    expect((await show(PLAIN, 'Result')).Result).toBe('timeout');
    console.log(`[systemd] stop of a blocked app: ${Math.round(ms)} ms (TimeoutStopSec=6s)`);
  });

  test('supervised with a heartbeat: a hung app is ended and started again while the service stays active', { timeout: 90_000 }, async () => {
    const installed = await c.exec(`${SUPERVISED.dist}/install-${SUPERVISED.name}.sh`, ['--start-type', 'auto', '--arg', `port=${SUPERVISED.port}`, '--arg', 'heartbeat=1']);
    expect(installed.code, `${installed.stdout}\n${installed.stderr}`).toBe(0);
    expect((await bin(SUPERVISED, 'start')).code).toBe(0);
    await until('the supervised app to answer', answers(SUPERVISED));
    expect((await c.systemctl('is-enabled', `${SUPERVISED.name}.service`)).stdout.trim()).toBe('enabled');
    const before = await probe(SUPERVISED);
    expect(before.mode).toBe('supervised');
    const mainPid = (await show(SUPERVISED, 'MainPID')).MainPID;
    await c.http(SUPERVISED.port, '/hang');
    await until('a new app process', async () => (await probe(SUPERVISED)).pid !== before.pid, 30_000);
    expect(await isActive(SUPERVISED)).toBe('active');
    expect((await show(SUPERVISED, 'MainPID')).MainPID).toBe(mainPid);
    expect(await journal(SUPERVISED)).toMatch(/heartbeat/i);
  });

  test('uninstall --purge leaves nothing behind', async () => {
    for (const p of [PLAIN, SUPERVISED]) {
      const r = await c.exec(`${p.dist}/uninstall-${p.name}.sh`, ['--purge']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const left = await c.exec('sh', ['-c', `ls -d /etc/systemd/system/${p.name}.service* /opt/${p.name} /var/lib/${p.name} /var/lib/private/${p.name} /var/cache/${p.name} /var/cache/private/${p.name} /var/log/${p.name} /var/log/private/${p.name} /run/${p.name} 2>/dev/null`]);
      expect(left.stdout.trim(), p.name).toBe('');
      expect((await c.systemctl('list-units', '--all', '--plain', '--no-legend', `${p.name}.service`)).stdout.trim()).toBe('');
    }
  });
});
