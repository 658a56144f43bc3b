import os from 'node:os';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { StoreError } from '../../src/lock/types.js';
import { DynamoStore } from '../../src/store/dynamodb.js';
import { startDynamoDbLocal, type Engine } from '../helpers/engine.js';

// An engine of its own: on the run's shared DynamoDB Local (every table in one database,
// busy with the other test files) a new index was seen to stay CREATING for minutes.
const local = { endpoint: '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
let engine: Engine;
beforeAll(async () => {
  engine = await startDynamoDbLocal();
  local.endpoint = engine.endpoint;
});
afterAll(async () => {
  await engine?.stop();
});
let n = 0;

/** A table someone else made, with a key schema daplaya cannot use. */
async function createTable(keys: { name: string; type: 'HASH' | 'RANGE'; attr: 'S' | 'N' }[]): Promise<string> {
  const table = `Wrong${process.pid}x${Date.now().toString(36)}x${n++}`;
  const sdk = new DynamoDBClient(local);
  await sdk.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.attr })),
      KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.type })),
    }),
  );
  sdk.destroy();
  return table;
}

describe('init on an existing table checks its key schema', () => {
  it('a table keyed on id(HASH) is refused with one line saying what is wrong, through the CLI', async () => {
    const table = await createTable([{ name: 'id', type: 'HASH', attr: 'S' }]);
    const out: string[] = [];
    const err: string[] = [];
    const env = { HOME: os.tmpdir(), DAPLAYA_USER: 't@example.com', DAPLAYA_TABLE: table, DAPLAYA_ENDPOINT: local.endpoint, AWS_REGION: 'us-east-1', DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local' };
    const code = await main(['init'], env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(out.join('\n')).not.toMatch(/nothing to do/);
    expect(code).toBe(1);
    expect(err.at(-1)).toBe(`daplaya: error: table ${table} exists with key schema id(HASH, S); daplaya needs pk(HASH, S) + sk(RANGE, S): pick another --table`);
  });

  it('right names with the wrong types, or a missing sort key, are refused too', async () => {
    for (const [keys, shown] of [
      [[{ name: 'pk', type: 'HASH', attr: 'S' }, { name: 'sk', type: 'RANGE', attr: 'N' }], 'pk(HASH, S) + sk(RANGE, N)'],
      [[{ name: 'pk', type: 'HASH', attr: 'S' }], 'pk(HASH, S)'],
    ] as const) {
      const table = await createTable([...keys]);
      const e = await new DynamoStore({ table, ...local }).init().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).message).toBe(`table ${table} exists with key schema ${shown}; daplaya needs pk(HASH, S) + sk(RANGE, S): pick another --table`);
    }
  });

  it('a table with the right schema is still fine the second time', async () => {
    const table = await createTable([
      { name: 'pk', type: 'HASH', attr: 'S' },
      { name: 'sk', type: 'RANGE', attr: 'S' },
    ]);
    const store = new DynamoStore({ table, ...local });
    expect(await store.init()).toBe(false);
    store.close();
  });
});
