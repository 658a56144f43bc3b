import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { pipelineRepo, runPipeline } from '../helpers/gitlab.js';

async function setup() {
  const store = await freshDynamoStore();
  const vars = {
    DAPLAYA_TABLE: store.config.table,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  return { store, client: new LockClient(store), vars, scratch: mkdtempSync(path.join(os.tmpdir(), 'daplaya-gl-scratch-')) };
}

describe('GitLab template under gitlab-ci-local', () => {
  it('a job that extends .daplaya:lock locks, runs its script holding the lock, and releases', async () => {
    const { client, vars, scratch } = await setup();
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: production
  script:
    - $DAPLAYA_CLI status --env production --json > "$SCRATCH/during.json"
    - echo deploying
`);
    const r = await runPipeline(dir, { ...vars, SCRATCH: scratch });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/locked env production for dev@example.com \(fence 1/);
    expect(r.output).toMatch(/renewing the 2m lease in the background/);
    expect(r.output).toMatch(/released env production/);
    const during = JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8'));
    expect(during).toMatchObject({ state: 'locked', user: 'dev@example.com', fence: 1 });
    expect(during.meta).toMatch(/^https:\/\/gitlab\.example\.com\/acme\/app\/-\/jobs\/\d+$/);
    expect(during.lockId).toMatch(/^gitlab:gitlab\.example\.com:\d+:\d+$/);
    expect(await client.holder('production')).toBeUndefined();
  });

  it('a failing script still releases in after_script', async () => {
    const { client, vars } = await setup();
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: staging
  script:
    - echo "deploy fails"; exit 3
`);
    const r = await runPipeline(dir, vars);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/FAIL\s+deploy/);
    expect(r.output).toMatch(/released env staging/);
    expect(await client.holder('staging')).toBeUndefined();
    expect((await client.item('staging'))?.lastUser).toBe('dev@example.com');
  });

  it('jobs on the same env in one stage never overlap', async () => {
    const { client, vars, scratch } = await setup();
    const job = (name: string) => `
${name}:
  extends: .daplaya:lock
  stage: deploy
  variables:
    DAPLAYA_ENV: shared
  script:
    - |
      set -C
      : > "$SCRATCH/inside" || { echo OVERLAP >> "$SCRATCH/log"; exit 9; }
      echo "enter ${name} $($DAPLAYA_CLI status --env shared --json)" >> "$SCRATCH/log"
      sleep 1
      rm "$SCRATCH/inside"
`;
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
stages: [deploy]
${job('one')}${job('two')}${job('three')}`);
    const r = await runPipeline(dir, { ...vars, SCRATCH: scratch, DAPLAYA_WAIT: '2m' });
    expect(r.code, r.output).toBe(0);
    const log = readFileSync(path.join(scratch, 'log'), 'utf8').trim().split('\n');
    expect(log.filter((l) => l.includes('OVERLAP'))).toEqual([]);
    expect(log).toHaveLength(3);
    const fences = log.map((l) => JSON.parse(l.slice(l.indexOf('{'))).fence as number);
    expect([...fences].sort()).toEqual([1, 2, 3]);
    // All three waited their turn: at least two saw the env busy.
    expect(r.output.match(/still locked at env shared by dev@example.com/g)?.length ?? 0).toBeGreaterThan(0);
    expect(await client.holder('shared')).toBeUndefined();
  });

  it('after_script reports a forced takeover during the job, naming who took the lock', async () => {
    const { client, vars } = await setup();
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: contested
  script:
    - DAPLAYA_LOCK_ID=ops-override DAPLAYA_HEARTBEAT_ENABLED=false $DAPLAYA_CLI lock --env contested --user ops@example.com --force --reason "hotfix"
    - sleep 1
`);
    const r = await runPipeline(dir, vars);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/forced env contested away from dev@example.com/);
    expect(r.output).toMatch(/env contested is held by ops@example.com .*refusing to release it/);
    expect((await client.holder('contested'))?.user).toBe('ops@example.com');
    const h = await client.historyOf('contested');
    expect(h.map((e) => e.kind)).toEqual(['acquired', 'forced', 'acquired']);
  });

  it('a meta with quotes, spaces and $(...) is stored verbatim and runs nothing', async () => {
    const { vars, scratch } = await setup();
    const marker = path.join(scratch, 'pwned');
    const meta = `it's "quoted" $(touch ${marker}) \`touch ${marker}\`; touch ${marker} && echo hi`;
    const dir = pipelineRepo(`
include:
  - local: /gitlab/daplaya.gitlab-ci.yml
deploy:
  extends: .daplaya:lock
  variables:
    DAPLAYA_ENV: production
    DAPLAYA_META: ${JSON.stringify(meta)}
  script:
    - $DAPLAYA_CLI status --env production --json > "$SCRATCH/during.json"
`);
    const r = await runPipeline(dir, { ...vars, SCRATCH: scratch });
    expect(r.code, r.output).toBe(0);
    expect(JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8')).meta).toBe(meta);
    expect(existsSync(marker)).toBe(false);
  });

  it('the CI/CD component (spec: inputs) runs its script under the lock from the same template', async () => {
    const { client, vars, scratch } = await setup();
    // A project using its own component at the current commit, as GitLab documents for component repositories.
    const dir = pipelineRepo(`
include:
  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/daplaya@$CI_COMMIT_SHA
    inputs:
      env: eu-prod
      job: ship
      stage: test
      wait: 1m
      script:
        - $DAPLAYA_CLI status --env eu-prod --json > "$SCRATCH/during.json"
`);
    const r = await runPipeline(dir, { ...vars, SCRATCH: scratch });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/ship/);
    expect(JSON.parse(readFileSync(path.join(scratch, 'during.json'), 'utf8'))).toMatchObject({ state: 'locked', env: 'eu-prod' });
    expect(await client.holder('eu-prod')).toBeUndefined();
  });
});
