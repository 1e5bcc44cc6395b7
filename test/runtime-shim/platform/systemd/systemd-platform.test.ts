import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Lifecycle, type ControlRequest, type DeliveredControl, type ServiceStatus } from '../../../../runtime-shim/lifecycle/lifecycle';
import type { ControlListener, ServiceChannel } from '../../../../runtime-shim/platform/platform';
import type { Libc } from '../../../../runtime-shim/platform/systemd/libc-bindings';
import { JournalSink } from '../../../../runtime-shim/platform/systemd/journal-sink';
import { SIGNAL_CONTROLS, type ControlSignal, type HeartbeatClock, type KeepAlive } from '../../../../runtime-shim/platform/systemd/systemd-channel';
import {
  NotOnLinuxYet,
  dropInPath,
  journalSystemLog,
  signalProcessJob,
  storedSettingsFromEnvironment,
  systemdDataDir,
  systemdPlatform,
} from '../../../../runtime-shim/platform/systemd/systemd-platform';
import { bindReceiver, testLibc } from './notify-receiver';

/** libc that records each datagram's text instead of sending it; `failSend` makes sendto throw. */
function recordingLibc(): Libc & { sent: string[]; failSend: boolean; exits: number[] } {
  const sent: string[] = [];
  const exits: number[] = [];
  return {
    sent,
    exits,
    failSend: false,
    socket: () => 7,
    bind() {},
    sendto(_fd, data) {
      if (this.failSend) throw new Error('sendto: ECONNREFUSED (errno 111)');
      sent.push(data.toString('utf8'));
      return data.length;
    },
    recvfrom: () => 0,
    close() {},
    clockMicros: () => 4242n,
    exitFunction: () => (status: number) => {
      exits.push(status);
      throw new Error('ended');
    },
  };
}

/** A heartbeat clock advanced by hand. */
function manualClock(): HeartbeatClock & { tick(): void; intervals: Map<number, { fn: () => void; ms: number }> } {
  const intervals = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    intervals,
    setInterval(fn, ms) {
      intervals.set(next, { fn, ms });
      return next++;
    },
    clearInterval: (h) => void intervals.delete(h as number),
    tick: () => [...intervals.values()].forEach((i) => i.fn()),
  };
}

const NOTIFY_ENV = { NOTIFY_SOCKET: '/run/systemd/notify', INVOCATION_ID: 'abc123' };

/** A KeepAlive that records what is held. */
function heldHandles(): KeepAlive & { held: Set<number> } {
  const held = new Set<number>();
  let next = 1;
  return {
    held,
    hold: () => (held.add(next), next++),
    release: (h) => void held.delete(h as number),
  };
}

function setUp(env: NodeJS.ProcessEnv = { ...NOTIFY_ENV }) {
  const libc = recordingLibc();
  const signals = new EventEmitter();
  const clock = manualClock();
  const keepAlive = heldHandles();
  const errors: string[] = [];
  const platform = systemdPlatform({ koffiSha256: '' }, { env, libc, signals, clock, keepAlive });
  const channel = platform.serviceChannel('OrderSync', (m) => errors.push(m));
  const emit = (signal: ControlSignal) => signals.emit(signal);
  return { env, libc, signals, clock, keepAlive, errors, platform, channel, emit };
}

const status = (state: ServiceStatus['state']): ServiceStatus => ({
  state,
  accepts: [],
  exitCode: 0,
  checkPoint: 0,
  waitHintMs: 0,
  userCodes: { rotate: false, custom: false },
});

/** A listener recording requests; `accept` decides what `control` answers. */
function recordingListener(accept: (r: ControlRequest) => boolean = () => true): ControlListener & { requests: ControlRequest[] } {
  const requests: ControlRequest[] = [];
  return {
    requests,
    control(request) {
      requests.push(request);
      return accept(request);
    },
    refused() {},
  };
}

