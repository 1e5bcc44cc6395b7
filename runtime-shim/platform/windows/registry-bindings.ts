/**
 * Koffi bindings for the few HKEY_LOCAL_MACHINE registry operations svcpack needs (a service's
 * `Environment` value, its Event Log source key). One implementation of the open/query/set/close
 * dance, shared by manager-bindings.ts and eventlog-bindings.ts. Registry functions return their
 * error code (not GetLastError); every failure throws `Win32Error(<function>, <code>)`, and keys
 * are closed in `finally`.
 */
import { ERROR_FILE_NOT_FOUND, Win32Error } from '../manager-api';
import type { Koffi } from '../../addons/native-module';

export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_DWORD = 4;
export const REG_MULTI_SZ = 7;
const ERROR_MORE_DATA = 234;

/** (HKEY)(LONG)0x80000002, sign-extended to pointer size, passed as intptr_t. */
const HKEY_LOCAL_MACHINE = -2147483646;
const KEY_QUERY_VALUE = 0x1;
const KEY_SET_VALUE = 0x2;
const REG_OPTION_NON_VOLATILE = 0;

export interface RegistryValue {
  type: number;
  data: Buffer;
}

export interface LocalMachineRegistry {
  /**
   * The value `name` under HKLM\<subKey>, or null when the key has no such value. Throws
   * Win32Error('RegOpenKeyExW', 2) when the key itself does not exist.
   */
  read(subKey: string, name: string): RegistryValue | null;
  /** Sets values under HKLM\<subKey>; `create` makes the key if missing (else it must exist). */
  write(subKey: string, values: { name: string; type: number; data: Buffer }[], create: boolean): void;
  /** Deletes one value; a missing value is not an error. */
  deleteValue(subKey: string, name: string): void;
  /** Deletes the key and everything below it; a missing key is not an error. */
  deleteTree(subKey: string): void;
}

export function bindLocalMachineRegistry(koffi: Koffi): LocalMachineRegistry {
  const advapi = koffi.load('advapi32.dll');
  const RegOpenKeyExW = advapi.func(
    'int32 __stdcall RegOpenKeyExW(intptr_t key, str16 subKey, uint32 options, uint32 access, _Out_ void **result)',
  );
  const RegCreateKeyExW = advapi.func(
    'int32 __stdcall RegCreateKeyExW(intptr_t key, str16 subKey, uint32 reserved, str16 keyClass, uint32 options, uint32 access, void *security, _Out_ void **result, _Out_ uint32 *disposition)',
  );
  const RegQueryValueExW = advapi.func(
    'int32 __stdcall RegQueryValueExW(void *key, str16 name, void *reserved, _Out_ uint32 *type, void *data, _Inout_ uint32 *size)',
  );
  const RegSetValueExW = advapi.func(
    'int32 __stdcall RegSetValueExW(void *key, str16 name, uint32 reserved, uint32 type, void *data, uint32 size)',
  );
  const RegDeleteValueW = advapi.func('int32 __stdcall RegDeleteValueW(void *key, str16 name)');
  const RegDeleteTreeW = advapi.func('int32 __stdcall RegDeleteTreeW(intptr_t key, str16 subKey)');
  const RegCloseKey = advapi.func('int32 __stdcall RegCloseKey(void *key)');

  const check = (fn: string, code: number): void => {
    if (code !== 0) throw new Win32Error(fn, code);
  };
  function withKey<T>(subKey: string, access: number, create: boolean, use: (key: unknown) => T): T {
    const key: [unknown] = [null];
    if (create) {
      check('RegCreateKeyExW', RegCreateKeyExW(HKEY_LOCAL_MACHINE, subKey, 0, null, REG_OPTION_NON_VOLATILE, access, null, key, [0]) as number);
    } else {
      check('RegOpenKeyExW', RegOpenKeyExW(HKEY_LOCAL_MACHINE, subKey, 0, access, key) as number);
    }
    try {
      return use(key[0]);
    } finally {
      RegCloseKey(key[0]);
    }
  }

  return {
    read(subKey, name) {
      return withKey(subKey, KEY_QUERY_VALUE, false, (key) => {
        for (let attempt = 0; attempt < 4; attempt++) {
          const type: [number] = [0];
          const size: [number] = [0];
          let code = RegQueryValueExW(key, name, null, type, null, size) as number;
          if (code === ERROR_FILE_NOT_FOUND) return null;
          check('RegQueryValueExW', code);
          const data = Buffer.alloc(size[0]);
          code = RegQueryValueExW(key, name, null, type, data, size) as number;
          if (code === ERROR_MORE_DATA) continue; // it grew in between
          if (code === ERROR_FILE_NOT_FOUND) return null;
          check('RegQueryValueExW', code);
          return { type: type[0], data: data.subarray(0, size[0]) };
        }
        throw new Win32Error('RegQueryValueExW', ERROR_MORE_DATA);
      });
    },
    write(subKey, values, create) {
      withKey(subKey, KEY_SET_VALUE, create, (key) => {
        for (const v of values) check('RegSetValueExW', RegSetValueExW(key, v.name, 0, v.type, v.data, v.data.length) as number);
      });
    },
    deleteValue(subKey, name) {
      withKey(subKey, KEY_SET_VALUE, false, (key) => {
        const code = RegDeleteValueW(key, name) as number;
        if (code !== ERROR_FILE_NOT_FOUND) check('RegDeleteValueW', code);
      });
    },
    deleteTree(subKey) {
      const code = RegDeleteTreeW(HKEY_LOCAL_MACHINE, subKey) as number;
      if (code !== ERROR_FILE_NOT_FOUND) check('RegDeleteTreeW', code);
    },
  };
}
