process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// npm run bench:listing (also the last part of npm run bench), issue #13: what `locks` and
// `history --env X --limit 20` cost as history grows. One table on DynamoDB Local, 30 envs
// (3 held), with 0, 10,000 and 100,000 history items written by BatchWriteItem. For each:
// the median wall time of the command run in-process (bin/main, store opened per run, as the
// CLI does; no Node start-up) and the read units it consumed (ReturnConsumedCapacity TOTAL,
// which DynamoDB Local reports) and items it read (ScannedCount). For comparison, the same
// numbers for the Scan that `locks` made before the `locks` index (run once per size).
// Prints a table; asserts nothing (test/integration/listing-cost.test.ts does).
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { main } from '../.build/cli/main.js';
import { LockClient } from '../.build/lock/client.js';
import { DynamoStore } from '../.build/store/dynamodb.js';
import { meter, writeHistoryItems } from '../test/helpers/bulk-history.mjs';
import { startEngine } from './engine.mjs';

const SIZES = (process.env.DAPLAYA_BENCH_LISTING_SIZES ?? '0,10000,100000').split(',').map(Number);
const RUNS = Number(process.env.DAPLAYA_BENCH_LISTING_RUNS ?? 7);
const ENVS = Array.from({ length: 30 }, (_, i) => `svc${String(i).padStart(2, '0')}`);
const HELD = new Set(['svc00', 'svc10', 'svc20']);
const HISTORY_ENV = 'svc05';

const engine = await startEngine();
const local = { endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const table = `Listing${Date.now().toString(36)}`;
const store = new DynamoStore({ table, ...local, requestTimeoutMs: 30_000 });
await store.init();
const m = meter(store.client);
const client = new LockClient(store);
for (const name of ENVS) {
  const r = await client.acquire({ name, lockId: `bench-${name}`, user: 'bench@example.com', meta: 'bench', leaseMs: 24 * 3_600_000, waitMs: 0 });
  if (!r.acquired) throw new Error(`could not lock ${name}`);
  if (!HELD.has(name)) await client.release(name, { lockId: `bench-${name}` });
}
// The setup's own 57 events (30 acquisitions, 27 releases) are in every row; "history items" counts the bulk ones.
const bulk = new DynamoDBClient({ ...local, maxAttempts: 10 });
const cliEnv = { AWS_REGION: 'us-east-1', DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint, DAPLAYA_TABLE: table, DAPLAYA_USER: 'bench@example.com', HOME: process.env.HOME ?? '/tmp' };
const io = { out: () => undefined, err: () => undefined };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timeCli(argv) {
  // One run unmeasured: the first loads the SDK and warms the JIT.
  await main(argv, cliEnv, io);
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const code = await main(argv, cliEnv, io);
    ms.push(performance.now() - t0);
    if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}`);
  }
  return median(ms);
}
async function reads(what) {
  m.reset();
  await what();
  return { units: m.units, items: m.items, requests: Object.entries(m.requests).map(([k, v]) => `${v} ${k}`).join(' + ') };
}
async function oldLocksScan() {
  const c = new DynamoDBClient({ ...local, maxAttempts: 3 });
  const t0 = performance.now();
  let units = 0;
  let items = 0;
  let pages = 0;
  let start;
  do {
    const out = await c.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, FilterExpression: 'begins_with(sk, :p)', ExpressionAttributeValues: { ':p': { S: 'LOCK' } }, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
    );
    units += out.ConsumedCapacity?.CapacityUnits ?? 0;
    items += out.ScannedCount ?? 0;
    pages++;
    start = out.LastEvaluatedKey;
  } while (start);
  c.destroy();
  return { ms: performance.now() - t0, units, items, pages };
}

const rows = [];
let written = 0;
for (const size of SIZES) {
  if (size > written) {
    const t0 = performance.now();
    // Spread over the last 29 days, newest a minute ago; each size adds to the last.
    await writeHistoryItems(bulk, table, { count: size - written, envs: ENVS, to: Date.now() - 60_000 - written * 1000 });
    console.error(`listing bench: wrote ${size - written} history items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    written = size;
  }
  const locks = { ms: await timeCli(['locks']), ...(await reads(() => client.list())) };
  const hist = { ms: await timeCli(['history', '--env', HISTORY_ENV, '--limit', '20']), ...(await reads(() => client.recentHistory({ name: HISTORY_ENV, limit: 20 }))) };
  const across = { ms: await timeCli(['history', '--limit', '20']), ...(await reads(() => client.recentHistory({ limit: 20 }))) };
  const old = await oldLocksScan();
  rows.push([
    size.toLocaleString('en-US'),
    `${locks.ms.toFixed(0)} ms`,
    `${locks.units} RU, ${locks.items} items (${locks.requests})`,
    `${hist.ms.toFixed(0)} ms`,
    `${hist.units} RU, ${hist.items} items (${hist.requests})`,
    `${across.ms.toFixed(0)} ms`,
    `${across.units} RU, ${across.items} items (${across.requests})`,
    `${old.ms.toFixed(0)} ms, ${old.units} RU, ${old.items} items (${old.pages} Scan)`,
  ]);
}

function table_(rs) {
  const w = rs[0].map((_, i) => Math.max(3, ...rs.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  console.log(line(rs[0]));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rs.slice(1)) console.log(line(r));
  console.log();
}

console.log(`## Listing cost as history grows (issue #13): 30 envs, 3 held, DynamoDB Local\n`);
console.log(
  `Time: median of ${RUNS} in-process runs of the command (store opened per run, as the CLI does; no Node start-up). ` +
    'Read units: ReturnConsumedCapacity TOTAL as DynamoDB Local reports it; items: items the engine read (ScannedCount). ' +
    `\`history --env ${HISTORY_ENV} --limit 20\` is a consistent Query; \`locks\` reads the \`locks\` index (4 shards); ` +
    '"history --limit 20" (every env) reads the `history` index by day. The last column is the Scan `locks` made before the index.\n',
);
table_([['history items', 'locks time', 'locks reads', 'history --env --limit 20 time', 'history --env reads', 'history --limit 20 time', 'history (all envs) reads', 'before: locks by Scan'], ...rows]);

store.close();
bulk.destroy();
engine.stop();
