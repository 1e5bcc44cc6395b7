/**
 * The app's working folder (the `workingDir` setting): which folder a setting names,
 * and entering it before the app's first line. Services start in C:\Windows\System32 and `run`
 * in whatever folder the console was in; the app starts in the exe's folder instead (as NSSM and
 * WinSW do), in the data folder with `data`, or in the absolute path given. Where it happens:
 * - service mode and supervised mode: service-host.ts reads the setting stored with the service
 *   (platform/windows/service-parameters.ts; the baked one when there is none) and enters the folder after
 *   ServiceMain, before the app loads; the supervisor also spawns the app's process there;
 * - `run`: console-mode.ts enters the baked setting's folder;
 * - processes the app starts (a supervised child, fork and cluster children) inherit their
 *   parent's folder and never change it.
 * The data folder is created when it is missing (as `service.dataDir` does); any other folder
 * must exist. Paths are the running platform's (`places.flavour`, default this process's): the
 * exe's folder is path.win32's dirname on Windows and path.posix's on Linux, and an absolute path
 * of the other platform's form is refused rather than entered as a relative folder. On Linux the
 * service's folder is the unit's WorkingDirectory=, which systemd entered before the process
 * started (the systemd backend stores it as the folder it started in). Pure but for
 * `enterWorkingDir`, whose mkdir and chdir are injectable.
 */
import fs from 'node:fs';
import { foreignPath, hostFlavour, pathOf, type PathFlavour } from '../settings/path-form';
import { SettingError, workingDirSetting } from '../settings/resolve';

export interface WorkingDirPlaces {
  /** The executable's full path (a Windows path on Windows, a POSIX one on Linux). */
  exePath: string;
  /** The data folder: `%ProgramData%\<Name>` on Windows, `/var/lib/<name>` on Linux. */
  dataDir: string;
  /** How the platform this runs on writes paths; default the one of this process (hostFlavour). */
  flavour?: PathFlavour;
}

/** The folder `setting` (`exe`, `data` or an absolute path, as validated by workingDirSetting) names. */
export function workingFolder(setting: string, places: WorkingDirPlaces): string {
  if (setting === 'exe') return pathOf(places.flavour ?? hostFlavour()).dirname(places.exePath);
  if (setting === 'data') return places.dataDir;
  return setting;
}

/** How the fix hints name the executable: `MySvc.exe` on Windows, `MySvc` on Linux. */
function exeWord(name: string, flavour: PathFlavour): string {
  return flavour === 'windows' ? `${name}.exe` : name;
}

/** `C:\svc (the exe's folder)`, `C:\ProgramData\MySvc (the data folder)`, `D:\apps`. */
export function describeWorkingDir(setting: string, places: WorkingDirPlaces): string {
  const folder = workingFolder(setting, places);
  if (setting === 'exe') return `${folder} (the exe's folder)`;
  if (setting === 'data') return `${folder} (the data folder)`;
  return folder;
}

/** Why a folder could not be entered, from a chdir error. */
function why(err: unknown): { text: string; code: string | undefined } {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return { text: 'it does not exist', code };
    case 'ENOTDIR':
      return { text: 'it is not a folder', code };
    case 'EEXIST': // mkdir: something that is not a folder has the name
      return { text: 'it is not a folder', code: 'ENOTDIR' };
    case 'EACCES':
    case 'EPERM':
      return { text: 'access is denied', code };
    default:
      return { text: code ?? (err instanceof Error ? err.message : String(err)), code };
  }
}

export interface EnterProblem {
  /** `cannot start in working folder D:\apps: it does not exist`. */
  message: string;
  /**
   * The chdir error code (ENOENT, ENOTDIR, EACCES, …) when there was one; `FOREIGN` when the
   * setting is a path of the other platform's form (nothing was tried).
   */
  code: string | undefined;
  /** For `FOREIGN`: how to fix it (`give an absolute path such as /srv/my-svc`). */
  hint?: string;
}

export interface EnterOptions {
  /** How the message names the folder (describeWorkingDir's text); default the folder. */
  shown?: string;
  /** Create the folder (and its parents) first if it is missing: the data folder. */
  create?: boolean;
  chdir?: (dir: string) => void;
  mkdir?: (dir: string) => void;
  /** Whether something that is not a folder has this path (default: fs.statSync). */
  isNonFolder?: (dir: string) => boolean;
}

function isNonFolder(dir: string): boolean {
  try {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isDirectory();
  } catch {
    return false;
  }
}