describe('connect', () => {
  it('is not-started-by-scm without NOTIFY_SOCKET or INVOCATION_ID, and then takes no signals', async () => {
    const t = setUp({ PATH: '/usr/bin' });
    expect(await t.channel.connect()).toBe('not-started-by-scm');
    expect(t.signals.listenerCount('SIGTERM')).toBe(0);
    expect(t.signals.listenerCount('SIGHUP')).toBe(0);
    expect(t.clock.intervals.size).toBe(0);
  });

  it('is service under a Type=notify unit (NOTIFY_SOCKET), and takes SIGTERM and SIGHUP', async () => {
    const t = setUp();
    expect(await t.channel.connect()).toBe('service');
    expect(t.signals.listenerCount('SIGTERM')).toBe(1);
    expect(t.signals.listenerCount('SIGHUP')).toBe(1);
    expect(t.channel.signalListeners).toEqual(new Set([...t.signals.listeners('SIGTERM'), ...t.signals.listeners('SIGHUP')]));
  });

  it('is service under a unit of another type (INVOCATION_ID only), which then gets no notifications', async () => {
    const t = setUp({ INVOCATION_ID: 'abc123' });
    expect(await t.channel.connect()).toBe('service');
    t.channel.report(status('running'));
    t.channel.report(status('stop-pending'));
    expect(t.libc.sent).toEqual([]);
  });

  it('removes NOTIFY_SOCKET and WATCHDOG_* from the environment once read, so children cannot notify', async () => {
    const t = setUp({ ...NOTIFY_ENV, WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(process.pid), SVCPACK_LOG_LEVEL: 'debug' });
    await t.channel.connect();
    expect(t.env).toEqual({ INVOCATION_ID: 'abc123', SVCPACK_LOG_LEVEL: 'debug' });
  });

  it('rejects with one line when NOTIFY_SOCKET is unusable, and still removes it', async () => {
    const t = setUp({ NOTIFY_SOCKET: 'run/notify', INVOCATION_ID: 'abc123' });
    await expect(t.channel.connect()).rejects.toThrow(/^NOTIFY_SOCKET is not usable: "run\/notify" is neither an absolute socket path/);
    expect(t.env.NOTIFY_SOCKET).toBeUndefined();
  });
});

describe('staying alive', () => {
  it('holds the process alive from connect as the service until STOPPED, as the Windows control thread does', async () => {
    const t = setUp();
    expect(t.keepAlive.held.size).toBe(0);
    await t.channel.connect();
    expect(t.keepAlive.held.size).toBe(1);
    t.channel.report(status('running'));
    t.channel.report(status('stop-pending'));
    expect(t.keepAlive.held.size).toBe(1);
    t.channel.report(status('stopped'));
    expect(t.keepAlive.held.size).toBe(0);
  });

  it('holds nothing when systemd did not start the process', async () => {
    const t = setUp({});
    expect(await t.channel.connect()).toBe('not-started-by-scm');
    expect(t.keepAlive.held.size).toBe(0);
  });
});

describe('status reports', () => {
  it('sends READY=1 on the first RUNNING, STOPPING=1 on STOP_PENDING, nothing for START_PENDING or STOPPED', async () => {
    const t = setUp();
    await t.channel.connect();
    t.channel.report(status('start-pending'));
    t.channel.report(status('start-pending'));
    expect(t.libc.sent).toEqual([]);
    t.channel.report(status('running'));
    t.channel.report(status('running')); // new accepted controls: reported again, nothing to tell systemd
    t.channel.report(status('stop-pending'));
    t.channel.report(status('stop-pending')); // a checkpoint
    t.channel.report(status('stopped'));
    t.channel.report(status('running')); // dropped after STOPPED
    expect(t.libc.sent).toEqual(['READY=1\nSTATUS=running', 'STOPPING=1\nSTATUS=stop pending']);
  });

  it('tells pause and continue as STATUS= only, and RUNNING after them as STATUS=running', async () => {
    const t = setUp();
    await t.channel.connect();
    for (const s of ['running', 'pause-pending', 'paused', 'paused', 'continue-pending', 'running'] as const) t.channel.report(status(s));
    expect(t.libc.sent).toEqual(['READY=1\nSTATUS=running', 'STATUS=pause pending', 'STATUS=paused', 'STATUS=continue pending', 'STATUS=running']);
  });

  it('extends systemd stop timeout to the stop timeout + 1 s when the stop is armed', async () => {
    const t = setUp();
    await t.channel.connect();
    t.channel.report(status('stop-pending'));
    t.channel.stopping(20_000, 'stop');
    expect(t.libc.sent).toEqual(['STOPPING=1\nSTATUS=stop pending', 'EXTEND_TIMEOUT_USEC=21000000']);
  });

  it('passes a notification that cannot be sent to onError, never throwing', async () => {
    const t = setUp();
    await t.channel.connect();
    t.libc.failSend = true;
    expect(() => t.channel.report(status('running'))).not.toThrow();
    expect(t.errors).toEqual(['could not notify systemd (/run/systemd/notify): sendto: ECONNREFUSED (errno 111)']);
  });

  it('has no off-thread deadline or writer: log writes run at once', async () => {
    const t = setUp();
    await t.channel.connect();
    let wrote = false;
    t.channel.exclusiveLogWrite(() => (wrote = true));
    t.channel.setStopTimeout(5_000);
    t.channel.logTo('/var/log/OrderSync/OrderSync.log');
    expect(wrote).toBe(true);
    expect(t.libc.sent).toEqual([]);
  });
});

