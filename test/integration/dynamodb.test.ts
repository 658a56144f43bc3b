import { describe, expect, inject, it } from 'vitest';
import { DynamoStore } from '../../src/store/dynamodb.js';
import { StoreError } from '../../src/lock/types.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { describeStoreContract } from '../helpers/store-contract.js';

describeStoreContract('DynamoDB Local', () => freshDynamoStore());

describe('DynamoDB store specifics', () => {
  it('init creates the table once and is fine the second time', async () => {
    const store = await freshDynamoStore();
    expect(await store.init()).toBe(false);
    const again = new DynamoStore({ ...store.config });
    expect(await again.init()).toBe(false);
  });

  it('names a missing table as such', async () => {
    const store = new DynamoStore({
      table: 'NoSuchTable',
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const err = await store.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).kind).toBe('no-table');
    expect((err as StoreError).message).toMatch(/no such table: NoSuchTable/);
  });
});
