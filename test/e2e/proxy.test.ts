import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { cleanEnv, errorLines, runCli } from '../helpers/cli.js';
import { startConnectProxy, startTrap, type ConnectProxy } from '../helpers/connect-proxy.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { freePort } from '../helpers/engine.js';
import { startFakeOidc } from '../helpers/fake-oidc.js';
import { notifySink } from '../helpers/notify-sink.js';
import { Job } from '../helpers/runner.js';
import { startTlsFront, type TlsFront } from '../helpers/tls-front.js';

/**
 * A self-hosted runner behind a proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), end to end
 * with the built dist/ as separate processes. The endpoints the CLI is given are "traps":
 * ports on 127.0.0.1 that refuse every direct connection and count it, so the only way a
 * request is answered is through the loopback proxy, which maps each trap to the real
 * server (DynamoDB Local behind a TLS front, a webhook sink, a fake STS).
 */

const AUTH = { user: 'deploy', pass: 's3cret' };
let store: DynamoStore;
let front: TlsFront;
let dynamoTrap: Awaited<ReturnType<typeof startTrap>>;
let proxy: ConnectProxy;
/** The CLI's environment: DynamoDB over https at the trap, the proxy with Basic auth. */
let env: Record<string, string>;

beforeAll(async () => {
  store = await freshDynamoStore();
  front = await startTlsFront({ upstream: inject('dynamoEndpoint'), names: ['127.0.0.1'] });
  dynamoTrap = await startTrap();
  proxy = await startConnectProxy({ map: { [`127.0.0.1:${dynamoTrap.port}`]: `127.0.0.1:${front.port}` }, auth: AUTH });
  env = cleanEnv({
    DAPLAYA_TABLE: store.config.table,
    DAPLAYA_ENDPOINT: `https://127.0.0.1:${dynamoTrap.port}`,
    DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
    DAPLAYA_AWS_SECRET_KEY: 'local',
    AWS_REGION: 'us-east-1',
    NODE_EXTRA_CA_CERTS: front.caFile,
    HTTPS_PROXY: `http://${AUTH.user}:${AUTH.pass}@127.0.0.1:${proxy.port}`,
  });
});
afterAll(async () => {
  await proxy?.close();
  await front?.close();
  await dynamoTrap?.close();
});

