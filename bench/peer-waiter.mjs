process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One waiter of npm dynamodb-lock-client (FailClosed) in its own process, for bench/handoff.mjs:
//   node bench/peer-waiter.mjs ENDPOINT TABLE LOCK_ID RETRY_MS HOLD_MS
// acquires (a conditional PutItem every RETRY_MS until it lands), holds HOLD_MS, releases
// (a conditional DeleteItem) and exits 0. Prints nothing; the proxy times everything.
import { peerLocker } from './peer.mjs';

const [endpoint, table, id, retryMs, holdMs] = process.argv.slice(2);
const p = peerLocker(endpoint, table, Number(retryMs));
const lock = await p.acquire(id);
await new Promise((r) => setTimeout(r, Number(holdMs)));
await p.release(lock);
p.destroy();
process.exit(0);
