/**
 * The MSI's WiX source (src/msi/wxs.ts), its GUIDs (guid.ts) and options (msi-options.ts): pure,
 * no wixl. What wixl and Wine's msiexec make of it is test/msi/build-msi.test.ts and
 * test/e2e/msi.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { resolveSettings, settingsToFlagPairs, type SettingsInput } from '../../runtime-shim/settings/resolve';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { SvcpackError } from '../../src/errors';
import { componentGuid, defaultUpgradeCode, normalizeGuid, productCode, uuidV5 } from '../../src/msi/guid';
import { resolveMsiPlan } from '../../src/msi/msi-options';
import { flatMsiOptions } from '../../src/msi/msi-step';
import { fileOrigin, validateConfig } from '../../src/config/config-validate';
import { cmdQuoted, formatted, MSI_NAMES, msiDocument, msiProductVersion, UPGRADE_MARKER, type MsiSource } from '../../src/msi/wxs';

const source = (input: SettingsInput = {}, extra: Partial<MsiSource> = {}): MsiSource => ({
  name: 'MySvc',
  displayName: 'My Service',
  description: 'Does useful things',
  version: '1.2.3',
  manufacturer: 'Contoso',
  exeFile: 'MySvc.exe',
  settings: resolveSettings(input, defaultSettings('MySvc', 'My Service', 'Does useful things')),
  upgradeCode: defaultUpgradeCode('MySvc'),
  installDir: ['Contoso', 'MySvc'],
  ...extra,
});

/** The value of attribute `name` of the first element `tag` in `xml`, XML entities decoded. */
function attrOf(xml: string, tag: string, name: string): string | undefined {
  const element = new RegExp(`<${tag}\\b[^>]*>`).exec(xml)?.[0];
  const raw = element && new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];
  return raw?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const customActionCommand = (xml: string, id: string) => attrOf(xml.slice(xml.indexOf(`<CustomAction Id="${id}"`)), 'CustomAction', 'ExeCommand');

describe('GUIDs', () => {
  it('are RFC 9562 version 5 UUIDs', () => {
    // The RFC's own example: "www.example.com" in the DNS namespace.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ED6657D-E927-568B-95E1-2665A8AEA6A2');
  });

  it('derive the UpgradeCode from the service name alone, the ProductCode also from the version', () => {
    expect(defaultUpgradeCode('MySvc')).toBe(defaultUpgradeCode('mysvc'));
    expect(defaultUpgradeCode('MySvc')).not.toBe(defaultUpgradeCode('OtherSvc'));
    const uc = defaultUpgradeCode('MySvc');
    expect(productCode(uc, '1.0.0')).toBe(productCode(uc, '1.0.0'));
    expect(productCode(uc, '1.0.0')).not.toBe(productCode(uc, '1.0.1'));
    expect(componentGuid(uc)).not.toBe(uc);
  });

  it('normalizeGuid accepts braces and any case, refuses anything else', () => {
    expect(normalizeGuid('{8f0e3c52-5e1b-4c47-9a6a-2d3f1b7c9e01}')).toBe('8F0E3C52-5E1B-4C47-9A6A-2D3F1B7C9E01');
    expect(normalizeGuid('8F0E3C52-5E1B-4C47-9A6A-2D3F1B7C9E01')).toBe('8F0E3C52-5E1B-4C47-9A6A-2D3F1B7C9E01');
    expect(normalizeGuid('not-a-guid')).toBeNull();
  });
});

