import { applyAcquire, applyExtend, applyRelease, applyRenew, applySkipTicket, applyTakeTicket, applyUberPending } from '../lock/rules.js';
import { historyPage } from '../lock/history.js';
import { byTime, type Claim, type HistoryEvent, type HistoryPage, type HistoryQuery, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from '../lock/types.js';

/** In-process store for unit and property tests: the rules applied to a Map. */
export class MemoryStore implements LockStore {
  readonly description = 'in-memory store';
  readonly items = new Map<string, LockItem>();
  readonly queue = new Map<string, QueueEntry>();
  readonly history: HistoryEvent[] = [];
  readonly notices = new Map<string, number>();

  private cas(name: string, next: LockItem | undefined): WriteOutcome {
    if (!next) return { ok: false, current: this.copy(name) };
    this.items.set(name, next);
    return { ok: true, item: { ...next } };
  }

  private copy(name: string): LockItem | undefined {
    const it = this.items.get(name);
    return it ? { ...it } : undefined;
  }

  async acquire(name: string, claim: Claim, now: number): Promise<WriteOutcome> {
    return this.cas(name, applyAcquire(this.items.get(name), name, claim, now));
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
  async extend(name: string, by: ReleaseBy, expiresAt: number, now: number): Promise<WriteOutcome> {
    return this.cas(name, applyExtend(this.items.get(name), by, expiresAt, now));
  }
  async markUberPending(name: string, until: number, now: number): Promise<void> {
    this.items.set(name, applyUberPending(this.items.get(name), name, until, now));
  }
  async takeTicket(name: string, joinToken: string, now: number): Promise<{ ticket: number; item: LockItem }> {
    const next = applyTakeTicket(this.items.get(name), name, joinToken, now);
    this.items.set(name, next);
    return { ticket: next.nextTicket as number, item: { ...next } };
  }
  async skipTicket(name: string, seenServing: number, now: number): Promise<boolean> {
    return this.cas(name, applySkipTicket(this.items.get(name), seenServing, now)).ok;
  }
  async putQueueEntry(entry: QueueEntry): Promise<void> {
    this.queue.set(`${entry.name}#${entry.ticket}`, { ...entry });
  }
  async getQueueEntry(name: string, ticket: number): Promise<QueueEntry | undefined> {
    const e = this.queue.get(`${name}#${ticket}`);
    return e ? { ...e } : undefined;
  }
  async listQueue(name: string): Promise<QueueEntry[]> {
    return [...this.queue.values()].filter((e) => e.name === name).sort((a, b) => a.ticket - b.ticket);
  }
  async addHistory(event: HistoryEvent): Promise<void> {
    this.history.push({ ...event });
  }
  async listHistory(name?: string): Promise<HistoryEvent[]> {
    return this.history.filter((e) => name === undefined || e.name === name).sort(byTime);
  }
  async queryHistory(q: HistoryQuery): Promise<HistoryPage> {
    return historyPage(this.history, q, Date.now());
  }
  async claimNotice(name: string, id: string, keepUntil: number): Promise<boolean> {
    const key = `${name}#${id}`;
    if (this.notices.has(key)) return false;
    this.notices.set(key, keepUntil);
    return true;
  }
  async init(): Promise<boolean> {
    return false;
  }
}
