import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadSlackConfig } from '../../src/config/slack.js';
import { LockClient } from '../../src/lock/client.js';
import { createSlackServer } from '../../src/slack/http.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { APP_ID, SECRET, signedHeaders, slashBody } from '../helpers/slack.js';

/**
 * Slack says what the CLI says: `status`, `history`, `extend`, `stats`, `locks` (and
 * `leases`), `release ENV --force --reason TEXT`; forced releases and uberlocks only by
 * DAPLAYA_SLACK_ADMINS; confirmations name the lease; Slack's ssl_check is answered.
 * The handler runs in-process over real HTTP on loopback, against DynamoDB Local.
 */
let store: DynamoStore;
let server: http.Server;
let open: http.Server;
let url: string;
let openUrl: string;
let cliEnv: Record<string, string>;

const alice = { id: 'U111', name: 'alice' };
const bob = { id: 'U222', name: 'bob' };
const admin = { id: 'UADMIN1', name: 'ops' };

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

beforeAll(async () => {
  store = await freshDynamoStore();
  const client = async () => new LockClient(store);
  server = createSlackServer({ signingSecret: SECRET, appId: APP_ID, leaseMs: 2 * 3_600_000, client, admins: ['UADMIN1', 'UADMIN2'] });
  open = createSlackServer({ signingSecret: SECRET, appId: APP_ID, leaseMs: 2 * 3_600_000, client });
  url = await listen(server);
  openUrl = await listen(open);
  cliEnv = { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table };
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => open.close(() => resolve()));
  store.close();
});

interface Reply {
  response_type: string;
  text: string;
  blocks: { text: { text: string } }[];
}
async function slash(text: string, user = alice, to = url): Promise<Reply> {
  const body = slashBody(text, user);
  const res = await fetch(to, { method: 'POST', headers: signedHeaders(body), body });
  expect(res.status).toBe(200);
  return (await res.json()) as Reply;
}
const rendered = (r: Reply) => r.blocks.map((b) => b.text.text).join('\n');

async function cli(argv: string[]) {
  const out: string[] = [];
  await main(argv, cliEnv, { out: (l) => out.push(l), err: () => undefined });
  return out.join('\n');
}

