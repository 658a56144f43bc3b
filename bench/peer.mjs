// The npm dynamodb-lock-client package over the v3 SDK: it expects the v2
// DocumentClient's callback API (get/put/delete) and v2 error codes, so wrap v3.
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

const require = createRequire(import.meta.url);
const DynamoDBLockClient = require('dynamodb-lock-client');

export function v2StyleDocumentClient(endpoint) {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  const counter = { requests: 0 };
  const call = (Command) => (params, cb) => {
    counter.requests++;
    doc.send(new Command(params)).then(
      (r) => cb(null, r),
      (e) => {
        e.code = e.name;
        cb(e);
      },
    );
  };
  return { client: { get: call(GetCommand), put: call(PutCommand), delete: call(DeleteCommand) }, counter, destroy: () => doc.destroy() };
}

export async function createPeerTable(endpoint, table) {
  const c = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await c.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  c.destroy();
}

/** A FailClosed lock client that retries every `periodMs` until it gets the lock. */
export function peerLocker(endpoint, table, periodMs) {
  const { client, counter, destroy } = v2StyleDocumentClient(endpoint);
  const locker = new DynamoDBLockClient.FailClosed({ dynamodb: client, lockTable: table, partitionKey: 'id', acquirePeriodMs: periodMs, retryCount: 100_000 });
  return {
    counter,
    destroy,
    acquire: (id) => new Promise((resolve, reject) => locker.acquireLock(id, (err, lock) => (err ? reject(err) : resolve(lock)))),
    release: (lock) => new Promise((resolve, reject) => lock.release((err) => (err ? reject(err) : resolve()))),
  };
}
