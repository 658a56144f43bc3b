import http from 'node:http';
import net from 'node:net';

/** One request a sink received. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/**
 * A loopback HTTP server standing for Slack's incoming webhook (`/slack-hook`, answers
 * `ok`), Slack's Web API (`/api/chat.postMessage`, answers `{"ok":true}` unless told
 * otherwise) and a generic webhook (`/hook`).
 */
export async function notifySink(opts: { apiAnswer?: Record<string, unknown> } = {}) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as text
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, json });
      if (req.url?.startsWith('/api/')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opts.apiAnswer ?? { ok: true }));
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    base,
    received,
    slack: () => received.filter((r) => r.path === '/slack-hook'),
    hook: () => received.filter((r) => r.path === '/hook'),
    api: () => received.filter((r) => r.path.startsWith('/api/')),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A server that accepts connections and never answers: a black-holed webhook. */
export async function blackHole() {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
