import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadCliConfig } from '../../src/config/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'daplaya-flags-'));
const env = { HOME: dir, DAPLAYA_STORE_DIR: dir, DAPLAYA_USER: 't@example.com' };

describe('history --limit / -n / --since and locks --all', () => {
  it('history defaults to the newest 20; -n and --limit set it; --since takes a duration back or a time', () => {
    expect(loadCliConfig(['history'], env).limit).toBe(20);
    expect(loadCliConfig(['history'], env).since).toBeUndefined();
    expect(loadCliConfig(['history', '-n', '5'], env).limit).toBe(5);
    expect(loadCliConfig(['history', '--limit', '7', '--env', 'production'], env)).toMatchObject({ limit: 7, envs: ['production'] });
    expect(loadCliConfig(['history', '--limit=9'], env).limit).toBe(9);
    const before = Date.now();
    const since = loadCliConfig(['history', '--env', 'production', '--since', '1h'], env).since as number;
    expect(since).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(since).toBeLessThanOrEqual(Date.now() - 3_600_000);
    expect(loadCliConfig(['history', '--since', '2026-01-02T03:04:05Z'], env).since).toBe(Date.parse('2026-01-02T03:04:05Z'));
    // Further back than a lease may be long: history is kept for DAPLAYA_HISTORY_DAYS.
    expect(loadCliConfig(['history', '--since', '90d'], env).since).toBeLessThan(Date.now() - 89 * 86_400_000);
    expect(loadCliConfig(['locks', '--all'], env).all).toBe(true);
    expect(loadCliConfig(['locks'], env).all).toBe(false);
  });

  /** One line on stderr, starting `daplaya: error:`, exit 2, nothing on stdout. */
  async function refused(argv: string[], message: RegExp) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code, err.join('\n')).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^daplaya: error: /);
    expect(err[0]).toMatch(message);
  }

  it.each([
    [['history', '--limit', '0'], /^daplaya: error: --limit must be a whole number from 1 to 10000, got "0"$/],
    [['history', '--limit', 'abc'], /--limit must be a whole number from 1 to 10000, got "abc"/],
    [['history', '-n', '-3'], /--limit must be a whole number from 1 to 10000, got "-3"/],
    [['history', '-n', '2.5'], /--limit must be a whole number/],
    [['history', '-n', '10001'], /--limit must be a whole number from 1 to 10000/],
    [['history', '-n'], /-n needs a value/],
    [['history', '--since', 'tomorrow'], /^daplaya: error: --since "tomorrow" is neither a duration \(1h, 2d\) nor a time \(2026-11-23T10:00Z\)$/],
    [['history', '--since', '2999-01-01T00:00Z'], /--since 2999-01-01T00:00Z is in the future/],
    [['history', '--since', '-1h'], /--since must not be negative/],
    [['history', '--since', '0'], /--since must be longer than 0/],
    [['history', '--all'], /unknown flag --all for `history`/],
    [['locks', '--limit', '5'], /unknown flag --limit for `locks`/],
    [['locks', '-n', '5'], /unexpected argument "-n" for `locks`/],
  ])('%j: one line, exit 2', async (argv, message) => {
    await refused(argv, message);
  });
});
