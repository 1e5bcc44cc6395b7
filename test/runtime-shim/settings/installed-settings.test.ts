import { describe, expect, it } from 'vitest';
import { installedSettings } from '../../../runtime-shim/settings/installed-settings';
import { DEFAULT_RUNTIME } from '../../../runtime-shim/settings/runtime-settings';

const BAKED = DEFAULT_RUNTIME;

describe('installedSettings: what an installed service runs with', () => {
  it('is what is stored for the service over the baked settings', () => {
    const asked: string[] = [];
    const read = (name: string) => {
      asked.push(name);
      return { stopTimeout: '40s' };
    };
    expect(installedSettings(BAKED, 'MySvc', read)).toMatchObject({ settings: { stopTimeoutMs: 40_000 }, stored: ['stopTimeout'], problems: [] });
    expect(asked).toEqual(['MySvc']);
    expect(installedSettings(BAKED, 'MySvc', () => ({}))).toEqual({ settings: BAKED, stored: [], problems: [] });
  });

  it('a store that cannot be read leaves the baked settings, with one problem line naming its registry key', () => {
    const unreadable = installedSettings(BAKED, 'MySvc', () => {
      throw new Error('access denied');
    });
    expect(unreadable).toEqual({
      settings: BAKED,
      stored: [],
      problems: ["could not read the settings stored with the service (HKLM\\SYSTEM\\CurrentControlSet\\Services\\MySvc\\Parameters: access denied); using the exe's own"],
    });
  });
});
