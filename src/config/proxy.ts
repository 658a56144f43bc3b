import type { ProxySettings } from '../net/proxy-route.js';
import { redactUrl } from '../store/redact.js';
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
  let url: URL;
  try {
    url = new URL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(`${name} is not a URL: ${JSON.stringify(redactUrl(raw))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${name} uses ${url.protocol.replace(/:$/, '')}://, which daplaya does not support: use an http:// or https:// proxy`);
  }
  if (url.hostname === '') throw new UsageError(`${name} names no proxy host: ${JSON.stringify(redactUrl(raw))}`);
  return url;
}
