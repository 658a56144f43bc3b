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
    // Node's timers are 32-bit: a longer delay would fire at once. Sleep at most ~24 days.
    const timer = setTimeout(() => done(true), Math.min(2_147_483_647, Math.max(0, ms)));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC on Linux): not moved by
 * NTP steps or a wrong wall clock, and the same clock for every process on the machine,
 * so a renewer can continue a lease timed by the process that took the lock.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}
