/**
 * Koffi bindings for the Windows Event Log (advapi32): the service reports events
 * (RegisterEventSourceW, ReportEventW, DeregisterEventSource), and install/uninstall register and
 * remove its source, the registry key
 * HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<Name>. Every failed call throws
 * `Win32Error(<function>, <code>)`; keys are closed in `finally`. Conventions as in
 * manager-bindings.ts (BOOL as int, handles as `void *`, HKLM passed as intptr_t).
 */
import { Win32Error, type EventSourceRegistry } from './manager-api';
import type { Koffi } from './native-module';
import { readWideString } from './win32-data';

/** ReportEventW wType values (winnt.h). */
export const EVENTLOG_ERROR_TYPE = 1;
export const EVENTLOG_WARNING_TYPE = 2;
export const EVENTLOG_INFORMATION_TYPE = 4;
export type EventType = typeof EVENTLOG_ERROR_TYPE | typeof EVENTLOG_WARNING_TYPE | typeof EVENTLOG_INFORMATION_TYPE;

/** `TypesSupported` of the source: error | warning | information. */
export const TYPES_SUPPORTED = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;

/** The most UTF-16 code units ReportEventW accepts in one insertion string. */
export const MAX_EVENT_STRING_CHARS = 31_839;

/** Where the Application log's sources are registered, under HKLM. */
export const APPLICATION_SOURCES_KEY = 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application';

/** An open event source handle (opaque). Release it with `deregister`. */
export type EventSourceHandle = object;

export interface EventLogApi {
  /** RegisterEventSourceW on the local machine. */
  register(source: string): EventSourceHandle;
  /** ReportEventW: category 0, no user SID, `text` as the one insertion string, no binary data. */
  report(handle: EventSourceHandle, type: EventType, id: number, text: string): void;
  /** DeregisterEventSource. */
  deregister(handle: EventSourceHandle): void;
}

/** Loads advapi32/kernel32 through koffi and returns the reporting functions. */
export function bindEventLog(koffi: Koffi): EventLogApi {
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const GetLastError = kernel.func('uint32 __stdcall GetLastError()');
  const RegisterEventSourceW = advapi.func('void * __stdcall RegisterEventSourceW(str16 server, str16 source)');
  const ReportEventW = advapi.func(
    'int __stdcall ReportEventW(void *log, uint16 type, uint16 category, uint32 eventId, void *userSid, uint16 numStrings, uint32 dataSize, str16 *strings, void *data)',
  );
  const DeregisterEventSource = advapi.func('int __stdcall DeregisterEventSource(void *log)');

  const fail = (fn: string): never => {
    throw new Win32Error(fn, GetLastError() as number);
  };

  return {
    register(source) {
      return (RegisterEventSourceW(null, source) as EventSourceHandle | null) ?? fail('RegisterEventSourceW');
    },
    report(handle, type, id, text) {
      if (ReportEventW(handle, type, 0, id, null, 1, 0, [text], null) === 0) fail('ReportEventW');
    },
    deregister(handle) {
      if (DeregisterEventSource(handle) === 0) fail('DeregisterEventSource');
    },
  };
}

/** (HKEY)(LONG)0x80000002, sign-extended to pointer size, passed as intptr_t. */
const HKEY_LOCAL_MACHINE = -2147483646;
const KEY_QUERY_VALUE = 0x1;
const KEY_SET_VALUE = 0x2;
const REG_OPTION_NON_VOLATILE = 0;
const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_DWORD = 4;
const ERROR_FILE_NOT_FOUND = 2;
const ERROR_MORE_DATA = 234;

