import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDynamoStore } from '../helpers/dynamo.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { ROOT } from '../helpers/cli.js';

// The everyday suite runs a short fault run; `npm run test:faults` runs the long one
// (DAPLAYA_FAULT_WORKERS / DAPLAYA_FAULT_ROUNDS) and prints the same figures.
const WORKERS = Number(process.env.DAPLAYA_FAULT_WORKERS ?? 8);
const ROUNDS = Number(process.env.DAPLAYA_FAULT_ROUNDS ?? 15);

beforeAll(() => {
  // The workers import the library compiled from src/.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--outDir', '.build'], { cwd: ROOT, stdio: 'inherit' });
});

describe('faults injected between client and engine', () => {
  it(`${WORKERS * ROUNDS} acquisitions by ${WORKERS} processes with random faults: no overlap, rising fences, nothing left held`, async () => {
    const store = await freshDynamoStore();
    const proxy = await startFaultProxy(inject('dynamoEndpoint'), { faultRate: 0.15, delayMs: 450, blackholes: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-faults-'));
    const log = path.join(dir, 'log');
    writeFileSync(log, '');
    try {
      const codes = await Promise.all(
        Array.from({ length: WORKERS }, (_, i) =>
          new Promise<number | null>((resolve) => {
            const p = spawn(process.execPath, [path.join(ROOT, 'test/helpers/fault-worker.mjs'), proxy.endpoint, store.config.table, 'f', `w${i}`, String(ROUNDS), dir, log], {
              stdio: 'ignore',
            });
            p.on('close', resolve);
          }),
        ),
      );
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const bad = lines.filter((l) => l.startsWith('OVERLAP') || l.startsWith('FAIL'));
      expect(bad).toEqual([]);
      expect(codes).toEqual(Array(WORKERS).fill(0));
      const fences = lines.filter((l) => l.startsWith('ENTER')).map((l) => Number(l.split(' ')[2]));
      expect(fences.length).toBe(WORKERS * ROUNDS);
      for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1] as number);
      const injected = proxy.counts['drop-response'] + proxy.counts['error-500'] + proxy.counts.throttle + proxy.counts.delay + proxy.counts.reset + proxy.counts.blackhole;
      const end = await store.get('f');
      // The figures of the run, for the README and the closing note.
      console.log(
        `fault run: ${WORKERS} processes, ${fences.length} acquisitions, ${lines.filter((l) => l.startsWith('OVERLAP')).length} overlapping critical sections, ` +
          `${fences.filter((f, i) => i > 0 && f <= (fences[i - 1] as number)).length} fence violations, ${end?.owner === undefined ? 0 : 1} stuck locks; ` +
          `${injected} faults injected ${JSON.stringify(proxy.counts)}; ${lines.filter((l) => l.startsWith('ERR')).length} acquire errors surfaced after retries`,
      );
      expect(injected).toBeGreaterThan(Math.min(100, WORKERS * ROUNDS * 0.1));
      expect(proxy.counts['drop-response']).toBeGreaterThan(Math.min(10, WORKERS * ROUNDS * 0.005));
      expect(end?.owner).toBeUndefined();
    } finally {
      await proxy.close();
    }
  }, 600_000);
});
