import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CLI, cleanEnv, ROOT } from '../helpers/cli.js';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { LOCAL_AWS_ENV } from '../helpers/engine.js';

const CONTENDERS = 20;

/**
 * Starts CONTENDERS separate OS processes at once, each running the built CLI to lock,
 * enter a critical section guarded by an exclusive-create marker, and release.
 */
async function contend(env: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-contend-'));
  const marker = dir;
  const log = path.join(dir, 'log');
  writeFileSync(log, '');
  const codes = await Promise.all(
    Array.from({ length: CONTENDERS }, (_, i) =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, [path.join(ROOT, 'test/helpers/contender.mjs'), CLI, 'e', `w${i}`, marker, log], { env, stdio: 'ignore' });
        p.on('close', (code) => resolve(code));
      }),
    ),
  );
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  return { codes, lines };
}

function checkRun({ codes, lines }: { codes: (number | null)[]; lines: string[] }) {
  expect(lines.filter((l) => !l.startsWith('ENTER')), lines.join('\n')).toEqual([]);
  expect(codes.every((c) => c === 0)).toBe(true);
  const entries = lines.map((l) => l.split(' '));
  expect(entries).toHaveLength(CONTENDERS);
  expect(new Set(entries.map((e) => e[1])).size).toBe(CONTENDERS);
  // Entries are appended while holding the lock, so file order is acquisition order.
  // One env here: the fences must rise strictly in acquisition order.
  const fences = entries.map((e) => Number(e[2]));
  for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1] as number);
}

describe(`${CONTENDERS} processes contending for one env`, () => {
  it('never overlap on DynamoDB Local, and every one gets the lock with a rising fence', async () => {
    const store = await freshDynamoStore();
    const run = await contend(cleanEnv({ ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'), DAPLAYA_TABLE: store.config.table }));
    checkRun(run);
    expect((await store.get('e'))?.owner).toBeUndefined();
  });

  it('never overlap on the embedded file store', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-contend-store-'));
    const run = await contend(cleanEnv({ DAPLAYA_STORE: 'file', DAPLAYA_STORE_DIR: dir }));
    checkRun(run);
  });
});