/** Loads advapi32 through koffi and returns the source registration functions. */
export function bindEventSourceRegistry(koffi: Koffi): EventSourceRegistry {
  const advapi = koffi.load('advapi32.dll');
  const RegCreateKeyExW = advapi.func(
    'int32 __stdcall RegCreateKeyExW(intptr_t key, str16 subKey, uint32 reserved, str16 keyClass, uint32 options, uint32 access, void *security, _Out_ void **result, _Out_ uint32 *disposition)',
  );
  const RegOpenKeyExW = advapi.func(
    'int32 __stdcall RegOpenKeyExW(intptr_t key, str16 subKey, uint32 options, uint32 access, _Out_ void **result)',
  );
  const RegQueryValueExW = advapi.func(
    'int32 __stdcall RegQueryValueExW(void *key, str16 name, void *reserved, _Out_ uint32 *type, void *data, _Inout_ uint32 *size)',
  );
  const RegSetValueExW = advapi.func(
    'int32 __stdcall RegSetValueExW(void *key, str16 name, uint32 reserved, uint32 type, void *data, uint32 size)',
  );
  const RegDeleteTreeW = advapi.func('int32 __stdcall RegDeleteTreeW(intptr_t key, str16 subKey)');
  const RegCloseKey = advapi.func('int32 __stdcall RegCloseKey(void *key)');

  const checkReg = (fn: string, code: number): void => {
    if (code !== 0) throw new Win32Error(fn, code);
  };
  const sourceKey = (name: string): string => {
    if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid event source name: ${JSON.stringify(name)}`);
    return `${APPLICATION_SOURCES_KEY}\\${name}`;
  };

  return {
    eventSourceFile(name) {
      const key: [unknown] = [null];
      const opened = RegOpenKeyExW(HKEY_LOCAL_MACHINE, sourceKey(name), 0, KEY_QUERY_VALUE, key) as number;
      if (opened === ERROR_FILE_NOT_FOUND) return null;
      checkReg('RegOpenKeyExW', opened);
      try {
        for (let attempt = 0; attempt < 4; attempt++) {
          const type: [number] = [0];
          const size: [number] = [0];
          let code = RegQueryValueExW(key[0], 'EventMessageFile', null, type, null, size) as number;
          if (code === ERROR_FILE_NOT_FOUND) return '';
          checkReg('RegQueryValueExW', code);
          const data = Buffer.alloc(size[0]);
          code = RegQueryValueExW(key[0], 'EventMessageFile', null, type, data, size) as number;
          if (code === ERROR_MORE_DATA) continue; // it grew in between
          if (code === ERROR_FILE_NOT_FOUND) return '';
          checkReg('RegQueryValueExW', code);
          return type[0] === REG_EXPAND_SZ || type[0] === REG_SZ ? readWideString(data.subarray(0, size[0]), 0) : '';
        }
        throw new Win32Error('RegQueryValueExW', ERROR_MORE_DATA);
      } finally {
        RegCloseKey(key[0]);
      }
    },

    registerEventSource(name, messageFile) {
      const key: [unknown] = [null];
      checkReg(
        'RegCreateKeyExW',
        RegCreateKeyExW(HKEY_LOCAL_MACHINE, sourceKey(name), 0, null, REG_OPTION_NON_VOLATILE, KEY_SET_VALUE, null, key, [0]) as number,
      );
      try {
        const file = Buffer.from(`${messageFile}\0`, 'utf16le');
        checkReg('RegSetValueExW', RegSetValueExW(key[0], 'EventMessageFile', 0, REG_EXPAND_SZ, file, file.length) as number);
        const types = Buffer.alloc(4);
        types.writeUInt32LE(TYPES_SUPPORTED);
        checkReg('RegSetValueExW', RegSetValueExW(key[0], 'TypesSupported', 0, REG_DWORD, types, 4) as number);
      } finally {
        RegCloseKey(key[0]);
      }
    },

    removeEventSource(name) {
      const code = RegDeleteTreeW(HKEY_LOCAL_MACHINE, sourceKey(name)) as number;
      if (code !== ERROR_FILE_NOT_FOUND) checkReg('RegDeleteTreeW', code);
    },
  };
}
