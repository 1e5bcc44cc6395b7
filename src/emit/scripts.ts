/**
 * install/uninstall scripts emitted next to the exe (pure text generation). They are thin wrappers
 * around the exe's own `install` and `uninstall` commands, which do the Win32 work, validation
 * and rollback, so the scripts and `<Name>.exe install` cannot drift. The install scripts pass
 * every service setting as an explicit flag, one per line, for administrators to read and edit.
 * Each script checks for elevation first, stops at the first failure with a one-line
 * `<script>: …` message and exit code 1, and is safe to run again.
 */
import { classifyAccount } from '../../runtime-shim/settings/account';
import { settingsToFlagPairs } from '../../runtime-shim/settings/resolve';
import type { ServiceSettings } from '../../runtime-shim/settings/service-settings';
import { usageError } from '../errors';

export interface ScriptInput {
  /** The service name. */
  name: string;
  /** File name of the exe, next to the scripts. */
  exeFile: string;
  /** Written into the install scripts as the exe's install flags. */
  settings: ServiceSettings;
}

export interface Scripts {
  'install.cmd': string;
  'install.ps1': string;
  'uninstall.cmd': string;
  'uninstall.ps1': string;
}

/** The variable the install scripts tell the exe to read the account's password from. */
export const PASSWORD_ENV = 'SVCPACK_SERVICE_PASSWORD';

type FlagPair = [flag: string, value: string];

/**
 * A value passed to the exe as a quoted cmd.exe argument cannot hold `"`, a line break or NUL:
 * cmd.exe has no escape for them inside quotes. Throws a usage error naming the field.
 */
