/** Environment (lock) names: what a DynamoDB key, a file name and a shell word can all carry safely. */
export const MAX_NAME_LENGTH = 64;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export function validateEnvName(name: string): string {
  if (name.length === 0) throw new InvalidInputError('env name is empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(`env name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  }
  if (!NAME.test(name)) {
    throw new InvalidInputError(
      `env name ${JSON.stringify(name)} has characters that are not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** `a,b,c` → sorted, de-duplicated names: the fixed order that keeps multi-env requests deadlock-free. */
export function parseEnvList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) validateEnvName(n);
  return [...new Set(names)].sort();
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * The longest lease, wait, extension or freeze accepted: beyond it timers overflow
 * (Node's are 32-bit) and a typo like `100d` would hold an env for months.
 */
export const MAX_DURATION_MS = 30 * 86_400_000;

/** Parses `90s`, `15m`, `2h`, `1h30m`, `0` (plain numbers are seconds), at most MAX_DURATION_MS. */
export function parseDuration(value: string, what = 'duration'): number {
  const ms = parseAnyDuration(value, what);
  if (ms > MAX_DURATION_MS) throw new InvalidInputError(`${what} ${value} is longer than the maximum of 30d`);
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
