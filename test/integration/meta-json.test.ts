import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/** `lock --meta-json`: structured metadata on the lock item and in the history, shown as key=value. */
async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')) };
}

const stores: [string, () => Promise<Record<string, string>>][] = [
  [
    'DynamoDB Local',
    async () => {
      const store = await freshDynamoStore();
      return { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table };
    },
  ],
  ['the file store', async () => ({ HOME: os.tmpdir(), DAPLAYA_STORE: 'file', DAPLAYA_STORE_DIR: mkdtempSync(path.join(os.tmpdir(), 'daplaya-meta-')) })],
];

describe.each(stores)('--meta-json on %s', (_label, makeEnv) => {
  it('is stored as structured metadata and shown as key=value to whoever looks or waits', async () => {
    const base = await makeEnv();
    const alice = { ...base, DAPLAYA_USER: 'alice@example.com' };
    const bob = { ...base, DAPLAYA_USER: 'bob@example.com' };
    const lock = await cli(['lock', '--env', 'm1', '--meta', 'deploy v2', '--meta-json', '{"ticket":"MAINT-123","risk":"low","approved":true,"prs":3}'], alice);
    expect(lock.code).toBe(0);

    const status = await cli(['status', '--env', 'm1'], base);
    expect(status.out).toMatch(/^env m1 is locked by alice@example\.com \(deploy v2, ticket=MAINT-123 risk=low approved=true prs=3, since /);
    const sj = JSON.parse((await cli(['status', '--env', 'm1', '--json'], base)).out);
    expect(sj.metaData).toEqual({ ticket: 'MAINT-123', risk: 'low', approved: true, prs: 3 });
    expect(sj.meta).toBe('deploy v2, ticket=MAINT-123 risk=low approved=true prs=3');
    const lj = JSON.parse((await cli(['locks', '--json'], base)).out);
    const listed = lj.find((i: { env: string }) => i.env === 'm1');
    expect(listed.meta).toBe('deploy v2, ticket=MAINT-123 risk=low approved=true prs=3');
    expect(listed.metaData).toEqual({ ticket: 'MAINT-123', risk: 'low', approved: true, prs: 3 });

    const busy = await cli(['lock', '--env', 'm1'], bob);
    expect(busy.code).toBe(3);
    expect(busy.err.join('\n')).toMatch(/locked by alice@example\.com \(deploy v2, ticket=MAINT-123 risk=low approved=true prs=3, since/);

    const h = JSON.parse((await cli(['history', '--env', 'm1', '--json'], base)).out) as { kind: string; metaData?: unknown }[];
    expect(h.find((e) => e.kind === 'acquired')?.metaData).toEqual({ ticket: 'MAINT-123', risk: 'low', approved: true, prs: 3 });

    // Released and taken again without it: no metadata left over from the last holder.
    expect((await cli(['release', '--env', 'm1'], alice)).code).toBe(0);
    expect((await cli(['lock', '--env', 'm1', '--meta', 'plain'], bob)).code).toBe(0);
    const again = JSON.parse((await cli(['status', '--env', 'm1', '--json'], base)).out);
    expect(again.metaData).toBeUndefined();
    expect(again.meta).toBe('plain');
  });

  it('values are shown quoted when they have spaces; without --meta (nor a CI job URL), key=value is the whole meta', async () => {
    const base = { ...(await makeEnv()), DAPLAYA_USER: 'alice@example.com', DAPLAYA_META: '' };
    expect((await cli(['lock', '--env', 'm2', '--meta-json', '{"ticket":"MAINT-9","why":"db migration"}'], { ...base })).code).toBe(0);
    const sj = JSON.parse((await cli(['status', '--env', 'm2', '--json'], base)).out);
    expect(sj.meta).toBe('ticket=MAINT-9 why="db migration"');
  });

  it('invalid JSON, or JSON that is not an object of plain values: one line, exit 2, the lock untouched', async () => {
    const base = { ...(await makeEnv()), DAPLAYA_USER: 'alice@example.com' };
    for (const [value, message] of [
      ['{ticket: MAINT-123}', /^daplaya: error: --meta-json is not valid JSON: /],
      ['["MAINT-123"]', /^daplaya: error: --meta-json must be a JSON object/],
      ['{"ticket":{"id":1}}', /^daplaya: error: --meta-json value of "ticket" must be a string, number or boolean/],
      ['{}', /^daplaya: error: --meta-json is an empty object/],
    ] as const) {
      const r = await cli(['lock', '--env', 'm3', '--meta-json', value], base);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    }
    const s = JSON.parse((await cli(['status', '--env', 'm3', '--json'], base)).out);
    expect(s.state).toBe('free');
    expect(s.fence).toBe(0);
  });
});
