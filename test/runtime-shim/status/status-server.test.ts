/**
 * The status pipe's protocol over a Unix socket (Node's net speaks the same on Linux): the server
 * answers only after the request line, and the client turns every failure into a reason.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectError, queryLiveStatus } from '../../../runtime-shim/status/status-client';
import { buildLiveStatus, type LiveStatus } from '../../../runtime-shim/status/status-report';
import { startStatusServer, type StatusServer } from '../../../runtime-shim/status/status-server';

const live: LiveStatus = buildLiveStatus({
  name: 'MySvc',
  state: 'running',
  service: { pid: 4000, nowMs: Date.parse('2026-12-02T12:00:00Z'), uptimeMs: 5_000, rssBytes: 1 << 25, heapUsedBytes: 1 << 23, cpuMicros: 250_000 },
  lastError: null,
  logFile: 'C:\\ProgramData\\MySvc\\logs\\MySvc.log',
});

let dir: string;
let sock: string;
let servers: { close(): void }[];
let logs: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-status-'));
  sock = path.join(dir, 'status.sock');
  servers = [];
  logs = [];
});
afterEach(() => {
  for (const s of servers) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(report: () => Promise<LiveStatus> = async () => live, requestTimeoutMs = 300): Promise<StatusServer> {
  const server = startStatusServer({ path: sock, report, log: (level, message) => logs.push(`${level} ${message}`), requestTimeoutMs });
  servers.push(server);
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 5));
  return server;
}

/** Connects, optionally writes `send`, and collects what arrives until the server closes (or `waitMs`). */
function exchange(send: string | null, waitMs = 2_000): Promise<{ received: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let received = '';
    const socket = net.createConnection(sock, () => {
      if (send !== null) socket.write(send);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closedAfterMs: null });
    }, waitMs);
    socket.on('data', (c) => (received += c.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: performance.now() - t0 });
    });
  });
}

