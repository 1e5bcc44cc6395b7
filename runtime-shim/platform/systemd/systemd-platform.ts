/**
 * The systemd backend of the platform seam (platform/platform.ts), for a service that runs as
 * the unit unit-file.ts writes (Type=notify or notify-reload, KillMode=mixed, StateDirectory=):
 *
 * - `serviceChannel`: systemd-channel.ts — sd_notify (notify.ts) for the statuses and the
 *   watchdog, SIGTERM and SIGHUP for the controls.
 * - `storedSettings`: the `SVCPACK_<KEY>` variables the drop-in (drop-in.ts) puts in the
 *   service's environment. systemd sets the environment when the process starts: a value stored
 *   later (`config set` + `daemon-reload`) reaches the service at its next start, not on reload.
 *   The working folder is the unit's WorkingDirectory=, which systemd has entered already.
 * - `systemLog`: the journal through stdout (journal-sink.ts), records at info and above.
 * - process jobs: the unit's cgroup. With KillMode=mixed systemd ends every process left in it
 *   when the main process ends or the unit stops, so `containThisProcess` has nothing to do; a
 *   job from `createProcessJob` ends the processes put into it with SIGKILL (each one's process
 *   group when it leads one, as a hook's detached shell does); their other descendants are left to
 *   the cgroup, ended when the service ends. A signal carries no exit code: `terminate`'s code is
 *   not seen.
 * - `terminateSelf`: _exit(2) through koffi.
 * - `dataDir`: STATE_DIRECTORY when systemd set it for this service, else `/var/lib/<name>`
 *   (StateDirectory=<name>; the management commands, which systemd did not start, get the same).
 * - the management commands: `serviceUnits` (manage/manager.ts) — install writes the unit and the
 *   drop-in, the rest drives systemctl and journalctl. The SCM-shaped `serviceManager`, the task
 *   scheduler (`taskScheduler`, `stopEvents`) and scheduled tasks (`taskChannel`) have no Linux
 *   form; each throws NotOnLinuxYet naming what is missing.
 * - the channel's `statusPath`: the live status socket in the unit's RuntimeDirectory= (paths.ts).
 *
 * koffi is loaded from the executable (hash-checked) the first time a method needs libc: sending a
 * notification, ending the process.
 */
import path from 'node:path';
import { loadNativeModule, type Koffi } from '../../addons/native-module';
import { readAsset } from '../../assets';
import { RUNTIME_SETTINGS, type RuntimeKey } from '../../settings/runtime-settings';
import type { Platform, ProcessJob, ServiceChannel, StoredSettings, SystemLogSink } from '../platform';
import { storedSettingVariable } from './drop-in';
import { JournalSink } from './journal-sink';
import { bindLibc, type Libc } from './libc-bindings';
import { systemdUnits, type UnitManagerDeps } from './manage/manager';
import { systemdNotifier, type SystemdNotifier } from './notify';
import { dropInPath, statusSocketPath, systemdDataDir, UNIT_DIR } from './paths';
import { SystemdChannel, type HeartbeatClock, type SignalSource } from './systemd-channel';

export { dropInPath, STATUS_SOCKET_NAME, statusSocketPath, systemdDataDir, UNIT_DIR } from './paths';

/** Something the Linux backend does not do yet. */
export class NotOnLinuxYet extends Error {
  constructor(what: string) {
    super(`${what} is not available on Linux yet: svcpack's systemd backend runs a service that systemd started, but does not install or manage one — manage the unit with systemctl`);
    this.name = 'NotOnLinuxYet';
  }
}

/** The stored runtime settings in `env` (pure): each `SVCPACK_<KEY>` that is set, by key. */
export function storedSettingsFromEnvironment(env: NodeJS.ProcessEnv): Partial<Record<RuntimeKey, string>> {
  const stored: Partial<Record<RuntimeKey, string>> = {};
  for (const { key } of RUNTIME_SETTINGS) {
    const value = env[storedSettingVariable(key)];
    if (value !== undefined) stored[key] = value;
  }
  return stored;
}

