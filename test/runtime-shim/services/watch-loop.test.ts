import { describe, expect, test } from 'vitest';
import { Win32Error, type ServiceStatusInfo } from '../../../runtime-shim/platform/manager-api';
import type { ServiceNotification } from '../../../runtime-shim/platform/windows/win32-data';
import { runWatchLoop, type WatchLoopOptions, type WatchScm } from '../../../runtime-shim/services/watch-loop';
import type { WatchThreadMessage } from '../../../runtime-shim/services/watch-protocol';

const RUNNING = 4;
const STOPPED = 1;
const status = (state: number, pid = state === RUNNING ? 7 : 0): ServiceStatusInfo => ({
  state,
  controlsAccepted: 0,
  win32ExitCode: 0,
  serviceExitCode: 0,
  checkPoint: 0,
  waitHint: 0,
  pid,
});

interface Handle {
  name: string;
  armed: boolean;
  /** False: the next registration is notified at once (a new handle, or a change since the last notification). */
  notified: boolean;
}

/**
 * One watch thread's view of an SCM, on a simulated wall clock that only `wait` advances.
 * `windows`: the SCM reports a deletion (SERVICE_NOTIFY_DELETE_PENDING to a registration,
 * ERROR_SERVICE_MARKED_FOR_DELETE to a new one); otherwise (Wine) it says nothing. As both do,
 * a deleted service is removed when its last handle is closed; `others` counts handles held
 * outside this watch.
 */
class FakeScm implements WatchScm {
  clock: number;
  readonly services = new Map<string, { status: ServiceStatusInfo; marked: boolean; others: number }>();
  readonly handles = new Set<Handle>();
  readonly calls: string[] = [];
  private delivered: ServiceNotification | null = null;
  private readonly timeline: { at: number; run: () => void }[] = [];

  constructor(
    readonly windows: boolean,
    start = 1_000_000,
  ) {
    this.clock = start;
  }

  add(name: string, s = status(RUNNING)): this {
    this.services.set(name, { status: s, marked: false, others: 0 });
    return this;
  }

  /** Runs `run` when the clock reaches `at` (during a wait). */
  at(at: number, run: () => void): this {
    this.timeline.push({ at, run });
    this.timeline.sort((a, b) => a.at - b.at);
    return this;
  }

  /** The service changes state: every registration of it is notified; a handle without one is at its next. */
  setStatus(name: string, s: ServiceStatusInfo): void {
    this.services.get(name)!.status = s;
    for (const h of this.handles) {
      if (h.name !== name) continue;
      if (h.armed) this.deliver(h, 0, 1 << (s.state - 1));
      else h.notified = false;
    }
  }

  /** DeleteService. */
  markForDeletion(name: string): void {
    this.services.get(name)!.marked = true;
    if (this.windows) for (const h of this.handles) if (h.name === name && h.armed) this.deliver(h, 0, 0x200);
    this.removeIfUnused(name);
  }

  private deliver(h: Handle, notificationStatus: number, triggered: number): void {
    h.armed = false;
    h.notified = true;
    this.delivered = { notificationStatus, triggered, status: { ...this.services.get(h.name)!.status } };
  }

  private removeIfUnused(name: string): void {
    const s = this.services.get(name);
    if (s?.marked && s.others === 0 && ![...this.handles].some((h) => h.name === name)) this.services.delete(name);
  }

  open(name: string): Handle {
    this.calls.push(`open@${this.clock}`);
    if (!this.services.has(name)) throw new Win32Error('OpenServiceW', 1060);
    const h = { name, armed: false, notified: false };
    this.handles.add(h);
    return h;
  }

  close(service: object): void {
    const h = service as Handle;
    this.calls.push(`close@${this.clock}`);
    this.handles.delete(h);
    this.removeIfUnused(h.name);
  }

  query(service: object): ServiceStatusInfo {
    return { ...this.services.get((service as Handle).name)!.status };
  }

