import type { AcquireRequest, Holder, LockClient, QueuedAhead } from './client.js';

export interface AcquiredLock {
  name: string;
  lockId: string;
  user: string;
  fence: number;
  waitedMs: number;
  acquiredAt: number;
  expiresAt: number;
  /** Monotonic time before the acquiring write was sent (AcquireResult.confirmedAt). */
  confirmedAt: number;
  tookOverFrom?: Holder;
}

export type AcquireAllResult =
  | { ok: true; locks: AcquiredLock[]; waitedMs: number }
  | { ok: false; reason: 'busy' | 'cancelled'; holder?: Holder; queuedAhead?: QueuedAhead; waitedMs: number };

/**
 * Takes every named lock, all or none. Names are taken in sorted order, so two
 * requests for overlapping sets cannot each hold what the other waits for; if one
 * lock cannot be had within the shared wait, those already taken are given back.
 */
export async function acquireAll(
  client: LockClient,
  names: string[],
  req: Omit<AcquireRequest, 'name'>,
  clock: () => number = Date.now,
): Promise<AcquireAllResult> {
  const start = clock();
  const taken: AcquiredLock[] = [];
  for (const name of [...names].sort()) {
    const r = await client.acquire({ ...req, name, waitMs: Math.max(0, req.waitMs - (clock() - start)) });
    if (!r.acquired) {
      for (const t of taken.reverse()) await client.release(t.name, { lockId: t.lockId }).catch(() => undefined);
      const out: AcquireAllResult = { ok: false, reason: r.reason, waitedMs: clock() - start };
      if (r.holder) out.holder = r.holder;
      if (r.queuedAhead) out.queuedAhead = r.queuedAhead;
      return out;
    }
    const lock: AcquiredLock = {
      name,
      lockId: r.lock.lockId,
      user: r.lock.user,
      fence: r.lock.fence,
      waitedMs: r.waitedMs,
      acquiredAt: r.lock.since,
      expiresAt: r.lock.expiresAt,
      confirmedAt: r.confirmedAt,
    };
    if (r.tookOverFrom) lock.tookOverFrom = r.tookOverFrom;
    taken.push(lock);
  }
  return { ok: true, locks: taken, waitedMs: clock() - start };
}
