import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { historyStats, percentile } from '../../src/lock/stats.js';
import type { HistoryEvent } from '../../src/lock/types.js';
import { FileStore } from '../../src/store/file.js';
import { MemoryStore } from '../../src/store/memory.js';

/**
 * `daplaya stats` against a scripted history (written straight into a file store), and
 * its `--emf` lines checked against the CloudWatch Embedded Metric Format specification.
 */
const NOW = Date.now();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let n = 0;
const ev = (name: string, kind: HistoryEvent['kind'], ago: number, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({
  name,
  kind,
  at: NOW - ago,
  id: `e${n++}`,
  user: 'alice@example.com',
  keepUntil: NOW + 30 * DAY,
  ...extra,
});

const SCRIPT: HistoryEvent[] = [
  // prod, within the last 7 days: 5 acquisitions (one of them forced) waiting 0, 1s, 2s, 3s and 60s;
  ev('prod', 'acquired', 5 * HOUR, { waitedMs: 0 }),
  ev('prod', 'released', 5 * HOUR - 10_000, { heldMs: 10_000, outcome: 'success' }),
  ev('prod', 'acquired', 4 * HOUR, { waitedMs: 1000 }),
  ev('prod', 'released', 4 * HOUR - 20_000, { heldMs: 20_000, outcome: 'failed' }),
  ev('prod', 'gave-up', 4 * HOUR - 1000, { waitedMs: 60_000, holder: 'alice@example.com' }),
  ev('prod', 'acquired', 3 * HOUR, { waitedMs: 2000 }),
  ev('prod', 'released', 3 * HOUR - 30_000, { heldMs: 30_000 }),
  ev('prod', 'acquired', 2 * HOUR, { waitedMs: 3000 }),
  ev('prod', 'expired', 2 * HOUR - 5000, { user: 'dead@example.com' }),
  ev('prod', 'acquired', 2 * HOUR - 5000, { waitedMs: 60_000 }),
  ev('prod', 'released', 2 * HOUR - 45_000, { heldMs: 40_000 }),
  ev('prod', 'forced', HOUR, { by: 'bob@example.com', from: 'carol@example.com', reason: 'hotfix' }),
  ev('prod', 'force-released', HOUR - 100_000, { heldMs: 100_000, by: 'admin', from: 'bob@example.com', reason: 'stuck' }),
  ev('prod', 'gave-up', HOUR - 1000, { waitedMs: 30_000 }),
  ev('prod', 'extended', HOUR - 2000),
  // staging: one short hold.
  ev('staging', 'acquired', 30 * 60_000, { waitedMs: 500 }),
  ev('staging', 'released', 30 * 60_000 - 1000, { heldMs: 1000 }),
  // prod, 10 days ago: outside the default window of 7 days.
  ev('prod', 'acquired', 10 * DAY, { waitedMs: 999_000 }),
];

async function scriptedStore(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-stats-'));
  const store = new FileStore(dir);
  await store.init();
  for (const e of SCRIPT) await store.addHistory(e);
  return dir;
}

async function cli(argv: string[], dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--store', 'file', '--store-dir', dir], { HOME: os.tmpdir() }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.filter((l) => !l.startsWith('daplaya: using ')) };
}

describe('stats figures', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5], 95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
  });

  it('per env from the scripted history: counts, wait and hold p50/p95/max', () => {
    const s = historyStats(SCRIPT, NOW - 7 * DAY);
    expect(s).toEqual([
      {
        env: 'prod',
        acquisitions: 5,
        failures: 2,
        forcedTakeovers: 1,
        forcedReleases: 1,
        lapses: 1,
        waitMs: { count: 5, p50: 2000, p95: 60_000, max: 60_000 },
        holdMs: { count: 5, p50: 30_000, p95: 100_000, max: 100_000 },
      },
      {
        env: 'staging',
        acquisitions: 1,
        failures: 0,
        forcedTakeovers: 0,
        forcedReleases: 0,
        lapses: 0,
        waitMs: { count: 1, p50: 500, p95: 500, max: 500 },
        holdMs: { count: 1, p50: 1000, p95: 1000, max: 1000 },
      },
    ]);
  });

  it('a wait that ends busy is recorded as gave-up (a failure to acquire); a cancelled one is not', async () => {
    const store = new MemoryStore();
    const client = new LockClient(store);
    await client.acquire({ name: 'prod', lockId: 'a', user: 'alice', meta: '', leaseMs: 60_000, waitMs: 0 });
    const busy = await client.acquire({ name: 'prod', lockId: 'b', user: 'bob', meta: 'deploy 2', leaseMs: 60_000, waitMs: 300 });
    expect(busy.acquired).toBe(false);
    const controller = new AbortController();
    controller.abort();
    await client.acquire({ name: 'prod', lockId: 'c', user: 'carol', meta: '', leaseMs: 60_000, waitMs: 10_000, signal: controller.signal });
    const gaveUp = store.history.filter((e) => e.kind === 'gave-up');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({ name: 'prod', user: 'bob', lockId: 'b', meta: 'deploy 2', holder: 'alice' });
    expect(gaveUp[0]?.waitedMs).toBeGreaterThanOrEqual(250);
    expect(historyStats(store.history, 0)[0]).toMatchObject({ acquisitions: 1, failures: 1 });
  });
});

