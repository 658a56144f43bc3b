import { parseDuration } from '../lock/durations.js';
import type { LockClientOptions } from '../lock/client.js';
import { DEFAULTS } from './defaults.js';
import { nonEmpty, UsageError, type Env } from './common.js';

/**
 * Protocol settings shared by every surface: DAPLAYA_CLOCK_SKEW (allowance for clock
 * differences between machines when a lease is shown as expired, and in the long-lapsed
 * shortcut; default 5s), DAPLAYA_HISTORY_DAYS and DAPLAYA_QUEUE_TTL. Every loader
 * (CLI, action, renewer, Slack) returns them, ready for `new LockClient(store, protocol)`.
 */
export type ProtocolSettings = Pick<LockClientOptions, 'skewMs' | 'historyMs' | 'queue'> & { skewMs: number; historyMs: number };

export function loadProtocolSettings(env: Env): ProtocolSettings {
  const skew = nonEmpty(env.DAPLAYA_CLOCK_SKEW);
  const out: ProtocolSettings = { historyMs: parseHistoryDays(env), skewMs: skew === undefined ? DEFAULTS.skewMs : parseDuration(skew, 'DAPLAYA_CLOCK_SKEW') };
  const queueTtl = nonEmpty(env.DAPLAYA_QUEUE_TTL);
  if (queueTtl !== undefined) {
    const ttlMs = parseDuration(queueTtl, 'DAPLAYA_QUEUE_TTL');
    if (ttlMs < 1000) throw new UsageError('DAPLAYA_QUEUE_TTL must be at least 1s');
    out.queue = { ttlMs, refreshMs: Math.floor(ttlMs / 3) };
  }
  return out;
}

/** DAPLAYA_HISTORY_DAYS: days to keep history (0 turns it off). */
export function parseHistoryDays(env: Env): number {
  const raw = nonEmpty(env.DAPLAYA_HISTORY_DAYS);
  if (raw === undefined) return DEFAULTS.historyDays * 86_400_000;
  if (!/^\d+$/.test(raw)) throw new UsageError(`DAPLAYA_HISTORY_DAYS must be a whole number of days, got ${JSON.stringify(raw)}`);
  return Number(raw) * 86_400_000;
}
