// A counting HTTP proxy on 127.0.0.1 in front of DynamoDB Local, for the benches.
//
// Every request is attributed to a client by the first path segments of its URL: a
// process given the endpoint http://127.0.0.1:PORT/c/w17 sends its requests to
// /c/w17, which the proxy forwards to the engine as / (DynamoDB Local does not check
// SigV4 signatures). Each request is recorded with the time it reached the proxy and
// the time the engine's complete answer reached the proxy ("landed"), its
// X-Amz-Target, a classification from the request body (daplaya's acquire vs release
// vs queue writes, the peer's conditional put vs delete) and its billing on on-demand
// capacity (read and write request units, from the item sizes in the bodies).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** AWS on-demand prices (us-east-1): USD per million request units. */
export const PRICE = { wru: 1.25, rru: 0.25 };
/** A write request unit costs this many read request units. */
export const WRU_IN_RRU = PRICE.wru / PRICE.rru;

/** Approximate DynamoDB item size in bytes (attribute names + values), as billing counts it. */
export function itemSize(item) {
  if (!item || typeof item !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}
function valueSize(v) {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(String(v.N).replace(/^[-+]?0*|[.eE].*$/g, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M) return 3 + itemSize(v.M);
  if (v.L) return 3 + v.L.reduce((s, x) => s + 1 + valueSize(x), 0);
  if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x), 0);
  if (v.NS) return v.NS.reduce((s, x) => s + String(x).length, 0);
  return 0;
}

const sortKey = (key) => key?.sk?.S ?? '';

/**
 * What a request was, from its target and bodies: { kind, ok, wru, rru, ... }.
 * daplaya kinds: acquire, release, ticket, skip, renew, uber, entry-put, history-put,
 * lock-get, entry-get, queue-query, history-query. Peer kinds: peer-acquire (the
 * conditional PutItem), peer-release (the DeleteItem).
 */
export function classify(target, req, status, res) {
  const op = String(target ?? '').split('.').pop() || 'unknown';
  const ok = status === 200;
  const out = { op, ok, kind: op, wru: 0, rru: 0 };
  const writeUnits = (bytes) => Math.max(1, Math.ceil(bytes / 1024));
  const readUnits = (bytes) => Math.max(1, Math.ceil(bytes / 4096));
  switch (op) {
    case 'UpdateItem': {
      // By what the SET clause assigns (the store may prefix other attributes, e.g. an index key).
      const ue = String(req?.UpdateExpression ?? '');
      if (/#owner = :me\b/.test(ue)) out.kind = 'acquire';
      else if (/lastOwner = #owner/.test(ue)) out.kind = 'release';
      else if (/nextTicket = if_not_exists/.test(ue)) out.kind = 'ticket';
      else if (/nowServing = :next\b/.test(ue)) out.kind = 'skip';
      else if (/uberPendingUntil/.test(ue)) out.kind = 'uber';
      else if (/expiresAt = :exp\b/.test(ue)) out.kind = 'renew';
      else out.kind = 'update';
      const item = ok ? res?.Attributes : res?.Item;
      // An update is billed on the larger of the item before and after; a failed condition still bills the write.
      out.wru = writeUnits(Math.max(itemSize(item), itemSize(req?.Key)));
      if (item?.nextTicket?.N !== undefined) out.nextTicket = Number(item.nextTicket.N);
      if (item?.nowServing?.N !== undefined) out.nowServing = Number(item.nowServing.N);
      break;
    }
    case 'PutItem': {
      const sk = sortKey(req?.Item);
      if (sk.startsWith('Q#')) out.kind = 'entry-put';
      else if (sk.startsWith('H#')) out.kind = 'history-put';
      else if (sk.startsWith('N#')) out.kind = 'notice-put';
      else if (/attribute_not_exists\(#partitionKey\)/.test(String(req?.ConditionExpression ?? ''))) out.kind = 'peer-acquire';
      else out.kind = 'put';
      out.wru = writeUnits(itemSize(req?.Item));
      break;
    }
    case 'DeleteItem':
      out.kind = 'peer-release';
      out.wru = writeUnits(itemSize(req?.Key) + 100);
      break;
    case 'GetItem': {
      const sk = sortKey(req?.Key);
      out.kind = sk === 'LOCK' ? 'lock-get' : sk.startsWith('Q#') ? 'entry-get' : 'get';
      // Strongly consistent: 1 RRU per 4 KB (eventually consistent would be half).
      out.rru = readUnits(itemSize(res?.Item)) * (req?.ConsistentRead ? 1 : 0.5);
      if (res?.Item?.nowServing?.N !== undefined) out.nowServing = Number(res.Item.nowServing.N);
      if (res?.Item?.owner?.S !== undefined) out.owner = res.Item.owner.S;
      break;
    }
    case 'Query':
    case 'Scan': {
      const prefix = req?.ExpressionAttributeValues?.[':prefix']?.S ?? '';
      out.kind = prefix === 'Q#' ? 'queue-query' : prefix === 'H#' ? 'history-query' : op === 'Query' ? 'query' : 'scan';
      const bytes = (res?.Items ?? []).reduce((s, i) => s + itemSize(i), 0);
      out.rru = readUnits(bytes) * (req?.ConsistentRead ? 1 : 0.5);
      break;
    }
    default:
      // Control-plane calls (CreateTable, DescribeTable, UpdateTimeToLive) are not billed per request.
      break;
  }
  return out;
}

/**
 * Starts the proxy. `onEvent(ev)` is called for every answered request with
 * { client, target, t0, t1, status, kind, ok, wru, rru, ... }; t0/t1 are
 * performance.now() of this process. Returns { url(client), events, close() }.
 */
export async function startCountingProxy(engineEndpoint, onEvent = () => undefined) {
  const target = new URL(engineEndpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const events = [];
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    const m = /^\/c\/([^/?]+)/.exec(req.url ?? '');
    const client = m ? decodeURIComponent(m[1]) : 'driver';
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: target.host };
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: '/', headers, agent },
        (upRes) => {
          const rchunks = [];
          upRes.on('data', (c) => rchunks.push(c));
          upRes.on('end', () => {
            const t1 = performance.now();
            const rbody = Buffer.concat(rchunks);
            const xt = req.headers['x-amz-target'];
            let reqJson;
            let resJson;
            try {
              reqJson = JSON.parse(body.toString('utf8') || '{}');
            } catch {
              reqJson = undefined;
            }
            try {
              resJson = JSON.parse(rbody.toString('utf8') || '{}');
            } catch {
              resJson = undefined;
            }
            const ev = { client, target: xt, t0, t1, status: upRes.statusCode, ...classify(xt, reqJson, upRes.statusCode, resJson) };
            if (!ev.ok && resJson?.__type) ev.error = String(resJson.__type).split('#').pop();
            events.push(ev);
            try {
              onEvent(ev);
            } catch (err) {
              console.error('proxy onEvent failed:', err);
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(rbody);
          });
          upRes.on('error', () => res.destroy());
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    events,
    /** The endpoint a client should use so its requests are attributed to `client`. */
    url: (client) => `http://127.0.0.1:${port}/c/${encodeURIComponent(client)}`,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
