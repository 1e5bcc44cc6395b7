/**
 * An in-memory Service Control Manager (plus registry, LSA, ACLs) behind the ScmApi interface,
 * and a ManageContext around it with a fake clock. Records every call so tests can check the
 * structures the commands pass to Win32.
 */
import {
  ERROR_ACCESS_DENIED,
  ERROR_INVALID_LEVEL,
  ERROR_SERVICE_ALREADY_RUNNING,
  ERROR_SERVICE_EXISTS,
  ERROR_SERVICE_MARKED_FOR_DELETE,
  ERROR_SERVICE_CANNOT_ACCEPT_CTRL,
  ERROR_SERVICE_NOT_ACTIVE,
  SERVICE_CONTINUE_PENDING,
  SERVICE_CONTROL_CONTINUE,
  SERVICE_CONTROL_PAUSE,
  SERVICE_CONTROL_STOP,
  SERVICE_PAUSED,
  SERVICE_PAUSE_PENDING,
  SERVICE_RUNNING,
  SERVICE_START_PENDING,
  SERVICE_STOPPED,
  SERVICE_STOP_PENDING,
  SERVICE_WIN32_OWN_PROCESS,
  SERVICE_ERROR_NORMAL,
  Win32Error,
  type AccountInfo,
  type ChangeServiceParams,
  type Config2,
  type Config2Level,
  type CreateServiceParams,
  type ElevationType,
  type ScmApi,
  type ServiceConfigInfo,
  type ServiceStatusInfo,
} from '../../../runtime-shim/platform/manager-api';
import { rejected } from '../../support/thrown';
import { ManageError, type ManageContext } from '../../../runtime-shim/commands/context';
import { defaultSettings } from '../../../runtime-shim/settings/service-settings';
import { DEFAULT_LOGGING } from '../../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../../runtime-shim/settings/operation-settings';
import { DEFAULT_SUPERVISION } from '../../../runtime-shim/settings/supervision-settings';
import type { RuntimeKey, RuntimeSettings } from '../../../runtime-shim/settings/runtime-settings';
import { DEFAULT_SERVICE_DACL } from '../../../runtime-shim/commands/service-security';

export interface FakeService {
  config: ServiceConfigInfo;
  password: string | null;
  config2: Map<Config2Level, Config2>;
  status: ServiceStatusInfo;
  markedForDelete: boolean;
  openHandles: number;
  /** Polls left before a pending state completes. */
  pendingPolls: number;
  /** The service object's DACL as SDDL (a new service gets Windows' default). */
  dacl: string;
}

export interface FakeOptions {
  /** false: the SCM denies SC_MANAGER_ALL_ACCESS (a non-administrator, or an unelevated token). Default true. */
  adminRights?: boolean;
  /** What the token says (default 'full'). */
  elevationType?: ElevationType;
  /** Levels this SCM rejects with ERROR_INVALID_LEVEL, to change and to query (Wine 10: flag, sid). */
  unsupportedLevels?: Config2Level[];
  /**
   * Levels this SCM accepts but neither stores nor reports: ChangeServiceConfig2W succeeds,
   * QueryServiceConfig2W fails with ERROR_INVALID_LEVEL (Wine 10: failure actions).
   */
  droppedLevels?: Config2Level[];
  /** Polls a start/stop stays pending. */
  pendingPolls?: number;
  /**
   * A stop whose answer never comes back: the service stops, but ControlService fails with this
   * Win32 error (Wine: 109, the service process ended while its dispatcher answered).
   */
  stopAnswer?: number;
  /** Whether a started service ends RUNNING or fails (STOPPED 1066/exit code). */
  startOutcome?: 'running' | 'fails' | 'hangs';
  /**
   * The SIDs of a caller who is not an administrator (its user and groups): the SCM then denies
   * SC_MANAGER_ALL_ACCESS, and openService grants only what the service's DACL allows them.
   */
  caller?: string[];
}

