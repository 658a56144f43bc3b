import type { BusyReport, Holder, QueuedAhead } from './lock/client.js';
import type { RenewalEnd } from './lock/renewal.js';
import type { GivenBack } from './session/job-lock.js';
import { formatDuration } from './lock/durations.js';
import { lockState, unreadableExpiry } from './lock/rules.js';
import { NEVER, type LockItem } from './lock/types.js';

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

const STATE_WORD = { free: 'free', held: 'locked', frozen: 'uberlocked', expired: 'expired' } as const;

/** A lock item as `--json` shows it, judged by rules.lockState like every other reader. */
export function itemToJson(it: LockItem, now: number, skewMs: number) {
  return {
    env: it.name,
    state: STATE_WORD[lockState(it, now, skewMs)],
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

/**
 * Words shared by every surface (CLI, action, Slack, GitLab through the CLI). Each
 * returns a phrase without a surface's prefix: the CLI adds `daplaya: `, the action
 * capitalises it, Slack adds its markup.
 */

/** Why a lock was not obtained: it always says by whom, or who is queued ahead. */
export function notAcquiredText(r: { reason: 'busy' | 'cancelled'; holder?: Holder; queuedAhead?: QueuedAhead }, envs: string[], now: number): string {
  const env = r.holder?.name ?? envs.join(',');
  if (r.reason === 'cancelled') return `cancelled while waiting for env ${env}${r.holder ? ` held by ${describeHolder(r.holder, now)}` : ''}`;
  if (r.holder) return `env ${env} is locked by ${describeHolder(r.holder, now)}`;
  if (r.queuedAhead) {
    const q = r.queuedAhead;
    return `env ${env} is free, but ${q.count} waiter(s) are queued ahead (first: ${q.first.user}${q.first.meta ? `, ${q.first.meta}` : ''})`;
  }
  return `env ${env} was taken and given back while we tried`;
}

/** What giving an env back found. */
export function givenBackText(g: GivenBack, now: number): string {
  if (g.outcome === 'released') return `released env ${g.name}`;
  if (g.outcome === 'taken-over') return `env ${g.name} is now held by ${describeHolder(g.holder, now)}, fence ${g.holder.fence}: it was taken over while the job ran`;
  return `env ${g.name} was no longer held at release: its lease lapsed`;
}

/** Why a holder stopped holding: taken over, or no renewal confirmed in time. */
export function lostText(end: Extract<RenewalEnd, { reason: 'lost' | 'unconfirmed' }>, leaseMs: number, now: number): string {
  return end.reason === 'lost'
    ? `the lock on env ${end.name} was lost${end.holder ? `: taken by ${describeHolder(end.holder, now)}, fence ${end.holder.fence}` : ''}`
    : `no renewal of the lock on env ${end.name} was confirmed for ${formatDuration(end.sinceMs)} (lease ${formatDuration(leaseMs)})`;
}

/** While waiting, a line on every change of holder or place in the queue, and otherwise at most this often. */
export const PROGRESS_EVERY_MS = 30_000;

/**
 * Progress while waiting, without flooding the log: one line when the holder or our
 * place changes, else one every PROGRESS_EVERY_MS, each with time waited and left,
 * and once how the holder can be reached or the lock released.
 */
export function progressReporter(envs: string[], waitMs: number, print: (line: string) => void, clock: () => number = Date.now): (b: BusyReport) => void {
  let lastKey: string | undefined;
  let lastAt = 0;
  let hinted = false;
  return (b) => {
    const now = clock();
    const key = `${b.holder?.lockId ?? '-'}|${b.position ?? '-'}`;
    if (key === lastKey && now - lastAt < PROGRESS_EVERY_MS) return;
    lastKey = key;
    lastAt = now;
    const left = Math.max(0, waitMs - b.waitedMs);
    print(`${progressLine(b.holder?.name ?? envs.join(','), { ...b, nextAttemptInMs: 0 }, now)} (waited ${formatDuration(b.waitedMs)}, ${formatDuration(left)} left)`);
    if (b.holder && !hinted) {
      hinted = true;
      print(`ask ${b.holder.user} to release it, or an admin can: daplaya release --env ${b.holder.name} --force --reason TEXT`);
    }
  };
}
