import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { CLI, cleanEnv, runCli } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

/** Dead waiters with the default queue settings: separate CLI processes, SIGKILLed. */

function startLock(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'lock', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; at: number }>((resolve) => child.on('close', (code) => resolve({ code, at: Date.now() })));
  return { child, done, err: () => err };
}

async function until(cond: () => Promise<boolean> | boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dead waiters do not stall the queue for long', () => {
  it('a SIGKILLed head waiter is skipped within about 10 s of the lock becoming free', async () => {
    const store = await freshDynamoStore();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    expect((await runCli(['lock', '--env', 'dh', '--lock-id', 'holder'], env)).code).toBe(0);
    const head = startLock(['--env', 'dh', '--lock-id', 'head', '--wait', '2m'], env);
    await until(async () => (await store.listQueue('dh')).some((e) => e.lockId === 'head'), 20_000, 'the head to queue');
    const next = startLock(['--env', 'dh', '--lock-id', 'next', '--wait', '2m'], env);
    await until(async () => (await store.listQueue('dh')).some((e) => e.lockId === 'next'), 20_000, 'the second waiter to queue');
    head.child.kill('SIGKILL');
    await head.done;
    const freedAt = Date.now();
    expect((await runCli(['release', '--env', 'dh', '--lock-id', 'holder'], env)).code).toBe(0);
    const end = await next.done;
    expect(end.code, next.err()).toBe(0);
    console.log(`dead head: next waiter took the lock ${end.at - freedAt} ms after the release`);
    expect(end.at - freedAt).toBeLessThan(11_000);
  }, 90_000);

  it('a SIGKILLed uberlock in waiting holds normal waiters back for at most about 10 s', async () => {
    const store = await freshDynamoStore();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    expect((await runCli(['lock', '--env', 'du', '--lock-id', 'holder'], env)).code).toBe(0);
    const uber = startLock(['--env', 'du', '--lock-id', 'freeze', '--uberlock', '--wait', '2m'], env);
    await until(async () => ((await store.get('du'))?.uberPendingUntil ?? 0) > 0, 20_000, 'the uberlock to announce itself');
    uber.child.kill('SIGKILL');
    await uber.done;
    const freedAt = Date.now();
    expect((await runCli(['release', '--env', 'du', '--lock-id', 'holder'], env)).code).toBe(0);
    const r = await runCli(['lock', '--env', 'du', '--lock-id', 'normal', '--wait', '1m'], env);
    expect(r.code, r.stderr).toBe(0);
    console.log(`dead uberlock in waiting: normal lock taken ${Date.now() - freedAt} ms after the release`);
    expect(Date.now() - freedAt).toBeLessThan(10_000);
  }, 90_000);
});
