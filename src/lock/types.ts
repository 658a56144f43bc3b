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
  /** Fencing token: bumped by every acquisition, never reset. */
  fence: number;
  /** Kept after release so a retried release can tell that it already landed. */
  lastOwner?: string;
  lastUser?: string;
  releasedAt?: number;
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
  /** Take the lock whoever holds it (break-glass); `seenOwner` must still hold it. */
  force?: { seenOwner: string | undefined; reason: string };
}

export type ReleaseBy = { lockId: string } | { user: string };

/** Result of one conditional write: the item after it, or the item that failed the condition. */
export type WriteOutcome =
  | { ok: true; item: LockItem }
  | { ok: false; current: LockItem | undefined };

/**
 * Storage for locks. Each method is exactly one conditional write (or one read);
 * the conditions are the ones in `rules.ts`, which in-process stores apply
 * directly and the DynamoDB store expresses as ConditionExpressions.
 */
export interface LockStore {
  /** Human-readable: which store and where, printed by every command. */
  readonly description: string;
  acquire(name: string, claim: Claim, now: number, skewMs: number): Promise<WriteOutcome>;
  renew(name: string, lockId: string, fence: number, expiresAt: number, now: number): Promise<WriteOutcome>;
  release(name: string, by: ReleaseBy, now: number): Promise<WriteOutcome>;
  get(name: string): Promise<LockItem | undefined>;
  list(): Promise<LockItem[]>;
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
