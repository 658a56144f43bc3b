import { InvalidInputError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * The longest lease, wait, extension or freeze accepted: beyond it timers overflow
 * (Node's are 32-bit) and a typo like `100d` would hold an env for months.
 */
export const MAX_DURATION_MS = 30 * 86_400_000;

/** Parses `90s`, `15m`, `2h`, `1h30m`, `0` (plain numbers are seconds), at most MAX_DURATION_MS. */
export function parseDuration(value: string, what = 'duration', maxMs = MAX_DURATION_MS): number {
  const ms = parseAnyDuration(value, what);
  if (ms > maxMs) throw new InvalidInputError(`${what} ${value} is longer than the maximum of ${formatDuration(maxMs)}`);
  return ms;
}

function parseAnyDuration(value: string, what: string): number {
  const text = value.trim();
  if (text.startsWith('-')) throw new InvalidInputError(`${what} must not be negative: ${value}`);
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  let rest = text;
  let total = 0;
  if (rest === '') throw new InvalidInputError(`${what} is empty`);
  while (rest !== '') {
    const m = DURATION.exec(rest);
    if (!m) throw new InvalidInputError(`${what} ${JSON.stringify(value)} is not a duration like 90s, 15m or 2h`);
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}
