/**
 * The service manager's notification protocol (sd_notify(3)) in the service's terms: ready,
 * stopping, reloading, watchdog heartbeats, a status line, more time for the current start or
 * stop. systemd passes the socket in `NOTIFY_SOCKET` (an absolute path, or `@name` in the
 * abstract namespace) and expects one AF_UNIX datagram per notification, newline-separated
 * `KEY=value` assignments. Node cannot send unix datagrams, so the send goes through libc
 * (libc-bindings.ts): a fresh SOCK_DGRAM|SOCK_CLOEXEC socket per message, sendto with
 * MSG_NOSIGNAL, blocking, as libsystemd's sd_notify does (it blocks only while the manager's
 * queue for the socket is full).
 *
 * The environment is read once, when the notifier is made: `NOTIFY_SOCKET` unset (or empty) means
 * the process was not started by systemd with Type=notify, and the notifier sends nothing.
 * `WATCHDOG_USEC` / `WATCHDOG_PID` give the watchdog (WatchdogSec=): the manager kills the service
 * when no `WATCHDOG=1` arrives within WATCHDOG_USEC, and sd_watchdog_enabled(3) advises a
 * heartbeat every half of it.
 *
 * The address, message and environment parts are pure and exported for the tests; only `send`
 * touches the OS.
 */
import { AF_UNIX, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_DGRAM, SUN_PATH_OFFSET, SUN_PATH_SIZE, CLOCK_MONOTONIC, writeFamily, type Libc } from './libc-bindings';

/** A notify socket address: what NOTIFY_SOCKET said, and its encoded `struct sockaddr_un`. */
export interface NotifyAddress {
  /** NOTIFY_SOCKET as given (`/run/systemd/notify`, `@/org/freedesktop/systemd1/notify/…`). */
  readonly text: string;
  /** The sockaddr_un to pass to sendto, exactly as long as the address needs (its addrlen). */
  readonly sockaddr: Buffer;
}

/** The largest heartbeat interval setInterval honours (it runs larger ones after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The sockaddr_un of a unix socket address (pure): an absolute path (NUL-terminated, at most
 * SUN_PATH_SIZE - 1 bytes), or `@name` for the abstract namespace (a leading NUL, then the name's
 * bytes, not terminated: the address length delimits it; at most SUN_PATH_SIZE - 1 bytes). Throws
 * an Error saying what is wrong with `address`.
 */
export function encodeSockaddrUn(address: string): Buffer {
  const abstract = address.startsWith('@');
  if (!abstract && !address.startsWith('/')) {
    throw new Error(`${JSON.stringify(address)} is neither an absolute socket path nor an '@' abstract socket name`);
  }
  const name = Buffer.from(abstract ? address.slice(1) : address, 'utf8');
  if (!abstract && name.includes(0)) throw new Error(`socket path ${JSON.stringify(address)} contains a NUL character`);
  if (abstract && name.length === 0) throw new Error(`'@' names no abstract socket`);
  const max = SUN_PATH_SIZE - 1;
  if (name.length > max) {
    throw new Error(`socket address ${JSON.stringify(address)} is ${name.length} bytes; a unix socket address holds at most ${max}`);
  }
  // Path: the bytes and their NUL. Abstract: the leading NUL (the '@'), then the bytes.
  const addr = Buffer.alloc(SUN_PATH_OFFSET + name.length + 1);
  writeFamily(addr, AF_UNIX);
  name.copy(addr, SUN_PATH_OFFSET + (abstract ? 1 : 0));
  return addr;
}

/**
 * The notify socket named by NOTIFY_SOCKET (pure): null when it is unset or empty (not under
 * systemd's Type=notify). Throws one line when it is set to something this backend cannot send
 * to: a relative path, an over-long address, or an AF_VSOCK address (`vsock:…`, which systemd
 * uses only for virtual machines' managers).
 */
export function parseNotifySocket(value: string | undefined): NotifyAddress | null {
  if (value === undefined || value === '') return null;
  if (/^vsock(-stream|-dgram|-seqpacket)?:/.test(value)) {
    throw new Error(`NOTIFY_SOCKET=${value} is an AF_VSOCK address; svcpack notifies over AF_UNIX sockets only`);
  }
  try {
    return { text: value, sockaddr: encodeSockaddrUn(value) };
  } catch (err) {
    throw new Error(`NOTIFY_SOCKET is not usable: ${(err as Error).message}`);
  }
}

/** The watchdog systemd expects of this process (WatchdogSec=). */
export interface Watchdog {
  /** WATCHDOG_USEC: the manager acts when no heartbeat arrives within this many microseconds. */
  readonly timeoutUsec: bigint;
  /** How often to send `WATCHDOG=1`, ms: half the timeout (sd_watchdog_enabled(3)), at least 1. */
  readonly heartbeatMs: number;
}

/**
 * The watchdog from WATCHDOG_USEC / WATCHDOG_PID (pure): null when WATCHDOG_USEC is unset or
 * empty, or when WATCHDOG_PID names another process (the variables were inherited from a parent
 * the watchdog is meant for). Throws one line when either is not a positive decimal number.
 */
