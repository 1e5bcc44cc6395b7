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
 * the environment file `svcpack.env` beside the drop-in (root's only, mode 0600; serviceEnvironmentFile),
 * which the drop-in names with `EnvironmentFile=`; systemd reads it as root when it starts the
 * service, and `systemctl show` names only its path. The service's `--env` variables, which often
 * carry credentials too, are in the same file for the same reason: the unit names it then
 * (unit-file.ts), and the drop-in does not name it a second time.
 *
 * The file is whole: `config set` rewrites it from every stored value, and with nothing stored
 * there is no drop-in (dropInFile returns null).
 */
import path from 'node:path';
import { RUNTIME_SETTINGS, type RuntimeKey, type RuntimeSettings } from '../../settings/runtime-settings';
import { DROP_IN_NAME, ENVIRONMENT_FILE_NAME } from './paths';
import { environmentWord, noSpecifiers, UnitError } from './unit-syntax';
import { runtimeDirectives, type UnitInput } from './unit-file';

export { DROP_IN_NAME, ENVIRONMENT_FILE_NAME } from './paths';
/** The line of the environment file that holds the `--env` variables as JSON, for the management commands to read back. */
const ENV_MARKER = '# svcpack-env: ';

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
  /** `svcpack.env` (serviceEnvironmentFile), when there is anything to put in it (written with mode 0600). */
  environmentFile: EnvironmentFile | null;
}

export interface EnvironmentFile {
  /** `svcpack.env`. */
  fileName: string;
  text: string;
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
  // A tab stays as it is inside the quotes; a line break would end the assignment.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new UnitError(`the value of ${name} contains a line break or another control character`, 'give it on one line');
  return `${name}="${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * The environment file `svcpack.env` of a service (pure): its `--env` variables (`input.service.env`)
 * and its stored secret settings, one `NAME="value"` line each (the `--env` ones first, with a
 * marker line that holds them as JSON for readEnvironmentMarker); null when there is neither.
 * Throws UnitError for a name systemd does not take or a value with a line break.
 */
export function serviceEnvironmentFile(input: Pick<DropInInput, 'name' | 'service' | 'stored'>): EnvironmentFile | null {
  const env = Object.entries(input.service.env);
  const secrets = RUNTIME_SETTINGS.map((s) => s.key).filter((key) => SECRET_KEYS.has(key) && input.stored[key] !== undefined);
  if (env.length === 0 && secrets.length === 0) return null;
  const lines = [`# The environment of ${input.name}, written by svcpack's "install" and "config set"; root's only (systemd reads it as root at each start).`];
  if (env.length > 0) {
    lines.push(`${ENV_MARKER}${JSON.stringify(input.service.env)}`, ...env.map(([name, value]) => environmentFileLine(name, value)));
  }
  lines.push(...secrets.map((key) => environmentFileLine(storedSettingVariable(key), input.stored[key]!)));
  return { fileName: ENVIRONMENT_FILE_NAME, text: `${lines.join('\n')}\n` };
}

/** The `--env` variables an environment file holds (its marker line); null when it has none or the line is not valid. */
export function readEnvironmentMarker(text: string): Record<string, string> | null {
  const line = text.split('\n').find((l) => l.startsWith(ENV_MARKER));
  if (line === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(line.slice(ENV_MARKER.length));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') env[k] = v;
    return env;
  } catch {
    return null;
  }
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
    // Added to the list (never emptied: an admin's own `systemctl edit` EnvironmentFile= stays);
    // with --env variables the unit names the file already.
    ...(secrets.length > 0 && Object.keys(input.service.env).length === 0 ? [`EnvironmentFile=${noSpecifiers(path.posix.join(dir, ENVIRONMENT_FILE_NAME))}`] : []),
    ...directives.service.map(([k, v]) => `${k}=${v}`),
  ];
  return { fileName: DROP_IN_NAME, text: `${lines.join('\n')}\n`, warnings: directives.warnings, environmentFile: serviceEnvironmentFile(input) };
}
