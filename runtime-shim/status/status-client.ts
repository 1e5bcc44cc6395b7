/**
 * The client side of the status pipe (status-server.ts): connect, write the request, read one
 * line, all within `timeoutMs`. Never throws: every failure is a reason `status` prints in one
 * line in place of the live figures.
 */
import net from 'node:net';
import { parseLiveStatus, type LiveStatus } from './status-report';
import { STATUS_REQUEST } from './status-pipe';

export type LiveQueryResult = { ok: true; live: LiveStatus } | { ok: false; reason: string };

export interface LiveQueryOptions {
  /** The whole exchange, ms. */
  timeoutMs: number;
  /** Opens the connection (default: net.createConnection); tests pass their own. */
  connect?: (path: string) => net.Socket;
  /** Most bytes read before the answer counts as garbage. */
  maxBytes?: number;
}

/** Asks the service listening on `path` for its live status. */
export function queryLiveStatus(path: string, opts: LiveQueryOptions): Promise<LiveQueryResult> {
  const connect = opts.connect ?? ((p: string) => net.createConnection(p));
  const maxBytes = opts.maxBytes ?? 1 << 20;
  return new Promise((resolve) => {
    let settled = false;
    let received = '';
    const socket = connect(path);
    const done = (result: LiveQueryResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `the service did not answer on ${path} within ${formatSeconds(opts.timeoutMs)}` }), opts.timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${STATUS_REQUEST}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\n');
      if (end >= 0) done(answer(received.slice(0, end), path));
      else if (received.length > maxBytes) done({ ok: false, reason: `the answer on ${path} is not a live status` });
    });
    socket.on('end', () => done(received ? answer(received, path) : { ok: false, reason: `the service closed ${path} without answering` }));
    socket.on('close', () => done({ ok: false, reason: `the service closed ${path} without answering` }));
    socket.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, reason: connectError(err, path) }));
  });
}

function answer(line: string, path: string): LiveQueryResult {
  const live = parseLiveStatus(line);
  return live ? { ok: true, live } : { ok: false, reason: `the answer on ${path} is not a live status this exe understands` };
}

/** Why the pipe could not be used, for one line of `status` (pure). */
export function connectError(err: NodeJS.ErrnoException, path: string): string {
  switch (err.code) {
    case 'ENOENT':
      return `no status pipe ${path} (the service is still starting, or its exe predates live status)`;
    case 'EACCES':
    case 'EPERM':
      return `access denied to ${path} (live figures need an administrator prompt: "Run as administrator")`;
    case 'ECONNREFUSED':
    case 'EAGAIN':
      return `the service refused the connection on ${path} (too many status requests at once?)`;
    default:
      return `cannot connect to ${path}: ${err.code ?? err.message}`;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
