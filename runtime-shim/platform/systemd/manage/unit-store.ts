/**
 * The files the systemd management commands own under the unit folder (`/etc/systemd/system`):
 * the unit `<name>.service` (unit-file.ts) and the drop-in `<name>.service.d/svcpack.conf`
 * (drop-in.ts). Each carries one marker comment that says, as JSON, what it was made from, so the
 * commands read back exactly what they wrote instead of parsing systemd's syntax:
 *
 * - the unit: `# svcpack-install: {"binary": …, "settings": …}` — the executable ExecStart= runs
 *   and every service setting (the SCM's part on Windows). A unit without it was not written by
 *   svcpack and is never changed or removed.
 * - the drop-in: `# svcpack-stored: {…}` — the stored runtime settings, key → its flag's text
 *   (the Parameters key's part on Windows). The drop-in and the environment file beside it
 *   (`svcpack.env`, the secrets, which systemd would otherwise show to any local user through
 *   `systemctl show`) are written 0600, root's only.
 *
 * Writes never leave half a file: the text goes to a temporary file in the same folder, is
 * flushed, and is renamed over the old one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManageError } from '../../../commands/context';
import type { RuntimeKey } from '../../../settings/runtime-settings';
import type { ServiceSettings } from '../../../settings/service-settings';
import { DROP_IN_NAME, ENVIRONMENT_FILE_NAME, type DropInFile } from '../drop-in';
import type { UnitContext } from './context';

const INSTALL_MARKER = '# svcpack-install: ';
const STORED_MARKER = '# svcpack-stored: ';

export const unitPath = (ctx: Pick<UnitContext, 'unitDir' | 'unit'>): string => path.posix.join(ctx.unitDir, ctx.unit);
export const dropInDir = (ctx: Pick<UnitContext, 'unitDir' | 'unit'>): string => `${unitPath(ctx)}.d`;
export const dropInPath = (ctx: Pick<UnitContext, 'unitDir' | 'unit'>): string => path.posix.join(dropInDir(ctx), DROP_IN_NAME);
/** The environment file with the stored secrets (drop-in.ts), beside the drop-in. */
export const environmentFilePath = (ctx: Pick<UnitContext, 'unitDir' | 'unit'>): string => path.posix.join(dropInDir(ctx), ENVIRONMENT_FILE_NAME);

/** What install recorded in the unit. */
export interface InstallRecord {
  /** The executable ExecStart= runs. */
  binary: string;
  settings: ServiceSettings;
}

/** The unit as found: none, one svcpack did not write (`foreign`), or svcpack's own with its record. */
export type InstalledUnit =
  | { kind: 'none' }
  | { kind: 'foreign'; path: string }
  | { kind: 'ours'; path: string; text: string; record: InstallRecord };

/** The unit text with its marker line after the leading comments. */
export function withInstallMarker(text: string, record: InstallRecord): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => !line.startsWith('#'));
  lines.splice(at < 0 ? 0 : at, 0, `${INSTALL_MARKER}${JSON.stringify(record)}`);
  return lines.join('\n');
}

/** The drop-in text with its marker line after the first (comment) line. */
export function withStoredMarker(text: string, stored: Partial<Record<RuntimeKey, string>>): string {
  const lines = text.split('\n');
  lines.splice(1, 0, `${STORED_MARKER}${JSON.stringify(stored)}`);
  return lines.join('\n');
}

