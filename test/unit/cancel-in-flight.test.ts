import { describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import type { LockStore } from '../../src/lock/types.js';
import { MemoryStore } from '../../src/store/memory.js';

/** Every store call takes `ms`: a cancel can land while a write is in flight. */
function slowed(store: MemoryStore, ms: number): LockStore {
  return new Proxy(store, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? async (...args: unknown[]) => (await new Promise((r) => setTimeout(r, ms)), v.apply(target, args)) : v;
    },
  }) as LockStore;
}

describe('a cancel that lands while a write is in flight', () => {
  it('lets the write settle and ends the wait as cancelled, leaving no queue entry alive', async () => {
    const mem = new MemoryStore();
    const holder = new LockClient(mem);
    await holder.acquire({ name: 'e', lockId: 'holder', user: 'h', meta: '', leaseMs: 60_000, waitMs: 0 });
    const client = new LockClient(slowed(mem, 100));
    const ac = new AbortController();
    const waiting = client.acquire({ name: 'e', lockId: 'w', user: 'w', meta: '', leaseMs: 60_000, waitMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const r = await waiting;
    expect(r).toMatchObject({ acquired: false, reason: 'cancelled' });
    expect((await mem.get('e'))?.owner).toBe('holder');
    expect(await holder.waiters('e')).toEqual([]);
  });

  it('keeps an acquisition that completed as the cancel arrived, so the caller can release it', async () => {
    const mem = new MemoryStore();
    const client = new LockClient(slowed(mem, 100));
    const ac = new AbortController();
    const pending = client.acquire({ name: 'e', lockId: 'w', user: 'w', meta: '', leaseMs: 60_000, waitMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const r = await pending;
    expect(r.acquired).toBe(true);
    expect((await mem.get('e'))?.owner).toBe('w');
  });
});
