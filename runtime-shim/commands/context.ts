/**
 * What the management commands (install, uninstall, start, stop, restart, status) work with: the
 * Win32 API, this exe's identity and baked settings, a clock, the file system and the console.
 * The exe wires the real ones (commands/run.ts); tests pass fakes.
 */
import { foreignPath } from '../settings/path-form';
import type { RuntimeSettings } from '../settings/runtime-settings';
import type { ServiceSettings } from '../settings/service-settings';
import {
  ERROR_ACCESS_DENIED,
  ERROR_DEPENDENT_SERVICES_RUNNING,
  ERROR_DUPLICATE_SERVICE_NAME,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_PARAMETER,
  ERROR_INVALID_SERVICE_ACCOUNT,
  ERROR_NONE_MAPPED,
  ERROR_SERVICE_DEPENDENCY_DELETED,
  ERROR_SERVICE_DEPENDENCY_FAIL,
  ERROR_SERVICE_DISABLED,
  ERROR_SERVICE_DOES_NOT_EXIST,
  ERROR_SERVICE_EXISTS,
  ERROR_SERVICE_LOGON_FAILED,
  ERROR_SERVICE_MARKED_FOR_DELETE,
  ERROR_SERVICE_REQUEST_TIMEOUT,
  Win32Error,
  type ElevationType,
  type ScmApi,
} from '../platform/manager-api';

export interface ManageContext {
  api: ScmApi;
  /** Service name (SCM key). */
  name: string;
  /** Absolute Windows path of this exe. */
  exePath: string;
  /** The argument the SCM passes so the exe runs as the service. */
  serviceArg: string;
  /** This exe's version (x.y.z[.w]). */
  version: string;
  /** The settings baked in at build time: install's defaults. */
  baked: ServiceSettings;
  /**
   * The runtime settings baked in at build time: the defaults under what is stored with the
   * service. What the service runs with is installed.ts `installedRuntime`.
   */
  bakedRuntime: RuntimeSettings;
  /** The data folder, `%ProgramData%\<Name>`. */
  dataDir: string;
  /** Where the service writes its log (`--log-dir`, else `<data folder>\logs`), for hints. */
  logDir: string;
  env: NodeJS.ProcessEnv;
  clock: { now(): number; sleep(ms: number): Promise<void> };
  /** Progress and results, one line each (stdout). */
  out(line: string): void;
  /** Warnings, one line each (stderr): what did not go as asked but did not fail the command. */
  warn(line: string): void;
  fs: {
    /** Creates the folder (and parents); true if it did not exist before. */
    mkdir(path: string): boolean;
    /** Removes the folder and everything in it. */
    remove(path: string): void;
    exists(path: string): boolean;
  };
  /** Reads a secret from the console without echo; null when there is no console. */
  promptSecret(prompt: string): Promise<string | null>;
}

/** A management command failed: one line `<Name>: <message> — <hint>`, then exit `exitCode`. */
export class ManageError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'ManageError';
  }
}

const WIN32_MESSAGES: Record<number, string> = {
  [ERROR_FILE_NOT_FOUND]: 'file not found',
  [ERROR_ACCESS_DENIED]: 'access denied',
  [ERROR_INVALID_PARAMETER]: 'invalid parameter',
  [ERROR_DEPENDENT_SERVICES_RUNNING]: 'other running services depend on it',
  [ERROR_SERVICE_REQUEST_TIMEOUT]: 'the service did not respond in time',
  [ERROR_INVALID_SERVICE_ACCOUNT]: 'the account name is invalid or does not exist, or the password is wrong',
  [ERROR_SERVICE_DISABLED]: 'the service is disabled',
  [ERROR_SERVICE_DOES_NOT_EXIST]: 'the service does not exist',
  [ERROR_SERVICE_DEPENDENCY_FAIL]: 'a service it depends on failed to start',
  [ERROR_SERVICE_LOGON_FAILED]: 'the service could not log on (wrong password, or no "Log on as a service" right)',
  [ERROR_SERVICE_MARKED_FOR_DELETE]: 'the service is marked for deletion',
  [ERROR_SERVICE_EXISTS]: 'the service already exists',
  [ERROR_SERVICE_DEPENDENCY_DELETED]: 'a service it depends on does not exist or is marked for deletion',
  [ERROR_DUPLICATE_SERVICE_NAME]: 'another service already uses this display name',
  [ERROR_NONE_MAPPED]: 'no such account',
};

function win32Text(code: number): string {
  return WIN32_MESSAGES[code] ?? `Win32 error ${code}`;
}

/** Commands an administrator can let other accounts run with `install --allow-control`. */
const DELEGABLE_COMMANDS = new Set(['start', 'stop', 'restart', 'status']);

/**
 * Turns a failed Win32 call into a ManageError: access denied always says "run as administrator"
 * (for the commands `--allow-control` can open to others, also how to be allowed); other errors
 * name the call and the error. Anything else is rethrown as is.
 */
