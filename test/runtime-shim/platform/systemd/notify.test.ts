import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOCK_MONOTONIC, LibcError, SUN_PATH_SIZE, bindLibc, type Libc } from '../../../../runtime-shim/platform/systemd/libc-bindings';
import {
  encodeSockaddrUn,
  formatNotification,
  notifications,
  parseNotifySocket,
  parseWatchdog,
  send,
  statusValue,
  systemdNotifier,
} from '../../../../runtime-shim/platform/systemd/notify';
import { bindReceiver, testLibc, type Receiver } from './notify-receiver';

describe('encodeSockaddrUn', () => {
  it('encodes a path NUL-terminated after the AF_UNIX family', () => {
    const addr = encodeSockaddrUn('/run/systemd/notify');
    expect(addr.readUInt16LE(0)).toBe(1);
    expect(addr.subarray(2).toString('latin1')).toBe('/run/systemd/notify\0');
    expect(addr.length).toBe(2 + '/run/systemd/notify'.length + 1);
  });

  it('encodes an abstract name with a leading NUL and no terminator', () => {
    const addr = encodeSockaddrUn('@/org/freedesktop/systemd1/notify/1');
    expect(addr.subarray(2).toString('latin1')).toBe('\0/org/freedesktop/systemd1/notify/1');
    expect(addr.length).toBe(2 + '@/org/freedesktop/systemd1/notify/1'.length);
  });

  it('counts UTF-8 bytes against sun_path', () => {
    const max = SUN_PATH_SIZE - 1;
    expect(encodeSockaddrUn('/' + 'a'.repeat(max - 1)).length).toBe(2 + max + 1);
    expect(encodeSockaddrUn('@' + 'a'.repeat(max)).length).toBe(2 + 1 + max);
    expect(() => encodeSockaddrUn('/' + 'a'.repeat(max))).toThrow(`is ${max + 1} bytes; a unix socket address holds at most ${max}`);
    expect(() => encodeSockaddrUn('@' + 'a'.repeat(max + 1))).toThrow(`at most ${max}`);
    // 'é' is two UTF-8 bytes: '/' and 53 of them fill the 107 bytes exactly, 54 are too many.
    expect(encodeSockaddrUn('/' + 'é'.repeat(53)).length).toBe(2 + max + 1);
    expect(() => encodeSockaddrUn('/' + 'é'.repeat(54))).toThrow('is 109 bytes');
  });

  it('rejects relative paths, NULs and an empty abstract name', () => {
    expect(() => encodeSockaddrUn('run/notify')).toThrow("neither an absolute socket path nor an '@' abstract socket name");
    expect(() => encodeSockaddrUn('/a\0b')).toThrow('contains a NUL character');
    expect(() => encodeSockaddrUn('@')).toThrow("'@' names no abstract socket");
  });
});

describe('parseNotifySocket', () => {
  it('is null when NOTIFY_SOCKET is unset or empty', () => {
    expect(parseNotifySocket(undefined)).toBeNull();
    expect(parseNotifySocket('')).toBeNull();
  });

  it('keeps the text and the encoded address', () => {
    const a = parseNotifySocket('/run/systemd/notify');
    expect(a?.text).toBe('/run/systemd/notify');
    expect(a?.sockaddr).toEqual(encodeSockaddrUn('/run/systemd/notify'));
  });

  it('says in one line what is wrong', () => {
    expect(() => parseNotifySocket('notify')).toThrow(/^NOTIFY_SOCKET is not usable: "notify" is neither/);
    expect(() => parseNotifySocket('vsock:2:1234')).toThrow('NOTIFY_SOCKET=vsock:2:1234 is an AF_VSOCK address; svcpack notifies over AF_UNIX sockets only');
    expect(() => parseNotifySocket('vsock-stream:2:1234')).toThrow('AF_VSOCK');
    expect(() => parseNotifySocket('/' + 'x'.repeat(200))).toThrow(/^NOTIFY_SOCKET is not usable: socket address .* is 201 bytes/);
  });
});

