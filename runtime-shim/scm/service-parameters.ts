/**
 * The service's own values under HKLM\SYSTEM\CurrentControlSet\Services\<name>\Parameters (the
 * `ServiceParameters` part of ScmApi). The management commands write them at install; the service
 * reads them at start, before the app's first line, with only the registry bindings loaded. The
 * SCM deletes the service's key, Parameters included, when the service is deleted.
 */
import { ERROR_FILE_NOT_FOUND, Win32Error, type ServiceParameters } from './manager-api';
import { REG_EXPAND_SZ, REG_SZ, type LocalMachineRegistry } from './registry-bindings';
import { readWideString } from './win32-data';

/** The value that holds the `workingDir` setting. */
export const WORKING_DIR_VALUE = 'WorkingDirectory';

/** HKLM-relative path of service `name`'s Parameters key. */
export function serviceParametersKey(name: string): string {
  if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid service name: ${JSON.stringify(name)}`);
  return `SYSTEM\\CurrentControlSet\\Services\\${name}\\Parameters`;
}

const missingKey = (err: unknown): boolean => err instanceof Win32Error && err.fn === 'RegOpenKeyExW' && err.code === ERROR_FILE_NOT_FOUND;

export function bindServiceParameters(registry: LocalMachineRegistry): ServiceParameters {
  return {
    getServiceWorkingDir(name) {
      try {
        const value = registry.read(serviceParametersKey(name), WORKING_DIR_VALUE);
        // Another type is not a path: treated as no value, like a missing one.
        return value && (value.type === REG_SZ || value.type === REG_EXPAND_SZ) ? readWideString(value.data, 0) : null;
      } catch (err) {
        if (missingKey(err)) return null;
        throw err;
      }
    },

    setServiceWorkingDir(name, value) {
      const key = serviceParametersKey(name);
      if (value !== null) {
        registry.write(key, [{ name: WORKING_DIR_VALUE, type: REG_SZ, data: Buffer.from(`${value}\0`, 'utf16le') }], true);
        return;
      }
      try {
        registry.deleteValue(key, WORKING_DIR_VALUE);
      } catch (err) {
        if (!missingKey(err)) throw err;
      }
    },
  };
}
