import http from 'node:http';
import net from 'node:net';

export interface ConnectProxy {
  /** e.g. http://127.0.0.1:PORT (no credentials in it: add them to the URL a test hands the CLI). */
  url: string;
  port: number;
  /**
   * Every CONNECT request seen, in order of arrival: target "host:port", the
   * Proxy-Authorization header if any, and the status answered (0 while the dial to the
   * target is still under way).
   */
  connects: { target: string; auth?: string; status: number }[];
  /** Plain (absolute-form) HTTP requests seen, e.g. "POST http://127.0.0.1:1234/hook", refused (407, 502) or not. */
  plain: string[];
  close(): Promise<void>;
}

/** Hosts a target may name and be dialled as given: anything else would leave the machine. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** Headers that describe one hop, not the request: never passed on. */
const HOP_BY_HOP = ['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function splitHostPort(target: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * An HTTP forward proxy on 127.0.0.1 that the CLI's HTTPS_PROXY / HTTP_PROXY can point
 * at: CONNECT tunnels (what an https target, and daplaya's own agents for http targets
 * too, go through) and absolute-form plain HTTP requests. It never dials beyond
 * loopback: a target is dialled through `map` (so a test can name a host:port the
 * CLI must not reach directly and still have it answered) or as given when its host is
 * 127.0.0.1 / localhost; anything else is answered 502. Everything it sees is recorded,
 * so a test can prove a request went through it, or did not (NO_PROXY).
 */
export async function startConnectProxy(opts: { map?: Record<string, string>; auth?: { user: string; pass: string } } = {}): Promise<ConnectProxy> {
  const connects: ConnectProxy['connects'] = [];
  const plain: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const expected = opts.auth ? `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.pass}`).toString('base64')}` : undefined;
  /** True when no auth is configured or the header carries the right user and password (scheme case-insensitive). */
  const authorised = (header: string | undefined) => {
    if (!expected) return true;
    if (!header) return false;
    const [scheme, creds] = header.trim().split(/\s+/, 2);
    return scheme?.toLowerCase() === 'basic' && `Basic ${creds}` === expected;
  };
  /** Where a "host:port" target is actually dialled, or undefined: not loopback (also for a map entry's right side). */
  const resolve = (target: string) => {
    const dial = splitHostPort(opts.map?.[target] ?? target);
    return dial && LOOPBACK.has(dial.host.toLowerCase()) ? dial : undefined;
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (!/^http:\/\//i.test(url)) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('a proxy takes absolute-form requests or CONNECT\n');
      return;
    }
    const method = req.method ?? 'GET';
    plain.push(`${method} ${url}`);
    if (!authorised(req.headers['proxy-authorization'])) {
      req.resume();
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="daplaya-test"', 'content-type': 'text/plain', connection: 'close' }).end('proxy authentication required\n');
      return;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      res.writeHead(400, { connection: 'close' }).end();
      return;
    }
    const dial = resolve(`${parsed.hostname}:${parsed.port || 80}`);
    if (!dial) {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end(`not dialling ${parsed.host}: beyond loopback\n`);
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    // agent: false, one connection per request: nothing pooled outlives close().
    const fwd = http.request({ host: dial.host, port: dial.port, method, path: `${parsed.pathname}${parsed.search}`, headers, agent: false }, (up) => {
      const back = { ...up.headers };
      for (const h of HOP_BY_HOP) delete back[h];
      res.writeHead(up.statusCode ?? 502, up.statusMessage, back);
      up.pipe(res);
    });
    fwd.on('socket', track);
    fwd.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close' }).end();
      else res.destroy();
    });
    req.pipe(fwd);
  });

  server.on('connection', track);
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    const auth = req.headers['proxy-authorization'];
    const record: ConnectProxy['connects'][number] = { target, ...(auth !== undefined ? { auth } : {}), status: 0 };
    connects.push(record);
    client.on('error', () => undefined);
    const answer = (status: number, text: string, extra = '') => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!authorised(auth)) return answer(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="daplaya-test"\r\n');
    if (!splitHostPort(target)) return answer(400, 'Bad Request');
    const dial = resolve(target);
    if (!dial) return answer(502, 'Bad Gateway');
    const upstream = net.connect({ host: dial.host, port: dial.port });
    track(upstream);
    let established = false;
    upstream.on('error', () => {
      if (established) client.destroy();
      else answer(502, 'Bad Gateway');
    });
    upstream.on('connect', () => {
      established = true;
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    plain,
    close: () => {
      // Tunnels are no longer the HTTP server's connections once CONNECT is answered, so
      // server.close() alone would wait on them for ever: destroy everything we opened or accepted.
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A port that drops and counts every connection made to it directly. */
export async function startTrap(): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = net.createServer((s) => {
    hits++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, hits: () => hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}
