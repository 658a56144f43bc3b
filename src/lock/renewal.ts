import { monotonicMs, sleep } from './backoff.js';
import type { Holder, LockClient } from './client.js';

/** A lock a job holds, with the monotonic time its last confirmed write was sent. */
export interface RenewedLock {
  name: string;
  lockId: string;
  fence: number;
  /** `monotonicMs()` when the write that set the current lease was sent (acquire or renew). */
  confirmedAt: number;
}

export interface RenewalOptions {
  leaseMs: number;
  /** Stop renewing after this long even if nobody said stop (a forgotten renewer must not hold a lock forever). */
  maxLifetimeMs: number;
  signal?: AbortSignal;
  onRenewed?: (name: string, expiresAt: number) => void;
  onError?: (err: unknown) => void;
}

export type RenewalEnd =
  | { reason: 'stopped' }
  | { reason: 'lifetime' }
  /** The lock was taken over (or lapsed and was released): the write's condition failed. */
  | { reason: 'lost'; name: string; holder?: Holder }
  /** No renewal confirmed in time: the lease must be treated as gone before anyone else can be granted it. */
  | { reason: 'unconfirmed'; name: string; sinceMs: number };

/**
 * The timing of a renewed lease, all measured on this process's monotonic clock from
 * the moment the last confirmed write was sent (the lease cannot have started earlier):
 *
 *   renew every lease/3 (never more than once a second);
 *   at lease − 2·grace with no confirmation, the lease counts as lost (`run` sends SIGTERM);
 *   at lease − grace, `run` sends SIGKILL;
 *   nobody else can be granted the lock before lease has passed (a taker must see the
 *   lock item unchanged for a full lease on its own monotonic clock, see lease-watch.ts).
 *
 * So the holder's command is stopped at least `grace` before another holder can enter,
 * whatever the clocks of the two machines say.
 */
export function leaseTiming(leaseMs: number): { renewEveryMs: number; graceMs: number; lostAfterMs: number; killAfterMs: number } {
  const graceMs = Math.round(Math.min(10_000, Math.max(250, leaseMs / 6)));
  return { renewEveryMs: Math.max(1000, Math.floor(leaseMs / 3)), graceMs, lostAfterMs: leaseMs - 2 * graceMs, killAfterMs: leaseMs - graceMs };
}

/**
 * Keeps short leases alive for locks held by a job. A failed renew means the lock
 * was taken over (or lapsed and was taken): that ends the renewal with the new holder.
 * A renewal that cannot be confirmed (errors, or a request that never answers) is
 * retried quickly; if none is confirmed by the loss deadline the renewal ends as
 * `unconfirmed` even while a request is still in flight.
 */
export async function keepRenewed(client: LockClient, locks: RenewedLock[], opts: RenewalOptions, clock: () => number = monotonicMs): Promise<RenewalEnd> {
  const timing = leaseTiming(opts.leaseMs);
  const end = clock() + opts.maxLifetimeMs;
  const held = locks.map((l) => ({ ...l }));
  const lostAt = () => Math.min(...held.map((l) => l.confirmedAt)) + timing.lostAfterMs;
  let failures = 0;
  for (;;) {
    const oldest = Math.min(...held.map((l) => l.confirmedAt));
    const due = failures === 0 ? oldest + timing.renewEveryMs : clock() + Math.min(timing.renewEveryMs, 250 * 2 ** Math.min(failures - 1, 4));
    const wake = Math.min(due, end, lostAt());
    if (!(await sleep(Math.max(0, wake - clock()), opts.signal))) return { reason: 'stopped' };
    if (clock() >= end) return { reason: 'lifetime' };
    const overdue = held.find((l) => clock() >= l.confirmedAt + timing.lostAfterMs);
    if (overdue) return { reason: 'unconfirmed', name: overdue.name, sinceMs: clock() - overdue.confirmedAt };
    if (clock() < due) continue;
    let failed = false;
    for (const lock of held) {
      const sentAt = clock();
      const attempt = client.renew(lock, opts.leaseMs);
      // A request that hangs must not hold the renewal past the loss deadline.
      const deadline = new AbortController();
      const outcome = await Promise.race([
        attempt.then(
          (r) => ({ kind: 'done' as const, r }),
          (err: unknown) => ({ kind: 'error' as const, err }),
        ),
        sleep(Math.max(0, lock.confirmedAt + timing.lostAfterMs - clock()), deadline.signal).then(() => ({ kind: 'deadline' as const })),
      ]);
      deadline.abort();
      if (outcome.kind === 'deadline') {
        attempt.catch(() => undefined);
        return { reason: 'unconfirmed', name: lock.name, sinceMs: clock() - lock.confirmedAt };
      }
      if (outcome.kind === 'error') {
        if (opts.signal?.aborted) return { reason: 'stopped' };
        opts.onError?.(outcome.err);
        failed = true;
        continue;
      }
      const r = outcome.r;
      if (!r.renewed) return r.holder ? { reason: 'lost', name: lock.name, holder: r.holder } : { reason: 'lost', name: lock.name };
      lock.confirmedAt = sentAt;
      opts.onRenewed?.(lock.name, r.lock.expiresAt);
    }
    failures = failed ? failures + 1 : 0;
  }
}
