/**
 * The service's own values under HKLM\SYSTEM\CurrentControlSet\Services\<name>\Parameters (the
 * `ServiceParameters` part of ScmApi). The management commands write them at install; the service
 * reads them at start, before the app's first line, with only the registry bindings loaded. The
 * SCM deletes the service's key, Parameters included, when the service is deleted.
 */
import { RUNTIME_SETTINGS, type RuntimeKey } from '../settings/runtime-settings';
import { ERROR_FILE_NOT_FOUND, Win32Error, type ServiceParameters } from './manager-api';
import { REG_EXPAND_SZ, REG_SZ, type LocalMachineRegistry } from './registry-bindings';
import { readWideString } from './win32-data';

/**
 * The value that holds the `workingDir` setting. The runtime settings (settings/runtime-settings.ts)
 * are stored one REG_SZ value each, named by their key (`logLevel`), holding their flag's text.
 */
export const WORKING_DIR_VALUE = 'WorkingDirectory';

/** HKLM-relative path of service `name`'s Parameters key. */
export function serviceParametersKey(name: string): string {
  if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid service name: ${JSON.stringify(name)}`);
  return `SYSTEM\\CurrentControlSet\\Services\\${name}\\Parameters`;
}

const missingKey = (err: unknown): boolean => err instanceof Win32Error && err.fn === 'RegOpenKeyExW' && err.code === ERROR_FILE_NOT_FOUND;

export function bindServiceParameters(registry: LocalMachineRegistry): ServiceParameters {
  /** A string value; null when it (or the whole Parameters key) is missing. Another type is treated as missing. */
  const readText = (name: string, valueName: string): string | null => {
    try {
      const value = registry.read(serviceParametersKey(name), valueName);
      return value && (value.type === REG_SZ || value.type === REG_EXPAND_SZ) ? readWideString(value.data, 0) : null;
    } catch (err) {
      if (missingKey(err)) return null;
      throw err;
    }
  };
  /** Writes a REG_SZ value (creating the key), or deletes it for null (a missing one is not an error). */
  const writeText = (name: string, valueName: string, value: string | null): void => {
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
  };
  return {
    getServiceWorkingDir: (name) => readText(name, WORKING_DIR_VALUE),
    setServiceWorkingDir: (name, value) => writeText(name, WORKING_DIR_VALUE, value),
    getStoredSettings(name) {
      const stored: Partial<Record<RuntimeKey, string>> = {};
      for (const { key } of RUNTIME_SETTINGS) {
        const text = readText(name, key);
        if (text !== null) stored[key] = text;
      }
      return stored;
    },
    setStoredSetting: (name, key, value) => writeText(name, key, value),
  };
}
