import { parseDuration } from '../lock/durations.js';
import { UsageError } from './common.js';

/** `history --limit N` / `-n N` when not given: a screenful. */
export const DEFAULT_HISTORY_LIMIT = 20;
/** More than this is refused: a bigger answer is a job for `--json` and several `--since` windows. */
export const MAX_HISTORY_LIMIT = 10_000;
/** `--since` reaches back at most this far (history is kept `DAPLAYA_HISTORY_DAYS`, whole days). */
const MAX_SINCE_MS = 3660 * 86_400_000;

/** `--limit N`: a whole number from 1 to MAX_HISTORY_LIMIT. */
export function parseHistoryLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HISTORY_LIMIT;
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_HISTORY_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, got ${JSON.stringify(text)}`);
  }
  return Number(t);
}

/** `--since 1h` (that long ago) or `--since 2026-11-23T10:00Z` (a time, not in the future): epoch ms. */
export function parseSince(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t.startsWith('-') || /^\d+(\.\d+)?(ms|s|m|h|d)?$|^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) {
    const ms = parseDuration(t, '--since', MAX_SINCE_MS);
    if (ms <= 0) throw new UsageError('--since must be longer than 0');
    return now - ms;
  }
  // A time needs at least a date (2026-11-23): Date.parse also takes words like "May 5".
  const at = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(at)) throw new UsageError(`--since ${JSON.stringify(text)} is neither a duration (1h, 2d) nor a time (2026-11-23T10:00Z)`);
  if (at > now) throw new UsageError(`--since ${text} is in the future`);
  return at;
}
