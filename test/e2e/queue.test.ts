import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import type { DynamoStore } from '../../src/store/dynamodb.js';
import { CLI, cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

async function setup(extra: Record<string, string> = {}) {
  const store = await freshDynamoStore();
  const env = cleanEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table, ...extra });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-queue-'));
  const log = path.join(dir, 'log');
  writeFileSync(log, '');
  return { store, client: new LockClient(store), env, dir, log };
}

function contender(env: Record<string, string>, envs: string, id: string, dir: string, log: string, holdMs = 30): { child: ChildProcess; done: Promise<number | null> } {
  // Its own process group, so a test can kill the contender and its `daplaya lock` child together.
  const child = spawn(process.execPath, [path.join(ROOT, 'test/helpers/contender.mjs'), CLI, envs, id, dir, log, '1', String(holdMs)], { env, stdio: 'ignore', detached: true });
  return { child, done: new Promise((resolve) => child.on('close', resolve)) };
}

async function ticketIssued(store: DynamoStore, name: string, atLeast: number) {
  for (let i = 0; i < 600; i++) {
    // The ticket is issued first, then the queue entry written: wait for both.
    if (((await store.get(name))?.nextTicket ?? 0) >= atLeast && (await store.listQueue(name)).length >= atLeast) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ticket ${atLeast} was never issued`);
}

function entries(log: string) {
  const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  return { lines, enters: lines.filter((l) => l.startsWith('ENTER')).map((l) => l.split(' ')), bad: lines.filter((l) => !l.startsWith('ENTER')) };
}

describe('FIFO queue with separate processes on DynamoDB Local', () => {
  it('20 waiters that arrive in a known order acquire in that order', async () => {
    const { store, env, dir, log } = await setup();
    expect((await runCli(['lock', '--env', 'q', '--lock-id', 'holder'], env)).code).toBe(0);
    const waiters = [];
    for (let i = 0; i < 20; i++) {
      waiters.push(contender(env, 'q', `w${String(i).padStart(2, '0')}`, dir, log));
      await ticketIssued(store, 'q', i + 1);
    }
    const status = JSON.parse((await runCli(['status', '--env', 'q', '--json'], env)).stdout);
    expect(status.queue.map((w: { lockId: string }) => w.lockId)).toEqual(Array.from({ length: 20 }, (_, i) => `w${String(i).padStart(2, '0')}-r0`));
    expect((await runCli(['release', '--env', 'q', '--lock-id', 'holder'], env)).code).toBe(0);
    expect(await Promise.all(waiters.map((w) => w.done))).toEqual(Array(20).fill(0));
    const { enters, bad } = entries(log);
    expect(bad).toEqual([]);
    expect(enters.map((e) => e[1])).toEqual(Array.from({ length: 20 }, (_, i) => `w${String(i).padStart(2, '0')}-r0`));
    const fences = enters.map((e) => Number(e[2]));
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBe((fences[i - 1] as number) + 1);
  });

  it('a killed waiter drops out after its queue entry times out, and the next waiter gets the lock', async () => {
    const { store, client, env, dir, log } = await setup({ DAPLAYA_QUEUE_TTL: '3s' });
    expect((await runCli(['lock', '--env', 'k', '--lock-id', 'holder'], env)).code).toBe(0);
    const doomed = contender(env, 'k', 'doomed', dir, log);
    await ticketIssued(store, 'k', 1);
    const next = contender(env, 'k', 'next', dir, log);
    await ticketIssued(store, 'k', 2);
    expect((await client.waiters('k')).map((w) => w.lockId)).toEqual(['doomed-r0', 'next-r0']);
    // SIGKILL the waiting `daplaya lock` process and its parent: no cleanup runs.
    process.kill(-(doomed.child.pid as number), 'SIGKILL');
    await doomed.done;
    expect((await runCli(['release', '--env', 'k', '--lock-id', 'holder'], env)).code).toBe(0);
    expect(await next.done).toBe(0);
    const { enters } = entries(log);
    expect(enters.map((e) => e[1])).toEqual(['next-r0']);
    expect((await store.get('k'))?.nowServing).toBe(2);
  });

  it('overlapping multi-env requests from many processes never deadlock and never overlap', async () => {
    const { env, dir, log } = await setup();
    const sets = ['a,b', 'b,c', 'c,d', 'd,a', 'a,b,c,d', 'b,d', 'c,a', 'a', 'd,c,b', 'b,a', 'c', 'a,c,d'];
    const runs = sets.map((s, i) => contender(env, s, `m${i}`, dir, log, 50));
    expect(await Promise.all(runs.map((r) => r.done))).toEqual(Array(sets.length).fill(0));
    const { enters, bad } = entries(log);
    expect(bad).toEqual([]);
    // Per env, the fences in acquisition order rise strictly.
    for (const e of ['a', 'b', 'c', 'd']) {
      const fences = enters.filter((x) => x[3] === e).map((x) => Number(x[2]));
      expect(fences.length).toBe(sets.filter((s) => s.split(',').includes(e)).length);
      for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1] as number);
    }
  });

  it('a lock on a frozen env fails fast with --wait 0, naming who froze it and why; history tells the story', async () => {
    const { env } = await setup();
    expect((await runCli(['lock', '--env', 'prod', '--uberlock', '--user', 'lead@example.com', '--meta', 'release freeze'], env)).code).toBe(0);
    const r = await runCli(['lock', '--env', 'prod', '--user', 'dev@example.com', '--wait', '0'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/UBERLOCK by lead@example.com \(release freeze, since .*never expires\)/);
    const refused = await runCli(['release', '--env', 'prod', '--user', 'dev@example.com'], env);
    expect(refused.code).toBe(3);
    const forced = await runCli(['release', '--env', 'prod', '--user', 'ops@example.com', '--force', '--reason', 'freeze over'], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/forced release of env prod from UBERLOCK by lead@example.com/);
    const h = JSON.parse((await runCli(['history', '--env', 'prod', '--json'], env)).stdout);
    // Newest first: the freeze, the normal lock that gave up on it at once, the forced release.
    expect(h.map((e: { kind: string }) => e.kind)).toEqual(['force-released', 'gave-up', 'acquired']);
    expect(h[0]).toMatchObject({ by: 'ops@example.com', from: 'lead@example.com', reason: 'freeze over' });
  });
});