export function parseWatchdog(env: NodeJS.ProcessEnv, pid: number): Watchdog | null {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === '') return null;
  if (!/^[0-9]+$/.test(usec) || BigInt(usec) === 0n) {
    throw new Error(`WATCHDOG_USEC=${usec} is not a positive number of microseconds`);
  }
  const forPid = env.WATCHDOG_PID;
  if (forPid !== undefined && forPid !== '') {
    if (!/^[0-9]+$/.test(forPid) || Number(forPid) === 0) throw new Error(`WATCHDOG_PID=${forPid} is not a process id`);
    if (Number(forPid) !== pid) return null;
  }
  const timeoutUsec = BigInt(usec);
  const halfMs = timeoutUsec / 2000n;
  const heartbeatMs = halfMs > BigInt(MAX_TIMER_MS) ? MAX_TIMER_MS : Math.max(1, Number(halfMs));
  return { timeoutUsec, heartbeatMs };
}

/**
 * A STATUS= value (pure): one line of text, since a newline would start another assignment (an
 * app's status text could otherwise say READY=1). Control characters become spaces; surrounding
 * whitespace is trimmed.
 */
export function statusValue(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** One notification as the datagram's text (pure): `KEY=value` lines, in order. */
export function formatNotification(assignments: ReadonlyArray<readonly [key: string, value: string]>): string {
  return assignments
    .map(([key, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new Error(`invalid notification key ${JSON.stringify(key)}`);
      if (/[\n\0]/.test(value)) throw new Error(`notification value of ${key} spans lines`);
      return `${key}=${value}`;
    })
    .join('\n');
}

/** The assignments of each notification (pure). */
export const notifications = {
  ready: (status?: string) => withStatus([['READY', '1']], status),
  stopping: (status?: string) => withStatus([['STOPPING', '1']], status),
  /** systemd ≥ 253 (Type=notify-reload) matches RELOADING=1 to the reload by MONOTONIC_USEC. */
  reloading: (monotonicUsec: bigint, status?: string) =>
    withStatus([['RELOADING', '1'], ['MONOTONIC_USEC', monotonicUsec.toString()]], status),
  watchdog: () => [['WATCHDOG', '1']] as const,
  status: (text: string) => [['STATUS', statusValue(text)]] as const,
  extendTimeout: (usec: number) => {
    if (!Number.isSafeInteger(usec) || usec <= 0) throw new RangeError(`extendTimeout needs a positive whole number of microseconds, not ${usec}`);
    return [['EXTEND_TIMEOUT_USEC', String(usec)]] as const;
  },
};

function withStatus(first: Array<[string, string]>, status: string | undefined): Array<[string, string]> {
  return status === undefined ? first : [...first, ['STATUS', statusValue(status)]];
}

/**
 * Sends one notification datagram to `address` (a fresh socket, closed after). Throws LibcError
 * (`sendto: ECONNREFUSED (errno 111)`) when it cannot be delivered.
 */
export function send(libc: Libc, address: NotifyAddress, message: string): void {
  const data = Buffer.from(message, 'utf8');
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  try {
    const sent = libc.sendto(fd, data, MSG_NOSIGNAL, address.sockaddr);
    if (sent !== data.length) throw new Error(`sendto: sent ${sent} of ${data.length} bytes to ${address.text}`);
  } finally {
    libc.close(fd);
  }
}

/**
 * This process's line to systemd. Each method sends one datagram when the process runs under
 * Type=notify and does nothing otherwise; a send that fails throws (LibcError, naming the call).
 */
export interface SystemdNotifier {
  /** True when NOTIFY_SOCKET was set: systemd waits for `ready`. */
  readonly active: boolean;
  /** NOTIFY_SOCKET as read, null when unset (for messages). */
  readonly socket: string | null;
  /** READY=1: start-up (or a reload) is complete; with STATUS= when given. */
  ready(status?: string): void;
  /** STOPPING=1: the service is stopping. */
  stopping(status?: string): void;
  /** RELOADING=1 with MONOTONIC_USEC= now: a reload began; `ready` ends it. */
  reloading(status?: string): void;
  /** WATCHDOG=1: a heartbeat. */
  watchdog(): void;
  /** STATUS=: a one-line status for `systemctl status` (newlines become spaces). */
  status(text: string): void;
  /** EXTEND_TIMEOUT_USEC=: the current start, reload or stop may take `usec` more from now. */
  extendTimeout(usec: number): void;
  /** The heartbeat interval in ms when systemd expects WATCHDOG=1 from this process, else null. */
  watchdogInterval(): number | null;
}

export interface NotifierOptions {
  /** The environment to read once (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** This process's id, matched against WATCHDOG_PID (default process.pid). */
  pid?: number;
}

/**
 * The notifier for this process, from NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as they are
 * now. Throws one line when one of them is set but unusable. `libc` is used only when a
 * notification is sent.
 */
export function systemdNotifier(libc: Libc, opts: NotifierOptions = {}): SystemdNotifier {
  const env = opts.env ?? process.env;
  const address = parseNotifySocket(env.NOTIFY_SOCKET);
  const watchdog = address ? parseWatchdog(env, opts.pid ?? process.pid) : null;
  const notify = (assignments: ReadonlyArray<readonly [string, string]>): void => {
    if (address) send(libc, address, formatNotification(assignments));
  };
  return {
    active: address !== null,
    socket: address?.text ?? null,
    ready: (status) => notify(notifications.ready(status)),
    stopping: (status) => notify(notifications.stopping(status)),
    reloading(status) {
      if (address) notify(notifications.reloading(libc.clockMicros(CLOCK_MONOTONIC), status));
    },
    watchdog: () => notify(notifications.watchdog()),
    status: (text) => notify(notifications.status(text)),
    extendTimeout(usec) {
      const assignments = notifications.extendTimeout(usec);
      notify(assignments);
    },
    watchdogInterval: () => watchdog?.heartbeatMs ?? null,
  };
}
