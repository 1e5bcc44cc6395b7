import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createAlerts, exitAfterAlerts, postAlert } from '../../../runtime-shim/alerts/alerts';
import { alertBody } from '../../../runtime-shim/alerts/alert';
import { FakeClock, flush } from '../../support/fake-clock';
import { tempProjects } from '../../support/temp-project';

const alertsModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../runtime-shim/alerts/alerts.ts');
const project = tempProjects('svcpack-alerts-');

const URL_WITH_SECRET = 'https://hooks.example.com/alerts?token=s3cret';

describe('postAlert', () => {
  it('POSTs the body as JSON and accepts a 2xx answer', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('ok', { status: 202 });
    }) as unknown as typeof fetch;
    const body = alertBody({ service: 'S', host: 'H', pid: 9 }, 'restart', 'restarting', new Date('2026-12-02T10:00:00Z'), { attempt: 2, exitCode: 1 });
    await postAlert(URL_WITH_SECRET, body, fakeFetch, 1_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(URL_WITH_SECRET);
    expect(calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ service: 'S', event: 'restart', message: 'restarting', time: '2026-12-02T10:00:00.000Z', host: 'H', pid: 9, attempt: 2, exitCode: 1 });
  });

  it('rejects on a non-2xx answer, and its error never holds the URL', async () => {
    const answer500 = (async () => new Response('no', { status: 500 })) as unknown as typeof fetch;
    await expect(postAlert(URL_WITH_SECRET, alertBody({ service: 'S', host: 'H', pid: 1 }, 'crash', 'm', new Date()), answer500, 1_000)).rejects.toThrow('HTTP 500');
    const leaky = (async (url: string) => {
      throw new TypeError(`fetch failed for ${url}`);
    }) as unknown as typeof fetch;
    const err = await postAlert(URL_WITH_SECRET, alertBody({ service: 'S', host: 'H', pid: 1 }, 'crash', 'm', new Date()), leaky, 1_000).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('s3cret');
  });
});

describe('createAlerts', () => {
  it('does nothing without a URL; with one, a failed delivery is one warning with the redacted URL', async () => {
    const clock = new FakeClock();
    const warnings: string[] = [];
    let url: string | null = null;
    let calls = 0;
    const failing = (async () => {
      calls++;
      return new Response('', { status: 503 });
    }) as unknown as typeof fetch;
    const alerts = createAlerts({ service: 'S', url: () => url, warn: (m) => warnings.push(m), clock, fetch: failing, queue: { retryDelaysMs: [1_000, 5_000], capacity: 10 } });
    alerts.alert('crash', 'boom');
    expect(alerts.pending).toBe(0);
    url = URL_WITH_SECRET;
    alerts.alert('give-up', 'giving up', { exitCode: 4 });
    for (let i = 0; i < 10; i++) {
      await flush();
      clock.advance(1_000);
      await flush();
    }
    expect(calls).toBe(3);
    expect(warnings).toEqual(['could not deliver the give-up alert to https://hooks.example.com/alerts?*** (3 attempts, the last: HTTP 503)']);
    expect(warnings.join('\n')).not.toContain('s3cret');
  });

  it('flush waits for the deliveries, at most maxMs', async () => {
    const clock = new FakeClock();
    const never = (() => new Promise<Response>(() => {})) as unknown as typeof fetch;
    const alerts = createAlerts({ service: 'S', url: () => URL_WITH_SECRET, warn: () => {}, clock, fetch: never });
    alerts.alert('crash', 'boom');
    let flushed = false;
    void alerts.flush(3_000).then(() => (flushed = true));
    clock.advance(2_900);
    await flush();
    expect(flushed).toBe(false);
    clock.advance(100);
    await flush();
    expect(flushed).toBe(true);
  });
});

describe('exitAfterAlerts', () => {
  it('exits at once with code 0, or when nothing is queued', () => {
    const codes: number[] = [];
    const queued = { pending: 1, flush: () => new Promise<void>(() => {}) };
    exitAfterAlerts(queued, 0, 3_000, (c) => codes.push(c));
    exitAfterAlerts({ pending: 0, flush: () => new Promise<void>(() => {}) }, 4, 3_000, (c) => codes.push(c));
    exitAfterAlerts(undefined, 4, 3_000, (c) => codes.push(c));
    expect(codes).toEqual([0, 4, 4]);
  });

  it('in a real process holding nothing else, a retry after a failed attempt still goes out before the exit', async () => {
    // Like a service that reported STOPPED: no handle keeps the event loop alive, the queue's
    // timers are unref'ed as in the exe, and the first attempt fails so the alert waits in a backoff.
    const dir = project({
      'child.ts': `
        import { createAlerts, exitAfterAlerts } from ${JSON.stringify(alertsModule)};
        const clock = {
          setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref(),
          clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
          setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref(),
          clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout),
        };
        const alerts = createAlerts({ service: 'S', url: () => process.argv[2]!, warn: (m) => console.error(m), clock, queue: { retryDelaysMs: [300], capacity: 10 } });
        alerts.alert('give-up', 'giving up', { exitCode: 4 });
        exitAfterAlerts(alerts, 4, 5_000);
      `,
    });
    const script = path.join(dir, 'child.cjs');
    await build({ entryPoints: [path.join(dir, 'child.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: script, logLevel: 'silent' });
    const answers: number[] = [];
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = answers.length === 0 ? 500 : 200;
        answers.push(res.statusCode);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
      const t0 = performance.now();
      const code = await new Promise<number | null>((resolve) => execFile(process.execPath, [script, url], { timeout: 20_000 }, (err) => resolve(err ? (err.code as number) : 0)));
      expect(answers).toEqual([500, 200]);
      expect(code).toBe(4);
      expect(performance.now() - t0).toBeLessThan(5_000); // it exited once delivered, not at the bound
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
