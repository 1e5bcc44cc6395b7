/**
 * The MSI options of a build (`--msi`, `--msi-dir`, `--upgrade-code`; config keys `msi`, `msiDir`,
 * `upgradeCode`), checked before anything is bundled: a bad value is a usage error (exit 2)
 * naming the flag or config key. Pure.
 */
import { usageError } from '../errors';
import { defaultUpgradeCode, normalizeGuid } from './guid';

export interface MsiOptions {
  /** Also write `<Name>-<version>-x64.msi` next to the exe (docs/signing-and-release.md, The MSI). */
  msi?: boolean;
  /** The install folder under `%ProgramFiles%`, e.g. `Contoso\MySvc` (default `<company>\<name>`, or `<name>` without a company). Needs `msi`. */
  msiDir?: string;
  /** The MSI's UpgradeCode, a GUID (default: derived from the service name). Needs `msi`. */
  upgradeCode?: string;
}

export interface MsiPlan {
  /** The file name in the output folder: `<Name>-<version>-x64.msi`. */
  fileName: string;
  /** Path segments of the install folder under `%ProgramFiles%`. */
  installDir: string[];
  /** Upper-case, without braces. */
  upgradeCode: string;
}

/** A folder name Windows accepts: no `< > : " / \ | ? *` or control characters, not `.`/`..`, no trailing dot or space. */
const BAD_SEGMENT = /[<>:"/\\|?*\x00-\x1f]|^\.{1,2}$|[. ]$/;

/**
 * The MSI plan of a build, or undefined without `msi`. `named(key, flag)` is how a message names
 * an option (its config key when a config gave it, else its flag).
 */
export function resolveMsiPlan(
  opts: MsiOptions,
  build: { name: string; version: string; company?: string },
  named: (key: keyof MsiOptions, flag: string) => string = (_key, flag) => flag,
): MsiPlan | undefined {
  if (opts.msi !== undefined && typeof opts.msi !== 'boolean') {
    throw usageError('USAGE', `${named('msi', '--msi')} "${String(opts.msi)}" is not true or false`, 'pass --msi (or "msi": true in the config) to build the MSI');
  }
  if (!opts.msi) {
    for (const [key, flag] of [['msiDir', '--msi-dir'], ['upgradeCode', '--upgrade-code']] as const) {
      if (opts[key] !== undefined) throw usageError('USAGE', `${named(key, flag)} is given without --msi`, 'add --msi (or "msi": true in the config), or drop it');
    }
    return undefined;
  }
  let upgradeCode = defaultUpgradeCode(build.name);
  if (opts.upgradeCode !== undefined) {
    const guid = typeof opts.upgradeCode === 'string' ? normalizeGuid(opts.upgradeCode) : null;
    if (!guid) {
      throw usageError('USAGE', `${named('upgradeCode', '--upgrade-code')} "${String(opts.upgradeCode)}" is not a GUID`, 'give a GUID such as 8F0E3C52-5E1B-4C47-9A6A-2D3F1B7C9E01 (keep it for every version of the service)');
    }
    upgradeCode = guid;
  }
  const defaultDir = [build.company?.trim(), build.name].filter((s): s is string => !!s && !BAD_SEGMENT.test(s));
  let installDir = defaultDir;
  if (opts.msiDir !== undefined) {
    const segments = typeof opts.msiDir === 'string' ? opts.msiDir.split(/[\\/]+/).filter((s) => s !== '') : [];
    const absolute = typeof opts.msiDir === 'string' && (/^[a-z]:/i.test(opts.msiDir) || /^[\\/]/.test(opts.msiDir) || opts.msiDir.includes('%'));
    if (absolute || segments.length === 0 || segments.some((s) => BAD_SEGMENT.test(s))) {
      throw usageError(
        'USAGE',
        `${named('msiDir', '--msi-dir')} "${String(opts.msiDir)}" is not a folder path under %ProgramFiles%`,
        'give folder names such as Contoso\\MySvc (installed to %ProgramFiles%\\Contoso\\MySvc); another drive is chosen at install time: msiexec /i … INSTALLDIR=D:\\Services\\MySvc',
      );
    }
    installDir = segments;
  }
  return { fileName: `${build.name}-${build.version}-x64.msi`, installDir, upgradeCode };
}
