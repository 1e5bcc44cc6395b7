/**
 * The WiX source of a build's MSI (pure: build settings → .wxs text, compiled by wixl in
 * emit/msi/build-msi.ts). What the MSI does, and why each part is as it is, is in
 * docs/signing-and-release.md, "The MSI"; what Wine's msiexec does with it in
 * docs/wine10-facts.md, "msiexec".
 *
 * - One component: `<Name>.exe` (key path) with a ServiceInstall row (name, display name,
 *   description, start type, account, dependencies, `--service` and the build's args) and a
 *   ServiceControl row that stops the service before an upgrade or a removal. No ServiceControl
 *   start or delete: those are custom actions, below.
 * - The MSI tables cannot say: delayed automatic start, recovery actions and their flags, the
 *   preshutdown timeout, the service SID type, the environment, the working folder, who may
 *   control the service, the data folder and its ACL. So after InstallServices a deferred custom
 *   action runs `<Name>.exe install --force <every service setting as a flag>` (the flags of
 *   install.cmd), which leaves the service exactly as `<Name>.exe install` does, then
 *   `<Name>.exe start`. On a first install a failure of either removes the service again
 *   (`<Name>.exe uninstall`) and fails the action, so msiexec rolls the install back: Wine's
 *   msiexec runs no rollback custom actions and leaves services InstallServices created.
 * - Removal (not an upgrade's removal of the old version): `<Name>.exe uninstall`, or `uninstall
 *   --purge` with `REMOVEDATA=1`, after StopServices. An upgrade removes the old version first
 *   (RemoveExistingProducts right after InstallInitialize) but never deletes the service, so its
 *   registry key (the settings stored by `config set`) and the data folder stay: the removal
 *   skips the delete when UPGRADINGPRODUCTCODE is set (Windows) or the upgrading version left
 *   UPGRADE_MARKER in the data folder just before (Wine sets no UPGRADINGPRODUCTCODE); the new
 *   version deletes a marker left behind.
 * - The custom actions run through cmd.exe with the exe's output sent to
 *   `%TEMP%\<Name>-msi.log`: node.exe cannot write to the handles a custom action gets.
 */
import { classifyAccount } from '../../runtime-shim/settings/account';
import { settingsToFlagPairs } from '../../runtime-shim/settings/resolve';
import type { ServiceSettings, StartType } from '../../runtime-shim/settings/service-settings';
import { argsText } from '../../runtime-shim/commands/scm-config';
import { usageError } from '../errors';
import { componentGuid, productCode } from './guid';

/** The argument the SCM starts a svcpack exe with (runtime-shim/commands/command-line.ts SERVICE_ARG). */
const SERVICE_ARG = '--service';

export interface MsiSource {
  /** The service name (SCM key) and exe name. */
  name: string;
  displayName: string;
  description: string;
  /** The build's version, `x.y.z[.w]` (options.ts checked it). */
  version: string;
  /** Manufacturer: the build's company, else the service name. */
  manufacturer: string;
  /** The exe's file name, found by wixl in its working folder. */
  exeFile: string;
  settings: ServiceSettings;
  /** UpgradeCode, upper-case without braces (guid.ts). */
  upgradeCode: string;
  /** The install folder: path segments under `%ProgramFiles%` (64-bit). */
  installDir: string[];
}

export interface MsiDocument {
  wxs: string;
  /** ProductCode, upper-case without braces. */
  productCode: string;
  /** ProductVersion as MSI compares it (`x.y.z`; a fourth part is kept but ignored by upgrades). */
  productVersion: string;
}

/** Names of the custom actions and properties (inspect reads them back). */
export const MSI_NAMES = {
  component: 'ServiceExe',
  file: 'ServiceExe',
  cmdProperty: 'SVCPACKCMD',
  removeDataProperty: 'REMOVEDATA',
  install: 'SvcpackInstallService',
  update: 'SvcpackUpdateService',
  remove: 'SvcpackRemoveService',
  removeData: 'SvcpackRemoveServiceAndData',
  markUpgrade: 'SvcpackMarkUpgrade',
} as const;

/**
 * The file in the data folder that tells the old version's removal that an upgrade removes it:
 * Wine's msiexec removes the old version as a plain `REMOVE=ALL` run, without
 * UPGRADINGPRODUCTCODE (docs/wine10-facts.md, msiexec), so the condition alone would delete the
 * service and the settings stored with it.
 */
export const UPGRADE_MARKER = 'svcpack-msi-upgrading';

