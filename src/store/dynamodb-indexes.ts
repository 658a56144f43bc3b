import type { AttributeDefinition, GlobalSecondaryIndex, TableDescription } from '@aws-sdk/client-dynamodb';
import { StoreError } from '../lock/types.js';

/**
 * The two sparse global secondary indexes of the table (docs/design.md, "Listing"):
 *
 * - `locks`: partition `lockIdx` (`LOCK#0`..`LOCK#3`, set on lock items only, by every
 *   write of one), sort `pk`. `locks` and Slack `leases` read it: a cost that grows with
 *   the number of envs, never with history. It projects only what a listing shows.
 * - `history`: partition `hDay` (`H#YYYY-MM-DD`, the UTC day of the event, set on
 *   history items only), sort `sk` (`H#<ISO time>#<id>`, so newest first is a reverse
 *   Query). `history` without `--env` reads the newest days first and stops at `--limit`.
 */
export const LOCKS_INDEX = 'locks';
export const HISTORY_INDEX = 'history';

/**
 * Lock items are spread over this many index partitions (by a hash of the env name), so
 * lock writes are spread too; listing queries each. Fixed: changing it needs `init` to
 * rewrite every lock item's `lockIdx` (it does: it rewrites any value that differs).
 */
export const LOCK_SHARDS = 4;

/**
 * What `locks`, `locks --json` and Slack `leases` show of a lock item (wording.ts itemToJson,
 * slack/blocks.ts). An index's projection cannot change once built: a later release that
 * lists more adds an index under a new name (and `init` creates it).
 */
export const LISTED_ATTRIBUTES = ['owner', 'user', 'meta', 'metaData', 'uberlock', 'acquiredAt', 'expiresAt', 'fence', 'lastUser', 'releasedAt', 'forcedBy', 'forcedFrom', 'forceReason'];

export const INDEXES: GlobalSecondaryIndex[] = [
  {
    IndexName: LOCKS_INDEX,
    KeySchema: [
      { AttributeName: 'lockIdx', KeyType: 'HASH' },
      { AttributeName: 'pk', KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: LISTED_ATTRIBUTES },
  },
  {
    IndexName: HISTORY_INDEX,
    KeySchema: [
      { AttributeName: 'hDay', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['event'] },
  },
];

export const INDEX_ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: 'lockIdx', AttributeType: 'S' },
  { AttributeName: 'hDay', AttributeType: 'S' },
];

/** The index partition of an env's lock item: FNV-1a of the name, modulo LOCK_SHARDS. */
export function lockShard(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `LOCK#${h % LOCK_SHARDS}`;
}

export const ALL_LOCK_SHARDS = Array.from({ length: LOCK_SHARDS }, (_, i) => `LOCK#${i}`);

/** The history index partition of a time: its UTC day. */
export function historyDay(at: number): string {
  return `H#${new Date(at).toISOString().slice(0, 10)}`;
}

/** The history index partition of a history item, from its sort key `H#<ISO time>#<id>`. */
export function historyDayOfSortKey(sk: string): string | undefined {
  const m = /^H#(\d{4}-\d{2}-\d{2})T/.exec(sk);
  return m ? `H#${m[1]}` : undefined;
}

/** Days from `to` back to `from` (inclusive), newest first, as index partitions. */
export function daysBack(to: number, from: number): string[] {
  const days: string[] = [];
  const DAY = 86_400_000;
  for (let t = Math.floor(to / DAY) * DAY; t >= Math.floor(from / DAY) * DAY; t -= DAY) days.push(historyDay(t));
  return days;
}

const keys = (g: { KeySchema?: { AttributeName?: string; KeyType?: string }[] }) => (g.KeySchema ?? []).map((k) => `${k.AttributeName}(${k.KeyType})`).join(' + ');

/** The indexes a table lacks, and those it has, by status. Throws if one of ours exists with other keys. */
export function indexState(table: string, t: TableDescription | undefined): { missing: GlobalSecondaryIndex[]; notActive: string[] } {
  const have = new Map((t?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName ?? '', g]));
  const missing: GlobalSecondaryIndex[] = [];
  const notActive: string[] = [];
  for (const want of INDEXES) {
    const g = have.get(want.IndexName ?? '');
    if (!g) {
      missing.push(want);
      continue;
    }
    if (keys(g) !== keys(want)) {
      throw new StoreError('other', `table ${table} has an index ${want.IndexName} keyed ${keys(g)}; daplaya needs ${keys(want)}: delete that index or pick another --table`, false);
    }
    if (g.IndexStatus !== 'ACTIVE' || g.Backfilling === true) notActive.push(want.IndexName ?? '');
  }
  return { missing, notActive };
}

/**
 * A read of an index that is not there yet (a table created by an earlier release, or one
 * whose index is still being built), or that the role may not read (a policy without the
 * index ARN). Such reads fall back to a scan and say why.
 */
export function indexUnusable(err: unknown): 'missing' | 'building' | 'denied' | undefined {
  const e = err as { name?: string; kind?: string; message?: string };
  const msg = e?.message ?? '';
  if (/backfilling global secondary index/i.test(msg)) return 'building';
  if (/does not have the specified index/i.test(msg)) return 'missing';
  if (e?.kind === 'access-denied' || e?.name === 'AccessDeniedException') return 'denied';
  return undefined;
}
