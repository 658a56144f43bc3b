import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import { LeaseWatch } from './lease-watch.js';
import { StoreError, type Claim, type LockItem, type LockStore, type MetaData, type QueueEntry, type WriteOutcome } from './types.js';

/**
 * Taking a lock, and everything that happens when it is busy: the fast path, taking
 * over a lapsed lease, the FIFO queue, an uberlock's wait, and force. A reader looking
 * for "what happens when the lock is busy" finds it here and nowhere else.
 */

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

export interface AcquireRequest {
  name: string;
  lockId: string;
  user: string;
  meta: string;
  /** Structured metadata (`--meta-json`), kept on the lock item and in the history. */
  metaData?: MetaData;
  uberlock?: boolean;
  /** With uberlock: the freeze lifts itself at this time (epoch ms). */
  freezeUntil?: number;
  /** A normal lock waits out a freeze only when asked; otherwise a freeze fails it at once. */
  waitOnFreeze?: boolean;
  leaseMs: number;
  /** How long to keep trying; 0 means one attempt (plus clearing dead queue tickets). */
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

/** Live waiters ahead of a caller that found the lock free but could not jump the queue. */
export interface QueuedAhead {
  count: number;
  first: { user: string; meta: string };
}

export type AcquireResult =
  | {
      acquired: true;
      lock: Holder;
      waitedMs: number;
      attempts: number;
      /** Monotonic time (backoff.monotonicMs) before the write that took the lock was first sent: the lease runs from no earlier. */
      confirmedAt: number;
      tookOverFrom?: Holder;
      /** The holder this acquisition replaced (its lease had lapsed, or it was forced out). */
      replaced?: { lockId: string; user: string; expiresAt: number };
    }
  | { acquired: false; reason: 'busy' | 'cancelled'; holder?: Holder; queuedAhead?: QueuedAhead; waitedMs: number; attempts: number };

export interface QueuePolicy {
  /** A queue entry not refreshed for this long counts as a dead waiter (entries further back than second place). */
  ttlMs: number;
  refreshMs: number;
  /** First and second place refresh this often and count as dead this much sooner, so a dead head stalls the line briefly. */
  nearHeadTtlMs: number;
  nearHeadRefreshMs: number;
  /** The head polls between minPollMs and headPollMs apart (see pollBase); a waiter at position p, p times that, up to maxPollMs. */
  headPollMs: number;
  minPollMs: number;
  maxPollMs: number;
  /** A ticket with no queue entry this long after it was issued was orphaned (its waiter died between the two writes). */
  missingGraceMs: number;
  /** How long an uberlock in waiting holds normal waiters back without renewing its announcement. */
  uberPendingMs: number;
}

export const DEFAULT_QUEUE: QueuePolicy = {
  ttlMs: 36_000,
  refreshMs: 12_000,
  nearHeadTtlMs: 7_500,
  nearHeadRefreshMs: 2_500,
  headPollMs: 1_500,
  minPollMs: 150,
  maxPollMs: 6_000,
  missingGraceMs: 3_000,
  uberPendingMs: 8_000,
};

/** What the busy path needs from the lock client. */
export interface AcquireContext {
  readonly store: LockStore;
  /** Wall clock (epoch ms): what is written into items. */
  readonly clock: () => number;
  /** Monotonic clock: what judges leases and entries as lapsed. */
  readonly mono: () => number;
  readonly skewMs: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly queue: QueuePolicy;
  /** Runs one store operation under the shared retry policy (ambiguous and throttled requests are repeated). */
  write<T>(op: () => Promise<T>): Promise<T>;
  /** What this process has seen of the env's lease, kept across attempts (a long-lived process remembers). */
  leaseWatch(name: string): LeaseWatch;
}

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

export function heldBy(item: LockItem | undefined): Holder | undefined {
  return item?.owner !== undefined ? toHolder(item as LockItem & { owner: string }) : undefined;
}

function claimOf(req: AcquireRequest, extra: Partial<Claim> = {}): Claim {
  const c: Claim = { lockId: req.lockId, user: req.user, meta: req.meta, uberlock: req.uberlock === true, leaseMs: req.leaseMs, ...extra };
  if (req.uberlock && req.freezeUntil !== undefined) c.freezeUntil = req.freezeUntil;
  if (req.metaData) c.metaData = req.metaData;
  return c;
}

/** The takeover part of a claim, when `item` holds a lease the watch says has lapsed. */
function takeoverOf(item: LockItem | undefined): Partial<Claim> {
  if (item?.owner === undefined || typeof item.expiresAt !== 'number') return {};
  return { takeover: { owner: item.owner, fence: item.fence, expiresAt: item.expiresAt } };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

export async function acquireLock(ctx: AcquireContext, req: AcquireRequest): Promise<AcquireResult> {
  return new Acquisition(ctx, req).run();
}

class Acquisition {
  private readonly start: number;
  private readonly watch: LeaseWatch;
  private attempts = 0;

  constructor(
    private readonly ctx: AcquireContext,
    private readonly req: AcquireRequest,
  ) {
    this.start = ctx.clock();
    this.watch = ctx.leaseWatch(req.name);
  }

  async run(): Promise<AcquireResult> {
    const { req } = this;
    if (req.signal?.aborted) return this.notAcquired('cancelled');
    if (req.force) return this.byForce();
    // The fast path: one conditional write that succeeds when the lock is free and nobody is queued.
    let r = await this.attempt(claimOf(req));
    if (r.ok) return r.result;
    let cur = r.current;
    if (!req.uberlock) {
      // A free lock is never refused because of tickets nobody will use: clear dead ones first.
      if (cur?.owner === undefined && !(await this.clearDeadTickets())) {
        // Live waiters are ahead: the caller joins the line below (or gives up, naming them).
      } else if (cur?.owner === undefined || this.canTakeOver(cur as LockItem & { owner: string })) {
        r = await this.attempt(claimOf(req, takeoverOf(cur)));
        if (r.ok) return r.result;
        cur = r.current;
      }
    }
    const now = this.ctx.clock();
    // A freeze does not end when a job finishes: waiting on it burns a runner for nothing.
    const frozen = !req.uberlock && !req.waitOnFreeze && cur?.owner !== undefined && cur.uberlock === true && !this.canTakeOver(cur as LockItem & { owner: string });
    if (frozen || now >= this.start + req.waitMs) {
      const holder = heldBy(cur);
      if (holder) req.onBusy?.({ holder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: 0 });
      if (holder) return this.notAcquired('busy', holder);
      const who = await this.inTheWay();
      return this.notAcquired('busy', who.holder, who.queuedAhead);
    }
    // An uberlock goes ahead of queued waiters: it polls the lock itself, taking no ticket.
    if (req.uberlock) return this.byPolling(cur);
    return this.inQueue();
  }

  private canTakeOver(item: LockItem & { owner: string }): boolean {
    return this.watch.takeoverIn(item, this.ctx.mono(), this.ctx.clock(), this.ctx.skewMs) <= 0;
  }

  /** One acquire write, settling ambiguity by repeating it; on failure gives back a write that may have landed. */
  private async attempt(claim: Claim): Promise<{ ok: true; result: AcquireResult } | { ok: false; current: LockItem | undefined }> {
    const { ctx, req } = this;
    const sentAt = ctx.mono();
    let outcome: WriteOutcome;
    try {
      outcome = await ctx.write(() => ctx.store.acquire(req.name, claim, ctx.clock()));
    } catch (err) {
      try {
        await ctx.store.release(req.name, { lockId: req.lockId }, ctx.clock());
      } catch {
        // The lease frees it if even this fails.
      }
      throw err;
    }
    this.attempts++;
    if (outcome.ok) return { ok: true, result: this.acquired(outcome.item, sentAt) };
    this.watch.see(outcome.current, ctx.mono());
    return { ok: false, current: outcome.current };
  }

  private acquired(item: LockItem, confirmedAt: number): AcquireResult {
    const r: AcquireResult = {
      acquired: true,
      lock: toHolder(item as LockItem & { owner: string }),
      waitedMs: this.ctx.clock() - this.start,
      attempts: this.attempts,
      confirmedAt,
    };
    if (item.prevOwner && item.prevOwner !== 'none' && item.prevOwner !== item.owner) {
      r.replaced = { lockId: item.prevOwner, user: item.prevUser ?? 'unknown', expiresAt: item.prevExpiresAt ?? 0 };
    }
    return r;
  }

  private notAcquired(reason: 'busy' | 'cancelled', holder?: Holder, queuedAhead?: QueuedAhead): AcquireResult {
    const r: AcquireResult = { acquired: false, reason, waitedMs: this.ctx.clock() - this.start, attempts: this.attempts };
    if (holder) r.holder = holder;
    if (queuedAhead) r.queuedAhead = queuedAhead;
    return r;
  }

  private forcedFrom: Holder | undefined;

  private async byForce(): Promise<AcquireResult> {
    const { ctx, req } = this;
    let seen = heldBy(await ctx.write(() => ctx.store.get(req.name)));
    for (let i = 1; i <= 5; i++) {
      this.forcedFrom = seen && seen.lockId !== req.lockId ? seen : undefined;
      const r = await this.attempt(claimOf(req, { force: { seenOwner: seen?.lockId, reason: (req.force as { reason: string }).reason } }));
      if (r.ok) {
        if (r.result.acquired && this.forcedFrom) r.result.tookOverFrom = this.forcedFrom;
        return r.result;
      }
      seen = heldBy(r.current);
    }
    throw new StoreError('other', `could not force env ${req.name}: its holder kept changing`, false);
  }

  /**
   * Who stands in the way of a caller that found the lock free but could not take it:
   * the holder if someone took it meanwhile (often the queue's head), else the live
   * waiters ahead. The refusal then always names someone.
   */
  private async inTheWay(): Promise<{ holder?: Holder; queuedAhead?: QueuedAhead }> {
    const { ctx, req } = this;
    const item = await ctx.write(() => ctx.store.get(req.name));
    const holder = heldBy(item);
    if (holder) return { holder };
    const served = item?.nowServing ?? 0;
    const now = ctx.clock();
    const live = (await ctx.write(() => ctx.store.listQueue(req.name))).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - ctx.skewMs);
    const first = live[0];
    return first ? { queuedAhead: { count: live.length, first: { user: first.user, meta: first.meta } } } : {};
  }

  /**
   * Skips tickets at the head of the queue whose waiters are gone (cancelled, expired,
   * or never wrote an entry). Returns true when the queue ended up empty.
   */
  private async clearDeadTickets(): Promise<boolean> {
    const { ctx, req } = this;
    for (let i = 0; i < 1000; i++) {
      const item = await ctx.write(() => ctx.store.get(req.name));
      const serving = item?.nowServing ?? 0;
      if ((item?.nextTicket ?? 0) <= serving) return true;
      if (!(await this.headIsDead(item as LockItem, serving + 1))) return false;
      await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
    }
    return false;
  }

  private readonly headWatch = new Map<number, { version: string; since: number }>();

  /**
   * Whether the waiter holding `ticket` (at the head) is gone: its entry cancelled, past
   * its expiry (allowing for skew), unchanged on our monotonic clock for its time to live,
   * or missing although its ticket was issued long enough ago to have written one.
   */
  private async headIsDead(item: LockItem, ticket: number): Promise<boolean> {
    const { ctx, req } = this;
    const e = await ctx.write(() => ctx.store.getQueueEntry(req.name, ticket));
    const now = ctx.clock();
    const mono = ctx.mono();
    const version = e ? `${e.expiresAt}|${e.cancelled === true}` : 'missing';
    const w = this.headWatch.get(ticket);
    const since = w && w.version === version ? w.since : mono;
    this.headWatch.set(ticket, { version, since });
    if (!e) {
      const issuedLongAgo = item.lastJoinAt !== undefined && item.lastJoinAt < now - ctx.queue.missingGraceMs - ctx.skewMs;
      return issuedLongAgo || mono - since > ctx.queue.missingGraceMs;
    }
    if (e.cancelled || e.expiresAt < now - ctx.skewMs) return true;
    const ttl = e.ttlMs ?? ctx.queue.ttlMs;
    return mono - since > Math.min(ttl, ctx.queue.nearHeadTtlMs + ctx.queue.maxPollMs);
  }

  /**
   * Waiting without a ticket (uberlocks): announce the pending freeze, so queued
   * normal waiters hold back, and poll with capped exponential backoff and jitter.
   */
  private async byPolling(last: LockItem | undefined): Promise<AcquireResult> {
    const { ctx, req } = this;
    const deadline = this.start + req.waitMs;
    let lastItem = last;
    let lastHolder = heldBy(last);
    let announcedUntil = 0;
    const announce = async () => {
      if (announcedUntil - ctx.clock() > (ctx.queue.uberPendingMs * 2) / 3) return;
      announcedUntil = ctx.clock() + ctx.queue.uberPendingMs;
      await ctx.write(() => ctx.store.markUberPending(req.name, announcedUntil, ctx.clock())).catch(() => undefined);
    };
    const withdraw = async () => {
      await ctx.write(() => ctx.store.markUberPending(req.name, 0, ctx.clock())).catch(() => undefined);
    };
    try {
      for (let poll = 0; ; poll++) {
        await announce();
        const now = ctx.clock();
        // A freeze in waiting keeps normal waiters back, so it polls briskly.
        let delay = Math.min(backoffDelay(poll, ctx.backoff, ctx.random), 5 * ctx.queue.minPollMs, (ctx.queue.uberPendingMs / 3) | 0);
        if (lastHolder && lastItem?.owner !== undefined) {
          const lapse = this.watch.takeoverIn(lastItem as LockItem & { owner: string }, ctx.mono(), now, ctx.skewMs);
          if (lapse > 0 && lapse < delay) delay = lapse + 20;
          req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: Math.max(0, Math.min(delay, deadline - now)) });
        }
        if (!(await sleep(Math.max(0, Math.min(delay, deadline - now)), req.signal))) {
          await withdraw();
          return this.notAcquired('cancelled', lastHolder);
        }
        const cur = await ctx.write(() => ctx.store.get(req.name));
        this.watch.see(cur, ctx.mono());
        lastItem = cur;
        const takeover = cur?.owner !== undefined && this.canTakeOver(cur as LockItem & { owner: string }) ? takeoverOf(cur) : {};
        if (cur?.owner === undefined || 'takeover' in takeover) {
          const r = await this.attempt(claimOf(req, takeover));
          if (r.ok) return r.result;
          if (r.current) lastItem = r.current;
        }
        lastHolder = heldBy(lastItem) ?? lastHolder;
        if (ctx.clock() >= deadline) {
          await withdraw();
          return this.notAcquired('busy', lastHolder);
        }
      }
    } catch (err) {
      await withdraw();
      throw err;
    }
  }

  /**
   * FIFO waiting: take a ticket, keep a queue entry alive, and take the lock when we
   * are the head of the queue and the lock is free (or its lease has lapsed). Waiters
   * far back poll slowly, the head polls fast. A dead or cancelled head is skipped by a
   * conditional advance of nowServing. Mutual exclusion still rests only on the acquire
   * condition. Whatever ends the wait (success, giving up, an error), a waiter that
   * did not take the lock steps aside.
   */
  private async inQueue(): Promise<AcquireResult> {
    const { ctx, req } = this;
    const q = ctx.queue;
    const deadline = this.start + req.waitMs;
    let joins = 0;
    const join = async (): Promise<number> => {
      // The join token makes a repeated ticket write (lost answer) return the same ticket.
      const token = `${req.lockId}#${joins++}#${ctx.random().toString(36).slice(2, 8)}`;
      const t = (await ctx.write(() => ctx.store.takeTicket(req.name, token, ctx.clock()))).ticket;
      return t;
    };
    let ticket = await join();
    let nearHead = false;
    const entry = (): QueueEntry => {
      const ttlMs = nearHead ? q.nearHeadTtlMs : q.ttlMs;
      return { name: req.name, ticket, lockId: req.lockId, user: req.user, meta: req.meta, enqueuedAt: this.start, expiresAt: ctx.clock() + ttlMs, ttlMs };
    };
    const refresh = async () => {
      await ctx.write(() => ctx.store.putQueueEntry(entry())).catch(() => undefined);
      refreshedAt = ctx.mono();
    };
    let refreshedAt = ctx.mono();
    await ctx.write(() => ctx.store.putQueueEntry(entry()));
    let lastHolder: Holder | undefined;
    let servingSeen = -1;
    let servingSince = ctx.mono();
    let acquired = false;

    const stepAside = async () => {
      // Leave no trace: mark our entry cancelled, and step aside at once if we are the head.
      await ctx.write(() => ctx.store.putQueueEntry({ ...entry(), cancelled: true, expiresAt: ctx.clock() })).catch(() => undefined);
      await ctx.write(() => ctx.store.skipTicket(req.name, ticket - 1, ctx.clock())).catch(() => false);
    };

    try {
      for (;;) {
        if (req.signal?.aborted) {
          await stepAside();
          return this.notAcquired('cancelled', lastHolder);
        }
        const item = await ctx.write(() => ctx.store.get(req.name));
        const now = ctx.clock();
        const mono = ctx.mono();
        this.watch.see(item, mono);
        const serving = item?.nowServing ?? 0;
        if (serving !== servingSeen) {
          servingSeen = serving;
          servingSince = mono;
        }
        lastHolder = heldBy(item);
        if (serving >= ticket) {
          // We were skipped (our entry looked dead): rejoin at the back.
          nearHead = false;
          ticket = await join();
          await refresh();
          continue;
        }
        const position = ticket - serving;
        if (position <= 2 && !nearHead) {
          // Near the head, refresh often so a dead head is noticed quickly.
          nearHead = true;
          await refresh();
        }
        const lapse = item?.owner !== undefined ? this.watch.takeoverIn(item as LockItem & { owner: string }, mono, now, ctx.skewMs) : 0;
        let delay: number;
        if (position === 1) {
          if (lapse <= 0) {
            const r = await this.attempt(claimOf(req, { ticket, ...takeoverOf(item) }));
            if (r.ok) {
              acquired = true;
              return r.result;
            }
            // Taken meanwhile, or free but an uberlock is about to freeze it: wait like any head.
            lastHolder = heldBy(r.current);
          }
          delay = this.pollBase(lastHolder, now);
          if (lapse > 0 && lapse < delay) delay = lapse + 20;
        } else {
          // Further back, poll proportionally less: each place ahead is one more handoff away.
          delay = Math.min(q.maxPollMs, this.pollBase(lastHolder, now) * position);
          // Only a lock the head could take can be stuck behind a dead head: check the
          // head then, from second place at once, from further back once the line has not moved for a while.
          if (lapse <= 0 && (position === 2 || mono - servingSince > q.missingGraceMs)) {
            if (await this.headIsDead(item as LockItem, serving + 1)) {
              await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
              continue;
            }
          }
        }
        const waitedMs = now - this.start;
        if (now >= deadline) {
          if (lastHolder) req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs, nextAttemptInMs: 0, position });
          await stepAside();
          if (lastHolder) return this.notAcquired('busy', lastHolder);
          const who = await this.inTheWay().catch(() => ({}) as { holder?: Holder; queuedAhead?: QueuedAhead });
          return this.notAcquired('busy', who.holder, who.queuedAhead);
        }
        delay = Math.max(0, Math.min(delay * (0.8 + 0.4 * ctx.random()), deadline - now));
        req.onBusy?.({ ...(lastHolder ? { holder: lastHolder } : {}), attempt: this.attempts, waitedMs, nextAttemptInMs: delay, position } as BusyReport);
        if (mono - refreshedAt >= (nearHead ? q.nearHeadRefreshMs : q.refreshMs)) await refresh();
        if (!(await sleep(delay, req.signal))) {
          await stepAside();
          return this.notAcquired('cancelled', lastHolder);
        }
      }
    } catch (err) {
      // A waiter that fails on an error must not leave its place looking alive.
      if (!acquired) await stepAside();
      throw err;
    }
  }

  /**
   * The longer the holder has held, the longer it is likely to keep holding (deploys run
   * for minutes): poll at a fifth of the time held so far, within bounds. Short holds
   * hand over in a couple of hundred milliseconds; long ones cost about 40 reads a minute.
   */
  private pollBase(holder: Holder | undefined, now: number): number {
    const q = this.ctx.queue;
    return holder ? clamp((now - holder.since) / 5, q.minPollMs, q.headPollMs) : q.minPollMs * 2;
  }
}

