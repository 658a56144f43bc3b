import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { startTlsFront, type TlsFront } from '../helpers/tls-front.js';

/**
 * The proxy test helpers, checked on their own with node alone: an https request to a
 * host:port nothing listens for reaches a plain-HTTP upstream only through the CONNECT
 * proxy's map and the TLS front, and the proxy's auth and loopback-only rules hold.
 */
let upstream: http.Server;
let upstreamPort: number;
const seen: string[] = [];
/** Stands at the "unused" port so nothing else takes it; counts anyone dialling it directly. */
let decoy: net.Server;
let decoyPort: number;
let decoyDials = 0;
let front: TlsFront;
let proxy: ConnectProxy;
const AUTH = { user: 'deploy', pass: 'p@ss:word' };
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    seen.push(String(req.headers['x-amz-target'] ?? ''));
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  upstreamPort = await listen(upstream);
  decoy = net.createServer((s) => {
    decoyDials++;
    s.destroy();
  });
  decoyPort = await listen(decoy);
  front = await startTlsFront({ upstream: `http://127.0.0.1:${upstreamPort}`, names: ['127.0.0.1'] });
  proxy = await startConnectProxy({ map: { [`127.0.0.1:${decoyPort}`]: `127.0.0.1:${front.port}` }, auth: AUTH });
});
afterAll(async () => {
  await proxy?.close();
  await front?.close();
  await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
  await new Promise<void>((r) => (decoy ? decoy.close(() => r()) : r()));
});

/** CONNECT `target` through the proxy: the status and, on 200, the raw tunnel socket. */
function connect(target: string, auth?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false,
    });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }));
    req.on('error', reject);
    req.end();
  });
}

describe('connect proxy + TLS front', () => {
  it('tunnels an https request for a mapped host:port to the front, which forwards it to the upstream', async () => {
    const { status, socket } = await connect(`127.0.0.1:${decoyPort}`, basic(AUTH.user, AUTH.pass));
    expect(status).toBe(200);
    // No servername for an IP literal; host is what the cert is checked against.
    const secure = tls.connect({ socket, host: '127.0.0.1', ca: fs.readFileSync(front.caFile) });
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: decoyPort,
          method: 'POST',
          path: '/',
          headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
          createConnection: () => secure,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    secure.destroy();
    expect(body).toBe('ok');
    expect(front.targets).toEqual(['DynamoDB_20120810.ListTables']);
    expect(seen).toEqual(['DynamoDB_20120810.ListTables']);
    expect(proxy.connects[0]).toEqual({ target: `127.0.0.1:${decoyPort}`, auth: basic(AUTH.user, AUTH.pass), status: 200 });
    expect(decoyDials).toBe(0);
  });

  it('answers 407 with Proxy-Authenticate to a CONNECT without (or with wrong) credentials', async () => {
    const none = await connect(`127.0.0.1:${decoyPort}`);
    none.socket.destroy();
    expect(none.status).toBe(407);
    expect(none.headers['proxy-authenticate']).toMatch(/^Basic /);
    const wrong = await connect(`127.0.0.1:${decoyPort}`, basic(AUTH.user, 'nope'));
    wrong.socket.destroy();
    expect(wrong.status).toBe(407);
    expect(proxy.connects.slice(-2)).toEqual([
      { target: `127.0.0.1:${decoyPort}`, status: 407 },
      { target: `127.0.0.1:${decoyPort}`, auth: basic(AUTH.user, 'nope'), status: 407 },
    ]);
    expect(decoyDials).toBe(0);
  });

  it('answers 502, without dialling, to a target beyond loopback', async () => {
    const far = await connect('example.com:443', basic(AUTH.user, AUTH.pass));
    far.socket.destroy();
    expect(far.status).toBe(502);
    expect(proxy.connects.at(-1)).toEqual({ target: 'example.com:443', auth: basic(AUTH.user, AUTH.pass), status: 502 });
  });

  it('forwards an absolute-form plain HTTP request to a loopback target and records it', async () => {
    const url = `http://127.0.0.1:${upstreamPort}/hook`;
    const ask = (auth?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: proxy.port, method: 'POST', path: url, headers: { 'x-amz-target': 'plain', ...(auth ? { 'proxy-authorization': auth } : {}) }, agent: false },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    expect((await ask()).status).toBe(407);
    expect(await ask(basic(AUTH.user, AUTH.pass))).toEqual({ status: 200, body: 'ok' });
    expect(proxy.plain).toEqual([`POST ${url}`, `POST ${url}`]);
    expect(seen.at(-1)).toBe('plain');
  });
});