/** SDDL's letters for service access rights (service-security.ts). */
export const SDDL_SERVICE_RIGHTS: Readonly<Record<string, number>> = {
  CC: 0x0001, DC: 0x0002, LC: 0x0004, SW: 0x0008, RP: 0x0010, WP: 0x0020, DT: 0x0040, LO: 0x0080, CR: 0x0100,
  SD: 0x10000, RC: 0x20000, WD: 0x40000, WO: 0x80000,
};
const SDDL_ALIASES: Readonly<Record<string, string>> = { SY: 'S-1-5-18', BA: 'S-1-5-32-544', IU: 'S-1-5-4', SU: 'S-1-5-6', BU: 'S-1-5-32-545' };

/** The access mask an SDDL right string (`CCLCRP…`) stands for. */
export function sddlRights(letters: string): number {
  let mask = 0;
  for (let i = 0; i < letters.length; i += 2) {
    const bit = SDDL_SERVICE_RIGHTS[letters.slice(i, i + 2)];
    if (bit === undefined) throw new Error(`unknown SDDL right ${letters.slice(i, i + 2)} in ${letters}`);
    mask |= bit;
  }
  return mask;
}

/** What a DACL of allow entries (`D:(A;;<rights>;;;<sid>)…`) grants to a caller with these SIDs. */
export function grantedAccess(dacl: string, callerSids: readonly string[]): number {
  let granted = 0;
  for (const [, rights, trustee] of dacl.matchAll(/\(A;;([A-Z]+);;;([^)]+)\)/g)) {
    const sid = SDDL_ALIASES[trustee!] ?? trustee!;
    if (callerSids.some((c) => c.toUpperCase() === sid.toUpperCase())) granted |= sddlRights(rights!);
  }
  return granted;
}

/**
 * Wine 10's SCM (docs/wine10-facts.md): ChangeServiceConfig2W stores the delayed flag, accepts
 * failure actions without storing them, and refuses the failure-actions flag and the SID type.
 */
export const WINE10_SCM: FakeOptions = { unsupportedLevels: ['failure-actions-flag', 'sid-type'], droppedLevels: ['failure-actions'] };

type Handle = { kind: 'scm' } | { kind: 'service'; name: string };

export class FakeScm implements ScmApi {
  services = new Map<string, FakeService>();
  env = new Map<string, string[]>();
  /** Parameters\WorkingDirectory values: lower-cased service name → value. */
  workingDirs = new Map<string, string>();
  /** Parameters values of the runtime settings: lower-cased service name → key → text. */
  storedSettings = new Map<string, Partial<Record<RuntimeKey, string>>>();
  /** Parameters\AllowControl values: lower-cased service name → the comma-separated value. */
  allowControls = new Map<string, string>();
  accounts = new Map<string, AccountInfo>([['.\\alice', { sid: 'S-1-5-21-1-2-3-1001', domain: 'PC', use: 1 }]]);
  rights = new Map<string, string[]>();
  acls = new Map<string, string>();
  /** Event Log sources: lower-cased name → EventMessageFile. */
  eventSources = new Map<string, string>();
  calls: { fn: string; args: unknown[] }[] = [];
  /** Makes the named method throw this Win32 error code once. */
  failNext = new Map<string, number>();
  nextPid = 4000;

  constructor(readonly opts: FakeOptions = {}) {}

  private record(fn: string, ...args: unknown[]): void {
    this.calls.push({ fn, args });
    const code = this.failNext.get(fn);
    if (code !== undefined) {
      this.failNext.delete(fn);
      throw new Win32Error(fn, code);
    }
  }

  callsTo(fn: string): unknown[][] {
    return this.calls.filter((c) => c.fn === fn).map((c) => c.args);
  }

  private svc(h: object): FakeService {
    const handle = h as Handle;
    if (handle.kind !== 'service') throw new Error('not a service handle');
    const s = this.services.get(handle.name.toLowerCase());
    if (!s) throw new Win32Error('service handle', 6);
    return s;
  }

