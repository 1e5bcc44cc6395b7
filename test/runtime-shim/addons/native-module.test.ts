import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { nativeModuleDir } from '../../../runtime-shim/addons/native-module';

describe('nativeModuleDir: a folder only the account and administrators/root can write', () => {
  test('Windows: the account profile’s %LOCALAPPDATA%', () => {
    expect(nativeModuleDir({ LOCALAPPDATA: 'C:\\Windows\\ServiceProfiles\\LocalService\\AppData\\Local' }, 'win32')).toBe(
      path.join('C:\\Windows\\ServiceProfiles\\LocalService\\AppData\\Local', 'svcpack', 'native'),
    );
  });
  test('Linux under systemd: the unit’s CacheDirectory= (the first, when several)', () => {
    expect(nativeModuleDir({ CACHE_DIRECTORY: '/var/cache/my-svc:/var/cache/other', HOME: '/' }, 'linux')).toBe('/var/cache/my-svc/native');
  });
  test('Linux otherwise: XDG_CACHE_HOME, else ~/.cache — never /tmp', () => {
    expect(nativeModuleDir({ XDG_CACHE_HOME: '/home/ann/.xdg', HOME: '/home/ann' }, 'linux')).toBe('/home/ann/.xdg/svcpack/native');
    expect(nativeModuleDir({ HOME: '/root' }, 'linux')).toBe('/root/.cache/svcpack/native');
  });
});
