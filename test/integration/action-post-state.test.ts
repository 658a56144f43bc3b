import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { freshDynamoStore } from '../helpers/dynamo.js';

// The action's post phase (src/action/post.ts, run in this process with an env built here)
// given lock state that pre could not have written: it must say so in one ::error:: line and
// still release the lock this job holds, found by the job's lock id, on a real DynamoDB Local.
let store: DynamoStore;
let prefix: string;
const runId = String(100_000 + Math.floor(Math.random() * 1e6));

beforeAll(async () => {
  store = await freshDynamoStore();
  // The run's identity (GITHUB_*), read when the config is loaded: set it before that.
  for (const [k, v] of Object.entries({
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'deploy',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_PATH: '',
  })) process.env[k] = v;
  const { githubDefaults } = await import('../../src/config/github.js');
  prefix = githubDefaults(process.env).lockIdPrefix;
  expect(prefix).toBe(`github:acme/app:${runId}:1:deploy`);
});
afterAll(() => store.close());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs post.ts once, as the runner would, and returns what it printed. */
async function runPost(env: string, state: string): Promise<{ lines: string[]; exitCode: number | undefined }> {
  const stubs: Record<string, string> = {
    INPUT_ENV: env,
    INPUT_TABLE: store.config.table,
    INPUT_ENDPOINT: inject('dynamoEndpoint'),
    INPUT_REGION: 'us-east-1',
    INPUT_WAIT: '1h',
    INPUT_LEASE: '2m',
    INPUT_UBERLOCK: 'false',
    DAPLAYA_AWS_ACCESS_KEY_ID: 'local',
    DAPLAYA_AWS_SECRET_KEY: 'local',
    RUNNER_TEMP: os.tmpdir(),
    STATE_daplaya: state,
    'STATE_pre-ran': 'true',
    GITHUB_STEP_SUMMARY: '',
  };
  for (const [k, v] of Object.entries(stubs)) vi.stubEnv(k, v);
  let printed = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  vi.resetModules();
  try {
    await import('../../src/action/post.js');
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(sig)) if (!signals[sig].includes(l)) process.off(sig, l);
    }
  }
  const exitCode = process.exitCode === undefined ? undefined : Number(process.exitCode);
  write.mockRestore();
  return { lines: printed.split('\n').filter((l) => l !== ''), exitCode };
}

async function holdAsThisJob(env: string): Promise<string> {
  const lockId = `${prefix}:0a1b2c3d`;
  const r = await new LockClient(store).acquire({ name: env, lockId, user: 'octocat@example.com', meta: 'run', leaseMs: 120_000, waitMs: 0 });
  expect(r.acquired).toBe(true);
  return lockId;
}

describe('post with lock state it cannot read', () => {
  it('state of the wrong shape: one ::error:: line saying so, and the job\'s lock released by its lock id', async () => {
    const lockId = await holdAsThisJob('post-a');
    const { lines, exitCode } = await runPost('post-a', JSON.stringify({ lockId, envs: 'post-a' }));
    const errors = lines.filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::The lock state saved by this job's pre step is unreadable \(envs is not a list of env names\); releasing env post-a by this job's lock id$/);
    expect(lines.join('\n')).not.toMatch(/Cannot read properties|is not iterable/);
    expect(lines).toContain(`Released env post-a (lock id ${lockId})`);
    expect(exitCode).toBe(1);
    expect(await new LockClient(store).holder('post-a')).toBeUndefined();
    expect((await store.get('post-a'))?.lastOwner).toBe(lockId);
  });

  it('corrupt state: not "No lock was taken"; the lock is released all the same', async () => {
    const lockId = await holdAsThisJob('post-b');
    const { lines, exitCode } = await runPost('post-b', `{"lockId":"${lockId}","envs":["post-`);
    expect(lines.join('\n')).not.toMatch(/No lock was taken/);
    expect(lines.filter((l) => l.startsWith('::error::'))).toEqual([
      "::error::The lock state saved by this job's pre step is unreadable (not JSON); releasing env post-b by this job's lock id",
    ]);
    expect(exitCode).toBe(1);
    expect((await store.get('post-b'))?.lastOwner).toBe(lockId);
  });

  it('a lock held by another run is left alone', async () => {
    const other = `github:acme/app:${Number(runId) + 1}:1:deploy:ffffffff`;
    expect((await new LockClient(store).acquire({ name: 'post-c', lockId: other, user: 'x', meta: 'other run', leaseMs: 120_000, waitMs: 0 })).acquired).toBe(true);
    const { lines } = await runPost('post-c', '[]');
    expect(lines.filter((l) => l.startsWith('::error::'))).toHaveLength(1);
    expect(lines).toContain('Env post-c is not held by this job; nothing to release');
    expect((await new LockClient(store).holder('post-c'))?.lockId).toBe(other);
  });

  it('a renewer pid that is no process id is refused before anything is signalled', async () => {
    const lockId = await holdAsThisJob('post-d');
    const state = { lockId, envs: ['post-d'], fences: [1], user: 'u', acquiredAt: Date.now(), waitedMs: 0, renewerPid: -1 };
    // Never signal for real here: before the fix this was kill(-1), every process of the user.
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { lines } = await runPost('post-d', JSON.stringify(state));
    expect(kill).not.toHaveBeenCalled();
    expect(lines.filter((l) => l.startsWith('::error::'))[0]).toMatch(/unreadable \(renewerPid is not a process id\)/);
    expect((await store.get('post-d'))?.lastOwner).toBe(lockId);
  });
});
