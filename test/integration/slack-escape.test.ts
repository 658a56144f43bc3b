import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { createSlackServer } from '../../src/slack/http.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { APP_ID, SECRET, signedHeaders, slashBody } from '../helpers/slack.js';

// Slack turns <!channel>, <!here>, <!subteam^…> and <url|text> in mrkdwn into live
// mentions and links: no text a user typed may carry them into a reply.
let store: DynamoStore;
let server: http.Server;
let url: string;

beforeAll(async () => {
  store = await freshDynamoStore();
  server = createSlackServer({ signingSecret: SECRET, appId: APP_ID, leaseMs: 60_000, client: async () => new LockClient(store) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  store.close();
});

async function slash(text: string, user?: { id: string; name: string }) {
  const body = slashBody(text, user);
  const res = await fetch(url, { method: 'POST', headers: signedHeaders(body), body });
  expect(res.status).toBe(200);
  return (await res.json()) as { response_type: string; text: string; blocks: { text: { text: string } }[] };
}

/** Everything Slack would render from a reply. */
const rendered = (r: { text: string; blocks: { text: { text: string } }[] }) => [r.text, ...r.blocks.map((b) => b.text.text)].join('\n');

/** A live Slack control sequence other than the user mentions daplaya writes itself (<@U…>). */
const LIVE = /<!|<(?!@U[A-Z0-9]+>)[^>]*>/;

describe('Slack replies escape user-supplied text', () => {
  it('a meta that closes the link and opens <!channel> yields no live @channel in the public reply', async () => {
    const meta = 'https://x.example><!channel><https://y.example';
    const locked = await slash(`lock esc1 ${meta}`);
    expect(locked.response_type).toBe('in_channel');
    expect(rendered(locked)).not.toContain('<!channel>');
    expect(rendered(locked)).not.toMatch(LIVE);
    expect(locked.text).toContain('&lt;!channel&gt;');

    // The same meta shown to someone who finds the env busy, and in `leases`.
    const busy = await slash('lock esc1', { id: 'U222', name: 'bob' });
    expect(busy.text).toMatch(/is locked by alice/);
    expect(rendered(busy)).not.toMatch(LIVE);
    const leases = await slash('leases');
    expect(rendered(leases)).toMatch(/\*esc1\*/);
    expect(rendered(leases)).not.toMatch(LIVE);
  });

  it('a plain URL meta stays one link, its & escaped', async () => {
    const r = await slash('lock esc2 https://ci.example.com/run?a=1&b=2');
    expect(r.text).toContain('<https://ci.example.com/run?a=1&amp;b=2|https://ci.example.com/run?a=1&amp;b=2>');
  });

  it('user, meta and queue entries written outside Slack, and a forced release reason, are escaped', async () => {
    const client = new LockClient(store);
    await client.acquire({ name: 'esc3', lockId: 'cli:x', user: '<!here> eve & co', meta: '<!channel> deploy', leaseMs: 60_000, waitMs: 0 });
    // A waiter queued behind it, named in `leases`.
    const stop = new AbortController();
    const waiting = client.acquire({ name: 'esc3', lockId: 'cli:q', user: '<!everyone>', meta: '', leaseMs: 60_000, waitMs: 60_000, signal: stop.signal });
    for (let i = 0; i < 100 && (await client.waiters('esc3')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const leases = await slash('leases esc3');
    expect(rendered(leases)).toMatch(/queue: #1 &lt;!everyone&gt;/);
    for (const r of [await slash('lock esc3'), leases, await slash('release esc3')]) {
      expect(rendered(r)).toMatch(/eve &amp; co/);
      expect(rendered(r)).not.toMatch(LIVE);
    }
    stop.abort();
    expect((await waiting).acquired).toBe(false);
    const forced = await slash('release esc3 --force <!channel> because <https://evil.example|click>');
    expect(forced.response_type).toBe('in_channel');
    expect(forced.text).toMatch(/force-released \*esc3\*/);
    expect(rendered(forced)).not.toMatch(LIVE);
  });
});
