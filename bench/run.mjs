process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// npm run bench: figures for daplaya against DynamoDB Local, with npm dynamodb-lock-client
// side by side. Prints tables; asserts nothing (see test/ for correctness).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LockClient } from '../.build/lock/client.js';
import { DynamoStore } from '../.build/store/dynamodb.js';
import { startEngine } from './engine.mjs';
import { createPeerTable, peerLocker } from './peer.mjs';

const HOLD_MS = 500;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
function table(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [n, r] of rows.entries()) {
    console.log(r.map((c, i) => String(c).padEnd(w[i])).join('  '));
    if (n === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
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

// 2. Handoff: N waiters queue behind a holder; each holds HOLD_MS and releases.
async function daplayaHandoff(n, holdMs = HOLD_MS) {
  const table = (await daplayaStore()).config.table;
  const holderStore = newStore(table);
  const holder = new LockClient(holderStore, { historyMs: 0 });
  await holder.acquire({ name: 'h', lockId: 'holder', user: 'h', meta: '', leaseMs: 600_000, waitMs: 0 });
  const events = [];
  let waitRequests = 0;
  let waitMs = 0;
  const waiters = Array.from({ length: n }, async (_, i) => {
    const store = newStore(table);
    const counts = counted(store);
    const client = new LockClient(store, { historyMs: 0 });
    const start = performance.now();
    const r = await client.acquire({ name: 'h', lockId: `w${i}`, user: `w${i}`, meta: '', leaseMs: 600_000, waitMs: 600_000 });
    const acquiredAt = performance.now();
    if (!r.acquired) throw new Error('waiter did not acquire');
    waitRequests += counts.total;
    waitMs += acquiredAt - start;
    await new Promise((res) => setTimeout(res, holdMs));
    const releasedAt = performance.now();
    await client.release('h', { lockId: `w${i}` });
    events.push({ acquiredAt, releasedAt });
    store.close();
  });
  await new Promise((r) => setTimeout(r, 500 + 30 * n));
  const firstRelease = performance.now();
  await holder.release('h', { lockId: 'holder' });
  await Promise.all(waiters);
  holderStore.close();
  return summarise(events, firstRelease, waitRequests, waitMs);
}

function summarise(events, firstRelease, waitRequests, waitMs) {
  events.sort((a, b) => a.acquiredAt - b.acquiredAt);
  const handoffs = [events[0].acquiredAt - firstRelease];
  for (let i = 1; i < events.length; i++) handoffs.push(events[i].acquiredAt - events[i - 1].releasedAt);
  return { median: median(handoffs), p95: pct(handoffs, 95), perWaiterMinute: waitRequests / (waitMs / 60_000) };
}

async function peerHandoff(n, periodMs, holdMs = HOLD_MS) {
  const table = `Peer${tableNo++}`;
  await createPeerTable(engine.endpoint, table);
  const holder = peerLocker(engine.endpoint, table, periodMs);
  const held = await holder.acquire('h');
  const events = [];
  let waitRequests = 0;
  let waitMs = 0;
  const waiters = Array.from({ length: n }, async () => {
    const p = peerLocker(engine.endpoint, table, periodMs);
    const start = performance.now();
    const lock = await p.acquire('h');
    const acquiredAt = performance.now();
    waitRequests += p.counter.requests;
    waitMs += acquiredAt - start;
    await new Promise((res) => setTimeout(res, holdMs));
    const releasedAt = performance.now();
    await p.release(lock);
    events.push({ acquiredAt, releasedAt });
    p.destroy();
  });
  await new Promise((r) => setTimeout(r, 500 + 30 * n));
  const firstRelease = performance.now();
  await holder.release(held);
  await Promise.all(waiters);
  holder.destroy();
  return summarise(events, firstRelease, waitRequests, waitMs);
}

// 3. Throughput: 20 contenders acquire and release back to back for a fixed time.
async function daplayaThroughput(contenders, seconds) {
  const table = (await daplayaStore()).config.table;
  let count = 0;
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: contenders }, async (_, i) => {
      const store = newStore(table);
      const client = new LockClient(store, { historyMs: 0 });
      for (let k = 0; performance.now() < stopAt; k++) {
        const r = await client.acquire({ name: 't', lockId: `c${i}-${k}`, user: 'u', meta: '', leaseMs: 60_000, waitMs: Math.max(0, stopAt - performance.now()) });
        if (!r.acquired) break;
        count++;
        await client.release('t', { lockId: `c${i}-${k}` });
      }
      store.close();
    }),
  );
  return count / seconds;
}

async function peerThroughput(contenders, seconds, periodMs) {
  const table = `Peer${tableNo++}`;
  await createPeerTable(engine.endpoint, table);
  let count = 0;
  const stopAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: contenders }, async () => {
      const p = peerLocker(engine.endpoint, table, periodMs);
      while (performance.now() < stopAt) {
        const lock = await p.acquire('t');
        if (performance.now() < stopAt) count++;
        await p.release(lock);
      }
      p.destroy();
    }),
  );
  return count / seconds;
}

