import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { applyAcquire, applyExtend, applyRelease, applyRenew, applySkipTicket, applyTakeTicket, applyUberPending } from '../lock/rules.js';
import { byTime, StoreError, type Claim, type HistoryEvent, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from '../lock/types.js';

const STALE_READ_MS = 30_000;
const PRUNE_AGE_MS = 10 * 60_000;

/**
 * Embedded store for one machine. Each lock is a directory of numbered versions;
 * a write is a compare-and-swap: the new version is written to a temporary file
 * and hard-linked to the next number, and link(2) fails if another process took
 * that number first. No lock files, so a crashed process leaves nothing stale.
 */
export class FileStore implements LockStore {
  readonly description: string;

  constructor(readonly dir: string) {
    this.description = `embedded file store at ${dir}`;
  }

  private lockDir(name: string): string {
    return path.join(this.dir, name);
  }

  private async latest(name: string): Promise<{ version: number; item: LockItem | undefined }> {
    for (let tries = 0; ; tries++) {
      let entries: string[];
      try {
        entries = await fs.readdir(this.lockDir(name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 0, item: undefined };
        throw this.wrap(err);
      }
      const versions = entries.filter((e) => /^v\d{12}\.json$/.test(e)).sort();
      const top = versions.at(-1);
      if (!top) return { version: 0, item: undefined };
      try {
        const item = JSON.parse(await fs.readFile(path.join(this.lockDir(name), top), 'utf8')) as LockItem;
        return { version: Number(top.slice(1, 13)), item };
      } catch (err) {
        // Pruned by a writer between readdir and read: look again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && tries < 50) continue;
        throw this.wrap(err);
      }
    }
  }

  private async cas(name: string, update: (cur: LockItem | undefined) => LockItem | undefined): Promise<WriteOutcome> {
    for (;;) {
      const readAt = performance.now();
      const { version, item } = await this.latest(name);
      const next = update(item);
      if (!next) return { ok: false, current: item };
      const dir = this.lockDir(name);
      await fs.mkdir(dir, { recursive: true }).catch((e) => {
        throw this.wrap(e);
      });
      const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      await fs.writeFile(tmp, JSON.stringify(next));
      const target = path.join(dir, `v${String(version + 1).padStart(12, '0')}.json`);
      try {
        // A version file can be pruned only once it is PRUNE_AGE_MS old; a writer whose
        // read is older than STALE_READ_MS re-reads, so it never links into a pruned gap.
        if (performance.now() - readAt > STALE_READ_MS) continue;
        await fs.link(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // lost the race: re-read and re-judge
        throw this.wrap(err);
      } finally {
        await fs.unlink(tmp).catch(() => undefined);
      }
      await this.prune(name, version);
      return { ok: true, item: next };
    }
  }

  /** Removes old versions below the newest two; readers retry on ENOENT. */
  private async prune(name: string, below: number): Promise<void> {
    const dir = this.lockDir(name);
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    const now = Date.now();
    for (const e of entries) {
      const m = /^v(\d{12})\.json$/.exec(e);
      if (!m || Number(m[1]) >= below) continue;
      const file = path.join(dir, e);
      const st = await fs.stat(file).catch(() => undefined);
      if (st && now - st.mtimeMs > PRUNE_AGE_MS) await fs.unlink(file).catch(() => undefined);
    }
  }

  private wrap(err: unknown): StoreError {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') return new StoreError('access-denied', `cannot write ${this.dir}: ${e.message}`, false);
    return new StoreError('other', `file store at ${this.dir}: ${e.message}`, false);
  }

  acquire(name: string, claim: Claim, now: number, skewMs: number): Promise<WriteOutcome> {
    return this.cas(name, (cur) => applyAcquire(cur, name, claim, now, skewMs));
  }
  renew(name: string, lockId: string, fence: number, expiresAt: number, now: number): Promise<WriteOutcome> {
    return this.cas(name, (cur) => applyRenew(cur, lockId, fence, expiresAt, now));
  }
  release(name: string, by: ReleaseBy, now: number): Promise<WriteOutcome> {
    return this.cas(name, (cur) => applyRelease(cur, by, now));
  }
  extend(name: string, by: ReleaseBy, expiresAt: number, now: number): Promise<WriteOutcome> {
    return this.cas(name, (cur) => applyExtend(cur, by, expiresAt, now));
  }
  async markUberPending(name: string, until: number, now: number): Promise<void> {
    await this.cas(name, (cur) => applyUberPending(cur, name, until, now));
  }
  async takeTicket(name: string, now: number): Promise<{ ticket: number; item: LockItem }> {
    const r = await this.cas(name, (cur) => applyTakeTicket(cur, name, now));
    if (!r.ok) throw new StoreError('other', 'could not take a queue ticket', false);
    return { ticket: r.item.nextTicket as number, item: r.item };
  }
  async skipTicket(name: string, seenServing: number, now: number): Promise<boolean> {
    return (await this.cas(name, (cur) => applySkipTicket(cur, seenServing, now))).ok;
  }

  /** Side files (queue entries, history) are whole-file replacements: write a temp file, rename it in. */
  private async writeSide(sub: string, file: string, value: unknown): Promise<void> {
    const dir = path.join(this.dir, sub);
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(tmp, JSON.stringify(value));
    await fs.rename(tmp, path.join(dir, file));
  }
  private async readSide<T>(sub: string): Promise<T[]> {
    const dir = path.join(this.dir, sub);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: T[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        out.push(JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as T);
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }
  async putQueueEntry(entry: QueueEntry): Promise<void> {
    await this.writeSide(path.join('.queue', entry.name), `${String(entry.ticket).padStart(20, '0')}.json`, entry);
    // Entries far behind the line are garbage.
    const item = await this.get(entry.name);
    const served = item?.nowServing ?? 0;
    const dir = path.join(this.dir, '.queue', entry.name);
    for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
      if (n.endsWith('.json') && Number(n.slice(0, 20)) < served - 100) await fs.unlink(path.join(dir, n)).catch(() => undefined);
    }
  }
  async getQueueEntry(name: string, ticket: number): Promise<QueueEntry | undefined> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir, '.queue', name, `${String(ticket).padStart(20, '0')}.json`), 'utf8')) as QueueEntry;
    } catch {
      return undefined;
    }
  }
  async listQueue(name: string): Promise<QueueEntry[]> {
    return (await this.readSide<QueueEntry>(path.join('.queue', name))).sort((a, b) => a.ticket - b.ticket);
  }
  async addHistory(event: HistoryEvent): Promise<void> {
    await this.writeSide(path.join('.history', event.name), `${new Date(event.at).toISOString()}-${event.id}.json`, event);
  }
  async listHistory(name?: string): Promise<HistoryEvent[]> {
    const names = name ? [name] : await fs.readdir(path.join(this.dir, '.history')).catch(() => [] as string[]);
    const now = Date.now();
    const all: HistoryEvent[] = [];
    for (const n of names) all.push(...(await this.readSide<HistoryEvent>(path.join('.history', n))));
    return all.filter((e) => e.keepUntil > now).sort(byTime);
  }
  async get(name: string): Promise<LockItem | undefined> {
    return (await this.latest(name)).item;
  }
  async list(): Promise<LockItem[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.wrap(err);
    }
    const items = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.get(n)));
    return items.filter((i): i is LockItem => i !== undefined);
  }
  async init(): Promise<boolean> {
    try {
      await fs.mkdir(this.dir, { recursive: false });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        await fs.mkdir(this.dir, { recursive: true });
        return true;
      }
      throw this.wrap(err);
    }
  }
}
