import type { CliConfig } from '../config/cli.js';
import type { LockClient } from '../lock/client.js';
import { historyStats, type EnvStats } from '../lock/stats.js';
import { iso, statsHeading, statsRows, table } from '../wording.js';
import type { Io } from './acquire-for-cli.js';
import { EXIT } from './exit-codes.js';

/** `stats` looks this far back unless --since says otherwise. */
export const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;

/** The CloudWatch namespace of `stats --emf`. */
export const EMF_NAMESPACE = 'Daplaya';

/**
 * `daplaya stats [--env ENV] [--since DUR|TIME] [--json | --emf]`: acquisitions, failures
 * to acquire, forced takeovers and releases, lapses, and wait and hold p50/p95/max per env,
 * from the history (lock/stats.ts).
 */
export async function stats(client: LockClient, config: CliConfig, io: Io): Promise<number> {
  const now = Date.now();
  const since = config.since ?? now - DEFAULT_STATS_WINDOW_MS;
  const name = config.envs[0];
  const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), since });
  const figures = historyStats(page.events, since, now + 1);
  if (config.emf) {
    for (const s of figures) io.out(JSON.stringify(emfDocument(s, now, since)));
    return EXIT.ok;
  }
  if (config.json) {
    io.out(JSON.stringify({ since: iso(since), until: iso(now), envs: figures }));
    return EXIT.ok;
  }
  io.out(statsHeading(since, now));
  io.out(figures.length > 0 ? table(statsRows(figures)) : 'no history');
  return EXIT.ok;
}

/**
 * One CloudWatch Embedded Metric Format document (one log line) for an env: counts as
 * `Count`, durations as `Milliseconds`, dimension `Env`. A duration with no sample in the
 * window is left out rather than reported as 0. Printed to stdout, a Lambda's or a
 * container's log group turns these into metrics with no agent and no API call.
 */
export function emfDocument(s: EnvStats, now: number, since: number): Record<string, unknown> {
  const metrics: [string, 'Count' | 'Milliseconds', number | undefined][] = [
    ['Acquisitions', 'Count', s.acquisitions],
    ['AcquireFailures', 'Count', s.failures],
    ['ForcedTakeovers', 'Count', s.forcedTakeovers],
    ['ForcedReleases', 'Count', s.forcedReleases],
    ['Lapses', 'Count', s.lapses],
    ['WaitP50', 'Milliseconds', s.waitMs.p50],
    ['WaitP95', 'Milliseconds', s.waitMs.p95],
    ['WaitMax', 'Milliseconds', s.waitMs.max],
    ['HoldP50', 'Milliseconds', s.holdMs.p50],
    ['HoldP95', 'Milliseconds', s.holdMs.p95],
    ['HoldMax', 'Milliseconds', s.holdMs.max],
  ];
  const present = metrics.filter((m): m is [string, 'Count' | 'Milliseconds', number] => m[2] !== undefined);
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [['Env']], Metrics: present.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    Env: s.env,
    Since: iso(since),
    ...Object.fromEntries(present.map(([n, , v]) => [n, v])),
  };
}
