import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { DynamoStore } from '../../src/store/dynamodb.js';
import { meter, writeHistoryItems } from '../helpers/bulk-history.mjs';
import { type Engine, LOCAL_AWS_ENV, startDynamoDbLocal } from '../helpers/engine.js';

// An engine of its own: on the run's shared DynamoDB Local (every table in one database,
// busy with the other test files) a new index was seen to stay CREATING for minutes.
const local = { endpoint: '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
let engine: Engine;
beforeAll(async () => {
  engine = await startDynamoDbLocal();
  local.endpoint = engine.endpoint;
});
afterAll(async () => {
  await engine?.stop();
});

/** The table as `init` made it before issue #13: keys pk + sk, on demand, TTL on `ttl`, no index. */
async function createOldTable(sdk: DynamoDBClient, table: string): Promise<void> {
  await sdk.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await sdk.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } }));
}

/** A lock item as the previous release wrote it (no lockIdx). */
function oldLockItem(name: string, item: Record<string, string | number | boolean>) {
  const attrs: Record<string, { S: string } | { N: string } | { BOOL: boolean }> = { pk: { S: name }, sk: { S: 'LOCK' } };
  for (const [k, v] of Object.entries(item)) attrs[k] = typeof v === 'number' ? { N: String(v) } : typeof v === 'boolean' ? { BOOL: v } : { S: v };
  return attrs;
}

async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n').split('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')) };
}

describe('a table created by the previous release', () => {
  it('keeps working before the upgrade (listing by a scan, saying so once), and `init` upgrades it: indexes added, old items listed, twice is fine', async () => {
    const table = `Old${process.pid}x${Date.now().toString(36)}`;
    const sdk = new DynamoDBClient({ ...local, maxAttempts: 10 });
    await createOldTable(sdk, table);
    const now = Date.now();
    await sdk.send(new PutItemCommand({ TableName: table, Item: oldLockItem('old-held', { owner: 'cli:old', user: 'olga@example.com', meta: 'old deploy', uberlock: false, acquiredAt: now - 60_000, updatedAt: now - 60_000, expiresAt: now + 3_600_000, leaseMs: 3_660_000, fence: 3 }) }));
    await sdk.send(new PutItemCommand({ TableName: table, Item: oldLockItem('old-free', { fence: 2, lastOwner: 'cli:x', lastUser: 'xavier@example.com', lastAcquiredAt: now - 7_200_000, releasedAt: now - 7_000_000, updatedAt: now - 7_000_000 }) }));
    // Queued once, never locked: a lock item made by a ticket.
    await sdk.send(new PutItemCommand({ TableName: table, Item: oldLockItem('old-queued', { fence: 0, nextTicket: 1, nowServing: 1, updatedAt: now - 1000 }) }));
    await writeHistoryItems(sdk, table, { count: 50, envs: ['old-held', 'old-free'], from: now - 3 * 86_400_000, to: now - 3_600_000, old: true });

    const env = { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, DAPLAYA_TABLE: table, DAPLAYA_USER: 'nina@example.com' };

    // Before the upgrade: the listing works (by a scan) and says, once, what upgrades the table.
    const before = await cli(['locks', '--all'], env);
    expect(before.code).toBe(0);
    expect(before.out.join('\n')).toMatch(/old-free\s+FREE[\s\S]*old-held\s+LOCKED\s+olga@example.com/);
    expect(before.err).toEqual([`daplaya: note: table ${table} has no \`locks\` index yet (made by an earlier daplaya), so listing locks scanned the whole table; \`daplaya init\` upgrades it`]);
    const histBefore = await cli(['history', '-n', '100', '--json'], env);
    expect(histBefore.code).toBe(0);
    expect(JSON.parse(histBefore.out.join(''))).toHaveLength(50);
    expect(histBefore.err).toEqual([expect.stringMatching(/^daplaya: note: table .* has no `history` index yet .*`daplaya init` upgrades it$/)]);
    // This release locks and releases on the old table as before.
    expect((await cli(['lock', '--env', 'new-env', '--meta', 'new deploy'], env)).code).toBe(0);
    expect((await cli(['history', '--env', 'old-held', '-n', '3', '--json'], env)).code).toBe(0);

    // The upgrade.
    const up = await cli(['init'], env);
    expect(up.code, up.err.join('\n')).toBe(0);
    expect(up.out).toEqual([
      `adding index locks to table ${table}`,
      `adding index history to table ${table}`,
      // old-held, old-free, old-queued; new-env's item and event were written with their index attributes.
      'gave 3 lock item(s) and 50 history event(s) their index attribute',
      `upgraded DynamoDB table ${table} in us-east-1 at ${local.endpoint}`,
    ]);
    const d = await sdk.send(new DescribeTableCommand({ TableName: table }));
    expect((d.Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName, g.IndexStatus]).sort()).toEqual([
      ['history', 'ACTIVE'],
      ['locks', 'ACTIVE'],
    ]);

    // After: the listing reads the index (no scan, no note) and has every env, old and new.
    const store = new DynamoStore({ table, ...local });
    const m = meter(store.client);
    expect((await new LockClient(store).list()).map((i) => i.name)).toEqual(['new-env', 'old-free', 'old-held', 'old-queued']);
    expect(m.requests).toEqual({ Query: 4 });
    const after = await cli(['locks'], env);
    expect(after.err).toEqual([]);
    expect(after.out.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['new-env LOCKED', 'old-held LOCKED']);
    m.reset();
    const across = await new LockClient(store).recentHistory({ limit: 100 });
    expect(m.requests.Scan).toBeUndefined();
    expect(across.events.filter((e) => e.name.startsWith('old-'))).toHaveLength(50);
    expect(across.events[0]).toMatchObject({ name: 'new-env', kind: 'acquired' });
    const histAfter = await cli(['history', '-n', '100'], env);
    expect(histAfter.err).toEqual([]);
    expect(histAfter.out).toHaveLength(52);
    store.close();

    // Twice is fine, and the table still locks.
    const again = await cli(['init'], env);
    expect(again.out).toEqual([`DynamoDB table ${table} in us-east-1 at ${local.endpoint} already exists; nothing to do`]);
    expect((await cli(['release', '--env', 'new-env'], env)).code).toBe(0);
    expect((await cli(['lock', '--env', 'old-free'], env)).code).toBe(0);
    expect((await cli(['locks', '--json'], env)).out.map((l) => JSON.parse(l).map((i: { env: string }) => i.env))).toEqual([['old-free', 'old-held']]);
    sdk.destroy();
  });

  it('every write that can create a lock item puts it in the locks index: acquire, a queue ticket, an uberlock announcement', async () => {
    const store = new DynamoStore({ table: `Idx${process.pid}x${Date.now().toString(36)}`, ...local });
    await store.init();
    const claim = { lockId: 'j1', user: 'u@example.com', meta: 'm', uberlock: false, leaseMs: 60_000 };
    await store.acquire('by-acquire', claim, Date.now());
    await store.takeTicket('by-ticket', 'join-1', Date.now());
    await store.markUberPending('by-uber-pending', Date.now() + 8000, Date.now());
    const m = meter(store.client);
    expect((await store.list()).map((i) => i.name).sort()).toEqual(['by-acquire', 'by-ticket', 'by-uber-pending']);
    expect(m.requests).toEqual({ Query: 4 });
    store.close();
  });
});
