/**
 * Delivers alerts to the webhook without ever holding the service up: `push` returns at once; one
 * delivery is in flight at a time; a failed attempt is retried after each of `retryDelaysMs`
 * (then the alert is dropped, and one warning says so); at most `capacity` alerts wait — a new one
 * pushes out the oldest, and the drops are counted and reported with the next warning. Every timer
 * comes from `clock` (unref'ed in the exe). Pure: the sender, the clock and the log are given.
 */
import type { Clock } from '../lifecycle/lifecycle';
import type { AlertBody } from './alert';

export interface WebhookQueueDeps {
  /** One attempt: resolves when the receiver accepted the alert (2xx), rejects otherwise. */
  send(body: AlertBody): Promise<void>;
  clock: Clock;
  /** `body` could not be delivered, for good; `why` says after how many attempts and why. */
  failed(body: AlertBody, why: string): void;
}

export interface WebhookQueueOptions {
  /** Delays before the 2nd, 3rd… attempt, ms. */
  retryDelaysMs: readonly number[];
  /** How many alerts may wait for delivery. */
  capacity: number;
}

export const DEFAULT_WEBHOOK_QUEUE: WebhookQueueOptions = { retryDelaysMs: [1_000, 5_000, 15_000], capacity: 50 };

export class WebhookQueue {
  private readonly waiting: AlertBody[] = [];
  private busy = false;
  private dropped = 0;
  /** Settles waiters of `idle()`. */
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: WebhookQueueDeps,
    private readonly opts: WebhookQueueOptions = DEFAULT_WEBHOOK_QUEUE,
  ) {}

  /** Queues `body` for delivery; returns at once. */
  push(body: AlertBody): void {
    if (this.waiting.length >= this.opts.capacity) {
      this.waiting.shift();
      this.dropped++;
    }
    this.waiting.push(body);
    if (!this.busy) this.next();
  }

  /** Alerts dropped because the queue was full, since the start. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Alerts waiting or in flight. */
  get pending(): number {
    return this.waiting.length + (this.busy ? 1 : 0);
  }

  /** Resolves when nothing waits or is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): void {
    const body = this.waiting.shift();
    if (!body) {
      this.busy = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
      return;
    }
    this.busy = true;
    this.attempt(body, 0);
  }

  private attempt(body: AlertBody, retries: number): void {
    let sent: Promise<void>;
    try {
      sent = this.deps.send(body);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => this.next(),
      (err: unknown) => {
        const delay = this.opts.retryDelaysMs[retries];
        if (delay !== undefined) {
          this.deps.clock.setTimeout(() => this.attempt(body, retries + 1), delay);
          return;
        }
        const dropped = this.dropped > 0 ? `; ${this.dropped} alert(s) dropped so far because the queue was full` : '';
        this.deps.failed(body, `${retries + 1} attempts, the last: ${err instanceof Error ? err.message : String(err)}${dropped}`);
        this.next();
      },
    );
  }
}
