/**
 * The systemd unit of a service (pure): what `install` writes to
 * `/etc/systemd/system/<name>.service` on Linux, from the same settings the exe gives the SCM on
 * Windows. The unit is the one a careful admin would write: `Type=notify` (READY=1 when the app
 * is ready, STOPPING=1, WATCHDOG=1 heartbeats, reloads as SIGHUP), the restart policy as
 * `Restart=`, least privilege by default (a dynamic user, a read-only system, the hardening that
 * keeps `systemd-analyze security` at "OK" while Node and V8 still run). Each setting's mapping,
 * and what becomes of the Windows-only ones, is in docs/architecture.md ("The systemd backend").
 *
 * Nothing here touches the system: `systemdVersion` is the version of the systemd the unit is
 * for (the installer asks `systemctl --version`); newer directives are used only where it has them.
 */
import path from 'node:path';
import { classifyAccount } from '../../settings/account';
import type { RuntimeSettings } from '../../settings/runtime-settings';
import { DEFAULT_PRESHUTDOWN_TIMEOUT_MS, DEFAULT_RECOVERY, type ServiceSettings, type StartType } from '../../settings/service-settings';
import { commandWord, environmentWord, noSpecifiers, quoteWord, textValue, timeSpan, UnitError, unitName } from './unit-syntax';

export interface UnitInput {
  /** The service name (the Windows service name rules; see unitName for what systemd accepts). */
  name: string;
  /** The Linux binary's absolute path, as ExecStart= runs it. */
  binaryPath: string;
  service: ServiceSettings;
  /** The runtime settings the unit reflects: the baked ones (the drop-in restates stored changes). */
  runtime: RuntimeSettings;
  /** The systemd version the unit is for (`systemctl --version`), at least MIN_SYSTEMD_VERSION. */
  systemdVersion: number;
}

export interface UnitFile {
  /** `<name>.service`. */
  unitName: string;
  /** The unit's text, ending in a newline. */
  text: string;
  /** Settings that do not apply on Linux or were adjusted, one line each, for stderr. */
  warnings: string[];
}

/** The oldest systemd svcpack writes units for: `ProtectProc=` came in 247 (Debian 11, Ubuntu 22.04 has 249, RHEL 9 252). */
export const MIN_SYSTEMD_VERSION = 247;
/** `Type=notify-reload`: systemd sends the reload signal and waits for READY=1 itself. */
const NOTIFY_RELOAD_VERSION = 253;
/** `RestartSteps=` and `RestartMaxDelaySec=`: a restart delay that grows. */
const RESTART_STEPS_VERSION = 254;
/** The largest exit status a Linux process can have; Windows exit codes are 32-bit. */
const MAX_EXIT_STATUS = 255;
/** systemd's own start limit (DefaultStartLimitIntervalSec=10s, DefaultStartLimitBurst=5), written out when nothing restarts. */
const SYSTEMD_START_LIMIT = { intervalMs: 10_000, burst: 5 };
/**
 * systemd's SIGKILL comes this long after svcpack's stop timeout (TimeoutStopSec=, and the
 * service's EXTEND_TIMEOUT_USEC= when it stops): svcpack's own forced stop, at the stop timeout,
 * ends the process first.
 */
export const STOP_KILL_MARGIN_MS = 1_000;

/** Who the service runs as. */
export type UnitAccount = { kind: 'dynamic' } | { kind: 'root' } | { kind: 'user'; user: string };

/** A user name as `User=` takes it on every systemd svcpack supports (its relaxed rules are wider). */
const LINUX_USER = /^[A-Za-z_][A-Za-z0-9_.@-]*$/;

/**
 * The Linux account of `--account` (the Windows forms): the service's own virtual account (the
 * default), LocalService and NetworkService run as a dynamic user of their own (`DynamicUser=yes`:
 * least privilege, as on Windows); LocalSystem as root; `.\user` as the local user `user`;
 * `user@domain` as that directory user (sssd or winbind name it so). `DOMAIN\user`, a gMSA and
 * another service's virtual account have no Linux form. Throws UnitError.
 */
