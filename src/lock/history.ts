import { byTime, type HistoryEvent, type HistoryPage, type HistoryQuery } from './types.js';

/** Newest first: later time first; in the same millisecond, the protocol's order reversed. */
export function newestFirst(a: HistoryEvent, b: HistoryEvent): number {
  return byTime(b, a);
}

/**
 * A query's page cut from events already in memory (the memory and file stores): those of
 * `q.name` (every env when absent), at or after `q.since`, not past their keepUntil, the
 * newest `q.limit` of them, newest first.
 */
export function historyPage(events: HistoryEvent[], q: HistoryQuery, now: number): HistoryPage {
  const matching = events
    .filter((e) => (q.name === undefined || e.name === q.name) && (q.since === undefined || e.at >= q.since) && e.keepUntil > now)
    .sort(newestFirst);
  if (q.limit === undefined || matching.length <= q.limit) return { events: matching, more: false };
  return { events: matching.slice(0, q.limit), more: true };
}