describe('msiDocument', () => {
  it('registers the service in the ServiceInstall table with what the table can say', () => {
    const { wxs } = msiDocument(source({ startType: 'delayed-auto', dependencies: ['Tcpip', '+NetworkProvider'], args: ['port=8080', 'two words'] }));
    expect(attrOf(wxs, 'ServiceInstall', 'Name')).toBe('MySvc');
    expect(attrOf(wxs, 'ServiceInstall', 'DisplayName')).toBe('My Service');
    expect(attrOf(wxs, 'ServiceInstall', 'Description')).toBe('Does useful things');
    expect(attrOf(wxs, 'ServiceInstall', 'Start')).toBe('auto'); // made delayed by install --force
    expect(attrOf(wxs, 'ServiceInstall', 'Account')).toBe('NT SERVICE\\MySvc');
    expect(attrOf(wxs, 'ServiceInstall', 'Arguments')).toBe('--service port=8080 "two words"');
    expect(wxs).toContain('<ServiceDependency Id="Tcpip"/>');
    expect(wxs).toContain('<ServiceDependency Id="NetworkProvider" Group="yes"/>');
    expect(attrOf(wxs, 'ServiceControl', 'Stop')).toBe('both');
    expect(attrOf(wxs, 'ServiceControl', 'Remove')).toBeUndefined(); // the removal custom action deletes it
    expect(attrOf(wxs, 'ServiceControl', 'Start')).toBeUndefined(); // the install custom action starts it
  });

  it('maps the start types and LocalSystem', () => {
    expect(attrOf(msiDocument(source({ startType: 'manual' })).wxs, 'ServiceInstall', 'Start')).toBe('demand');
    expect(attrOf(msiDocument(source({ startType: 'disabled' })).wxs, 'ServiceInstall', 'Start')).toBe('disabled');
    expect(attrOf(msiDocument(source({ account: 'LocalSystem' })).wxs, 'ServiceInstall', 'Account')).toBe('LocalSystem');
    expect(attrOf(msiDocument(source({ account: 'LocalService' })).wxs, 'ServiceInstall', 'Account')).toBe('NT AUTHORITY\\LocalService');
  });

  it('runs the exe\'s own install --force with every service setting, then start; a first install removes the service again when either fails', () => {
    const src = source({ startType: 'delayed-auto', recovery: 'restart/5s,none', preshutdownTimeout: '2m' });
    const { wxs } = msiDocument(src);
    const install = customActionCommand(wxs, MSI_NAMES.install)!;
    const flags = settingsToFlagPairs(src.settings).map(([flag, value]) => `${flag} "${value}"`).join(' ');
    expect(install).toBe(
      `/d /s /c ""[#ServiceExe]" install --force ${flags} > "[TempFolder]MySvc-msi.log" 2>&1 && "[#ServiceExe]" start >> "[TempFolder]MySvc-msi.log" 2>&1 || ("[#ServiceExe]" uninstall >> "[TempFolder]MySvc-msi.log" 2>&1 & exit 1)"`,
    );
    expect(install).toContain('--start-type "delayed-auto"');
    expect(install).toContain('--recovery "restart/5s,none/0s"');
    expect(install).toContain('--preshutdown-timeout "2m"');
    const update = customActionCommand(wxs, MSI_NAMES.update)!;
    expect(update).toContain(`install --force ${flags}`);
    expect(update).not.toContain('uninstall');
    expect(wxs).toMatch(new RegExp(`<Custom Action="${MSI_NAMES.install}" Sequence="5850">NOT REMOVE AND NOT Installed AND NOT WIX_UPGRADE_DETECTED</Custom>`));
    expect(wxs).toMatch(new RegExp(`<Custom Action="${MSI_NAMES.update}" Sequence="5851">NOT REMOVE AND \\(Installed OR WIX_UPGRADE_DETECTED\\)</Custom>`));
  });

  it('removes the service on removal, not on an upgrade\'s removal of the old version; REMOVEDATA=1 purges the data folder', () => {
    const { wxs } = msiDocument(source());
    const marker = `"[CommonAppDataFolder]MySvc\\${UPGRADE_MARKER}"`;
    expect(customActionCommand(wxs, MSI_NAMES.remove)).toBe(`/d /s /c "if exist ${marker} (del /f /q ${marker}) else ("[#ServiceExe]" uninstall > "[TempFolder]MySvc-msi.log" 2>&1)"`);
    expect(customActionCommand(wxs, MSI_NAMES.removeData)).toContain('uninstall --purge');
    expect(wxs).toContain(`<Custom Action="${MSI_NAMES.remove}" Sequence="1950">REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE AND NOT REMOVEDATA="1"</Custom>`);
    expect(wxs).toContain(`<Custom Action="${MSI_NAMES.removeData}" Sequence="1951">REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE AND REMOVEDATA="1"</Custom>`);
    expect(wxs).toContain(`<Custom Action="${MSI_NAMES.markUpgrade}" Sequence="1501">WIX_UPGRADE_DETECTED AND NOT REMOVE</Custom>`);
    expect(wxs).toContain('<RemoveExistingProducts Sequence="1502"/>');
  });

  it('installs per machine under %ProgramFiles%, a major upgrade per version, refusing downgrades', () => {
    const doc = msiDocument(source());
    expect(attrOf(doc.wxs, 'Package', 'InstallScope')).toBe('perMachine');
    expect(doc.wxs).toMatch(/<Directory Id="ProgramFiles64Folder">\s*<Directory Id="SvcpackDir1" Name="Contoso">\s*<Directory Id="INSTALLDIR" Name="MySvc">/);
    expect(attrOf(doc.wxs, 'Product', 'Version')).toBe('1.2.3');
    expect(attrOf(doc.wxs, 'Product', 'UpgradeCode')).toBe(defaultUpgradeCode('MySvc'));
    expect(attrOf(doc.wxs, 'Product', 'Id')).toBe(doc.productCode);
    expect(attrOf(doc.wxs, 'MajorUpgrade', 'DowngradeErrorMessage')).toBe('A newer version of My Service is already installed: uninstall it first to install version 1.2.3.');
  });

  it('is the same text for the same inputs', () => {
    expect(msiDocument(source()).wxs).toBe(msiDocument(source()).wxs);
  });

  it('escapes XML and MSI formatted text', () => {
    const { wxs } = msiDocument(source({ description: 'Fast & [safe] {always} <ok>' }, { displayName: 'A "quoted" name' }));
    expect(attrOf(wxs, 'ServiceInstall', 'Description')).toBe('Fast & [\\[]safe[\\]] [\\{]always[\\}] <ok>');
    expect(attrOf(wxs, 'Product', 'Name')).toBe('A "quoted" name');
    expect(formatted('[x]')).toBe('[\\[]x[\\]]');
  });

  it('refuses what cmd.exe or the MSI cannot carry, as usage errors', () => {
    expect(() => cmdQuoted('--description', 'say "hi"')).toThrow(/double quote/);
    expect(() => cmdQuoted('--description', 'uses %PATH% here')).toThrow(/%NAME%/);
    expect(cmdQuoted('--description', '100% sure')).toBe('"100% sure"');
    expect(cmdQuoted('--working-dir', 'C:\\data\\')).toBe('"C:\\data\\\\"');
    const password = (() => {
      try {
        msiDocument(source({ account: '.\\svcuser' }));
      } catch (err) {
        return err;
      }
    })();
    expect(password).toBeInstanceOf(SvcpackError);
    expect((password as SvcpackError).exitCode).toBe(2);
    expect((password as SvcpackError).message).toMatch(/password/);
    expect(() => msiProductVersion('256.0.0')).toThrow(/255\.255\.65535/);
    expect(msiProductVersion('1.2.3.4')).toBe('1.2.3.4');
  });
});

