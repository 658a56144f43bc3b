import type { BusyReport, Holder } from '../lock/client.js';
import { formatDuration } from '../lock/names.js';
import { isHeld, unreadableExpiry } from '../lock/rules.js';
import { NEVER, type LockItem } from '../lock/types.js';

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What a held lock shows when its expiry cannot be read (rules.ts isHeld). */
export const UNREADABLE_EXPIRY_HINT = 'lease expiry unreadable (item edited by hand?); release it with --force --reason';

export function expiresText(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined || unreadableExpiry(expiresAt)) return 'lease expiry unreadable';
  if (expiresAt >= NEVER) return 'never expires';
  return expiresAt >= now ? `expires in ${formatDuration(expiresAt - now)}` : `expired ${formatDuration(now - expiresAt)} ago`;
}

/** `USER (meta, since T, for D; expires in E)` — the description of a holder used everywhere. */
export function describeHolder(h: Holder, now: number): string {
  const parts = [h.meta, `since ${iso(h.since)}`, `for ${formatDuration(now - h.since)}`, expiresText(h.expiresAt, now)].filter((p) => p !== '');
  return `${h.uberlock ? 'UBERLOCK by ' : ''}${h.user} (${parts.join(', ')})`;
}

export function busyLine(h: Holder, now: number): string {
  return `still locked at env ${h.name} by ${describeHolder(h, now)}`;
}

export function itemToJson(it: LockItem, now: number) {
  const held = isHeld(it, now);
  return {
    env: it.name,
    state: held ? (it.uberlock ? 'uberlocked' : 'locked') : it.owner !== undefined ? 'expired' : 'free',
    user: it.owner !== undefined ? it.user : undefined,
    meta: it.owner !== undefined ? it.meta : undefined,
    lockId: it.owner,
    since: it.acquiredAt !== undefined && it.owner !== undefined ? iso(it.acquiredAt) : undefined,
    expiresAt: it.owner === undefined ? undefined : it.expiresAt === undefined || unreadableExpiry(it.expiresAt) ? 'unreadable' : it.expiresAt >= NEVER ? null : iso(it.expiresAt),
    fence: it.fence,
    lastUser: it.lastUser,
    releasedAt: it.releasedAt !== undefined ? iso(it.releasedAt) : undefined,
    forcedBy: it.forcedBy,
    forceReason: it.forceReason,
  };
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** One line per waiting attempt: who holds the env, and where we stand in its queue. */
export function progressLine(env: string, b: BusyReport, now: number): string {
  const place = b.position === undefined ? '' : b.position === 1 ? '; you are next in the queue' : `; you are #${b.position} in the queue`;
  const next = b.nextAttemptInMs > 0 ? `; next try in ${(b.nextAttemptInMs / 1000).toFixed(1)}s` : '';
  if (b.holder) return `${busyLine(b.holder, now)}${place}${next}`;
  return `env ${env} is free, but ${Math.max(0, (b.position ?? 1) - 1)} waiter(s) queued ahead of you${next}`;
}