export function explain(err: unknown, ctx: Pick<ManageContext, 'name' | 'logDir'>, doing: string, command: string): never {
  if (err instanceof ManageError) throw err;
  if (err instanceof Win32Error) {
    if (err.code === ERROR_ACCESS_DENIED) {
      const elevated = `run "${ctx.name}.exe ${command}" from a command prompt opened with "Run as administrator"`;
      throw new ManageError(
        `${doing}: access denied`,
        DELEGABLE_COMMANDS.has(command)
          ? `${elevated}, or have an administrator allow your account or group: "${ctx.name}.exe install --force --allow-control <account or group>"`
          : elevated,
      );
    }
    throw new ManageError(`${doing}: ${win32Text(err.code)} (${err.fn}, error ${err.code})`, hintFor(err.code, ctx.name, ctx.logDir));
  }
  throw err;
}

function hintFor(code: number, name: string, logDir: string): string {
  switch (code) {
    case ERROR_INVALID_SERVICE_ACCOUNT:
    case ERROR_SERVICE_LOGON_FAILED:
      return `check the account and password, then run "${name}.exe install --force --account <account>"`;
    case ERROR_SERVICE_DEPENDENCY_FAIL:
    case ERROR_SERVICE_DEPENDENCY_DELETED:
      return `install and start the services it depends on, or change --dependencies with "${name}.exe install --force"`;
    case ERROR_SERVICE_MARKED_FOR_DELETE:
      return 'close services.msc and any other tool holding the service open, then try again';
    case ERROR_SERVICE_DISABLED:
      return `enable it with "${name}.exe install --force --start-type manual" (or auto)`;
    default:
      return `run "${name}.exe status" and see the log under ${logDir}`;
  }
}

/** Opens the SCM and the service, runs `work`, closes both. `service` is null when not installed. */
export async function withService<T>(
  ctx: ManageContext,
  opts: { write: boolean; access: number; command: string },
  work: (scm: object, service: object | null) => Promise<T> | T,
): Promise<T> {
  let scm: object;
  try {
    scm = ctx.api.openManager(opts.write);
  } catch (err) {
    explain(err, ctx, 'opening the Service Control Manager', opts.command);
  }
  try {
    let service: object | null;
    try {
      service = ctx.api.openService(scm, ctx.name, opts.access);
    } catch (err) {
      explain(err, ctx, `opening service ${ctx.name}`, opts.command);
    }
    try {
      return await work(scm, service);
    } finally {
      if (service) ctx.api.close(service);
    }
  } finally {
    ctx.api.close(scm);
  }
}

/**
 * Fails with "needs administrator rights" unless the SCM grants this process SC_MANAGER_ALL_ACCESS,
 * which Windows gives administrators only, and only with an elevated token. Asking the SCM, not
 * the token: on Windows the answer is the same as TokenElevation's for default ACLs, it also admits
 * accounts an administrator delegated SCM rights to, and it follows what the SCM actually enforces
 * (Wine 10 runs every program with a limited token yet its SCM grants full access; a token check
 * refused there). The hint depends on the token: a limited administrator token needs "Run as
 * administrator", any other an administrator account.
 */
export function requireAdminRights(ctx: ManageContext, command: string): void {
  let scm: object;
  try {
    scm = ctx.api.openManager(true);
  } catch (err) {
    if (err instanceof Win32Error && err.code === ERROR_ACCESS_DENIED) {
      const limited = elevationTypeOrDefault(ctx) === 'limited';
      throw new ManageError(
        `${command} needs administrator rights`,
        limited
          ? `run "${ctx.name}.exe ${command}" from a command prompt opened with "Run as administrator"`
          : `sign in as an administrator and run "${ctx.name}.exe ${command}" from a command prompt opened with "Run as administrator"`,
      );
    }
    explain(err, ctx, 'opening the Service Control Manager', command);
  }
  ctx.api.close(scm);
}

/** The token's elevation type; 'default' when it cannot be read (the hint is all that depends on it). */
function elevationTypeOrDefault(ctx: ManageContext): ElevationType {
  try {
    return ctx.api.elevationType();
  } catch {
    return 'default';
  }
}

/**
 * Refuses (exit 2) a `workingDir` or `logDir` value that is a path of Linux's form: the commands
 * here manage Windows services (one build may bake a Linux path for its Linux binary; the Windows
 * service would take it as a relative folder). `flag` names what fixes it ('': the command given).
 */
export function refuseLinuxPath(what: 'working folder' | 'log folder', value: string | null, name: string, flag: string): void {
  if (value === null) return;
  const foreign = foreignPath(what, value, 'windows', name);
  if (foreign) throw new ManageError(foreign.message, flag === '' ? foreign.hint : `${foreign.hint} with ${flag}`, 2);
}
