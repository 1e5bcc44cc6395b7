/**
 * Small HTTP helpers over (injectable) fetch: whole-body downloads with an idle timeout and
 * byte-count callbacks, and one-line reasons for failures.
 */

/** A non-2xx answer. `status` lets callers tell "does not exist" (404) from outages. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`HTTP ${status}`);
  }
}

export interface GetOptions {
  fetchImpl: typeof fetch;
  headers?: Record<string, string>;
  /** Called as bytes arrive (`final` on the last call); totalBytes from Content-Length. */
  onBytes?: (receivedBytes: number, totalBytes: number | undefined, final: boolean) => void;
  /** Abort when no response / no new bytes arrive for this long. Default 30 s. */
  idleTimeoutMs?: number;
  /** Cancels the request from outside. */
  signal?: AbortSignal;
}

/** GETs `url` and returns the whole body. Rejects with HttpStatusError on non-2xx. */
export async function getBuffer(url: string, opts: GetOptions): Promise<Buffer> {
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(new Error(`no data for ${Math.round(idleMs / 1000)} s`)), idleMs);
  };
  arm();
  const cancel = (): void => ctl.abort(opts.signal?.reason);
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const res = await opts.fetchImpl(url, { headers: opts.headers, signal: ctl.signal, redirect: 'follow' });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new HttpStatusError(url, res.status);
    }
    const lenHeader = res.headers.get('content-length');
    const total = lenHeader && /^\d+$/.test(lenHeader) ? Number(lenHeader) : undefined;
    const parts: Uint8Array[] = [];
    let received = 0;
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        parts.push(chunk);
        received += chunk.byteLength;
        opts.onBytes?.(received, total, false);
      }
    }
    opts.onBytes?.(received, total, true);
    if (total !== undefined && received !== total) throw new Error(`connection closed after ${received} of ${total} bytes`);
    return Buffer.concat(parts, received);
  } catch (err) {
    if (ctl.signal.aborted && !(err instanceof HttpStatusError)) throw ctl.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', cancel);
  }
}

/** GETs `url` as UTF-8 text. */
export async function getText(url: string, opts: GetOptions): Promise<string> {
  return (await getBuffer(url, opts)).toString('utf8');
}

/** One-line reason for a failed request, e.g. `HTTP 404`, `connect ECONNREFUSED 127.0.0.1:9`. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    // undici reports "fetch failed" and puts the useful part in `cause`
    if (err.message === 'fetch failed' && cause instanceof Error) {
      const inner = (cause as { cause?: unknown }).cause; // AggregateError / nested causes
      return oneLine(cause.message || (inner instanceof Error ? inner.message : '') || (cause as { code?: string }).code || 'fetch failed');
    }
    return oneLine(err.message || err.name);
  }
  return oneLine(String(err));
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
