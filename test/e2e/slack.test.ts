import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { handleSlack } from '../../src/slack/handler.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { MemoryStore } from '../../src/store/memory.js';
import { CLI, cleanEnv, ROOT } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { APP_ID, SECRET, signedHeaders, slashBody } from '../helpers/slack.js';

let store: DynamoStore;
let server: ChildProcess;
let url: string;
let slackEnv: Record<string, string>;

beforeAll(async () => {
  store = await freshDynamoStore();
  slackEnv = cleanEnv({
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    DAPLAYA_TABLE: store.config.table,
    DAPLAYA_SLACK_SIGNING_SECRET: SECRET,
    DAPLAYA_SLACK_APP_ID: APP_ID,
    DAPLAYA_SLACK_HOST: '127.0.0.1',
  });
  server = spawn(process.execPath, [CLI, 'slack', 'serve', '--port', '0'], { env: slackEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    server.on('exit', (code) => reject(new Error(`slack serve exited ${code}`)));
  });
});
afterAll(() => {
  server?.kill('SIGTERM');
});

async function post(body: string, headers = signedHeaders(body)) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
const slash = (text: string, user?: { id: string; name: string }) => {
  const body = slashBody(text, user);
  return post(body);
};
const client = () => new LockClient(store);
const bob = { id: 'U222', name: 'bob' };

