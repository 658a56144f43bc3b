import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function help(argv: string[]) {
  const out: string[] = [];
  const code = await main(argv, {}, { out: (l) => out.push(l), err: () => undefined });
  return { code, text: out.join('\n') };
}

describe('per-command help', () => {
  it('`lock --help` and `help lock` list the command\'s flags and the environment it reads', async () => {
    for (const argv of [['lock', '--help'], ['help', 'lock'], ['lock', '-h']]) {
      const h = await help(argv);
      expect(h.code).toBe(0);
      expect(h.text).toMatch(/^daplaya lock --env/);
      for (const word of ['--wait-on-freeze', '--until', '--extend', 'DAPLAYA_LEASE', 'DAPLAYA_REQUEST_TIMEOUT']) expect(h.text).toContain(word);
    }
  });

  it('covers release --outcome, run\'s stop timing and slack serve\'s settings', async () => {
    expect((await help(['help', 'release'])).text).toContain('--outcome');
    expect((await help(['run', '--help'])).text).toMatch(/SIGTERM.*\n.*SIGKILL/);
    expect((await help(['help', 'slack'])).text).toContain('DAPLAYA_SLACK_SIGNING_SECRET');
    expect((await help(['--help'])).text).toContain('slack serve');
  });
});
