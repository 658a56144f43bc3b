process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// npm run bench:recovery: how long a lock stays taken after its holder dies (SIGKILL of
// `daplaya run`), for a waiter already waiting and for a newcomer arriving later. Each
// side is the built CLI (dist/) in its own process against DynamoDB Local. Prints a table.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoStore } from '../.build/store/dynamodb.js';
import { startEngine } from './engine.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/index.js');
const engine = await startEngine();
let n = 0;

function cli(args, env) {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
  return { child, done: new Promise((r) => child.on('close', (code) => r({ code, at: Date.now() }))) };
}

async function scenario(leaseS, newcomerDelayMs) {
  const table = `Recovery${n++}`;
  const store = new DynamoStore({ table, endpoint: engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await store.init();
  const env = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint, DAPLAYA_TABLE: table };
  const holder = cli(['run', '--env', 'r', '--lease', `${leaseS}s`, '--', 'sleep', '600'], env);
  while (!(await store.get('r'))?.owner) await new Promise((r) => setTimeout(r, 20));
  const waiter = newcomerDelayMs === undefined ? cli(['lock', '--env', 'r', '--wait', '10m', '--lock-id', 'waiter'], env) : undefined;
  await new Promise((r) => setTimeout(r, 1500));
  const killedAt = Date.now();
  holder.child.kill('SIGKILL');
  let got;
  if (waiter) got = await waiter.done;
  else {
    await new Promise((r) => setTimeout(r, newcomerDelayMs));
    got = await cli(['lock', '--env', 'r', '--wait', '10m', '--lock-id', 'newcomer'], env).done;
  }
  // The lease that lapsed: the one the taker replaced (its last renewal's expiry).
  const expiresAt = (await store.get('r')).prevExpiresAt;
  store.close();
  return { afterKill: got.at - killedAt, afterExpiry: got.at - expiresAt, code: got.code };
}

const rows = [['holder lease', 'who takes over', 'after SIGKILL', 'after the lease expiry', 'exit']];
for (const lease of [10, 30]) {
  const w = await scenario(lease);
  rows.push([`${lease}s`, 'a waiter already waiting', `${(w.afterKill / 1000).toFixed(1)}s`, `${(w.afterExpiry / 1000).toFixed(1)}s`, String(w.code)]);
  const c = await scenario(lease, lease * 1000 + 2000);
  rows.push([`${lease}s`, `a newcomer ${lease + 2}s after the kill`, `${(c.afterKill / 1000).toFixed(1)}s`, `${(c.afterExpiry / 1000).toFixed(1)}s`, String(c.code)]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log('Recovery after a holder dies (daplaya run SIGKILLed; DynamoDB Local):');
for (const r of rows) console.log(`| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`);
engine.stop();
process.exit(0);
