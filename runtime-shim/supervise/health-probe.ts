/**
 * The HTTP health probe of supervised mode: GET `url`; healthy when it answers 2xx within
 * `timeoutMs`. Never rejects: a network error or timeout is simply unhealthy.
 */
export function httpProbe(url: string, timeoutMs: number): () => Promise<boolean> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  };
}
