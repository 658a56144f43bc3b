import pRetry from 'p-retry';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffPolicy } from './backoff.js';
import { isHeld } from './rules.js';
import { StoreError, type Claim, type HistoryEvent, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from './types.js';

/** Who holds a lock, as reported to someone who wanted it. */
export interface Holder {
  name: string;
  lockId: string;
  user: string;
  meta: string;
  uberlock: boolean;
  since: number;
  expiresAt: number;
  fence: number;
}

/** A lock this process (or job) holds. */
export interface HeldLock extends Holder {}

export interface AcquireRequest {
  name: string;
  lockId: string;
  user: string;
  meta: string;
  uberlock?: boolean;
  leaseMs: number;
  /** How long to keep trying; 0 means one attempt. */
  waitMs: number;
  force?: { reason: string };
  /** Called after every attempt that found the lock held by someone else. */
  onBusy?: (busy: BusyReport) => void;
  signal?: AbortSignal;
}

/** A progress report while waiting: who holds the lock (if anyone), and our place in the queue. */
export interface BusyReport {
  holder?: Holder;
  attempt: number;
  waitedMs: number;
  nextAttemptInMs: number;
  /** 1 = next in line. Absent for waits outside the queue (uberlock). */
  position?: number;
}

export type AcquireResult =
  | {
      acquired: true;
      lock: HeldLock;
      waitedMs: number;
      attempts: number;
      tookOverFrom?: Holder;
      /** The holder this acquisition replaced (its lease had lapsed, or it was forced out). */
      replaced?: { lockId: string; user: string; expiresAt: number };
    }
  | { acquired: false; reason: 'busy' | 'cancelled'; holder?: Holder; waitedMs: number; attempts: number };

export type RenewResult = { renewed: true; lock: HeldLock } | { renewed: false; holder?: Holder };

export type ReleaseResult =
  | { outcome: 'released'; released: Holder | undefined }
  | { outcome: 'not-held' }
  | { outcome: 'held-by-other'; holder: Holder };

export interface LockClientOptions {
  clock?: () => number;
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
}

export interface QueuePolicy {
  /** A queue entry not refreshed for this long counts as a dead waiter. */
  ttlMs: number;
  refreshMs: number;
  /** The head polls between minPollMs and headPollMs apart (see pollBase); a waiter at position p, p times that, up to maxPollMs. */
  headPollMs: number;
  minPollMs: number;
  maxPollMs: number;
  missingGraceMs: number;
}

export const DEFAULT_QUEUE: QueuePolicy = { ttlMs: 24_000, refreshMs: 8_000, headPollMs: 1_500, minPollMs: 150, maxPollMs: 6_000, missingGraceMs: 3_000 };
export const DEFAULT_HISTORY_MS = 30 * 86_400_000;

export const DEFAULT_SKEW_MS = 5_000;

export function toHolder(item: LockItem & { owner: string }): Holder {
  return {
    name: item.name,
    lockId: item.owner,
    user: item.user ?? 'unknown',
    meta: item.meta ?? '',
    uberlock: item.uberlock === true,
    since: item.acquiredAt ?? 0,
    expiresAt: item.expiresAt ?? 0,
    fence: item.fence,
  };
}

/**
 * The lock protocol: acquire (waiting with capped exponential backoff and jitter),
 * renew, release and reads over any LockStore. No printing, no CI specifics:
 * callers learn about progress through callbacks and results.
 */
export class LockClient {
  private readonly clock: () => number;
  private readonly skewMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly retries: number;
  private readonly retryMinMs: number;
  private readonly queue: QueuePolicy;
  private readonly historyMs: number;

  constructor(
    readonly store: LockStore,
    opts: LockClientOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.skewMs = opts.skewMs ?? DEFAULT_SKEW_MS;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.retries = opts.transientRetries ?? 4;
    this.retryMinMs = opts.transientMinDelayMs ?? 200;
    this.queue = { ...DEFAULT_QUEUE, ...opts.queue };
    this.historyMs = opts.historyMs ?? DEFAULT_HISTORY_MS;
  }

  /**
   * Settles an ambiguous write by repeating it: every write here is idempotent
   * for its own caller (acquire accepts `owner = me`, release records `lastOwner`).
   */
  private write<T = WriteOutcome>(op: () => Promise<T>): Promise<T> {
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

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const start = this.clock();
    const result = await this.acquireInner(req, start);
    if (result.acquired) await this.recordAcquired(req, result);
    return result;
  }

  private claim(req: AcquireRequest, extra: Partial<Claim> = {}): Claim {
    return { lockId: req.lockId, user: req.user, meta: req.meta, uberlock: req.uberlock === true, leaseMs: req.leaseMs, ...extra };
  }

  /** One acquire write, settling ambiguity by repeating it; on failure gives back a write that may have landed. */
  private async tryAcquire(req: AcquireRequest, claim: Claim): Promise<WriteOutcome> {
    try {
      return await this.write(() => this.store.acquire(req.name, claim, this.clock(), this.skewMs));
    } catch (err) {
      await this.bestEffortRelease(req.name, req.lockId);
      throw err;
    }
  }

  private acquired(item: LockItem, start: number, attempts: number, extra: { tookOverFrom?: Holder; position?: number } = {}): AcquireResult {
    const r: AcquireResult = { acquired: true, lock: toHolder(item as LockItem & { owner: string }), waitedMs: this.clock() - start, attempts };
    if (extra.tookOverFrom) r.tookOverFrom = extra.tookOverFrom;
    if (item.prevOwner && item.prevOwner !== 'none' && item.prevOwner !== item.owner) {
      r.replaced = { lockId: item.prevOwner, user: item.prevUser ?? 'unknown', expiresAt: item.prevExpiresAt ?? 0 };
    }
    return r;
  }

  private async acquireInner(req: AcquireRequest, start: number): Promise<AcquireResult> {
    if (req.signal?.aborted) return this.cancelled(req, 0, undefined, start);
    if (req.force) return this.acquireByForce(req, start);
    // The fast path: one conditional write that succeeds when the lock is free and nobody is queued.
    const first = await this.tryAcquire(req, this.claim(req));
    if (first.ok) return this.acquired(first.item, start, 1);
    const holder = heldBy(first.current);
    const now = this.clock();
    if (now >= start + req.waitMs) {
      if (holder) req.onBusy?.({ holder, attempt: 1, waitedMs: now - start, nextAttemptInMs: 0 });
      return holder ? { acquired: false, reason: 'busy', holder, waitedMs: now - start, attempts: 1 } : { acquired: false, reason: 'busy', waitedMs: now - start, attempts: 1 };
    }
    // An uberlock goes ahead of queued waiters: it polls the lock itself, taking no ticket.
    if (req.uberlock) return this.acquireByPolling(req, start, holder);
    return this.acquireInQueue(req, start);
  }

  private async acquireByForce(req: AcquireRequest, start: number): Promise<AcquireResult> {
    let seen = heldBy(await this.store.get(req.name));
    for (let attempt = 1; attempt <= 5; attempt++) {
      const outcome = await this.tryAcquire(req, this.claim(req, { force: { seenOwner: seen?.lockId, reason: (req.force as { reason: string }).reason } }));
      if (outcome.ok) return this.acquired(outcome.item, start, attempt, seen && seen.lockId !== req.lockId ? { tookOverFrom: seen } : {});
      seen = heldBy(outcome.current);
    }
    throw new StoreError('other', `could not force env ${req.name}: its holder kept changing`, false);
  }

  /**
   * Waiting without a ticket (uberlocks): announce the pending freeze, so queued
   * normal waiters hold back, and poll with capped exponential backoff and jitter.
   */
  private async acquireByPolling(req: AcquireRequest, start: number, holder: Holder | undefined): Promise<AcquireResult> {
    const deadline = start + req.waitMs;
    let attempt = 1;
    let lastHolder = holder;
    let announcedUntil = 0;
    const announce = async () => {
      if (announcedUntil - this.clock() > this.queue.ttlMs / 2) return;
      announcedUntil = this.clock() + this.queue.ttlMs;
      await this.store.markUberPending(req.name, announcedUntil, this.clock()).catch(() => undefined);
    };
    const withdraw = async () => {
      await this.store.markUberPending(req.name, 0, this.clock()).catch(() => undefined);
    };
    for (;;) {
      await announce();
      const now = this.clock();
      // A freeze in waiting keeps normal waiters back, so it polls briskly.
      let delay = Math.min(backoffDelay(attempt - 1, this.backoff, this.random), 5 * this.queue.minPollMs);
      if (lastHolder) {
        const lapse = lastHolder.expiresAt + this.skewMs + 20 - now;
        if (lapse > 0 && lapse < delay) delay = lapse;
        req.onBusy?.({ holder: lastHolder, attempt, waitedMs: now - start, nextAttemptInMs: Math.max(0, Math.min(delay, deadline - now)) });
      }
      if (!(await sleep(Math.max(0, Math.min(delay, deadline - now)), req.signal))) {
        await withdraw();
        return this.cancelled(req, attempt, lastHolder, start);
      }
      const outcome = await this.tryAcquire(req, this.claim(req));
      attempt++;
      if (outcome.ok) return this.acquired(outcome.item, start, attempt);
      lastHolder = heldBy(outcome.current) ?? lastHolder;
      if (this.clock() >= deadline) {
        await withdraw();
        const r: AcquireResult = { acquired: false, reason: 'busy', waitedMs: this.clock() - start, attempts: attempt };
        if (lastHolder) r.holder = lastHolder;
        return r;
      }
    }
  }

  /**
   * FIFO waiting: take a ticket, keep a queue entry alive, and take the lock when we
   * are the head of the queue and the lock is free. Waiters far back poll slowly, the
   * head polls fast. A dead or cancelled head is skipped by a conditional advance of
   * nowServing. Mutual exclusion still rests only on the acquire condition.
   */
  private async acquireInQueue(req: AcquireRequest, start: number): Promise<AcquireResult> {
    const deadline = start + req.waitMs;
    let { ticket } = await this.store.takeTicket(req.name, this.clock());
    const entry = (): QueueEntry => ({
      name: req.name,
      ticket,
      lockId: req.lockId,
      user: req.user,
      meta: req.meta,
      enqueuedAt: start,
      expiresAt: this.clock() + this.queue.ttlMs,
    });
    await this.store.putQueueEntry(entry());
    let refreshedAt = this.clock();
    let attempts = 1;
    let lastHolder: Holder | undefined;
    let servingSeen = -1;
    let servingSince = this.clock();
    const missingSince = new Map<number, number>();

    const giveUp = async (reason: 'busy' | 'cancelled'): Promise<AcquireResult> => {
      // Leave no trace: mark our entry cancelled, and step aside at once if we are the head.
      await this.store.putQueueEntry({ ...entry(), cancelled: true, expiresAt: this.clock() }).catch(() => undefined);
      await this.store.skipTicket(req.name, ticket - 1, this.clock()).catch(() => false);
      const r: AcquireResult = { acquired: false, reason, waitedMs: this.clock() - start, attempts };
      if (lastHolder) r.holder = lastHolder;
      return r;
    };

    for (;;) {
      if (req.signal?.aborted) return giveUp('cancelled');
      // Reads are idempotent too: the same retry rules settle a transient failure.
      const item = await this.write(() => this.store.get(req.name));
      const now = this.clock();
      const serving = item?.nowServing ?? 0;
      if (serving !== servingSeen) {
        servingSeen = serving;
        servingSince = now;
      }
      lastHolder = isHeld(item, now, this.skewMs) ? toHolder(item) : undefined;
      let delay: number;
      if (serving >= ticket) {
        // We were skipped (our entry looked dead): rejoin at the back.
        ({ ticket } = await this.store.takeTicket(req.name, now));
        await this.store.putQueueEntry(entry());
        refreshedAt = now;
        continue;
      }
      const position = ticket - serving;
      if (position === 1) {
        if (!lastHolder) {
          const outcome = await this.tryAcquire(req, this.claim(req, { ticket }));
          attempts++;
          if (outcome.ok) return this.acquired(outcome.item, start, attempts);
          // Taken meanwhile, or free but an uberlock is about to freeze it: wait like any head.
          lastHolder = heldBy(outcome.current);
        }
        delay = this.pollBase(lastHolder, now);
        const lapse = lastHolder ? lastHolder.expiresAt + this.skewMs + 20 - now : 0;
        if (lapse > 0 && lapse < delay) delay = lapse;
      } else {
        // Further back, poll proportionally less: each place ahead is one more handoff away.
        delay = Math.min(this.queue.maxPollMs, this.pollBase(lastHolder, now) * position);
        // Only a free lock can be stuck behind a dead head; check the head then, or when the line has not moved for long.
        if (!lastHolder && (position === 2 || now - servingSince > this.queue.ttlMs + this.skewMs)) {
          const head = serving + 1;
          const e = await this.store.getQueueEntry(req.name, head);
          let dead = e?.cancelled === true || (e !== undefined && e.expiresAt < now - this.skewMs);
          if (!e) {
            const since = missingSince.get(head) ?? now;
            missingSince.set(head, since);
            // A ticket is written to the queue right after it is issued; give the issuer a moment.
            dead = now - since > this.queue.missingGraceMs;
          }
          if (dead) {
            await this.store.skipTicket(req.name, serving, now);
            continue;
          }
        }
      }
      const waitedMs = now - start;
      if (now >= deadline) {
        if (lastHolder) req.onBusy?.({ holder: lastHolder, attempt: attempts, waitedMs, nextAttemptInMs: 0, position });
        return giveUp('busy');
      }
      delay = Math.max(0, Math.min(delay * (0.8 + 0.4 * this.random()), deadline - now));
      req.onBusy?.({ ...(lastHolder ? { holder: lastHolder } : {}), attempt: attempts, waitedMs, nextAttemptInMs: delay, position } as BusyReport);
      if (now - refreshedAt >= this.queue.refreshMs) {
        await this.store.putQueueEntry(entry()).catch(() => undefined);
        refreshedAt = now;
      }
      if (!(await sleep(delay, req.signal))) return giveUp('cancelled');
    }
  }

  /**
   * The longer the holder has held, the longer it is likely to keep holding (deploys run
   * for minutes): poll at a fifth of the time held so far, within bounds. Short holds
   * hand over in a couple of hundred milliseconds; long ones cost about 40 reads a minute.
   */
  private pollBase(holder: Holder | undefined, now: number): number {
    return holder ? clamp((now - holder.since) / 5, this.queue.minPollMs, this.queue.headPollMs) : this.queue.minPollMs * 2;
  }

  private async recordAcquired(req: AcquireRequest, r: Extract<AcquireResult, { acquired: true }>): Promise<void> {
    const base = { name: req.name, lockId: req.lockId, user: req.user, fence: r.lock.fence };
    if (r.tookOverFrom) {
      await this.history({ ...base, kind: 'forced', by: req.user, from: r.tookOverFrom.user, reason: req.force?.reason ?? '', meta: req.meta });
    } else if (r.replaced) {
      // We replaced a holder whose lease had lapsed: that holder's job died or hung.
      await this.history({ name: req.name, kind: 'expired', user: r.replaced.user, lockId: r.replaced.lockId, at: r.replaced.expiresAt });
    }
    await this.history({ ...base, kind: 'acquired', meta: req.meta, uberlock: req.uberlock === true, waitedMs: r.waitedMs });
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
    if (opts.force) {
      // Break-glass: release whoever holds it now, conditioned on that holder.
      const seen = await this.store.get(name);
      if (!isHeldAtAll(seen)) return { outcome: 'not-held' };
      target = { lockId: seen.owner };
      forcedFrom = toHolder(seen);
    }
    const outcome = await this.write(() => this.store.release(name, target, this.clock()));
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
      return { outcome: 'released', released };
    }
    const cur = outcome.current;
    if (!isHeldAtAll(cur)) {
      // A retried release whose first try landed finds our own token in lastOwner.
      if ('lockId' in target && cur?.lastOwner === target.lockId) return { outcome: 'released', released: undefined };
      return { outcome: 'not-held' };
    }
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

  async waiters(name: string): Promise<QueueEntry[]> {
    const item = await this.store.get(name);
    const served = item?.nowServing ?? 0;
    const now = this.clock();
    return (await this.store.listQueue(name)).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - this.skewMs);
  }

  async historyOf(name?: string): Promise<HistoryEvent[]> {
    return this.store.listHistory(name);
  }

  /** The current holder, or undefined when free (an expired lease counts as free). */
  async holder(name: string): Promise<Holder | undefined> {
    const item = await this.store.get(name);
    return isHeld(item, this.clock()) ? toHolder(item) : undefined;
  }

  async item(name: string): Promise<LockItem | undefined> {
    return this.store.get(name);
  }

  async list(): Promise<LockItem[]> {
    return (await this.store.list()).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Waits until the lock is free (without taking it). Returns the last holder seen if it never freed. */
  async waitUntilFree(
    name: string,
    waitMs: number,
    onBusy?: (holder: Holder, waitedMs: number) => void,
    signal?: AbortSignal,
  ): Promise<{ free: boolean; holder?: Holder; waitedMs: number }> {
    const start = this.clock();
    for (let attempt = 0; ; attempt++) {
      const h = await this.holder(name);
      const now = this.clock();
      if (!h) return { free: true, waitedMs: now - start };
      onBusy?.(h, now - start);
      if (now >= start + waitMs) return { free: false, holder: h, waitedMs: now - start };
      const delay = Math.min(backoffDelay(attempt, this.backoff, this.random), start + waitMs - now);
      if (!(await sleep(delay, signal))) return { free: false, holder: h, waitedMs: this.clock() - start };
    }
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

function heldBy(item: LockItem | undefined): Holder | undefined {
  return isHeldAtAll(item) ? toHolder(item) : undefined;
}

function isHeldAtAll(item: LockItem | undefined): item is LockItem & { owner: string } {
  return item?.owner !== undefined;
}
