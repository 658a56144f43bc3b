// A contender in the fault tests: many acquisitions through the fault proxy, using the
// library compiled to .build/ (npm run build:lib). Checks overlap with a marker file.
// argv: endpoint table env id rounds markerDir log
import { appendFileSync, closeSync, openSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { LockClient } from '../../.build/lock/client.js';
import { DynamoStore } from '../../.build/store/dynamodb.js';

const [endpoint, table, env, id, rounds, markerDir, log] = process.argv.slice(2);
const store = new DynamoStore({ table, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestTimeoutMs: 300 });
const client = new LockClient(store, {
  historyMs: 0,
  transientMinDelayMs: 20,
  transientRetries: 8,
  queue: { ttlMs: 3000, refreshMs: 1000, headPollMs: 25, minPollMs: 10, maxPollMs: 200, missingGraceMs: 1500 },
});
let done = 0;
let errors = 0;
while (done < Number(rounds)) {
  const lockId = `${id}-${done}-${errors}`;
  let r;
  try {
    r = await client.acquire({ name: env, lockId, user: id, meta: 'fault test', leaseMs: 5000, waitMs: 120_000 });
  } catch (err) {
    errors++;
    appendFileSync(log, `ERR ${lockId} acquire ${err.message}\n`);
    if (errors > 50) process.exit(3);
    continue;
  }
  if (!r.acquired) {
    appendFileSync(log, `FAIL ${lockId} not acquired: ${r.reason}\n`);
    process.exit(1);
  }
  let fd;
  try {
    fd = openSync(path.join(markerDir, 'inside'), 'wx');
  } catch {
    appendFileSync(log, `OVERLAP ${lockId} fence ${r.lock.fence}\n`);
    process.exit(2);
  }
  appendFileSync(log, `ENTER ${lockId} ${r.lock.fence}\n`);
  const until = Date.now() + 3;
  while (Date.now() < until) {
    /* hold */
  }
  closeSync(fd);
  unlinkSync(path.join(markerDir, 'inside'));
  done++;
  for (let i = 0; ; i++) {
    try {
      const rel = await client.release(env, { lockId });
      if (rel.outcome !== 'released') appendFileSync(log, `NOTE ${lockId} release ${rel.outcome}\n`);
      break;
    } catch (err) {
      // The lease frees it if every retry fails; keep trying a little.
      if (i > 5) {
        appendFileSync(log, `NOTE ${lockId} release gave up: ${err.message}\n`);
        break;
      }
    }
  }
}
store.close();