  arm(service: object): void {
    const h = service as Handle;
    const s = this.services.get(h.name)!;
    if (s.marked && this.windows) throw new Win32Error('NotifyServiceStatusChangeW', 1072);
    if (h.armed) throw new Win32Error('NotifyServiceStatusChangeW', 1242);
    h.armed = true;
    if (!h.notified) this.deliver(h, 0, 1 << (s.status.state - 1));
  }

  wait(ms: number): void {
    const until = this.clock + ms;
    while (this.timeline.length > 0 && this.timeline[0]!.at <= until) {
      const next = this.timeline.shift()!;
      this.clock = Math.max(this.clock, next.at);
      next.run();
    }
    this.clock = until;
  }

  take(): ServiceNotification | null {
    const n = this.delivered;
    this.delivered = null;
    return n;
  }

  now(): number {
    return this.clock;
  }
}

const WINE_RECHECK = { everyMs: 1_000, gapMs: 50 };

function watch(scm: FakeScm, opts: Partial<WatchLoopOptions> & { stopAt?: number } = {}): WatchThreadMessage[] {
  const posted: WatchThreadMessage[] = [];
  const stopAt = opts.stopAt ?? Infinity;
  runWatchLoop(scm, { name: 'Web', waitMs: 200, recheck: null, stopRequested: () => scm.now() >= stopAt, ...opts }, (m) => {
    // By the time the app hears of a deletion, the watch holds no handle that keeps the service.
    if (m.type === 'deleted') expect(scm.handles.size).toBe(0);
    posted.push(m);
  });
  return posted;
}

const states = (posted: WatchThreadMessage[]) => posted.map((m) => (m.type === 'status' ? m.status.state : m.type));

