import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LAPSED_LONG_AGO_MS } from '../../src/lock/lease-watch.js';
import type { LockStore } from '../../src/lock/types.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';
import { freshDynamoStore } from '../helpers/dynamo.js';

/**
 * Random interleavings of acquire / renew / release / force / lost-response retries /
 * time passing, by clients whose wall clocks disagree, against the store.
 * A client believes it holds the lock from a successful acquire or renew until a lease
 * has passed on its own monotonic clock since it sent that write (as `run` and the
 * renewers do: lock/renewal.ts). The property: two clients never believe at once,
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

async function runScenario(store: LockStore, ops: Op[], offsets: number[], skewMs: number): Promise<string | undefined> {
  let realNow = 1_800_000_000_000;
  // Monotonic clocks run at the same rate everywhere but start anywhere.
  const monoStart = offsets.map((_, i) => i * 7_777);
  const clients = offsets.map((o, i) => new LockClient(store, { clock: () => realNow + o, monotonic: () => realNow + (monoStart[i] as number), skewMs, historyMs: 0, transientRetries: 0 }));
  const clock = (c: number) => realNow + (offsets[c] as number);
  const mono = (c: number) => realNow + (monoStart[c] as number);
  const belief = new Map<number, { fence: number; until: number }>();
  let forced = false;
  for (const op of ops) {
    if (op.t === 'advance') realNow += op.ms;
    else {
      const client = clients[op.c] as LockClient;
      const req = { name: 'e', lockId: `c${op.c}`, user: `u${op.c}`, meta: '', leaseMs: LEASE, waitMs: 0 };
      if (op.t === 'acquire' || op.t === 'force') {
        const sentAt = mono(op.c);
        const r = await client.acquire(op.t === 'force' ? { ...req, force: { reason: 'test' } } : req);
        if (r.acquired) belief.set(op.c, { fence: r.lock.fence, until: sentAt + LEASE });
        if (op.t === 'force') forced = true;
      } else if (op.t === 'acquireLost') {
        // The write lands but the answer is lost: the client learns nothing.
        await store.acquire('e', { lockId: req.lockId, user: req.user, meta: '', uberlock: false, leaseMs: LEASE }, clock(op.c));
      } else if (op.t === 'renew') {
        const b = belief.get(op.c);
        if (b) {
          const sentAt = mono(op.c);
          const r = await client.renew({ name: 'e', lockId: req.lockId, fence: b.fence }, LEASE);
          if (r.renewed) belief.set(op.c, { fence: r.lock.fence, until: sentAt + LEASE });
          else belief.delete(op.c);
        }
      } else {
        await client.release('e', { lockId: req.lockId });
        belief.delete(op.c);
      }
    }
    const item = await store.get('e');
    const believers = [...belief.entries()].filter(([c, b]) => mono(c) < b.until);
    const current = believers.filter(([, b]) => b.fence === item?.fence);
    if (current.length > 1) return `two believers with the current fence after ${JSON.stringify(op)}`;
    for (const [c, b] of believers) {
      if (b.fence > (item?.fence ?? 0)) return `client ${c} believes a fence the store never issued`;
    }
    if (!forced && believers.length > 1) return `two holders at once after ${JSON.stringify(op)}: ${JSON.stringify(believers)}`;
  }
  return undefined;
}

// The same model over the stores of the contract suite: rules.ts and the DynamoDB
// condition expressions are the one deliberate duplication, so both are checked.
const stores: [string, () => Promise<LockStore>, number][] = [
  ['memory', async () => new MemoryStore(), 300],
  ['file', async () => new FileStore(mkdtempSync(path.join(os.tmpdir(), 'daplaya-prop-'))), 60],
  ['DynamoDB Local', () => freshDynamoStore(), 15],
];

describe.each(stores)('the lock protocol never yields two holders (property-based, %s store)', (_label, makeStore, numRuns) => {
  it('with synchronised clocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), async (ops) => {
        expect(await runScenario(await makeStore(), ops, [0, 0, 0, 0], 5_000)).toBeUndefined();
      }),
      { numRuns },
    );
  });

  it('with clocks up to ±5 min apart and the default 5 s skew allowance', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: CLIENTS, maxLength: CLIENTS }),
        async (ops, offsets) => {
          expect(await runScenario(await makeStore(), ops, offsets, 5_000)).toBeUndefined();
        },
      ),
      { numRuns },
    );
  });
});

describe('control', () => {
  it('the same check finds double holders when clocks disagree by more than the long-lapsed shortcut allows', async () => {
    // Ten minutes plus the allowance is how far the wall clock is still trusted (lease-watch.ts).
    const ops = fc.array(opArb, { minLength: 1, maxLength: 120 });
    const offsets = fc.array(fc.integer({ min: -LAPSED_LONG_AGO_MS, max: LAPSED_LONG_AGO_MS }), { minLength: CLIENTS, maxLength: CLIENTS });
    const result = await fc.check(
      fc.asyncProperty(ops, offsets, async (o, off) => (await runScenario(new MemoryStore(), o, off.map((x) => x * 2), 0)) === undefined),
      { numRuns: 2000 },
    );
    expect(result.failed).toBe(true);
  });
});
