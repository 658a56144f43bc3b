import type { NotifyConfig } from '../config/notify.js';
import { lapseId, toHolder, type LockObserver } from '../lock/client.js';
import { formatDuration } from '../lock/durations.js';
import { lockState } from '../lock/rules.js';
import type { LockItem, LockStore } from '../lock/types.js';
import type { Notice } from './messages.js';
import { targetsOf, type Target } from './send.js';

/**
 * Sends notices to the configured targets, each at most once across every process:
 * before sending, the notice is claimed in the store with one conditional write
 * (LockStore.claimNotice, keyed by the event's id, which every process that learns of
 * the same event computes alike); only the process whose claim lands sends it. A claim
 * that cannot be made in time means the notice is not sent (never twice beats always).
 *
 * Nothing here blocks or fails a lock operation: `observe` only starts the work; each
 * claim and each POST is bounded by the timeout; any failure is one warning line. A
 * surface calls `settle()` before it exits (and before closing the store), which waits at
 * most about one timeout for what is still in flight.
 */
export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly targets: Target[];

  constructor(
    private readonly config: NotifyConfig,
    private readonly store: LockStore,
    private readonly warn: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.targets = targetsOf(config);
  }

  /** For LockClientOptions.observer: events as they happen, and what readers see. */
  readonly observer: LockObserver = {
    event: (e) => this.notify(e),
    seen: (items, now, skewMs) => this.inspect(items, now, skewMs),
  };

  notify(n: Notice): void {
    const p: Promise<void> = this.deliver(n)
      .catch((err: unknown) => this.warn(`notification of ${n.kind} on env ${n.name} not sent: ${why(err, this.config.timeoutMs)}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * What a reader sees is news too: a lease that ran out without a release (the same
   * notice as the takeover that follows it would send, so only one of them is sent), and
   * with DAPLAYA_NOTIFY_HELD_OVER a lock held longer than that. Freezes are left alone.
   */
  inspect(items: LockItem[], now: number, skewMs: number): void {
    for (const item of items) {
      if (item.owner === undefined || item.uberlock) continue;
      const state = lockState(item, now, skewMs);
      const h = toHolder(item as LockItem & { owner: string });
      if (state === 'expired') {
        this.notify({ kind: 'lapsed', id: lapseId(item.fence), name: item.name, at: now, fence: item.fence, holder: { user: h.user, lockId: h.lockId, expiresAt: h.expiresAt, meta: h.meta } });
      } else if (state === 'held' && this.config.heldOverMs !== undefined && h.since > 0 && now - h.since > this.config.heldOverMs) {
        this.notify({ kind: 'held-over', id: `held-over:${item.fence}`, name: item.name, at: now, holder: h, heldMs: now - h.since, thresholdMs: this.config.heldOverMs });
      }
    }
  }

  /** Waits for notices in flight (each bounded by the timeout). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(n: Notice): Promise<void> {
    if (this.targets.length === 0) return;
    const claimed = await withTimeout(this.store.claimNotice(n.name, n.id, this.clock() + this.config.keepMs), this.config.timeoutMs);
    if (!claimed) return; // Another process sent it (or is sending it).
    const results = await Promise.allSettled(this.targets.map((t) => t.deliver(n, AbortSignal.timeout(this.config.timeoutMs))));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.warn(`notification of ${n.kind} on env ${n.name} to ${(this.targets[i] as Target).name} failed: ${why(r.reason, this.config.timeoutMs)}`);
    });
  }
}

class Timeout extends Error {
  override name = 'TimeoutError';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout('the lock store did not record it in time')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function why(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return e instanceof Timeout ? e.message : `no answer within ${formatDuration(timeoutMs)}`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

/** The notifier for a surface, or undefined when no notification target is configured. */
export function openNotifier(config: NotifyConfig | undefined, store: LockStore, warn: (line: string) => void): Notifier | undefined {
  return config ? new Notifier(config, store, warn) : undefined;
}
