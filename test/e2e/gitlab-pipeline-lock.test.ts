import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { pipelineRepo, runPipeline } from '../helpers/gitlab.js';

/** A lock for a whole GitLab pipeline (`--scope pipeline`), under gitlab-ci-local. */
async function setup() {
  const store = await freshDynamoStore();
  const vars = {
    DAPLAYA_TABLE: store.config.table,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  return { store, client: new LockClient(store), vars };
}

const pipeline = (deploy: string, withRelease = true) => `
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
stages: [prepare, deploy, finish]
variables:
  DAPLAYA_ENV: production
take:
  stage: prepare
  extends: .daplaya:pipeline-lock
  script:
    - echo "pipeline $CI_PIPELINE_ID holds production"
deploy:
  stage: deploy
  script:
    - ${deploy}
${
  withRelease
    ? `give-back:
  stage: finish
  extends: .daplaya:pipeline-release`
    : ''
}
`;

describe('a lock for the whole pipeline', () => {
  it('taken in the first stage, held through a failing deploy, given back by a when: always job; a second pipeline waits, then gets it', async () => {
    const { client, vars } = await setup();
    const first = runPipeline(pipelineRepo(pipeline('sleep 15; echo "deploy fails"; exit 3')), { ...vars, CI_PIPELINE_ID: '7101' });
    // The second pipeline starts while the first holds the env.
    for (let i = 0; i < 400 && (await client.holder('production')) === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await client.holder('production'))?.lockId).toMatch(/:pipeline:7101$/);
    const second = runPipeline(pipelineRepo(pipeline('echo deployed')), { ...vars, CI_PIPELINE_ID: '7102', DAPLAYA_WAIT: '2m' });
    const a = await first;
    expect(a.code, a.output).not.toBe(0);
    expect(a.output).toMatch(/deploy fails/);
    expect(a.output).toMatch(/released env production/);
    const b = await second;
    expect(b.code, b.output).toBe(0);
    expect(b.output).toMatch(/still locked at env production/);
    expect(await client.holder('production')).toBeUndefined();
    const events = (await client.historyOf('production')).map((e) => `${e.kind}:${e.lockId?.replace(/.*:pipeline:/, '')}`);
    expect(events.filter((e) => /^(acquired|released)/.test(e))).toEqual(['acquired:7101', 'released:7101', 'acquired:7102', 'released:7102']);
  }, 180_000);

  it('a pipeline whose release job never runs frees the env after the between-jobs lease', async () => {
    const { client, vars } = await setup();
    const r = await runPipeline(pipelineRepo(pipeline('exit 3', false)), { ...vars, CI_PIPELINE_ID: '7201', DAPLAYA_PIPELINE_LEASE: '5s' });
    expect(r.code).not.toBe(0);
    const held = await client.holder('production');
    expect(held?.lockId).toMatch(/:pipeline:7201$/);
    const t0 = Date.now();
    const next = await client.acquire({ name: 'production', lockId: 'next', user: 'next@example.com', meta: '', leaseMs: 60_000, waitMs: 30_000 });
    expect(next.acquired).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual((held?.expiresAt ?? 0) - 1000);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 120_000);
});
