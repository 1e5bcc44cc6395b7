/**
 * The few libc calls the systemd backend makes through koffi: AF_UNIX datagram sockets (Node
 * cannot open them itself) for the service manager's notify socket, CLOCK_MONOTONIC for
 * `MONOTONIC_USEC=`, and _exit for ending the process at once. No library beyond koffi: the functions are looked up in the symbols the
 * process already has (`koffi.load(null)`: Node links libc, glibc or musl alike).
 *
 * Lazy: koffi is asked for, and each function declared, on that function's first call. Every
 * failure throws an Error naming the call — `LibcError` (`sendto: ECONNREFUSED (errno 111)`) when
 * the call returned -1, a plain Error (`socket: cannot bind libc through koffi: …`) when it could
 * not be made at all.
 */
import os from 'node:os';
import type { Koffi } from '../../addons/native-module';

/** <sys/socket.h>, <time.h> constants (Linux, all architectures svcpack targets). */
export const AF_UNIX = 1;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = 0o2000000;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const CLOCK_MONOTONIC = 1;

/** sizeof(sockaddr_un.sun_path) on Linux. */
export const SUN_PATH_SIZE = 108;
/** offsetof(struct sockaddr_un, sun_path): the sa_family_t before it. */
export const SUN_PATH_OFFSET = 2;

/** A libc call that returned -1; `code` is errno's symbolic name when koffi knows it. */
export class LibcError extends Error {
  constructor(
    readonly fn: string,
    readonly errno: number,
    readonly code: string | undefined,
  ) {
    super(`${fn}: ${code ?? 'error'} (errno ${errno})`);
    this.name = 'LibcError';
  }
}

/** The calls, in their C shapes; each throws instead of returning -1. */
export interface Libc {
  /** socket(2); returns the descriptor. */
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2) to an encoded sockaddr (see notify.ts's `encodeSockaddrUn`). */
  bind(fd: number, addr: Buffer): void;
  /** sendto(2) of all of `data` to `addr`; returns the bytes sent. */
  sendto(fd: number, data: Buffer, flags: number, addr: Buffer): number;
  /** recvfrom(2) into `buf` without the sender's address; returns the bytes received. */
  recvfrom(fd: number, buf: Buffer, flags: number): number;
  /** close(2). */
  close(fd: number): void;
  /** clock_gettime(2) of `clock` in whole microseconds. */
  clockMicros(clock: number): bigint;
  /**
   * _exit(2), bound now (throws when it cannot be): the returned function ends the process at
   * once with `status`, without atexit handlers or Node's own exit (which can wait on a worker
   * stuck in native code).
   */
  exitFunction(): (status: number) => never;
}

type Fn = (...args: unknown[]) => unknown;

/**
 * Libc through the koffi `load` returns (called on the first call that needs it, once). Nothing is
 * loaded by this function itself.
 */
export function bindLibc(load: () => Koffi): Libc {
  let koffi: Koffi | null = null;
  let lib: ReturnType<Koffi['load']> | null = null;
  const fns = new Map<string, Fn>();

  /** The function `name`, declared on first use; `declare` builds it from the loaded library. */
  const fn = (name: string, declare: (k: Koffi, l: ReturnType<Koffi['load']>) => Fn): Fn => {
    const known = fns.get(name);
    if (known) return known;
    try {
      koffi ??= load();
      lib ??= koffi.load(null);
      const made = declare(koffi, lib);
      fns.set(name, made);
      return made;
    } catch (err) {
      throw new Error(`${name}: cannot bind libc through koffi: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  /** Throws LibcError for `name` with the errno koffi saved right after the call. */
  const fail = (name: string): never => {
    const errno = koffi!.errno();
    const code = Object.entries(koffi!.os.errno).find(([, n]) => n === errno)?.[0];
    throw new LibcError(name, errno, code);
  };

  const checked = (name: string, result: unknown): number => {
    const n = Number(result);
    if (n < 0) fail(name);
    return n;
  };

  return {
    socket(domain, type, protocol) {
      const call = fn('socket', (_, l) => l.func('int socket(int domain, int type, int protocol)'));
      return checked('socket', call(domain, type, protocol));
    },
    bind(fd, addr) {
      const call = fn('bind', (_, l) => l.func('int bind(int fd, const void *addr, uint32_t addrlen)'));
      checked('bind', call(fd, addr, addr.length));
    },
    sendto(fd, data, flags, addr) {
      const call = fn('sendto', (_, l) =>
        l.func('intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)'),
      );
      return checked('sendto', call(fd, data, data.length, flags, addr, addr.length));
    },
    recvfrom(fd, buf, flags) {
      const call = fn('recvfrom', (_, l) =>
        l.func('intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)'),
      );
      return checked('recvfrom', call(fd, buf, buf.length, flags, null, null));
    },
    close(fd) {
      const call = fn('close', (_, l) => l.func('int close(int fd)'));
      checked('close', call(fd));
    },
    clockMicros(clock) {
      // struct timespec { time_t tv_sec; long tv_nsec; }: both `long` on the Linux ABIs svcpack targets.
      const call = fn('clock_gettime', (k, l) =>
        l.func('clock_gettime', 'int', ['int', k.out(k.pointer(k.struct({ tv_sec: 'long', tv_nsec: 'long' })))]),
      );
      const ts = { tv_sec: 0, tv_nsec: 0 };
      checked('clock_gettime', call(clock, ts));
      return BigInt(ts.tv_sec) * 1_000_000n + BigInt(ts.tv_nsec) / 1000n;
    },
    exitFunction() {
      const call = fn('_exit', (_, l) => l.func('void _exit(int status)'));
      return (status: number): never => {
        call(status);
        throw new Error(`_exit(${status}) returned`);
      };
    },
  };
}

/** sa_family_t is stored in the machine's byte order. */
export function writeFamily(buf: Buffer, family: number): void {
  if (os.endianness() === 'LE') buf.writeUInt16LE(family, 0);
  else buf.writeUInt16BE(family, 0);
}
