import { applyAcquire, applyRelease, applyRenew } from '../lock/rules.js';
import type { Claim, LockItem, LockStore, ReleaseBy, WriteOutcome } from '../lock/types.js';

/** In-process store for unit and property tests: the rules applied to a Map. */
export class MemoryStore implements LockStore {
  readonly description = 'in-memory store';
  readonly items = new Map<string, LockItem>();

  private cas(name: string, next: LockItem | undefined): WriteOutcome {
    if (!next) return { ok: false, current: this.copy(name) };
    this.items.set(name, next);
    return { ok: true, item: { ...next } };
  }

  private copy(name: string): LockItem | undefined {
    const it = this.items.get(name);
    return it ? { ...it } : undefined;
  }

  async acquire(name: string, claim: Claim, now: number, skewMs: number): Promise<WriteOutcome> {
    return this.cas(name, applyAcquire(this.items.get(name), name, claim, now, skewMs));
  }
  async renew(name: string, lockId: string, fence: number, expiresAt: number, now: number): Promise<WriteOutcome> {
    return this.cas(name, applyRenew(this.items.get(name), lockId, fence, expiresAt, now));
  }
  async release(name: string, by: ReleaseBy, now: number): Promise<WriteOutcome> {
    return this.cas(name, applyRelease(this.items.get(name), by, now));
  }
  async get(name: string): Promise<LockItem | undefined> {
    return this.copy(name);
  }
  async list(): Promise<LockItem[]> {
    return [...this.items.values()].map((i) => ({ ...i }));
  }
  async init(): Promise<boolean> {
    return false;
  }
}
