import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { StoreError } from '../../src/lock/types.js';
import { classify, DynamoStore } from '../../src/store/dynamodb.js';

const cfg = { table: 'Locks', region: 'us-east-1' };
const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

function awsError(name: string, status: number, message = name) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}

describe('SDK failures are named by cause', () => {
  it.each([
    [awsError('ResourceNotFoundException', 400, 'Requested resource not found'), 'no-table', false],
    [awsError('AccessDeniedException', 400, 'User is not authorized to perform: dynamodb:UpdateItem'), 'access-denied', false],
    [awsError('UnrecognizedClientException', 400, 'The security token included in the request is invalid.'), 'access-denied', false],
    [new Error('Region is missing'), 'no-region', false],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'no-credentials', false],
    [awsError('ProvisionedThroughputExceededException', 400), 'throttled', true],
    [awsError('InternalServerError', 500), 'ambiguous', true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ambiguous', true],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'ambiguous', true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unreachable', true],
    [awsError('ValidationException', 400), 'other', false],
  ])('%s', (err, kind, transient) => {
    const e = classify(err, cfg);
    expect(e.kind).toBe(kind);
    expect(e.transient).toBe(transient);
  });
});

describe('ambiguous writes are settled by repeating them', () => {
  const client = () => new LockClient(new DynamoStore(cfg), { transientMinDelayMs: 1 });
  const req = { name: 'prod', lockId: 'me', user: 'u', meta: 'm', leaseMs: 60_000, waitMs: 0 };
  const landed = { pk: { S: 'prod' }, sk: { S: 'LOCK' }, owner: { S: 'me' }, user: { S: 'u' }, meta: { S: 'm' }, fence: { N: '3' }, acquiredAt: { N: '1' }, expiresAt: { N: '99999999999999' } };

  it('a timed-out acquire is retried with the same lock id and its success is taken', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(awsError('InternalServerError', 500)).resolves({ Attributes: landed });
    const r = await client().acquire(req);
    expect(r).toMatchObject({ acquired: true, lock: { fence: 3, lockId: 'me' } });
    const calls = ddb.commandCalls(UpdateItemCommand);
    expect(calls).toHaveLength(2);
    // Both attempts carry the owner = :me branch that lets the retry succeed if the first landed.
    for (const c of calls) expect(c.args[0].input.ConditionExpression).toContain('#owner = :me');
  });

  it('when the retries run out, the possibly-landed lock is given back and the error surfaces', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('InternalServerError', 500));
    const err = await new LockClient(new DynamoStore(cfg), { transientMinDelayMs: 1, transientRetries: 2 }).acquire(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    const calls = ddb.commandCalls(UpdateItemCommand);
    expect(calls.at(-1)?.args[0].input.UpdateExpression).toMatch(/lastOwner = #owner/);
    expect(calls.at(-1)?.args[0].input.ExpressionAttributeValues?.[':who']).toEqual({ S: 'me' });
  });

  it('a failed condition reports the holder from the error without a second read', async () => {
    const other = { ...landed, owner: { S: 'them' }, user: { S: 'them@example.com' } };
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: other }));
    const r = await client().acquire(req);
    expect(r).toMatchObject({ acquired: false, reason: 'busy', holder: { user: 'them@example.com', fence: 3 } });
    // One conditional write and no read (the history's gave-up event is a separate PutItem).
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('access denied is not retried', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('AccessDeniedException', 400));
    const err = await client().acquire(req).catch((e: unknown) => e);
    expect((err as StoreError).kind).toBe('access-denied');
    // One acquire, then the best-effort give-back.
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });
});
