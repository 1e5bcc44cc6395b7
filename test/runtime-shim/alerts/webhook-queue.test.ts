import { describe, expect, it } from 'vitest';
import { alertBody, type AlertBody } from '../../../runtime-shim/alerts/alert';
import { WebhookQueue } from '../../../runtime-shim/alerts/webhook-queue';
import { FakeClock, flush } from '../../support/fake-clock';

const body = (message: string): AlertBody => alertBody({ service: 'MySvc', host: 'h', pid: 1 }, 'crash', message, new Date(0));

/** A queue over a fake clock and a fake sender that fails the attempts `fail` says. */
function setup(fail: (b: AlertBody, attempt: number) => boolean, capacity = 50) {
  const clock = new FakeClock();
  const attempts: string[] = [];
  const failures: string[] = [];
  const counts = new Map<string, number>();
  const queue = new WebhookQueue(
    {
      send: async (b) => {
        const n = (counts.get(b.message) ?? 0) + 1;
        counts.set(b.message, n);
        attempts.push(`${b.message}#${n}@${clock.now}`);
        if (fail(b, n)) throw new Error('HTTP 500');
      },
      clock,
      failed: (b, why) => failures.push(`${b.message}: ${why}`),
    },
    { retryDelaysMs: [1_000, 5_000, 15_000], capacity },
  );
  return { clock, attempts, failures, queue };
}

describe('WebhookQueue', () => {
  it('delivers in order, one at a time, and push never waits', async () => {
    const t = setup(() => false);
    t.queue.push(body('a'));
    t.queue.push(body('b'));
    expect(t.attempts).toEqual(['a#1@0']);
    await flush();
    expect(t.attempts).toEqual(['a#1@0', 'b#1@0']);
    expect(t.queue.pending).toBe(0);
  });

  it('retries a failed attempt after 1 s, 5 s and 15 s, then gives up with one warning', async () => {
    const t = setup(() => true);
    t.queue.push(body('a'));
    await flush();
    for (let i = 0; i < 25; i++) {
      t.clock.advance(1_000);
      await flush();
    }
    expect(t.attempts).toEqual(['a#1@0', 'a#2@1000', 'a#3@6000', 'a#4@21000']);
    expect(t.failures).toEqual(['a: 4 attempts, the last: HTTP 500']);
    expect(t.queue.pending).toBe(0);
  });

  it('a receiver that fails the first attempt gets the retry, and the next alert follows', async () => {
    const t = setup((_b, n) => n === 1);
    t.queue.push(body('a'));
    t.queue.push(body('b'));
    await flush();
    t.clock.advance(1_000);
    await flush();
    expect(t.attempts).toEqual(['a#1@0', 'a#2@1000', 'b#1@1000']);
    await flush();
    t.clock.advance(1_000);
    await flush();
    expect(t.failures).toEqual([]);
  });

  it('a full queue drops the oldest waiting alert and counts it', async () => {
    const t = setup(() => true, 2);
    t.queue.push(body('a')); // in flight
    for (const m of ['b', 'c', 'd']) t.queue.push(body(m)); // b is pushed out
    expect(t.queue.droppedCount).toBe(1);
    for (let i = 0; i < 80; i++) {
      t.clock.advance(1_000);
      await flush();
    }
    expect(t.failures.map((f) => f.split(':')[0])).toEqual(['a', 'c', 'd']);
    expect(t.failures[0]).toMatch(/1 alert\(s\) dropped so far because the queue was full/);
  });

  it('idle() resolves once everything was delivered or given up', async () => {
    const t = setup(() => false);
    let idle = false;
    t.queue.push(body('a'));
    void t.queue.idle().then(() => (idle = true));
    await flush();
    await flush();
    expect(idle).toBe(true);
  });
});
