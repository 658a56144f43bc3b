import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

describe('init on an engine without the TTL API', () => {
  it('creates the table, says so in one warning line, and succeeds', async () => {
    const proxy = await startFaultProxy(inject('dynamoEndpoint'), { faultRate: 0, delayMs: 0 });
    // As dynalite answers UpdateTimeToLive.
    proxy.control.answer = (target) => (target.endsWith('UpdateTimeToLive') ? { status: 400, type: 'UnknownOperationException' } : undefined);
    try {
      const env = { ...LOCAL_AWS_ENV, DAPLAYA_AWS_ACCESS_KEY_ID: 'local', DAPLAYA_AWS_SECRET_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, DAPLAYA_TABLE: `Ttl${Date.now().toString(36)}` };
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['init'], env, { out: (l) => out.push(l), err: (l) => err.push(l) });
      expect(code, err.join('\n')).toBe(0);
      expect(out.join('\n')).toMatch(/^created DynamoDB table Ttl/);
      expect(err.filter((l) => !l.startsWith('daplaya: using '))).toEqual([expect.stringMatching(/^daplaya: warning: this DynamoDB engine has no TTL API/)]);
      // And the table works.
      expect(await main(['lock', '--env', 'x', '--user', 'a@example.com'], env, { out: () => undefined, err: () => undefined })).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
