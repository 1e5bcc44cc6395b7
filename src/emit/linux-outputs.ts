/**
 * The outputs of a linux-x64 build besides the executable (pure text generation):
 *
 * - `<name>.service`: the systemd unit the executable's `install` writes, for the binary where the
 *   install script puts it (`/opt/<name>/<name>`), from the settings baked into it
 *   (runtime-shim/platform/systemd/unit-file.ts), for the oldest systemd svcpack supports: for
 *   reading, reviewing and for admins who install by hand. `install` writes the unit for the
 *   machine's own systemd.
 * - `install-<name>.sh`: copies the executable to `/opt/<name>/` (root-owned, 0755), runs
 *   `/opt/<name>/<name> install --force "$@"`, then `restart` (start, or run the new executable
 *   after an upgrade), as install.cmd runs install and start on Windows.
 * - `uninstall-<name>.sh`: runs `<bin> uninstall "$@"`, then removes `/opt/<name>`.
 *
 * Both scripts need root and say so in one line otherwise; each stops at the first failure with a
 * one-line `<script>: …` message and exit code 1, and is safe to run again.
 */
import path from 'node:path';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { runtimeOf } from '../../runtime-shim/settings/runtime-settings';
import { MIN_SYSTEMD_VERSION, unitFile } from '../../runtime-shim/platform/systemd/unit-file';
import { UnitError, unitName } from '../../runtime-shim/platform/systemd/unit-syntax';
import { usageError } from '../errors';

/** Where the install script puts the executable of service `name`. */
export const linuxInstallDir = (name: string): string => path.posix.join('/opt', name);
export const linuxBinaryPath = (name: string): string => path.posix.join(linuxInstallDir(name), name);

/**
 * Checks, before anything is built, that `name` can name a systemd unit (letters, digits, `_ . -`):
 * usage error (exit 2) otherwise. Windows takes names systemd does not (a space, `@`…).
 */
export function checkLinuxName(name: string): void {
  try {
    unitName(name);
  } catch (err) {
    if (err instanceof UnitError) throw usageError('INVALID_NAME', `${err.message} (target linux-x64)`, err.hint);
    throw err;
  }
}

/** The outputs' names, for service `name`. */
export const linuxOutputNames = (name: string) => ({ unit: `${name}.service`, install: `install-${name}.sh`, uninstall: `uninstall-${name}.sh` });

export interface LinuxOutputs {
  /** File name → text. */
  files: Record<string, string>;
  /** Settings the unit does not carry as given (Windows-only ones changed from their defaults), one line each. */
  warnings: string[];
}

/** The unit and the two scripts of the executable baked with `config`. A setting systemd cannot take is a usage error. */
export function linuxOutputs(config: ExeConfig): LinuxOutputs {
  const { name } = config;
  let unit: ReturnType<typeof unitFile>;
  try {
    unit = unitFile({ name, binaryPath: linuxBinaryPath(name), service: config.settings, runtime: runtimeOf(config), systemdVersion: MIN_SYSTEMD_VERSION });
  } catch (err) {
    if (err instanceof UnitError) throw usageError('USAGE', `the systemd unit of ${name}: ${err.message}`, err.hint);
    throw err;
  }
  const names = linuxOutputNames(name);
  return {
    files: { [names.unit]: unit.text, [names.install]: installScript(name, names.install), [names.uninstall]: uninstallScript(name, names.uninstall) },
    warnings: unit.warnings,
  };
}

/** A POSIX shell single-quoted word. */
export const shQuoted = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function preamble(name: string, script: string): string {
  return `set -eu
name=${shQuoted(name)}
dir=${shQuoted(linuxInstallDir(name))}
bin=${shQuoted(linuxBinaryPath(name))}
fail() { echo "${script}: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run this script as root (sudo sh ${script})"
`;
}

function installScript(name: string, script: string): string {
  return `#!/bin/sh
# Installs the systemd service ${shQuoted(name)} and starts it: copies the executable ${shQuoted(name)} next
# to this script to ${linuxBinaryPath(name)} (owned by root, mode 0755), runs
# "${linuxBinaryPath(name)} install --force", which writes the unit from the settings built into the
# executable and enables it by its start type, then "restart", which starts it (or, after an
# upgrade, restarts it on the new executable). Arguments go to install (its flags: "${name} help").
# Run as root. Safe to run again: the binary is replaced and the installed service updated.
${preamble(name, script)}here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
src="$here/$name"
[ -f "$src" ] || fail "$src not found - keep this script next to the executable"
install -d -o root -g root -m 0755 "$dir" || fail "cannot create $dir"
# A new file renamed over the old one: a running service keeps its binary until it restarts.
install -o root -g root -m 0755 "$src" "$bin.new" || fail "cannot copy $src to $dir"
mv -f "$bin.new" "$bin" || fail "cannot replace $bin"
"$bin" install --force "$@" || fail "installing service $name failed - see the message above"
"$bin" restart || fail "service $name was installed but did not start - see the message above"
echo "${script}: service $name installed and started"
`;
}

function uninstallScript(name: string, script: string): string {
  return `#!/bin/sh
# Stops and removes the systemd service ${shQuoted(name)} by running "${linuxBinaryPath(name)} uninstall",
# then deletes ${linuxInstallDir(name)}. Arguments are passed on to uninstall (its flags: "${name} help").
# Run as root. Safe to run again: does nothing when nothing is installed.
${preamble(name, script)}if [ -x "$bin" ]; then
  "$bin" uninstall "$@" || fail "removing service $name failed - see the message above"
fi
rm -rf -- "$dir" || fail "cannot delete $dir"
echo "${script}: service $name removed"
`;
}
