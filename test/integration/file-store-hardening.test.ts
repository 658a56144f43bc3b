import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { StoreError, type HistoryEvent, type QueueEntry } from '../../src/lock/types.js';
import { FileStore } from '../../src/store/file.js';

// Issue #16 item 13: the file store must not follow planted symlinks, must create
// private files and directories whatever the umask, and must fail at once (one
// line) on a store directory it cannot create, such as /proc/self/x.

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `daplaya-fsh-${p}-`));
/** Takes env prod through the protocol (the store's own signature is not this test's business). */
const acquire = (store: FileStore, lockId: string) => new LockClient(store).acquire({ name: 'prod', lockId, user: `${lockId}@example.com`, meta: 'm', leaseMs: 60_000, waitMs: 0 });
const entry = (name: string, ticket: number): QueueEntry => ({ name, ticket, lockId: `w${ticket}`, user: 'w@example.com', meta: 'm', enqueuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
const event = (name: string): HistoryEvent => ({ name, at: Date.now(), id: 'e1', kind: 'acquired', user: 'u@example.com', keepUntil: Date.now() + 60_000 }) as HistoryEvent;

/** Every file under dir (following nothing) with its content, to prove a target untouched. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir)) {
    const p = path.join(dir, n);
    const st = lstatSync(p);
    if (st.isDirectory()) for (const [k, v] of Object.entries(snapshot(p))) out[path.join(n, k)] = v;
    else out[n] = st.isSymbolicLink() ? '<symlink>' : readFileSync(p, 'utf8');
  }
  return out;
}

async function refusal(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const e = err as StoreError;
  expect(e.message).toMatch(/symlink/);
  expect(e.message.split('\n')).toHaveLength(1);
  return e;
}

describe('file store hardening', () => {
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
  });

  it('a symlinked env directory is refused: no version written into its target, none deleted from it', async () => {
    // A real lock directory with two old versions, moved elsewhere and linked back in.
    const scratch = tmp('scratch');
    const made = new FileStore(scratch);
    expect((await acquire(made, 'a')).acquired).toBe(true);
    expect((await new LockClient(made).release('prod', { lockId: 'a' })).outcome).toBe('released');
    const elsewhere = path.join(tmp('target'), 'prod');
    renameSync(path.join(scratch, 'prod'), elsewhere);
    const old = new Date(Date.now() - 3600_000);
    for (const f of readdirSync(elsewhere)) utimesSync(path.join(elsewhere, f), old, old);
    const before = snapshot(elsewhere);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(2);

    const dir = tmp('store');
    symlinkSync(elsewhere, path.join(dir, 'prod'));
    const store = new FileStore(dir);
    await refusal(acquire(store, 'b'));
    await refusal(store.get('prod'));
    await refusal(store.list());
    expect(snapshot(elsewhere)).toEqual(before);
  });

  it('symlinked .queue, .queue/<env>, .history and .history/<env> are refused and nothing lands in the target', async () => {
    for (const [link, write, read] of [
      ['.queue', (s: FileStore) => s.putQueueEntry(entry('prod', 1)), (s: FileStore) => s.listQueue('prod')],
      ['.queue/prod', (s: FileStore) => s.putQueueEntry(entry('prod', 1)), (s: FileStore) => s.getQueueEntry('prod', 1)],
      ['.history', (s: FileStore) => s.addHistory(event('prod')), (s: FileStore) => s.listHistory()],
      ['.history/prod', (s: FileStore) => s.addHistory(event('prod')), (s: FileStore) => s.listHistory('prod')],
    ] as const) {
      const dir = tmp('store');
      const target = tmp('target');
      writeFileSync(path.join(target, '00000000000000000001.json'), JSON.stringify(entry('prod', 1)));
      const before = snapshot(target);
      mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
      symlinkSync(target, path.join(dir, link));
      const store = new FileStore(dir);
      await refusal(write(store));
      await refusal(read(store));
      expect(snapshot(target), link).toEqual(before);
    }
  });

  it('a symlinked version file or queue entry is not read, and a symlinked store directory is refused', async () => {
    const secret = path.join(tmp('secret'), 'secret.json');
    writeFileSync(secret, JSON.stringify({ name: 'prod', fence: 7, nowServing: 0, nextTicket: 0 }));
    const dir = tmp('store');
    mkdirSync(path.join(dir, 'prod'), { mode: 0o700 });
    symlinkSync(secret, path.join(dir, 'prod', 'v000000000001.json'));
    await refusal(new FileStore(dir).get('prod'));
    await refusal(acquire(new FileStore(dir), 'a'));

    mkdirSync(path.join(dir, '.queue', 'qa'), { recursive: true, mode: 0o700 });
    symlinkSync(secret, path.join(dir, '.queue', 'qa', '00000000000000000001.json'));
    await refusal(new FileStore(dir).getQueueEntry('qa', 1));

    const real = tmp('real');
    const linked = path.join(tmp('links'), 'store');
    symlinkSync(real, linked);
    await refusal(acquire(new FileStore(linked), 'a'));
    await refusal(new FileStore(linked).init());
    expect(readdirSync(real)).toEqual([]);
    expect(readFileSync(secret, 'utf8')).toMatch(/"fence":7/);
  });

  it('creates directories 0700 and files 0600 even with umask 000', async () => {
    process.umask(0o000);
    const dir = path.join(tmp('modes'), 'a', 'b', 'store');
    const store = new FileStore(dir);
    const client = new LockClient(store);
    const r = await client.acquire({ name: 'prod', lockId: 'a', user: 'a@example.com', meta: 'm', leaseMs: 60_000, waitMs: 0 });
    expect(r.acquired).toBe(true);
    await store.putQueueEntry(entry('prod', 1));
    await store.addHistory(event('prod'));
    await client.release('prod', { lockId: 'a' });
    const bad: string[] = [];
    const walk = (p: string) => {
      const st = lstatSync(p);
      const mode = st.mode & 0o777;
      if (st.isDirectory()) {
        if (mode !== 0o700) bad.push(`${p} ${mode.toString(8)}`);
        for (const n of readdirSync(p)) walk(path.join(p, n));
      } else if (mode !== 0o600) bad.push(`${p} ${mode.toString(8)}`);
    };
    walk(dir);
    expect(bad).toEqual([]);
    // The parents it had to create are private too.
    expect(statSync(path.dirname(dir)).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['.history', '.queue', 'prod']);
  });

  it('--store-dir /proc/self/x fails within a second with one line', async () => {
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('still running after 1s')), 1000).unref())]);
    const store = new FileStore('/proc/self/x');
    const e = await within(acquire(store, 'a')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StoreError);
    expect((await within(store.init()).catch((err: unknown) => err)) as Error).toBeInstanceOf(StoreError);

    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(`out: ${l}`), err: (l: string) => lines.push(`err: ${l}`) };
    const started = Date.now();
    const code = await within(main(['lock', '--env', 'prod', '--store-dir', '/proc/self/x'], { HOME: tmp('home'), DAPLAYA_USER: 'u@example.com' }, io));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(code).toBe(1);
    const errors = lines.filter((l) => !l.startsWith('err: daplaya: using '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^err: daplaya: error: .*\/proc\/self\/x/);
  });
});