describe('signals → controls', () => {
  it('maps SIGTERM to stop and SIGHUP to paramchange', () => {
    expect(SIGNAL_CONTROLS).toEqual({ SIGTERM: 'stop', SIGHUP: 'paramchange' });
  });

  it('queues signals that arrive before listen, then delivers them in order', async () => {
    const t = setUp();
    await t.channel.connect();
    t.emit('SIGHUP');
    t.emit('SIGTERM');
    const listener = recordingListener();
    t.channel.listen(listener);
    expect(listener.requests).toEqual(['paramchange', 'stop']);
    // The queued SIGTERM came before the app could listen for it: the stop work still delivers it.
    expect(t.channel.stopSignal?.()).toBeUndefined();
  });

  it('says a stop began with SIGTERM (already delivered to the app) only when the lifecycle took it', async () => {
    const t = setUp();
    await t.channel.connect();
    let accept = false;
    t.channel.listen(recordingListener(() => accept));
    t.emit('SIGTERM');
    expect(t.channel.stopSignal?.()).toBeUndefined();
    accept = true;
    t.emit('SIGTERM');
    expect(t.channel.stopSignal?.()).toBe('SIGTERM');
  });

  it('brackets a reload while running with RELOADING=1 (MONOTONIC_USEC) and READY=1', async () => {
    const t = setUp();
    await t.channel.connect();
    t.channel.report(status('running'));
    const listener = recordingListener();
    t.channel.listen(listener);
    t.libc.sent.length = 0;
    t.emit('SIGHUP');
    expect(listener.requests).toEqual(['paramchange']);
    expect(t.libc.sent).toEqual(['RELOADING=1\nMONOTONIC_USEC=4242\nSTATUS=reloading', 'READY=1\nSTATUS=running']);
    expect(t.errors).toEqual([]);
  });

  it('ends a reload the lifecycle refused with READY=1 too, and says so', async () => {
    const t = setUp();
    await t.channel.connect();
    t.channel.report(status('running'));
    t.channel.listen(recordingListener(() => false));
    t.libc.sent.length = 0;
    t.emit('SIGHUP');
    expect(t.libc.sent).toEqual(['RELOADING=1\nMONOTONIC_USEC=4242\nSTATUS=reloading', 'READY=1\nSTATUS=running']);
    expect(t.errors).toEqual(['SIGHUP: the reload was not taken (the service is running)']);
  });

  it('sends no reload notifications for a SIGHUP while starting or stopping', async () => {
    const t = setUp();
    await t.channel.connect();
    t.channel.listen(recordingListener(() => false));
    t.channel.report(status('start-pending'));
    t.emit('SIGHUP');
    t.channel.report(status('stop-pending'));
    t.libc.sent.length = 0;
    t.emit('SIGHUP');
    expect(t.libc.sent).toEqual([]);
    expect(t.errors).toEqual(['SIGHUP: the reload was not taken (the service is start pending)', 'SIGHUP: the reload was not taken (the service is stop pending)']);
  });

  it('drives a real Lifecycle: SIGHUP reloads while running, SIGTERM stops it with STOPPING=1', async () => {
    const t = setUp();
    await t.channel.connect();
    const controls: DeliveredControl[] = [];
    const exits: number[] = [];
    const noTimers = { setTimeout: () => 0, clearTimeout() {}, setInterval: () => 0, clearInterval() {} };
    const lifecycle = new Lifecycle({
      report: (s) => t.channel.report(s),
      runStopHandlers: async () => {},
      log() {},
      exit: (code) => exits.push(code),
      clock: noTimers,
      runControl: async (c) => void controls.push(c),
      stopping: (ms, cause) => t.channel.stopping(ms, cause),
    }, { stopTimeoutMs: 3_000 });
    t.channel.listen(lifecycle);
    lifecycle.start();
    lifecycle.setControls({ pauseContinue: false, paramChange: true, rotate: false, custom: false, sessionChange: false, powerEvent: false });
    lifecycle.started();
    t.emit('SIGHUP');
    t.emit('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(controls).toEqual(['paramchange']);
    expect(exits).toEqual([0]);
    expect(lifecycle.current).toBe('stopped');
    expect(t.libc.sent).toEqual([
      'READY=1\nSTATUS=running',
      'RELOADING=1\nMONOTONIC_USEC=4242\nSTATUS=reloading',
      'READY=1\nSTATUS=running',
      'STOPPING=1\nSTATUS=stop pending',
      'EXTEND_TIMEOUT_USEC=4000000',
    ]);
    expect(t.channel.stopSignal?.()).toBe('SIGTERM');
  });
});

describe('watchdog heartbeat', () => {
  it('sends WATCHDOG=1 every half of WATCHDOG_USEC from connect until STOPPED', async () => {
    const t = setUp({ ...NOTIFY_ENV, WATCHDOG_USEC: '3000000', WATCHDOG_PID: String(process.pid) });
    await t.channel.connect();
    expect([...t.clock.intervals.values()].map((i) => i.ms)).toEqual([1500]);
    t.clock.tick();
    t.clock.tick();
    expect(t.libc.sent).toEqual(['WATCHDOG=1', 'WATCHDOG=1']);
    t.channel.report(status('stopped'));
    expect(t.clock.intervals.size).toBe(0);
  });

  it('sends none when the watchdog is meant for another process', async () => {
    const t = setUp({ ...NOTIFY_ENV, WATCHDOG_USEC: '3000000', WATCHDOG_PID: String(process.pid + 1) });
    await t.channel.connect();
    expect(t.clock.intervals.size).toBe(0);
  });
});

describe('notifications reach a real socket', () => {
  it('sends READY=1 and STOPPING=1 as datagrams to NOTIFY_SOCKET', async () => {
    const libc = testLibc();
    const receiver = bindReceiver(libc, `@svcpack-test-${randomBytes(6).toString('hex')}`);
    try {
      const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: receiver.address };
      const signals = new EventEmitter();
      const channel: ServiceChannel = systemdPlatform({ koffiSha256: '' }, { env, libc, signals, clock: manualClock(), keepAlive: heldHandles() }).serviceChannel('OrderSync', (m) => {
        throw new Error(m);
      });
      expect(await channel.connect()).toBe('service');
      channel.report(status('running'));
      channel.report(status('stop-pending'));
      expect(receiver.drain()).toEqual(['READY=1\nSTATUS=running', 'STOPPING=1\nSTATUS=stop pending']);
    } finally {
      receiver.close();
    }
  });
});

