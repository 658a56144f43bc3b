import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LockClient } from '../../src/lock/client.js';
import { LAPSED_LONG_AGO_MS } from '../../src/lock/lease-watch.js';
import { leasesReply } from '../../src/slack/blocks.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/**
 * status, locks, wait, Slack leases and lock judge a lapsed lease the same way
 * (rules.lockState): held within the skew allowance, EXPIRED after it.
 */
async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  if (process.env.DEBUG_CLI) console.log(argv, code, out, err);
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')).join('\n') };
}

describe('one judgement of a lapsed lease', () => {
  it('within the allowance every reader says locked; past it every reader says expired; long past, lock takes it', async () => {
    const store = await freshDynamoStore();
    const env = { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table, DAPLAYA_USER: 'bob@example.com' };
    const claim = { lockId: 'dead-job', user: 'alice@example.com', meta: 'deploy', uberlock: false, leaseMs: 3000 };
    const client = new LockClient(store, { skewMs: 5000 });
    const slack = async (name: string) => leasesReply((await client.list()).filter((i) => i.name === name), new Map(), Date.now(), 5000).blocks.map((b) => JSON.stringify(b)).join('\n');

    // Lapsed 2 s ago: inside the 5 s allowance.
    await store.acquire('within', claim, Date.now() - 5000);
    expect((await cli(['status', '--env', 'within'], env)).out).toMatch(/^env within is locked by alice@example.com/);
    expect(JSON.parse((await cli(['locks', '--env', 'within', '--json'], env)).out)[0].state).toBe('locked');
    expect((await cli(['wait', '--env', 'within', '--wait', '0'], env)).code).toBe(3);
    expect(await slack('within')).not.toMatch(/EXPIRED/);
    const lockWithin = await cli(['lock', '--env', 'within', '--wait', '0'], env);
    expect(lockWithin.code).toBe(3);
    expect(lockWithin.err).toMatch(/env within is locked by alice@example.com/);

    // Lapsed a minute ago: past the allowance, not long enough to take without watching.
    await store.acquire('past', claim, Date.now() - 63_000);
    expect((await cli(['status', '--env', 'past'], env)).out).toMatch(/^env past is EXPIRED: held by alice@example.com/);
    expect(JSON.parse((await cli(['locks', '--env', 'past', '--json'], env)).out)[0].state).toBe('expired');
    const w = await cli(['wait', '--env', 'past', '--wait', '0'], env);
    expect(w.code).toBe(0);
    expect(w.out).toMatch(/EXPIRED/);
    expect(await slack('past')).toMatch(/EXPIRED/);
    const lockPast = await cli(['lock', '--env', 'past', '--wait', '0'], env);
    expect(lockPast.code).toBe(3);
    expect(lockPast.err).toMatch(/env past is locked by alice@example.com \(deploy, since .*expired 1m\d*s? ago\)/);
    // Waiting one lease is enough for a takeover: the item stayed unchanged that long.
    expect((await cli(['lock', '--env', 'past', '--wait', '10s'], env)).code).toBe(0);

    // Lapsed long ago: taken at once.
    await store.acquire('long', claim, Date.now() - LAPSED_LONG_AGO_MS - 20_000);
    expect((await cli(['status', '--env', 'long'], env)).out).toMatch(/^env long is EXPIRED/);
    expect((await cli(['lock', '--env', 'long', '--wait', '0'], env)).code).toBe(0);
  }, 60_000);
});
