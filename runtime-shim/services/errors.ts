/**
 * The errors of the SCM client (services/client.ts), each with a one-line message
 * `services: <what is wrong> — <how to fix>`: a service that does not exist (Win32 error 1060),
 * one deleted while in use (1072), access the SCM refused (5), the client used outside a built
 * exe, and any other failed call.
 */
import { ERROR_ACCESS_DENIED, ERROR_SERVICE_DOES_NOT_EXIST, ERROR_SERVICE_MARKED_FOR_DELETE, Win32Error } from '../platform/manager-api';

/** Base class: `code` is the Win32 error (0 when none applies). */
export class ServiceError extends Error {
  constructor(
    message: string,
    readonly service: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** No service of that name (ERROR_SERVICE_DOES_NOT_EXIST, 1060). */
export class ServiceNotFoundError extends ServiceError {
  constructor(service: string) {
    super(`services: no service named "${service}" on this machine — check the name (sc query "${service}" lists it when it exists)`, service, ERROR_SERVICE_DOES_NOT_EXIST);
    this.name = 'ServiceNotFoundError';
  }
}

/**
 * The service was deleted (uninstalled, `sc delete`) while in use: it is marked for deletion
 * (ERROR_SERVICE_MARKED_FOR_DELETE, 1072) or already removed. Not a failure of the caller: a
 * watch ends with it (services/client.ts), and a watchdog leaves the service alone.
 */
export class ServiceDeletedError extends ServiceError {
  constructor(service: string) {
    super(
      `services: service "${service}" was deleted (uninstalled or removed with sc delete) — install it again, then watch or start it again`,
      service,
      ERROR_SERVICE_MARKED_FOR_DELETE,
    );
    this.name = 'ServiceDeletedError';
  }
}

/** The SCM refused the access the operation needs (ERROR_ACCESS_DENIED, 5). */
export class ServiceAccessDeniedError extends ServiceError {
  constructor(
    service: string,
    readonly operation: string,
  ) {
    super(
      `services: access denied to ${operation} service "${service}" — run as an account allowed to ${operation} it (LocalSystem or an administrator, or grant the right in the service's security descriptor)`,
      service,
      ERROR_ACCESS_DENIED,
    );
    this.name = 'ServiceAccessDeniedError';
  }
}

/** The client runs outside a svcpack-built exe (plain node during development, or not Windows). */
export class ServicesUnavailableError extends ServiceError {
  constructor(service: string) {
    super('services: the SCM client works only inside an exe built by svcpack, on Windows — build the app with `svcpack build` and run the exe', service, 0);
    this.name = 'ServicesUnavailableError';
  }
}

/** The typed error for a failed SCM call made to `operation` the service `service`. */
export function serviceError(err: unknown, service: string, operation: string): Error {
  if (err instanceof ServiceError) return err;
  if (!(err instanceof Win32Error)) return err instanceof Error ? err : new Error(String(err));
  if (err.code === ERROR_SERVICE_DOES_NOT_EXIST) return new ServiceNotFoundError(service);
  if (err.code === ERROR_SERVICE_MARKED_FOR_DELETE) return new ServiceDeletedError(service);
  if (err.code === ERROR_ACCESS_DENIED) return new ServiceAccessDeniedError(service, operation);
  return new ServiceError(`services: could not ${operation} service "${service}": ${err.fn} failed with Win32 error ${err.code} — see https://learn.microsoft.com/windows/win32/debug/system-error-codes`, service, err.code);
}
