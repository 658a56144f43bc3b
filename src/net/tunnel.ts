import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { proxyAuthorization, proxyFor, shownProxy, type ProxySettings } from './proxy-route.js';

/**
 * HTTP agents that reach their targets through the proxy `proxy-route.ts` picks: a
 * CONNECT tunnel through an http:// or https:// proxy, then TLS to the target for an
 * https request (the proxy sees only the host name, never the request), or plain HTTP
 * through the tunnel for an http one. Targets the proxy settings leave out are dialled
 * directly. Node's own env-proxy support (Node ≥ 24.5, opt-in) is not relied on: the
 * action runs on whatever Node 24 the runner ships, and the CLI supports Node 20.
 */

/** A proxy that refused or failed the tunnel: the message names the proxy (never its password). */
export class ProxyError extends Error {
  override name = 'ProxyError';
  constructor(
    message: string,
    /** A network error code (ECONNREFUSED, ...) when the proxy could not be reached: nothing was sent, so it is retried. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The CONNECT answer's head may not exceed this: a proxy sending more is not one. */
const MAX_CONNECT_HEAD = 16 * 1024;

/** Network failures on the way to the proxy: nothing was sent, so trying again is safe. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * Opens a CONNECT tunnel to `host:port` through `proxy`; `done` gets the raw socket, ready
 * for TLS or HTTP. Returns a cancel function: an aborted request or a destroyed agent
 * must not wait for the proxy (a proxy that never answers would hold the process).
 */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, done: (err: Error | null, socket?: net.Socket) => void): () => void {
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const shown = shownProxy(proxy);
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const authorization = proxyAuthorization(proxy);
  const socket: net.Socket =
    proxy.protocol === 'https:'
      ? tls.connect({ host: proxyHost, port: proxyPort, ...(net.isIP(proxyHost) ? {} : { servername: proxyHost }) })
      : net.connect({ host: proxyHost, port: proxyPort });
  let settled = false;
  const finish = (err: Error | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
    if (err) {
      // A late error of the dropped socket must not become an unhandled 'error' event.
      socket.on('error', () => undefined);
      socket.destroy();
      done(err);
    } else {
      done(null, socket);
    }
  };
  const timer = setTimeout(() => finish(new ProxyError(`proxy ${shown} did not open a tunnel to ${target} within ${timeoutMs}ms`, 'ETIMEDOUT')), timeoutMs);
  const onError = (err: NodeJS.ErrnoException) =>
    finish(new ProxyError(`proxy ${shown} could not be reached: ${err.code ?? err.message}`, err.code && NETWORK_CODES.has(err.code) ? err.code : undefined));
  const onClose = () => finish(new ProxyError(`proxy ${shown} closed the connection before answering CONNECT ${target}`, 'ECONNRESET'));
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > MAX_CONNECT_HEAD) finish(new ProxyError(`proxy ${shown} sent no valid answer to CONNECT ${target}`));
      return;
    }
    const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const status = /^HTTP\/1\.[01] (\d{3})\s*(.*)$/.exec(statusLine);
    if (!status) return finish(new ProxyError(`proxy ${shown} sent no valid answer to CONNECT ${target}`));
    const code = Number(status[1]);
    if (code < 200 || code > 299) {
      const hint = code === 407 ? ' (check the user and password in the proxy URL)' : code === 403 ? ' (the proxy may allow CONNECT only to port 443: list this host in NO_PROXY)' : '';
      return finish(new ProxyError(`proxy ${shown} answered ${code}${status[2] ? ` ${status[2]}` : ''} to CONNECT ${target}${hint}`));
    }
    const rest = head.subarray(end + 4);
    if (rest.length > 0) socket.unshift(rest);
    finish(null);
  };
  socket.on('error', onError);
  socket.on('close', onClose);
  socket.on('data', onData);
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`);
  return () => finish(new ProxyError(`the tunnel through proxy ${shown} to ${target} was given up`, 'ECONNRESET'));
}

type Done = (err: Error | null, socket: Duplex) => void;
/** What Node's Agent hands createConnection: the request's host and port, and TLS options for https. */
type ConnectOptions = http.ClientRequestArgs & tls.ConnectionOptions;

/** Node's own env-proxy (NODE_USE_ENV_PROXY) stays out of these agents: they do the routing. */
const NO_NODE_PROXY = { proxyEnv: null } as object;

/**
 * One agent's routing: a connection goes direct (Node's own connect, exactly as without
 * a proxy) or through a tunnel, and the tunnels still opening are tracked so that
 * destroying the agent gives them up.
 */
class TunnelRouter {
  private readonly cancels = new Set<() => void>();

  constructor(
    private readonly settings: ProxySettings,
    private readonly timeoutMs: number,
  ) {}

  /** createConnection for `protocol`: `direct` when no proxy applies, else `over` the tunnel's socket. Never throws. */
  connect(
    protocol: 'http:' | 'https:',
    options: ConnectOptions,
    done: Done | undefined,
    direct: () => Duplex | null | undefined,
    over: (raw: net.Socket, host: string) => Duplex,
  ): Duplex | null | undefined {
    const host = String(options.host ?? 'localhost');
    const port = Number(options.port ?? (protocol === 'https:' ? 443 : 80));
    const proxy = proxyFor(this.settings, { protocol, host, port });
    // No callback to hand a tunnel to: only a direct connection can be returned.
    if (!proxy || !done) return direct();
    const settle = (err: Error | null, raw?: net.Socket) => (err || !raw ? done(err ?? new ProxyError('no tunnel'), undefined as never) : done(null, over(raw, host)));
    let cancel: (() => void) | undefined;
    try {
      cancel = openTunnel(proxy, host, port, this.timeoutMs, (err, raw) => {
        if (cancel) this.cancels.delete(cancel);
        settle(err, raw);
      });
      this.cancels.add(cancel);
    } catch (err) {
      process.nextTick(settle, err as Error);
    }
    return undefined;
  }

  cancelAll(): void {
    for (const cancel of [...this.cancels]) cancel();
  }
}

class TunnellingHttpsAgent extends https.Agent {
  constructor(
    private readonly router: TunnelRouter,
    options: https.AgentOptions,
  ) {
    super({ ...options, ...NO_NODE_PROXY });
  }

  override createConnection(options: ConnectOptions, done?: Done): Duplex | null | undefined {
    return this.router.connect('https:', options, done, () => super.createConnection(options, done), (raw, host) => {
      // `host` stays: over a given socket it is only the name the certificate is checked against.
      const { port: _p, path: _path, ...tlsOptions } = options;
      return tls.connect({ ...tlsOptions, host, socket: raw, ...(net.isIP(host) ? {} : { servername: options.servername || host }) } as tls.ConnectionOptions);
    });
  }

  override destroy(): void {
    this.router.cancelAll();
    super.destroy();
  }
}

class TunnellingHttpAgent extends http.Agent {
  constructor(
    private readonly router: TunnelRouter,
    options: http.AgentOptions,
  ) {
    super({ ...options, ...NO_NODE_PROXY });
  }

  override createConnection(options: ConnectOptions, done?: Done): Duplex | null | undefined {
    return this.router.connect('http:', options, done, () => super.createConnection(options, done), (raw) => raw);
  }

  override destroy(): void {
    this.router.cancelAll();
    super.destroy();
  }
}

/** The agents for one client, and their end (the tunnels still opening are given up). */
export interface ProxyAgents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  destroy(): void;
}

/** The agents for one client: `keepAlive` as the AWS SDK sets its own. */
export function proxyAgents(settings: ProxySettings, timeoutMs: number): ProxyAgents {
  const options = { keepAlive: true, maxSockets: 50 };
  const httpAgent = new TunnellingHttpAgent(new TunnelRouter(settings, timeoutMs), options);
  const httpsAgent = new TunnellingHttpsAgent(new TunnelRouter(settings, timeoutMs), options);
  return {
    httpAgent,
    httpsAgent,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * The AWS SDK's request-handler options for DynamoDB and STS: each attempt fails past
 * `requestTimeoutMs` (without `throwOnRequestTimeout` the SDK only logs a warning and
 * keeps waiting), and connects through the proxy when one is set. `destroy` ends the
 * proxy's agents: the SDK leaves agents it was given alone when its client is destroyed.
 */
export function sdkRequestHandler(requestTimeoutMs: number, proxy?: ProxySettings) {
  const agents = proxy ? proxyAgents(proxy, requestTimeoutMs) : undefined;
  return {
    options: {
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(requestTimeoutMs, 3000),
      ...(agents ? { httpAgent: agents.httpAgent, httpsAgent: agents.httpsAgent } : {}),
    },
    destroy: () => agents?.destroy(),
  };
}