/** The journal as the system log: records at info and above; `close` stops writing. */
export function journalSystemLog(sink: JournalSink = new JournalSink({ minLevel: 'info' })): SystemLogSink {
  let open = true;
  return {
    write(level, source, message) {
      if (open) sink.write(level, source, message);
    },
    close() {
      open = false;
    },
  };
}

/**
 * A process job over signals (see the module comment): `add` records a pid; `terminate` sends
 * SIGKILL to each one's process group when it leads one, else to the process. Never throws.
 */
export function signalProcessJob(kill: (pid: number, signal: NodeJS.Signals) => void = (pid, signal) => process.kill(pid, signal)): ProcessJob {
  const pids = new Set<number>();
  return {
    add(pid) {
      pids.add(pid);
    },
    terminate(_exitCode) {
      for (const pid of pids) {
        try {
          kill(-pid, 'SIGKILL');
          continue;
        } catch {
          // Not a group leader (or the group is gone): the process alone.
        }
        try {
          kill(pid, 'SIGKILL');
        } catch {
          // Already ended.
        }
      }
    },
  };
}

export interface SystemdPlatformOptions {
  /** SHA-256 (hex) of the koffi.node embedded in the executable, checked before every load. */
  koffiSha256: string;
}

/** Test seams; the executable uses the defaults. */
export interface SystemdPlatformDeps {
  /** The environment (process.env). */
  env?: NodeJS.ProcessEnv;
  /** libc (through the executable's koffi). */
  libc?: Libc;
  /** Where SIGTERM and SIGHUP come from (process). */
  signals?: SignalSource;
  /** The watchdog heartbeat's timer (unref'ed real timers). */
  clock?: HeartbeatClock;
  /** The notifier for an environment (notify.ts systemdNotifier over `libc`). */
  notifier?: (env: NodeJS.ProcessEnv) => SystemdNotifier;
  /** What the management commands work with (manage/manager.ts): the executable's path, the unit folder, the runner, … */
  manage?: UnitManagerDeps;
}

const unrefClock: HeartbeatClock = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export function systemdPlatform(opts: SystemdPlatformOptions, deps: SystemdPlatformDeps = {}): Platform {
  const env = deps.env ?? process.env;
  let koffiModule: Koffi | null = null;
  const koffi = (): Koffi => (koffiModule ??= loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), opts.koffiSha256));
  const libc = deps.libc ?? bindLibc(koffi);
  const notifier = deps.notifier ?? ((from: NodeJS.ProcessEnv) => systemdNotifier(libc, { env: from }));

  return {
    dataDir: (name) => systemdDataDir(name, env),
    serviceChannel: (name, onError): ServiceChannel =>
      new SystemdChannel(onError, { notifier, env, signals: deps.signals ?? process, clock: deps.clock ?? unrefClock, statusPath: statusSocketPath(name, env) }),
    taskChannel() {
      throw new NotOnLinuxYet('running as a scheduled task (--task)');
    },
    storedSettings(name): StoredSettings {
      return {
        where: dropInPath(name),
        read: () => storedSettingsFromEnvironment(env),
        workingDirWhere: `${path.posix.join(UNIT_DIR, `${name}.service`)}, WorkingDirectory=`,
        // systemd entered the unit's WorkingDirectory= (the baked setting) before starting the process.
        workingDir: () => null,
      };
    },
    systemLog: () => journalSystemLog(),
    // The unit's cgroup holds every process this one starts; KillMode=mixed ends them with it.
    containThisProcess() {},
    createProcessJob: () => signalProcessJob(),
    // Bound when asked (a failure throws here, and Node's own exit runs instead).
    terminateSelf: () => libc.exitFunction(),
    // The management commands go to serviceUnits (commands/run.ts never asks the three below on Linux).
    serviceUnits: () => systemdUnits({ env, ...deps.manage }),
    serviceManager() {
      throw new NotOnLinuxYet('the SCM-shaped service manager (the systemd backend manages units through serviceUnits)');
    },
    taskScheduler() {
      throw new NotOnLinuxYet('installing as a scheduled task (install --as task)');
    },
    stopEvents() {
      throw new NotOnLinuxYet("stopping a scheduled task (stop on a task)");
    },
  };
}
