/**
 * The service's own values under HKLM\SYSTEM\CurrentControlSet\Services\<name>\Parameters (the
 * `ServiceParameters` part of ScmApi). The management commands write them at install; the service
 * reads them at start, before the app's first line, with only the registry bindings loaded. The
 * SCM deletes the service's key, Parameters included, when the service is deleted.
 */
import { RUNTIME_SETTINGS, type RuntimeKey } from '../../settings/runtime-settings';
import { ALLOW_CONTROL_VALUE, ERROR_FILE_NOT_FOUND, serviceParametersKey, Win32Error, WORKING_DIR_VALUE, type ServiceParameters } from '../manager-api';
import { REG_EXPAND_SZ, REG_SZ, type LocalMachineRegistry } from './registry-bindings';
import { readWideString } from './win32-data';

const missingKey = (err: unknown): boolean => err instanceof Win32Error && err.fn === 'RegOpenKeyExW' && err.code === ERROR_FILE_NOT_FOUND;

export function bindServiceParameters(registry: LocalMachineRegistry): ServiceParameters {
  /** A string value; null when it, or the Parameters key, is missing (another type counts as missing). */
  function readString(name: string, valueName: string): string | null {
    try {
      const value = registry.read(serviceParametersKey(name), valueName);
      return value && (value.type === REG_SZ || value.type === REG_EXPAND_SZ) ? readWideString(value.data, 0) : null;
    } catch (err) {
      if (missingKey(err)) return null;
      throw err;
    }
  }

  /** Writes a REG_SZ value (creating the Parameters key), or deletes it for null. */
  function writeString(name: string, valueName: string, value: string | null): void {
    const key = serviceParametersKey(name);
    if (value !== null) {
      registry.write(key, [{ name: valueName, type: REG_SZ, data: Buffer.from(`${value}\0`, 'utf16le') }], true);
      return;
    }
    try {
      registry.deleteValue(key, valueName);
    } catch (err) {
      if (!missingKey(err)) throw err;
    }
  }

  return {
    getServiceWorkingDir: (name) => readString(name, WORKING_DIR_VALUE),
    setServiceWorkingDir: (name, value) => writeString(name, WORKING_DIR_VALUE, value),

    getServiceAllowControl(name) {
      const value = readString(name, ALLOW_CONTROL_VALUE);
      return value === null ? null : value.split(',').filter((entry) => entry !== '');
    },
    setServiceAllowControl: (name, accounts) => writeString(name, ALLOW_CONTROL_VALUE, accounts.length > 0 ? accounts.join(',') : null),

    getStoredSettings(name) {
      const stored: Partial<Record<RuntimeKey, string>> = {};
      for (const { key } of RUNTIME_SETTINGS) {
        const text = readString(name, key);
        if (text !== null) stored[key] = text;
      }
      return stored;
    },
    setStoredSetting: (name, key, value) => writeString(name, key, value),
  };
}
