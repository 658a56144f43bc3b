import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/** `--json` speaks one schema: a lock is `env`, `state`, `user`, `meta`, `lockId`, ISO `since` and `expiresAt`, `fence` everywhere. */
async function json(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const code = await main([...argv, '--json'], env, { out: (l) => out.push(l), err: () => undefined });
  return { code, value: JSON.parse(out.join('\n')) as unknown };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('one --json schema', () => {
  it('lock (busy), locks and status describe the holder with the same names and formats', async () => {
    const store = await freshDynamoStore();
    const env = { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table };
    const taken = await json(['lock', '--env', 'j', '--user', 'alice@example.com', '--meta', 'deploy'], env);
    expect(taken.code).toBe(0);
    expect(taken.value).toMatchObject({ acquired: true, locks: [{ env: 'j', fence: 1, expiresAt: expect.stringMatching(ISO) }] });
    const busy = await json(['lock', '--env', 'j', '--user', 'bob@example.com'], env);
    expect(busy.code).toBe(3);
    const holder = (busy.value as { holder: Record<string, unknown> }).holder;
    expect(holder).toEqual({ env: 'j', state: 'locked', scope: 'person', user: 'alice@example.com', meta: 'deploy', lockId: expect.any(String), since: expect.stringMatching(ISO), expiresAt: expect.stringMatching(ISO), fence: 1 });
    const [listed] = (await json(['locks'], env)).value as Record<string, unknown>[];
    const status = (await json(['status', '--env', 'j'], env)).value as Record<string, unknown>;
    for (const view of [listed, status]) for (const [k, v] of Object.entries(holder)) expect(view?.[k], k).toEqual(v);
  });
});
