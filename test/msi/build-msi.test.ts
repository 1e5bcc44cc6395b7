/**
 * The MSI built by the real tools (src/msi/build-msi.ts: wixl, msibuild, faketime from Debian's
 * packages; `npm run setup:test` installs them), read back with msiinfo, around a small stand-in
 * exe: the tables the generator asked for, the package code and secure properties msibuild sets,
 * byte-identical MSIs from two folders with SOURCE_DATE_EPOCH, and the one-line error (exit 2)
 * when wixl is missing. What msiexec does with it is test/e2e/msi.test.ts. Fails, never skips,
 * without the tools.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../runtime-shim/settings/resolve';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { SvcpackError } from '../../src/errors';
import { buildMsi, findMsiTools } from '../../src/msi/build-msi';
import { defaultUpgradeCode, derivedGuid } from '../../src/msi/guid';
import type { MsiSource } from '../../src/msi/wxs';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const source: MsiSource = {
  name: 'MsiUnitSvc',
  displayName: 'MSI Unit Service',
  description: 'checks the MSI tables',
  version: '2.3.4',
  manufacturer: 'Svcpack Tests',
  exeFile: 'MsiUnitSvc.exe',
  settings: resolveSettings({ startType: 'manual', dependencies: ['Tcpip'] }, defaultSettings('MsiUnitSvc', 'MSI Unit Service', 'checks the MSI tables')),
  upgradeCode: defaultUpgradeCode('MsiUnitSvc'),
  installDir: ['Svcpack Tests', 'MsiUnitSvc'],
};

/** A staging folder holding a stand-in exe (wixl only copies it into the cabinet). */
function stage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-msi-unit-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, source.exeFile), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64 * 1024, 7)]));
  return dir;
}

const msiinfo = (file: string, command: string) => execFileSync('msiinfo', [command, file], { encoding: 'utf8' });
const table = (file: string, name: string) =>
  execFileSync('msiinfo', ['export', file, name], { encoding: 'utf8' })
    .split(/\r?\n/)
    .slice(3)
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));

describe('buildMsi (wixl, msibuild)', () => {
  it('writes the tables of the WiX source, the derived package code and REMOVEDATA as a secure property', async () => {
    const dir = stage();
    const built = await buildMsi({ stageDir: dir, fileName: 'MsiUnitSvc-2.3.4-x64.msi', source, exeSha256: 'ab'.repeat(32) });
    console.log(`[msi] built ${(fs.statSync(built.file).size / 1024).toFixed(0)} KB in ${built.ms} ms`);
    expect(built.packageCode).toBe(derivedGuid('package', built.wxs, 'ab'.repeat(32)));
    const props = Object.fromEntries(table(built.file, 'Property').map(([k, v]) => [k, v]));
    expect(props).toMatchObject({
      ProductName: 'MSI Unit Service',
      ProductVersion: '2.3.4',
      Manufacturer: 'Svcpack Tests',
      UpgradeCode: `{${source.upgradeCode}}`,
      ProductCode: `{${built.productCode}}`,
      ALLUSERS: '1',
      SecureCustomProperties: 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;REMOVEDATA',
    });
    const [service] = table(built.file, 'ServiceInstall');
    // ServiceInstall: Name DisplayName ServiceType StartType ErrorControl LoadOrderGroup Dependencies StartName Password Arguments Component_ Description
    expect(service).toEqual(['Service', 'MsiUnitSvc', 'MSI Unit Service', '16', '3', '1', '', 'Tcpip[~][~]', 'NT SERVICE\\MsiUnitSvc', '', '--service', 'ServiceExe', 'checks the MSI tables']);
    const [control] = table(built.file, 'ServiceControl');
    expect(control?.slice(0, 2)).toEqual(['ServiceStop', 'MsiUnitSvc']);
    expect(control?.[2]).toBe(String(0x2 | 0x20)); // stop on install and on uninstall, nothing else
    const actions = table(built.file, 'CustomAction').map((row) => row[0]);
    expect(actions).toEqual(expect.arrayContaining(['SvcpackInstallService', 'SvcpackUpdateService', 'SvcpackRemoveService', 'SvcpackRemoveServiceAndData', 'SvcpackMarkUpgrade']));
    expect(msiinfo(built.file, 'suminfo')).toContain(`Revision number (UUID): {${built.packageCode}}`);
    expect(fs.readdirSync(dir).sort()).toEqual(['MsiUnitSvc-2.3.4-x64.msi', 'MsiUnitSvc.exe']);
  });

  it('with SOURCE_DATE_EPOCH, two builds in different folders are byte-identical', async () => {
    const epoch = 1_700_000_000;
    const [a, b] = [stage(), stage()];
    const first = await buildMsi({ stageDir: a, fileName: 'x.msi', source, exeSha256: 'cd'.repeat(32), sourceDateEpoch: epoch });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // another second on the real clock
    const second = await buildMsi({ stageDir: b, fileName: 'x.msi', source, exeSha256: 'cd'.repeat(32), sourceDateEpoch: epoch });
    expect(fs.readFileSync(first.file).equals(fs.readFileSync(second.file))).toBe(true);
    expect(msiinfo(first.file, 'suminfo')).toMatch(/Created: Tue Nov 14 22:13:20 2023/);
  });

  it('without wixl: one line saying how to get it, exit 2, before anything is built', () => {
    const noTools = { PATH: fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-empty-path-')) };
    dirs.push(noTools.PATH);
    let error: unknown;
    try {
      findMsiTools(noTools, false);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SvcpackError);
    expect((error as SvcpackError).exitCode).toBe(2);
    expect((error as SvcpackError).toLine()).toBe(
      'svcpack: wixl is not installed (not found on PATH), so the MSI cannot be built — install wixl: apt-get install wixl (Debian/Ubuntu; Fedora: dnf install msitools), or build without --msi',
    );
  });
});
