import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProxy } from '../../src/config/proxy.js';
import { postJson } from '../../src/net/post-json.js';
import { proxyAgents } from '../../src/net/tunnel.js';
import https from 'node:https';

/**
 * The tunnel's edges that a working proxy never shows: a proxy that accepts and never
 * answers must not hold a notification past its deadline, nor a process past its close.
 */
let silent: net.Server;
let silentPort: number;
const held = new Set<net.Socket>();

beforeAll(async () => {
  silent = net.createServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

describe('a proxy that never answers CONNECT', () => {
  it("a notification's deadline gives up the tunnel too, not only the request", async () => {
    const proxy = resolveProxy({ HTTPS_PROXY: `http://127.0.0.1:${silentPort}` });
    const t0 = Date.now();
    const err = await postJson('https://hooks.example.invalid/x', { text: 'hi' }, { signal: AbortSignal.timeout(300), ...(proxy ? { proxy } : {}) }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    // Was 10 s: the tunnel's own timer, whatever the caller's deadline.
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('destroying the agents gives up a tunnel still being opened: the request fails at once', async () => {
    const proxy = resolveProxy({ HTTPS_PROXY: `http://127.0.0.1:${silentPort}` });
    const agents = proxyAgents(proxy!, 60_000);
    const t0 = Date.now();
    const failed = new Promise<Error>((resolve) => {
      const req = https.request('https://dynamodb.example.invalid/', { agent: agents.httpsAgent, method: 'POST' }, () => resolve(new Error('answered')));
      req.on('error', resolve);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 200));
    agents.httpsAgent.destroy();
    const err = await failed;
    expect(err.message).toMatch(/the tunnel through proxy http:\/\/127\.0\.0\.1:\d+ to dynamodb\.example\.invalid:443 was given up/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a proxy password that is not valid percent-encoding never reaches a connection (refused by configuration)', () => {
    expect(() => resolveProxy({ HTTPS_PROXY: `http://deploy:50%off@127.0.0.1:${silentPort}` })).toThrow(/not valid percent-encoding/);
  });
});
