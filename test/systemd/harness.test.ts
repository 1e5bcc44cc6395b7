/**
 * The systemd harness (test/support/systemd.ts) against a real systemd 257: boots the Debian trixie
 * root in a container and runs a Type=notify service on the official Node.js linux-x64 binary (the
 * one svcpack caches, bind-mounted read-only) under the hardening a svcpack unit is meant to have
 * (DynamicUser, ProtectSystem=strict, a system-call filter that lets V8's pkey_* calls through). The
 * app tells systemd READY=1 through koffi (libc socket + sendto on $NOTIFY_SOCKET, the way the
 * runtime will), only once the test lets it, so "active only after READY=1" is observed, not assumed.
 * Then: the app's stdout is in the journal, `systemctl stop` runs its SIGTERM handler, and neither a
 * finished run nor a killed test process leaves a container, a process or a cgroup behind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/acquire';
import { bootSystemd, bootWithNode, CONTAINER_KOFFI, pollUntil, SHARED_DIR, sleep, type SystemdContainer } from '../support/systemd';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UNIT = 'svcpack-harness.service';
const PORT = 8088;
const KOFFI = CONTAINER_KOFFI;

/**
 * The service: waits until `go` appears in the shared folder, then listens, tells systemd READY=1
 * and a status, pets the watchdog; on SIGTERM says STOPPING=1, logs and exits 0.
 */
const APP = `
import fs from 'node:fs';
import http from 'node:http';
import koffi from '${KOFFI}/index.js';
const libc = koffi.load('libc.so.6');
const socket = libc.func('int socket(int domain, int type, int protocol)');
const sendto = libc.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)');
const close = libc.func('int close(int fd)');
function notify(text) {
  const target = process.env.NOTIFY_SOCKET;
  if (!target) throw new Error('no NOTIFY_SOCKET');
  const fd = socket(1 /* AF_UNIX */, 2 /* SOCK_DGRAM */ | 0o2000000 /* SOCK_CLOEXEC */, 0);
  const abstract = target.startsWith('@');
  const name = Buffer.from(abstract ? '\\0' + target.slice(1) : target);
  const addr = Buffer.alloc(110);
  addr.writeUInt16LE(1, 0);
  name.copy(addr, 2);
  const msg = Buffer.from(text);
  const sent = sendto(fd, msg, msg.length, 0, addr, 2 + name.length + (abstract ? 0 : 1));
  close(fd);
  if (sent !== msg.length) throw new Error('sd_notify failed: ' + sent);
}
console.log('started, waiting for go; uid ' + process.getuid());
const wait = setInterval(() => {
  if (!fs.existsSync('${SHARED_DIR}/go')) return;
  clearInterval(wait);
  const server = http.createServer((_, res) => res.end('ok uid=' + process.getuid())).listen(${PORT}, '127.0.0.1', () => {
    console.log('listening on ${PORT}');
    notify('READY=1\\nSTATUS=serving on ${PORT}');
    setInterval(() => notify('WATCHDOG=1'), 1000);
  });
  process.on('SIGTERM', () => {
    notify('STOPPING=1');
    console.log('SIGTERM: closing');
    server.close(() => process.exit(0));
  });
}, 100);
`;

const SERVICE = `[Unit]
Description=svcpack harness test service

[Service]
Type=notify
NotifyAccess=main
ExecStart=/usr/local/bin/node ${SHARED_DIR}/app.mjs
TimeoutStartSec=30
TimeoutStopSec=10
WatchdogSec=10
DynamicUser=yes
StateDirectory=svcpack-harness
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
RestrictSUIDSGID=yes
CapabilityBoundingSet=
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
SystemCallFilter=@system-service pkey_alloc pkey_free pkey_mprotect
UMask=0077
`;

function aliveOnHost(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Host processes whose command line names the machine `name` (nspawn's, the guardian's). */
function processesNaming(name: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(name) && Number(pid) !== process.pid) found.push(`${pid} ${cmd.trim()}`);
    } catch {
      // gone
    }
  }
  return found;
}

