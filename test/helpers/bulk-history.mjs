// Writes many history items straight into a daplaya table with BatchWriteItem (25 a
// request, many requests at once), in the item format of DynamoStore.addHistory: for the
// listing tests (test/integration/listing-cost.test.ts, table-upgrade.test.ts) and
// bench/listing.mjs. `old: true` writes them as the release before the indexes did (no hDay).
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';

const DAY = 86_400_000;

/**
 * @param {import('@aws-sdk/client-dynamodb').DynamoDBClient} client
 * @param {string} table
 * @param {{ count: number, envs: string[], from?: number, to?: number, old?: boolean, concurrency?: number, keepMs?: number }} opts
 *   events spread evenly over [from, to] (default: the last 29 days), envs round-robin.
 */
export async function writeHistoryItems(client, table, opts) {
  const { count, envs } = opts;
  const to = opts.to ?? Date.now() - 60_000;
  const from = opts.from ?? to - 29 * DAY;
  const keepMs = opts.keepMs ?? 30 * DAY;
  const step = count > 1 ? (to - from) / (count - 1) : 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next = Math.min(count, next + 25);
      const puts = [];
      for (let i = start; i < next; i++) {
        const at = Math.round(from + i * step);
        const iso = new Date(at).toISOString();
        const name = envs[i % envs.length];
        const id = `b${i.toString(36)}`;
        const kind = i % 2 === 0 ? 'acquired' : 'released';
        const event = { name, at, id, kind, user: `dev${i % 7}@example.com`, lockId: `bulk-${i >> 1}`, fence: (i >> 1) + 1, meta: `https://ci.example.com/run/${i >> 1}`, ...(kind === 'released' ? { outcome: 'success', heldMs: 60_000 } : { waitedMs: 0 }), keepUntil: at + keepMs };
        const item = { pk: { S: name }, sk: { S: `H#${iso}#${id}` }, event: { S: JSON.stringify(event) }, ttl: { N: String(Math.floor((at + keepMs) / 1000)) } };
        if (!opts.old) item.hDay = { S: `H#${iso.slice(0, 10)}` };
        puts.push({ PutRequest: { Item: item } });
      }
      let pending = { [table]: puts };
      for (let tries = 0; pending && Object.keys(pending).length > 0; tries++) {
        if (tries > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** tries)));
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 32 }, worker));
}

/**
 * Counts what a DynamoDB client reads: requests by command, read units (every read asks
 * for ReturnConsumedCapacity TOTAL) and items read (ScannedCount, or the item a GetItem got).
 * @param {import('@aws-sdk/client-dynamodb').DynamoDBClient} client
 */
export function meter(client) {
  const m = { requests: {}, units: 0, items: 0, reset() { m.requests = {}; m.units = 0; m.items = 0; } };
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const read = /^(Get|BatchGet|Query|Scan)/.test(ctx.commandName);
      if (read) args.input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      if (read) {
        const name = ctx.commandName.replace(/Command$/, '');
        m.requests[name] = (m.requests[name] ?? 0) + 1;
        const cc = out.output.ConsumedCapacity;
        for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) m.units += c.CapacityUnits ?? 0;
        m.items += out.output.ScannedCount ?? (out.output.Item ? 1 : 0);
      }
      return out;
    },
    { step: 'initialize', name: 'daplayaReadMeter' },
  );
  return m;
}
