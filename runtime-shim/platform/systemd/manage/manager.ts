/**
 * The systemd backend's ServiceUnitManager (platform/unit-manager-api.ts): commands/run.ts hands
 * it every parsed management command on Linux, and it carries each out over the unit files,
 * systemctl and journalctl (one module per command beside this one). Commands that change the
 * system need root (`<name>: <command> needs root — run it with sudo`, exit 1, as access denied is
 * on Windows); what has no systemd form — scheduled tasks, pause/continue, control codes, rotate —
 * is one line saying it is Windows-only, exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ManageError } from '../../../commands/context';
import type { LogsIo } from '../../../commands/logs';
import type { ExeConfig } from '../../../exe-config';
import { runtimeOf } from '../../../settings/runtime-settings';
import { queryLiveStatus, type LiveQueryResult } from '../../../status/status-client';
import type { ManageCommand } from '../../manage-command';
import type { ServiceUnitManager } from '../../unit-manager-api';
import { statusSocketPath, systemdDataDir, UNIT_DIR } from '../paths';
import { unitName } from '../unit-syntax';
import { binName, unitUsage, type UnitContext } from './context';
import { unitConfig } from './config';
import { reloadUnit, restartUnit, startUnit, stopUnit } from './control';
import { accountText, installUnit } from './install';
import { unitLogs } from './logs';
import { processRunner, type CommandRunner } from './runner';
import { formatUnitStatus, unitStatus } from './status';
import { showUnit } from './systemctl';
import { uninstallUnit } from './uninstall';
import { dropInPath } from './unit-store';

/** How long `status` waits for the running service's live figures, ms (as on Windows). */
const LIVE_STATUS_TIMEOUT_MS = 2_000;

/** What the manager works with; each absent field is the real one. Tests and the container test pass their own. */
export interface UnitManagerDeps {
  /** The executable ExecStart= runs (process.execPath). */
  exePath?: string;
  /** Where unit files go (/etc/systemd/system). */
  unitDir?: string;
  /** The data folder (/var/lib/<name>). */
  dataDir?: string;
  runner?: CommandRunner;
  /** Whether this process is root (process.geteuid() === 0). */
  isRoot?: boolean;
  out?: (line: string) => void;
  warn?: (line: string) => void;
  now?: () => number;
  /** CLOCK_MONOTONIC in µs, as systemd's *TimestampMonotonic properties (process.hrtime). */
  monotonicUs?: () => number;
  queryLive?: (path: string) => Promise<LiveQueryResult>;
  env?: NodeJS.ProcessEnv;
  logsIo?: LogsIo;
}

/** The context of the commands for the executable `config`. */
export function unitContext(config: ExeConfig, deps: UnitManagerDeps = {}): UnitContext {
  const env = deps.env ?? process.env;
  return {
    name: config.name,
    unit: `${config.name}.service`,
    exePath: deps.exePath ?? process.execPath,
    serviceArg: '--service',
    version: config.version,
    baked: config.settings,
    bakedRuntime: runtimeOf(config),
    dataDir: deps.dataDir ?? systemdDataDir(config.name, {}),
    unitDir: deps.unitDir ?? UNIT_DIR,
    runner: deps.runner ?? processRunner,
    isRoot: deps.isRoot ?? process.geteuid?.() === 0,
    out: deps.out ?? ((line) => process.stdout.write(`${line}\n`)),
    warn: deps.warn ?? ((line) => process.stderr.write(`${line}\n`)),
    now: deps.now ?? (() => performance.now()),
    queryLive: deps.queryLive ?? ((p) => queryLiveStatus(p, { timeoutMs: LIVE_STATUS_TIMEOUT_MS })),
    // The management process was not started by systemd: the unit's RuntimeDirectory= by name.
    statusSocket: statusSocketPath(config.name, { ...env, RUNTIME_DIRECTORY: undefined }),
    ...(deps.logsIo ? { logsIo: deps.logsIo } : {}),
    exists: (p) => fs.existsSync(p),
  };
}

/** A usage line for what systemd has no form of (exit 2). */
function windowsOnly(what: string, instead: string): ManageError {
  return new ManageError(`${what} Windows-only`, instead, 2);
}

