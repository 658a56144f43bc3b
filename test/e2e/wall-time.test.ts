import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LockClient } from '../../src/lock/client.js';
import { CLI, cleanEnv, errorLines, runCli } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

/**
 * Safety in wall time and liveness against a DynamoDB that stops answering: the built
 * CLI in separate processes, a proxy on 127.0.0.1 that black-holes chosen requests.
 */

// A critical section that logs when it starts and when it ends (normally or by SIGTERM).
const SECTION = `
const fs = require('fs');
const [log, label, secs] = process.argv.slice(1);
const say = (w) => fs.appendFileSync(log, label + ' ' + w + ' ' + Date.now() + '\\n');
say('enter');
process.on('SIGTERM', () => { say('exit'); process.exit(143); });
setTimeout(() => { say('exit'); process.exit(0); }, Number(secs) * 1000);
`;

function times(log: string, label: string, what: 'enter' | 'exit'): number[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${label} ${what} `))
    .map((l) => Number(l.split(' ')[2]));
}

function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { child, done, stderr: () => stderr };
}

async function until(cond: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('wall-time safety when DynamoDB stops answering', () => {
  it('a run whose renewals hang stops its command before another run can enter', async () => {
    const store = await freshDynamoStore();
    const proxy = await startFaultProxy(inject('dynamoEndpoint'), { faultRate: 0, delayMs: 0 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-wall-'));
    const log = path.join(dir, 'log');
    const base = { ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, DAPLAYA_REQUEST_TIMEOUT: '1s' };
    try {
      const first = start(['run', '--env', 'w', '--lease', '6s', '--lock-id', 'first', '--', process.execPath, '-e', SECTION, log, 'first', '60'], cleanEnv({ ...base, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }));
      await until(() => times(log, 'first', 'enter').length === 1, 20_000, 'the first command to start');
      // From now on, every write of the first run (its renewals) is accepted and never answered.
      proxy.control.blackhole = (target) => target.endsWith('UpdateItem');
      const blackholedAt = Date.now();
      const second = start(['run', '--env', 'w', '--wait', '60s', '--lock-id', 'second', '--', process.execPath, '-e', SECTION, log, 'second', '0'], cleanEnv({ ...base, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') }));
      const firstEnd = await first.done;
      const secondEnd = await second.done;
      expect(secondEnd.code, second.stderr()).toBe(0);
      const [firstExit] = times(log, 'first', 'exit');
      const [secondEnter] = times(log, 'second', 'enter');
      expect(firstExit, first.stderr()).toBeDefined();
      expect(secondEnter).toBeDefined();
      // Never two commands at once: the first was stopped before the second entered.
      expect(firstExit as number).toBeLessThan(secondEnter as number);
      // The first run noticed, said so in one line, stopped its command and exited non-zero within about a lease.
      expect(first.stderr()).toMatch(/no renewal of the lock on env w was confirmed for .*stopping the command/);
      expect(firstEnd.code).not.toBe(0);
      expect((firstExit as number) - blackholedAt).toBeLessThan(6_000);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('every command gives up on an endpoint that never answers, with one line naming it', async () => {
    const store = await freshDynamoStore();
    const proxy = await startFaultProxy(inject('dynamoEndpoint'), { faultRate: 0, delayMs: 0 });
    proxy.control.blackhole = () => true;
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint, DAPLAYA_REQUEST_TIMEOUT: '500ms' });
    try {
      for (const args of [
        ['status', '--env', 'h'],
        ['lock', '--env', 'h', '--wait', '0'],
      ]) {
        const t0 = Date.now();
        const r = await runCli(args, env, { timeoutMs: 30_000 });
        expect(r.signal, args.join(' ')).toBeNull();
        expect(r.code, r.stderr).toBe(1);
        expect(Date.now() - t0).toBeLessThan(15_000);
        const lines = errorLines(r.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`daplaya: error: DynamoDB at ${proxy.endpoint.replace(/\./g, '\\.')} did not answer within 500ms`));
      }
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('SIGTERM stops a command stuck on an endpoint that never answers, with the signal exit code', async () => {
    const store = await freshDynamoStore();
    const proxy = await startFaultProxy(inject('dynamoEndpoint'), { faultRate: 0, delayMs: 0 });
    proxy.control.blackhole = () => true;
    // The default request timeout (3 s) with retries is far longer than the grace after a signal.
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint });
    try {
      const p = start(['lock', '--env', 'h', '--wait', '10m'], env);
      await until(() => proxy.counts.blackhole > 0, 10_000, 'a request');
      const t0 = Date.now();
      p.child.kill('SIGTERM');
      const end = await p.done;
      expect(end.code).toBe(143);
      expect(end.at - t0).toBeLessThan(9_000);
      expect(p.stderr()).toMatch(/stopped by SIGTERM/);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('run when it is killed outright', () => {
  it('SIGKILL of run: its command is stopped too, before the lease can pass on', async () => {
    const store = await freshDynamoStore();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-kill-'));
    const log = path.join(dir, 'log');
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    const p = start(['run', '--env', 'k', '--lease', '30s', '--', process.execPath, '-e', SECTION, log, 'cmd', '120'], env);
    await until(() => times(log, 'cmd', 'enter').length === 1, 20_000, 'the command to start');
    const t0 = Date.now();
    p.child.kill('SIGKILL');
    await p.done;
    await until(() => times(log, 'cmd', 'exit').length === 1, 10_000, 'the command to be stopped');
    expect((times(log, 'cmd', 'exit')[0] as number) - t0).toBeLessThan(3_000);
    // The lock itself lapses with its lease (nobody is left to release it).
    expect((await new LockClient(store).holder('k'))?.lockId).toBeDefined();
  }, 60_000);
});

describe('bounds and exit codes', () => {
  it('leases, waits and extensions past 30 days are refused with exit 2 before anything is written', async () => {
    const store = await freshDynamoStore();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    for (const args of [
      ['run', '--env', 'b', '--lease', '100d', '--', 'true'],
      ['lock', '--env', 'b', '--lease', '300000d', '--json'],
      ['lock', '--env', 'b', '--wait', '31d'],
      ['lock', '--env', 'b', '--extend', '40d'],
      ['lock', '--env', 'b', '--lease', '2s'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(errorLines(r.stderr)).toHaveLength(1);
    }
    expect(await store.get('b')).toBeUndefined();
  });

  it('Ctrl-C while waiting exits 130 and leaves no place in the queue', async () => {
    const store = await freshDynamoStore();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    expect((await runCli(['lock', '--env', 'c', '--user', 'alice@example.com'], env)).code).toBe(0);
    const waiting = start(['lock', '--env', 'c', '--user', 'bob@example.com', '--wait', '1m'], env);
    await until(() => /still locked at env c/.test(waiting.stderr()), 20_000, 'the waiter to report the holder');
    waiting.child.kill('SIGINT');
    const end = await waiting.done;
    expect(end.code).toBe(130);
    expect(waiting.stderr()).toMatch(/cancelled while waiting for env c held by alice@example.com/);
    expect((await store.listQueue('c')).every((e) => e.cancelled)).toBe(true);
  }, 60_000);

  it('release --json of someone else\'s lock exits 3, as text mode does', async () => {
    const store = await freshDynamoStore();
    const env = cleanEnv({ ...LOCAL_AWS_ENV, DAPLAYA_TABLE: store.config.table, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint') });
    expect((await runCli(['lock', '--env', 'j', '--user', 'alice@example.com'], env)).code).toBe(0);
    const text = await runCli(['release', '--env', 'j', '--user', 'bob@example.com'], env);
    const json = await runCli(['release', '--env', 'j', '--user', 'bob@example.com', '--json'], env);
    expect(text.code).toBe(3);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ released: [{ env: 'j', outcome: 'held-by-other' }] });
  });
});