/** MSI's limits on ProductVersion: major and minor 0-255, build 0-65535. Throws a usage error. */
export function msiProductVersion(version: string): string {
  const parts = version.split('.').map(Number);
  const [major = 0, minor = 0, build = 0] = parts;
  if (major > 255 || minor > 255 || build > 65535) {
    throw usageError(
      'USAGE',
      `version ${version} cannot be an MSI's ProductVersion: Windows Installer allows at most 255.255.65535`,
      'use a --version whose first two parts are at most 255 and third at most 65535, or build without --msi',
    );
  }
  return parts.length === 4 ? version : `${major}.${minor}.${build}`;
}

/** The WiX source, ProductCode and ProductVersion of `src`. Throws a usage error for what an MSI cannot carry. */
export function msiDocument(src: MsiSource): MsiDocument {
  const productVersion = msiProductVersion(src.version);
  const account = classifyAccount(src.settings.account, src.name);
  if (account.needsPassword) {
    throw usageError(
      'USAGE',
      `--msi cannot install a service that runs as ${src.settings.account}: the MSI would need that account's password`,
      `build the MSI with a virtual account (NT SERVICE\\${src.name}), LocalSystem, LocalService, NetworkService or a gMSA (DOMAIN\\name$), and change the account after install with "${src.name}.exe config set account …"`,
    );
  }
  const code = productCode(src.upgradeCode, productVersion);
  const exe = `[#${MSI_NAMES.file}]`;
  const log = `"[TempFolder]${formatted(src.name)}-msi.log"`;
  const marker = `"[CommonAppDataFolder]${formatted(src.name)}\\${UPGRADE_MARKER}"`;
  const flags = settingsToFlagPairs(src.settings)
    .map(([flag, value]) => `${flag} ${cmdQuoted(flag, value)}`)
    .join(' ');
  const run = (command: string, append: boolean) => `"${exe}" ${command} ${append ? '>>' : '>'} ${log} 2>&1`;
  const installThenStart = `${run(`install --force ${flags}`, false)} && ${run('start', true)}`;
  const commands = {
    install: `${installThenStart} || (${run('uninstall', true)} & exit 1)`,
    update: `(del /f /q ${marker} 2>nul & ver >nul) && ${installThenStart}`,
    // The removal of the old version by an upgrade leaves the service (see the file comment).
    remove: `if exist ${marker} (del /f /q ${marker}) else (${run('uninstall', false)})`,
    removeData: `if exist ${marker} (del /f /q ${marker}) else (${run('uninstall --purge', false)})`,
    markUpgrade: `md "[CommonAppDataFolder]${formatted(src.name)}" 2>nul & echo upgrading> ${marker}`,
  };
  const cmd = (command: string) => `/d /s /c "${command}"`;

  const dirs = src.installDir.map((segment, i) => ({ id: i === src.installDir.length - 1 ? 'INSTALLDIR' : `SvcpackDir${i + 1}`, name: segment }));
  const open = dirs.map((d, i) => `${'  '.repeat(i + 4)}<Directory Id="${d.id}" Name="${attr(d.name)}">`).join('\n');
  const close = dirs.map((_, i) => `${'  '.repeat(dirs.length - i + 3)}</Directory>`).join('\n');
  const indent = '  '.repeat(dirs.length + 4);
  const deps = src.settings.dependencies.map((d) => (d.startsWith('+') ? `<ServiceDependency Id="${attr(d.slice(1))}" Group="yes"/>` : `<ServiceDependency Id="${attr(d)}"/>`));
  const serviceInstall = [
    `<ServiceInstall Id="Service" Name="${attr(formatted(src.name))}" DisplayName="${attr(formatted(src.settings.displayName))}"`,
    src.settings.description === '' ? '' : ` Description="${attr(formatted(src.settings.description))}"`,
    ` Type="ownProcess" Start="${msiStartType(src.settings.startType)}" ErrorControl="normal" Account="${attr(formatted(account.startName ?? 'LocalSystem'))}"`,
    ` Arguments="${attr(formatted([SERVICE_ARG, argsText(src.settings.args)].filter((p) => p !== '').join(' ')))}" Vital="yes"`,
  ].join('');

  const customAction = (id: string, command: string, immediate = false) =>
    immediate
      ? `    <CustomAction Id="${id}" Property="${MSI_NAMES.cmdProperty}" ExeCommand="${attr(cmd(command))}" Return="ignore"/>`
      : `    <CustomAction Id="${id}" Property="${MSI_NAMES.cmdProperty}" ExeCommand="${attr(cmd(command))}" Execute="deferred" Impersonate="no" Return="check"/>`;
  const removing = `REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE`;

  const wxs = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by svcpack: the MSI of service ${comment(src.name)} ${comment(src.version)}. See docs/signing-and-release.md, "The MSI". -->
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="${code}" Name="${attr(src.displayName)}" Language="1033" Version="${productVersion}" Manufacturer="${attr(src.manufacturer)}" UpgradeCode="${src.upgradeCode}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine" Description="${attr(`${src.displayName} ${src.version}`)}" Comments="${attr(`Installs, upgrades and removes the Windows service ${src.name}.`)}"/>
    <MajorUpgrade DowngradeErrorMessage="${attr(`A newer version of ${src.displayName} is already installed: uninstall it first to install version ${src.version}.`)}"/>
    <MediaTemplate EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
${open}
${indent}<Component Id="${MSI_NAMES.component}" Guid="${componentGuid(src.upgradeCode)}" Win64="yes">
${indent}  <File Id="${MSI_NAMES.file}" Name="${attr(src.exeFile)}" Source="${attr(src.exeFile)}" KeyPath="yes"/>
${indent}  ${serviceInstall}>
${deps.map((d) => `${indent}    ${d}\n`).join('')}${indent}  </ServiceInstall>
${indent}  <ServiceControl Id="ServiceStop" Name="${attr(formatted(src.name))}" Stop="both" Wait="yes"/>
${indent}</Component>
${close}
      </Directory>
    </Directory>
    <Feature Id="Service" Level="1">
      <ComponentRef Id="${MSI_NAMES.component}"/>
    </Feature>
    <CustomAction Id="SvcpackCmd" Property="${MSI_NAMES.cmdProperty}" Value="[System64Folder]cmd.exe"/>
${customAction(MSI_NAMES.install, commands.install)}
${customAction(MSI_NAMES.update, commands.update)}
${customAction(MSI_NAMES.remove, commands.remove)}
${customAction(MSI_NAMES.removeData, commands.removeData)}
${customAction(MSI_NAMES.markUpgrade, commands.markUpgrade, true)}
    <InstallExecuteSequence>
      <Custom Action="SvcpackCmd" Sequence="1450"/>
      <Custom Action="${MSI_NAMES.markUpgrade}" Sequence="1501">${text('WIX_UPGRADE_DETECTED AND NOT REMOVE')}</Custom>
      <RemoveExistingProducts Sequence="1502"/>
      <Custom Action="${MSI_NAMES.remove}" Sequence="1950">${text(`${removing} AND NOT ${MSI_NAMES.removeDataProperty}="1"`)}</Custom>
      <Custom Action="${MSI_NAMES.removeData}" Sequence="1951">${text(`${removing} AND ${MSI_NAMES.removeDataProperty}="1"`)}</Custom>
      <Custom Action="${MSI_NAMES.install}" Sequence="5850">${text('NOT REMOVE AND NOT Installed AND NOT WIX_UPGRADE_DETECTED')}</Custom>
      <Custom Action="${MSI_NAMES.update}" Sequence="5851">${text('NOT REMOVE AND (Installed OR WIX_UPGRADE_DETECTED)')}</Custom>
    </InstallExecuteSequence>
  </Product>
</Wix>
`;
  return { wxs, productCode: code, productVersion };
}

/** The ServiceInstall start type of a svcpack start type (delayed-auto: auto, made delayed by `install`). */
function msiStartType(startType: StartType): 'auto' | 'demand' | 'disabled' {
  return startType === 'manual' ? 'demand' : startType === 'disabled' ? 'disabled' : 'auto';
}

/**
 * An install flag's value as one cmd.exe argument inside `cmd /c "…"`: in double quotes (so
 * `& | < > ( ) ^` are literal), trailing backslashes doubled for the exe's argument parser. cmd.exe
 * has no escape for `"` inside quotes and expands `%NAME%` even there: such values are refused.
 */
export function cmdQuoted(flag: string, value: string): string {
  if (/["\r\n\0]/.test(value) || /%[^%\s]+%/.test(value)) {
    throw usageError(
      'USAGE',
      `${flag} "${value.replace(/[\r\n\0]+/g, ' ')}" contains a double quote, a line break, a NUL or a %NAME% that cmd.exe would expand`,
      `remove it from ${flag}: the MSI passes the settings to the exe through cmd.exe`,
    );
  }
  return `"${formatted(value).replace(/\\+$/, (slashes) => slashes + slashes)}"`;
}

/** Text in an MSI Formatted column, literal: `[`, `]`, `{`, `}` escaped as `[\[]`… (Windows Installer, Formatted). */
export function formatted(value: string): string {
  return value.replace(/[[\]{}]/g, (c) => `[\\${c}]`);
}

/** An XML attribute value. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** XML element text. */
function text(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text inside an XML comment (no `--`). */
function comment(value: string): string {
  return value.replace(/-{2,}/g, '-');
}
