import { describe, expect, it } from 'vitest';
import { resolveProxy } from '../../src/config/proxy.js';
import { resolveStore } from '../../src/config/store.js';
import { noProxyEntryMatches, proxyFor, shownProxy } from '../../src/net/proxy-route.js';
import { encodeRenewerSettings } from '../../src/renewer/settings.js';

const target = (url: string) => {
  const u = new URL(url);
  const protocol = u.protocol as 'http:' | 'https:';
  return { protocol, host: u.hostname, port: Number(u.port) || (protocol === 'https:' ? 443 : 80) };
};

describe('proxy settings from the environment', () => {
  it('HTTPS_PROXY for https targets, HTTP_PROXY for http ones; the lower-case name wins', () => {
    const p = resolveProxy({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'plain:8080' });
    expect(proxyFor(p, target('https://dynamodb.eu-west-1.amazonaws.com'))?.host).toBe('lower:3128');
    // No scheme means http://, as curl reads it.
    expect(proxyFor(p, target('http://relay.internal:9000'))?.href).toBe('http://plain:8080/');
    expect(resolveProxy({ HTTPS_PROXY: 'http://only-https:3128' })?.http).toBeUndefined();
    expect(resolveProxy({})).toBeUndefined();
    expect(resolveProxy({ HTTPS_PROXY: '  ' })).toBeUndefined();
  });

  it('NO_PROXY covers hosts, domains, ports, IPs and IPv4 ranges', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'https://anything.example', true],
      ['example.com', 'https://example.com', true],
      ['example.com', 'https://dynamodb.example.com', true],
      ['example.com', 'https://notexample.com', false],
      ['.amazonaws.com', 'https://dynamodb.us-east-1.amazonaws.com', true],
      ['*.amazonaws.com', 'https://sts.amazonaws.com', true],
      ['localhost', 'http://localhost:8000', true],
      ['localhost:8000', 'http://localhost:8000', true],
      ['localhost:8001', 'http://localhost:8000', false],
      ['127.0.0.1', 'http://127.0.0.1:8000', true],
      ['127.0.0.1', 'http://127.0.0.10:8000', false],
      ['10.0.0.0/8', 'https://10.20.30.40', true],
      ['10.0.0.0/8', 'https://11.0.0.1', false],
      ['169.254.169.254', 'http://169.254.169.254', true],
      ['::1', 'http://[::1]:8000', true],
      ['0:0:0:0:0:0:0:1', 'http://[::1]:8000', true],
      ['[::1]:8000', 'http://[::1]:8000', true],
      ['EXAMPLE.COM.', 'https://Example.com', true],
    ];
    for (const [entry, url, expected] of cases) {
      const t = target(url);
      expect([entry, url, noProxyEntryMatches(entry, t.host, t.port)]).toEqual([entry, url, expected]);
    }
    const p = resolveProxy({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost, .internal ,10.0.0.0/8', no_proxy: '' });
    expect(proxyFor(p, target('https://db.internal'))).toBeUndefined();
    expect(proxyFor(p, target('https://dynamodb.eu-west-1.amazonaws.com'))?.host).toBe('proxy:3128');
    // no_proxy wins over NO_PROXY when set.
    const q = resolveProxy({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*', no_proxy: 'internal' });
    expect(proxyFor(q, target('https://dynamodb.eu-west-1.amazonaws.com'))?.host).toBe('proxy:3128');
  });

  it('a proxy that cannot be used is refused in one line that shows no password', () => {
    expect(() => resolveProxy({ HTTPS_PROXY: 'socks5://proxy:1080' })).toThrow(/HTTPS_PROXY uses socks5:\/\/, which daplaya does not support: use an http:\/\/ or https:\/\/ proxy/);
    let message = '';
    try {
      resolveProxy({ https_proxy: 'http://deploy:s3cret@[bad' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^https_proxy is not a URL/);
    expect(message).not.toContain('s3cret');
  });

  it('a proxy URL that would be misread is refused without echoing it: a bad percent-escape, a path (an unencoded `/` in a password), a bad port', () => {
    const refused = (value: string) => {
      try {
        resolveProxy({ HTTPS_PROXY: value });
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused('http://deploy:50%off@proxy.corp:3128')).toMatch(/^HTTPS_PROXY has a user or password that is not valid percent-encoding: use scheme:\/\/\[user:password@\]host:port/);
    expect(refused('http://deploy:s3cr/et@proxy.corp:3128')).toMatch(/^HTTPS_PROXY is not a URL/);
    // Parses, as the proxy deploy:1234 with a path: half the password would be shown as the host.
    expect(refused('http://deploy:1234/s3cr@proxy.corp:3128')).toMatch(/^HTTPS_PROXY is not a proxy's address/);
    expect(refused('deploy:s3cr3t@proxy.corp:99999')).toMatch(/^HTTPS_PROXY is not a URL/);
    expect(refused('http://deploy:s3cr#et@proxy.corp:3128')).toMatch(/^HTTPS_PROXY is not a URL/);
    for (const v of ['http://deploy:50%off@proxy.corp:3128', 'http://deploy:s3cr/et@proxy.corp:3128', 'http://deploy:1234/s3cr@proxy.corp:3128', 'deploy:s3cr3t@proxy.corp:99999', 'http://deploy:s3cr#et@proxy.corp:3128']) {
      expect(refused(v)).not.toMatch(/s3cr|50%off/);
    }
    // Percent-encoded credentials are fine.
    expect(resolveProxy({ HTTPS_PROXY: 'http://d%C3%A9ploy:p%40ss%2Fw@proxy.corp:3128/' })?.https?.host).toBe('proxy.corp:3128');
  });

  it('is part of the DynamoDB store spec, and never travels in the renewer blob (its URL may carry a password)', () => {
    const spec = resolveStore({ table: 'Locks' }, { HTTPS_PROXY: 'http://deploy:s3cret@proxy:3128', NO_PROXY: '169.254.169.254' });
    expect(spec.kind === 'dynamodb' && spec.proxy?.https?.host).toBe('proxy:3128');
    const blob = encodeRenewerSettings({ store: spec, locks: [], leaseMs: 30_000, maxLifetimeMs: 60_000, statusFile: '/tmp/x' });
    expect(blob).not.toContain('s3cret');
    expect(blob).not.toContain('proxy:3128');
  });

  it('messages name the proxy without its password', () => {
    expect(shownProxy(new URL('http://deploy:s3cret@proxy:3128'))).toBe('http://deploy:***@proxy:3128');
    expect(shownProxy(new URL('https://proxy.corp'))).toBe('https://proxy.corp');
  });
});