describe('daplaya stats', () => {
  it('prints a table per env over the last 7 days by default', async () => {
    const dir = await scriptedStore();
    const r = await cli(['stats'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(/^history since \S+Z \(7d\)$/);
    expect(r.out.slice(1).join('\n').split('\n')).toEqual([
      'ENV      ACQUIRED  FAILED  FORCED  LAPSED  FORCE-RELEASED  WAIT p50/p95/max   HOLD p50/p95/max',
      'prod     5         2       1       1       1               2s/1m/1m           30s/1m40s/1m40s',
      'staging  1         0       0       0       0               500ms/500ms/500ms  1s/1s/1s',
    ]);
  });

  it('--env and --since choose the window; --json gives milliseconds', async () => {
    const dir = await scriptedStore();
    const r = await cli(['stats', '--env', 'prod', '--since', '30d', '--json'], dir);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.join('\n'));
    expect(Date.parse(j.since)).toBeGreaterThan(NOW - 30 * DAY - 60_000);
    expect(j.envs).toEqual([
      {
        env: 'prod',
        acquisitions: 6,
        failures: 2,
        forcedTakeovers: 1,
        forcedReleases: 1,
        lapses: 1,
        waitMs: { count: 6, p50: 2000, p95: 999_000, max: 999_000 },
        holdMs: { count: 5, p50: 30_000, p95: 100_000, max: 100_000 },
      },
    ]);
    const none = await cli(['stats', '--env', 'nowhere'], dir);
    expect(none.code).toBe(0);
    expect(none.out.slice(1)).toEqual(['no history']);
    const bad = await cli(['stats', '--since', 'yesterday'], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toHaveLength(1);
  });

  it('--emf prints one CloudWatch Embedded Metric Format line per env, valid against the specification', async () => {
    const dir = await scriptedStore();
    const before = Date.now();
    const r = await cli(['stats', '--emf'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(2);
    const docs = r.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const d of docs) expect(emfProblems(d)).toEqual([]);
    const prod = docs.find((d) => d.Env === 'prod') as Record<string, unknown>;
    expect(prod).toMatchObject({ Acquisitions: 5, AcquireFailures: 2, ForcedTakeovers: 1, ForcedReleases: 1, Lapses: 1, WaitP50: 2000, WaitP95: 60_000, WaitMax: 60_000, HoldP50: 30_000, HoldP95: 100_000, HoldMax: 100_000 });
    const aws = prod._aws as { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    expect(aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('Daplaya');
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Env']]);
    expect(aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({ Name: 'WaitP95', Unit: 'Milliseconds' });
    expect(aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({ Name: 'Acquisitions', Unit: 'Count' });
    // An env with no samples of a duration leaves those metrics out rather than reporting 0.
    const quiet = historyStats([ev('quiet', 'gave-up', 1000)], 0);
    expect(quiet[0]?.waitMs).toEqual({ count: 0 });
  });
});

/**
 * The Embedded Metric Format specification (docs.aws.amazon.com, CloudWatch
 * "Specification: Embedded metric format"), as a checker: the root has `_aws` with an
 * integer `Timestamp` (ms since the epoch) and `CloudWatchMetrics`, an array of metric
 * directives; each directive has a `Namespace` (1–1024 characters), `Dimensions` (an
 * array of dimension sets: arrays of at most 30 names, each a root member whose value is
 * a string) and `Metrics` (at most 100, each with a `Name` of 1–1024 characters that is a
 * root member whose value is a number or an array of at most 100 numbers, an optional
 * `Unit` from CloudWatch's list and an optional `StorageResolution` of 1 or 60).
 */
const UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits',
  'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second',
  'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);
function emfProblems(doc: Record<string, unknown>): string[] {
  const p: string[] = [];
  const aws = doc._aws as Record<string, unknown> | undefined;
  if (typeof aws !== 'object' || aws === null) return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0) p.push('_aws.Timestamp is not an integer of ms');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) return [...p, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const d of directives as Record<string, unknown>[]) {
    if (typeof d.Namespace !== 'string' || d.Namespace.length < 1 || d.Namespace.length > 1024 || !/\S/.test(d.Namespace)) p.push('bad Namespace');
    if (!Array.isArray(d.Dimensions)) p.push('Dimensions is not an array');
    for (const set of (d.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) p.push('a dimension set is not an array of at most 30 names');
      for (const name of (set as unknown[]) ?? []) if (typeof name !== 'string' || typeof doc[name] !== 'string') p.push(`dimension ${String(name)} is not a root string member`);
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) p.push('Metrics is not an array of at most 100');
    for (const m of (d.Metrics as Record<string, unknown>[]) ?? []) {
      if (typeof m.Name !== 'string' || m.Name.length < 1 || m.Name.length > 1024) p.push('bad metric Name');
      const v = doc[m.Name as string];
      const numeric = typeof v === 'number' && Number.isFinite(v);
      const numbers = Array.isArray(v) && v.length <= 100 && v.every((x) => typeof x === 'number');
      if (!numeric && !numbers) p.push(`metric ${String(m.Name)} has no numeric root member`);
      if (m.Unit !== undefined && !UNITS.has(m.Unit as string)) p.push(`metric ${String(m.Name)} has unit ${String(m.Unit)}`);
      if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60) p.push('bad StorageResolution');
      const extra = Object.keys(m).filter((k) => !['Name', 'Unit', 'StorageResolution'].includes(k));
      if (extra.length) p.push(`metric ${String(m.Name)} has unknown keys ${extra.join(',')}`);
    }
  }
  return p;
}