describe('runWatchLoop', () => {
  test('posts the status at the start and at each change until stopped, then closes its handle', () => {
    const scm = new FakeScm(true).add('Web');
    const t0 = scm.clock;
    scm.at(t0 + 300, () => scm.setStatus('Web', status(3, 7))).at(t0 + 350, () => scm.setStatus('Web', status(STOPPED)));
    const posted = watch(scm, { stopAt: t0 + 1_000 });
    // The first registration reports the current status again: the client drops repeats.
    expect(states(posted)).toEqual([RUNNING, RUNNING, 3, STOPPED]);
    expect(scm.handles.size).toBe(0);
    expect(scm.calls.filter((c) => c.startsWith('open'))).toHaveLength(1);
  });

  test('a service that does not exist fails with Win32 error 1060, posting nothing', () => {
    const scm = new FakeScm(true);
    let posted: WatchThreadMessage[] = [];
    expect(() => (posted = watch(scm))).toThrow(expect.objectContaining({ fn: 'OpenServiceW', code: 1060 }));
    expect(posted).toEqual([]);
  });

  test('Windows: SERVICE_NOTIFY_DELETE_PENDING ends the watch with `deleted` and lets go of the handle, so the service is removed', () => {
    const scm = new FakeScm(true).add('Web', status(STOPPED));
    scm.at(scm.clock + 500, () => scm.markForDeletion('Web'));
    const posted = watch(scm);
    expect(states(posted)).toEqual([STOPPED, STOPPED, 'deleted']);
    expect(scm.handles.size).toBe(0);
    expect(scm.services.has('Web')).toBe(false);
  });

  test('Windows: a registration refused with ERROR_SERVICE_MARKED_FOR_DELETE ends the watch with `deleted`', () => {
    const scm = new FakeScm(true).add('Web');
    // Marked between a notification and the next registration.
    scm.at(scm.clock + 300, () => {
      scm.setStatus('Web', status(3, 7));
      scm.services.get('Web')!.marked = true;
    });
    const posted = watch(scm);
    expect(states(posted)).toEqual([RUNNING, RUNNING, 3, 'deleted']);
    expect(scm.handles.size).toBe(0);
    expect(scm.services.has('Web')).toBe(false);
  });

  test('Wine: without a notification, the watch reopens the service each second and reports it deleted once it is gone', () => {
    const scm = new FakeScm(false, 1_000_234).add('Web', status(STOPPED));
    scm.at(1_001_400, () => scm.markForDeletion('Web'));
    const posted = watch(scm, { recheck: WINE_RECHECK });
    expect(posted.at(-1)).toEqual({ type: 'deleted' });
    // Let go at the next whole second on the wall clock, reopened after the gap; marked at
    // …1400, it is gone at the next let-go (…2000), so the reopen at …2050 fails.
    expect(scm.calls).toEqual(['open@1000234', 'close@1001000', 'open@1001050', 'close@1002000', 'open@1002050']);
    expect(scm.services.has('Web')).toBe(false);
    expect(scm.handles.size).toBe(0);
  });

  test('Wine: a service another program still holds stays watched until it is gone', () => {
    const scm = new FakeScm(false, 1_000_000).add('Web', status(STOPPED));
    scm.at(1_000_100, () => {
      scm.services.get('Web')!.others = 1;
      scm.markForDeletion('Web');
    });
    scm.at(1_002_500, () => {
      scm.services.get('Web')!.others = 0;
    });
    const posted = watch(scm, { recheck: WINE_RECHECK });
    expect(posted.at(-1)).toEqual({ type: 'deleted' });
    expect(scm.calls.at(-1)).toBe('open@1003050');
  });

  test('Wine: a service that stays installed is watched on; a change while the handle is let go is reported by the query after reopening', () => {
    const scm = new FakeScm(false, 1_000_000).add('Web');
    // During the gap of the let-go at …1000.
    scm.at(1_001_020, () => scm.setStatus('Web', status(STOPPED)));
    scm.at(1_001_500, () => scm.setStatus('Web', status(2)));
    const posted = watch(scm, { recheck: WINE_RECHECK, stopAt: 1_002_600 });
    expect(states(posted)).not.toContain('deleted');
    expect([...new Set(states(posted))]).toEqual([RUNNING, STOPPED, 2]);
    expect(scm.calls.filter((c) => c.startsWith('close'))).toEqual(['close@1001000', 'close@1002000', 'close@1002650']);
    expect(scm.handles.size).toBe(0);
  });

  test('Wine: a stop requested during the gap ends the watch without reopening', () => {
    const scm = new FakeScm(false, 1_000_900).add('Web');
    const posted = watch(scm, { recheck: WINE_RECHECK, stopAt: 1_001_020 });
    expect(states(posted)).not.toContain('deleted');
    expect(scm.calls).toEqual(['open@1000900', 'close@1001000']);
  });

  test('a notification read for a handle since closed leaves the new registration outstanding: not an error', () => {
    const scm = new FakeScm(false, 1_000_000).add('Web');
    const arm = scm.arm.bind(scm);
    let armed = 0;
    // The reopened handle's registration is reported as already there, as Wine does when a
    // stale delivery was read in place of the new one.
    scm.arm = (service) => {
      if (++armed === 3) throw new Win32Error('NotifyServiceStatusChangeW', 1242);
      arm(service);
    };
    const posted = watch(scm, { recheck: WINE_RECHECK, stopAt: 1_001_500 });
    expect(posted.every((m) => m.type === 'status')).toBe(true);
  });

  test('a notification carrying an error fails the watch with it; the handle is closed', () => {
    const scm = new FakeScm(true).add('Web');
    scm.at(scm.clock + 100, () => {
      (scm as unknown as { delivered: ServiceNotification }).delivered = { notificationStatus: 1053, triggered: 0, status: status(RUNNING) };
    });
    expect(() => watch(scm)).toThrow(expect.objectContaining({ fn: 'NotifyServiceStatusChangeW', code: 1053 }));
    expect(scm.handles.size).toBe(0);
  });
});
