import os from 'node:os';
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { isHeld } from '../../src/lock/rules.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { freshDynamoStore } from '../helpers/dynamo.js';

// A lock item edited by hand so that its expiry is no number. DynamoDB's own condition
// (`expiresAt < :stale` fails on a string) refuses every acquisition, so every reader must
// say the same: held, expiry unknown, release it by force.
let store: DynamoStore;
let env: Record<string, string>;

beforeAll(async () => {
  store = await freshDynamoStore();
  env = {
    HOME: os.tmpdir(),
    DAPLAYA_USER: 'tester@example.com',
    DAPLAYA_TABLE: store.config.table,
    DAPLAYA_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
    DAPLAYA_AWS_SECRET_KEY: 'local',
  };
});
afterAll(() => store.close());

async function putHandEdited(name: string, expiresAt: AttributeValue | undefined): Promise<void> {
  const item: Record<string, AttributeValue> = {
    pk: { S: name },
    sk: { S: 'LOCK' },
    owner: { S: 'cli:eve:host:1:abcd' },
    user: { S: 'eve@example.com' },
    meta: { S: 'hotfix' },
    acquiredAt: { N: String(Date.now() - 60_000) },
    fence: { N: '4' },
  };
  if (expiresAt) item.expiresAt = expiresAt;
  await store.client.send(new PutItemCommand({ TableName: store.config.table, Item: item }));
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.slice(1).join('\n') };
}

describe.each([
  ['a string', 'bad1', { S: '2030-01-01T00:00:00Z' } as AttributeValue],
  ['missing', 'bad2', undefined],
])('a held lock item whose expiresAt is %s', (_what, name, expiresAt) => {
  it('counts as held with an unknown expiry in status, locks, lock and the store', async () => {
    await putHandEdited(name, expiresAt);

    const item = await store.get(name);
    expect(isHeld(item, Date.now())).toBe(true);
    expect(await new LockClient(store).holder(name)).toMatchObject({ user: 'eve@example.com', fence: 4 });

    const status = await cli('status', '--env', name);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`^env ${name} is locked by eve@example.com \\(hotfix, since .*, lease expiry unreadable\\), fence 4`));
    expect(status.out).toContain('lease expiry unreadable (item edited by hand?); release it with --force --reason');
    expect(status.out).not.toMatch(/free|expired/);

    const json = JSON.parse((await cli('status', '--env', name, '--json')).out);
    expect(json).toMatchObject({ env: name, state: 'locked', user: 'eve@example.com', expiresAt: 'unreadable' });

    const locks = await cli('locks', '--env', name);
    expect(locks.out).toMatch(new RegExp(`${name}\\s+LOCKED\\s+eve@example.com.*lease expiry unreadable`));

    const lock = await cli('lock', '--env', name);
    expect(lock.code).toBe(3);
    expect(lock.err).toMatch(new RegExp(`env ${name} is locked by eve@example.com \\(hotfix, since .*, lease expiry unreadable\\); gave up`));
    expect(lock.err).toContain('release it with --force --reason');
    expect(lock.err).not.toMatch(/expired/);
  });

  it('a forced release clears it, and the next lock takes it', async () => {
    const released = await cli('release', '--env', name, '--force', '--reason', 'hand-edited item');
    expect(released.code).toBe(0);
    expect(released.out).toBe(`released env ${name}`);
    const lock = await cli('lock', '--env', name);
    expect(lock.code).toBe(0);
    expect(lock.out).toMatch(new RegExp(`^locked env ${name} for tester@example.com \\(fence 5`));
  });
});

describe('a well-formed held lock', () => {
  it('status says locked with its expiry, once, and gives no hint', async () => {
    const lock = await cli('lock', '--env', 'good1', '--lease', '10m');
    expect(lock.code).toBe(0);
    const status = await cli('status', '--env', 'good1');
    expect(status.out).toMatch(/^env good1 is locked by tester@example.com \(.*expires in (10m|9m\d+s)\), fence 1, held by a person \(terminal or Slack\)$/);
    expect(status.out).not.toMatch(/free|unreadable/);
  });
});