describe('status server', () => {
  it('answers the request line with one line of JSON, then closes', async () => {
    await serve();
    const r = await exchange('status\n');
    expect(r.received.endsWith('\n')).toBe(true);
    expect(JSON.parse(r.received)).toEqual(live);
    expect(r.closedAfterMs).not.toBeNull();
  });

  it('accepts CRLF and a request that arrives in pieces', async () => {
    await serve();
    expect(JSON.parse((await exchange('status\r\n')).received)).toEqual(live);
    const pieces = await new Promise<string>((resolve) => {
      let received = '';
      const socket = net.createConnection(sock, () => {
        socket.write('sta');
        setTimeout(() => socket.write('tus\n'), 30);
      });
      socket.on('data', (c) => (received += c.toString('utf8')));
      socket.on('close', () => resolve(received));
    });
    expect(JSON.parse(pieces)).toEqual(live);
  });

  it('a client that only reads gets nothing, and is closed after the request timeout', async () => {
    await serve(async () => live, 300);
    // Waits far longer than the timeout: a busy machine may close late, never early.
    const r = await exchange(null, 20_000);
    expect(r.received).toBe('');
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(250);
  });

  it('a wrong request line, or too many bytes without a newline, is closed without an answer', async () => {
    // The request timeout is beyond the test's own: any close seen is the server refusing the line,
    // however slowly a busy machine delivers it.
    await serve(async () => live, 600_000);
    for (const request of ['hello\n', 'x'.repeat(100)]) {
      const r = await exchange(request, 10_000);
      expect(r, JSON.stringify(request)).toMatchObject({ received: '' });
      expect(r.closedAfterMs, JSON.stringify(request)).not.toBeNull();
    }
  });

  it('a report that fails closes the connection and logs a warning', async () => {
    await serve(async () => {
      throw new Error('figures unavailable');
    });
    expect((await exchange('status\n')).received).toBe('');
    expect(logs).toEqual(['warn live status request failed: figures unavailable']);
  });

  it('a path another process already listens on: one error record, no throw', async () => {
    const other = net.createServer().listen(sock);
    servers.push({ close: () => other.close() });
    await new Promise((r) => other.once('listening', r));
    startStatusServer({ path: sock, report: async () => live, log: (level, message) => logs.push(`${level} ${message}`) });
    for (let i = 0; i < 100 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(logs).toEqual([`error live status is unavailable: cannot listen on ${sock} (another process already holds that pipe name); "status" shows the SCM's part only`]);
  });

  it('never keeps the process alive', async () => {
    const pipes = () => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length;
    const before = pipes();
    await serve();
    expect(pipes()).toBe(before);
    const referenced = net.createServer().listen(path.join(dir, 'ref.sock'));
    await new Promise((r) => referenced.once('listening', r));
    expect(pipes()).toBe(before + 1); // what a server that holds the process looks like
    referenced.close();
  });
});

describe('status client', () => {
  it('gets the live status from the server', async () => {
    await serve();
    expect(await queryLiveStatus(sock, { timeoutMs: 1_000 })).toEqual({ ok: true, live });
  });

  it('no pipe: says so', async () => {
    const r = await queryLiveStatus(path.join(dir, 'missing.sock'), { timeoutMs: 1_000 });
    expect(r).toEqual({ ok: false, reason: `no status pipe ${path.join(dir, 'missing.sock')} (the service is still starting, or its exe predates live status)` });
  });

  it('a server that never answers: the timeout, in seconds', async () => {
    const silent = net.createServer(() => undefined).listen(sock);
    servers.push({ close: () => silent.close() });
    await new Promise((r) => silent.once('listening', r));
    const t0 = performance.now();
    const r = await queryLiveStatus(sock, { timeoutMs: 200 });
    expect(r).toEqual({ ok: false, reason: `the service did not answer on ${sock} within 200 ms` });
    expect(performance.now() - t0).toBeLessThan(1_000);
    silent.getConnections(() => undefined);
  });

  it('a server that closes without answering, or answers garbage', async () => {
    const closing = net.createServer((s) => s.end()).listen(sock);
    servers.push({ close: () => closing.close() });
    await new Promise((r) => closing.once('listening', r));
    expect(await queryLiveStatus(sock, { timeoutMs: 1_000 })).toEqual({ ok: false, reason: `the service closed ${sock} without answering` });
    closing.close();

    const sock2 = path.join(dir, 'garbage.sock');
    const garbage = net.createServer((s) => s.end('{"protocol":1}\n')).listen(sock2);
    servers.push({ close: () => garbage.close() });
    await new Promise((r) => garbage.once('listening', r));
    expect(await queryLiveStatus(sock2, { timeoutMs: 1_000 })).toEqual({ ok: false, reason: `the answer on ${sock2} is not a live status this exe understands` });
  });

  it('an answer without end that grows too large is refused', async () => {
    const huge = net.createServer((s) => s.write('x'.repeat(5_000))).listen(sock);
    servers.push({ close: () => huge.close() });
    await new Promise((r) => huge.once('listening', r));
    expect(await queryLiveStatus(sock, { timeoutMs: 1_000, maxBytes: 1_000 })).toEqual({ ok: false, reason: `the answer on ${sock} is not a live status` });
  });

  it('the connection is injected: a fake socket that fails with access denied', async () => {
    const connect = () => {
      const socket = new net.Socket();
      setImmediate(() => socket.emit('error', Object.assign(new Error('connect EPERM \\\\.\\pipe\\svcpack-MySvc'), { code: 'EPERM' })));
      return socket;
    };
    expect(await queryLiveStatus('\\\\.\\pipe\\svcpack-MySvc', { timeoutMs: 1_000, connect })).toEqual({
      ok: false,
      reason: 'access denied to \\\\.\\pipe\\svcpack-MySvc (live figures need an administrator prompt: "Run as administrator")',
    });
  });

  it('connectError names each failure', () => {
    const e = (code: string) => connectError(Object.assign(new Error(code), { code }), 'P');
    expect(e('EACCES')).toMatch(/^access denied to P/);
    expect(e('ECONNREFUSED')).toBe('the service refused the connection on P (too many status requests at once?)');
    expect(e('EPIPE')).toBe('cannot connect to P: EPIPE');
  });
});
