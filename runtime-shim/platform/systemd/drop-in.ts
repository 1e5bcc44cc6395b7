/**
 * The drop-in that holds the runtime settings an admin stored with an installed service (pure):
 * what `config set` (and `install`'s runtime flags) write to
 * `/etc/systemd/system/<name>.service.d/svcpack.conf` on Linux, where the SCM's Parameters key
 * holds them on Windows. It carries two things:
 *
 * - each stored value as `Environment=SVCPACK_<KEY>=<text>` (storedSettingVariable), the text its
 *   flag takes, which the service reads at start and on reload and checks as on Windows
 *   (settings/runtime-settings.ts applyStored: a bad value is skipped with a log line);
 * - the unit's directives that depend on the runtime settings (runtimeDirectives: stop timeout,
 *   watchdog, restart policy, exit codes, log folder), restated from the effective settings so
 *   that systemd itself acts on the new values after `systemctl daemon-reload`. List directives
 *   are emptied first: a drop-in adds to the unit's lists otherwise.
 *
 * A secret value (`alertUrl`, whose URL may carry a token) is not an `Environment=` line: systemd
 * shows every `Environment=` value to any local user (`systemctl show -p Environment`). It goes to
 * the environment file `svcpack.env` beside the drop-in (root's only, mode 0600), which the drop-in
 * names with `EnvironmentFile=`; systemd reads it as root when it starts the service, and
 * `systemctl show` names only its path.
 *
 * The file is whole: `config set` rewrites it from every stored value, and with nothing stored
 * there is no drop-in (dropInFile returns null).
 */
import path from 'node:path';
import { RUNTIME_SETTINGS, type RuntimeKey, type RuntimeSettings } from '../../settings/runtime-settings';
import { environmentWord, noSpecifiers, UnitError } from './unit-syntax';
import { runtimeDirectives, type UnitInput } from './unit-file';

/** The drop-in's file name inside `<unit>.d/`. */
export const DROP_IN_NAME = 'svcpack.conf';
/** The environment file with the stored secrets, beside the drop-in. */
export const ENVIRONMENT_FILE_NAME = 'svcpack.env';

/** The environment variable that carries stored setting `key`: `logLevel` → `SVCPACK_LOG_LEVEL`. */
export function storedSettingVariable(key: RuntimeKey): string {
  return `SVCPACK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface DropInInput extends Omit<UnitInput, 'runtime'> {
  /** The stored values: key → the text its flag takes, as `config set` keeps them. */
  stored: Partial<Record<RuntimeKey, string>>;
  /** The effective runtime settings: the baked ones with `stored` applied (applyStored). */
  effective: RuntimeSettings;
  /** The folder the drop-in and the environment file go to (default `/etc/systemd/system/<name>.service.d`). */
  dir?: string;
}

export interface DropInFile {
  /** `svcpack.conf`. */
  fileName: string;
  text: string;
  warnings: string[];
  /** `svcpack.env`, the stored secrets, when there are any (written with mode 0600). */
  environmentFile: { fileName: string; text: string } | null;
}

/** Settings whose value may hold a secret: written to the environment file, not as `Environment=`. */
const SECRET_KEYS: ReadonlySet<RuntimeKey> = new Set(RUNTIME_SETTINGS.filter((s) => s.secret).map((s) => s.key));

/**
 * One `NAME="value"` line of an environment file (systemd.exec(5) `EnvironmentFile=`): double
 * quotes, with `\`, `"`, `$` and `` ` `` escaped, which systemd's parser reads back literally; no
 * specifiers there. A control character cannot be written (a URL has none): UnitError.
 */
export function environmentFileLine(name: string, value: string): string {
  environmentWord(name, value);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UnitError(`the value of ${name} contains a control character`, 'remove it');
  return `${name}="${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** The drop-in for `input`; null when nothing is stored (the unit alone is the whole truth). Throws UnitError. */
export function dropInFile(input: DropInInput): DropInFile | null {
  const keys = RUNTIME_SETTINGS.map((s) => s.key).filter((key) => input.stored[key] !== undefined);
  if (keys.length === 0) return null;
  const directives = runtimeDirectives({ ...input, runtime: input.effective }, true);
  const secrets = keys.filter((key) => SECRET_KEYS.has(key));
  const dir = input.dir ?? path.posix.join('/etc/systemd/system', `${input.name}.service.d`);
  const lines: string[] = [
    `# The settings stored with ${input.name} by svcpack's "config set"; rewritten by it. Override with "systemctl edit".`,
    '[Unit]',
    ...directives.unit.map(([k, v]) => `${k}=${v}`),
    '',
    '[Service]',
    ...keys.filter((key) => !SECRET_KEYS.has(key)).map((key) => `Environment=${environmentWord(storedSettingVariable(key), input.stored[key]!)}`),
    // Added to the list (never emptied: an admin's own `systemctl edit` EnvironmentFile= stays).
    ...(secrets.length > 0 ? [`EnvironmentFile=${noSpecifiers(path.posix.join(dir, ENVIRONMENT_FILE_NAME))}`] : []),
    ...directives.service.map(([k, v]) => `${k}=${v}`),
  ];
  const environmentFile =
    secrets.length === 0
      ? null
      : {
          fileName: ENVIRONMENT_FILE_NAME,
          text: `# The secret settings stored with ${input.name} by svcpack's "config set" (read by systemd as root).\n${secrets.map((key) => environmentFileLine(storedSettingVariable(key), input.stored[key]!)).join('\n')}\n`,
        };
  return { fileName: DROP_IN_NAME, text: `${lines.join('\n')}\n`, warnings: directives.warnings, environmentFile };
}
