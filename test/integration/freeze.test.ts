import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/** Freezes with an end (`--until`/`--for`), and failing fast on a freeze (`--wait-on-freeze` to wait). */
async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')).join('\n') };
}

async function setup() {
  const store = await freshDynamoStore();
  return { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table };
}

describe('freezes', () => {
  it('a freeze with --for ends by itself: a waiting lock gets the env right after it', async () => {
    const env = await setup();
    const freeze = await cli(['lock', '--env', 'f', '--uberlock', '--for', '3s', '--user', 'lead@example.com', '--meta', 'release freeze'], env);
    expect(freeze.code, freeze.err).toBe(0);
    const status = await cli(['status', '--env', 'f'], env);
    expect(status.out).toMatch(/UBERLOCKED \(frozen\) by UBERLOCK by lead@example.com \(release freeze, since .*frozen until \d{4}-/);
    const end = Date.now() + 3000;
    const waited = await cli(['lock', '--env', 'f', '--user', 'dev@example.com', '--wait', '30s', '--wait-on-freeze'], env);
    expect(waited.code, waited.err).toBe(0);
    expect(Date.now()).toBeGreaterThanOrEqual(end - 1000);
    expect(Date.now() - end).toBeLessThan(2500);
  }, 30_000);

  it('a normal lock fails at once on a freeze, naming who froze it and why, unless told to wait', async () => {
    const env = await setup();
    expect((await cli(['lock', '--env', 'g', '--uberlock', '--user', 'lead@example.com', '--meta', 'quarter end'], env)).code).toBe(0);
    const t0 = Date.now();
    const r = await cli(['lock', '--env', 'g', '--user', 'dev@example.com', '--wait', '10m'], env);
    expect(r.code).toBe(3);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.err).toMatch(/env g is locked by UBERLOCK by lead@example.com \(quarter end, .*never expires\); gave up at once: it is frozen \(pass --wait-on-freeze/);
  });

  it('bad freeze ends are refused with one line and exit 2, nothing written', async () => {
    const env = await setup();
    for (const args of [
      ['--uberlock', '--until', '2020-01-01T00:00Z'],
      ['--uberlock', '--until', 'next tuesday'],
      ['--uberlock', '--for', '40d'],
      ['--uberlock', '--until', '1h', '--for', '1h'],
      ['--until', '1h'],
    ]) {
      const r = await cli(['lock', '--env', 'h', ...args], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
    }
    expect(JSON.parse((await cli(['status', '--env', 'h', '--json'], env)).out).state).toBe('free');
  });
});