export function unitAccount(account: string, name: string): UnitAccount {
  const c = classifyAccount(account, name);
  const fix = 'use .\\user for a local user, user@domain for a directory user, LocalSystem for root, or leave --account out for a dynamic user of its own';
  switch (c.kind) {
    case 'local-system':
      return { kind: 'root' };
    case 'local-service':
    case 'network-service':
      return { kind: 'dynamic' };
    case 'virtual':
      if (account.toLowerCase() === `nt service\\${name.toLowerCase()}`) return { kind: 'dynamic' };
      throw new UnitError(`account "${account}" is another service's virtual account, which Linux does not have`, fix);
    case 'gmsa':
      throw new UnitError(`account "${account}" is a group managed service account, which Linux does not have`, fix);
    case 'user': {
      const user = account.startsWith('.\\') ? account.slice(2) : account.includes('\\') ? null : account;
      if (user === null) throw new UnitError(`account "${account}" is a Windows domain account`, fix);
      if (!LINUX_USER.test(user) || user.length > 256) throw new UnitError(`account "${account}" is not a Linux user name`, fix);
      return { kind: 'user', user };
    }
  }
}

/**
 * What `install` does with the unit for each start type: `systemctl enable` (auto, delayed-auto)
 * or `systemctl disable` (manual, disabled; a disabled unit also gets RefuseManualStart=yes, so
 * `systemctl start` refuses it as the SCM refuses a disabled service — a unit in /etc cannot be
 * masked, and a dependency can still pull it in).
 */
export function enablement(startType: StartType): 'enable' | 'disable' {
  return startType === 'auto' || startType === 'delayed-auto' ? 'enable' : 'disable';
}

/**
 * The hardening every unit gets unless it runs as root (spike.service's list, measured at 1.3 OK
 * on systemd 257): no capabilities, no devices, kernel and cgroup settings read-only, a seccomp
 * filter. Node needs the `pkey_*` calls (V8 uses memory protection keys: without them
 * `@system-service` kills it with SIGSYS) and AF_NETLINK (`os.networkInterfaces()`); it cannot
 * have `MemoryDenyWriteExecute=` (the JIT) nor `ProcSubset=pid` (`os.cpus()` reads /proc/stat).
 */
