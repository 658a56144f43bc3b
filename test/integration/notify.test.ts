import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LAPSED_LONG_AGO_MS } from '../../src/lock/lease-watch.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { cleanEnv, ROOT } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { blackHole, notifySink } from '../helpers/notify-sink.js';

/**
 * Notifications (src/notify/), end to end through the CLI in-process against DynamoDB
 * Local, with a loopback HTTP server standing for Slack's webhook and Web API and for a
 * generic webhook. Every `main()` call opens its own store connection, lock client and
 * notifier, as a separate process would: they share nothing but the table.
 */
let store: DynamoStore;
let sink: Awaited<ReturnType<typeof notifySink>>;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  store = await freshDynamoStore();
  sink = await notifySink();
  baseEnv = {
    ...LOCAL_AWS_ENV,
    DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
    DAPLAYA_AWS_SECRET_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    DAPLAYA_TABLE: store.config.table,
    DAPLAYA_SLACK_WEBHOOK_URL: `${sink.base}/slack-hook`,
    DAPLAYA_WEBHOOK_URL: `${sink.base}/hook`,
  };
});
afterAll(async () => {
  await sink?.close();
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await main(argv, { ...baseEnv, ...env }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.filter((l) => !l.startsWith('daplaya: using ')), ms: Date.now() - started };
}

const as = (user: string) => ({ DAPLAYA_USER: user });
/** Messages about one env, by destination. */
const about = (env: string) => ({
  slack: sink.slack().filter((r) => String(r.json.text).includes(`*${env}*`)),
  hook: sink.hook().filter((r) => r.json.env === env),
});

describe('notifications', () => {
  it('a forced takeover and a forced release: one message each, saying who, from whom and why', async () => {
    expect((await cli(['lock', '--env', 'nf1', '--meta', 'deploy v1'], as('alice@example.com'))).code).toBe(0);
    expect(about('nf1').slack).toHaveLength(0);
    const forced = await cli(['lock', '--env', 'nf1', '--force', '--reason', 'hotfix for INC-7'], as('bob@example.com'));
    expect(forced.code).toBe(0);
    expect(forced.err.filter((l) => l.includes('warning'))).toEqual([]);
    let m = about('nf1');
    expect(m.slack).toHaveLength(1);
    expect(m.slack[0]?.json.text).toMatch(/^:rotating_light: bob@example\.com took \*nf1\* by force from alice@example\.com \(deploy v1, since \S+\): hotfix for INC-7 \(fence 2\)$/);
    expect(m.hook).toHaveLength(1);
    expect(m.hook[0]?.json).toMatchObject({ source: 'daplaya', event: 'forced', env: 'nf1', by: 'bob@example.com', from: { user: 'alice@example.com', meta: 'deploy v1' }, reason: 'hotfix for INC-7', fence: 2 });
    expect(m.hook[0]?.json.text).toMatch(/^bob@example\.com took env nf1 by force from alice@example\.com/);

    const released = await cli(['release', '--env', 'nf1', '--force', '--reason', 'bob went home'], as('carol@example.com'));
    expect(released.code).toBe(0);
    m = about('nf1');
    expect(m.slack).toHaveLength(2);
    expect(m.slack[1]?.json.text).toMatch(/^:rotating_light: carol@example\.com force-released \*nf1\* from bob@example\.com \(.*\): bob went home$/);
    expect(m.hook[1]?.json).toMatchObject({ event: 'force-released', by: 'carol@example.com', from: { user: 'bob@example.com' }, reason: 'bob went home' });
    // A plain release by the holder is no news.
    await cli(['lock', '--env', 'nf1'], as('alice@example.com'));
    await cli(['release', '--env', 'nf1'], as('alice@example.com'));
    expect(about('nf1').slack).toHaveLength(2);
  });

  it('an uberlock set and lifted: one message each', async () => {
    expect((await cli(['lock', '--env', 'nu1', '--uberlock', '--meta', 'release freeze'], as('lead@example.com'))).code).toBe(0);
    let m = about('nu1');
    expect(m.slack.map((r) => r.json.text)).toEqual([':snowflake: lead@example.com froze *nu1* with an UBERLOCK (no end: until released): release freeze']);
    expect(m.hook[0]?.json).toMatchObject({ event: 'uberlock-set', user: 'lead@example.com', meta: 'release freeze', until: null });
    expect((await cli(['release', '--env', 'nu1'], as('lead@example.com'))).code).toBe(0);
    m = about('nu1');
    expect(m.slack.map((r) => r.json.text)).toEqual([
      ':snowflake: lead@example.com froze *nu1* with an UBERLOCK (no end: until released): release freeze',
      ':sunny: lead@example.com lifted the UBERLOCK on *nu1*',
    ]);
    expect(m.hook.map((r) => r.json.event)).toEqual(['uberlock-set', 'uberlock-lifted']);
  });

  it('a waiter that gave up: one message naming the holder; a single try (--wait 0) that finds it busy is no news', async () => {
    await cli(['lock', '--env', 'ng1', '--meta', 'long deploy'], as('alice@example.com'));
    expect((await cli(['lock', '--env', 'ng1', '--wait', '0'], as('bob@example.com'))).code).toBe(3);
    expect(about('ng1').slack).toHaveLength(0);
    const gaveUp = await cli(['lock', '--env', 'ng1', '--wait', '1s'], as('bob@example.com'));
    expect(gaveUp.code).toBe(3);
    const m = about('ng1');
    expect(m.slack).toHaveLength(1);
    expect(m.slack[0]?.json.text).toMatch(/^:hourglass: bob@example\.com gave up waiting for \*ng1\* after \d+(ms|s): held by alice@example\.com \(long deploy, since \S+\)$/);
    expect(m.hook[0]?.json).toMatchObject({ event: 'gave-up', user: 'bob@example.com', holder: { user: 'alice@example.com', meta: 'long deploy' } });
  });

  it('a lease that lapsed without a release: exactly one message, although four processes race to report it (three readers, one taker)', async () => {
    const claim = { lockId: 'dead-job', user: 'alice@example.com', meta: 'https://ci.example.com/run/9', uberlock: false, leaseMs: 3000 };
    await store.acquire('nl1', claim, Date.now() - LAPSED_LONG_AGO_MS - 20_000);
    const results = await Promise.all([
      cli(['status', '--env', 'nl1']),
      cli(['lock', '--env', 'nl1', '--wait', '0'], as('bob@example.com')),
      cli(['locks']),
      cli(['status', '--env', 'nl1']),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(results.flatMap((r) => r.err).filter((l) => l.includes('warning'))).toEqual([]);
    const m = about('nl1');
    expect(m.slack).toHaveLength(1);
    expect(m.hook).toHaveLength(1);
    expect(m.slack[0]?.json.text).toMatch(/^:skull: the lock on \*nl1\* held by alice@example\.com \(https:\/\/ci\.example\.com\/run\/9\) lapsed without a release \(its lease ended \S+; the job may have died\)/);
    expect(m.hook[0]?.json).toMatchObject({ event: 'lapsed', id: 'nl1:lapsed:1', holder: { user: 'alice@example.com', lockId: 'dead-job' }, fence: 1 });
    // Asked again, nobody tells it twice.
    await cli(['lock', '--env', 'nl1', '--wait', '0'], as('bob@example.com'));
    await cli(['status', '--env', 'nl1']);
    expect(about('nl1').slack).toHaveLength(1);
  });

  // Real processes running the source (no build needed): Node 22.7+ strips the types.
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  it.runIf(major > 22 || (major === 22 && minor >= 7))('the same lapse seen by two OS processes at once: exactly one message', async () => {
    const claim = { lockId: 'dead-job-2', user: 'dave@example.com', meta: 'deploy', uberlock: false, leaseMs: 3000 };
    await store.acquire('nl2', claim, Date.now() - 120_000);
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--experimental-transform-types', '--no-warnings', '--import', path.join(ROOT, 'test/helpers/ts-hooks.mjs'), path.join(ROOT, 'src/index.ts'), ...args],
          { env: cleanEnv(baseEnv), stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(['status', '--env', 'nl2']), run(['status', '--env', 'nl2']), run(['locks', '--env', 'nl2'])]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results.map((r) => r.stderr).join('')).not.toMatch(/warning/);
    const m = about('nl2');
    expect(m.slack).toHaveLength(1);
    expect(m.hook).toHaveLength(1);
    expect(m.hook[0]?.json).toMatchObject({ event: 'lapsed', holder: { user: 'dave@example.com', lockId: 'dead-job-2' } });
  });

  it('a lock held longer than DAPLAYA_NOTIFY_HELD_OVER: one message, whoever looks and however often', async () => {
    const claim = { lockId: 'slow-job', user: 'alice@example.com', meta: 'migration', uberlock: false, leaseMs: 3_600_000 };
    await store.acquire('nh1', claim, Date.now() - 5000);
    const env = { DAPLAYA_NOTIFY_HELD_OVER: '2s' };
    const results = await Promise.all([cli(['status', '--env', 'nh1'], env), cli(['locks'], env), cli(['status', '--env', 'nh1'], env)]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    await cli(['locks'], env);
    const m = about('nh1');
    expect(m.slack).toHaveLength(1);
    expect(m.slack[0]?.json.text).toMatch(/^:alarm_clock: \*nh1\* has been held by alice@example\.com \(migration, since \S+\) for [56]s, longer than 2s$/);
    expect(m.hook[0]?.json).toMatchObject({ event: 'held-over', thresholdMs: 2000 });
    // Without the setting, nobody is told.
    await store.acquire('nh2', claim, Date.now() - 5000);
    await cli(['status', '--env', 'nh2']);
    expect(about('nh2').slack).toHaveLength(0);
  });

  it('chat.postMessage with a bot token: the channel and token go to the API; an API refusal is one warning line', async () => {
    const api = await notifySink();
    const refusing = await notifySink({ apiAnswer: { ok: false, error: 'channel_not_found' } });
    try {
      const bot = (base: string) => ({ DAPLAYA_SLACK_WEBHOOK_URL: '', DAPLAYA_WEBHOOK_URL: '', DAPLAYA_SLACK_BOT_TOKEN: 'xoxb-test-token', DAPLAYA_SLACK_CHANNEL: 'C0DEPLOYS', DAPLAYA_SLACK_API_URL: `${base}/api` });
      await cli(['lock', '--env', 'nb1', '--uberlock', '--meta', 'freeze'], { ...as('lead@example.com'), ...bot(api.base) });
      expect(api.api()).toHaveLength(1);
      const r = api.api()[0];
      expect(r?.path).toBe('/api/chat.postMessage');
      expect(r?.headers.authorization).toBe('Bearer xoxb-test-token');
      expect(r?.json).toMatchObject({ channel: 'C0DEPLOYS', text: ':snowflake: lead@example.com froze *nb1* with an UBERLOCK (no end: until released): freeze' });

      const refused = await cli(['release', '--env', 'nb1'], { ...as('lead@example.com'), ...bot(refusing.base) });
      expect(refused.code).toBe(0);
      expect(refused.out).toBe('released env nb1');
      expect(refused.err).toEqual(['daplaya: warning: notification of uberlock-lifted on env nb1 to Slack chat.postMessage to C0DEPLOYS failed: Slack said channel_not_found']);
    } finally {
      await api.close();
      await refusing.close();
    }
  });

  it('a black-holed webhook delays a lock by no more than its timeout and never fails it: one warning line', async () => {
    const hole = await blackHole();
    try {
      const dead = { DAPLAYA_SLACK_WEBHOOK_URL: '', DAPLAYA_WEBHOOK_URL: hole.url, DAPLAYA_NOTIFY_TIMEOUT: '800ms' };
      await cli(['lock', '--env', 'nd1'], as('alice@example.com'));
      // The same forced takeover without notifications, for the time it takes anyway.
      await cli(['lock', '--env', 'nd0'], as('alice@example.com'));
      const baseline = await cli(['lock', '--env', 'nd0', '--force', '--reason', 'baseline'], { ...as('bob@example.com'), DAPLAYA_SLACK_WEBHOOK_URL: '', DAPLAYA_WEBHOOK_URL: '' });
      const r = await cli(['lock', '--env', 'nd1', '--force', '--reason', 'hotfix'], { ...as('bob@example.com'), ...dead });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^locked env nd1 for bob@example\.com/);
      expect(hole.accepted()).toBe(1);
      expect(r.err.filter((l) => l.includes('warning'))).toEqual([`daplaya: warning: notification of forced on env nd1 to webhook at ${new URL(hole.url).host} failed: no answer within 800ms`]);
      expect(r.ms).toBeGreaterThanOrEqual(750);
      expect(r.ms - baseline.ms).toBeLessThan(800 + 700);
      expect((await store.get('nd1'))?.user).toBe('bob@example.com');
      // A refused connection fails at once, also as one warning.
      const refused = await cli(['release', '--env', 'nd1', '--force', '--reason', 'cleanup'], { ...as('carol@example.com'), DAPLAYA_SLACK_WEBHOOK_URL: '', DAPLAYA_WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
      expect(refused.code).toBe(0);
      expect(refused.err.filter((l) => l.includes('warning'))).toHaveLength(1);
      expect(refused.err.find((l) => l.includes('warning'))).toMatch(/^daplaya: warning: notification of force-released on env nd1 to webhook at 127\.0\.0\.1:9 failed: connect ECONNREFUSED 127\.0\.0\.1:9/);
      expect((await store.get('nd1'))?.owner).toBeUndefined();
    } finally {
      await hole.close();
    }
  });

  it('a webhook URL that is not https (nor loopback) is one line, exit 2, and the lock is untouched; the URL\'s secret path is not printed', async () => {
    for (const [k, v] of [
      ['DAPLAYA_WEBHOOK_URL', 'http://hooks.example.com/T000/B000/secretpath'],
      ['DAPLAYA_SLACK_WEBHOOK_URL', 'ftp://hooks.slack.com/services/T000/B000/secretpath'],
      ['DAPLAYA_SLACK_WEBHOOK_URL', 'not a url'],
    ] as const) {
      const r = await cli(['lock', '--env', 'nx1'], { ...as('alice@example.com'), [k]: v });
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(new RegExp(`^daplaya: error: ${k} (must be an https:// URL|is not a URL)`));
      expect(r.err[0]).not.toMatch(/secretpath/);
    }
    const noChannel = await cli(['lock', '--env', 'nx1'], { DAPLAYA_SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(noChannel.code).toBe(2);
    expect(noChannel.err).toEqual(['daplaya: error: set both DAPLAYA_SLACK_BOT_TOKEN and DAPLAYA_SLACK_CHANNEL (a channel id like C0123456789), or neither']);
    expect(await store.get('nx1')).toBeUndefined();
    expect(sink.received.filter((r) => JSON.stringify(r.json).includes('nx1'))).toEqual([]);
  });
});
