import { describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { leaseTiming, keepRenewed } from '../../src/lock/renewal.js';
import { StoreError, type LockStore } from '../../src/lock/types.js';
import { MemoryStore } from '../../src/store/memory.js';

/**
 * Error paths no engine produces on demand (a request that never answers, throttling
 * of exactly the queue writes): a MemoryStore wrapped so chosen methods fail.
 */
function flaky(store: MemoryStore, plan: Partial<Record<keyof LockStore, (call: number) => 'ok' | 'throttle' | 'hang' | 'fail' | 'lose-answer'>>): LockStore {
  const calls = new Map<string, number>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const orig = Reflect.get(target, prop, receiver);
      const rule = plan[prop as keyof LockStore];
      if (typeof orig !== 'function' || !rule) return orig;
      return async (...args: unknown[]) => {
        const n = (calls.get(String(prop)) ?? 0) + 1;
        calls.set(String(prop), n);
        const what = rule(n);
        if (what === 'throttle') throw new StoreError('throttled', 'DynamoDB throttled the request', true);
        if (what === 'fail') throw new StoreError('access-denied', 'access denied', false);
        if (what === 'hang') return new Promise(() => undefined);
        const result = await orig.apply(target, args);
        if (what === 'lose-answer') throw new StoreError('ambiguous', 'answer lost', true);
        return result;
      };
    },
  });
}

const req = (name: string, lockId: string, extra: Record<string, unknown> = {}) => ({ name, lockId, user: `${lockId}@x`, meta: '', leaseMs: 60_000, waitMs: 0, ...extra });
const fastQueue = { ttlMs: 2000, refreshMs: 500, nearHeadTtlMs: 2000, nearHeadRefreshMs: 500, headPollMs: 20, minPollMs: 10, maxPollMs: 50, missingGraceMs: 200 };

