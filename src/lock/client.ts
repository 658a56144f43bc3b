import pRetry from 'p-retry';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffPolicy } from './backoff.js';
import { isHeld } from './rules.js';
import { StoreError, type Claim, type LockItem, type LockStore, type ReleaseBy, type WriteOutcome } from './types.js';

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
  onBusy?: (busy: { holder: Holder; attempt: number; waitedMs: number; nextAttemptInMs: number }) => void;
  signal?: AbortSignal;
}

export type AcquireResult =
  | { acquired: true; lock: HeldLock; waitedMs: number; attempts: number; tookOverFrom?: Holder }
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
}

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
  }

  /**
   * Settles an ambiguous write by repeating it: every write here is idempotent
   * for its own caller (acquire accepts `owner = me`, release records `lastOwner`).
   */
  private write(op: () => Promise<WriteOutcome>, signal?: AbortSignal): Promise<WriteOutcome> {
    return pRetry(op, {
      retries: this.retries,
      minTimeout: this.retryMinMs,
      factor: 2,
      randomize: true,
      signal,
      shouldRetry: ({ error }) => error instanceof StoreError && error.transient,
    });
  }

  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const start = this.clock();
    const deadline = start + req.waitMs;
    let attempt = 0;
    let lastHolder: Holder | undefined;
    for (;;) {
      if (req.signal?.aborted) return this.cancelled(req, attempt, lastHolder, start);
      const claim: Claim = {
        lockId: req.lockId,
        user: req.user,
        meta: req.meta,
        uberlock: req.uberlock === true,
        leaseMs: req.leaseMs,
      };
      if (req.force) claim.force = { seenOwner: lastHolder?.lockId, reason: req.force.reason };
      let outcome: WriteOutcome;
      try {
        outcome = await this.write(() => this.store.acquire(req.name, claim, this.clock(), this.skewMs), req.signal);
      } catch (err) {
        // The last write may have landed without us hearing back: give it back.
        await this.bestEffortRelease(req.name, req.lockId);
        if (req.signal?.aborted) return this.cancelled(req, attempt, lastHolder, start);
        throw err;
      }
      attempt++;
      const now = this.clock();
      if (outcome.ok) {
        const lock = toHolder(outcome.item as LockItem & { owner: string });
        const result: AcquireResult = { acquired: true, lock, waitedMs: now - start, attempts: attempt };
        if (req.force && lastHolder && lastHolder.lockId !== req.lockId) result.tookOverFrom = lastHolder;
        return result;
      }
      const cur = outcome.current;
      if (req.force) {
        // Forcing is conditioned on the holder we saw; re-read who it is and try again.
        lastHolder = isHeldAtAll(cur) ? toHolder(cur) : undefined;
        if (attempt < 5) continue;
      }
      if (!isHeldAtAll(cur)) {
        // Freed between our write and the check (or the engine did not return the old item): retry soon.
        if (now >= deadline && attempt > 1) return { acquired: false, reason: 'busy', waitedMs: now - start, attempts: attempt };
        if (!(await sleep(Math.min(50 * attempt, 500), req.signal))) return this.cancelled(req, attempt, lastHolder, start);
        continue;
      }
      lastHolder = toHolder(cur);
      if (now >= deadline) {
        req.onBusy?.({ holder: lastHolder, attempt, waitedMs: now - start, nextAttemptInMs: 0 });
        return { acquired: false, reason: 'busy', holder: lastHolder, waitedMs: now - start, attempts: attempt };
      }
      let delay = backoffDelay(attempt - 1, this.backoff, this.random);
      // Wake when the holder's lease lapses if that is sooner, and never sleep past the deadline.
      const lapse = lastHolder.expiresAt + this.skewMs + 20 - now;
      if (lapse > 0 && lapse < delay) delay = lapse;
      delay = Math.max(0, Math.min(delay, deadline - now));
      req.onBusy?.({ holder: lastHolder, attempt, waitedMs: now - start, nextAttemptInMs: delay });
      if (!(await sleep(delay, req.signal))) return this.cancelled(req, attempt, lastHolder, start);
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
  async renew(lock: { name: string; lockId: string; fence: number }, leaseMs: number, signal?: AbortSignal): Promise<RenewResult> {
    const outcome = await this.write(
      () => this.store.renew(lock.name, lock.lockId, lock.fence, this.clock() + leaseMs, this.clock()),
      signal,
    );
    if (outcome.ok) return { renewed: true, lock: toHolder(outcome.item as LockItem & { owner: string }) };
    const cur = outcome.current;
    return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
  }

  /** Releases a lock held by `by` (a lock id, or any lock of a user). Idempotent. */
  async release(name: string, by: ReleaseBy): Promise<ReleaseResult> {
    let seen: LockItem | undefined;
    try {
      seen = await this.store.get(name);
    } catch {
      seen = undefined;
    }
    const outcome = await this.write(() => this.store.release(name, by, this.clock()));
    if (outcome.ok) return { outcome: 'released', released: isHeldAtAll(seen) ? toHolder(seen) : undefined };
    const cur = outcome.current;
    if (!isHeldAtAll(cur)) {
      // A retried release whose first try landed finds our own token in lastOwner.
      if ('lockId' in by && cur?.lastOwner === by.lockId) return { outcome: 'released', released: undefined };
      return { outcome: 'not-held' };
    }
    return { outcome: 'held-by-other', holder: toHolder(cur) };
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

  isExpired(item: LockItem): boolean {
    return item.owner !== undefined && !isHeld(item, this.clock());
  }
}

function isHeldAtAll(item: LockItem | undefined): item is LockItem & { owner: string } {
  return item?.owner !== undefined;
}