/** Makes `folder` the process's working folder; null when done, else what went wrong. */
export function enterWorkingDir(folder: string, opts: EnterOptions = {}): EnterProblem | null {
  const { chdir = process.chdir, mkdir = (dir: string) => void fs.mkdirSync(dir, { recursive: true }) } = opts;
  let mkdirError: unknown = null;
  if (opts.create) {
    try {
      mkdir(folder);
    } catch (err) {
      mkdirError = err; // chdir says more when something is in the way (a file: ENOTDIR)
    }
  }
  try {
    chdir(folder);
    return null;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
    // Missing because it could not be made: why it could not be made. Wine's chdir says ENOENT for
    // a file, where Windows says ENOTDIR (ERROR_DIRECTORY): look.
    const cause =
      missing && mkdirError !== null ? mkdirError : missing && (opts.isNonFolder ?? isNonFolder)(folder) ? Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }) : err;
    const { text, code } = why(cause);
    return { message: `cannot start in working folder ${opts.shown ?? folder}: ${text}`, code };
  }
}

/**
 * enterWorkingDir for a `workingDir` setting: names the folder in messages, creates the data
 * folder. A path of the other platform's form (`D:\apps` on Linux, `/srv/app` on Windows) is not
 * entered: it would be taken as a relative folder name; the problem says so (code `FOREIGN`).
 */
export function enterWorkingDirSetting(setting: string, places: WorkingDirPlaces, io: Pick<EnterOptions, 'chdir' | 'mkdir' | 'isNonFolder'> = {}): EnterProblem | null {
  const foreign = foreignPath('working folder', setting, places.flavour ?? hostFlavour());
  if (foreign) return { message: foreign.message, code: 'FOREIGN', hint: foreign.hint };
  return enterWorkingDir(workingFolder(setting, places), { ...io, shown: describeWorkingDir(setting, places), create: setting === 'data' });
}

/** What to do about the folder itself, by error code. */
function folderFix(problem: EnterProblem, denied: string): string {
  if (problem.code === 'FOREIGN' && problem.hint) return problem.hint;
  if (problem.code === 'EACCES' || problem.code === 'EPERM') return denied;
  if (problem.code === 'ENOTDIR') return 'replace the file of that name with a folder';
  return 'create it';
}

/** How to fix an EnterProblem of the service `name`, whose setting comes from install; `flavour`: the platform's (default this process's). */
export function serviceFixHint(name: string, problem: EnterProblem, flavour: PathFlavour = hostFlavour()): string {
  return `${folderFix(problem, "give the service's account access to it")}, or change it with "${exeWord(name, flavour)} install --force --working-dir <exe|data|folder>"`;
}

/** How to fix an EnterProblem of `run`, which uses the setting baked in at build time. */
export function runFixHint(problem: EnterProblem): string {
  return `${folderFix(problem, 'run it from an account that can open that folder')}, or build with another --working-dir`;
}

export interface ServiceWorkingDirInput {
  name: string;
  /** The value stored with the service; null when there is none. */
  stored: string | null;
  /** How messages name where `stored` came from (the registry value). */
  storedAt: string;
  /** The setting baked into the exe, used when nothing is stored. */
  baked: string;
  places: WorkingDirPlaces;
  chdir?: (dir: string) => void;
  mkdir?: (dir: string) => void;
}

export type ServiceWorkingDir =
  /** Entered; `shown` names it for the log (describeWorkingDir's text). */
  | { folder: string; shown: string }
  /** Not entered: the one log line that fails the start. */
  | { problem: string };

/**
 * Enters the working folder of an installed service: the setting stored with it (checked as the
 * install flag is), else the baked one. Failures come back as one line `<what> — <how to fix>`.
 */
export function enterServiceWorkingDir(input: ServiceWorkingDirInput): ServiceWorkingDir {
  let setting = input.baked;
  if (input.stored !== null) {
    try {
      setting = workingDirSetting(input.stored);
    } catch (err) {
      if (!(err instanceof SettingError)) throw err;
      return {
        problem: `the working folder stored with the service (${input.storedAt}) is not valid: ${err.message} — ${err.hint}, with "${exeWord(input.name, input.places.flavour ?? hostFlavour())} install --force --working-dir <exe|data|folder>"`,
      };
    }
  }
  const problem = enterWorkingDirSetting(setting, input.places, { ...(input.chdir ? { chdir: input.chdir } : {}), ...(input.mkdir ? { mkdir: input.mkdir } : {}) });
  if (problem) return { problem: `${problem.message} — ${serviceFixHint(input.name, problem, input.places.flavour ?? hostFlavour())}` };
  return { folder: workingFolder(setting, input.places), shown: describeWorkingDir(setting, input.places) };
}
