/** Structured metadata of a lock (`lock --meta-json`): plain values only. */
export type MetaData = Record<string, string | number | boolean>;

/** The lock item as every store keeps it (DESIGN.md "Lock item"). Times are epoch ms. */
export interface LockItem {
  name: string;
  /** Unique token of the current holder; absent when the lock is free. */
  owner?: string;
  user?: string;
  meta?: string;
  /** Structured metadata of the current holder (`--meta-json`), next to `meta`, which shows it as key=value. */
  metaData?: MetaData;
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
  /** Structured metadata (`--meta-json`); a claim without it clears the last holder's. */
  metaData?: MetaData;
  uberlock: boolean;
  leaseMs: number;
  /** The waiter's queue ticket: it may take the lock only when it is the head (nowServing = ticket - 1). */
  ticket?: number;
  /** An uberlock that lifts itself at this time (epoch ms); without it a freeze never lapses. */
  freezeUntil?: number;
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

export type HistoryKind = 'acquired' | 'released' | 'expired' | 'forced' | 'force-released' | 'extended' | 'gave-up';

/** Events in the same millisecond are told in the order they happen in the protocol. */
const KIND_ORDER: Record<HistoryKind, number> = { expired: 0, forced: 1, acquired: 2, extended: 3, released: 4, 'force-released': 5, 'gave-up': 6 };
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
  /** For acquisitions: the holder's structured metadata (`--meta-json`). */
  metaData?: MetaData;
  uberlock?: boolean;
  waitedMs?: number;
  heldMs?: number;
  /** For releases: how the job ended, as the CI reported it. */
  outcome?: string;
  /** For forced takeovers and releases: who forced, whom, and why. */
  by?: string;
  from?: string;
  reason?: string;
  /** For gave-up (a wait that ended with the lock busy): who held it then. */
  holder?: string;
  /** When the store may forget the event (TTL). */
  keepUntil: number;
}

/** Which history events to read: one env's (or every env's when `name` is absent), at or after `since`, the newest `limit` (all when absent). */
export interface HistoryQuery {
  name?: string;
  /** Epoch ms; events before it are not read. */
  since?: number;
  limit?: number;
}

/** Events newest first; `more` when older events matching the query were left out by the limit. */
export interface HistoryPage {
  events: HistoryEvent[];
  more: boolean;
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
  /**
   * Every lock item (not queue entries or history): a cost that grows with the number of
   * envs only. The DynamoDB store reads them from an index that holds the attributes a
   * listing shows (owner, user, meta, metaData, uberlock, acquiredAt, expiresAt, fence,
   * lastUser, releasedAt, forced*), and may lag a write by a moment; decisions read `get`.
   */
  list(): Promise<LockItem[]>;
  /** Said once by a read that worked the slow way (e.g. a table `daplaya init` should upgrade); surfaces print and clear it. */
  readonly readNotes?: string[];
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
  /**
   * The newest history events (one env's, or every env's), newest first, at most
   * `limit`: reads in pages and stops once it has them, never all events to show a few.
   */
  queryHistory(q: HistoryQuery): Promise<HistoryPage>;
  /**
   * Records that notice `id` about env `name` was sent, unless it already was: one
   * conditional write (create if absent). True for the first caller only, in any process.
   * Kept until `keepUntil` (TTL).
   */
  claimNotice(name: string, id: string, keepUntil: number): Promise<boolean>;
  /** Create the backing storage; returns false when it already existed. */
  init(progress?: (line: string) => void): Promise<boolean>;
  /** What the last `init` found worth a warning that did not stop it. */
  readonly initNotes?: string[];
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
