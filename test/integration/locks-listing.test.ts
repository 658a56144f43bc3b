import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LAPSED_LONG_AGO_MS } from '../../src/lock/lease-watch.js';
import type { LockStore } from '../../src/lock/types.js';
import { FileStore } from '../../src/store/file.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/** `locks`: held, frozen and expired-but-unreleased envs; `locks --all`: every env ever locked; `locks --env X`: X whatever its state. */
async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')) };
}

const rows = (text: string) => text.split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '));

describe.each([
  [
    'the file store',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-locks-'));
      return { store: new FileStore(dir) as LockStore, env: { HOME: dir, DAPLAYA_STORE_DIR: dir, DAPLAYA_USER: 'reader@example.com' } };
    },
  ],
  [
    'DynamoDB Local',
    async () => {
      const store = await freshDynamoStore();
      return {
        store: store as LockStore,
        env: { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table, DAPLAYA_USER: 'reader@example.com' },
      };
    },
  ],
])('locks on %s', (_label, open) => {
  it('shows held, frozen and expired envs; free ones only with --all or by name', async () => {
    const { store, env } = await open();
    const claim = (lockId: string, extra: Partial<{ uberlock: boolean; leaseMs: number }> = {}) => ({ lockId, user: `${lockId}@example.com`, meta: 'deploy', uberlock: false, leaseMs: 3_600_000, ...extra });
    const now = Date.now();
    expect((await cli(['locks'], env)).out).toBe('no env is locked (`daplaya locks --all` lists every env ever locked)');
    await store.acquire('a-held', claim('alice'), now);
    await store.acquire('b-free', claim('bob'), now);
    await store.release('b-free', { lockId: 'bob' }, now);
    await store.acquire('c-expired', claim('carol', { leaseMs: 3000 }), now - LAPSED_LONG_AGO_MS);
    await store.acquire('d-frozen', claim('dave', { uberlock: true }), now);
    // A ticket taken and never served: a lock item of an env never locked.
    await store.takeTicket('e-never', 'join-e', now);

    const plain = await cli(['locks'], env);
    expect(plain.code).toBe(0);
    expect(rows(plain.out)).toEqual(['a-held LOCKED', 'c-expired EXPIRED', 'd-frozen UBERLOCKED']);
    const json = JSON.parse((await cli(['locks', '--json'], env)).out) as { env: string; state: string }[];
    expect(json.map((j) => `${j.env} ${j.state}`)).toEqual(['a-held locked', 'c-expired expired', 'd-frozen uberlocked']);

    const all = await cli(['locks', '--all'], env);
    expect(rows(all.out)).toEqual(['a-held LOCKED', 'b-free FREE', 'c-expired EXPIRED', 'd-frozen UBERLOCKED']);

    const named = await cli(['locks', '--env', 'b-free,a-held', '--json'], env);
    expect((JSON.parse(named.out) as { env: string; state: string; lastUser?: string }[]).map((j) => [j.env, j.state, j.lastUser])).toEqual([
      ['a-held', 'locked', undefined],
      ['b-free', 'free', 'bob@example.com'],
    ]);
    expect((await cli(['locks', '--env', 'never-seen'], env)).out).toBe('no locks');

    await store.release('a-held', { lockId: 'alice' }, now);
    await store.release('c-expired', { lockId: 'carol' }, now);
    await store.release('d-frozen', { lockId: 'dave' }, now);
    expect((await cli(['locks'], env)).out).toMatch(/^no env is locked/);
    expect(rows((await cli(['locks', '--all'], env)).out)).toEqual(['a-held FREE', 'b-free FREE', 'c-expired FREE', 'd-frozen FREE']);
    store.close?.();
  });
});
