/**
 * The running service's side of `<exe> status`: answers the live status (status-report.ts) on the
 * named pipe `\\.\pipe\svcpack-<Name>` (status-pipe.ts). Started by both service modes; never
 * keeps the process alive (the server and its connections are unref'ed) and never throws into the
 * service: a failure to listen is one error record, and the service runs on without it.
 *
 * Protocol: the client connects, writes the line `status`, and gets one line of JSON, then the
 * server ends the connection. Anything else — a different line, more than 64 bytes, or nothing
 * within `requestTimeoutMs` — closes the connection without a byte written.
 *
 * Who can get an answer, and why the request comes first. Node (libuv `pipe_alloc_accept`) creates
 * every pipe instance with `CreateNamedPipeW(..., lpSecurityAttributes = NULL)`, so the pipe has
 * the default security descriptor (the DACL CreateNamedPipeW builds with ntdll's RtlDefaultNpAcl,
 * not the creator token's default DACL), which per Microsoft ("Named Pipe Security and Access
 * Rights") grants full control to LocalSystem, Administrators and the creator owner (the service's
 * account), and read access to Everyone and the anonymous account. Read access (FILE_GENERIC_READ)
 * lets a process open the pipe and read what the server writes, but not write to it. So the server
 * writes nothing until it has read the request: only a client with write access — LocalSystem, an
 * elevated administrator, the service's own account — can make it answer; a read-only client holds
 * a connection for at most `requestTimeoutMs` and reads end-of-file. Node's own client (`MySvc.exe
 * status` from a prompt that is not elevated) asks for read+write, then read +
 * FILE_WRITE_ATTRIBUTES, then write + FILE_READ_ATTRIBUTES (libuv `open_named_pipe`), none of
 * which the default DACL grants Everyone: it fails with "access denied" at once.
 *
 * Why not an explicit DACL: Node cannot serve a pipe handle created elsewhere (on Windows
 * `listen({ fd })` does not take pipes), so one would mean a pipe server of our own over koffi,
 * with ConnectNamedPipe/ReadFile blocking libuv thread-pool threads the app needs — more native
 * code for the same guarantee. Limits of this choice: libuv does not set
 * PIPE_REJECT_REMOTE_CLIENTS, so over SMB (`\\host\pipe\svcpack-<Name>`) the same rule applies to
 * network logons — an account with administrator rights on this machine can query, nobody else;
 * and a process that creates the pipe name before the service starts makes `listen` fail (the
 * first instance is created with FILE_FLAG_FIRST_PIPE_INSTANCE: EADDRINUSE, logged), so the client
 * checks that the answer comes from the service's own pid (commands/status.ts).
 *
 * Wine 10 enforces none of this: it gives a pipe created without security attributes no security
 * descriptor at all (its RtlDefaultNpAcl is a stub that returns no ACL), stores an explicit DACL
 * without checking it when a client opens the pipe, and runs every process as the one Wine user.
 * test/e2e/live-status.test.ts records those facts and proves what Wine can show: the
 * request-first protocol (a client that only reads gets nothing).
 */
import net from 'node:net';
import type { LiveStatus } from './status-report';
import { STATUS_REQUEST } from './status-pipe';

export interface StatusServerOptions {
  /** The pipe (`statusPipePath`), or a Unix socket path in tests. */
  path: string;
  /** Builds one answer; may take a moment (supervised mode asks the app's process). */
  report(): Promise<LiveStatus>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** How long a client has to send its request, ms (default 2000). */
  requestTimeoutMs?: number;
}

export interface StatusServer {
  /** Stops listening; open connections finish. */
  close(): void;
}

/** Longest request line accepted, bytes. */
const MAX_REQUEST_BYTES = 64;
/** Clients served at once; more are refused until one ends (a flood only costs the flooder). */
const MAX_CONNECTIONS = 16;

export function startStatusServer(opts: StatusServerOptions): StatusServer {
  const timeoutMs = opts.requestTimeoutMs ?? 2_000;
  const server = net.createServer((socket) => serve(socket, opts, timeoutMs));
  server.maxConnections = MAX_CONNECTIONS;
  server.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code === 'EADDRINUSE' ? 'another process already holds that pipe name' : err.message;
    opts.log('error', `live status is unavailable: cannot listen on ${opts.path} (${why}); "status" shows the SCM's part only`);
  });
  server.listen(opts.path);
  server.unref();
  return {
    close: () => {
      server.close();
    },
  };
}

function serve(socket: net.Socket, opts: StatusServerOptions, timeoutMs: number): void {
  socket.unref();
  socket.on('error', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  let received = '';
  let answered = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (answered) return;
    received += chunk;
    const end = received.indexOf('\n');
    if (end < 0) {
      if (received.length > MAX_REQUEST_BYTES) finish();
      return;
    }
    answered = true;
    if (received.slice(0, end).replace(/\r$/, '') !== STATUS_REQUEST) {
      finish();
      return;
    }
    opts
      .report()
      .then((live) => {
        clearTimeout(timer);
        socket.end(`${JSON.stringify(live)}\n`);
      })
      .catch((err: unknown) => {
        opts.log('warn', `live status request failed: ${(err as Error)?.message ?? String(err)}`);
        finish();
      });
  });
  socket.on('close', () => clearTimeout(timer));

  function finish(): void {
    clearTimeout(timer);
    socket.destroy();
  }
}