  elevationType(): ElevationType {
    return this.opts.elevationType ?? 'full';
  }
  openManager(write: boolean): object {
    this.record('openManager', write);
    if (write && (this.opts.adminRights === false || this.opts.caller)) throw new Win32Error('OpenSCManagerW', ERROR_ACCESS_DENIED);
    return { kind: 'scm' };
  }
  openService(_scm: object, name: string, access: number): object | null {
    this.record('openService', name, access);
    const s = this.services.get(name.toLowerCase());
    if (!s) return null;
    if (this.opts.caller && (access & ~grantedAccess(s.dacl, this.opts.caller)) !== 0) throw new Win32Error('OpenServiceW', ERROR_ACCESS_DENIED);
    s.openHandles++;
    return { kind: 'service', name };
  }
  createService(_scm: object, p: CreateServiceParams): object {
    this.record('createService', p);
    if (this.services.has(p.name.toLowerCase())) throw new Win32Error('CreateServiceW', ERROR_SERVICE_EXISTS);
    this.services.set(p.name.toLowerCase(), {
      config: {
        serviceType: SERVICE_WIN32_OWN_PROCESS,
        startType: p.startType,
        errorControl: SERVICE_ERROR_NORMAL,
        binaryPath: p.binaryPath,
        loadOrderGroup: '',
        dependencies: p.dependencies,
        account: p.account ?? 'LocalSystem',
        displayName: p.displayName,
      },
      password: p.password,
      config2: new Map(),
      status: { state: SERVICE_STOPPED, controlsAccepted: 0, win32ExitCode: 1077, serviceExitCode: 0, checkPoint: 0, waitHint: 0, pid: 0 },
      markedForDelete: false,
      openHandles: 1,
      pendingPolls: 0,
      dacl: DEFAULT_SERVICE_DACL,
    });
    return { kind: 'service', name: p.name };
  }
  changeConfig(service: object, p: ChangeServiceParams): void {
    this.record('changeConfig', p);
    const s = this.svc(service);
    if (p.startType !== undefined) s.config.startType = p.startType;
    if (p.displayName !== undefined) s.config.displayName = p.displayName;
    if (p.binaryPath !== undefined) s.config.binaryPath = p.binaryPath;
    if (p.dependencies !== undefined) s.config.dependencies = p.dependencies;
    if (p.account !== undefined) s.config.account = p.account ?? 'LocalSystem';
    if (p.password !== undefined) s.password = p.password;
  }
  changeConfig2(service: object, info: Config2): void {
    this.record('changeConfig2', info);
    if (this.opts.unsupportedLevels?.includes(info.level)) throw new Win32Error('ChangeServiceConfig2W', ERROR_INVALID_LEVEL);
    if (this.opts.droppedLevels?.includes(info.level)) return;
    this.svc(service).config2.set(info.level, info);
  }
  queryConfig(service: object): ServiceConfigInfo {
    return { ...this.svc(service).config };
  }
  queryConfig2<L extends Config2Level>(service: object, level: L): Extract<Config2, { level: L }> | null {
    if (this.opts.unsupportedLevels?.includes(level) || this.opts.droppedLevels?.includes(level)) return null;
    return (this.svc(service).config2.get(level) as Extract<Config2, { level: L }> | undefined) ?? null;
  }
  queryStatus(service: object): ServiceStatusInfo {
    const s = this.svc(service);
    const st = s.status;
    if ([SERVICE_START_PENDING, SERVICE_STOP_PENDING, SERVICE_PAUSE_PENDING, SERVICE_CONTINUE_PENDING].includes(st.state)) {
      if (s.pendingPolls > 0) {
        s.pendingPolls--;
        st.checkPoint++;
      } else if (st.state === SERVICE_PAUSE_PENDING || st.state === SERVICE_CONTINUE_PENDING) {
        Object.assign(st, { state: st.state === SERVICE_PAUSE_PENDING ? SERVICE_PAUSED : SERVICE_RUNNING, checkPoint: 0 });
      } else if (st.state === SERVICE_STOP_PENDING) {
        Object.assign(st, { state: SERVICE_STOPPED, pid: 0, checkPoint: 0, win32ExitCode: 0, serviceExitCode: 0 });
      } else if (this.opts.startOutcome === 'fails') {
        Object.assign(st, { state: SERVICE_STOPPED, pid: 0, checkPoint: 0, win32ExitCode: 1066, serviceExitCode: 3 });
      } else if (this.opts.startOutcome !== 'hangs') {
        Object.assign(st, { state: SERVICE_RUNNING, checkPoint: 0, win32ExitCode: 0 });
      }
    }
    return { ...st };
  }
  startService(service: object, args: string[]): void {
    this.record('startService', args);
    const s = this.svc(service);
    if (s.status.state !== SERVICE_STOPPED) throw new Win32Error('StartServiceW', ERROR_SERVICE_ALREADY_RUNNING);
    Object.assign(s.status, { state: SERVICE_START_PENDING, pid: this.nextPid++, checkPoint: 0 });
    s.pendingPolls = this.opts.pendingPolls ?? 2;
  }
  /**
   * ControlService: stop → STOP_PENDING; pause/continue (refused with 1061 unless the status
   * accepts SERVICE_ACCEPT_PAUSE_CONTINUE) → PAUSE_PENDING / CONTINUE_PENDING; PARAMCHANGE and user
   * codes change nothing (see `calls`).
   */
  control(service: object, control: number): ServiceStatusInfo {
    this.record('control', control);
    const s = this.svc(service);
    if (s.status.state === SERVICE_STOPPED) throw new Win32Error('ControlService', ERROR_SERVICE_NOT_ACTIVE);
    if (control === SERVICE_CONTROL_STOP) {
      Object.assign(s.status, { state: SERVICE_STOP_PENDING, checkPoint: 0 });
      if (this.opts.stopAnswer !== undefined) {
        s.pendingPolls = this.opts.pendingPolls ?? 2;
        throw new Win32Error('ControlService', this.opts.stopAnswer);
      }
    } else if (control === SERVICE_CONTROL_PAUSE || control === SERVICE_CONTROL_CONTINUE) {
      if (!(s.status.controlsAccepted & 0x2)) throw new Win32Error('ControlService', ERROR_SERVICE_CANNOT_ACCEPT_CTRL);
      Object.assign(s.status, { state: control === SERVICE_CONTROL_PAUSE ? SERVICE_PAUSE_PENDING : SERVICE_CONTINUE_PENDING, checkPoint: 0 });
    } else {
      return { ...s.status };
    }
    s.pendingPolls = this.opts.pendingPolls ?? 2;
    return { ...s.status };
  }
  deleteService(service: object): void {
    this.record('deleteService');
    const s = this.svc(service);
    if (s.markedForDelete) throw new Win32Error('DeleteService', ERROR_SERVICE_MARKED_FOR_DELETE);
    s.markedForDelete = true;
  }
  close(handle: object): void {
    const h = handle as Handle;
    if (h.kind !== 'service') return;
    const s = this.services.get(h.name.toLowerCase());
    if (!s) return;
    s.openHandles--;
    if (s.markedForDelete && s.openHandles <= 0) {
      this.services.delete(h.name.toLowerCase());
      this.env.delete(h.name.toLowerCase());
      this.workingDirs.delete(h.name.toLowerCase());
      this.storedSettings.delete(h.name.toLowerCase());
      this.allowControls.delete(h.name.toLowerCase());
    }
  }
  getServiceEnvironment(name: string): string[] | null {
    return this.env.get(name.toLowerCase()) ?? null;
  }
  setServiceEnvironment(name: string, entries: string[]): void {
    this.record('setServiceEnvironment', name, entries);
    if (entries.length === 0) this.env.delete(name.toLowerCase());
    else this.env.set(name.toLowerCase(), entries);
  }
  getServiceWorkingDir(name: string): string | null {
    return this.workingDirs.get(name.toLowerCase()) ?? null;
  }
  setServiceWorkingDir(name: string, value: string | null): void {
    this.record('setServiceWorkingDir', name, value);
    if (value === null) this.workingDirs.delete(name.toLowerCase());
    else this.workingDirs.set(name.toLowerCase(), value);
  }
  getStoredSettings(name: string): Partial<Record<RuntimeKey, string>> {
    return { ...this.storedSettings.get(name.toLowerCase()) };
  }
  setStoredSetting(name: string, key: RuntimeKey, value: string | null): void {
    this.record('setStoredSetting', name, key, value);
    const stored = { ...this.storedSettings.get(name.toLowerCase()) };
    if (value === null) delete stored[key];
    else stored[key] = value;
    this.storedSettings.set(name.toLowerCase(), stored);
  }
  getServiceAllowControl(name: string): string[] | null {
    return this.allowControls.get(name.toLowerCase())?.split(',') ?? null;
  }
  setServiceAllowControl(name: string, accounts: readonly string[]): void {
    this.record('setServiceAllowControl', name, [...accounts]);
    if (accounts.length === 0) this.allowControls.delete(name.toLowerCase());
    else this.allowControls.set(name.toLowerCase(), accounts.join(','));
  }
  getServiceDacl(service: object): string {
    this.record('getServiceDacl');
    return this.svc(service).dacl;
  }
  setServiceDacl(service: object, sddl: string): void {
    this.record('setServiceDacl', sddl);
    this.svc(service).dacl = sddl;
  }
  lookupAccount(name: string): AccountInfo | null {
    return this.accounts.get(name.toLowerCase()) ?? null;
  }
  accountRights(sid: string): string[] {
    return this.rights.get(sid) ?? [];
  }
  addAccountRight(sid: string, right: string): void {
    this.record('addAccountRight', sid, right);
    this.rights.set(sid, [...this.accountRights(sid), right]);
  }
  setFolderAcl(path: string, sddl: string): void {
    this.record('setFolderAcl', path, sddl);
    this.acls.set(path, sddl);
  }
  eventSourceFile(name: string): string | null {
    return this.eventSources.get(name.toLowerCase()) ?? null;
  }
  registerEventSource(name: string, messageFile: string): void {
    this.record('registerEventSource', name, messageFile);
    this.eventSources.set(name.toLowerCase(), messageFile);
  }
  removeEventSource(name: string): void {
    this.record('removeEventSource', name);
    this.eventSources.delete(name.toLowerCase());
  }
  fileVersion(path: string): string | null {
    return path.toLowerCase().endsWith('mysvc.exe') ? '1.4.0.0' : null;
  }
}

