import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blockedState, lockState, preRanState, STATE_KEYS } from '../../src/action/state.js';
import { parseFileCommand } from '../helpers/runner.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** One phase writes its state file; the runner hands each entry to the next phase as STATE_<name>. */
function handOver(write: () => void): Record<string, string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'daplaya-state-')), 'save_state');
  writeFileSync(file, '');
  process.env.GITHUB_STATE = file;
  write();
  const entries = parseFileCommand(readFileSync(file, 'utf8'));
  delete process.env.GITHUB_STATE;
  for (const [name, value] of Object.entries(entries)) process.env[`STATE_${name}`] = value;
  return entries;
}

describe('action state: each key written by one phase is read back by the next', () => {
  it('pre-ran: saved under its own name and read back from STATE_pre-ran, not STATE_pre_ran', () => {
    expect(preRanState.read()).toBe(false);
    const entries = handOver(() => preRanState.save());
    expect(Object.keys(entries)).toEqual([STATE_KEYS.preRan]);
    expect(process.env[`STATE_${STATE_KEYS.preRan}`]).toBe('true');
    expect(preRanState.read()).toBe(true);
    delete process.env[`STATE_${STATE_KEYS.preRan}`];
    process.env.STATE_pre_ran = 'true';
    expect(preRanState.read()).toBe(false);
  });

  it('the lock and the blocker round-trip through the state file', () => {
    const lock = { lockId: 'github:acme/app:1:1:deploy:ab', envs: ['production'], fences: [3], user: 'u@example.com', acquiredAt: 1, waitedMs: 2 };
    const blocked = { envs: ['production'], reason: 'busy' as const, waitedMs: 4000, holder: { name: 'production', user: 'alice@example.com', meta: 'run 1', since: 5, uberlock: false } };
    handOver(() => {
      lockState.save(lock);
      blockedState.save(blocked);
    });
    expect(lockState.read()).toEqual(lock);
    expect(blockedState.read()).toEqual(blocked);
  });
});
