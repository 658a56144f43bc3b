import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { MemoryStore } from '../../src/store/memory.js';

/**
 * Random interleavings of acquire / renew / release / force / lost-response retries /
 * time passing, by clients whose clocks disagree, against the in-memory model.
 * A client believes it holds the lock from a successful acquire or renew until its
 * lease ends by its own clock. The property: two clients never believe at once,
 * except that a forced takeover leaves the ousted client believing with a lower
 * fence (which a fencing target rejects) until its lease or next renew.
 */

type Op =
  | { t: 'acquire' | 'acquireLost' | 'renew' | 'release' | 'force'; c: number }
  | { t: 'advance'; ms: number };

const LEASE = 10_000;
const CLIENTS = 4;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constantFrom('acquire', 'acquireLost', 'renew', 'release', 'force'), c: fc.integer({ min: 0, max: CLIENTS - 1 }) }) as fc.Arbitrary<Op>,
  fc.record({ t: fc.constant('advance'), ms: fc.integer({ min: 1, max: 90_000 }) }) as fc.Arbitrary<Op>,
);

async function runScenario(ops: Op[], offsets: number[], skewMs: number): Promise<string | undefined> {
  const store = new MemoryStore();
  let realNow = 1_800_000_000_000;
  const clients = offsets.map((o) => new LockClient(store, { clock: () => realNow + o, skewMs, historyMs: 0, transientRetries: 0 }));
  const clock = (c: number) => realNow + (offsets[c] as number);
  const belief = new Map<number, { fence: number; expiresAt: number }>();
  let forced = false;
  for (const op of ops) {
    if (op.t === 'advance') realNow += op.ms;
    else {
      const client = clients[op.c] as LockClient;
      const req = { name: 'e', lockId: `c${op.c}`, user: `u${op.c}`, meta: '', leaseMs: LEASE, waitMs: 0 };
      if (op.t === 'acquire' || op.t === 'force') {
        const r = await client.acquire(op.t === 'force' ? { ...req, force: { reason: 'test' } } : req);
        if (r.acquired) belief.set(op.c, { fence: r.lock.fence, expiresAt: r.lock.expiresAt });
        if (op.t === 'force') forced = true;
      } else if (op.t === 'acquireLost') {
        // The write lands but the answer is lost: the client learns nothing.
        await store.acquire('e', { lockId: req.lockId, user: req.user, meta: '', uberlock: false, leaseMs: LEASE }, clock(op.c), skewMs);
      } else if (op.t === 'renew') {
        const b = belief.get(op.c);
        if (b) {
          const r = await client.renew({ name: 'e', lockId: req.lockId, fence: b.fence }, LEASE);
          if (r.renewed) belief.set(op.c, { fence: r.lock.fence, expiresAt: r.lock.expiresAt });
          else belief.delete(op.c);
        }
      } else {
        await client.release('e', { lockId: req.lockId });
        belief.delete(op.c);
      }
    }
    const item = await store.get('e');
    const believers = [...belief.entries()].filter(([c, b]) => clock(c) < b.expiresAt);
    const current = believers.filter(([, b]) => b.fence === item?.fence);
    if (current.length > 1) return `two believers with the current fence after ${JSON.stringify(op)}`;
    for (const [c, b] of believers) {
      if (b.fence > (item?.fence ?? 0)) return `client ${c} believes a fence the store never issued`;
    }
    if (!forced && believers.length > 1) return `two holders at once after ${JSON.stringify(op)}: ${JSON.stringify(believers)}`;
  }
  return undefined;
}

describe('the lock protocol never yields two holders (property-based)', () => {
  it('with synchronised clocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), async (ops) => {
        expect(await runScenario(ops, [0, 0, 0, 0], 5_000)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('with clocks up to ±30 s apart and a 60 s skew allowance', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: -30_000, max: 30_000 }), { minLength: CLIENTS, maxLength: CLIENTS }),
        async (ops, offsets) => {
          expect(await runScenario(ops, offsets, 60_000)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('control: the same check finds double holders when the allowance is smaller than the skew', async () => {
    const result = await fc.check(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: -30_000, max: 30_000 }), { minLength: CLIENTS, maxLength: CLIENTS }),
        async (ops, offsets) => (await runScenario(ops, offsets, 0)) === undefined,
      ),
      { numRuns: 500 },
    );
    expect(result.failed).toBe(true);
  });
});
