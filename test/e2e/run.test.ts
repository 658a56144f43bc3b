import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { CLI, cleanEnv, errorLines, runCli } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

async function setup() {
  const store = await freshDynamoStore();
  const env = cleanEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table });
  return { client: new LockClient(store), env };
}

describe('daplaya run -- CMD', () => {
  it('passes the command its fence and passes back its exit code, releasing the lock', async () => {
    const { client, env } = await setup();
    const r = await runCli(['run', '--env', 'r1', '--', 'sh', '-c', 'echo "fence=$DAPLAYA_FENCE env=$DAPLAYA_LOCKED_ENV"; exit 7'], env);
    expect(r.code, r.stderr).toBe(7);
    expect(r.stdout).toContain('fence=1 env=r1');
    expect(r.stderr).toMatch(/released env r1/);
    expect(await client.holder('r1')).toBeUndefined();
  });

  it('holds and renews the lock while the command runs', async () => {
    const { client, env } = await setup();
    const r = await runCli(
      ['run', '--env', 'r2', '--lease', '3s', '--', process.execPath, CLI, 'lock', '--env', 'r2', '--lock-id', 'intruder', '--wait', '0'],
      { ...env },
    );
    // The inner lock attempt found the env held by the run and exited 3; run passes that on.
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/still locked at env r2/);
    const slow = await runCli(['run', '--env', 'r2', '--lease', '3s', '--', 'sh', '-c', `sleep 5; ${process.execPath} ${CLI} status --env r2 --json`], env);
    expect(slow.code, slow.stderr).toBe(0);
    // Five seconds into a 2 s lease, the lock is still held: the lease was renewed.
    expect(JSON.parse(slow.stdout.slice(slow.stdout.indexOf('{')))).toMatchObject({ state: 'locked', env: 'r2' });
    expect(await client.holder('r2')).toBeUndefined();
  });

  it('does not take the lock for a command that cannot be found (exit 127, one line, nothing locked)', async () => {
    const { client, env } = await setup();
    const r = await runCli(['run', '--env', 'r3', '--', 'no-such-command-daplaya'], env);
    expect(r.code).toBe(127);
    expect(errorLines(r.stderr)).toEqual(['daplaya: error: command not found: no-such-command-daplaya; not taking the lock']);
    expect(await client.holder('r3')).toBeUndefined();
    expect(await client.historyOf('r3')).toEqual([]);
    const plain = path.join(mkdtempSync(path.join(os.tmpdir(), 'daplaya-run-')), 'deploy.sh');
    writeFileSync(plain, 'echo deploy\n', { mode: 0o644 });
    const notExec = await runCli(['run', '--env', 'r3', '--', plain], env);
    expect(notExec.code).toBe(127);
    expect(errorLines(notExec.stderr)).toEqual([`daplaya: error: ${plain} is not an executable file; not taking the lock`]);
  });

  it('passes SIGTERM to the command, then releases and exits with its code', async () => {
    const { client, env } = await setup();
    const child = spawn(
      process.execPath,
      [CLI, 'run', '--env', 'r4', '--', 'sh', '-c', 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve) => {
      const check = () => (out.includes('ready') ? resolve() : setTimeout(check, 50));
      check();
    });
    expect((await client.holder('r4'))?.lockId).toMatch(/^cli:/);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('got-term');
    expect(code).toBe(5);
    expect(err).toMatch(/released env r4/);
    expect(await client.holder('r4')).toBeUndefined();
  });

  it('does not run the command when the lock is busy (exit 3)', async () => {
    const { env } = await setup();
    expect((await runCli(['lock', '--env', 'r5', '--lock-id', 'holder'], env)).code).toBe(0);
    const r = await runCli(['run', '--env', 'r5', '--', 'sh', '-c', 'echo ran'], env);
    expect(r.code).toBe(3);
    expect(r.stdout).not.toContain('ran');
  });
});
