/**
 * Where a systemd service of svcpack's lives on the system (pure): the unit folder, the drop-in,
 * the data folder, the live status socket. Shared by the backend (systemd-platform.ts) and the
 * management commands (manage/).
 */
import path from 'node:path';
import { DROP_IN_NAME } from './drop-in';

/** Where systemd reads unit files an admin installs. */
export const UNIT_DIR = '/etc/systemd/system';

/** The drop-in that stores service `name`'s settings (pure): `/etc/systemd/system/<name>.service.d/svcpack.conf`. */
export function dropInPath(name: string): string {
  return path.posix.join(UNIT_DIR, `${name}.service.d`, DROP_IN_NAME);
}

/**
 * The data folder of service `name` (pure): STATE_DIRECTORY when it names this service's state
 * folder (systemd sets it from StateDirectory=, colon-separated when there are several), else
 * `/var/lib/<name>`. A STATE_DIRECTORY inherited from another service (a folder of another name)
 * is not taken.
 */
export function systemdDataDir(name: string, env: NodeJS.ProcessEnv): string {
  const own = (env.STATE_DIRECTORY ?? '').split(':').find((dir) => dir.startsWith('/') && path.posix.basename(dir) === name);
  return own ?? path.posix.join('/var/lib', name);
}

/** The live status socket's file name inside the unit's RuntimeDirectory= (`/run/<name>/`). */
export const STATUS_SOCKET_NAME = 'status.sock';

/**
 * Where service `name` answers its live status (pure): `status.sock` in RUNTIME_DIRECTORY when
 * one of its entries is this service's runtime folder (systemd sets it from RuntimeDirectory=),
 * else `/run/<name>/status.sock`, where the management commands, which systemd did not start, look.
 * The folder is the unit's RuntimeDirectory= with RuntimeDirectoryMode=0700, owned by the service's
 * user: only that user and root can reach the socket; systemd removes it when the service stops.
 */
export function statusSocketPath(name: string, env: NodeJS.ProcessEnv): string {
  const own = (env.RUNTIME_DIRECTORY ?? '').split(':').find((dir) => dir.startsWith('/') && path.posix.basename(dir) === name);
  return path.posix.join(own ?? path.posix.join('/run', name), STATUS_SOCKET_NAME);
}
