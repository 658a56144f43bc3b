import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { handleSlack } from '../../src/slack/handler.js';
import { DynamoStore } from '../../src/store/dynamodb.js';
import { meter, writeHistoryItems } from '../helpers/bulk-history.mjs';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV, startDynamoDbLocal, type Engine } from '../helpers/engine.js';
import { SECRET, signedHeaders, slashBody } from '../helpers/slack.js';

/**
 * Issue #13: `locks`, Slack `leases` and `history --env X --limit 20` cost what the envs
 * (or the page) cost, not what the history does. One table, 30 envs (3 held), measured
 * empty, then again after 20,000 history items (100,000 in `npm run test:scale`; DAPLAYA_LISTING_HISTORY_ITEMS) written
 * with BatchWriteItem. Read units come from ReturnConsumedCapacity, which DynamoDB Local
 * reports; items read from ScannedCount.
 */
// The everyday suite writes 20,000 (the engine is shared with every other test file);
// `npm run test:scale` writes the 100,000.
const HISTORY = Number(process.env.DAPLAYA_LISTING_HISTORY_ITEMS ?? 20_000);
const ENVS = Array.from({ length: 30 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
const HELD = ['svc00', 'svc10', 'svc20'];

let store: DynamoStore;
let client: LockClient;
let m: ReturnType<typeof meter>;
const empty: Record<string, { units: number; items: number; requests: Record<string, number> }> = {};

async function measure<T>(what: () => Promise<T>): Promise<{ result: T; units: number; items: number; requests: Record<string, number>; ms: number }> {
  m.reset();
  const t0 = performance.now();
  const result = await what();
  return { result, units: m.units, items: m.items, requests: { ...m.requests }, ms: performance.now() - t0 };
}

const cliEnv = () => ({ ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint, DAPLAYA_TABLE: store.config.table, DAPLAYA_USER: 'reader@example.com' });
async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, cliEnv(), { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')) };
}

// An engine of its own: DynamoDB Local keeps every table in one database, and writing this
// many events would hold up the other test files sharing the run's engine.
let engine: Engine;

beforeAll(async () => {
  engine = await startDynamoDbLocal();
  store = await freshDynamoStore(engine.endpoint);
  m = meter(store.client);
  client = new LockClient(store);
  for (const name of ENVS) {
    const r = await client.acquire({ name, lockId: `setup-${name}`, user: 'setup@example.com', meta: 'setup', leaseMs: 3_600_000, waitMs: 0 });
    if (!r.acquired) throw new Error(`could not lock ${name}`);
    if (!HELD.includes(name)) await client.release(name, { lockId: `setup-${name}` });
  }
  empty.locks = await measure(() => client.list());
  empty.history = await measure(() => client.recentHistory({ name: 'svc05', limit: 20 }));
  // The bulk writer has its own client: no 3 s request deadline under a busy engine.
  const bulk = new DynamoDBClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 10 });
  const t0 = Date.now();
  await writeHistoryItems(bulk, store.config.table, { count: HISTORY, envs: ENVS });
  bulk.destroy();
  console.log(`listing-cost: wrote ${HISTORY} history items in ${Date.now() - t0} ms`);
}, 300_000);

afterAll(async () => {
  store?.close();
  await engine?.stop();
});

describe(`listing with ${HISTORY} history items in the table`, () => {
  it('list() (locks, leases) reads the lock index only: the same requests, items and read units as on the empty table', async () => {
    const now = await measure(() => client.list());
    expect(now.result.map((i) => i.name)).toEqual(ENVS);
    expect(now.result.filter((i) => i.owner !== undefined).map((i) => i.name)).toEqual(HELD);
    expect(now.requests).toEqual({ Query: 4 });
    expect(now.requests).toEqual(empty.locks?.requests);
    expect(now.items).toBe(empty.locks?.items);
    expect(now.units).toBeLessThanOrEqual(2 * (empty.locks?.units ?? 0));
    console.log(`list(): empty ${empty.locks?.units} RU / ${empty.locks?.items} items; with ${HISTORY} history items ${now.units} RU / ${now.items} items, ${now.ms.toFixed(0)} ms`);
  });

  it('history --env X --limit 20 reads one page of 21 items, newest first', async () => {
    const now = await measure(() => client.recentHistory({ name: 'svc05', limit: 20 }));
    expect(now.result.events).toHaveLength(20);
    expect(now.result.more).toBe(true);
    expect(now.result.events.every((e) => e.name === 'svc05')).toBe(true);
    const at = now.result.events.map((e) => e.at);
    expect(at).toEqual([...at].sort((x, y) => y - x));
    expect(now.requests).toEqual({ Query: 1 });
    expect(now.items).toBe(21);
    expect(now.units).toBeLessThanOrEqual(2 * (empty.history?.units ?? 0));
    console.log(`history --env --limit 20: empty ${empty.history?.units} RU; with ${HISTORY} history items ${now.units} RU / ${now.items} items, ${now.ms.toFixed(0)} ms`);
  });

  it('history across envs reads the history index a few days at a time, never a scan', async () => {
    const now = await measure(() => client.recentHistory({ limit: 20 }));
    expect(now.result.events).toHaveLength(20);
    expect(now.result.more).toBe(true);
    const at = now.result.events.map((e) => e.at);
    expect(at).toEqual([...at].sort((x, y) => y - x));
    expect(now.requests.Scan).toBeUndefined();
    // Today and yesterday (or tomorrow and today, near midnight), one Query each, 21 items at most from each.
    expect(now.requests.Query).toBeLessThanOrEqual(2);
    expect(now.items).toBeLessThanOrEqual(2 * 21);
    expect(now.units).toBeLessThanOrEqual(2 * 2);
    // The newest events are the setup's (real time), then the bulk ones.
    const page = await client.recentHistory({ limit: 100, since: Date.now() - 3_600_000 });
    expect(page.events.slice(0, 20)).toEqual(now.result.events);
  });

  it('through the CLI: locks shows the 3 held envs, history -n 5 five events and a hint, each within a few hundred requests-worth of time', async () => {
    const t0 = performance.now();
    const locks = await cli(['locks']);
    const locksMs = performance.now() - t0;
    expect(locks.code).toBe(0);
    expect(locks.err).toEqual([]);
    expect(locks.out.split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(HELD);
    expect(locksMs).toBeLessThan(3000);
    const h = await cli(['history', '--env', 'svc07', '-n', '5']);
    expect(h.code).toBe(0);
    expect(h.out.split('\n')).toHaveLength(6);
    expect(h.err).toEqual(['daplaya: the newest 5 events; older ones with --limit N or --since DUR|TIME']);
    const all = await cli(['locks', '--all', '--json']);
    expect(JSON.parse(all.out)).toHaveLength(30);
  });

  it('Slack /daplaya leases answers within 3 s', async () => {
    const body = slashBody('leases');
    const t0 = performance.now();
    const res = await handleSlack(
      { headers: signedHeaders(body), body },
      { signingSecret: SECRET, leaseMs: 60_000, client: async () => new LockClient(new DynamoStore({ ...store.config })), postToResponseUrl: async () => undefined },
    );
    const ms = performance.now() - t0;
    const reply = JSON.parse(res.body) as { text: string };
    expect(reply.text).toBe('3 env(s) locked');
    expect(ms).toBeLessThan(3000);
    console.log(`Slack leases with ${HISTORY} history items: ${ms.toFixed(0)} ms`);
  });
});
