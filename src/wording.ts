import type { BusyReport, Holder, QueuedAhead } from './lock/client.js';
import type { RenewalEnd } from './lock/renewal.js';
import type { GivenBack } from './session/job-lock.js';
import { formatDuration } from './lock/durations.js';
import type { EnvStats, Spread } from './lock/stats.js';
import { lockState, unreadableExpiry } from './lock/rules.js';
import { toHolder } from './lock/acquire.js';
import { NEVER, type HistoryEvent, type LockItem, type QueueEntry } from './lock/types.js';

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
  const end = h.uberlock && typeof h.expiresAt === 'number' && h.expiresAt < NEVER ? `frozen until ${iso(h.expiresAt)}` : expiresText(h.expiresAt, now);
  const parts = [h.meta, `since ${iso(h.since)}`, `for ${formatDuration(now - h.since)}`, end].filter((p) => p !== '');
  return `${h.uberlock ? 'UBERLOCK by ' : ''}${h.user} (${parts.join(', ')})`;
}

export function busyLine(h: Holder, now: number): string {
  return `still locked at env ${h.name} by ${describeHolder(h, now)}`;
}

/**
 * What a lock belongs to, read from its lock id: a whole GitHub workflow run or GitLab
 * pipeline (taken by one job, given back by a later one), one step of a job, a job, or
 * a person (terminal, Slack).
 */
export function scopeOf(lockId: string | undefined): 'run' | 'pipeline' | 'step' | 'job' | 'person' | undefined {
  if (lockId === undefined) return undefined;
  if (/^github:.*:run$/.test(lockId)) return 'run';
  if (/^gitlab:.*:pipeline:\d+$/.test(lockId)) return 'pipeline';
  if (/:step:[0-9a-f]+$/.test(lockId)) return 'step';
  if (/^(github|gitlab):/.test(lockId)) return 'job';
  return 'person';
}

const SCOPE_WORDS = { run: 'the workflow run', pipeline: 'the pipeline', step: 'one step of a job', job: 'a job', person: 'a person (terminal or Slack)' } as const;

/** `held by the workflow run` etc., for status lines. */
export function scopeText(lockId: string | undefined): string {
  const s = scopeOf(lockId);
  return s ? `held by ${SCOPE_WORDS[s]}` : '';
}

const STATE_WORD = { free: 'free', held: 'locked', frozen: 'uberlocked', expired: 'expired' } as const;

/** A lock item as `--json` shows it, judged by rules.lockState like every other reader. */
export function itemToJson(it: LockItem, now: number, skewMs: number) {
  return {
    env: it.name,
    state: STATE_WORD[lockState(it, now, skewMs)],
    scope: scopeOf(it.owner),
    user: it.owner !== undefined ? it.user : undefined,
    meta: it.owner !== undefined ? it.meta : undefined,
    metaData: it.owner !== undefined ? it.metaData : undefined,
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

/** A holder in `--json`, with the same names and formats as a lock item in `locks --json`. */
export function holderToJson(h: Holder, now: number) {
  return {
    env: h.name,
    state: h.uberlock ? 'uberlocked' : typeof h.expiresAt === 'number' && h.expiresAt < now ? 'expired' : 'locked',
    scope: scopeOf(h.lockId),
    user: h.user,
    meta: h.meta,
    lockId: h.lockId,
    since: iso(h.since),
    expiresAt: unreadableExpiry(h.expiresAt) ? 'unreadable' : h.expiresAt >= NEVER ? null : iso(h.expiresAt),
    fence: h.fence,
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

/** `p50/p95/max` of a spread of durations; `-` when there is no sample. */
export function spreadText(s: Spread): string {
  return s.count === 0 ? '-' : [s.p50, s.p95, s.max].map((v) => formatDuration(v ?? 0)).join('/');
}

/** What `stats` covers: `history since T (7d)`. */
export function statsHeading(since: number, now: number): string {
  return `history since ${iso(since)} (${formatDuration(now - since)})`;
}

/** The rows of the stats table, header first: the CLI's `stats` and Slack's `stats` show the same. */
export function statsRows(stats: EnvStats[]): string[][] {
  const rows = [['ENV', 'ACQUIRED', 'FAILED', 'FORCED', 'LAPSED', 'FORCE-RELEASED', 'WAIT p50/p95/max', 'HOLD p50/p95/max']];
  for (const s of stats) {
    rows.push([s.env, String(s.acquisitions), String(s.failures), String(s.forcedTakeovers), String(s.lapses), String(s.forcedReleases), spreadText(s.waitMs), spreadText(s.holdMs)]);
  }
  return rows;
}

/** `status`: the lock's state and holder, then indented lines (force, queue). The CLI's `status` and Slack's `status` say the same. */
export function statusLines(name: string, item: LockItem | undefined, waiters: QueueEntry[], now: number, skewMs: number): string[] {
  const lines: string[] = [];
  const state = lockState(item, now, skewMs);
  const holder = item?.owner !== undefined ? toHolder(item as LockItem & { owner: string }) : undefined;
  if (holder && state === 'expired') lines.push(`env ${name} is EXPIRED: held by ${describeHolder(holder, now)}, fence ${holder.fence}; not released (its holder may have died); a waiter takes it over once it has seen it unchanged for a lease`);
  else if (holder) lines.push(`env ${name} is ${state === 'frozen' ? 'UBERLOCKED (frozen)' : 'locked'} by ${describeHolder(holder, now)}, fence ${holder.fence}, ${scopeText(holder.lockId)}`);
  else lines.push(`env ${name} is free${item?.lastUser ? ` (last held by ${item.lastUser}${item.releasedAt ? `, released ${iso(item.releasedAt)}` : ''})` : ''}`);
  if (holder && unreadableExpiry(holder.expiresAt)) lines.push(`  ${UNREADABLE_EXPIRY_HINT}: daplaya release --env ${name} --force --reason TEXT`);
  if (item?.forcedBy && holder) lines.push(`  taken by force from ${item.forcedFrom || 'nobody'}: ${item.forceReason}`);
  waiters.forEach((w, i) => lines.push(`  #${i + 1} in queue: ${w.user} (${w.meta}, waiting ${formatDuration(now - w.enqueuedAt)})`));
  return lines;
}

/** What a history event adds to its kind: the outcome, who forced whom and why, the meta, who held on. (`history` and Slack `history`.) */
export function historyDetail(e: HistoryEvent): string {
  if (e.kind === 'released') return e.outcome ?? '';
  if (e.kind === 'forced' || e.kind === 'force-released') return `by ${e.by} from ${e.from}: ${e.reason}`;
  if (e.kind === 'acquired') return `${e.uberlock ? 'UBERLOCK ' : ''}${e.meta ?? ''}`;
  if (e.kind === 'gave-up') return e.holder ? `held by ${e.holder}` : '';
  return '';
}
