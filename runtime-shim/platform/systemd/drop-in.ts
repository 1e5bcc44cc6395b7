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
 * The file is whole: `config set` rewrites it from every stored value, and with nothing stored
 * there is no drop-in (dropInFile returns null).
 */
import { RUNTIME_SETTINGS, type RuntimeKey, type RuntimeSettings } from '../../settings/runtime-settings';
import { environmentWord } from './unit-syntax';
import { runtimeDirectives, type UnitInput } from './unit-file';

/** The drop-in's file name inside `<unit>.d/`. */
export const DROP_IN_NAME = 'svcpack.conf';

/** The environment variable that carries stored setting `key`: `logLevel` → `SVCPACK_LOG_LEVEL`. */
export function storedSettingVariable(key: RuntimeKey): string {
  return `SVCPACK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface DropInInput extends Omit<UnitInput, 'runtime'> {
  /** The stored values: key → the text its flag takes, as `config set` keeps them. */
  stored: Partial<Record<RuntimeKey, string>>;
  /** The effective runtime settings: the baked ones with `stored` applied (applyStored). */
  effective: RuntimeSettings;
}

export interface DropInFile {
  /** `svcpack.conf`. */
  fileName: string;
  text: string;
  warnings: string[];
}

/** The drop-in for `input`; null when nothing is stored (the unit alone is the whole truth). Throws UnitError. */
export function dropInFile(input: DropInInput): DropInFile | null {
  const keys = RUNTIME_SETTINGS.map((s) => s.key).filter((key) => input.stored[key] !== undefined);
  if (keys.length === 0) return null;
  const directives = runtimeDirectives({ ...input, runtime: input.effective }, true);
  const lines: string[] = [
    `# The settings stored with ${input.name} by svcpack's "config set"; rewritten by it. Override with "systemctl edit".`,
    '[Unit]',
    ...directives.unit.map(([k, v]) => `${k}=${v}`),
    '',
    '[Service]',
    ...keys.map((key) => `Environment=${environmentWord(storedSettingVariable(key), input.stored[key]!)}`),
    ...directives.service.map(([k, v]) => `${k}=${v}`),
  ];
  return { fileName: DROP_IN_NAME, text: `${lines.join('\n')}\n`, warnings: directives.warnings };
}
