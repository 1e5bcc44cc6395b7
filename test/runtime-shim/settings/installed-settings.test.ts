import { describe, expect, it } from 'vitest';
import { installedSettings } from '../../../runtime-shim/settings/installed-settings';
import { DEFAULT_RUNTIME } from '../../../runtime-shim/settings/runtime-settings';

const BAKED = DEFAULT_RUNTIME;

describe('installedSettings: what an installed service runs with', () => {
  it('is what is stored for the service over the baked settings', () => {
    expect(installedSettings(BAKED, () => ({ stopTimeout: '40s' }), 'HKLM\\…\\Parameters')).toMatchObject({ settings: { stopTimeoutMs: 40_000 }, stored: ['stopTimeout'], problems: [] });
    expect(installedSettings(BAKED, () => ({}), 'HKLM\\…\\Parameters')).toEqual({ settings: BAKED, stored: [], problems: [] });
  });

  it('a store that cannot be read leaves the baked settings, with one problem line naming where it is', () => {
    const unreadable = installedSettings(
      BAKED,
      () => {
        throw new Error('access denied');
      },
      'HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters',
    );
    expect(unreadable).toEqual({
      settings: BAKED,
      stored: [],
      problems: ["could not read the settings stored with the service (HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters: access denied); using the exe's own"],
    });
  });
});
