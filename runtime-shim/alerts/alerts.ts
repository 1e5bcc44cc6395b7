/**
 * The service's alerts: each goes to the log by the caller (an error or warning record, which the
 * Event Log sink reports) and, when `alertUrl` is set, to the webhook through a WebhookQueue —
 * POST, JSON body (alert.ts), `requestTimeoutMs` per attempt, retries with backoff. The URL is read
 * from the settings when an alert is raised (a reload reaches the next one) and only ever logged
 * through `redactUrl`. `alert` returns at once and never throws.
 */
import os from 'node:os';
import type { Clock } from '../lifecycle/lifecycle';
import { redactUrl } from '../settings/operation-settings';
import { alertBody, type AlertBody, type AlertDetails, type AlertEvent } from './alert';
import { DEFAULT_WEBHOOK_QUEUE, WebhookQueue, type WebhookQueueOptions } from './webhook-queue';

export interface Alerts {
  alert(event: AlertEvent, message: string, details?: AlertDetails): void;
  /** Waits until every queued alert was delivered or given up, or `maxMs` passed. */
  flush(maxMs: number): Promise<void>;
  /** Alerts waiting or in flight. */
  readonly pending: number;
}

export interface AlertsOptions {
  service: string;
  /** The webhook in effect now; null: none. */
  url(): string | null;
  warn(message: string): void;
  clock: Clock;
  fetch?: typeof fetch;
  /** Per attempt, ms (default 10 s). */
  requestTimeoutMs?: number;
  queue?: WebhookQueueOptions;
  now?: () => Date;
}

/** One POST of `body` to `url`; rejects unless the receiver answered 2xx. Error texts never hold the URL. */
export async function postAlert(url: string, body: AlertBody, fetchFn: typeof fetch, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new Error(String(why).split(url).join(redactUrl(url)));
  }
  await res.body?.cancel();
  if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
}

/**
 * Ends the process with `code`; a failing one (code ≠ 0) first lets the alerts still queued go out,
 * for up to `maxMs`. A ref'ed timer holds the process for that wait: the queue's timers (a
 * retry's backoff) are unref'ed so that they never keep a service running, and once STOPPED is
 * reported nothing else holds the event loop, so Node would otherwise end the process in the
 * middle of a backoff and lose every alert still queued. (A supervised service whose app failed
 * again while the first crash alert waited for its retry delivered none of its crash, restart and
 * give-up alerts.)
 */
export function exitAfterAlerts(alerts: Pick<Alerts, 'pending' | 'flush'> | undefined, code: number, maxMs: number, exit: (code: number) => void = (c) => process.exit(c)): void {
  if (code === 0 || !alerts || alerts.pending === 0) {
    exit(code);
    return;
  }
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(hold);
    exit(code);
  };
  const hold = setTimeout(finish, maxMs);
  void alerts.flush(maxMs).then(finish);
}

export function createAlerts(opts: AlertsOptions): Alerts {
  const origin = { service: opts.service, host: os.hostname(), pid: process.pid };
  const fetchFn = opts.fetch ?? fetch;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const urls = new WeakMap<AlertBody, string>();
  const queue = new WebhookQueue(
    {
      send: (body) => postAlert(urls.get(body) ?? '', body, fetchFn, timeoutMs),
      clock: opts.clock,
      failed: (body, why) => opts.warn(`could not deliver the ${body.event} alert to ${redactUrl(urls.get(body) ?? '')} (${why})`),
    },
    opts.queue ?? DEFAULT_WEBHOOK_QUEUE,
  );
  return {
    alert(event, message, details) {
      try {
        const url = opts.url();
        if (url === null) return;
        const body = alertBody(origin, event, message, opts.now?.() ?? new Date(), details);
        urls.set(body, url);
        queue.push(body);
      } catch {
        // an alert never disturbs the service
      }
    },
    flush(maxMs) {
      return new Promise((resolve) => {
        const timer = opts.clock.setTimeout(resolve, maxMs);
        void queue.idle().then(() => {
          opts.clock.clearTimeout(timer);
          resolve();
        });
      });
    },
    get pending() {
      return queue.pending;
    },
  };
}