export function checkScriptSafe(field: string, value: string): void {
  if (/["\r\n\0]/.test(value)) {
    throw usageError(
      'USAGE',
      `${field} "${value.replace(/[\r\n\0]+/g, ' ')}" contains a double quote, a line break or a NUL character`,
      `remove it from ${field}: the install scripts cannot pass it to the exe`,
    );
  }
}

export function generateScripts(input: ScriptInput): Scripts {
  checkScriptSafe('the service name', input.name);
  checkScriptSafe('the exe file name', input.exeFile);
  const flags = settingsToFlagPairs(input.settings);
  for (const [flag, value] of flags) checkScriptSafe(flag, value);
  const needsPassword = classifyAccount(input.settings.account, input.name).needsPassword;
  const installFlags: FlagPair[] = needsPassword ? [...flags, ['--password-env', PASSWORD_ENV]] : flags;
  return {
    'install.cmd': crlf(installCmd(input, installFlags, needsPassword)),
    'install.ps1': crlf(installPs1(input, installFlags, needsPassword)),
    'uninstall.cmd': crlf(uninstallCmd(input)),
    'uninstall.ps1': crlf(uninstallPs1(input)),
  };
}

/** cmd.exe: `%` still expands in batch files, even inside quotes and comments; doubling it keeps it literal. */
const cmdText = (value: string): string => value.replace(/%/g, '%%');

/**
 * A cmd.exe argument the exe receives as `value`: in double quotes (so `^ & | < >` are literal),
 * `%` doubled, and trailing backslashes doubled so the closing quote stays a quote for the exe's
 * command-line parser.
 */
const cmdArg = (value: string): string => `"${cmdText(value).replace(/\\+$/, (slashes) => slashes + slashes)}"`;

/** PowerShell single-quoted literal. */
const psQuoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** cmd.exe reads a batch file in the console's code page: switch to UTF-8 when the script needs it. */
const utf8CodePage = (flags: readonly FlagPair[], name: string, exeFile: string): string =>
  /[^\x00-\x7f]/.test([name, exeFile, ...flags.flat()].join('')) ? 'rem The settings below are UTF-8.\nchcp 65001 >nul\n' : '';

function cmdPreamble(script: string, i: ScriptInput): string {
  return `setlocal EnableExtensions DisableDelayedExpansion
set "SERVICE=${cmdText(i.name)}"
set "EXE=%~dp0${cmdText(i.exeFile)}"

rem Administrator check: "net session" fails without elevation; so does "fltmc", which also
rem works when the Server service (that "net session" needs) is off.
net session >nul 2>&1
if not errorlevel 1 goto :elevated
fltmc >nul 2>&1
if not errorlevel 1 goto :elevated
echo ${script}: run this script as administrator (right-click, Run as administrator)
exit /b 1
:elevated
`;
}

const cmdExeCheck = (script: string): string => `if not exist "%EXE%" (
  echo ${script}: "%EXE%" not found - keep this script next to the exe
  exit /b 1
)
`;

function installCmd(i: ScriptInput, flags: readonly FlagPair[], needsPassword: boolean): string {
  const name = cmdText(i.name);
  const exe = cmdText(i.exeFile);
  const lines = flags.map(([flag, value]) => `  ${flag} ${cmdArg(value)}`);
  return `@echo off
rem Installs the Windows service "${name}" with the settings below and starts it, by running
rem "${exe} install". Safe to run again: an installed service is updated to these settings.
rem Edit a setting on its line (they are the flags of "${exe} install"). Run as administrator.
${utf8CodePage(flags, i.name, i.exeFile)}${cmdPreamble('install.cmd', i)}${cmdExeCheck('install.cmd')}
rem Whether the service existed before: a failed start removes only a service this script created.
set "EXISTED=no"
sc.exe query "%SERVICE%" >nul 2>&1
if not errorlevel 1 set "EXISTED=yes"

${needsPassword ? `rem The account needs a password: set ${PASSWORD_ENV} first, or type it when asked.\n` : ''}"%EXE%" install --force ^
${lines.join(' ^\n')}
if errorlevel 1 (
  echo install.cmd: installing service "%SERVICE%" failed - see the message above
  exit /b 1
)

"%EXE%" start
if not errorlevel 1 goto :started
if "%EXISTED%"=="yes" (
  echo install.cmd: service "%SERVICE%" was updated but did not start - see the message above
  exit /b 1
)
echo install.cmd: service "%SERVICE%" did not start - removing it again
"%EXE%" uninstall
exit /b 1

:started
echo install.cmd: service "%SERVICE%" installed and started
exit /b 0
`;
}

function uninstallCmd(i: ScriptInput): string {
  const name = cmdText(i.name);
  const exe = cmdText(i.exeFile);
  return `@echo off
rem Stops and removes the Windows service "${name}" by running "${exe} uninstall", which stops the
rem service, waits for it to stop and deletes it. Its data folder %ProgramData%\\${name} is kept:
rem add --purge after "uninstall" below to delete it too.
rem Safe to run again: does nothing when the service is not installed. Run as administrator.
${utf8CodePage([], i.name, i.exeFile)}${cmdPreamble('uninstall.cmd', i)}
sc.exe query "%SERVICE%" >nul 2>&1
if errorlevel 1 (
  echo uninstall.cmd: service "%SERVICE%" is not installed
  exit /b 0
)
${cmdExeCheck('uninstall.cmd')}
"%EXE%" uninstall
if errorlevel 1 (
  echo uninstall.cmd: removing service "%SERVICE%" failed - see the message above
  exit /b 1
)
echo uninstall.cmd: service "%SERVICE%" removed
exit /b 0
`;
}

function psPreamble(script: string, i: ScriptInput): string {
  return `$ErrorActionPreference = 'Stop'
$name = ${psQuoted(i.name)}
$exe = Join-Path $PSScriptRoot ${psQuoted(i.exeFile)}
function Fail([string]$message) { [Console]::Error.WriteLine("${script}: $message"); exit 1 }

$elevated = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
if (-not $elevated) { Fail 'run this script as administrator (right-click PowerShell, Run as administrator)' }
# "sc.exe query" exits with 0 when the service exists (Get-Service -Name would read [ ] as wildcards).
$null = & sc.exe query $name
$installed = $LASTEXITCODE -eq 0
`;
}

const PS_EXE_CHECK = 'if (-not (Test-Path -LiteralPath $exe)) { Fail "$exe not found - keep this script next to the exe" }\n';

function installPs1(i: ScriptInput, flags: readonly FlagPair[], needsPassword: boolean): string {
  const lines = flags.map(([flag, value]) => `  ${psQuoted(flag)}, ${psQuoted(value)}`);
  return `${BOM}# Installs the Windows service ${psQuoted(i.name)} with the settings below and starts it, by running
# "${i.exeFile} install". Safe to run again: an installed service is updated to these settings.
# Edit a setting on its line (they are the flags of "${i.exeFile} install").
# Run as administrator: powershell -ExecutionPolicy Bypass -File install.ps1
${psPreamble('install.ps1', i)}${PS_EXE_CHECK}
${needsPassword ? `# The account needs a password: set $env:${PASSWORD_ENV} first, or type it when asked.\n` : ''}$flags = @(
${lines.join('\n')}
)
# Windows PowerShell 5.1 quotes an argument containing spaces without doubling its trailing
# backslashes, so the exe would read "C:\\My Dir\\" as an escaped quote: double them there.
if ($PSVersionTable.PSVersion.Major -lt 6) { $flags = @($flags | ForEach-Object { if ($_ -match '\\s') { $_ -replace '(\\\\+)$', '$1$1' } else { $_ } }) }

& $exe install --force @flags
if ($LASTEXITCODE -ne 0) { Fail "installing service $name failed - see the message above" }

& $exe start
if ($LASTEXITCODE -ne 0) {
  # A failed start removes only a service this script created.
  if ($installed) { Fail "service $name was updated but did not start - see the message above" }
  Write-Host "install.ps1: service $name did not start - removing it again"
  & $exe uninstall
  exit 1
}
Write-Host "install.ps1: service $name installed and started"
`;
}

function uninstallPs1(i: ScriptInput): string {
  return `${BOM}# Stops and removes the Windows service ${psQuoted(i.name)} by running "${i.exeFile} uninstall", which stops
# the service, waits for it to stop and deletes it. Its data folder $env:ProgramData\\${i.name} is
# kept: add --purge after "uninstall" below to delete it too.
# Safe to run again: does nothing when the service is not installed.
# Run as administrator: powershell -ExecutionPolicy Bypass -File uninstall.ps1
${psPreamble('uninstall.ps1', i)}if (-not $installed) { Write-Host "uninstall.ps1: service $name is not installed"; exit 0 }
${PS_EXE_CHECK}
& $exe uninstall
if ($LASTEXITCODE -ne 0) { Fail "removing service $name failed - see the message above" }
Write-Host "uninstall.ps1: service $name removed"
`;
}

/** Windows PowerShell 5.1 reads a script without a byte-order mark in the ANSI code page. */
const BOM = '\uFEFF';

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
