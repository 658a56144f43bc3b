import { describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { LAPSED_LONG_AGO_MS } from '../../src/lock/lease-watch.js';
import type { LockStore } from '../../src/lock/types.js';

/** A clock the test moves by hand, so lease expiry needs no sleeping. */
export function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const LEASE = 60_000;
const SKEW = 5_000;

/**
 * The behaviour every LockStore must show through the protocol; run against the
 * in-memory model, the file store and real DynamoDB engines.
 */
export function describeStoreContract(label: string, makeStore: () => Promise<LockStore>) {
  describe(`lock protocol on ${label}`, () => {
    let n = 0;
    const env = () => `env-${Date.now().toString(36)}-${n++}`;

    async function setup() {
      const store = await makeStore();
      const clock = manualClock();
      // One hand-moved clock stands for both the wall clock and the monotonic one.
      const client = new LockClient(store, { clock: clock.now, monotonic: clock.now, skewMs: SKEW, transientMinDelayMs: 10 });
      return { store, clock, client };
    }

    const req = (name: string, lockId: string, extra: Partial<Parameters<LockClient['acquire']>[0]> = {}) => ({
      name,
      lockId,
      user: `${lockId}@example.com`,
      meta: `https://ci.example.com/${lockId}`,
      leaseMs: LEASE,
      waitMs: 0,
      ...extra,
    });

    it('acquires a free lock, reports it held, and releases it', async () => {
      const { client } = await setup();
      const name = env();
      const a = await client.acquire(req(name, 'job-a'));
      expect(a.acquired).toBe(true);
      if (!a.acquired) return;
      expect(a.lock.fence).toBe(1);
      expect(a.lock.user).toBe('job-a@example.com');
      const h = await client.holder(name);
      expect(h?.lockId).toBe('job-a');
      expect(h?.meta).toBe('https://ci.example.com/job-a');
      const r = await client.release(name, { lockId: 'job-a' });
      expect(r.outcome).toBe('released');
      expect(await client.holder(name)).toBeUndefined();
    });

    it('a busy lock reports its holder: user, meta, since and expiry', async () => {
      const { client, clock } = await setup();
      const name = env();
      const t0 = clock.now();
      await client.acquire(req(name, 'job-a'));
      clock.advance(1000);
      const b = await client.acquire(req(name, 'job-b'));
      expect(b.acquired).toBe(false);
      if (b.acquired) return;
      expect(b.reason).toBe('busy');
      expect(b.holder).toMatchObject({ lockId: 'job-a', user: 'job-a@example.com', meta: 'https://ci.example.com/job-a', since: t0, expiresAt: t0 + LEASE, fence: 1 });
    });

    it('renews a held lease; a non-holder cannot renew', async () => {
      const { client, clock } = await setup();
      const name = env();
      const a = await client.acquire(req(name, 'job-a'));
      if (!a.acquired) throw new Error('not acquired');
      clock.advance(30_000);
      const r = await client.renew(a.lock, LEASE);
      expect(r.renewed).toBe(true);
      if (r.renewed) expect(r.lock.expiresAt).toBe(clock.now() + LEASE);
      const wrong = await client.renew({ ...a.lock, lockId: 'job-b' }, LEASE);
      expect(wrong).toMatchObject({ renewed: false, holder: { lockId: 'job-a' } });
    });

    it('a lease watched unchanged for a full lease is taken over with a higher fence, and the old holder learns it lost the lock', async () => {
      const { client, clock } = await setup();
      const name = env();
      const a = await client.acquire(req(name, 'job-a'));
      if (!a.acquired) throw new Error('not acquired');
      // job-b first sees job-a's lease now; its wall clock is irrelevant to when it may take over.
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(LEASE - 1);
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(2);
      const b = await client.acquire(req(name, 'job-b'));
      expect(b.acquired).toBe(true);
      if (!b.acquired) return;
      expect(b.lock.fence).toBe(2);
      const lost = await client.renew(a.lock, LEASE);
      expect(lost).toMatchObject({ renewed: false, holder: { lockId: 'job-b', fence: 2 } });
      expect(await client.release(name, { lockId: 'job-a' })).toMatchObject({ outcome: 'held-by-other', holder: { lockId: 'job-b' } });
    });

    it('a renewal restarts the watch: a lease renewed in time is never taken over', async () => {
      const { client, clock } = await setup();
      const name = env();
      const a = await client.acquire(req(name, 'job-a'));
      if (!a.acquired) throw new Error('not acquired');
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(LEASE - 1000);
      expect((await client.renew(a.lock, LEASE)).renewed).toBe(true);
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(LEASE - 1000);
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(1001);
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(true);
    });

    it('a lease that lapsed long ago (by the wall clock, past the allowance) is taken at once by a newcomer', async () => {
      const { store, clock } = await setup();
      const name = env();
      const first = new LockClient(store, { clock: clock.now, monotonic: clock.now, skewMs: SKEW });
      expect((await first.acquire(req(name, 'job-a'))).acquired).toBe(true);
      clock.advance(LEASE + SKEW + LAPSED_LONG_AGO_MS - 1);
      const newcomer = () => new LockClient(store, { clock: clock.now, monotonic: clock.now, skewMs: SKEW });
      expect((await newcomer().acquire(req(name, 'job-b'))).acquired).toBe(false);
      clock.advance(2);
      expect((await newcomer().acquire(req(name, 'job-b'))).acquired).toBe(true);
    });

    it('refuses a release by anyone but the holder', async () => {
      const { client } = await setup();
      const name = env();
      await client.acquire(req(name, 'job-a'));
      expect(await client.release(name, { lockId: 'job-b' })).toMatchObject({ outcome: 'held-by-other', holder: { lockId: 'job-a' } });
      expect(await client.release(name, { user: 'someone@example.com' })).toMatchObject({ outcome: 'held-by-other' });
      expect((await client.holder(name))?.lockId).toBe('job-a');
      expect(await client.release(name, { user: 'job-a@example.com' })).toMatchObject({ outcome: 'released' });
    });

    it('a retried acquire whose first write landed succeeds for the same lock id', async () => {
      const { client, store, clock } = await setup();
      const name = env();
      // The first write lands but its answer is "lost": the caller retries the same claim.
      const claim = { lockId: 'job-a', user: 'a', meta: 'm', uberlock: false, leaseMs: LEASE };
      const first = await store.acquire(name, claim, clock.now(), SKEW);
      expect(first.ok).toBe(true);
      const again = await client.acquire(req(name, 'job-a'));
      expect(again.acquired).toBe(true);
      if (again.acquired) expect(again.lock.fence).toBeGreaterThan(1);
      expect((await client.acquire(req(name, 'job-b'))).acquired).toBe(false);
    });

    it('release is idempotent: a repeated release reports released, a never-held one not-held', async () => {
      const { client } = await setup();
      const name = env();
      await client.acquire(req(name, 'job-a'));
      expect((await client.release(name, { lockId: 'job-a' })).outcome).toBe('released');
      expect((await client.release(name, { lockId: 'job-a' })).outcome).toBe('released');
      expect((await client.release(name, { lockId: 'job-z' })).outcome).toBe('not-held');
      expect((await client.release(env(), { lockId: 'job-a' })).outcome).toBe('not-held');
    });

    it('the fence keeps rising across release and re-acquire', async () => {
      const { client } = await setup();
      const name = env();
      const fences: number[] = [];
      for (const id of ['a', 'b', 'c']) {
        const r = await client.acquire(req(name, id));
        if (!r.acquired) throw new Error('not acquired');
        fences.push(r.lock.fence);
        await client.release(name, { lockId: id });
      }
      expect(fences).toEqual([1, 2, 3]);
    });

    it('a waiting acquire gets the lock once the holder releases, reporting each busy attempt', async () => {
      const store = await makeStore();
      const client = new LockClient(store, { backoff: { initialMs: 20, maxMs: 100, jitter: 0.5 } });
      const name = env();
      await client.acquire(req(name, 'job-a'));
      const busy: string[] = [];
      const waiting = client.acquire(req(name, 'job-b', { waitMs: 20_000, onBusy: ({ holder }) => busy.push(holder.user) }));
      await new Promise((r) => setTimeout(r, 300));
      await client.release(name, { lockId: 'job-a' });
      const b = await waiting;
      expect(b.acquired).toBe(true);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy.every((u) => u === 'job-a@example.com')).toBe(true);
    });

    it('a cancelled wait returns promptly without the lock', async () => {
      const store = await makeStore();
      const client = new LockClient(store);
      const name = env();
      await client.acquire(req(name, 'job-a'));
      const ac = new AbortController();
      const waiting = client.acquire(req(name, 'job-b', { waitMs: 60_000, signal: ac.signal }));
      setTimeout(() => ac.abort(), 200);
      const b = await waiting;
      expect(b).toMatchObject({ acquired: false, reason: 'cancelled' });
      expect((await client.holder(name))?.lockId).toBe('job-a');
    });

    it('an uberlock does not lapse with time and outranks normal locks', async () => {
      const { client, clock } = await setup();
      const name = env();
      const u = await client.acquire(req(name, 'freezer', { uberlock: true }));
      expect(u.acquired).toBe(true);
      clock.advance(30 * 86_400_000);
      const b = await client.acquire(req(name, 'job-b'));
      expect(b).toMatchObject({ acquired: false, holder: { uberlock: true, user: 'freezer@example.com' } });
      if (u.acquired) expect((await client.renew(u.lock, LEASE)).renewed).toBe(true);
    });

    it('a forced takeover bumps the fence, records who and why, and the ousted holder cannot renew', async () => {
      const { client } = await setup();
      const name = env();
      const a = await client.acquire(req(name, 'job-a'));
      if (!a.acquired) throw new Error('not acquired');
      const f = await client.acquire(req(name, 'ops', { force: { reason: 'hotfix' } }));
      expect(f.acquired).toBe(true);
      if (!f.acquired) return;
      expect(f.lock.fence).toBe(2);
      expect(f.tookOverFrom?.lockId).toBe('job-a');
      const item = await client.item(name);
      expect(item).toMatchObject({ forcedBy: 'ops@example.com', forcedFrom: 'job-a@example.com', forceReason: 'hotfix' });
      expect((await client.renew(a.lock, LEASE)).renewed).toBe(false);
    });

    it('lists locks with their holders', async () => {
      const { client } = await setup();
      const x = env();
      const y = env();
      await client.acquire(req(x, 'job-x'));
      await client.acquire(req(y, 'job-y'));
      await client.release(y, { lockId: 'job-y' });
      const items = await client.list();
      const byName = new Map(items.map((i) => [i.name, i]));
      expect(byName.get(x)?.owner).toBe('job-x');
      expect(byName.get(y)?.owner).toBeUndefined();
      expect(byName.get(y)?.lastUser).toBe('job-y@example.com');
    });

    describe('queue', () => {
      const fast = { ttlMs: 60_000, refreshMs: 200, headPollMs: 40, minPollMs: 20, maxPollMs: 150, missingGraceMs: 300 };
      async function queued(policy: Partial<typeof fast> = {}) {
        const store = await makeStore();
        return { store, client: new LockClient(store, { skewMs: 100, queue: { ...fast, ...policy }, backoff: { initialMs: 20, maxMs: 80, jitter: 0.5 } }) };
      }
      /** Starts a waiter and resolves once its ticket is issued, so arrival order is known. */
      async function enqueue(store: LockStore, client: LockClient, name: string, id: string, extra: Partial<Parameters<LockClient['acquire']>[0]> = {}) {
        const p = client.acquire(req(name, id, { waitMs: 30_000, ...extra }));
        // Queued once its entry is written (the ticket comes just before).
        for (let i = 0; i < 400 && !(await store.listQueue(name)).some((e) => e.lockId === id); i++) await new Promise((r) => setTimeout(r, 10));
        return { done: p };
      }

      it('waiters acquire in the order they arrived', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        const order: string[] = [];
        const waits = [];
        for (const id of ['w1', 'w2', 'w3', 'w4', 'w5']) {
          const p = (await enqueue(store, client, name, id)).done;
          waits.push(
            p.then(async (r) => {
              if (!r.acquired) throw new Error(`${id} did not acquire`);
              order.push(id);
              await new Promise((res) => setTimeout(res, 20));
              await client.release(name, { lockId: id });
            }),
          );
        }
        expect((await client.waiters(name)).map((e) => e.lockId)).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
        await client.release(name, { lockId: 'holder' });
        await Promise.all(waits);
        expect(order).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
      });

      it('a new arrival never jumps a live queue, not even with wait 0 on a free lock', async () => {
        const { store, client } = await queued({ headPollMs: 2000, maxPollMs: 2000 });
        const name = env();
        await client.acquire(req(name, 'holder'));
        const w = (await enqueue(store, client, name, 'waiter')).done;
        await client.release(name, { lockId: 'holder' });
        // The lock is free now but the waiter has not polled yet: the newcomer must not take it.
        const n = await client.acquire(req(name, 'newcomer'));
        expect(n.acquired).toBe(false);
        expect((await w).acquired).toBe(true);
      });

      it('a cancelled waiter drops out at once, without waiting for its entry to expire', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        const ac = new AbortController();
        const a = (await enqueue(store, client, name, 'a', { signal: ac.signal })).done;
        const b = (await enqueue(store, client, name, 'b', { waitMs: 10_000 })).done;
        ac.abort();
        expect(await a).toMatchObject({ acquired: false, reason: 'cancelled' });
        expect((await client.waiters(name)).map((e) => e.lockId)).toEqual(['b']);
        await client.release(name, { lockId: 'holder' });
        // The queue entry TTL is 60 s and b waits 10 s: only the cancellation lets b in.
        expect((await b).acquired).toBe(true);
      });

      it('a dead waiter (entry not refreshed) is skipped once its entry expires', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        const { ticket } = await store.takeTicket(name, 'dead-join', Date.now());
        await store.putQueueEntry({ name, ticket, lockId: 'dead', user: 'dead@example.com', meta: '', enqueuedAt: Date.now(), expiresAt: Date.now() + 300 });
        const b = (await enqueue(store, client, name, 'b', { waitMs: 10_000 })).done;
        await client.release(name, { lockId: 'holder' });
        expect((await b).acquired).toBe(true);
        expect((await store.get(name))?.nowServing).toBe(ticket + 1);
      });

      it('a ticket whose waiter never wrote its entry is skipped after a grace period', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        await store.takeTicket(name, 'dead-join', Date.now());
        const b = (await enqueue(store, client, name, 'b', { waitMs: 10_000 })).done;
        await client.release(name, { lockId: 'holder' });
        expect((await b).acquired).toBe(true);
      });

      it('a free lock is granted at once (no wait) although tickets of waiters that gave up or died are still outstanding', async () => {
        const { store } = await queued();
        const client = new LockClient(store, { skewMs: 100 });
        const name = env();
        const long = Date.now() - 60_000;
        // A waiter that gave up behind the head, one that died between ticket and entry, one whose entry expired.
        const gaveUp = await store.takeTicket(name, 'gave-up', long);
        await store.putQueueEntry({ name, ticket: gaveUp.ticket, lockId: 'gave-up', user: 'g', meta: '', enqueuedAt: long, expiresAt: long, cancelled: true });
        await store.takeTicket(name, 'orphan', long);
        const died = await store.takeTicket(name, 'died', long);
        await store.putQueueEntry({ name, ticket: died.ticket, lockId: 'died', user: 'd', meta: '', enqueuedAt: long, expiresAt: long + 1000 });
        const r = await client.acquire(req(name, 'newcomer', { waitMs: 0 }));
        expect(r.acquired).toBe(true);
        expect((await store.get(name))?.nowServing).toBe(died.ticket);
      });

      it('a free lock with a live waiter queued is refused to a newcomer, naming who is queued', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        const w = (await enqueue(store, client, name, 'w1')).done;
        // Released while w1 is between polls: the newcomer must not jump the line.
        await store.release(name, { lockId: 'holder' }, Date.now());
        const r = await new LockClient(store, { skewMs: 100 }).acquire(req(name, 'newcomer', { waitMs: 0 }));
        expect(r.acquired).toBe(false);
        // Either w1 already took it (then it is the holder named) or it is still queued (then it is named as queued).
        if (!r.acquired && r.holder) expect(r.holder.lockId).toBe('w1');
        if (!r.acquired && !r.holder) expect(r.queuedAhead).toMatchObject({ count: 1, first: { user: 'w1@example.com' } });
        expect((await w).acquired).toBe(true);
      });

      it('joining the queue is idempotent: a repeated join gets its ticket back, a new join the next one', async () => {
        const { store } = await queued();
        const name = env();
        const a = await store.takeTicket(name, 'join-a', Date.now());
        const again = await store.takeTicket(name, 'join-a', Date.now());
        expect(again.ticket).toBe(a.ticket);
        const b = await store.takeTicket(name, 'join-b', Date.now());
        expect(b.ticket).toBe(a.ticket + 1);
        expect((await store.get(name))?.nextTicket).toBe(b.ticket);
      });

      it('an uberlock goes ahead of queued waiters, blocks new ones, and they follow in order after it', async () => {
        const { store, client } = await queued();
        const name = env();
        await client.acquire(req(name, 'holder'));
        const order: string[] = [];
        const w1 = (await enqueue(store, client, name, 'w1')).done.then((r) => r.acquired && order.push('w1'));
        const w2 = (await enqueue(store, client, name, 'w2')).done.then((r) => r.acquired && order.push('w2'));
        const u = client.acquire(req(name, 'freezer', { uberlock: true, waitMs: 30_000 }));
        for (let i = 0; i < 200 && ((await store.get(name))?.uberPendingUntil ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 10));
        await client.release(name, { lockId: 'holder' });
        const ur = await u;
        expect(ur.acquired).toBe(true);
        order.push('freezer');
        const newcomer = await client.acquire(req(name, 'newcomer'));
        expect(newcomer).toMatchObject({ acquired: false, holder: { uberlock: true, user: 'freezer@example.com' } });
        await new Promise((r) => setTimeout(r, 300));
        expect(order).toEqual(['freezer']);
        await client.release(name, { lockId: 'freezer' });
        await w1;
        await client.release(name, { lockId: 'w1' });
        await w2;
        expect(order).toEqual(['freezer', 'w1', 'w2']);
      });
    });

    it('history records every event of a scripted scenario', async () => {
      const { client, clock } = await setup();
      const name = env();
      await client.acquire(req(name, 'a'));
      clock.advance(1000);
      await client.release(name, { lockId: 'a' }, { outcome: 'success' });
      clock.advance(1);
      await client.acquire(req(name, 'b', { leaseMs: 2000 }));
      // c sees b's lease, and takes it over once it has stayed unchanged for the whole lease.
      await client.acquire(req(name, 'c'));
      clock.advance(2001);
      await client.acquire(req(name, 'c'));
      clock.advance(1);
      await client.extend(name, { lockId: 'c' }, 120_000);
      clock.advance(10);
      await client.acquire(req(name, 'd', { force: { reason: 'hotfix' } }));
      clock.advance(10);
      await client.release(name, { user: 'x' }, { force: { user: 'admin@example.com', reason: 'stuck' } });
      const h = await client.historyOf(name);
      expect(h.map((e) => `${e.kind}:${e.lockId}`)).toEqual([
        'acquired:a',
        'released:a',
        'acquired:b',
        // c's first try found b's lease alive: a failure to acquire, recorded for `stats`.
        'gave-up:c',
        'expired:b',
        'acquired:c',
        'extended:c',
        'forced:d',
        'acquired:d',
        'force-released:d',
      ]);
      expect(h[1]).toMatchObject({ outcome: 'success', heldMs: 1000, user: 'a@example.com' });
      expect(h[3]).toMatchObject({ user: 'c@example.com', holder: 'b@example.com', waitedMs: 0 });
      expect(h[7]).toMatchObject({ by: 'd@example.com', from: 'c@example.com', reason: 'hotfix' });
      expect(h[9]).toMatchObject({ by: 'admin@example.com', from: 'd@example.com', reason: 'stuck' });
    });

    it('history reads the newest N first, from a time on, for one env or every env, and says when older ones were left out', async () => {
      const { client, clock } = await setup();
      const a = env();
      const b = env();
      const t0 = clock.now();
      for (let i = 0; i < 3; i++) {
        for (const [name, id] of [[a, `a${i}`], [b, `b${i}`]] as const) {
          await client.acquire(req(name, id));
          clock.advance(1000);
          await client.release(name, { lockId: id });
          clock.advance(1000);
        }
      }
      const shown = (p: { events: { kind: string; lockId?: string }[] }) => p.events.map((e) => `${e.kind}:${e.lockId}`);
      const ofA = ['released:a2', 'acquired:a2', 'released:a1', 'acquired:a1', 'released:a0', 'acquired:a0'];
      expect(await client.recentHistory({ name: a })).toMatchObject({ more: false });
      expect(shown(await client.recentHistory({ name: a }))).toEqual(ofA);
      const two = await client.recentHistory({ name: a, limit: 2 });
      expect(shown(two)).toEqual(ofA.slice(0, 2));
      expect(two.more).toBe(true);
      const six = await client.recentHistory({ name: a, limit: 6 });
      expect(shown(six)).toEqual(ofA);
      expect(six.more).toBe(false);
      // a2 was taken at t0 + 8 s.
      expect(shown(await client.recentHistory({ name: a, since: t0 + 8000 }))).toEqual(ofA.slice(0, 2));
      expect(await client.historyOf(a)).toEqual((await client.recentHistory({ name: a })).events.reverse());

      // Every env's: newest first, interleaved by time (other envs' events may be in the same store).
      const across = await client.recentHistory({ limit: 10_000 });
      const mine = (p: { events: { name: string; kind: string; lockId?: string }[] }) => shown({ events: p.events.filter((e) => e.name === a || e.name === b) });
      expect(mine(across)).toEqual(['released:b2', 'acquired:b2', 'released:a2', 'acquired:a2', 'released:b1', 'acquired:b1', 'released:a1', 'acquired:a1', 'released:b0', 'acquired:b0', 'released:a0', 'acquired:a0']);
      const times = across.events.map((e) => e.at);
      expect(times).toEqual([...times].sort((x, y) => y - x));
      const three = await client.recentHistory({ limit: 3 });
      expect(three.events).toEqual(across.events.slice(0, 3));
      expect(three.more).toBe(true);
      expect(mine(await client.recentHistory({ since: t0 + 8000, limit: 10_000 }))).toEqual(['released:b2', 'acquired:b2', 'released:a2', 'acquired:a2']);
    });

    it('claimNotice: the first claim of an id wins, even among concurrent claimers; other ids and envs are separate', async () => {
      const { store } = await setup();
      const name = env();
      const keep = Date.now() + 86_400_000;
      const racing = await Promise.all(Array.from({ length: 8 }, () => store.claimNotice(name, 'lapsed:7', keep)));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await store.claimNotice(name, 'lapsed:7', keep)).toBe(false);
      expect(await store.claimNotice(name, 'lapsed:8', keep)).toBe(true);
      expect(await store.claimNotice(`${name}-other`, 'lapsed:7', keep)).toBe(true);
      // A notice record is not a lock, a queue entry or a history event.
      expect((await store.list()).map((i) => i.name)).not.toContain(name);
      expect(await store.listQueue(name)).toEqual([]);
    });
  });
}
