import type { Holder } from './acquire.js';
import type { LockItem } from './types.js';

/**
 * What the protocol tells an observer (LockClientOptions.observer) about changes a
 * team may want to hear of. The protocol only reports them; whoever listens (the
 * notifications, src/notify/) decides what to do. Each event carries an `id` that is
 * the same in every process that learns of the same event, so a listener can make
 * sure it is acted on once (LockStore.claimNotice).
 */
export type LockEvent =
  /** A lock taken by force from its holder (`lock --force --reason`). */
  | { kind: 'forced'; id: string; name: string; at: number; by: string; from: Holder; reason: string; fence: number; uberlock: boolean }
  /** A lock given back by force (`release --force --reason`). */
  | { kind: 'force-released'; id: string; name: string; at: number; by: string; from: Holder; reason: string }
  /** An uberlock (freeze) taken. `until` when it lifts itself. */
  | { kind: 'uberlock-set'; id: string; name: string; at: number; user: string; meta: string; fence: number; until?: number }
  /** An uberlock given back by its holder. */
  | { kind: 'uberlock-lifted'; id: string; name: string; at: number; user: string; by: string; fence: number }
  /**
   * A holder's lease ran out without a release (its job died or hung). Seen by the
   * acquisition that replaced it, or by a reader that found it expired.
   */
  | { kind: 'lapsed'; id: string; name: string; at: number; holder: { user: string; lockId: string; expiresAt: number; meta?: string }; fence: number; replacedBy?: string }
  /** A waiter whose wait ended with the lock still busy. */
  | { kind: 'gave-up'; id: string; name: string; at: number; user: string; waitedMs: number; holder?: Holder };

/** Told of events, and (optionally) of the lock items a read returned (`list`, `item`). Must not throw or block. */
export interface LockObserver {
  event(e: LockEvent): void;
  seen?(items: LockItem[], now: number, skewMs: number): void;
}

/** The id every process gives the lapse of the holder with this fence on this env. */
export const lapseId = (fence: number) => `lapsed:${fence}`;