const HARDENING: ReadonlyArray<readonly [string, string]> = [
  ['CapabilityBoundingSet', ''],
  ['AmbientCapabilities', ''],
  ['PrivateDevices', 'yes'],
  ['PrivateUsers', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectKernelModules', 'yes'],
  ['ProtectKernelLogs', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['ProtectClock', 'yes'],
  ['ProtectHostname', 'yes'],
  ['ProtectProc', 'invisible'],
  ['RestrictNamespaces', 'yes'],
  ['RestrictRealtime', 'yes'],
  ['LockPersonality', 'yes'],
  ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK'],
  ['SystemCallArchitectures', 'native'],
  ['SystemCallFilter', '@system-service pkey_alloc pkey_free pkey_mprotect'],
  ['UMask', '0077'],
];

/** The least-privilege lines the issue lists for every unit not run as root. */
const SANDBOX: ReadonlyArray<readonly [string, string]> = [
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['NoNewPrivileges', 'yes'],
  ['RestrictSUIDSGID', 'yes'],
];

type Line = readonly [key: string, value: string];

/** The unit's directives that come from the runtime settings, by section (the drop-in restates them). */
export interface RuntimeDirectives {
  unit: Line[];
  service: Line[];
  warnings: string[];
}

/**
 * The directives the runtime settings decide: the stop timeout, the heartbeat, the restart policy
 * and exit codes, and where the log goes. With `resetLists`, each list directive is first emptied
 * (a drop-in adds to the unit's lists otherwise).
 */
export function runtimeDirectives(input: UnitInput, resetLists: boolean): RuntimeDirectives {
  const { runtime, systemdVersion } = input;
  const { policy, heartbeatTimeoutMs } = runtime.supervision;
  const { success, restart } = runtime.operation.exitCodes;
  const unit: Line[] = [];
  const service: Line[] = [];
  const warnings: string[] = [];
  const list = (key: string, values: string[]): void => {
    if (resetLists) service.push([key, '']);
    if (values.length > 0) service.push([key, values.join(' ')]);
  };

  service.push(['TimeoutStopSec', timeSpan(runtime.stopTimeoutMs + STOP_KILL_MARGIN_MS)]);
  service.push(['WatchdogSec', heartbeatTimeoutMs === null ? '0' : timeSpan(heartbeatTimeoutMs)]);

  const exitStatuses = (codes: number[], flag: string): string[] => {
    const tooBig = codes.filter((c) => c > MAX_EXIT_STATUS);
    if (tooBig.length > 0) warnings.push(`${flag} ${tooBig.join(',')}: a Linux exit status is at most ${MAX_EXIT_STATUS}; left out of the unit`);
    return codes.filter((c) => c > 0 && c <= MAX_EXIT_STATUS).map(String);
  };
  list('SuccessExitStatus', exitStatuses(success, '--success-exit-codes'));

  if (policy.maxRestarts === 0) {
    service.push(['Restart', 'no']);
    unit.push(['StartLimitIntervalSec', timeSpan(SYSTEMD_START_LIMIT.intervalMs)], ['StartLimitBurst', String(SYSTEMD_START_LIMIT.burst)]);
    list('RestartForceExitStatus', []);
  } else {
    // 'all': every failure restarts. A list: only those codes, and deaths that are not an exit
    // code at all (a signal, the watchdog, a timeout) — the exit-code lists cannot name them.
    service.push(['Restart', restart === 'all' ? 'on-failure' : 'on-abnormal']);
    list('RestartForceExitStatus', restart === 'all' ? [] : exitStatuses(restart, '--restart-exit-codes'));
    service.push(['RestartSec', timeSpan(policy.initialDelayMs)]);
    // systemd counts starts, the first one included: maxRestarts restarts are maxRestarts + 1 starts.
    unit.push(['StartLimitIntervalSec', timeSpan(policy.windowMs)], ['StartLimitBurst', String(policy.maxRestarts + 1)]);
    if (systemdVersion >= RESTART_STEPS_VERSION) {
      const steps = restartSteps(policy.initialDelayMs, policy.factor, policy.maxDelayMs);
      service.push(['RestartSteps', String(steps)]);
      if (steps > 0) service.push(['RestartMaxDelaySec', timeSpan(policy.maxDelayMs)]);
    }
  }

  const { logDir } = runtime.logging;
  if (logDir === null) list('LogsDirectory', [input.name]);
  else if (logDir.startsWith('/')) {
    checkPath(logDir, '--log-dir');
    list('LogsDirectory', []);
    list('ReadWritePaths', [quoteWord(logDir, false)]);
  } else {
    throw new UnitError(`the log folder "${logDir}" is a Windows path`, 'give --log-dir an absolute Linux path such as /srv/logs/MySvc, or leave it out for /var/log/<name>');
  }
  return { unit, service, warnings };
}

/**
 * How many of systemd's steps take the restart delay from `initialMs` to `maxMs` when each restart
 * waits `factor` times longer (systemd spreads the steps evenly on a logarithmic scale, so the
 * growth per step is close to `factor`); 0 when the delay does not grow.
 */
export function restartSteps(initialMs: number, factor: number, maxMs: number): number {
  if (initialMs <= 0 || factor <= 1 || maxMs <= initialMs) return 0;
  return Math.ceil(Math.log(maxMs / initialMs) / Math.log(factor) - 1e-9);
}

/** Refuses a path value the unit cannot hold: not one line, or `$`/`%`-free where systemd would not read it back. */
function checkPath(value: string, what: string): void {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UnitError(`${what} "${value}" contains a control character`, 'use a path without one');
  if (path.posix.normalize(value) !== value || value.length > 1 && value.endsWith('/')) {
    throw new UnitError(`${what} "${value}" is not a normalized path`, `write it as ${path.posix.normalize(value).replace(/(.)\/$/, '$1')}`);
  }
}

/** The working folder: `exe` → the binary's folder, `data` → /var/lib/<name>, an absolute Linux path as is. */
function workingDirectory(workingDir: string, binaryPath: string, name: string): string {
  if (workingDir === 'exe') return path.posix.dirname(binaryPath);
  if (workingDir === 'data') return `/var/lib/${name}`;
  if (workingDir.startsWith('/')) {
    checkPath(workingDir, 'working folder');
    return workingDir;
  }
  throw new UnitError(`the working folder "${workingDir}" is a Windows path`, 'use --working-dir exe, data or an absolute Linux path');
}

/** A unit dependency from a `--dependencies` entry: a full unit name (`network-online.target`) as is, a bare name as `<name>.service`. */
function dependencyUnit(dep: string): string {
  if (/^[A-Za-z0-9_.:@\\-]+\.(service|target|socket|mount|path|timer|device|swap|slice|scope|automount)$/.test(dep)) return dep;
  try {
    return unitName(dep);
  } catch (err) {
    if (!(err instanceof UnitError)) throw err;
    throw new UnitError(`dependency "${dep}" is not a systemd unit name`, 'give --dependencies Linux unit names such as postgresql or network-online.target');
  }
}

/** The warnings for Windows-only settings that were changed from their defaults (at the default they say nothing). */
function windowsOnlyWarnings(s: ServiceSettings): string[] {
  const out: string[] = [];
  const ignored = (flag: string, why: string): number => out.push(`${flag} does not apply on Linux (${why}); ignored`);
  if (s.startType === 'delayed-auto') out.push('--start-type delayed-auto: systemd has no delayed start; the unit is enabled like auto');
  if (s.sidType !== 'unrestricted') ignored('--sid-type', 'a dynamic user already gives the service an identity of its own');
  if (s.preshutdownTimeoutMs !== DEFAULT_PRESHUTDOWN_TIMEOUT_MS) ignored('--preshutdown-timeout', 'at shutdown systemd stops services with their stop timeout');
  if (JSON.stringify(s.recovery) !== JSON.stringify(DEFAULT_RECOVERY)) ignored('the recovery settings', 'systemd restarts the service by the restart policy: --restart-delay, --max-restarts, --restart-window');
  if (s.allowControl.length > 0) ignored('--allow-control', 'systemd decides who may start and stop units through polkit');
  return out;
}

/**
 * The folders the sandbox hides from the service (ProtectHome=yes: /home, /root, /run/user;
 * PrivateTmp=yes: /tmp, /var/tmp): systemd would fail to start a binary there (status 203/EXEC).
 */
const HIDDEN_FROM_SANDBOX = ['/home/', '/root/', '/run/user/', '/tmp/', '/var/tmp/'];

/**
 * Refuses a binary path the sandbox of a unit not run as root would hide (install checks it on the
 * machine it installs on; unitFile itself does not, so units can be generated anywhere). Throws UnitError.
 */
export function checkVisibleToSandbox(binaryPath: string): void {
  const hidden = HIDDEN_FROM_SANDBOX.find((dir) => binaryPath.startsWith(dir));
  if (hidden === undefined) return;
  throw new UnitError(
    `the binary ${binaryPath} is under ${hidden.slice(0, -1)}, which the unit hides from the service (${hidden.startsWith('/tmp') || hidden.startsWith('/var/tmp') ? 'PrivateTmp=yes' : 'ProtectHome=yes'}), so systemd could not start it`,
    'copy it to a folder such as /opt/<name>/ or /usr/local/bin and run install from there',
  );
}

/** The unit of `input`. Throws UnitError when a setting has no Linux form. */
export function unitFile(input: UnitInput): UnitFile {
  const { name, binaryPath, service: s, systemdVersion } = input;
  const unit = unitName(name);
  if (!Number.isInteger(systemdVersion) || systemdVersion < MIN_SYSTEMD_VERSION) {
    throw new UnitError(`systemd ${systemdVersion} is older than ${MIN_SYSTEMD_VERSION}, the oldest svcpack writes units for`, 'install on a newer distribution (Debian 11, Ubuntu 22.04, RHEL 9 or later)');
  }
  if (!binaryPath.startsWith('/')) throw new UnitError(`the binary path "${binaryPath}" is not absolute`, 'give the full path of the installed binary');
  checkPath(binaryPath, 'the binary path');
  // systemd refuses an executable path with quotes or backslashes ("contains special characters"),
  // and expands variables in the arguments but not in the path it runs: a `$` cannot be written for both.
  const special = /["'\\$]/.exec(binaryPath);
  if (special) throw new UnitError(`the binary path "${binaryPath}" contains ${special[0]}, which systemd does not run`, `install the binary in a folder without " ' \\ or $ in its path`);

  const account = unitAccount(s.account, name);
  const runtime = runtimeDirectives(input, false);
  const warnings = [...windowsOnlyWarnings(s), ...runtime.warnings];
  if (account.kind === 'dynamic' && input.runtime.logging.logDir !== null) {
    warnings.push(`--log-dir ${input.runtime.logging.logDir}: a dynamic user can write there only if the folder lets any user write; use --account .\\<user> or leave --log-dir out for /var/log/${name}`);
  }

  const deps = s.dependencies.filter((d) => !d.startsWith('+')).map(dependencyUnit);
  for (const group of s.dependencies.filter((d) => d.startsWith('+'))) warnings.push(`dependency ${group} is a Windows load-order group, which systemd does not have; left out`);

  const lines: string[] = [];
  const put = (key: string, value: string): number => lines.push(`${key}=${value}`);
  const comment = (text: string): number => lines.push(`# ${text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\\+$/, '')}`);

  comment(`${unit}: written by svcpack's install from the settings built into ${binaryPath}.`);
  comment(`Change them with "${path.posix.basename(binaryPath)} install" or "config set" (the drop-in ${unit}.d/svcpack.conf), or "systemctl edit ${unit}".`);
  if (s.description.trim() !== '') comment(s.description.trim());
  lines.push('[Unit]');
  put('Description', textValue(s.displayName) || name);
  put('After', ['network.target', ...deps].join(' '));
  if (deps.length > 0) put('Requires', deps.join(' '));
  // Windows' disabled: not started at boot (install disables it) and refused by `systemctl start`.
  if (s.startType === 'disabled') put('RefuseManualStart', 'yes');
  for (const [k, v] of runtime.unit) put(k, v);

  lines.push('', '[Service]');
  if (systemdVersion >= NOTIFY_RELOAD_VERSION) {
    put('Type', 'notify-reload');
    put('ReloadSignal', 'SIGHUP');
  } else {
    put('Type', 'notify');
    put('ExecReload', '/bin/kill -HUP $MAINPID');
  }
  put('NotifyAccess', 'main');
  put('ExecStart', [binaryPath, '--service', ...s.args].map(commandWord).join(' '));
  put('WorkingDirectory', noSpecifiers(workingDirectory(s.workingDir, binaryPath, name)));
  for (const [k, v] of Object.entries(s.env)) put('Environment', environmentWord(k, v));
  put('SyslogIdentifier', name);
  // The main process does the stop work (the supervisor stops the app over IPC); what is left
  // when it ends is killed at once, as a job object does on Windows.
  put('KillMode', 'mixed');
  for (const [k, v] of runtime.service) put(k, v);
  if (account.kind === 'dynamic') put('DynamicUser', 'yes');
  if (account.kind === 'user') put('User', account.user);
  put('StateDirectory', name);
  // /run/<name>: the live status socket (statusSocketPath), reachable by the service's user and root only.
  put('RuntimeDirectory', name);
  put('RuntimeDirectoryMode', '0700');
  // Where the executable writes its native modules (koffi, addons) before loading them: the
  // service user's own folder (addons/native-module.ts).
  put('CacheDirectory', name);
  if (account.kind !== 'root') for (const [k, v] of [...SANDBOX, ...HARDENING]) put(k, v);

  lines.push('', '[Install]');
  put('WantedBy', 'multi-user.target');
  return { unitName: unit, text: `${lines.join('\n')}\n`, warnings };
}
