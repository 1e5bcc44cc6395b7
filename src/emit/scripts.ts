/**
 * install/uninstall scripts emitted next to the exe (pure text generation). They register the
 * service with the binary path always quoted (the unquoted-path hole cannot happen) plus the
 * service argument, start type demand, display name and description; start it; and stop+delete it.
 * Each script stops at the first failing step with a clear message and a non-zero exit code.
 */
import { usageError } from '../errors';

export interface ScriptInput {
  name: string;
  displayName: string;
  description: string;
  /** File name of the exe, next to the scripts. */
  exeFile: string;
  /** The argument the SCM passes so the exe knows it runs as a service. */
  serviceArg: string;
}

export interface Scripts {
  'install.cmd': string;
  'install.ps1': string;
  'uninstall.cmd': string;
  'uninstall.ps1': string;
}

/** Seconds the uninstall scripts wait for the service to stop. */
export const STOP_WAIT_SECONDS = 30;

/**
 * Values that end up inside a quoted cmd.exe argument cannot hold `"` or line breaks (cmd.exe has
 * no escape for them inside quotes). Throws a usage error naming the field.
 */
export function checkScriptSafe(field: string, value: string): void {
  if (/["\r\n]/.test(value)) {
    throw usageError('USAGE', `${field} "${value.replace(/[\r\n]+/g, ' ')}" contains a double quote or a line break`, `remove it from ${field}`);
  }
}

/** cmd.exe: inside double quotes only `%` still expands; double it. */
const cmdQuoted = (value: string): string => `"${value.replace(/%/g, '%%')}"`;
/** PowerShell single-quoted literal. */
const psQuoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export function generateScripts(input: ScriptInput): Scripts {
  checkScriptSafe('the service name', input.name);
  checkScriptSafe('the display name', input.displayName);
  checkScriptSafe('the description', input.description);
  return {
    'install.cmd': crlf(installCmd(input)),
    'install.ps1': crlf(installPs1(input)),
    'uninstall.cmd': crlf(uninstallCmd(input)),
    'uninstall.ps1': crlf(uninstallPs1(input)),
  };
}

function installCmd(i: ScriptInput): string {
  const name = cmdQuoted(i.name);
  return `@echo off
rem Installs and starts the ${i.name} Windows service. Run as administrator.
setlocal
set "EXE=%~dp0${i.exeFile.replace(/%/g, '%%')}"
if not exist "%EXE%" (echo install.cmd: "%EXE%" not found - keep this script next to the exe& exit /b 1)
sc.exe query ${name} >nul 2>&1
if not errorlevel 1 (echo install.cmd: service ${name} already exists - run uninstall.cmd first& exit /b 1)
sc.exe create ${name} binPath= "\\"%EXE%\\" ${i.serviceArg}" DisplayName= ${cmdQuoted(i.displayName)} start= demand
if errorlevel 1 (echo install.cmd: creating service ${name} failed - run this script as administrator& exit /b 1)
${i.description ? `sc.exe description ${name} ${cmdQuoted(i.description)} >nul
if errorlevel 1 (echo install.cmd: setting the description failed& sc.exe delete ${name} >nul & exit /b 1)
` : ''}sc.exe start ${name} >nul
if errorlevel 1 (echo install.cmd: service ${name} was created but did not start - see the log next to the exe& exit /b 1)
echo install.cmd: service ${name} installed and started
exit /b 0
`;
}

function uninstallCmd(i: ScriptInput): string {
  const name = cmdQuoted(i.name);
  return `@echo off
rem Stops and removes the ${i.name} Windows service. Run as administrator.
setlocal
sc.exe query ${name} >nul 2>&1
if errorlevel 1 (echo uninstall.cmd: service ${name} is not installed& exit /b 0)
sc.exe stop ${name} >nul 2>&1
set /a WAITED=0
:wait
sc.exe query ${name} | find "STOPPED" >nul
if not errorlevel 1 goto stopped
if %WAITED% geq ${STOP_WAIT_SECONDS} (echo uninstall.cmd: service ${name} did not stop within ${STOP_WAIT_SECONDS} s& exit /b 1)
set /a WAITED+=1
ping -n 2 127.0.0.1 >nul
goto wait
:stopped
sc.exe delete ${name} >nul
if errorlevel 1 (echo uninstall.cmd: deleting service ${name} failed - run this script as administrator& exit /b 1)
echo uninstall.cmd: service ${name} removed
exit /b 0
`;
}

function installPs1(i: ScriptInput): string {
  return `# Installs and starts the ${i.name} Windows service. Run as administrator.
$ErrorActionPreference = 'Stop'
$name = ${psQuoted(i.name)}
$exe = Join-Path $PSScriptRoot ${psQuoted(i.exeFile)}
if (-not (Test-Path -LiteralPath $exe)) { Write-Error "install.ps1: $exe not found - keep this script next to the exe"; exit 1 }
if (Get-Service -Name $name -ErrorAction SilentlyContinue) { Write-Error "install.ps1: service $name already exists - run uninstall.ps1 first"; exit 1 }
# New-Service takes the binary path as one string, so the quoted path survives intact
# (passing it through sc.exe from Windows PowerShell 5.1 would strip the inner quotes).
New-Service -Name $name -BinaryPathName ('"' + $exe + '" ${i.serviceArg}') -DisplayName ${psQuoted(i.displayName)}${i.description ? ` -Description ${psQuoted(i.description)}` : ''} -StartupType Manual | Out-Null
Start-Service -Name $name
Write-Host "install.ps1: service $name installed and started"
`;
}

function uninstallPs1(i: ScriptInput): string {
  return `# Stops and removes the ${i.name} Windows service. Run as administrator.
$ErrorActionPreference = 'Stop'
$name = ${psQuoted(i.name)}
$svc = Get-Service -Name $name -ErrorAction SilentlyContinue
if (-not $svc) { Write-Host "uninstall.ps1: service $name is not installed"; exit 0 }
if ($svc.Status -ne 'Stopped') {
  Stop-Service -Name $name -Force
  $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(${STOP_WAIT_SECONDS}))
}
& sc.exe delete $name | Out-Null
if ($LASTEXITCODE -ne 0) { Write-Error "uninstall.ps1: deleting service $name failed (sc.exe exit code $LASTEXITCODE)"; exit 1 }
Write-Host "uninstall.ps1: service $name removed"
`;
}

const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
