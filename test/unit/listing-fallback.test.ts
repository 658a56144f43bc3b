import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../src/store/dynamodb.js';

const cfg = { table: 'Locks', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, $fault: 'client' });
const lockItem = { pk: { S: 'prod' }, sk: { S: 'LOCK' }, owner: { S: 'j' }, user: { S: 'u@example.com' }, fence: { N: '2' }, expiresAt: { N: '99999999999999' } };

describe('a listing whose index cannot be read falls back to the scan and says why, once', () => {
  it.each([
    ['missing (a table made by an earlier release)', awsError('ValidationException', 'The table does not have the specified index: locks'), /has no `locks` index yet .*`daplaya init` upgrades it/],
    ['still being built', awsError('ValidationException', 'Cannot read from backfilling global secondary index: locks'), /index of table Locks is still being built/],
    ['not allowed by the role', awsError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:eu-west-1:1:table/Locks/index/locks'), /allow dynamodb:Query on \.\.\.\/table\/Locks\/index\/\*/],
  ])('%s', async (_label, err, note) => {
    ddb.on(QueryCommand).rejects(err);
    ddb.on(ScanCommand).resolves({ Items: [lockItem] });
    const store = new DynamoStore(cfg);
    expect((await store.list()).map((i) => [i.name, i.owner])).toEqual([['prod', 'j']]);
    expect(store.readNotes).toHaveLength(1);
    expect(store.readNotes[0]).toMatch(note);
    // Said once; the index is not asked again for a while.
    expect(await store.list()).toHaveLength(1);
    expect(store.readNotes).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand).length).toBe(4);
  });

  it('other failures are failures, not a scan', async () => {
    ddb.on(QueryCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    const err = await new DynamoStore(cfg).list().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no such table: Locks/);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });
});