export function systemdUnits(deps: UnitManagerDeps = {}): ServiceUnitManager {
  const monotonicUs = deps.monotonicUs ?? (() => Number(process.hrtime.bigint() / 1000n));
  return {
    helpWords(config) {
      const exePath = deps.exePath ?? process.execPath;
      return {
        exe: path.posix.basename(exePath),
        rights: 'install, uninstall, start, stop, restart, reload and config set/reset need root: run them with sudo',
        purged: `the folders systemd made for it: /var/lib/${config.name} (data and log files), /var/log/${config.name}, /var/cache/${config.name}`,
        liveReaders: 'root',
        logReaders: 'the journal, or the log files when it writes only those: root, or the groups adm and systemd-journal for the journal',
        windowsControls: false,
        startedBy: `systemd starts "${exePath}" --service (ExecStart= of /etc/systemd/system/${config.name}.service, written by install).`,
      };
    },
    notStartedByManager(name, serviceArg) {
      return `started with ${serviceArg} but not by systemd (neither NOTIFY_SOCKET nor INVOCATION_ID is set) — start it with "systemctl start ${name}", or use "${name} run" to run it in a console`;
    },
    async run(command: ManageCommand, config: ExeConfig): Promise<number> {
      const ctx = unitContext(config, deps);
      const bin = binName(ctx);
      switch (command.kind) {
        case 'install': {
          if (command.task) throw windowsOnly('scheduled tasks (install --as task) are', `install it as a service, and run it on a schedule with a systemd timer (see docs/linux.md)`);
          if (command.passwordEnv !== undefined) ctx.warn(`${ctx.name}: warning: --password-env is not used on Linux (systemd runs the service as its user without a password); ignored`);
          const result = await installUnit(ctx, { input: command.input, runtime: command.runtime, force: command.force });
          const enabled = result.enablement === 'enable' ? 'enabled: starts at boot' : result.settings.startType === 'disabled' ? 'disabled: not started at boot, refused by systemctl start' : 'not enabled: started by hand';
          ctx.out(`${ctx.name}: ${result.action} ${path.posix.join(ctx.unitDir, ctx.unit)} (ExecStart=${result.binary} ${ctx.serviceArg}${result.settings.args.length ? ' …' : ''}); start type ${result.settings.startType} (${enabled}), account ${accountText(result.settings.account, ctx.name)}`);
          if (result.storedKeys.length > 0) ctx.out(`${ctx.name}: stored ${result.storedKeys.length} runtime setting${result.storedKeys.length === 1 ? '' : 's'} in ${dropInPath(ctx)}`);
          const running = result.action === 'updated' && ['active', 'reloading', 'activating'].includes(showUnit(ctx).activeState);
          if (running) ctx.out(`${ctx.name}: the running service takes the new unit at its next start: run "sudo ${bin} restart"`);
          else ctx.out(`${ctx.name}: data folder ${ctx.dataDir} (made by systemd at the first start); start it with "sudo ${bin} start"`);
          return 0;
        }
        case 'uninstall':
          uninstallUnit(ctx, command);
          return 0;
        case 'start':
          startUnit(ctx, command.timeoutMs);
          return 0;
        case 'stop':
          stopUnit(ctx, command.timeoutMs);
          return 0;
        case 'restart':
          restartUnit(ctx, command.timeoutMs);
          return 0;
        case 'reload':
          reloadUnit(ctx);
          return 0;
        case 'config':
          await unitConfig(ctx, command);
          return 0;
        case 'status': {
          unitUsage(() => unitName(ctx.name));
          const report = await unitStatus(ctx, monotonicUs);
          ctx.out(command.json ? JSON.stringify(report, null, 2) : formatUnitStatus(report, ctx).replace(/\n$/, ''));
          return 0;
        }
        case 'logs':
          return unitLogs(ctx, command);
        case 'rotate':
          throw windowsOnly('rotate is', 'on Linux the log file rotates by size (--log-rotate), and the journal by journald');
        case 'pause':
        case 'continue':
          throw windowsOnly(`${command.kind} is`, `systemd has no pause: use "sudo ${bin} stop" and "sudo ${bin} start"`);
        case 'control':
          throw windowsOnly('control codes are', 'systemd has no user-defined controls: use "reload" (SIGHUP, the app\'s onReload)');
      }
    },
  };
}
