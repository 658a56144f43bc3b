import { sleep } from './backoff.js';
import type { Holder, LockClient } from './client.js';

export interface HeartbeatOptions {
  leaseMs: number;
  /** How often to renew; a third of the lease leaves two chances before it lapses. */
  intervalMs?: number;
  /** Stop renewing after this long even if nobody said stop (a forgotten renewer must not hold a lock forever). */
  maxLifetimeMs: number;
  signal?: AbortSignal;
  onRenewed?: (name: string, expiresAt: number) => void;
  onError?: (err: unknown) => void;
}

export type HeartbeatEnd =
  | { reason: 'stopped' }
  | { reason: 'lifetime' }
  | { reason: 'lost'; name: string; holder?: Holder };

/**
 * Keeps short leases alive for locks held by a job. A failed renew means the lock
 * was taken over (or lapsed and was taken): that ends the heartbeat with the new holder.
 * Transient store errors are retried until the next interval.
 */
export async function runHeartbeat(
  client: LockClient,
  locks: { name: string; lockId: string; fence: number }[],
  opts: HeartbeatOptions,
  clock: () => number = Date.now,
): Promise<HeartbeatEnd> {
  const interval = opts.intervalMs ?? Math.max(200, Math.floor(opts.leaseMs / 3));
  const end = clock() + opts.maxLifetimeMs;
  for (;;) {
    if (!(await sleep(Math.min(interval, Math.max(0, end - clock())), opts.signal))) return { reason: 'stopped' };
    if (clock() >= end) return { reason: 'lifetime' };
    for (const lock of locks) {
      try {
        const r = await client.renew(lock, opts.leaseMs);
        if (!r.renewed) return r.holder ? { reason: 'lost', name: lock.name, holder: r.holder } : { reason: 'lost', name: lock.name };
        opts.onRenewed?.(lock.name, r.lock.expiresAt);
      } catch (err) {
        if (opts.signal?.aborted) return { reason: 'stopped' };
        opts.onError?.(err);
      }
    }
  }
}
