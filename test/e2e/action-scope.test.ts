import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { Job } from '../helpers/runner.js';

/**
 * Locks that span jobs (scope: run) and locks for part of a job (scope: step), driven
 * through the runner protocol: every phase its own process, state through GITHUB_STATE.
 */
async function setup() {
  const store = await freshDynamoStore();
  const jobEnv = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') };
  return { client: new LockClient(store), jobEnv, base: { env: 'production', table: store.config.table } };
}

describe('scope: run — one lock for a whole workflow run', () => {
  it('job A takes it, job B holds it, run 2 cannot get it, job C gives it back after a failing step, then run 2 gets it', async () => {
    const { client, jobEnv, base } = await setup();
    const run1 = String(Math.floor(Math.random() * 1e9));
    const run = { ...base, scope: 'run', wait: '0' };

    // Run 1, job A (build): takes the run's lock in main; post keeps it for the run.
    const a = new Job(run, jobEnv, 'octocat', { runId: run1, job: 'build' });
    expect((await a.run('pre')).code).toBe(0);
    expect(await client.holder('production')).toBeUndefined();
    const aMain = await a.run('main');
    expect(aMain.code, aMain.stdout).toBe(0);
    expect(aMain.outputs).toMatchObject({ acquired: 'true', 'lock-id': `github:acme/app:${run1}:run` });
    const aPost = await a.run('post');
    expect(aPost.code, aPost.stdout).toBe(0);
    expect(aPost.stdout).toMatch(/stays locked for this workflow run \(lease 30m between jobs\)/);
    const between = await client.holder('production');
    expect(between?.lockId).toBe(`github:acme/app:${run1}:run`);
    expect(between?.expiresAt ?? 0).toBeGreaterThan(Date.now() + 25 * 60_000);

    // Run 1, job B (migrate): finds the run's lock and keeps it renewed.
    const b = new Job(run, jobEnv, 'octocat', { runId: run1, job: 'migrate' });
    await b.run('pre');
    const bMain = await b.run('main');
    expect(bMain.code, bMain.stdout).toBe(0);
    expect(bMain.stdout).toMatch(/already holds env production/);

    // Run 2 meanwhile: cannot get it.
    const other = new Job({ ...base, wait: '0' }, jobEnv, 'alice');
    const otherPre = await other.run('pre');
    expect(otherPre.code).toBe(1);
    expect(otherPre.stdout).toMatch(/::error::Env production is locked by octocat@example.com/);
    await other.run('post');
    expect((await b.run('post')).code).toBe(0);

    // Run 1, job C (verify): a failing step, then post gives the run's lock back.
    const c = new Job({ ...run, release: 'true', 'job-status': 'failure' }, jobEnv, 'octocat', { runId: run1, job: 'verify' });
    await c.run('pre');
    expect((await c.run('main')).code).toBe(0);
    const cPost = await c.run('post');
    expect(cPost.code, cPost.stdout).toBe(0);
    expect(cPost.stdout).toMatch(/Released env production/);
    expect(await client.holder('production')).toBeUndefined();

    // Run 2 now gets it.
    const again = new Job({ ...base, wait: '0' }, jobEnv, 'alice');
    expect((await again.run('pre')).code).toBe(0);
    await again.run('post');
  }, 120_000);

  it('release: true in a run that holds nothing is one ::error:: and touches nothing', async () => {
    const { client, jobEnv, base } = await setup();
    const j = new Job({ ...base, scope: 'run', release: 'true' }, jobEnv);
    await j.run('pre');
    const main = await j.run('main');
    expect(main.code).toBe(1);
    expect(main.stdout.match(/::error::/g)).toHaveLength(1);
    expect(main.stdout).toMatch(/::error::input release is true, but this workflow run holds no lock on env production/);
    expect(await client.item('production')).toBeUndefined();
  });

  it('a scope other than job, step or run is one ::error:: in pre, nothing touched', async () => {
    const { client, jobEnv, base } = await setup();
    const j = new Job({ ...base, scope: 'workflow' }, jobEnv);
    const pre = await j.run('pre');
    expect(pre.code).toBe(1);
    expect(pre.stdout).toMatch(/::error::input scope must be job, step or run, got "workflow"/);
    expect(await client.item('production')).toBeUndefined();
  });
});

describe('scope: step — a lock for part of a job', () => {
  it('pre takes nothing; the lock is taken where the step stands and given back in its post', async () => {
    const { client, jobEnv, base } = await setup();
    const j = new Job({ ...base, scope: 'step' }, jobEnv);
    expect((await j.run('pre')).code).toBe(0);
    expect(await client.item('production')).toBeUndefined();
    // An earlier step of the job (checkout, credentials) takes a while.
    await new Promise((r) => setTimeout(r, 300));
    const earlierStepEnded = Date.now();
    const main = await j.run('main');
    expect(main.code, main.stdout).toBe(0);
    const held = await client.holder('production');
    expect(held?.since ?? 0).toBeGreaterThanOrEqual(earlierStepEnded);
    expect(held?.lockId).toMatch(/:step:/);
    expect((await j.run('post')).stdout).toMatch(/Released env production/);
    expect(await client.holder('production')).toBeUndefined();
  });
});
