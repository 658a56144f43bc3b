import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { applyAcquire, applyExtend, applyRelease, applyRenew, applySkipTicket, applyTakeTicket, applyUberPending } from '../lock/rules.js';
import { historyPage } from '../lock/history.js';
import { byTime, StoreError, type Claim, type HistoryEvent, type HistoryPage, type HistoryQuery, type LockItem, type LockStore, type QueueEntry, type ReleaseBy, type WriteOutcome } from '../lock/types.js';

const STALE_READ_MS = 30_000;
const PRUNE_AGE_MS = 10 * 60_000;
/** Lost compare-and-swap races in a row before a write gives up (each is a full re-read). */
const MAX_CAS_ATTEMPTS = 1000;
/** Re-reads after a version file vanished between readdir and read. */
const MAX_READ_ATTEMPTS = 50;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
// 0 where the platform has no such flag (Windows), so the open still works there.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const READ_FLAGS = constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Embedded store for one machine. Each lock is a directory of numbered versions;
 * a write is a compare-and-swap: the new version is written to a temporary file
 * and hard-linked to the next number, and link(2) fails if another process took
 * that number first. No lock files, so a crashed process leaves nothing stale.
 *
 * Nothing planted in the store is obeyed: the store directory, the per-env
 * directories, `.queue` and `.history` are checked with lstat and refused if they
 * are symlinks, files are opened with O_NOFOLLOW (and created with O_EXCL), and
 * everything created is private (directories 0700, files 0600, whatever the umask).
 * Every retry loop is bounded.
 */
export class FileStore implements LockStore {
  readonly description: string;

  constructor(readonly dir: string) {
    this.description = `embedded file store at ${dir}`;
  }

  private refuseSymlink(p: string): StoreError {
    return new StoreError('other', `file store at ${this.dir}: refusing to follow the symlink ${p}`, false);
  }

  /** lstat-checks one directory of the store, creating it (0700) when asked. False when absent. */
  private async checkDir(p: string, create: boolean): Promise<boolean> {
    for (let tries = 0; tries < 2; tries++) {
      let st;
      try {
        st = await fs.lstat(p);
      } catch (err) {
        if (code(err) !== 'ENOENT') throw this.wrap(err);
        if (!create) return false;
        try {
          await fs.mkdir(p, { mode: DIR_MODE });
          await fs.chmod(p, DIR_MODE);
          return true;
        } catch (e) {
          if (code(e) === 'EEXIST') continue; // made meanwhile: check what it is
          throw this.wrap(e, `cannot create ${p}`);
        }
      }
      if (st.isSymbolicLink()) throw this.refuseSymlink(p);
      if (!st.isDirectory()) throw new StoreError('other', `file store at ${this.dir}: ${p} is not a directory`, false);
      return true;
    }
    throw new StoreError('other', `file store at ${this.dir}: ${p} keeps changing`, false);
  }

  /**
   * The store directory itself, checked (and made, with any missing parents, when
   * asked). Node's own recursive mkdir is not used: it loops forever where mkdir
   * says ENOENT under a parent that exists (e.g. /proc/self/x).
   */
  private async root(create: boolean): Promise<{ exists: boolean; created: boolean }> {
    const missing: string[] = [];
    for (let p = this.dir; ; ) {
      try {
        await fs.lstat(p);
        break;
      } catch (err) {
        if (code(err) !== 'ENOENT') throw this.wrap(err);
        missing.push(p);
        const parent = path.dirname(p);
        if (parent === p) break;
        p = parent;
      }
    }
    if (missing.length === 0) return { exists: await this.checkDir(this.dir, false), created: false };
    if (!create) return { exists: false, created: false };
    let created = false;
    for (const p of missing.reverse()) {
      try {
        await fs.mkdir(p, { mode: DIR_MODE });
        await fs.chmod(p, DIR_MODE);
        if (p === this.dir) created = true;
      } catch (err) {
        if (code(err) !== 'EEXIST') throw this.wrap(err, `cannot create ${p}`);
      }
    }
    await this.checkDir(this.dir, false);
    return { exists: true, created };
  }

  /** The directory dir/parts..., every level lstat-checked; undefined when absent and not created. */
  private async subdir(parts: string[], create: boolean): Promise<string | undefined> {
    if (!(await this.root(create)).exists) return undefined;
    let p = this.dir;
    for (const part of parts) {
      p = path.join(p, part);
      if (!(await this.checkDir(p, create))) return undefined;
    }
    return p;
  }