describe('queue writes share the retry policy of every write', () => {
  it('throttled ticket, entry, read and skip writes are retried: the wait still succeeds', async () => {
    const mem = new MemoryStore();
    const base = new LockClient(mem, {});
    await base.acquire(req('e', 'holder'));
    const everyOther = (n: number) => (n % 2 === 1 ? 'throttle' : 'ok');
    const store = flaky(mem, { takeTicket: (n) => (n <= 3 ? 'throttle' : 'ok'), putQueueEntry: everyOther, getQueueEntry: everyOther, get: everyOther, skipTicket: everyOther });
    const client = new LockClient(store, { transientMinDelayMs: 1, queue: fastQueue });
    const waiting = client.acquire(req('e', 'w', { waitMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    await base.release('e', { lockId: 'holder' });
    const r = await waiting;
    expect(r.acquired).toBe(true);
    // One join: no orphan ticket left behind by the retries.
    expect((await mem.get('e'))?.nextTicket).toBe(1);
  });

  it('a ticket write whose answer was lost is repeated without taking a second place', async () => {
    const mem = new MemoryStore();
    const base = new LockClient(mem, {});
    await base.acquire(req('e', 'holder'));
    const store = flaky(mem, { takeTicket: (n) => (n === 1 ? 'lose-answer' : 'ok') });
    const client = new LockClient(store, { transientMinDelayMs: 1, queue: fastQueue });
    const waiting = client.acquire(req('e', 'w', { waitMs: 10_000 }));
    await new Promise((r) => setTimeout(r, 200));
    expect((await mem.get('e'))?.nextTicket).toBe(1);
    await base.release('e', { lockId: 'holder' });
    expect((await waiting).acquired).toBe(true);
  });

  it('a waiter that fails on an error steps aside: its entry is cancelled and the next waiter is not held up', async () => {
    const mem = new MemoryStore();
    const base = new LockClient(mem, {});
    await base.acquire(req('e', 'holder'));
    // The waiter's reads start failing for good once it is queued.
    const store = flaky(mem, { get: (n) => (n >= 3 ? 'fail' : 'ok') });
    const doomed = new LockClient(store, { transientMinDelayMs: 1, queue: fastQueue });
    const err = await doomed.acquire(req('e', 'doomed', { waitMs: 10_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    const entry = (await mem.listQueue('e')).find((q) => q.lockId === 'doomed');
    expect(entry?.cancelled).toBe(true);
    await base.release('e', { lockId: 'holder' });
    const t0 = Date.now();
    expect((await new LockClient(mem, { queue: fastQueue }).acquire(req('e', 'next', { waitMs: 0 }))).acquired).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('release settles an ambiguous outcome', () => {
  it('a release whose answer was lost, retried after the next waiter took the lock, reports released', async () => {
    const mem = new MemoryStore();
    let calls = 0;
    const store = new Proxy(mem, {
      get(target, prop, receiver) {
        if (prop !== 'release') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<MemoryStore['release']>) => {
          const r = await target.release(...args);
          if (++calls === 1) {
            // The release landed, its answer is lost, and the next waiter takes the free lock before the retry.
            await new LockClient(mem, {}).acquire(req('e', 'next'));
            throw new StoreError('ambiguous', 'answer lost', true);
          }
          return r;
        };
      },
    });
    const client = new LockClient(store, { transientMinDelayMs: 50 });
    await client.acquire(req('e', 'mine'));
    const r = await client.release('e', { lockId: 'mine' });
    expect((await mem.get('e'))?.owner).toBe('next');
    expect(r.outcome).toBe('released');
  });
});

describe('a holder whose renewals go unanswered', () => {
  it('treats its lease as lost before a full lease has passed since its last confirmed write, even while a request hangs', async () => {
    const mem = new MemoryStore();
    const lease = 3000;
    const client = new LockClient(mem, {});
    const got = await client.acquire(req('e', 'holder', { leaseMs: lease }));
    if (!got.acquired) throw new Error('not acquired');
    const hanging = new LockClient(flaky(mem, { renew: () => 'hang' }), {});
    const t0 = Date.now();
    const end = await keepRenewed(hanging, [{ name: 'e', lockId: 'holder', fence: got.lock.fence, confirmedAt: got.confirmedAt }], { leaseMs: lease, maxLifetimeMs: 60_000 });
    const took = Date.now() - t0;
    expect(end).toMatchObject({ reason: 'unconfirmed', name: 'e' });
    const { lostAfterMs, killAfterMs } = leaseTiming(lease);
    expect(took).toBeLessThanOrEqual(lostAfterMs + 200);
    expect(killAfterMs).toBeLessThan(lease);
  });

  it('never renews more than about once a second, whatever the lease', () => {
    expect(leaseTiming(3000).renewEveryMs).toBe(1000);
    expect(leaseTiming(30 * 86_400_000).renewEveryMs).toBe(10 * 86_400_000);
    expect(leaseTiming(30 * 86_400_000).graceMs).toBe(10_000);
  });
});

describe('a refusal always names someone', () => {
  it('a newcomer that finds the lock free behind a live waiter, which takes it meanwhile, names that waiter as the holder', async () => {
    const mem = new MemoryStore();
    const { ticket } = await mem.takeTicket('e', 'w1-join', Date.now());
    await mem.putQueueEntry({ name: 'e', ticket, lockId: 'w1', user: 'w1@x', meta: '', enqueuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
    let raced = false;
    const store = new Proxy(mem, {
      get(target, prop, receiver) {
        if (prop !== 'getQueueEntry') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<MemoryStore['getQueueEntry']>) => {
          const e = await target.getQueueEntry(...args);
          if (!raced) {
            // The newcomer has just seen w1 alive at the head; w1 takes the lock before the newcomer says who is in the way.
            raced = true;
            await target.acquire('e', { lockId: 'w1', user: 'w1@x', meta: '', uberlock: false, leaseMs: 60_000, ticket }, Date.now());
          }
          return e;
        };
      },
    });
    const r = await new LockClient(store, {}).acquire(req('e', 'newcomer'));
    expect(r.acquired).toBe(false);
    if (!r.acquired) expect(r.holder?.lockId).toBe('w1');
  });
});
