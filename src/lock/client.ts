import pRetry from 'p-retry';
import { acquireLock, DEFAULT_QUEUE, toHolder, type AcquireRequest, type AcquireResult, type Holder, type QueuePolicy } from './acquire.js';
import { backoffDelay, DEFAULT_BACKOFF, monotonicMs, sleep, type BackoffPolicy } from './backoff.js';
import { lapseId, type LockEvent, type LockObserver } from './events.js';
import { LeaseWatch } from './lease-watch.js';
import { lockState } from './rules.js';
import { NEVER, StoreError, type HistoryEvent, type HistoryPage, type HistoryQuery, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from './types.js';

export { lapseId, type LockEvent, type LockObserver } from './events.js';
export { DEFAULT_QUEUE, heldBy, toHolder, type AcquireRequest, type AcquireResult, type BusyReport, type Holder, type QueuePolicy, type QueuedAhead } from './acquire.js';

export type RenewResult = { renewed: true; lock: Holder } | { renewed: false; holder?: Holder };

export type ReleaseResult =
  | { outcome: 'released'; released: Holder | undefined }
  | { outcome: 'not-held' }
  | { outcome: 'held-by-other'; holder: Holder };

export interface LockClientOptions {
  clock?: () => number;
  /** Monotonic clock for judging leases (tests move it by hand). */
  monotonic?: () => number;
  /** Allowance for clock skew between runners when judging another holder's lease expired. */
  skewMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Retries of one write after a transient or ambiguous failure. */
  transientRetries?: number;
  transientMinDelayMs?: number;
  queue?: Partial<QueuePolicy>;
  /** How long history events are kept; 0 turns history off. */
  historyMs?: number;
  /** Told of forced takeovers and releases, freezes set and lifted, lapsed leases, waiters that gave up, and what reads saw (events.ts). Must not throw or block. */
  observer?: LockObserver;
}

export const DEFAULT_HISTORY_MS = 30 * 86_400_000;

export const DEFAULT_SKEW_MS = 5_000;

/**
 * The lock protocol: acquire (waiting with capped exponential backoff and jitter),
 * renew, release and reads over any LockStore. No printing, no CI specifics:
 * callers learn about progress through callbacks and results.
 */
export class LockClient {
  readonly clock: () => number;
  readonly mono: () => number;
  readonly skewMs: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly queue: QueuePolicy;
  private readonly retries: number;
  private readonly retryMinMs: number;
  private readonly historyMs: number;
  private readonly observer: LockObserver | undefined;

  constructor(
    readonly store: LockStore,
    opts: LockClientOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.mono = opts.monotonic ?? monotonicMs;
    this.skewMs = opts.skewMs ?? DEFAULT_SKEW_MS;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.retries = opts.transientRetries ?? 4;
    this.retryMinMs = opts.transientMinDelayMs ?? 200;
    this.queue = { ...DEFAULT_QUEUE, ...opts.queue };
    this.historyMs = opts.historyMs ?? DEFAULT_HISTORY_MS;
    this.observer = opts.observer;
  }

  /** Tells the observer, if any; an observer's failure is never the lock's. */
  private tell(e: LockEvent): void {
    try {
      this.observer?.event(e);
    } catch {
      // Notifications are not the lock.
    }
  }

  /**
   * Settles an ambiguous write by repeating it: every write here is idempotent
   * for its own caller (acquire accepts `owner = me`, release records `lastOwner`).
   */
  write<T = WriteOutcome>(op: () => Promise<T>): Promise<T> {
    // No abort signal here on purpose: a cancelled wait still lets an in-flight write
    // settle, so a write that landed is known (and given back) rather than dropped.
    return pRetry(op, {
      retries: this.retries,
      minTimeout: this.retryMinMs,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => error instanceof StoreError && error.transient,
    });
  }

  private readonly watches = new Map<string, LeaseWatch>();

  leaseWatch(name: string): LeaseWatch {
    let w = this.watches.get(name);
    if (!w) this.watches.set(name, (w = new LeaseWatch()));
    return w;
  }

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const result = await acquireLock(this, req);
    if (result.acquired) await this.recordAcquired(req, result);
    else if (result.reason === 'busy') await this.recordGaveUp(req, result);
    return result;
  }

  private async recordAcquired(req: AcquireRequest, r: Extract<AcquireResult, { acquired: true }>): Promise<void> {
    const base = { name: req.name, lockId: req.lockId, user: req.user, fence: r.lock.fence };
    // The events are independent items: written side by side, one round trip, not two.
    const events: Promise<void>[] = [];
    if (r.tookOverFrom) {
      events.push(this.history({ ...base, kind: 'forced', by: req.user, from: r.tookOverFrom.user, reason: req.force?.reason ?? '', meta: req.meta }));
    } else if (r.replaced) {
      // We replaced a holder whose lease had lapsed: that holder's job died or hung.
      events.push(this.history({ name: req.name, kind: 'expired', user: r.replaced.user, lockId: r.replaced.lockId, at: r.replaced.expiresAt }));
    }
    events.push(this.history({ ...base, kind: 'acquired', meta: req.meta, ...(req.metaData ? { metaData: req.metaData } : {}), uberlock: req.uberlock === true, waitedMs: r.waitedMs }));
    await Promise.all(events);
    const at = this.clock();
    const fence = r.lock.fence;
    if (r.tookOverFrom) {
      this.tell({ kind: 'forced', id: `forced:${fence}`, name: req.name, at, by: req.user, from: r.tookOverFrom, reason: req.force?.reason ?? '', fence, uberlock: req.uberlock === true });
    } else if (r.replaced) {
      this.tell({ kind: 'lapsed', id: lapseId(fence - 1), name: req.name, at, holder: r.replaced, fence: fence - 1, replacedBy: req.user });
    }
    if (req.uberlock && !r.tookOverFrom) {
      const until = r.lock.expiresAt < NEVER ? { until: r.lock.expiresAt } : {};
      this.tell({ kind: 'uberlock-set', id: `uberlock-set:${fence}`, name: req.name, at, user: req.user, meta: req.meta, fence, ...until });
    }
  }

  /** A wait that ended with the lock still busy: a failure to acquire, for the history (and stats). */
  private async recordGaveUp(req: AcquireRequest, r: Extract<AcquireResult, { acquired: false }>): Promise<void> {
    await this.history({ name: req.name, kind: 'gave-up', user: req.user, lockId: req.lockId, meta: req.meta, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder.user } : {}) });
    // A single try (--wait 0, Slack) that finds the lock busy is an answer, not a waiter giving up.
    if (req.waitMs > 0) {
      this.tell({ kind: 'gave-up', id: `gave-up:${req.lockId}:${Math.random().toString(36).slice(2, 10)}`, name: req.name, at: this.clock(), user: req.user, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder } : {}) });
    }
  }

  /** Appends to the history; best-effort, never in the way of the lock itself. */
  async history(e: Omit<HistoryEvent, 'id' | 'keepUntil' | 'at'> & { at?: number }): Promise<void> {
    if (this.historyMs <= 0) return;
    const at = e.at ?? this.clock();
    try {
      await this.store.addHistory({ ...e, at, id: Math.random().toString(36).slice(2, 10), keepUntil: this.clock() + this.historyMs });
    } catch {
      // History is a record, not the lock.
    }
  }

  private async cancelled(req: AcquireRequest, attempts: number, holder: Holder | undefined, start: number): Promise<AcquireResult> {
    const r: AcquireResult = { acquired: false, reason: 'cancelled', waitedMs: this.clock() - start, attempts };
    if (holder) r.holder = holder;
    return r;
  }

  private async bestEffortRelease(name: string, lockId: string): Promise<void> {
    try {
      await this.store.release(name, { lockId }, this.clock());
    } catch {
      // The short lease frees it if even this fails.
    }
  }

  /** Extends the lease of a lock we hold. A failure means the lock was lost: the result says to whom. */
  async renew(lock: { name: string; lockId: string; fence: number }, leaseMs: number): Promise<RenewResult> {
    const outcome = await this.write(() => this.store.renew(lock.name, lock.lockId, lock.fence, this.clock() + leaseMs, this.clock()));
    if (outcome.ok) return { renewed: true, lock: toHolder(outcome.item as LockItem & { owner: string }) };
    const cur = outcome.current;
    return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
  }

  /**
   * Releases a lock held by `by` (a lock id, or any lock of a user). Idempotent.
   * With `force`, releases whoever holds it (conditioned on the holder just seen).
   */
  async release(name: string, by: ReleaseBy, opts: { outcome?: string; force?: { user: string; reason: string } } = {}): Promise<ReleaseResult> {
    let target = by;
    let forcedFrom: Holder | undefined;
    // Whether a freeze ends here is news for the observer only: read the holder first just for it.
    let before: Holder | undefined;
    if (opts.force) {
      // Break-glass: release whoever holds it now, conditioned on that holder.
      const seen = await this.store.get(name);
      if (!isHeldAtAll(seen)) return { outcome: 'not-held' };
      target = { lockId: seen.owner };
      forcedFrom = toHolder(seen);
    } else if (this.observer) {
      const seen = await this.store.get(name).catch(() => undefined);
      if (isHeldAtAll(seen)) before = toHolder(seen);
    }
    let tries = 0;
    const outcome = await this.write(() => {
      tries++;
      return this.store.release(name, target, this.clock());
    });
    if (outcome.ok) {
      // The item after release names who held it (last*): no read needed for the record.
      const it = outcome.item;
      const released: Holder | undefined =
        forcedFrom ??
        (it.lastOwner
          ? { name, lockId: it.lastOwner, user: it.lastUser ?? 'unknown', meta: '', uberlock: false, since: it.lastAcquiredAt ?? 0, expiresAt: 0, fence: it.fence }
          : undefined);
      const base = { name, user: released?.user ?? 'unknown', fence: it.fence, ...(released ? { lockId: released.lockId, heldMs: this.clock() - released.since } : {}) };
      if (opts.force) await this.history({ ...base, kind: 'force-released', by: opts.force.user, from: released?.user ?? '', reason: opts.force.reason });
      else await this.history({ ...base, kind: 'released', outcome: opts.outcome ?? 'unknown' });
      if (opts.force && forcedFrom) {
        this.tell({ kind: 'force-released', id: `force-released:${forcedFrom.fence}`, name, at: this.clock(), by: opts.force.user, from: forcedFrom, reason: opts.force.reason });
      } else if (before?.uberlock && before.lockId === it.lastOwner) {
        this.tell({ kind: 'uberlock-lifted', id: `uberlock-lifted:${before.fence}`, name, at: this.clock(), user: before.user, by: before.user, fence: before.fence });
      }
      return { outcome: 'released', released };
    }
    const cur = outcome.current;
    // A retried release whose first try landed finds our own token in lastOwner, even if
    // the next waiter has taken the lock since: this release freed it.
    if ('lockId' in target && cur?.lastOwner === target.lockId && (tries > 1 || !isHeldAtAll(cur))) return { outcome: 'released', released: undefined };
    if (!isHeldAtAll(cur)) return { outcome: 'not-held' };
    return { outcome: 'held-by-other', holder: toHolder(cur) };
  }

  /** Extends the lease of a held lock to `leaseMs` from now. */
  async extend(name: string, by: ReleaseBy, leaseMs: number): Promise<RenewResult> {
    const outcome = await this.write(() => this.store.extend(name, by, this.clock() + leaseMs, this.clock()));
    if (outcome.ok) {
      const lock = toHolder(outcome.item as LockItem & { owner: string });
      await this.history({ name, kind: 'extended', user: lock.user, lockId: lock.lockId, fence: lock.fence });
      return { renewed: true, lock };
    }
    const cur = outcome.current;
    return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
  }

  /** Live waiters in queue order; `known.item` is the lock item if it was just read (no second read). */
  async waiters(name: string, known?: { item: LockItem | undefined }): Promise<QueueEntry[]> {
    const item = known ? known.item : await this.store.get(name);
    const served = item?.nowServing ?? 0;
    const now = this.clock();
    return (await this.store.listQueue(name)).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - this.skewMs);
  }

  /**
   * The newest history events, newest first: one env's (a Query of its own items), or every
   * env's (no scan: the store reads day by day, back to `since`, by default as far back as
   * history is kept). At most `limit` (all when absent); `more` says older ones were left out.
   */
  async recentHistory(q: HistoryQuery = {}): Promise<HistoryPage> {
    const since = q.since ?? (q.name === undefined ? this.clock() - (this.historyMs > 0 ? this.historyMs : DEFAULT_HISTORY_MS) : undefined);
    return this.store.queryHistory({ ...q, ...(since !== undefined ? { since } : {}) });
  }

  /** Every kept event (of one env, or all), oldest first. */
  async historyOf(name?: string): Promise<HistoryEvent[]> {
    return (await this.recentHistory(name !== undefined ? { name } : {})).events.reverse();
  }

  /** The current holder, or undefined when free or expired (rules.lockState, with the skew allowance). */
  async holder(name: string): Promise<Holder | undefined> {
    const item = await this.write(() => this.store.get(name));
    const state = lockState(item, this.clock(), this.skewMs);
    return state === 'held' || state === 'frozen' ? toHolder(item as LockItem & { owner: string }) : undefined;
  }

  async item(name: string): Promise<LockItem | undefined> {
    const item = await this.store.get(name);
    if (item) this.saw([item]);
    return item;
  }

  async list(): Promise<LockItem[]> {
    const items = (await this.store.list()).sort((a, b) => a.name.localeCompare(b.name));
    this.saw(items);
    return items;
  }

  /** What a reader saw, for an observer that judges it (a lease lapsed without release, a lock held too long). */
  private saw(items: LockItem[]): void {
    try {
      this.observer?.seen?.(items, this.clock(), this.skewMs);
    } catch {
      // Notifications are not the lock.
    }
  }

  /**
   * Waits until the lock is free or expired (without taking it), judged by rules.lockState.
   * Returns the last holder seen if it never freed.
   */
  async waitUntilFree(
    name: string,
    waitMs: number,
    onBusy?: (holder: Holder, waitedMs: number) => void,
    signal?: AbortSignal,
  ): Promise<{ free: boolean; expired?: boolean; holder?: Holder; waitedMs: number }> {
    const start = this.clock();
    for (let attempt = 0; ; attempt++) {
      const item = await this.write(() => this.store.get(name));
      const now = this.clock();
      const state = lockState(item, now, this.skewMs);
      if (state === 'free' || state === 'expired') return { free: true, ...(state === 'expired' ? { expired: true } : {}), waitedMs: now - start };
      const h = toHolder(item as LockItem & { owner: string });
      onBusy?.(h, now - start);
      if (now >= start + waitMs) return { free: false, holder: h, waitedMs: now - start };
      const delay = Math.min(backoffDelay(attempt, this.backoff, this.random), start + waitMs - now);
      if (!(await sleep(delay, signal))) return { free: false, holder: h, waitedMs: this.clock() - start };
    }
  }
}

function isHeldAtAll(item: LockItem | undefined): item is LockItem & { owner: string } {
  return item?.owner !== undefined;
}
