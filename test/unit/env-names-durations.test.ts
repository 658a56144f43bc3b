import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/lock/durations.js';
import { parseEnvList, validateEnvName } from '../../src/lock/env-names.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['45', 45_000],
    ['250ms', 250],
    ['1d', 86_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['-5m', '', 'soon', '5 minutes', '5x', '1h-2m'])('rejects %j', (text) => expect(() => parseDuration(text, '--wait')).toThrow(/--wait/));

  it('formats back', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(500)).toBe('500ms');
  });
});

describe('env names', () => {
  it.each(['production', 'staging-eu.1', 'build_router_plt', 'A', 'x'.repeat(64)])('accepts %s', (n) => expect(validateEnvName(n)).toBe(n));
  it.each(['', 'x'.repeat(65), 'has space', 'a/b', '-lead', '.hidden', 'a#b', 'ünïcode', 'a,b', '$(id)'])('rejects %j', (n) =>
    expect(() => validateEnvName(n)).toThrow(),
  );
  it('a list is sorted and de-duplicated, so multi-env requests take locks in one order', () => {
    expect(parseEnvList('b,a,c,a')).toEqual(['a', 'b', 'c']);
  });
});
