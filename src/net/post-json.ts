import http from 'node:http';
import https from 'node:https';
import type { ProxySettings } from './proxy-route.js';
import { proxyAgents } from './tunnel.js';

/** The answer to a POST: its status and (the start of) its body. */
export interface PostAnswer {
  status: number;
  text: string;
}

/** More of an answer than this is not read: only a status and an error's first words are used. */
const MAX_ANSWER = 64 * 1024;

/**
 * POSTs a JSON body (notifications, Slack's response_url), through the proxy when one is
 * configured: Node's fetch ignores HTTPS_PROXY, and a runner behind a proxy has no other
 * way out. `signal` bounds the whole exchange.
 */
export function postJson(url: string, body: unknown, opts: { signal: AbortSignal; headers?: Record<string, string>; proxy?: ProxySettings }): Promise<PostAnswer> {
  const u = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const agents = opts.proxy ? proxyAgents(opts.proxy, 10_000) : undefined;
  const send = u.protocol === 'https:' ? https.request : http.request;
  const agent = agents ? (u.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent) : undefined;
  // The deadline gives up a tunnel still being opened too, not only the request.
  const giveUp = () => agents?.destroy();
  if (agents) opts.signal.addEventListener('abort', giveUp, { once: true });
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = send(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), ...opts.headers },
        signal: opts.signal,
        ...(agent ? { agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  }).finally(() => {
    opts.signal.removeEventListener('abort', giveUp);
    giveUp();
  });
}
