/**
 * An in-memory Platform (runtime-shim/platform/platform.ts) for running the modes on Linux: a
 * service manager that starts the process as a service (or not) and records every status report,
 * stored settings and the management API from a FakeScm, a Task Scheduler from FakeScheduler, a
 * recording system log, process jobs and stop channels. Data folders live under a real temporary
 * folder, since the modes write their log files there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ControlRequest, ServiceStatus } from '../../../runtime-shim/lifecycle/lifecycle';
import type { LogLevel, LogSource } from '../../../runtime-shim/logging/log-sink';
import type { ConnectResult, ControlListener, Platform, ProcessJob, ServiceChannel, StoredSettings, SystemLogSink, TaskChannel } from '../../../runtime-shim/platform/platform';
import type { StopEvents } from '../../../runtime-shim/platform/scheduler-api';
import type { ServiceUnitManager } from '../../../runtime-shim/platform/unit-manager-api';
import { FakeScm } from '../commands/fake-scm';
import { FakeScheduler } from '../commands/task/fake-scheduler';

/** The service manager's side of one service process. */
export class FakeServiceChannel implements ServiceChannel {
  reports: ServiceStatus[] = [];
  stops: { timeoutMs: number; cause: string }[] = [];
  stopTimeouts: number[] = [];
  logFiles: string[] = [];
  listener: ControlListener | null = null;
  connected = false;
  private readonly queued: ControlRequest[] = [];

  constructor(
    readonly name: string,
    readonly onError: (message: string) => void,
    private readonly result: ConnectResult | Error,
    readonly statusPath?: string,
  ) {}

  connect(): Promise<ConnectResult> {
    if (this.result instanceof Error) return Promise.reject(this.result);
    this.connected = true;
    return Promise.resolve(this.result);
  }
  listen(listener: ControlListener): void {
    this.listener = listener;
    for (const request of this.queued.splice(0)) listener.control(request);
  }
  report(status: ServiceStatus): void {
    this.reports.push(status);
  }
  stopping(timeoutMs: number, cause: string): void {
    this.stops.push({ timeoutMs, cause });
  }
  setStopTimeout(ms: number): void {
    this.stopTimeouts.push(ms);
  }
  logTo(file: string): void {
    this.logFiles.push(file);
  }
  exclusiveLogWrite(write: () => void): void {
    write();
  }

  /** The service manager sends a control request (accepted: the lifecycle decides). */
  control(request: ControlRequest): void {
    if (this.listener) this.listener.control(request);
    else this.queued.push(request);
  }
  /** The states reported so far, in order. */
  get states(): string[] {
    return this.reports.map((r) => r.state);
  }
  get last(): ServiceStatus | undefined {
    return this.reports.at(-1);
  }
}

export class FakeTaskChannel implements TaskChannel {
  events: { stop(): void; warning(message: string): void } | null = null;
  stops: { timeoutMs: number; cause: string }[] = [];
  stopTimeouts: number[] = [];
  logFiles: string[] = [];

  constructor(private readonly startError: Error | null) {}

  exclusiveLogWrite(write: () => void): void {
    write();
  }
  setStopTimeout(ms: number): void {
    this.stopTimeouts.push(ms);
  }
  start(events: { stop(): void; warning(message: string): void }): void {
    if (this.startError) throw this.startError;
    this.events = events;
  }
  stopping(timeoutMs: number, cause: string): void {
    this.stops.push({ timeoutMs, cause });
  }
  logTo(file: string): void {
    this.logFiles.push(file);
  }
}

export class FakeJob implements ProcessJob {
  pids: number[] = [];
  terminated: number[] = [];
  add(pid: number): void {
    this.pids.push(pid);
  }
  terminate(exitCode: number): void {
    this.terminated.push(exitCode);
  }
}

export interface FakePlatformOptions {
  /** What connecting as a service gives: started by the service manager (default), not, or a failure. */
  connect?: ConnectResult | Error;
  /** containThisProcess / createProcessJob throw this. */
  jobError?: Error;
  /** The task channel cannot start. */
  taskChannelError?: Error;
  /** The system log cannot be opened. */
  noSystemLog?: boolean;
  /** The channel's own live status place (ServiceChannel.statusPath); absent: the status pipe. */
  statusPath?: string;
  /** A unit manager of the backend's own (Platform.serviceUnits); absent: the commands use the fake SCM. */
  units?: ServiceUnitManager;
}

export interface SystemLogRecord {
  level: LogLevel;
  source: LogSource;
  message: string;
}

export class FakePlatform implements Platform {
  /** A real temporary folder standing for the machine's ProgramData ('system') and the environment's. */
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-platform-'));
  readonly scm = new FakeScm();
  readonly scheduler = new FakeScheduler();
  channels: FakeServiceChannel[] = [];
  taskChannels: FakeTaskChannel[] = [];
  systemLogs: { name: string; records: SystemLogRecord[]; closed: boolean }[] = [];
  jobs: FakeJob[] = [];
  contained = 0;
  terminateAsked = 0;
  /** Which dataDir sources were asked, in order. */
  dataDirAsks: ('system' | 'environment')[] = [];
  readonly signaled: string[] = [];

  readonly serviceUnits?: () => ServiceUnitManager;

  constructor(readonly opts: FakePlatformOptions = {}) {
    if (opts.units) this.serviceUnits = () => opts.units!;
  }

  dataDir(name: string, ask: 'system' | 'environment'): string {
    this.dataDirAsks.push(ask);
    return path.join(this.root, ask === 'system' ? 'ProgramData' : 'EnvProgramData', name);
  }
  serviceChannel(name: string, onError: (message: string) => void): FakeServiceChannel {
    const channel = new FakeServiceChannel(name, onError, this.opts.connect ?? 'service', this.opts.statusPath);
    this.channels.push(channel);
    return channel;
  }
  taskChannel(): FakeTaskChannel {
    const channel = new FakeTaskChannel(this.opts.taskChannelError ?? null);
    this.taskChannels.push(channel);
    return channel;
  }
  storedSettings(name: string): StoredSettings {
    return {
      where: `store\\${name}`,
      read: () => this.scm.getStoredSettings(name),
      workingDirWhere: `store\\${name}\\WorkingDirectory`,
      workingDir: () => this.scm.getServiceWorkingDir(name),
    };
  }
  systemLog(name: string): SystemLogSink | null {
    if (this.opts.noSystemLog) return null;
    const log = { name, records: [] as SystemLogRecord[], closed: false };
    this.systemLogs.push(log);
    return {
      write: (level, source, message) => {
        if (!log.closed) log.records.push({ level, source, message });
      },
      close: () => {
        log.closed = true;
      },
    };
  }
  containThisProcess(): void {
    if (this.opts.jobError) throw this.opts.jobError;
    this.contained++;
  }
  createProcessJob(): FakeJob {
    if (this.opts.jobError) throw this.opts.jobError;
    const job = new FakeJob();
    this.jobs.push(job);
    return job;
  }
  terminateSelf(): (exitCode: number) => never {
    this.terminateAsked++;
    throw new Error('no TerminateProcess here');
  }
  serviceManager(): FakeScm {
    return this.scm;
  }
  taskScheduler(): FakeScheduler {
    return this.scheduler;
  }
  stopEvents(): StopEvents {
    return {
      create: () => ({ signaled: () => false }),
      signal: (name) => {
        this.signaled.push(name);
        return false;
      },
      exists: () => false,
    };
  }
  /** The one service channel a service process made. */
  get channel(): FakeServiceChannel {
    const channel = this.channels[0];
    if (!channel) throw new Error('no service channel was made');
    return channel;
  }
  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
