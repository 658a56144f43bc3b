import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TlsFront {
  /** A TLS server on 127.0.0.1. */
  port: number;
  /** PEM path of the self-signed cert, for NODE_EXTRA_CA_CERTS (or `ca:` in node). */
  caFile: string;
  /** X-Amz-Target header of every request forwarded, in order (e.g. "DynamoDB_20120810.UpdateItem"); '' when a request had none. */
  targets: string[];
  close(): Promise<void>;
}

/** Headers that describe one hop, not the request: never passed on. */
const HOP_BY_HOP = ['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/**
 * A self-signed cert that is its own CA (so NODE_EXTRA_CA_CERTS=cert.pem makes node
 * trust it) for `names`, made with the openssl CLI into `dir`. A config file of our own
 * rather than -subj/-addext on top of the system openssl.cnf: the extensions are then
 * exactly these, whatever that file adds to -x509 certs on a given machine.
 */
function makeCert(dir: string, names: string[]): { key: string; cert: string } {
  if (names.length === 0) throw new Error('startTlsFront: names must not be empty');
  const san = names
    .map((n) => {
      if (!/^[A-Za-z0-9.*:-]+$/.test(n)) throw new Error(`startTlsFront: not a host name or IP: ${JSON.stringify(n)}`);
      return `${net.isIP(n) ? 'IP' : 'DNS'}:${n}`;
    })
    .join(',');
  const config = path.join(dir, 'req.cnf');
  fs.writeFileSync(
    config,
    [
      '[req]',
      'prompt = no',
      'distinguished_name = dn',
      'x509_extensions = ext',
      '[dn]',
      'CN = daplaya-test',
      '[ext]',
      `subjectAltName = ${san}`,
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { key, cert };
}

/**
 * An HTTPS front on 127.0.0.1 for a plain-HTTP upstream (DynamoDB Local speaks only
 * HTTP): a CONNECT proxy can then map an https endpoint onto it, so the CLI's request
 * really goes https-through-a-tunnel as it would to AWS. Each request is forwarded as
 * is (method, path, headers with host rewritten to the upstream, body) and the answer
 * streamed back. Rewriting host does not upset SigV4 here only because DynamoDB Local
 * does not check signatures.
 */
export async function startTlsFront(opts: { upstream: string; names: string[] }): Promise<TlsFront> {
  const up = new URL(opts.upstream);
  if (up.protocol !== 'http:') throw new Error(`startTlsFront: upstream must be http://, got ${opts.upstream}`);
  const upstreamPort = Number(up.port) || 80;
  const upstreamHost = up.hostname.replace(/^\[|\]$/g, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'daplaya-tls-'));
  let files: { key: string; cert: string };
  try {
    files = makeCert(dir, opts.names);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = https.createServer({ key: fs.readFileSync(files.key), cert: fs.readFileSync(files.cert) }, (req, res) => {
    const target = req.headers['x-amz-target'];
    targets.push(Array.isArray(target) ? target.join(',') : (target ?? ''));
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: up.host };
    for (const h of HOP_BY_HOP) delete headers[h];
    // agent: false, one upstream connection per request: nothing pooled outlives close().
    const fwd = http.request({ host: upstreamHost, port: upstreamPort, method: req.method, path: req.url, headers, agent: false }, (answer) => {
      const back = { ...answer.headers };
      for (const h of HOP_BY_HOP) delete back[h];
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
      answer.pipe(res);
    });
    fwd.on('socket', track);
    fwd.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close' }).end();
      else res.destroy();
    });
    req.pipe(fwd);
  });
  server.on('connection', track);
  // A client that gives up mid-handshake (or distrusts the cert) must not become an unhandled error.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    caFile: files.cert,
    targets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) =>
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          r();
        }),
      );
    },
  };
}