  /** Reads a JSON file without following a symlink (or blocking on a planted FIFO). */
  private async readJson<T>(file: string): Promise<T> {
    let fh;
    try {
      fh = await fs.open(file, READ_FLAGS);
    } catch (err) {
      if (code(err) === 'ELOOP' || code(err) === 'EMLINK') throw this.refuseSymlink(file);
      throw err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new StoreError('other', `file store at ${this.dir}: ${file} is not a regular file`, false);
      return JSON.parse(await fh.readFile('utf8')) as T;
    } finally {
      await fh.close();
    }
  }

  /** Creates a new private file (O_EXCL | O_NOFOLLOW, 0600 whatever the umask). */
  private async writeNew(file: string, data: string): Promise<void> {
    const fh = await fs.open(file, CREATE_FLAGS, FILE_MODE).catch((err: unknown) => {
      throw this.wrap(err);
    });
    try {
      await fh.chmod(FILE_MODE);
      await fh.writeFile(data);
    } catch (err) {
      await fs.unlink(file).catch(() => undefined);
      throw this.wrap(err);
    } finally {
      await fh.close();
    }
  }

  private async latest(name: string): Promise<{ version: number; item: LockItem | undefined }> {
    for (let tries = 0; ; tries++) {
      const dir = await this.subdir([name], false);
      if (!dir) return { version: 0, item: undefined };
      let entries: string[];
      try {
        entries = await fs.readdir(dir);
      } catch (err) {
        if (code(err) === 'ENOENT') return { version: 0, item: undefined };
        throw this.wrap(err);
      }
      const versions = entries.filter((e) => /^v\d{12}\.json$/.test(e)).sort();
      const top = versions.at(-1);
      if (!top) return { version: 0, item: undefined };
      try {
        const item = await this.readJson<LockItem>(path.join(dir, top));
        return { version: Number(top.slice(1, 13)), item };
      } catch (err) {
        // Pruned by a writer between readdir and read: look again.
        if (code(err) === 'ENOENT' && tries < MAX_READ_ATTEMPTS) continue;
        throw this.wrap(err);
      }
    }
  }