describe('Slack parity with the CLI', () => {
  it('answers Slack\'s ssl_check with 200 and an empty body, before anything else', async () => {
    const body = new URLSearchParams({ ssl_check: '1', token: 'legacy-verification-token' }).toString();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const signed = await fetch(url, { method: 'POST', headers: signedHeaders(body), body });
    expect(signed.status).toBe(200);
    expect(await signed.text()).toBe('');
  });

  it('a lock confirmation says how long the lease is and when it ends; a freeze says it has none', async () => {
    const r = await slash('lock sp-prod deploying v3');
    expect(r.response_type).toBe('in_channel');
    expect(r.text).toBe(':lock: <@U111> locked *sp-prod* (deploying v3), fence 1');
    expect(r.blocks[1]?.text.text).toMatch(/^lease 2h: expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (2h|1h59m(\d+s)?)\) unless released or extended \(`\/daplaya extend sp-prod DUR`\)$/);
    const f = await slash('uberlock sp-frozen release freeze', admin);
    expect(f.text).toMatch(/^:snowflake: <@UADMIN1> \*froze\* \*sp-frozen\*/);
    expect(f.blocks[1]?.text.text).toBe('no lease: frozen until released');
  });

  it('status says what `daplaya status` says', async () => {
    const r = await slash('status sp-prod', bob);
    expect(r.response_type).toBe('ephemeral');
    const fromCli = await cli(['status', '--env', 'sp-prod']);
    const norm = (s: string) => s.replace(/for \d+m?s/g, 'for N').replace(/expires in [\dhms]+/g, 'expires in N');
    expect(norm(rendered(r))).toBe(norm(fromCli.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/&lt;@(U[A-Z0-9]+)&gt;/g, '<@$1>')));
    expect(rendered(r)).toMatch(/^env sp-prod is locked by alice \(<@U111>\) \(deploying v3, since \S+, for \d+m?s, expires in /);
    const free = await slash('status sp-nothing', bob);
    expect(rendered(free)).toBe('env sp-nothing is free');
  });

  it('extend lengthens your own Slack lock, with the CLI\'s words; not someone else\'s', async () => {
    const r = await slash('extend sp-prod 3h');
    expect(r.response_type).toBe('in_channel');
    expect(r.text).toBe(':stopwatch: <@U111> extended env *sp-prod*: expires in 3h (lease 3h)');
    const other = await slash('extend sp-prod 1h', bob);
    expect(other.response_type).toBe('ephemeral');
    expect(other.text).toMatch(/^:no_entry: env \*sp-prod\* is not held by you \(held by alice \(<@U111>\) .*\); nothing to extend$/);
    const bad = await slash('extend sp-prod soon');
    expect(bad.text).toMatch(/^:x: .*is not a duration like 90s, 15m or 2h/);
    const missing = await slash('extend sp-prod');
    expect(missing.text).toMatch(/^:x: say how long: `\/daplaya extend ENV DUR`/);
  });

  it('history lists the newest events with the CLI\'s kinds and details', async () => {
    const r = await slash('history sp-prod', bob);
    expect(r.response_type).toBe('ephemeral');
    const text = rendered(r);
    expect(text).toMatch(/`\S+Z` \*sp-prod\* acquired alice \(<@U111>\), fence 1, waited \d+m?s: deploying v3/);
    expect(text).toMatch(/`\S+Z` \*sp-prod\* extended alice \(<@U111>\), fence 1/);
    expect((await slash('history sp-nothing', bob)).text).toBe('no history');
  });

  it('stats shows the CLI\'s table', async () => {
    const r = await slash('stats sp-prod', bob);
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(/^history since \S+Z \(7d\)$/);
    expect(r.blocks[1]?.text.text).toMatch(/^```\nENV +ACQUIRED +FAILED +FORCED +LAPSED +FORCE-RELEASED +WAIT p50\/p95\/max +HOLD p50\/p95\/max\nsp-prod +1 +0 +0 +0 +0 +\S+ +-\n```$/);
    expect((await slash('stats sp-prod 30d', bob)).text).toMatch(/\(30d\)$/);
  });

  it('locks is leases', async () => {
    const a = await slash('locks', bob);
    const b = await slash('leases', bob);
    expect(a).toEqual(b);
    expect(rendered(a)).toMatch(/\*sp-prod\*: alice/);
  });

  it('with DAPLAYA_SLACK_ADMINS, only admins force-release or uberlock; everyone else is told who can, and nothing changes', async () => {
    const refused = await slash('release sp-prod --force --reason alice is out', bob);
    expect(refused.response_type).toBe('ephemeral');
    expect(refused.text).toBe(':no_entry: only <@UADMIN1>, <@UADMIN2> can force-release or uberlock from Slack (DAPLAYA_SLACK_ADMINS)');
    expect((await new LockClient(store).holder('sp-prod'))?.user).toBe('alice (<@U111>)');
    const freeze = await slash('uberlock sp-other', bob);
    expect(freeze.text).toBe(':no_entry: only <@UADMIN1>, <@UADMIN2> can force-release or uberlock from Slack (DAPLAYA_SLACK_ADMINS)');
    expect(await new LockClient(store).holder('sp-other')).toBeUndefined();

    // The CLI's words: --force --reason TEXT.
    const forced = await slash('release sp-prod --force --reason alice is out', admin);
    expect(forced.response_type).toBe('in_channel');
    expect(forced.text).toBe(':warning: <@UADMIN1> force-released *sp-prod* from alice (<@U111>): alice is out');
    expect(await new LockClient(store).holder('sp-prod')).toBeUndefined();

    // A holder gives back their own freeze without being an admin.
    await slash('uberlock sp-own', admin);
    const own = await slash('release sp-own', admin);
    expect(own.text).toBe(':unlock: <@UADMIN1> released *sp-own*');
  });

  it('without DAPLAYA_SLACK_ADMINS anyone may force-release and uberlock, as before', async () => {
    await slash('lock sp-open', alice, openUrl);
    const forced = await slash('release sp-open --force handover', bob, openUrl);
    expect(forced.text).toBe(':warning: <@U222> force-released *sp-open* from alice (<@U111>): handover');
    expect((await slash('uberlock sp-open', bob, openUrl)).text).toMatch(/^:snowflake: <@U222> \*froze\* \*sp-open\*/);
  });

  it('help names every command', async () => {
    const text = rendered(await slash('help'));
    for (const c of ['lock', 'uberlock', 'release', 'extend', 'status', 'locks', 'history', 'stats']) expect(text).toContain(`/daplaya ${c}`);
    expect(text).toMatch(/release ENV --force --reason REASON/);
  });

  it('DAPLAYA_SLACK_ADMINS takes Slack user ids; anything else is one line at start-up', () => {
    const env = { DAPLAYA_SLACK_SIGNING_SECRET: 'x', DAPLAYA_STORE: 'file', DAPLAYA_STORE_DIR: '/tmp/daplaya-admins' };
    expect(loadSlackConfig({ ...env, DAPLAYA_SLACK_ADMINS: 'U111, W222 U333' }).admins).toEqual(['U111', 'W222', 'U333']);
    expect(loadSlackConfig(env).admins).toBeUndefined();
    expect(() => loadSlackConfig({ ...env, DAPLAYA_SLACK_ADMINS: 'alice' })).toThrow(/^DAPLAYA_SLACK_ADMINS must be Slack user ids \(U0123ABCD\), separated by commas or spaces; got "alice"$/);
  });
});

describe('a freeze with an end, from Slack', () => {
  it('`uberlock ENV until DATE REASON` freezes until then and says so; a bad date is an ephemeral line, nothing frozen', async () => {
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await slash(`uberlock xmas until ${until} release week`, admin);
    expect(r.response_type).toBe('in_channel');
    expect(JSON.stringify(r.blocks)).toContain(`frozen until ${until}`);
    const item = await store.get('xmas');
    expect(item).toMatchObject({ uberlock: true, meta: 'release week', expiresAt: Date.parse(until) });
    const bad = await slash('uberlock xmas2 until yesterday-ish nope', admin);
    expect(bad.response_type).toBe('ephemeral');
    expect(bad.text).toMatch(/--until "yesterday-ish" is neither a time/);
    expect(await store.get('xmas2')).toBeUndefined();
  });
});