describe('stored settings', () => {
  it('reads each SVCPACK_<KEY> that is set, by key, and nothing else', () => {
    expect(
      storedSettingsFromEnvironment({ SVCPACK_LOG_LEVEL: 'debug', SVCPACK_STOP_TIMEOUT: '45s', SVCPACK_ALERT_URL: '', SVCPACK_NO_SUCH_KEY: 'x', LOG_LEVEL: 'warn' }),
    ).toEqual({ logLevel: 'debug', stopTimeout: '45s', alertUrl: '' });
    expect(storedSettingsFromEnvironment({})).toEqual({});
  });

  it('are read from the environment, and say where the drop-in is', () => {
    const { platform } = setUp({ SVCPACK_STOP_TIMEOUT: '1m' });
    const store = platform.storedSettings('OrderSync');
    expect(store.where).toBe('/etc/systemd/system/OrderSync.service.d/svcpack.conf');
    expect(store.where).toBe(dropInPath('OrderSync'));
    expect(store.read()).toEqual({ stopTimeout: '1m' });
    expect(store.workingDir()).toBeNull();
    expect(store.workingDirWhere).toBe('/etc/systemd/system/OrderSync.service, WorkingDirectory=');
  });

  it('started by systemd (INVOCATION_ID), the stored working folder is the one systemd entered (WorkingDirectory=)', () => {
    const platform = systemdPlatform({ koffiSha256: '' }, { env: { INVOCATION_ID: 'abc' }, libc: recordingLibc(), cwd: () => '/srv/order-sync' });
    expect(platform.storedSettings('OrderSync').workingDir()).toBe('/srv/order-sync');
    const outside = systemdPlatform({ koffiSha256: '' }, { env: {}, libc: recordingLibc(), cwd: () => '/home/me' });
    expect(outside.storedSettings('OrderSync').workingDir()).toBeNull();
  });
});

