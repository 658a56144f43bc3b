import { NEVER, type Claim, type LockItem, type ReleaseBy } from './types.js';

/**
 * The conditions of every write, as pure functions over the current item.
 * In-process stores (file, memory) apply these directly; the DynamoDB store
 * writes the same conditions as expressions. Each returns the new item, or
 * undefined when the condition fails.
 */

export function isHeld(item: LockItem | undefined, now: number, skewMs = 0): item is LockItem & { owner: string } {
  return item?.owner !== undefined && (item.expiresAt ?? 0) >= now - skewMs;
}

export function applyAcquire(cur: LockItem | undefined, name: string, c: Claim, now: number, skewMs: number): LockItem | undefined {
  if (c.force) {
    if (cur?.owner !== c.force.seenOwner) return undefined;
  } else {
    // Free, ours (a retried write that already landed), or another holder's lease has lapsed.
    const free = cur?.owner === undefined || cur.owner === c.lockId || (cur.expiresAt ?? 0) < now - skewMs;
    if (!free) return undefined;
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
    expiresAt: c.uberlock ? NEVER : now + c.leaseMs,
    fence: (cur?.fence ?? 0) + 1,
  };
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
  return { ...cur, expiresAt: cur.uberlock ? NEVER : expiresAt, updatedAt: now };
}

export function applyRelease(cur: LockItem | undefined, by: ReleaseBy, now: number): LockItem | undefined {
  if (cur?.owner === undefined) return undefined;
  if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user) return undefined;
  const { owner, user, meta: _meta, uberlock: _u, acquiredAt: _a, expiresAt: _e, forcedBy: _fb, forcedFrom: _ff, forceReason: _fr, ...rest } = cur;
  return { ...rest, lastOwner: owner, lastUser: user, releasedAt: now, updatedAt: now };
}