describe('behind a proxy', () => {
  it('run takes, renews and gives back the lock through HTTPS_PROXY: a CONNECT tunnel with Basic auth, TLS to the endpoint inside', async () => {
    const before = proxy.connects.length;
    const r = await runCli(['run', '--env', 'proxied', '--lease', '3s', '--', process.execPath, '-e', 'setTimeout(() => {}, 4000)'], env);
    expect(r.code, r.stderr).toBe(0);
    // The banner says how the table is reached; the proxy's password is never printed.
    expect(r.stderr).toContain(`through proxy http://deploy:***@127.0.0.1:${proxy.port}`);
    expect(r.stdout + r.stderr).not.toContain(AUTH.pass);
    const seen = proxy.connects.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    for (const c of seen) expect(c).toEqual({ target: `127.0.0.1:${dynamoTrap.port}`, auth: `Basic ${Buffer.from('deploy:s3cret').toString('base64')}`, status: 200 });
    // Taken, renewed while the command ran (a 3 s lease renews about every second), given back.
    expect(front.targets.filter((t) => t.endsWith('.UpdateItem')).length).toBeGreaterThanOrEqual(4);
    expect(dynamoTrap.hits()).toBe(0);
    expect(await new LockClient(store).holder('proxied')).toBeUndefined();
  });

  it('a proxy that refuses the tunnel (407) fails the command in one line naming the proxy, never its password, and takes nothing', async () => {
    const started = Date.now();
    const r = await runCli(['lock', '--env', 'refused'], { ...env, HTTPS_PROXY: `http://deploy:wrong-pass@127.0.0.1:${proxy.port}` });
    expect(r.code).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/proxy http:\/\/deploy:\*\*\*@127\.0\.0\.1:\d+ answered 407 .*to CONNECT 127\.0\.0\.1:\d+ \(check the user and password in the proxy URL\)/);
    expect(r.stdout + r.stderr).not.toContain('wrong-pass');
    // Not retried as if the network had failed.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await new LockClient(store).holder('refused')).toBeUndefined();
    expect(dynamoTrap.hits()).toBe(0);
  });

  it('NO_PROXY leaves a host out: a direct endpoint works while the proxy is dead, and is unreachable without the entry', async () => {
    const deadProxy = await freePort();
    const direct = { ...env, DAPLAYA_ENDPOINT: inject('dynamoEndpoint'), HTTP_PROXY: `http://127.0.0.1:${deadProxy}`, HTTPS_PROXY: '' };
    const withEntry = await runCli(['locks'], { ...direct, NO_PROXY: 'localhost,127.0.0.1' });
    expect(withEntry.code, withEntry.stderr).toBe(0);
    expect(withEntry.stderr).not.toContain('through proxy');
    const without = await runCli(['locks'], { ...direct, DAPLAYA_REQUEST_TIMEOUT: '1s' });
    expect(without.code).toBe(1);
    const lines = errorLines(without.stderr);
    expect(lines, without.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`proxy http://127.0.0.1:${deadProxy} could not be reached: ECONNREFUSED`);
  });

  it('a proxy that accepts and never answers: the command gives up within its bound, in one line naming the proxy', async () => {
    const silent = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await runCli(['locks'], { ...env, HTTPS_PROXY: `http://127.0.0.1:${port}`, DAPLAYA_REQUEST_TIMEOUT: '500ms' });
      expect(r.code).toBe(1);
      const lines = errorLines(r.stderr);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`(proxy http://127\\.0\\.0\\.1:${port} did not open a tunnel to 127\\.0\\.0\\.1:\\d+|did not answer) within 500ms( through proxy http://127\\.0\\.0\\.1:${port})?$`));
      expect(lines[0]).toContain(`proxy http://127.0.0.1:${port}`);
      // The same bound as an endpoint that never answers (wall-time.test.ts).
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  });

  it('notifications go through the proxy too (HTTP_PROXY for an http webhook)', async () => {
    const sink = await notifySink();
    const hookTrap = await startTrap();
    const hookProxy = await startConnectProxy({ map: { [`127.0.0.1:${hookTrap.port}`]: new URL(sink.base).host } });
    try {
      const notifyEnv = { ...env, DAPLAYA_ENDPOINT: inject('dynamoEndpoint'), HTTPS_PROXY: '', HTTP_PROXY: hookProxy.url, NO_PROXY: new URL(inject('dynamoEndpoint')).host, DAPLAYA_WEBHOOK_URL: `http://127.0.0.1:${hookTrap.port}/hook` };
      expect((await runCli(['lock', '--env', 'notified', '--user', 'alice'], notifyEnv)).code).toBe(0);
      const r = await runCli(['release', '--env', 'notified', '--force', '--reason', 'alice is away'], notifyEnv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/warning/i);
      expect(sink.received.filter((m) => m.path === '/hook').map((m) => m.json.event)).toContain('force-released');
      expect(hookProxy.connects.map((c) => c.target)).toEqual([`127.0.0.1:${hookTrap.port}`]);
      expect(hookTrap.hits()).toBe(0);
    } finally {
      await hookProxy.close();
      await hookTrap.close();
      await sink.close();
    }
  });

  it("the action's role-to-assume reaches STS, and its phases and renewer DynamoDB, through the proxy", async () => {
    const oidc = await startFakeOidc();
    const stsTrap = await startTrap();
    const oidcHost = new URL(oidc.env.AWS_ENDPOINT_URL_STS).host;
    const jobProxy = await startConnectProxy({ map: { [`127.0.0.1:${stsTrap.port}`]: oidcHost, [`127.0.0.1:${dynamoTrap.port}`]: `127.0.0.1:${front.port}` } });
    try {
      const jobEnv = {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: `https://127.0.0.1:${dynamoTrap.port}`,
        NODE_EXTRA_CA_CERTS: front.caFile,
        ...oidc.env,
        AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${stsTrap.port}/sts`,
        HTTPS_PROXY: jobProxy.url,
        HTTP_PROXY: jobProxy.url,
      };
      const job = new Job({ env: 'proxied-action', table: store.config.table, 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy-lock', lease: '3s' }, jobEnv);
      const pre = await job.run('pre');
      expect(pre.code, pre.stdout + pre.stderr).toBe(0);
      expect(oidc.stsRequests[0]).toMatchObject({ Action: 'AssumeRoleWithWebIdentity' });
      expect((await new LockClient(store).holder('proxied-action'))?.user).toBe('octocat@example.com');
      const renewalsBefore = front.targets.filter((t) => t.endsWith('.UpdateItem')).length;
      await new Promise((r) => setTimeout(r, 3500));
      // The renewer (a process of its own, started by pre) renews through the proxy: the lease of 3 s did not lapse.
      expect(front.targets.filter((t) => t.endsWith('.UpdateItem')).length).toBeGreaterThan(renewalsBefore);
      expect((await new LockClient(store).holder('proxied-action'))?.user).toBe('octocat@example.com');
      const post = await job.run('post');
      expect(post.code, post.stdout).toBe(0);
      expect(await new LockClient(store).holder('proxied-action')).toBeUndefined();
      const targets = new Set(jobProxy.connects.map((c) => c.target));
      expect(targets).toContain(`127.0.0.1:${stsTrap.port}`);
      expect(targets).toContain(`127.0.0.1:${dynamoTrap.port}`);
      expect(stsTrap.hits() + dynamoTrap.hits()).toBe(0);
    } finally {
      await jobProxy.close();
      await stsTrap.close();
      await oidc.close();
    }
  });
});