describe('a Type=notify service on Node.js in a booted systemd', () => {
  let c: SystemdContainer;
  const t0 = performance.now();

  beforeAll(async () => {
    c = await bootWithNode();
    console.log(`[systemd] ${c.name} booted (${c.state}) in ${c.bootMs} ms`);
    fs.writeFileSync(path.join(c.shared.host, 'app.mjs'), APP);
    await c.writeFile(`/etc/systemd/system/${UNIT}`, SERVICE);
    expect((await c.systemctl('daemon-reload')).code).toBe(0);
  });

  afterAll(async () => {
    await c?.shutdown();
    console.log(`[systemd] file done in ${Math.round(performance.now() - t0)} ms`);
  });

  test('systemd 257 is PID 1 of a container named for this run, with its own loopback', async () => {
    expect(['running', 'degraded']).toContain(c.state);
    expect((await c.systemctl('--version')).stdout).toMatch(/^systemd 257\b/);
    expect((await c.exec('hostname')).stdout.trim()).toBe(c.name);
    expect((await c.exec('cat', ['/proc/1/comm'])).stdout.trim()).toBe('systemd');
    expect((await c.exec('/usr/local/bin/node', ['--version'])).stdout.trim()).toBe(`v${DEFAULT_NODE_VERSION}`);
    const verify = await c.exec('systemd-analyze', ['verify', `/etc/systemd/system/${UNIT}`]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  test('files go in three ways: the shared folder (at once), writeFile, copyIn (a file renamed, a folder)', async () => {
    const dir = fs.mkdtempSync(path.join(c.shared.host, 'src-'));
    fs.mkdirSync(path.join(dir, 'tree/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tree/sub/b.txt'), 'bee\n');
    fs.writeFileSync(path.join(dir, 'one.txt'), 'one\n');
    expect((await c.exec('cat', [`${SHARED_DIR}/${path.basename(dir)}/one.txt`])).stdout).toBe('one\n');
    await c.writeFile('/etc/svcpack-test/conf', 'x=1\n', 0o600);
    expect((await c.exec('stat', ['-c', '%a %U', '/etc/svcpack-test/conf'])).stdout.trim()).toBe('600 root');
    await c.copyIn(path.join(dir, 'one.txt'), '/opt/copied/renamed.txt');
    await c.copyIn(path.join(dir, 'tree'), '/opt/copied/tree');
    const r = await c.exec('sh', ['-c', 'cat /opt/copied/renamed.txt /opt/copied/tree/sub/b.txt; ls -A /opt/copied']);
    expect(r.stdout).toBe('one\nbee\nrenamed.txt\ntree\n');
    await expect(c.copyIn(path.join(dir, 'missing'), '/opt/x')).rejects.toThrow(/ENOENT/);
  });

  test('the unit is activating until the app sends READY=1, active after, and serves from inside', async () => {
    expect((await c.systemctl('start', '--no-block', UNIT)).code).toBe(0);
    await pollUntil('the app to start', () => c.journalctl('-u', UNIT, '-o', 'cat'), (j) => j.includes('started, waiting for go'));
    for (let i = 0; i < 5; i++) {
      expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('activating');
      await sleep(200);
    }
    fs.writeFileSync(path.join(c.shared.host, 'go'), '');
    await pollUntil('is-active', async () => (await c.systemctl('is-active', UNIT)).stdout.trim(), (s) => s === 'active');
    expect((await c.systemctl('show', '-p', 'StatusText', '--value', UNIT)).stdout.trim()).toBe(`serving on ${PORT}`);
    const res = await c.http(PORT, '/');
    expect(res.status).toBe(200);
    const uid = Number(/^ok uid=(\d+)$/.exec(res.body)?.[1]);
    expect(uid).toBeGreaterThan(0); // DynamicUser: not root
  });

  test("journald has the app's stdout", async () => {
    const log = await pollUntil('the journal', () => c.journalctl('-u', UNIT, '-o', 'cat'), (j) => j.includes(`listening on ${PORT}`));
    expect(log).toMatch(/^started, waiting for go; uid \d+$/m);
  });

  test('systemctl stop runs the SIGTERM handler and the service ends cleanly', async () => {
    expect((await c.systemctl('stop', UNIT)).code).toBe(0);
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('inactive');
    const show = (await c.systemctl('show', '-p', 'Result', '-p', 'ExecMainCode', '-p', 'ExecMainStatus', UNIT)).stdout;
    expect(show).toContain('Result=success');
    expect(show).toContain('ExecMainStatus=0');
    const log = await pollUntil('the journal', () => c.journalctl('-u', UNIT, '-o', 'cat'), (j) => j.includes('SIGTERM: closing'));
    expect(log).toContain('Deactivated successfully');
  });

  test('shutdown() leaves no container, process, cgroup or folder behind', async () => {
    const { nspawnPid, leaderPid, cgroups, name, shared } = c;
    const t = performance.now();
    await c.shutdown();
    console.log(`[systemd] shutdown in ${Math.round(performance.now() - t)} ms`);
    expect(aliveOnHost(nspawnPid)).toBe(false);
    expect(aliveOnHost(leaderPid)).toBe(false);
    expect(processesNaming(name)).toEqual([]);
    for (const cg of cgroups) expect(fs.existsSync(cg)).toBe(false);
    expect(fs.existsSync(shared.host)).toBe(false);
    expect(fs.existsSync(`/run/systemd/nspawn/propagate/${name}`)).toBe(false);
    await c.shutdown(); // a second call is harmless
  });
});

describe('a test process that dies', () => {
  test('takes its container with it (the guardian powers it off and cleans up)', async () => {
    // A separate Node process boots a container, reports it, and is then killed with SIGKILL:
    // no afterAll, no exit handler runs.
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(repoRoot, 'scripts/ts-register.js'),
        '--input-type=module',
        '-e',
        `import { bootSystemd } from ${JSON.stringify(path.join(repoRoot, 'test/support/systemd.ts'))};
         const c = await bootSystemd();
         console.log(JSON.stringify({ name: c.name, nspawnPid: c.nspawnPid, leaderPid: c.leaderPid, cgroups: c.cgroups, shared: c.shared.host }));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    const booted = await new Promise<{ name: string; nspawnPid: number; leaderPid: number; cgroups: string[]; shared: string }>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.on('exit', (code) => reject(new Error(`the child ended (exit code ${code}) before booting: ${out}`)));
    });
    expect(aliveOnHost(booted.leaderPid)).toBe(true);
    const t = performance.now();
    child.kill('SIGKILL');
    await pollUntil('the container to go', async () => aliveOnHost(booted.nspawnPid) || aliveOnHost(booted.leaderPid), (alive) => !alive, 30_000);
    await pollUntil(
      'the guardian to clean up',
      async () => processesNaming(booted.name).length + booted.cgroups.filter((d) => fs.existsSync(d)).length + [booted.shared, `/run/systemd/nspawn/propagate/${booted.name}`].filter((d) => fs.existsSync(d)).length,
      (n) => n === 0,
      10_000,
    );
    console.log(`[systemd] container of a killed test process gone in ${Math.round(performance.now() - t)} ms`);
  }, 60_000);
});

describe('containers that do not cooperate', () => {
  test('a boot that does not finish in time fails with one line and leaves nothing', async () => {
    const before = fs.readdirSync('/proc').length;
    const err = await bootSystemd({ bootTimeoutMs: 1 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^the container('s systemd did not start| did not finish booting) within 0\.001 s/);
    expect(err?.message.split('\n')).toHaveLength(1);
    expect(processesNaming(`svcpack-${process.pid}-`)).toEqual([]);
    expect(fs.readdirSync('/proc').length).toBeLessThan(before + 20); // nothing piled up
  });

  test('a container whose poweroff hangs is killed after stopTimeoutMs, leaving nothing', async () => {
    const c = await bootSystemd({ stopTimeoutMs: 1_000 });
    await c.writeFile(
      '/etc/systemd/system/stubborn.service',
      '[Service]\nExecStart=/bin/sh -c \'trap "" TERM; touch /run/stubborn; while :; do sleep 1; done\'\nKillMode=process\nTimeoutStopSec=300\n',
    );
    await c.systemctl('daemon-reload');
    expect((await c.systemctl('start', 'stubborn.service')).code).toBe(0);
    // Only once its shell ignores SIGTERM can the unit hold up the poweroff.
    await pollUntil('the unit to ignore SIGTERM', async () => (await c.exec('test', ['-e', '/run/stubborn'])).code, (code) => code === 0);
    const t = performance.now();
    await c.shutdown();
    const ms = performance.now() - t;
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(8_000);
    expect(aliveOnHost(c.nspawnPid) || aliveOnHost(c.leaderPid)).toBe(false);
    expect(processesNaming(c.name)).toEqual([]);
    for (const cg of c.cgroups) expect(fs.existsSync(cg)).toBe(false);
    console.log(`[systemd] a hanging poweroff ended by SIGKILL in ${Math.round(ms)} ms`);
  });
});