function markerJson(text: string, marker: string): unknown {
  const line = text.split('\n').find((l) => l.startsWith(marker));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line.slice(marker.length));
  } catch {
    return undefined;
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** The installed unit of `ctx.name`. Throws ManageError when the file cannot be read. */
export function readInstalledUnit(ctx: Pick<UnitContext, 'unitDir' | 'unit' | 'baked'>): InstalledUnit {
  const file = unitPath(ctx);
  let text: string | null;
  try {
    text = readText(file);
  } catch (err) {
    throw new ManageError(`cannot read ${file}: ${(err as Error).message}`, 'check the file, or run it with sudo');
  }
  if (text === null) return { kind: 'none' };
  const record = markerJson(text, INSTALL_MARKER) as Partial<InstallRecord> | undefined;
  if (!record || typeof record.binary !== 'string' || typeof record.settings !== 'object' || record.settings === null) return { kind: 'foreign', path: file };
  // A setting an older svcpack did not record takes this executable's baked value.
  return { kind: 'ours', path: file, text, record: { binary: record.binary, settings: { ...ctx.baked, ...record.settings } } };
}

/** What the drop-in stores; `unreadable` when this process may not read it (it is root's only). */
export type StoredRead = { ok: true; stored: Partial<Record<RuntimeKey, string>>; text: string | null } | { ok: false; problem: string; hint: string };

export function readStored(ctx: Pick<UnitContext, 'unitDir' | 'unit'>): StoredRead {
  const file = dropInPath(ctx);
  let text: string | null;
  try {
    text = readText(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const denied = code === 'EACCES' || code === 'EPERM';
    return { ok: false, problem: denied ? `${file} is readable by root only` : `cannot read ${file}: ${(err as Error).message}`, hint: denied ? 'run it with sudo' : `check ${file}` };
  }
  if (text === null) return { ok: true, stored: {}, text: null };
  const stored = markerJson(text, STORED_MARKER);
  if (typeof stored !== 'object' || stored === null) {
    return { ok: false, problem: `${file} has no svcpack-stored line (edited by hand?)`, hint: `move your changes to "systemctl edit ${ctx.unit}" and remove ${file}, then store the settings again` };
  }
  const values: Partial<Record<RuntimeKey, string>> = {};
  for (const [key, value] of Object.entries(stored)) if (typeof value === 'string') values[key as RuntimeKey] = value;
  return { ok: true, stored: values, text };
}

/** Writes `text` to `file` with `mode` through a temporary file in the same folder and a rename (the folder is created 0755). */
export function writeAtomic(file: string, text: string, mode: number): void {
  fs.mkdirSync(path.posix.dirname(file), { recursive: true, mode: 0o755 });
  const temp = path.posix.join(path.posix.dirname(file), `.${path.posix.basename(file)}.svcpack-${process.pid}.tmp`);
  try {
    const fd = fs.openSync(temp, 'w', mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** Puts `file` back as it was: `text`, or no file for null. */
export function restoreFile(file: string, text: string | null, mode: number): void {
  if (text === null) fs.rmSync(file, { force: true });
  else writeAtomic(file, text, mode);
}

/** Removes the drop-in folder when nothing is left in it (an admin's own `systemctl edit` override stays). */
export function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty, or not there
  }
}

export const UNIT_MODE = 0o644;
export const DROP_IN_MODE = 0o600;

/** A file a command is about to write (`text`; null: no file) and what it holds now (`before`), to put back on failure. */
export interface PlannedFile {
  path: string;
  text: string | null;
  before: string | null;
  mode: number;
}

/** The drop-in and the environment file for `dropIn` (null: neither), with what each holds now. */
export function storedFilesPlan(ctx: Pick<UnitContext, 'unitDir' | 'unit'>, dropIn: DropInFile | null, stored: Partial<Record<RuntimeKey, string>>): PlannedFile[] {
  const current = (file: string): string | null => {
    try {
      return readText(file);
    } catch (err) {
      throw new ManageError(`cannot read ${file}: ${(err as Error).message}`, 'run it with sudo');
    }
  };
  return [
    { path: dropInPath(ctx), text: dropIn ? withStoredMarker(dropIn.text, stored) : null, before: current(dropInPath(ctx)), mode: DROP_IN_MODE },
    { path: environmentFilePath(ctx), text: dropIn?.environmentFile?.text ?? null, before: current(environmentFilePath(ctx)), mode: DROP_IN_MODE },
  ];
}

/** Writes (or removes) every planned file in order; an empty drop-in folder is removed. Throws the first failure. */
export function writePlanned(ctx: Pick<UnitContext, 'unitDir' | 'unit'>, files: readonly PlannedFile[]): void {
  for (const file of files) {
    if (file.text !== null) writeAtomic(file.path, file.text, file.mode);
    else restoreFile(file.path, null, file.mode);
  }
  removeEmptyDir(dropInDir(ctx));
}

/** Puts every planned file back as it was; a file that cannot be is reported through `warn`, the rest still are. */
export function restorePlanned(ctx: Pick<UnitContext, 'unitDir' | 'unit'>, files: readonly PlannedFile[], warn: (line: string) => void): void {
  for (const file of files) {
    try {
      restoreFile(file.path, file.before, file.mode);
    } catch (err) {
      warn(`could not put back ${file.path}: ${(err as Error).message}`);
    }
  }
  removeEmptyDir(dropInDir(ctx));
}
