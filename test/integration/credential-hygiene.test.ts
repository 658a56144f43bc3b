import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { resolveStore } from '../../src/config/store.js';
import { RENEWER_SETTINGS_ENV, loadRenewerSettings } from '../../src/renewer/settings.js';
import { startRenewer } from '../../src/renewer/spawn.js';
import { StoreError } from '../../src/lock/types.js';
import { DynamoStore } from '../../src/store/dynamodb.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { freePort } from '../helpers/engine.js';

const PASSWORD = 'pa55-in-url';
const withPassword = (endpoint: string) => endpoint.replace('http://', `http://proxyuser:${PASSWORD}@`);

function collectingIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('an endpoint URL password is never printed', () => {
  it('the "using DynamoDB table ... at" line shows user:***@', async () => {
    const store = await freshDynamoStore();
    const { err, io } = collectingIo();
    const env = {
      HOME: os.tmpdir(),
      DAPLAYA_USER: 'tester@example.com',
      DAPLAYA_TABLE: store.config.table,
      DAPLAYA_ENDPOINT: withPassword(inject('dynamoEndpoint')),
      AWS_REGION: 'us-east-1',
      DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
      DAPLAYA_AWS_SECRET_KEY: 'local',
    };
    expect(await main(['status', '--env', 'prod'], env, io)).toBe(0);
    expect(err[0]).toContain(`at ${withPassword(inject('dynamoEndpoint')).replace(PASSWORD, '***')}`);
    expect(err.join('\n')).not.toContain(PASSWORD);
    store.close();
  });

  it('nor in the error naming an unreachable endpoint', async () => {
    const endpoint = withPassword(`http://127.0.0.1:${await freePort()}`);
    const store = new DynamoStore({ table: 'Locks', endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const e = await store.get('prod').catch((x: unknown) => x);
    store.close();
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).kind).toBe('unreachable');
    expect((e as StoreError).message).toContain('proxyuser:***@127.0.0.1');
    expect((e as StoreError).message).not.toContain(PASSWORD);
    expect(store.description).toBe(`DynamoDB table Locks in us-east-1 at ${endpoint.replace(PASSWORD, '***')}`);
  });
});

describe("the renewer's settings blob", () => {
  it('carries no credentials: the renewer re-derives them from the environment it inherits', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-hb-env-'));
    const script = path.join(dir, 'dump-env.mjs');
    const dump = path.join(dir, 'env.json');
    // Stands in for the renewer: records the environment it was started with.
    writeFileSync(script, "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.DUMP_TO, JSON.stringify(process.env));\n");
    const env = {
      PATH: process.env.PATH,
      DUMP_TO: dump,
      DAPLAYA_TABLE: 'Locks',
      AWS_REGION: 'eu-west-1',
      DAPLAYA_ENDPOINT: 'http://127.0.0.1:8000',
      DAPLAYA_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      DAPLAYA_AWS_SECRET_KEY: 'wJalrXUtnFEMI-secret-key',
      DAPLAYA_AWS_SESSION_TOKEN: 'session-token-secret',
    };
    const store = resolveStore({}, env);
    expect(store).toMatchObject({ credentials: { secretAccessKey: 'wJalrXUtnFEMI-secret-key', sessionToken: 'session-token-secret' } });
    startRenewer(script, { store, locks: [{ name: 'prod', lockId: 'job-1', fence: 1 }], leaseMs: 60_000, maxLifetimeMs: 60_000, statusFile: path.join(dir, 'status.json') }, env);
    let childEnv: Record<string, string> | undefined;
    for (let i = 0; i < 200 && !childEnv; i++) {
      try {
        childEnv = JSON.parse(readFileSync(dump, 'utf8')) as Record<string, string>;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(childEnv).toBeDefined();
    const blob = (childEnv as Record<string, string>)[RENEWER_SETTINGS_ENV] as string;
    expect(blob).toBeDefined();
    expect(blob).not.toContain('wJalrXUtnFEMI-secret-key');
    expect(blob).not.toContain('session-token-secret');
    expect(blob).not.toContain('AKIDEXAMPLE');
    expect(JSON.parse(blob).store).toEqual({ kind: 'dynamodb', table: 'Locks', region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' });
    // What the renewer does with it: the same store, credentials from its inherited environment.
    expect(loadRenewerSettings(childEnv as Record<string, string>).store).toEqual(store);
  });
});
