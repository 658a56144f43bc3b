import type { ProxySettings } from '../net/proxy-route.js';
import { nonEmpty, UsageError, type Env } from './common.js';

/**
 * The proxy settings self-hosted runners behind a proxy set: `https_proxy`/`HTTPS_PROXY`,
 * `http_proxy`/`HTTP_PROXY` and `no_proxy`/`NO_PROXY`, the lower-case name winning when
 * both are set (as Node, curl and the runner read them). Used for DynamoDB, STS and
 * notifications. A proxy URL without a scheme means http://, as curl reads it.
 */
export function resolveProxy(env: Env): ProxySettings | undefined {
  const https = proxyUrl(env, 'https_proxy', 'HTTPS_PROXY');
  const http = proxyUrl(env, 'http_proxy', 'HTTP_PROXY');
  if (!https && !http) return undefined;
  const noProxy = (nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY) ?? '')
    .split(/[\s,]+/)
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  return { ...(https ? { https } : {}), ...(http ? { http } : {}), noProxy };
}

function proxyUrl(env: Env, lower: string, upper: string): URL | undefined {
  const name = nonEmpty(env[lower]) !== undefined ? lower : upper;
  const raw = nonEmpty(env[name])?.trim();
  if (raw === undefined) return undefined;
  // A proxy URL may carry a password, and a mistyped one may hide it anywhere: never echo it.
  const form = `use scheme://[user:password@]host:port, with the user and password percent-encoded (its value is not shown: it may hold a password)`;
  let url: URL;
  try {
    url = new URL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(`${name} is not a URL: ${form}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${name} uses ${url.protocol.replace(/:$/, '')}://, which daplaya does not support: use an http:// or https:// proxy`);
  }
  // A path (or query) means the URL was not split where it was meant to be, e.g. a `/` in an unencoded password.
  if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new UsageError(`${name} is not a proxy's address: ${form}`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new UsageError(`${name} has a user or password that is not valid percent-encoding: ${form}`);
  }
  return url;
}
