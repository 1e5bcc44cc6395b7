/**
 * `svcpack inspect` of an MSI (src/inspect/msi.ts) built by wixl around a stand-in exe: the
 * product, codes, install folder, service and signature read back with msitools, the report's
 * text, the CLI choosing the MSI reader by the file's first bytes. The exe inside a real MSI is
 * inspected in test/e2e/msi.test.ts. Fails, never skips, without wixl and msitools.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../runtime-shim/settings/resolve';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { formatInspect } from '../../src/inspect/format';
import { folderPath, formatMsiInspect, inspectMsi, looksLikeMsi, parseTable } from '../../src/inspect/msi';
import { buildMsi } from '../../src/msi/build-msi';
import { defaultUpgradeCode } from '../../src/msi/guid';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-inspect-msi-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('inspectMsi', () => {
  it('reads the product, codes, install folder and service; the stand-in exe is no PE, so exe is null', async () => {
    fs.writeFileSync(path.join(dir, 'ReadSvc.exe'), 'not a PE file');
    const built = await buildMsi({
      stageDir: dir,
      fileName: 'ReadSvc-4.5.6-x64.msi',
      exeSha256: '00'.repeat(32),
      source: {
        name: 'ReadSvc',
        displayName: 'Read Service',
        description: 'reads',
        version: '4.5.6',
        manufacturer: 'Readers',
        exeFile: 'ReadSvc.exe',
        settings: resolveSettings({ startType: 'disabled', account: 'LocalService', args: ['a b'], dependencies: ['Tcpip', '+Grp'] }, defaultSettings('ReadSvc', 'Read Service', 'reads')),
        upgradeCode: defaultUpgradeCode('ReadSvc'),
        installDir: ['Readers', 'ReadSvc'],
      },
    });
    expect(await looksLikeMsi(built.file)).toBe(true);
    expect(await looksLikeMsi(path.join(dir, 'ReadSvc.exe'))).toBe(false);
    const r = await inspectMsi(built.file);
    expect(r).toEqual({
      kind: 'msi',
      file: built.file,
      bytes: fs.statSync(built.file).size,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      product: { name: 'Read Service', version: '4.5.6', manufacturer: 'Readers', productCode: `{${built.productCode}}`, upgradeCode: `{${defaultUpgradeCode('ReadSvc')}}` },
      installDir: '%ProgramFiles%\\Readers\\ReadSvc',
      service: { name: 'ReadSvc', displayName: 'Read Service', description: 'reads', startType: 'disabled', account: 'NT AUTHORITY\\LocalService', arguments: '--service "a b"', dependencies: ['Tcpip', '+Grp'] },
      signed: false,
      exe: null,
    });
    const text = formatMsiInspect(r, formatInspect);
    expect(text).toContain('product         Read Service 4.5.6 (Readers)\n');
    expect(text).toContain('service         ReadSvc ("Read Service"), start disabled, account NT AUTHORITY\\LocalService, command line <exe> --service "a b", depends on Tcpip, +Grp\n');
    expect(text).toContain('signature       unsigned\n');
  });
});

describe('table helpers', () => {
  it('parseTable skips the three header lines of msiinfo export', () => {
    expect(parseTable('A\tB\ns72\tS72\nT\tA\nx\ty\nz\t\n')).toEqual([['x', 'y'], ['z', '']]);
  });
  it('folderPath walks the Directory table up to its root', () => {
    const dirs = new Map([
      ['INSTALLDIR', { parent: 'D1', name: 'SVC|My Service' }],
      ['D1', { parent: 'ProgramFiles64Folder', name: 'Contoso' }],
      ['ProgramFiles64Folder', { parent: 'TARGETDIR', name: '.' }],
      ['TARGETDIR', { parent: '', name: 'SourceDir' }],
    ]);
    expect(folderPath(dirs, 'INSTALLDIR')).toBe('%ProgramFiles%\\Contoso\\My Service');
  });
});