describe('the default log folder', () => {
  it("is LOGS_DIRECTORY when it is this service's (LogsDirectory=), else /var/log/<name>", () => {
    const platform = (env: NodeJS.ProcessEnv) => systemdPlatform({ koffiSha256: '' }, { env, libc: recordingLibc() });
    expect(platform({ LOGS_DIRECTORY: '/var/log/private/OrderSync' }).logsDir?.('OrderSync')).toBe('/var/log/private/OrderSync');
    expect(platform({ LOGS_DIRECTORY: '/var/log/Other' }).logsDir?.('OrderSync')).toBe('/var/log/OrderSync');
    expect(platform({}).logsDir?.('OrderSync')).toBe('/var/log/OrderSync');
  });
});

describe('the rest of the platform', () => {
  it('puts the data folder in STATE_DIRECTORY when it is this service’s, else /var/lib/<name>', () => {
    expect(systemdDataDir('OrderSync', {})).toBe('/var/lib/OrderSync');
    expect(systemdDataDir('OrderSync', { STATE_DIRECTORY: '/var/lib/OrderSync' })).toBe('/var/lib/OrderSync');
    expect(systemdDataDir('OrderSync', { STATE_DIRECTORY: '/srv/a:/srv/state/OrderSync' })).toBe('/srv/state/OrderSync');
    expect(systemdDataDir('OrderSync', { STATE_DIRECTORY: '/var/lib/other' })).toBe('/var/lib/OrderSync');
    const { platform } = setUp({ STATE_DIRECTORY: '/var/lib/OrderSync' });
    expect(platform.dataDir('OrderSync', 'system')).toBe('/var/lib/OrderSync');
    expect(platform.dataDir('OrderSync', 'environment')).toBe('/var/lib/OrderSync');
  });

  it('logs to the journal at info and above until closed', () => {
    const written: string[] = [];
    const writer = { writeSync: (_fd: number, data: Uint8Array, offset: number, length: number) => (written.push(Buffer.from(data.subarray(offset, offset + length)).toString()), length), sleep() {} };
    const log = journalSystemLog(new JournalSink({ minLevel: 'info', writer }));
    log.write('debug', 'lifecycle', 'not this');
    log.write('warn', 'app', 'disk almost full');
    log.close();
    log.close();
    log.write('error', 'lifecycle', 'after close');
    expect(written).toEqual(['<4>[app] disk almost full\n']);
  });

  it('ends a job’s processes with SIGKILL, by process group when one leads it', () => {
    const kills: [number, string][] = [];
    const job = signalProcessJob((pid, signal) => {
      kills.push([pid, signal]);
      if (pid === -200) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
    });
    job.add(100);
    job.add(200);
    job.terminate(1);
    expect(kills).toEqual([[-100, 'SIGKILL'], [-200, 'SIGKILL'], [200, 'SIGKILL']]);
  });

  it('leaves containment to the unit’s cgroup, and ends this process with _exit', () => {
    const t = setUp();
    expect(() => t.platform.containThisProcess()).not.toThrow();
    expect(() => t.platform.terminateSelf()(3)).toThrow('ended');
    expect(t.libc.exits).toEqual([3]);
  });

  it('says the management side and scheduled tasks are not on Linux yet', () => {
    const { platform } = setUp();
    for (const call of [() => platform.serviceManager(), () => platform.taskScheduler(), () => platform.stopEvents(), () => platform.taskChannel('OrderSync')]) {
      expect(call).toThrow(NotOnLinuxYet);
      expect(call).toThrow(/is not available on Linux yet/);
    }
  });
});
