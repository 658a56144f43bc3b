/** The lock item as every store keeps it (DESIGN.md "Lock item"). Times are epoch ms. */
export interface LockItem {
  name: string;
  /** Unique token of the current holder; absent when the lock is free. */
  owner?: string;
  user?: string;
  meta?: string;
  uberlock?: boolean;
  acquiredAt?: number;
  updatedAt?: number;
  expiresAt?: number;
  /** The lease last written by the holder (acquire, renew, extend): how long a taker must see the item unchanged. */
  leaseMs?: number;
  /** Fencing token: bumped by every acquisition, never reset. */
  fence: number;
  /** Kept after release so a retried release can tell that it already landed. */
  lastOwner?: string;
  lastUser?: string;
  lastAcquiredAt?: number;
  releasedAt?: number;
  /** Ticket lock (FIFO queue): tickets issued so far, and the last ticket served or skipped. */
  nextTicket?: number;
  nowServing?: number;
  /** The last join (ticket) token and when it was issued: a retried join gets its ticket back. */
  lastJoin?: string;
  lastJoinAt?: number;
  /** An uberlock is waiting to take the env: normal acquisitions hold back until then. */
  uberPendingUntil?: number;
  /** The holder an acquisition replaced (set by every acquire, from the item before it). */
  prevOwner?: string;
  prevUser?: string;
  prevExpiresAt?: number;
  /** Set when the lock was taken by force. */
  forcedBy?: string;
  forcedFrom?: string;
  forceReason?: string;
}

export interface Claim {
  lockId: string;
  user: string;
  meta: string;
  uberlock: boolean;
  leaseMs: number;
  /** The waiter's queue ticket: it may take the lock only when it is the head (nowServing = ticket - 1). */
  ticket?: number;
  /** Take over a lapsed lease: the item must still be exactly this lease (lease-watch.ts). */
  takeover?: { owner: string; fence: number; expiresAt: number };
  /** Take the lock whoever holds it (break-glass); `seenOwner` must still hold it. */
  force?: { seenOwner: string | undefined; reason: string };
}

export type ReleaseBy = { lockId: string } | { user: string };

/** Result of one conditional write: the item after it, or the item that failed the condition. */
export type WriteOutcome =
  | { ok: true; item: LockItem }
  | { ok: false; current: LockItem | undefined };

/** A waiter's place in the queue, kept alive by the waiter while it waits. */
export interface QueueEntry {
  name: string;
  ticket: number;
  lockId: string;
  user: string;
  meta: string;
  enqueuedAt: number;
  /** The waiter refreshes this; past it (plus skew) the entry counts as dead. */
  expiresAt: number;
  /** How long this entry lives unrefreshed; a watcher that sees it unchanged that long counts it dead. */
  ttlMs?: number;
  /** Written by a waiter that gave up, so the queue skips it at once. */
  cancelled?: boolean;
}

export type HistoryKind = 'acquired' | 'released' | 'expired' | 'forced' | 'force-released' | 'extended';

/** Events in the same millisecond are told in the order they happen in the protocol. */
const KIND_ORDER: Record<HistoryKind, number> = { expired: 0, forced: 1, acquired: 2, extended: 3, released: 4, 'force-released': 5 };
export function byTime(a: HistoryEvent, b: HistoryEvent): number {
  return a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

export interface HistoryEvent {
  name: string;
  at: number;
  id: string;
  kind: HistoryKind;
  user: string;
  lockId?: string;
  fence?: number;
  meta?: string;
  uberlock?: boolean;
  waitedMs?: number;
  heldMs?: number;
  /** For releases: how the job ended, as the CI reported it. */
  outcome?: string;
  /** For forced takeovers and releases: who forced, whom, and why. */
  by?: string;
  from?: string;
  reason?: string;
  /** When the store may forget the event (TTL). */
  keepUntil: number;
}

/**
 * Storage for locks. Each method is exactly one conditional write (or one read);
 * the conditions are the ones in `rules.ts`, which in-process stores apply
 * directly and the DynamoDB store expresses as ConditionExpressions.
 */
export interface LockStore {
  /** Human-readable: which store and where, printed by every command. */
  readonly description: string;
  acquire(name: string, claim: Claim, now: number): Promise<WriteOutcome>;
  renew(name: string, lockId: string, fence: number, expiresAt: number, now: number): Promise<WriteOutcome>;
  release(name: string, by: ReleaseBy, now: number): Promise<WriteOutcome>;
  /** Extends the lease of a held lock (by lock id or user). */
  extend(name: string, by: ReleaseBy, expiresAt: number, now: number): Promise<WriteOutcome>;
  get(name: string): Promise<LockItem | undefined>;
  list(): Promise<LockItem[]>;
  /** Announces an uberlock waiting for the env until `until` (0 clears it). */
  markUberPending(name: string, until: number, now: number): Promise<void>;
  /**
   * Issues the next queue ticket (one write). Idempotent per `joinToken`: repeating a join
   * whose answer was lost returns the ticket it issued, unless someone joined since.
   */
  takeTicket(name: string, joinToken: string, now: number): Promise<{ ticket: number; item: LockItem }>;
  /** Skips the head ticket (dead or cancelled waiter) if nowServing is still `seenServing`. */
  skipTicket(name: string, seenServing: number, now: number): Promise<boolean>;
  putQueueEntry(entry: QueueEntry): Promise<void>;
  getQueueEntry(name: string, ticket: number): Promise<QueueEntry | undefined>;
  listQueue(name: string): Promise<QueueEntry[]>;
  addHistory(event: HistoryEvent): Promise<void>;
  listHistory(name?: string): Promise<HistoryEvent[]>;
  /** Create the backing storage; returns false when it already existed. */
  init(): Promise<boolean>;
  close?(): void;
}

export type StoreErrorKind =
  | 'no-table'
  | 'access-denied'
  | 'no-credentials'
  | 'no-region'
  | 'unreachable'
  | 'ambiguous'
  | 'throttled'
  | 'other';

/** A store failure named by cause. `transient` ones may be retried with the same write. */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Expiry used for uberlocks: they never lapse on their own. */
export const NEVER = 8_640_000_000_000_000;
