import { describe, it, expect } from 'vitest';
import { versionInfoTable, versionParts } from '../../src/pack/version-info';

describe('versionParts', () => {
  it('splits into four parts, filling missing ones with 0', () => {
    expect(versionParts('1.4.0')).toEqual([1, 4, 0, 0]);
    expect(versionParts('1.2.3.4')).toEqual([1, 2, 3, 4]);
    expect(versionParts('65535.0.65535.1')).toEqual([65535, 0, 65535, 1]);
  });
});

describe('versionInfoTable', () => {
  it('builds the strings of <name>.exe with a four-part dotted version', () => {
    const t = versionInfoTable({
      name: 'MySvc',
      version: '1.4.0',
      displayName: 'My Service',
      description: 'Does things',
      company: 'ACME',
      productName: 'ACME Suite',
      copyright: '(c) 2026 ACME',
    });
    expect(t.version).toEqual([1, 4, 0, 0]);
    expect(t.lang).toBe(1033);
    expect(t.codepage).toBe(1200);
    expect(t.strings).toEqual({
      FileVersion: '1.4.0.0',
      ProductVersion: '1.4.0.0',
      FileDescription: 'Does things',
      ProductName: 'ACME Suite',
      CompanyName: 'ACME',
      LegalCopyright: '(c) 2026 ACME',
      OriginalFilename: 'MySvc.exe',
      InternalName: 'MySvc',
    });
  });

  it('falls back to the display name and empty strings', () => {
    const t = versionInfoTable({ name: 'S', version: '2.0.1.7', displayName: 'Shown', description: '' });
    expect(t.strings.FileDescription).toBe('Shown');
    expect(t.strings.ProductName).toBe('Shown');
    expect(t.strings.CompanyName).toBe('');
    expect(t.strings.LegalCopyright).toBe('');
    expect(t.strings.FileVersion).toBe('2.0.1.7');
  });
});
