import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, LOCAL_AWS_ENV } from '../helpers/engine.js';
import { cleanEnv, errorLines, runCli } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';

const storeDir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-cli-'));
const fileEnv = cleanEnv({ DAPLAYA_STORE_DIR: storeDir });

/** Exactly one line of error on stderr, no stack trace, the expected exit code, and no lock taken. */
async function expectCleanFailure(args: string[], env: Record<string, string>, code: number, message: RegExp) {
  const r = await runCli(args, env);
  const lines = errorLines(r.stderr);
  expect(r.code, r.stderr).toBe(code);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^daplaya: error: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r;
}

describe('bad input gets one line and exit code 2', () => {
  it.each([
    [['lock', '--env', ''], /env name is empty/],
    [['lock', '--env', 'x'.repeat(65)], /65 characters long; the limit is 64/],
    [['lock', '--env', 'prod;rm -rf /'], /characters that are not allowed/],
    [['lock', '--env', '../etc'], /characters that are not allowed/],
    [['lock', '--env', 'prod', '--wait', '-5m'], /--wait must not be negative: -5m/],
    [['lock', '--env', 'prod', '--wait', 'soon'], /is not a duration like 90s/],
    [['lock', '--env', 'prod', '--lease', '-1h'], /--lease must not be negative/],
    [['lock', '--env', 'prod', '--frobnicate'], /unknown flag --frobnicate for `lock`/],
    [['lock'], /`lock` needs --env ENV/],
    [['explode'], /unknown command "explode"/],
    [['lock', '--env', 'prod', '--force'], /--force needs --reason/],
  ])('%j', async (args, message) => {
    await expectCleanFailure(args, fileEnv, 2, message);
    const locks = await runCli(['locks', '--json'], fileEnv);
    expect(JSON.parse(locks.stdout)).toEqual([]);
  });

  it('refuses to lock on the runner disk in CI when no table is configured', async () => {
    await expectCleanFailure(['lock', '--env', 'prod'], cleanEnv({ CI: 'true' }), 2, /no lock table configured in CI: set DAPLAYA_TABLE/);
  });
});

describe('store failures name their cause with exit code 1', () => {
  it('missing table', async () => {
    const env = cleanEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: 'DoesNotExist' });
    await expectCleanFailure(['lock', '--env', 'prod'], env, 1, /no such table: DoesNotExist/);
  });

  it('unreachable endpoint', async () => {
    const port = await freePort();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: 'Locks' });
    await expectCleanFailure(['lock', '--env', 'prod', '--endpoint', `http://127.0.0.1:${port}`], env, 1, /unreachable at http:\/\/127\.0\.0\.1/);
  });

  it('wrong credentials (the endpoint answers UnrecognizedClientException, as DynamoDB does)', async () => {
    // DynamoDB Local accepts any key, so a loopback stand-in answers the way AWS does for a bad key.
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'UnrecognizedClientException' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: 'Locks', AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}` });
      await expectCleanFailure(['lock', '--env', 'prod'], env, 1, /access denied to DynamoDB table Locks: UnrecognizedClientException: The security token included in the request is invalid/);
    } finally {
      server.close();
    }
  });

  it('no region', async () => {
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', DAPLAYA_TABLE: 'Locks', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    await expectCleanFailure(['status', '--env', 'prod'], env, 1, /no AWS region/);
  });

  it('half-set daplaya credentials are a usage error', async () => {
    await expectCleanFailure(['status', '--env', 'prod'], cleanEnv({ DAPLAYA_TABLE: 'Locks', DAPLAYA_AWS_ACCESS_KEY_ID: 'AKIA' }), 2, /set both DAPLAYA_AWS_ACCESS_KEY_ID and DAPLAYA_AWS_SECRET_KEY/);
  });
});

describe('the CLI against DynamoDB Local', () => {
  it('init twice, lock, busy with holder and exit 3, release by non-owner refused, release', async () => {
    const store = await freshDynamoStore();
    const base = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table };
    const init = await runCli(['init'], cleanEnv(base));
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/already exists/);
    const a = await runCli(['lock', '--env', 'prod', '--user', 'alice@example.com', '--meta', 'deploy #1', '--json'], cleanEnv(base));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/using DynamoDB table/);
    const lockJson = JSON.parse(a.stdout);
    expect(lockJson).toMatchObject({ acquired: true, user: 'alice@example.com', locks: [{ env: 'prod', fence: 1 }] });
    const b = await runCli(['lock', '--env', 'prod', '--user', 'bob@example.com', '--wait', '1s'], cleanEnv(base));
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/still locked at env prod by alice@example.com \(deploy #1, since \d{4}-/);
    const st = await runCli(['status', '--env', 'prod'], cleanEnv(base));
    expect(st.stdout).toMatch(/env prod is locked by alice@example.com/);
    const nb = await runCli(['release', '--env', 'prod', '--user', 'bob@example.com'], cleanEnv(base));
    expect(nb.code).toBe(3);
    expect(nb.stderr).toMatch(/held by alice@example.com .*refusing to release/);
    const rel = await runCli(['release', '--env', 'prod', '--lock-id', lockJson.lockId], cleanEnv(base));
    expect(rel.code).toBe(0);
    expect(rel.stdout).toMatch(/released env prod/);
    // A free env is listed when named (plain `locks` lists held ones only).
    const list = await runCli(['locks', '--env', 'prod', '--json'], cleanEnv(base));
    expect(JSON.parse(list.stdout)).toMatchObject([{ env: 'prod', state: 'free', fence: 1, lastUser: 'alice@example.com' }]);
  });
});
