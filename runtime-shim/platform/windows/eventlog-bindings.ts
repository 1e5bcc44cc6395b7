/**
 * Koffi bindings for the Windows Event Log (advapi32): the service reports events
 * (RegisterEventSourceW, ReportEventW, DeregisterEventSource), and install/uninstall register and
 * remove its source, the registry key
 * HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<Name>. Every failed call throws
 * `Win32Error(<function>, <code>)`. Registry access goes through registry-bindings.ts.
 */
import { bindLastError } from './last-error';
import { ERROR_FILE_NOT_FOUND, Win32Error, type EventSourceRegistry } from '../manager-api';
import type { Koffi } from '../../addons/native-module';
import { REG_DWORD, REG_EXPAND_SZ, REG_SZ, type LocalMachineRegistry, type RegistryValue } from './registry-bindings';
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
  const { fail } = bindLastError(koffi);
  const RegisterEventSourceW = advapi.func('void * __stdcall RegisterEventSourceW(str16 server, str16 source)');
  const ReportEventW = advapi.func(
    'int __stdcall ReportEventW(void *log, uint16 type, uint16 category, uint32 eventId, void *userSid, uint16 numStrings, uint32 dataSize, str16 *strings, void *data)',
  );
  const DeregisterEventSource = advapi.func('int __stdcall DeregisterEventSource(void *log)');

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

/**
 * The source registration functions of ScmApi: HKLM\<APPLICATION_SOURCES_KEY>\<name> with
 * EventMessageFile (REG_EXPAND_SZ) and TypesSupported (REG_DWORD).
 */
export function bindEventSourceRegistry(registry: LocalMachineRegistry): EventSourceRegistry {
  const sourceKey = (name: string): string => {
    if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid event source name: ${JSON.stringify(name)}`);
    return `${APPLICATION_SOURCES_KEY}\\${name}`;
  };

  return {
    eventSourceFile(name) {
      let value: RegistryValue | null;
      try {
        value = registry.read(sourceKey(name), 'EventMessageFile');
      } catch (err) {
        if (err instanceof Win32Error && err.fn === 'RegOpenKeyExW' && err.code === ERROR_FILE_NOT_FOUND) return null;
        throw err;
      }
      if (!value) return '';
      return value.type === REG_EXPAND_SZ || value.type === REG_SZ ? readWideString(value.data, 0) : '';
    },

    registerEventSource(name, messageFile) {
      const types = Buffer.alloc(4);
      types.writeUInt32LE(TYPES_SUPPORTED);
      registry.write(
        sourceKey(name),
        [
          { name: 'EventMessageFile', type: REG_EXPAND_SZ, data: Buffer.from(`${messageFile}\0`, 'utf16le') },
          { name: 'TypesSupported', type: REG_DWORD, data: types },
        ],
        true,
      );
    },

    removeEventSource(name) {
      registry.deleteTree(sourceKey(name));
    },
  };
}