export interface FakeContext extends ManageContext {
  api: FakeScm;
  /** What `out` printed (stdout). */
  lines: string[];
  /** What `warn` printed (stderr). */
  warnings: string[];
  dirs: Set<string>;
}

/** The runtime settings of a plain build: svcpack's defaults, a 20 s stop timeout. */
export const BAKED_RUNTIME: RuntimeSettings = { stopTimeoutMs: 20_000, logging: DEFAULT_LOGGING, supervision: DEFAULT_SUPERVISION, operation: DEFAULT_OPERATION };

export const EXE = 'C:\\Program Files\\My Svc\\MySvc.exe';

export function fakeContext(api = new FakeScm(), overrides: Partial<ManageContext> = {}): FakeContext {
  let now = 0;
  const lines: string[] = [];
  const warnings: string[] = [];
  const dirs = new Set<string>();
  return {
    api,
    lines,
    warnings,
    dirs,
    name: 'MySvc',
    exePath: EXE,
    serviceArg: '--service',
    version: '1.4.0',
    baked: defaultSettings('MySvc', 'My Service', 'does things'),
    bakedRuntime: BAKED_RUNTIME,
    dataDir: 'C:\\ProgramData\\MySvc',
    logDir: 'C:\\ProgramData\\MySvc\\logs',
    env: {},
    clock: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    },
    out: (line) => lines.push(line),
    warn: (line) => warnings.push(line),
    fs: {
      mkdir: (dir) => {
        const created = !dirs.has(dir);
        dirs.add(dir);
        return created;
      },
      remove: (dir) => dirs.delete(dir),
      exists: (dir) => dirs.has(dir),
    },
    promptSecret: async () => null,
    ...overrides,
  } as FakeContext;
}

/** Awaits `p`, which must reject with a ManageError, and returns that error. */
export const failure = (p: Promise<unknown>): Promise<ManageError> => rejected(ManageError, p);
