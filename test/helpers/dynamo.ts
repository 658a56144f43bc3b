import { inject } from 'vitest';
import { DynamoStore } from '../../src/store/dynamodb.js';

let tables = 0;

/** A DynamoStore on the run's DynamoDB Local, with a fresh table created by `init`. */
export async function freshDynamoStore(endpoint = inject('dynamoEndpoint'), prefix = 'T'): Promise<DynamoStore> {
  const store = new DynamoStore({
    table: `${prefix}${process.pid}x${Date.now().toString(36)}x${tables++}`,
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await store.init();
  return store;
}
