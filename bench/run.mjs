process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// npm run bench (first part; bench/handoff.mjs is the second): requests per uncontended
// lock + release, and a labelled back-to-back throughput comparison, against DynamoDB Local.
// Handoff latency, the cost of waiting and cold start are measured in bench/handoff.mjs with
// every waiter its own process (issue #15). Prints tables; asserts nothing (see test/).
import { performance } from 'node:perf_hooks';
import { LockClient } from '../.build/lock/client.js';
import { DynamoStore } from '../.build/store/dynamodb.js';
import { startEngine } from './engine.mjs';
import { createPeerTable, peerLocker } from './peer.mjs';

const engine = await startEngine();
let tableNo = 0;

function counted(store) {
  const counts = { reads: 0, writes: 0, total: 0 };
  store.client.middlewareStack.add(
    (next, ctx) => async (args) => {
      counts.total++;
      if (/^(Get|Query|Scan)/.test(ctx.commandName)) counts.reads++;
      else counts.writes++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return counts;
}

async function daplayaStore() {
  const store = new DynamoStore({ table: `Bench${tableNo++}`, endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await store.init();
  return store;
}
function newStore(table) {
  return new DynamoStore({ table, endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

function table(rows) {
  const w = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log();
}

// 1. Requests per uncontended lock + release.
async function requestsPerCycle(historyMs) {
  const store = await daplayaStore();
  const counts = counted(store);
  const client = new LockClient(store, { historyMs });
  const cycles = 20;
  for (let i = 0; i < cycles; i++) {
    const r = await client.acquire({ name: 'solo', lockId: `c${i}`, user: 'u', meta: 'bench', leaseMs: 60_000, waitMs: 0 });
    if (!r.acquired) throw new Error('uncontended acquire failed');
    await client.release('solo', { lockId: `c${i}` });
  }
  store.close();
  return { reads: counts.reads / cycles, writes: counts.writes / cycles };
}

// 3. Throughput: 20 contenders acquire and release back to back for a fixed time.
async function daplayaThroughput(contenders, seconds) {
  const table = (await daplayaStore()).config.table;
  let count = 0;
  const each = Array(contenders).fill(0);
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: contenders }, async (_, i) => {
      const store = newStore(table);
      const client = new LockClient(store, { historyMs: 0 });
      for (let k = 0; performance.now() < stopAt; k++) {
        const r = await client.acquire({ name: 't', lockId: `c${i}-${k}`, user: 'u', meta: '', leaseMs: 60_000, waitMs: Math.max(0, stopAt - performance.now()) });
        if (!r.acquired) break;
        count++;
        each[i]++;
        await client.release('t', { lockId: `c${i}-${k}` });
      }
      store.close();
    }),
  );
  return { perSecond: count / seconds, min: Math.min(...each), max: Math.max(...each) };
}

async function peerThroughput(contenders, seconds, periodMs) {
  const table = `Peer${tableNo++}`;
  await createPeerTable(engine.endpoint, table);
  let count = 0;
  const each = Array(contenders).fill(0);
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: contenders }, async (_, i) => {
      const p = peerLocker(engine.endpoint, table, periodMs);
      while (performance.now() < stopAt) {
        const lock = await p.acquire('t');
        if (performance.now() < stopAt) {
          count++;
          each[i]++;
        }
        await p.release(lock);
      }
      p.destroy();
    }),
  );
  return { perSecond: count / seconds, min: Math.min(...each), max: Math.max(...each) };
}

console.log(`daplaya benchmarks against DynamoDB Local at ${engine.endpoint} (node ${process.version}, ${new Date().toISOString()})\n`);

const withoutHistory = await requestsPerCycle(0);
const withHistory = await requestsPerCycle(30 * 86_400_000);
console.log('Requests per uncontended lock + release (counted by SDK middleware)\n');
table([
  ['configuration', 'reads', 'writes', 'target'],
  ['history off (DAPLAYA_HISTORY_DAYS=0)', withoutHistory.reads, withoutHistory.writes, '0 reads, 2 writes'],
  ['history on (default)', withHistory.reads, withHistory.writes, '+1 write per history event'],
]);

console.log(
  'Back-to-back acquisitions, 20 contenders in one process, 10 s. NOT a handoff or latency figure: it compares a FIFO queue\n' +
    '(daplaya: only the next in line may take a free lock, and it must first notice the release) with a lock that lets\n' +
    'contenders jump the queue (dynamodb-lock-client: whoever retries first wins, often the one that just released).\n' +
    'The per-contender columns show what the jumping costs in fairness. Handoff latency and cost: bench/handoff.mjs.\n',
);
const dt = await daplayaThroughput(20, 10);
const pt = await peerThroughput(20, 10, 100);
table([
  ['lock', 'acquisitions/s', 'fewest by one contender', 'most by one contender'],
  ['daplaya (FIFO queue)', dt.perSecond.toFixed(1), dt.min, dt.max],
  ['dynamodb-lock-client, 100 ms retry (no queue)', pt.perSecond.toFixed(1), pt.min, pt.max],
]);

engine.stop();
process.exit(0);
