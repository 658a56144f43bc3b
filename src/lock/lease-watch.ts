import { NEVER, type LockItem } from './types.js';

/**
 * When another holder's lease may be taken over, judged without trusting anyone's
 * wall clock. A lease is taken over only after this process has seen the lock item
 * unchanged (same owner, fence and expiry) for a full lease on its own monotonic
 * clock, as the AWS DynamoDB lock client does: if the holder had renewed, the item
 * would have changed. The holder, for its part, treats its lease as lost before a
 * full lease has passed since its last confirmed write (renewal.ts), so the two
 * never overlap in wall time, whatever their clocks say.
 *
 * One shortcut keeps a long-dead lock from needing a full lease of watching: a lease
 * whose wall-clock expiry is more than `LAPSED_LONG_AGO_MS` plus the skew allowance in
 * the past may be taken at once. That relies on clocks agreeing within that margin.
 */
export const LAPSED_LONG_AGO_MS = 10 * 60_000;

/**
 * The lease the holder last wrote. Items written before `leaseMs` was recorded fall back
 * to expiry minus acquisition (both from the holder's clock, so skew cancels), which is
 * never shorter than the real lease.
 */
export function leaseOf(item: LockItem): number {
  if (typeof item.leaseMs === 'number') return item.leaseMs;
  return Math.max(0, (item.expiresAt ?? 0) - (item.acquiredAt ?? item.expiresAt ?? 0));
}

function version(item: LockItem): string {
  return `${item.owner ?? ''}|${item.fence}|${item.expiresAt ?? ''}`;
}

export class LeaseWatch {
  private seen: string | undefined;
  private since = 0;

  /** Records a sighting of the item at monotonic time `mono`. */
  see(item: LockItem | undefined, mono: number): void {
    const v = item ? version(item) : undefined;
    if (v !== this.seen) {
      this.seen = v;
      this.since = mono;
    }
  }

  /**
   * Milliseconds until the held lease in `item` may be taken over (≤ 0: now).
   * `item` must have been passed to `see` first.
   */
  takeoverIn(item: LockItem & { owner: string }, mono: number, now: number, skewMs: number): number {
    if (typeof item.expiresAt !== 'number' || !Number.isFinite(item.expiresAt)) return Number.POSITIVE_INFINITY;
    // A freeze is a declared window, not a lease a running holder renews: it ends at its time.
    if (item.uberlock) return item.expiresAt >= NEVER ? Number.POSITIVE_INFINITY : item.expiresAt - now;
    const watched = this.seen === version(item) ? this.since + leaseOf(item) - mono : leaseOf(item);
    const byWallClock = item.expiresAt + skewMs + LAPSED_LONG_AGO_MS - now;
    return Math.min(watched, byWallClock);
  }
}
