import { NEVER, type Claim, type LockItem, type ReleaseBy } from './types.js';

/**
 * The conditions of every write, as pure functions over the current item.
 * In-process stores (file, memory) apply these directly; the DynamoDB store
 * writes the same conditions as expressions. Each returns the new item, or
 * undefined when the condition fails.
 */

/** An expiry that cannot be read: missing, or not a number (a lock item edited by hand). */
export function unreadableExpiry(expiresAt: unknown): boolean {
  return typeof expiresAt !== 'number' || Number.isNaN(expiresAt);
}

/**
 * An owner and a lease not lapsed. An owner with an unreadable expiry counts as held with
 * an unknown expiry, never as lapsed: DynamoDB's own condition judges it so (`expiresAt <
 * :stale` is false on a string), so reads and writes agree; its holder's release or a
 * forced one frees it.
 */
export function isHeld(item: LockItem | undefined, now: number, skewMs = 0): item is LockItem & { owner: string } {
  return item?.owner !== undefined && (unreadableExpiry(item.expiresAt) || (item.expiresAt as number) >= now - skewMs);
}

/**
 * The one judgement of a lock item that every reader shows (status, locks, wait, Slack,
 * the busy reports of lock): `held` (or `frozen`, an uberlock) until its expiry plus the
 * skew allowance has passed, then `expired` (lapsed, not released: a waiter may take it
 * over once it has watched it unchanged for a lease, lease-watch.ts), `free` when nobody
 * holds it. An unreadable expiry counts as held.
 */
export type LockState = 'free' | 'held' | 'frozen' | 'expired';

export function lockState(item: LockItem | undefined, now: number, skewMs: number): LockState {
  if (item?.owner === undefined) return 'free';
  // A freeze with an end (lock --uberlock --until) has lifted once its time is past.
  if (item.uberlock) return typeof item.expiresAt === 'number' && item.expiresAt < now ? 'expired' : 'frozen';
  return isHeld(item, now, skewMs) ? 'held' : 'expired';
}

/** True when no ticket is outstanding: nobody is queued. */
export function queueEmpty(item: LockItem | undefined): boolean {
  return (item?.nextTicket ?? 0) === (item?.nowServing ?? 0);
}

/** True when `cur` still holds exactly the lease a takeover claim watched lapse. */
export function sameLease(cur: LockItem | undefined, seen: { owner: string; fence: number; expiresAt: number }): boolean {
  return cur?.owner === seen.owner && cur.fence === seen.fence && cur.expiresAt === seen.expiresAt;
}

export function applyAcquire(cur: LockItem | undefined, name: string, c: Claim, now: number): LockItem | undefined {
  if (c.force) {
    if (cur?.owner !== c.force.seenOwner) return undefined;
  } else if (cur?.owner !== c.lockId) {
    // Ours (a retried write that already landed) passes; otherwise the lock must be free,
    // or still hold exactly the lapsed lease the caller watched (lease-watch.ts: no wall
    // clock is trusted here), and the caller must be next: the queue's head, an uberlock
    // (which goes ahead of queued waiters), or anyone when nobody is queued.
    const free = cur?.owner === undefined || (c.takeover !== undefined && sameLease(cur, c.takeover));
    if (!free) return undefined;
    if (!c.uberlock && (cur?.uberPendingUntil ?? 0) >= now) return undefined;
    if (c.ticket !== undefined) {
      if ((cur?.nowServing ?? 0) !== c.ticket - 1) return undefined;
    } else if (!c.uberlock && !queueEmpty(cur)) return undefined;
  }
  const next: LockItem = {
    ...(cur ?? { name, fence: 0 }),
    name,
    owner: c.lockId,
    user: c.user,
    meta: c.meta,
    uberlock: c.uberlock,
    acquiredAt: now,
    updatedAt: now,
    expiresAt: c.uberlock ? c.freezeUntil ?? NEVER : now + c.leaseMs,
    leaseMs: c.uberlock ? 0 : c.leaseMs,
    fence: (cur?.fence ?? 0) + 1,
    prevOwner: cur?.owner ?? 'none',
    prevUser: cur?.user ?? 'none',
    prevExpiresAt: cur?.expiresAt ?? 0,
  };
  if (c.uberlock) delete next.uberPendingUntil;
  if (c.metaData) next.metaData = c.metaData;
  else delete next.metaData;
  if (c.ticket !== undefined) next.nowServing = Math.max(cur?.nowServing ?? 0, c.ticket);
  delete next.forcedBy;
  delete next.forcedFrom;
  delete next.forceReason;
  if (c.force) {
    next.forcedBy = c.user;
    next.forcedFrom = cur?.user ?? '';
    next.forceReason = c.force.reason;
  }
  return next;
}

export function applyRenew(cur: LockItem | undefined, lockId: string, fence: number, expiresAt: number, now: number): LockItem | undefined {
  if (cur?.owner !== lockId || cur.fence !== fence) return undefined;
  if (cur.uberlock) return { ...cur, updatedAt: now };
  return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}

export function applyRelease(cur: LockItem | undefined, by: ReleaseBy, now: number): LockItem | undefined {
  if (cur?.owner === undefined) return undefined;
  if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user) return undefined;
  const { owner, user, meta: _meta, metaData: _md, uberlock: _u, acquiredAt: _a, expiresAt: _e, leaseMs: _l, forcedBy: _fb, forcedFrom: _ff, forceReason: _fr, ...rest } = cur;
  const out: LockItem = { ...rest, lastOwner: owner, lastUser: user, releasedAt: now, updatedAt: now };
  if (cur.acquiredAt !== undefined) out.lastAcquiredAt = cur.acquiredAt;
  return out;
}

export function applyExtend(cur: LockItem | undefined, by: ReleaseBy, expiresAt: number, now: number): LockItem | undefined {
  if (cur?.owner === undefined) return undefined;
  if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user) return undefined;
  if (cur.uberlock) return { ...cur, updatedAt: now };
  return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}

/** The next ticket; a repeated join (same token, nobody joined since) gets back the item as it is. */
export function applyTakeTicket(cur: LockItem | undefined, name: string, joinToken: string, now: number): LockItem {
  if (cur?.lastJoin === joinToken) return cur;
  return { ...(cur ?? { name, fence: 0 }), name, nextTicket: (cur?.nextTicket ?? 0) + 1, nowServing: cur?.nowServing ?? 0, lastJoin: joinToken, lastJoinAt: now, updatedAt: now };
}

export function applySkipTicket(cur: LockItem | undefined, seenServing: number, now: number): LockItem | undefined {
  if ((cur?.nowServing ?? 0) !== seenServing || (cur?.nextTicket ?? 0) <= seenServing || !cur) return undefined;
  return { ...cur, nowServing: seenServing + 1, updatedAt: now };
}

export function applyUberPending(cur: LockItem | undefined, name: string, until: number, now: number): LockItem {
  const next: LockItem = { ...(cur ?? { name, fence: 0 }), name, updatedAt: now };
  if (until > 0) next.uberPendingUntil = until;
  else delete next.uberPendingUntil;
  return next;
}