  private async cas(name: string, update: (cur: LockItem | undefined) => LockItem | undefined): Promise<WriteOutcome> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const readAt = performance.now();
      const { version, item } = await this.latest(name);
      const next = update(item);
      if (!next) return { ok: false, current: item };
      const dir = (await this.subdir([name], true)) as string;
      const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      await this.writeNew(tmp, JSON.stringify(next));
      const target = path.join(dir, `v${String(version + 1).padStart(12, '0')}.json`);
      try {
        // A version file can be pruned only once it is PRUNE_AGE_MS old; a writer whose
        // read is older than STALE_READ_MS re-reads, so it never links into a pruned gap.
        if (performance.now() - readAt > STALE_READ_MS) continue;
        // link(2) neither follows a symlink at tmp nor writes through one at target.
        await fs.link(tmp, target);
      } catch (err) {
        if (code(err) === 'EEXIST') continue; // lost the race: re-read and re-judge
        throw this.wrap(err);
      } finally {
        await fs.unlink(tmp).catch(() => undefined);
      }
      await this.prune(dir, version);
      return { ok: true, item: next };
    }
    throw new StoreError('other', `file store at ${this.dir}: env ${name} changed under ${MAX_CAS_ATTEMPTS} writes in a row; giving up`, true);
  }

  /** Removes old versions below the newest two; readers retry on ENOENT. */
  private async prune(dir: string, below: number): Promise<void> {
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    const now = Date.now();
    for (const e of entries) {
      const m = /^v(\d{12})\.json$/.exec(e);
      if (!m || Number(m[1]) >= below) continue;
      const file = path.join(dir, e);
      const st = await fs.lstat(file).catch(() => undefined);
      if (st?.isFile() && now - st.mtimeMs > PRUNE_AGE_MS) await fs.unlink(file).catch(() => undefined);
    }
  }

  private wrap(err: unknown, what?: string): StoreError {
    if (err instanceof StoreError) return err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') return new StoreError('access-denied', `cannot write ${this.dir}: ${e.message}`, false);
    return new StoreError('other', `file store at ${this.dir}: ${what ? `${what}: ` : ''}${e.message}`, false);
  }

  acquire(name: string, claim: Claim, now: number): Promise<WriteOutcome> {
    return this.cas(name, (cur) => applyAcquire(cur, name, claim, now));
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
  async takeTicket(name: string, joinToken: string, now: number): Promise<{ ticket: number; item: LockItem }> {
    const r = await this.cas(name, (cur) => applyTakeTicket(cur, name, joinToken, now));
    if (!r.ok) throw new StoreError('other', 'could not take a queue ticket', false);
    return { ticket: r.item.nextTicket as number, item: r.item };
  }
  async skipTicket(name: string, seenServing: number, now: number): Promise<boolean> {
    return (await this.cas(name, (cur) => applySkipTicket(cur, seenServing, now))).ok;
  }

  /** Side files (queue entries, history) are whole-file replacements: write a temp file, rename it in. */
  private async writeSide(parts: string[], file: string, value: unknown): Promise<string> {
    const dir = (await this.subdir(parts, true)) as string;
    const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await this.writeNew(tmp, JSON.stringify(value));
    // rename(2) replaces whatever is at the name (a planted symlink included), never its target.
    await fs.rename(tmp, path.join(dir, file)).catch(async (err: unknown) => {
      await fs.unlink(tmp).catch(() => undefined);
      throw this.wrap(err);
    });
    return dir;
  }
  private async readSide<T>(parts: string[]): Promise<T[]> {
    const dir = await this.subdir(parts, false);
    if (!dir) return [];
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const out: T[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        out.push(await this.readJson<T>(path.join(dir, n)));
      } catch (err) {
        if (err instanceof StoreError) throw err;
        // removed meanwhile
      }
    }
    return out;
  }
  async putQueueEntry(entry: QueueEntry): Promise<void> {
    const dir = await this.writeSide(['.queue', entry.name], `${String(entry.ticket).padStart(20, '0')}.json`, entry);
    // Entries far behind the line are garbage.
    const item = await this.get(entry.name);
    const served = item?.nowServing ?? 0;
    for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
      if (n.endsWith('.json') && Number(n.slice(0, 20)) < served - 100) await fs.unlink(path.join(dir, n)).catch(() => undefined);
    }
  }
  async getQueueEntry(name: string, ticket: number): Promise<QueueEntry | undefined> {
    const dir = await this.subdir(['.queue', name], false);
    if (!dir) return undefined;
    try {
      return await this.readJson<QueueEntry>(path.join(dir, `${String(ticket).padStart(20, '0')}.json`));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      return undefined;
    }
  }
  async listQueue(name: string): Promise<QueueEntry[]> {
    return (await this.readSide<QueueEntry>(['.queue', name])).sort((a, b) => a.ticket - b.ticket);
  }
  async addHistory(event: HistoryEvent): Promise<void> {
    await this.writeSide(['.history', event.name], `${new Date(event.at).toISOString()}-${event.id}.json`, event);
  }
  async listHistory(name?: string): Promise<HistoryEvent[]> {
    let names = name ? [name] : [];
    if (!name) {
      const dir = await this.subdir(['.history'], false);
      names = dir ? await fs.readdir(dir).catch(() => [] as string[]) : [];
    }
    const now = Date.now();
    const all: HistoryEvent[] = [];
    for (const n of names) all.push(...(await this.readSide<HistoryEvent>(['.history', n])));
    return all.filter((e) => e.keepUntil > now).sort(byTime);
  }
  /** One machine's history is small: read it, then cut the page. */
  async queryHistory(q: HistoryQuery): Promise<HistoryPage> {
    return historyPage(await this.listHistory(q.name), q, Date.now());
  }
  /** A notice sent is a file created with O_EXCL: the first creator wins, in any process. */
  async claimNotice(name: string, id: string, keepUntil: number): Promise<boolean> {
    const dir = (await this.subdir(['.notices', name], true)) as string;
    const file = path.join(dir, `${encodeURIComponent(id)}.json`);
    let fh;
    try {
      fh = await fs.open(file, CREATE_FLAGS, FILE_MODE);
    } catch (err) {
      if (code(err) === 'EEXIST') return false;
      throw this.wrap(err);
    }
    try {
      await fh.writeFile(JSON.stringify({ name, id, keepUntil }));
    } finally {
      await fh.close();
    }
    return true;
  }
  async get(name: string): Promise<LockItem | undefined> {
    return (await this.latest(name)).item;
  }
  async list(): Promise<LockItem[]> {
    if (!(await this.root(false)).exists) return [];
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if (code(err) === 'ENOENT') return [];
      throw this.wrap(err);
    }
    const items = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.get(n)));
    return items.filter((i): i is LockItem => i !== undefined);
  }
  async init(): Promise<boolean> {
    return (await this.root(true)).created;
  }
}
