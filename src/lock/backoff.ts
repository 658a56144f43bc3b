export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Fraction of each delay that is randomised, so waiters do not poll in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5000, jitter: 0.5 };

/** Exponential backoff, capped, with jitter: delay for the attempt numbered from 0. */
export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(attempt, 30));
  return base * (1 - p.jitter) + base * p.jitter * random();
}

/** Sleeps, waking early (and resolving false) if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