describe('parseWatchdog', () => {
  it('is null without WATCHDOG_USEC', () => {
    expect(parseWatchdog({}, 42)).toBeNull();
    expect(parseWatchdog({ WATCHDOG_USEC: '' }, 42)).toBeNull();
  });

  it('beats every half of the timeout', () => {
    expect(parseWatchdog({ WATCHDOG_USEC: '30000000' }, 42)).toEqual({ timeoutUsec: 30_000_000n, heartbeatMs: 15_000 });
    expect(parseWatchdog({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)?.heartbeatMs).toBe(15_000);
  });

  it('keeps the interval within what a timer can do', () => {
    expect(parseWatchdog({ WATCHDOG_USEC: '1' }, 42)?.heartbeatMs).toBe(1);
    expect(parseWatchdog({ WATCHDOG_USEC: '18446744073709551614' }, 42)).toEqual({ timeoutUsec: 18446744073709551614n, heartbeatMs: 2 ** 31 - 1 });
  });

  it('is null when the watchdog is meant for another process', () => {
    expect(parseWatchdog({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42)).toBeNull();
  });

  it('says in one line what is wrong', () => {
    expect(() => parseWatchdog({ WATCHDOG_USEC: '0' }, 42)).toThrow('WATCHDOG_USEC=0 is not a positive number of microseconds');
    expect(() => parseWatchdog({ WATCHDOG_USEC: '30s' }, 42)).toThrow('WATCHDOG_USEC=30s is not a positive number');
    expect(() => parseWatchdog({ WATCHDOG_USEC: '-5' }, 42)).toThrow('WATCHDOG_USEC=-5');
    expect(() => parseWatchdog({ WATCHDOG_USEC: '1000', WATCHDOG_PID: 'me' }, 42)).toThrow('WATCHDOG_PID=me is not a process id');
  });
});

describe('notification messages', () => {
  it('formats each notification as KEY=value lines', () => {
    expect(formatNotification(notifications.ready())).toBe('READY=1');
    expect(formatNotification(notifications.ready('listening on :8080'))).toBe('READY=1\nSTATUS=listening on :8080');
    expect(formatNotification(notifications.stopping())).toBe('STOPPING=1');
    expect(formatNotification(notifications.reloading(123456789n))).toBe('RELOADING=1\nMONOTONIC_USEC=123456789');
    expect(formatNotification(notifications.reloading(5n, 'reloading config'))).toBe('RELOADING=1\nMONOTONIC_USEC=5\nSTATUS=reloading config');
    expect(formatNotification(notifications.watchdog())).toBe('WATCHDOG=1');
    expect(formatNotification(notifications.status('3 jobs queued'))).toBe('STATUS=3 jobs queued');
    expect(formatNotification(notifications.extendTimeout(5_000_000))).toBe('EXTEND_TIMEOUT_USEC=5000000');
  });

  it('keeps a status to one line, so it cannot add assignments', () => {
    expect(statusValue('ok\nREADY=1')).toBe('ok READY=1');
    expect(statusValue('  a\r\n\tb\0c\x7f ')).toBe('a b c');
    expect(formatNotification(notifications.status('x\nWATCHDOG=trigger'))).toBe('STATUS=x WATCHDOG=trigger');
  });

  it('refuses malformed assignments and timeouts', () => {
    expect(() => formatNotification([['READY', '1\nSTOPPING=1']])).toThrow('notification value of READY spans lines');
    expect(() => formatNotification([['ready', '1']])).toThrow('invalid notification key "ready"');
    expect(() => notifications.extendTimeout(0)).toThrow('extendTimeout needs a positive whole number of microseconds, not 0');
    expect(() => notifications.extendTimeout(1.5)).toThrow(RangeError);
  });
});

describe('libc bindings', () => {
  it('loads nothing until a call needs it, then names the call that failed', () => {
    let loads = 0;
    const libc = bindLibc(() => {
      loads++;
      throw new Error('koffi.node is missing');
    });
    expect(loads).toBe(0);
    expect(() => libc.socket(1, 2, 0)).toThrow('socket: cannot bind libc through koffi: koffi.node is missing');
    expect(() => libc.clockMicros(CLOCK_MONOTONIC)).toThrow(/^clock_gettime: cannot bind libc/);
  });

  it('reports a failed call with its errno', () => {
    const libc = testLibc();
    const err = (() => {
      try {
        libc.socket(9999, 2, 0);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LibcError);
    expect(err).toMatchObject({ fn: 'socket', code: 'EAFNOSUPPORT', errno: 97 });
    expect((err as Error).message).toBe('socket: EAFNOSUPPORT (errno 97)');
  });

  it('reads CLOCK_MONOTONIC, the clock process.hrtime reads on Linux', () => {
    const libc = testLibc();
    const before = process.hrtime.bigint() / 1000n;
    const now = libc.clockMicros(CLOCK_MONOTONIC);
    const after = process.hrtime.bigint() / 1000n;
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after + 1n);
  });
});

describe('sending to a notify socket', () => {
  let libc: Libc;
  let dir: string;
  let receivers: Receiver[];
  const receiver = (address: string): Receiver => {
    const r = bindReceiver(libc, address);
    receivers.push(r);
    return r;
  };

  beforeEach(() => {
    libc = testLibc();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-notify-'));
    receivers = [];
  });
  afterEach(() => {
    for (const r of receivers) r.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const addresses = {
    path: () => path.join(dir, 'notify'),
    abstract: () => `@svcpack-test/${process.pid}/${randomBytes(6).toString('hex')}`,
  };

  for (const [kind, address] of Object.entries(addresses)) {
    it(`delivers every notification to a ${kind} socket, one datagram each`, () => {
      const r = receiver(address());
      const n = systemdNotifier(libc, { env: { NOTIFY_SOCKET: r.address, WATCHDOG_USEC: '4000000' }, pid: 1 });
      expect(n.active).toBe(true);
      expect(n.socket).toBe(r.address);
      const before = libc.clockMicros(CLOCK_MONOTONIC);
      n.ready('up');
      n.watchdog();
      n.status('busy\nREADY=1');
      n.reloading();
      n.ready();
      n.extendTimeout(10_000_000);
      n.stopping();
      const got = r.drain();
      expect(got).toEqual([
        'READY=1\nSTATUS=up',
        'WATCHDOG=1',
        'STATUS=busy READY=1',
        expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+$/),
        'READY=1',
        'EXTEND_TIMEOUT_USEC=10000000',
        'STOPPING=1',
      ]);
      const stamp = BigInt(/MONOTONIC_USEC=(\d+)/.exec(got[3]!)![1]!);
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(libc.clockMicros(CLOCK_MONOTONIC));
      expect(n.watchdogInterval()).toBe(2000);
    });
  }

  it('reads the environment once', () => {
    const r = receiver(addresses.path());
    const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: r.address };
    const n = systemdNotifier(libc, { env });
    delete env.NOTIFY_SOCKET;
    n.ready();
    expect(r.drain()).toEqual(['READY=1']);
  });

  it('names the failed call when nobody listens', () => {
    const gone = path.join(dir, 'gone');
    const n = systemdNotifier(libc, { env: { NOTIFY_SOCKET: gone } });
    expect(() => n.ready()).toThrow('sendto: ENOENT (errno 2)');
    const r = bindReceiver(libc, path.join(dir, 'closed'));
    r.close();
    expect(() => send(libc, parseNotifySocket(r.address)!, 'READY=1')).toThrow('sendto: ECONNREFUSED (errno 111)');
  });

  it('sends nothing and needs no libc outside systemd', () => {
    const noLibc = bindLibc(() => {
      throw new Error('must not load');
    });
    const n = systemdNotifier(noLibc, { env: { WATCHDOG_USEC: '1000000' } });
    expect(n.active).toBe(false);
    expect(n.socket).toBeNull();
    n.ready('x');
    n.stopping();
    n.reloading();
    n.watchdog();
    n.status('y');
    n.extendTimeout(1);
    expect(n.watchdogInterval()).toBeNull();
  });

  it('refuses an unusable environment when made', () => {
    expect(() => systemdNotifier(libc, { env: { NOTIFY_SOCKET: 'relative' } })).toThrow(/^NOTIFY_SOCKET is not usable/);
    expect(() => systemdNotifier(libc, { env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: 'soon' } })).toThrow('WATCHDOG_USEC=soon');
  });
});
