import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actionEnabled, actionJobOutcome, loadActionConfig } from '../../src/config/action.js';
import { loadCliConfig } from '../../src/config/cli.js';
import { githubDefaults } from '../../src/config/github.js';

const run = (event: unknown) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'daplaya-event-')), 'event.json');
  writeFileSync(file, JSON.stringify(event));
  return { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: file, GITHUB_ACTOR: 'octocat', GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'deploy', GITHUB_SERVER_URL: 'https://github.example.com' };
};

const inputs = { INPUT_ENV: 'production', INPUT_TABLE: 'DaPlayaLocks', AWS_REGION: 'eu-west-1' };

describe('action configuration', () => {
  it('names the input, not a CLI flag, in its errors', () => {
    expect(() => loadActionConfig({ ...inputs, INPUT_ENDPOINT: 'not a url' })).toThrow(/^input endpoint is not a URL: "not a url"$/);
    expect(() => loadActionConfig({ ...inputs, INPUT_TABLE: 'x' })).toThrow(/^input table "x" is not a valid DynamoDB table name/);
  });

  it('enabled: true unless the input says false; anything else is an error', () => {
    expect(actionEnabled({})).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: '' })).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: 'true' })).toBe(true);
    expect(actionEnabled({ INPUT_ENABLED: 'False' })).toBe(false);
    expect(() => actionEnabled({ INPUT_ENABLED: 'sometimes' })).toThrow(/input enabled must be true or false, got "sometimes"/);
  });

  it('job-status (job.status) becomes the release outcome of the history', () => {
    expect(actionJobOutcome({})).toEqual({});
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'success' })).toEqual({ outcome: 'success' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'failure' })).toEqual({ outcome: 'failed' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'cancelled' })).toEqual({ outcome: 'cancelled' });
    expect(actionJobOutcome({ 'INPUT_JOB-STATUS': 'skipped' })).toEqual({ warning: expect.stringMatching(/job-status .*"skipped"/) });
  });
});

describe('what a GitHub run supplies (GITHUB_* and the event file, no @actions/github)', () => {
  it('user from the pushed commit, else the actor; meta the run URL; a lock id per job', () => {
    expect(githubDefaults(run({ head_commit: { author: { email: 'dev@example.com' } } }))).toEqual({
      user: 'dev@example.com',
      meta: 'https://github.example.com/acme/app/actions/runs/42',
      lockIdPrefix: 'github:acme/app:42:2:deploy',
      runLockId: 'github:acme/app:42:run',
    });
    expect(githubDefaults(run({})).user).toBe('octocat');
  });

  it('the CLI inside a GitHub job holds and releases as the job, not as the OS user', () => {
    const env = { ...run({ pusher: { email: 'dev@example.com' } }), DAPLAYA_STORE: 'file', DAPLAYA_STORE_DIR: os.tmpdir() };
    const lock = loadCliConfig(['lock', '--env', 'prod'], env);
    expect(lock).toMatchObject({ user: 'dev@example.com', meta: 'https://github.example.com/acme/app/actions/runs/42', lockId: 'github:acme/app:42:2:deploy', lockIdGiven: true });
    // Another run's release names another lock id, so it cannot free this run's lock.
    const other = loadCliConfig(['release', '--env', 'prod'], { ...env, GITHUB_RUN_ID: '43' });
    expect(other.lockId).toBe('github:acme/app:43:2:deploy');
    expect(other.lockIdGiven).toBe(true);
  });
});
