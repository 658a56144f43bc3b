import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadCliConfig, parseArgs } from '../../src/config/cli.js';
import { resolveStore } from '../../src/config/store.js';

const base = { HOME: '/home/t', DAPLAYA_USER: 'tester@example.com' };

describe('CLI configuration', () => {
  it('turns flags into one validated config', () => {
    const c = loadCliConfig(['lock', '--env', 'prod', '--meta', 'deploy 42', '--wait=90s', '--lease', '15m', '--uberlock', '--json'], base);
    expect(c).toMatchObject({ command: 'lock', envs: ['prod'], user: 'tester@example.com', meta: 'deploy 42', waitMs: 90_000, leaseMs: 900_000, uberlock: true, json: true });
    expect(c.store).toEqual({ kind: 'file', dir: '/home/t/.daplaya/locks' });
    expect(c.lockIdGiven).toBe(false);
  });

  it('takes the table, region and endpoint from env vars, flags winning', () => {
    const env = { ...base, DAPLAYA_TABLE: 'Tbl1', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' };
    expect(loadCliConfig(['status', '--env', 'x'], env).store).toEqual({ kind: 'dynamodb', table: 'Tbl1', region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' });
    expect(loadCliConfig(['status', '--env', 'x', '--table', 'Tbl2', '--region', 'us-east-2'], env).store).toMatchObject({ table: 'Tbl2', region: 'us-east-2' });
  });

  it('DAPLAYA_AWS_* credentials win over the standard chain', () => {
    const s = resolveStore({}, { DAPLAYA_TABLE: 'Tbl', DAPLAYA_AWS_ACCESS_KEY_ID: 'AK', DAPLAYA_AWS_SECRET_KEY: 'SK', AWS_ACCESS_KEY_ID: 'other' });
    expect(s).toMatchObject({ kind: 'dynamodb', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } });
  });

  it('in CI without a table it refuses rather than lock on the local disk', () => {
    expect(() => loadCliConfig(['lock', '--env', 'prod'], { ...base, CI: 'true' })).toThrow(/no lock table configured in CI/);
    expect(loadCliConfig(['lock', '--env', 'prod'], { ...base, CI: 'true', DAPLAYA_STORE: 'file' }).store.kind).toBe('file');
  });

  it('uses the GitLab job as the lock id so before_script and after_script agree', () => {
    const env = { ...base, DAPLAYA_TABLE: 'Tbl', GITLAB_CI: 'true', CI_JOB_ID: '77', CI_PROJECT_ID: '5', CI_SERVER_HOST: 'gitlab.example.com' };
    const c = loadCliConfig(['lock', '--env', 'prod'], env);
    expect(c.lockId).toBe('gitlab:gitlab.example.com:5:77');
    expect(c.lockIdGiven).toBe(true);
  });

  it('keeps a value that starts with a dash, so negative durations are named', () => {
    expect(parseArgs(['lock', '--wait', '-5m']).values.wait).toBe('-5m');
    expect(() => loadCliConfig(['lock', '--env', 'p', '--wait', '-5m'], base)).toThrow(/--wait must not be negative/);
  });

  it('rejects flags a command does not take', () => {
    expect(() => parseArgs(['locks', '--uberlock'])).toThrow(/unknown flag --uberlock for `locks`/);
    expect(() => loadCliConfig(['status', '--env', 'a,b'], base)).toThrow(/takes one env/);
  });

  it('rejects over-long meta', () => {
    expect(() => loadCliConfig(['lock', '--env', 'p', '--meta', 'x'.repeat(1001)], base)).toThrow(/meta is 1001 characters/);
  });
});

describe('which store', () => {
  it('--endpoint or --region without a table mean DynamoDB (table DaPlayaLocks), and init always does', () => {
    const env = { HOME: os.tmpdir(), AWS_REGION: 'eu-west-1' };
    expect(loadCliConfig(['locks', '--endpoint', 'http://127.0.0.1:8000'], env).store).toMatchObject({ kind: 'dynamodb', table: 'DaPlayaLocks', endpoint: 'http://127.0.0.1:8000' });
    expect(loadCliConfig(['locks', '--region', 'eu-west-2'], env).store).toMatchObject({ kind: 'dynamodb', region: 'eu-west-2' });
    expect(loadCliConfig(['init'], env).store).toMatchObject({ kind: 'dynamodb', table: 'DaPlayaLocks' });
    expect(loadCliConfig(['init', '--store', 'file'], env).store.kind).toBe('file');
    expect(loadCliConfig(['locks'], env).store.kind).toBe('file');
  });
});

describe('--scope pipeline', () => {
  const gitlab = { HOME: os.tmpdir(), DAPLAYA_STORE: 'file', CI_JOB_ID: '7', CI_PROJECT_ID: '5', CI_SERVER_HOST: 'gitlab.example.com', CI_PIPELINE_ID: '900' };
  it('locks for the pipeline: the pipeline\'s lock id, the between-jobs lease, no renewer', () => {
    const c = loadCliConfig(['lock', '--env', 'prod', '--scope', 'pipeline'], gitlab);
    expect(c).toMatchObject({ lockId: 'gitlab:gitlab.example.com:5:pipeline:900', lockIdGiven: true, leaseMs: 30 * 60_000, startsRenewer: false, pipelineScope: true });
    expect(loadCliConfig(['lock', '--env', 'prod', '--scope', 'pipeline'], { ...gitlab, DAPLAYA_PIPELINE_LEASE: '2h' }).leaseMs).toBe(2 * 3_600_000);
    expect(loadCliConfig(['release', '--env', 'prod', '--scope', 'pipeline'], gitlab).lockId).toBe('gitlab:gitlab.example.com:5:pipeline:900');
  });

  it('outside GitLab, or with another scope, is one line and exit 2', () => {
    expect(() => loadCliConfig(['lock', '--env', 'prod', '--scope', 'pipeline'], { HOME: os.tmpdir() })).toThrow(/--scope pipeline works in a GitLab job/);
    expect(() => loadCliConfig(['lock', '--env', 'prod', '--scope', 'workflow'], gitlab)).toThrow(/--scope must be job or pipeline/);
  });
});
