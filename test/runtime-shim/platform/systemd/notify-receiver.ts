/**
 * A stand-in for systemd's end of the notify socket: an AF_UNIX datagram socket bound to a path
 * or an abstract name, made with the backend's own libc bindings, read without blocking.
 */
import { createRequire } from 'node:module';
import type { Koffi } from '../../../../runtime-shim/addons/native-module';
import { AF_UNIX, MSG_DONTWAIT, SOCK_CLOEXEC, SOCK_DGRAM, LibcError, bindLibc, type Libc } from '../../../../runtime-shim/platform/systemd/libc-bindings';
import { encodeSockaddrUn } from '../../../../runtime-shim/platform/systemd/notify';

/** koffi as the tests load it (the exe loads its embedded copy). */
export const loadKoffi = (): Koffi => createRequire(import.meta.url)('koffi') as Koffi;

export const testLibc = (): Libc => bindLibc(loadKoffi);

export interface Receiver {
  /** The address to put in NOTIFY_SOCKET. */
  readonly address: string;
  /** The datagrams queued so far, oldest first, as text. */
  drain(): string[];
  close(): void;
}

/** Binds a datagram socket at `address` (`/path` or `@name`). */
export function bindReceiver(libc: Libc, address: string): Receiver {
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  try {
    libc.bind(fd, encodeSockaddrUn(address));
  } catch (err) {
    libc.close(fd);
    throw err;
  }
  return {
    address,
    drain() {
      const out: string[] = [];
      const buf = Buffer.alloc(65536);
      for (;;) {
        let n: number;
        try {
          n = libc.recvfrom(fd, buf, MSG_DONTWAIT);
        } catch (err) {
          if (err instanceof LibcError && err.code === 'EAGAIN') return out;
          throw err;
        }
        out.push(buf.subarray(0, n).toString('utf8'));
      }
    },
    close: () => libc.close(fd),
  };
}