// 4. Cold start of the bundles.
function coldStart(args, env = {}) {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    spawnSync(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  return median(times);
}
function dirSize(dir) {
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

console.log(`daplaya benchmarks against DynamoDB Local at ${engine.endpoint} (node ${process.version}, ${new Date().toISOString()})\n`);

const withoutHistory = await requestsPerCycle(0);
const withHistory = await requestsPerCycle(30 * 86_400_000);
console.log('Requests per uncontended lock + release (counted by SDK middleware)');
table([
  ['configuration', 'reads', 'writes', 'target'],
  ['history off (DAPLAYA_HISTORY_DAYS=0)', withoutHistory.reads, withoutHistory.writes, '0 reads, 2 writes'],
  ['history on (default)', withHistory.reads, withHistory.writes, '+1 write per history event'],
]);

console.log(`Handoff: release -> next waiter holds the lock (each holds ${HOLD_MS} ms)`);
const rows = [['N waiters', 'lock', 'median ms', 'p95 ms', 'requests/waiter-min', 'median ratio']];
for (const n of [2, 10, 50]) {
  const d = await daplayaHandoff(n);
  const slow = await peerHandoff(n, 1400);
  const fast = await peerHandoff(n, 400);
  rows.push([n, 'daplaya', d.median.toFixed(0), d.p95.toFixed(0), d.perWaiterMinute.toFixed(0), '1.00']);
  rows.push([n, 'dynamodb-lock-client 1400 ms', slow.median.toFixed(0), slow.p95.toFixed(0), slow.perWaiterMinute.toFixed(0), (slow.median / d.median).toFixed(2)]);
  rows.push([n, 'dynamodb-lock-client 400 ms', fast.median.toFixed(0), fast.p95.toFixed(0), fast.perWaiterMinute.toFixed(0), (fast.median / d.median).toFixed(2)]);
}
table(rows);

const LONG_HOLD_MS = 45_000;
console.log(`Handoff with deploy-like holds: 3 waiters, each holds ${LONG_HOLD_MS / 1000} s`);
const longRows = [['N waiters', 'lock', 'median ms', 'p95 ms', 'requests/waiter-min', 'median ratio']];
{
  const [d, slow, fast] = await Promise.all([
    daplayaHandoff(3, LONG_HOLD_MS),
    peerHandoff(3, 1400, LONG_HOLD_MS),
    peerHandoff(3, 400, LONG_HOLD_MS),
  ]);
  longRows.push([3, 'daplaya', d.median.toFixed(0), d.p95.toFixed(0), d.perWaiterMinute.toFixed(0), '1.00']);
  longRows.push([3, 'dynamodb-lock-client 1400 ms', slow.median.toFixed(0), slow.p95.toFixed(0), slow.perWaiterMinute.toFixed(0), (slow.median / d.median).toFixed(2)]);
  longRows.push([3, 'dynamodb-lock-client 400 ms', fast.median.toFixed(0), fast.p95.toFixed(0), fast.perWaiterMinute.toFixed(0), (fast.median / d.median).toFixed(2)]);
}
table(longRows);

console.log('Throughput: 20 contenders, acquire + release back to back, 10 s');
const dt = await daplayaThroughput(20, 10);
const pt = await peerThroughput(20, 10, 100);
table([
  ['lock', 'acquisitions/s', 'ratio'],
  ['daplaya', dt.toFixed(1), '1.00'],
  ['dynamodb-lock-client (100 ms retry)', pt.toFixed(1), (pt / dt).toFixed(2)],
]);

console.log('Cold start (median of 7 runs) and bundle sizes');
const base = coldStart(['-e', '0']);
table([
  ['command', 'ms', 'over node -e 0', 'bundle dir size'],
  ['node -e 0', base.toFixed(0), '', ''],
  ['node dist/index.js --help', coldStart(['dist/index.js', '--help']).toFixed(0), (coldStart(['dist/index.js', '--help']) - base).toFixed(0), `${(dirSize(path.join(ROOT, 'dist')) / 1e6).toFixed(2)} MB (CLI entry ${(statSync(path.join(ROOT, 'dist/index.js')).size / 1e3).toFixed(0)} kB; SDK chunk loaded lazily)`],
  ['node dist/action/pre.js (input error path)', coldStart(['dist/action/pre.js']).toFixed(0), (coldStart(['dist/action/pre.js']) - base).toFixed(0), `${(dirSize(path.join(ROOT, 'dist/action')) / 1e6).toFixed(2)} MB (pre, main and post)`],
  ['node dist/action/post.js (nothing to release)', coldStart(['dist/action/post.js']).toFixed(0), (coldStart(['dist/action/post.js']) - base).toFixed(0), ''],
]);

engine.stop();
process.exit(0);