describe('resolveMsiPlan', () => {
  const build = { name: 'MySvc', version: '1.2.3', company: 'Contoso' };
  it('is undefined without msi, and refuses MSI options without it', () => {
    expect(resolveMsiPlan({}, build)).toBeUndefined();
    expect(() => resolveMsiPlan({ msiDir: 'X' }, build)).toThrow(/--msi-dir is given without --msi/);
  });
  it('names the file and the folder, derives the UpgradeCode', () => {
    expect(resolveMsiPlan({ msi: true }, build)).toEqual({ fileName: 'MySvc-1.2.3-x64.msi', installDir: ['Contoso', 'MySvc'], upgradeCode: defaultUpgradeCode('MySvc') });
    expect(resolveMsiPlan({ msi: true }, { name: 'MySvc', version: '1.2.3' })?.installDir).toEqual(['MySvc']);
    expect(resolveMsiPlan({ msi: true, msiDir: 'Acme/Services\\MySvc' }, build)?.installDir).toEqual(['Acme', 'Services', 'MySvc']);
    expect(resolveMsiPlan({ msi: true, upgradeCode: '{8f0e3c52-5e1b-4c47-9a6a-2d3f1b7c9e01}' }, build)?.upgradeCode).toBe('8F0E3C52-5E1B-4C47-9A6A-2D3F1B7C9E01');
  });
  it('refuses an absolute or odd install folder and a bad GUID, naming the config key', () => {
    const absolute = (() => {
      try {
        resolveMsiPlan({ msi: true, msiDir: 'D:\\Services' }, build);
      } catch (err) {
        return err as SvcpackError;
      }
    })();
    expect(absolute?.toLine()).toMatch(/^svcpack: --msi-dir "D:\\Services" is not a folder path under %ProgramFiles% — .*INSTALLDIR=D:\\Services\\MySvc$/);
    expect(() => resolveMsiPlan({ msi: true, msiDir: '..\\x' }, build)).toThrow(/not a folder path/);
    expect(() => resolveMsiPlan({ msi: true, upgradeCode: 'abc' }, build, (key) => `svcpack.config.json: ${key}`)).toThrow(/^svcpack.config.json: upgradeCode "abc" is not a GUID$/);
  });
});

describe('msi in a config: true, or an object of the MSI options', () => {
  const origin = fileOrigin('svcpack.config.json', '/project');
  it('accepts an object of dir, upgradeCode, winget, wingetUrl, wingetId and reads it as msi: true plus those keys', () => {
    const { options } = validateConfig({ msi: { dir: 'Contoso\\MySvc', winget: true, wingetUrl: 'https://example.com/{file}' } }, origin);
    expect(flatMsiOptions(options)).toEqual({ msi: true, msiDir: 'Contoso\\MySvc', upgradeCode: undefined, winget: true, wingetUrl: 'https://example.com/{file}', wingetId: undefined });
    expect(flatMsiOptions({ msi: { dir: 'A' }, msiDir: 'B' }).msiDir).toBe('B');
    expect(flatMsiOptions({ msi: true })).toMatchObject({ msi: true, msiDir: undefined });
  });
  it('refuses other keys and values, naming them', () => {
    expect(() => validateConfig({ msi: { folder: 'x' } }, origin)).toThrow(/^svcpack.config.json: msi has the unknown key "folder"$/);
    expect(() => validateConfig({ msi: { winget: 'yes' } }, origin)).toThrow(/^svcpack.config.json: msi.winget "yes" is not allowed$/);
    expect(() => validateConfig({ msi: 'yes' }, origin)).toThrow(/msi "yes" is not allowed/);
  });
});
