import { isIP } from 'node:net';

/**
 * Which proxy, if any, a connection goes through: HTTPS_PROXY for https targets,
 * HTTP_PROXY for http ones, unless NO_PROXY names the host. Pure; the environment is
 * read by config/proxy.ts, which hands the result here.
 */
export interface ProxySettings {
  /** Proxy for https:// targets (https_proxy, else HTTPS_PROXY). */
  https?: URL;
  /** Proxy for http:// targets (http_proxy, else HTTP_PROXY). */
  http?: URL;
  /** NO_PROXY entries, as given (lower-cased, trimmed). */
  noProxy: string[];
}

/** `10.1.2.3` → its 32-bit value; undefined for anything else. */
function ipv4(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Lower case, no brackets or trailing dot; an IPv6 address in its one canonical spelling. */
function bare(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return isIP(h) === 6 ? new URL(`http://[${h}]`).hostname.replace(/^\[|\]$/g, '') : h;
}

/**
 * Whether one NO_PROXY entry covers `host:port`. The forms other tools accept:
 * `*` (everything), `example.com` (it and its subdomains), `.example.com` or
 * `*.example.com` (subdomains and the domain), an IP, an IPv4 CIDR like `10.0.0.0/8`,
 * and any of these with `:port` to cover one port only.
 */
export function noProxyEntryMatches(entry: string, host: string, port: number): boolean {
  let e = entry.trim().toLowerCase();
  if (e === '') return false;
  if (e === '*') return true;
  // host:port, [v6]:port; a bare IPv6 address has colons but no port.
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(e);
  if (withPort) {
    if (Number(withPort[2]) !== port) return false;
    e = withPort[1] as string;
  }
  e = bare(e);
  const h = bare(host);
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(e);
  if (cidr) {
    const net = ipv4(cidr[1] as string);
    const addr = ipv4(h);
    const bits = Number(cidr[2]);
    if (net === undefined || addr === undefined || bits > 32) return false;
    const size = 2 ** (32 - bits);
    return Math.floor(addr / size) === Math.floor(net / size);
  }
  e = e.replace(/^\*?\./, '');
  if (isIP(h) !== 0 || isIP(e) !== 0) return h === e;
  return h === e || h.endsWith(`.${e}`);
}

/** The proxy a connection to `protocol//host:port` goes through, or undefined for a direct one. */
export function proxyFor(settings: ProxySettings | undefined, target: { protocol: 'http:' | 'https:'; host: string; port: number }): URL | undefined {
  if (!settings) return undefined;
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  if (settings.noProxy.some((entry) => noProxyEntryMatches(entry, target.host, target.port))) return undefined;
  return proxy;
}

/** `http://user:***@proxy:3128`: the proxy as messages show it, never with its password. */
export function shownProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.username ? `${proxy.username}:***@` : ''}${proxy.host}`;
}

/** The Proxy-Authorization value for a proxy URL's user and password (config/proxy.ts checked they decode). */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}
