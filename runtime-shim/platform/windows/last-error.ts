/**
 * GetLastError through koffi, for the binding modules whose functions report failure that way
 * (advapi32.ts, eventlog-bindings.ts, job-bindings.ts, manager-bindings.ts). Read it right after
 * the failed call, before any other Win32 call can overwrite it.
 */
import { Win32Error } from '../manager-api';
import type { Koffi } from '../../addons/native-module';

export interface LastError {
  /** The calling thread's last Win32 error. */
  lastError(): number;
  /** Throws `Win32Error(fn, GetLastError())`. */
  fail(fn: string): never;
}

export function bindLastError(koffi: Koffi): LastError {
  const GetLastError = koffi.load('kernel32.dll').func('uint32 __stdcall GetLastError()');
  const lastError = (): number => GetLastError() as number;
  return {
    lastError,
    fail(fn) {
      throw new Win32Error(fn, lastError());
    },
  };
}
