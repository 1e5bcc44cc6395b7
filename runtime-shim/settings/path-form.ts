/**
 * Which platform a path setting (`workingDir`, `logDir`) is written for. One build can make a
 * Windows exe and a Linux binary, so the settings accept an absolute path of either form when
 * they are given (resolve.ts, logging-resolve.ts); where a value is used — `install`, `config set`,
 * the service at its start, `run` — a path of the other platform's form is refused with
 * `foreignPath`'s one line instead of being used as a relative folder name. Pure.
 */
import path from 'node:path';
import { quoted } from './quoted';

/** How the platform a path is for writes paths: `windows` (`D:\apps`, `\\server\share`) or `posix` (`/srv/app`). */
export type PathFlavour = 'windows' | 'posix';

/** The flavour of the platform this process runs on (`win32`, Wine included: windows; everything else: posix). */
export function hostFlavour(platform: NodeJS.Platform = process.platform): PathFlavour {
  return platform === 'win32' ? 'windows' : 'posix';
}

/** node:path of `flavour`: path.win32 or path.posix. */
export function pathOf(flavour: PathFlavour): path.PlatformPath {
  return flavour === 'windows' ? path.win32 : path.posix;
}

/** An absolute Windows path: a drive path `D:\apps` (or `D:/apps`) or a UNC path `\\server\share` (or `//server/share`). */
export const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|[\\/]{2}[^\\/]+[\\/][^\\/]+)/;

/** An absolute POSIX path: `/` then anything but a second `/` (`//server/share` is a Windows UNC path). */
export const POSIX_ABSOLUTE = /^\/(?!\/)/;

/** The flavour of an absolute path `value`; null when it is absolute on neither. */
export function absolutePathFlavour(value: string): PathFlavour | null {
  if (WINDOWS_ABSOLUTE.test(value)) return 'windows';
  if (POSIX_ABSOLUTE.test(value)) return 'posix';
  return null;
}

const PLATFORM_WORD: Record<PathFlavour, string> = { windows: 'Windows', posix: 'Linux' };

/** An example folder of `what` on `flavour`, for hints. */
export function examplePath(what: 'log folder' | 'working folder', flavour: PathFlavour, name = 'my-svc'): string {
  if (flavour === 'posix') return what === 'log folder' ? `/var/log/${name}` : `/srv/${name}`;
  return what === 'log folder' ? `D:\\logs\\${name}` : `D:\\apps\\${name}`;
}

export interface ForeignPath {
  /** `log folder "C:\logs" is a Windows path; this is Linux`. */
  message: string;
  /** `give an absolute path such as /var/log/my-svc`. */
  hint: string;
}

/**
 * Why `value` cannot be used as the `what` of a service on a `host` platform: it is an absolute
 * path of the other platform's form. null when it is of the host's form (or not a path at all:
 * the validators refuse those). `name` goes into the example of the hint.
 */
export function foreignPath(what: 'log folder' | 'working folder', value: string, host: PathFlavour, name?: string): ForeignPath | null {
  const flavour = absolutePathFlavour(value);
  if (flavour === null || flavour === host) return null;
  return {
    message: `${what} ${quoted(value)} is a ${PLATFORM_WORD[flavour]} path; this is ${PLATFORM_WORD[host]}`,
    hint: `give an absolute path such as ${examplePath(what, host, name)}`,
  };
}
