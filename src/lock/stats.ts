import type { HistoryEvent } from './types.js';

/** A distribution of durations (ms): how many, and the nearest-rank percentiles. Absent figures when there is no sample. */
export interface Spread {
  count: number;
  p50?: number;
  p95?: number;
  max?: number;
}

/** What the history says about one env over a window. */
export interface EnvStats {
  env: string;
  /** Locks taken (forced ones included). */
  acquisitions: number;
  /** Waits that ended with the lock still busy (history kind `gave-up`). */
  failures: number;
  /** Locks taken by force from a holder. */
  forcedTakeovers: number;
  forcedReleases: number;
  /** Holders whose lease ran out without a release, as found by whoever took over (kind `expired`). */
  lapses: number;
  /** Time waited by those who got the lock. */
  waitMs: Spread;
  /** Time held, from releases (normal and forced) that say how long. */
  holdMs: Spread;
}

/** The nearest-rank percentile q (0–100) of sorted values: the smallest value with at least q% of values at or below it. */
export function percentile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function spread(values: number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  const s: Spread = { count: sorted.length };
  if (sorted.length > 0) {
    s.p50 = percentile(sorted, 50) as number;
    s.p95 = percentile(sorted, 95) as number;
    s.max = sorted[sorted.length - 1] as number;
  }
  return s;
}

/** Per-env figures from history events at or after `since` (and before `until`, when given), sorted by env. */
export function historyStats(events: HistoryEvent[], since: number, until = Number.POSITIVE_INFINITY): EnvStats[] {
  const byEnv = new Map<string, HistoryEvent[]>();
  for (const e of events) {
    if (e.at < since || e.at >= until) continue;
    let list = byEnv.get(e.name);
    if (!list) byEnv.set(e.name, (list = []));
    list.push(e);
  }
  return [...byEnv.keys()].sort().map((env) => {
    const es = byEnv.get(env) as HistoryEvent[];
    const count = (kind: HistoryEvent['kind']) => es.filter((e) => e.kind === kind).length;
    return {
      env,
      acquisitions: count('acquired'),
      failures: count('gave-up'),
      forcedTakeovers: count('forced'),
      forcedReleases: count('force-released'),
      lapses: count('expired'),
      waitMs: spread(es.filter((e) => e.kind === 'acquired' && e.waitedMs !== undefined).map((e) => e.waitedMs as number)),
      holdMs: spread(es.filter((e) => (e.kind === 'released' || e.kind === 'force-released') && e.heldMs !== undefined).map((e) => e.heldMs as number)),
    };
  });
}