describe('daplaya slack serve over real HTTP', () => {
  it('lock, busy for another user, leases, refused release, forced release, and release by the owner', async () => {
    const a = await slash('lock prod deploying v2.3 https://ci.example.com/run/9');
    expect(a.status).toBe(200);
    expect(a.json.response_type).toBe('in_channel');
    expect(a.json.text).toMatch(/^:lock: <@U111> locked \*prod\* \(deploying v2\.3 https:\/\/ci\.example\.com\/run\/9\), fence 1$/);
    expect(a.json.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(await client().holder('prod')).toMatchObject({ user: 'alice (<@U111>)', meta: 'deploying v2.3 https://ci.example.com/run/9' });

    const b = await slash('lock prod', bob);
    expect(b.json.response_type).toBe('ephemeral');
    expect(b.json.text).toMatch(/\*prod\* is locked by alice \(<@U111>\) \(deploying v2\.3/);

    const l = await slash('leases');
    expect(l.json.blocks.map((x: { text: { text: string } }) => x.text.text).join('\n')).toMatch(/\*prod\*: alice \(<@U111>\)/);

    const refused = await slash('release prod', bob);
    expect(refused.json).toMatchObject({ response_type: 'ephemeral' });
    expect(refused.json.text).toMatch(/not by you.*--force (--reason )?REASON/);
    expect((await client().holder('prod'))?.user).toBe('alice (<@U111>)');

    const noReason = await slash('release prod --force', bob);
    expect(noReason.json.text).toMatch(/needs a reason/);

    const forced = await slash('release prod --force alice is on holiday', bob);
    expect(forced.json.response_type).toBe('in_channel');
    expect(forced.json.text).toMatch(/<@U222> force-released \*prod\* from alice \(<@U111>\): alice is on holiday/);
    expect(await client().holder('prod')).toBeUndefined();
    const h = await client().historyOf('prod');
    expect(h.at(-1)).toMatchObject({ kind: 'force-released', by: 'bob (<@U222>)', reason: 'alice is on holiday' });

    await slash('lock prod', bob);
    const own = await slash('release prod', bob);
    expect(own.json.text).toBe(':unlock: <@U222> released *prod*');
    expect(await client().holder('prod')).toBeUndefined();
  });

  it('uberlock freezes an env and is shown as such; meta defaults to Slack', async () => {
    const u = await slash('uberlock staging');
    expect(u.json.text).toMatch(/:snowflake: <@U111> \*froze\* \*staging\* \(Slack\)/);
    const b = await slash('lock staging', bob);
    expect(b.json.text).toMatch(/UBERLOCK\* by alice .*never expires/);
    await slash('release staging');
    expect(await client().holder('staging')).toBeUndefined();
  });

  it('help, unknown sub-commands and bad env names get a clear ephemeral reply and touch nothing', async () => {
    expect((await slash('help')).json.text).toBe('daplaya: deployment locks');
    const unknown = await slash('explode prod');
    expect(unknown.json.text).toMatch(/Unknown command `explode`/);
    const bad = await slash('lock prod;rm');
    expect(bad.json).toMatchObject({ response_type: 'ephemeral' });
    expect(bad.json.text).toMatch(/characters that are not allowed/);
    const missing = await slash('lock');
    expect(missing.json.text).toMatch(/name an env/);
    expect((await client().list()).map((i) => i.name)).not.toContain('prod;rm');
  });

  it('unsigned, tampered, stale, wrong-app and malformed requests are refused and touch no lock', async () => {
    const body = slashBody('lock guarded');
    expect((await post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect((await post(body.replace('guarded', 'guarded2'), signedHeaders(body))).status).toBe(401);
    expect((await post(body, signedHeaders(body, { ts: Math.floor(Date.now() / 1000) - 600 }))).status).toBe(401);
    expect((await post(body, signedHeaders(body, { secret: 'wrong' }))).status).toBe(401);
    const otherApp = slashBody('lock guarded', undefined, { api_app_id: 'A0OTHER' });
    expect((await post(otherApp)).status).toBe(401);
    const noUser = new URLSearchParams({ command: '/daplaya', text: 'lock guarded', api_app_id: APP_ID }).toString();
    const r = await post(noUser);
    expect(r.status).toBe(400);
    expect(r.json.text).toMatch(/user_id, command and text are required/);
    expect(await client().item('guarded')).toBeUndefined();
  });
});

describe('the Lambda handler (API Gateway / function URL events)', () => {
  it('handles a base64-encoded v2 event and a plain v1 event against DynamoDB Local', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, slackEnv);
    try {
      const { handler } = (await import(path.join(ROOT, 'dist/slack-lambda/index.js'))) as {
        handler: (e: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const body = slashBody('lock lambda-env via lambda');
      const v2 = await handler({
        version: '2.0',
        headers: signedHeaders(body),
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: 'POST' } },
      });
      expect(v2.statusCode).toBe(200);
      // On a loaded machine a cold start can pass Slack's 3 s: then the answer is "working on it" and the
      // Lambda finished the work (and posted it to response_url) before it returned. Either way the lock is taken.
      const first = JSON.parse(v2.body).text as string;
      if (!/Working on it/.test(first)) expect(first).toMatch(/locked \*lambda-env\* \(via lambda\)/);
      const body2 = slashBody('release lambda-env');
      const h1 = Object.fromEntries(Object.entries(signedHeaders(body2)).map(([k, v]) => [k.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()), v]));
      const v1 = await handler({ httpMethod: 'POST', headers: h1, body: body2, isBase64Encoded: false });
      expect(JSON.parse(v1.body).text).toMatch(/released \*lambda-env\*/);
      const unsigned = await handler({ headers: {}, body: body2, isBase64Encoded: false });
      expect(unsigned.statusCode).toBe(401);
    } finally {
      process.env = saved;
    }
  });
});

describe('slow store: acknowledge within Slack\'s 3 s, finish through response_url', () => {
  it('answers "working on it" at once and posts the result to response_url', async () => {
    const posted: unknown[] = [];
    const sink = http.createServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        posted.push(JSON.parse(b));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const responseUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
    const mem = new MemoryStore();
    const slow = new Proxy(mem, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? async (...args: unknown[]) => (await new Promise((r) => setTimeout(r, 150)), v.apply(target, args)) : v;
      },
    });
    let deferred: Promise<void> | undefined;
    const body = slashBody('lock slow-env', undefined, { response_url: responseUrl });
    const res = await handleSlack(
      { headers: signedHeaders(body), body },
      { signingSecret: SECRET, appId: APP_ID, leaseMs: 60_000, client: async () => new LockClient(slow), ackAfterMs: 100, onDeferred: (w) => (deferred = w) },
    );
    expect(JSON.parse(res.body).text).toMatch(/Working on it/);
    await deferred;
    sink.close();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect((posted[0] as { text: string }).text).toMatch(/locked \*slow-env\*/);
    expect((await mem.get('slow-env'))?.user).toBe('alice (<@U111>)');
  });
});
