import * as core from '@actions/core';
import { iso } from '../cli/format.js';
import { parseActionState, type ActionState } from '../config.js';
import { formatDuration } from '../lock/names.js';

/**
 * What one phase of the action hands to a later one, each key's writer next to its reader.
 *
 * core.saveState(name, value) writes `name<<DELIM` to the GITHUB_STATE file; the runner gives every
 * later phase of the step the env var `STATE_<name>`, with the name exactly as saved (hyphens
 * kept), and core.getState(name) reads exactly that. Read state only through these pairs: a name
 * spelt by hand (`STATE_pre_ran` for `pre-ran`) silently never matches.
 */
export const STATE_KEYS = {
  /** pre started (its inputs were valid): main must not take the lock again. */
  preRan: 'pre-ran',
  /** The lock this job holds (JSON ActionState). */
  lock: 'daplaya',
  /** Why pre (or main) did not get the lock, for main's error and post's summary. */
  blocked: 'blocked',
} as const;

export const preRanState = {
  save: (): void => core.saveState(STATE_KEYS.preRan, 'true'),
  read: (): boolean => core.getState(STATE_KEYS.preRan) === 'true',
};

export const lockState = {
  save: (state: ActionState): void => core.saveState(STATE_KEYS.lock, JSON.stringify(state)),
  read: (): ActionState | undefined => parseActionState(core.getState(STATE_KEYS.lock)),
};

/** Who kept the job from the lock: the holder last seen, when it gave up. */
export interface BlockedState {
  envs: string[];
  reason: 'busy' | 'cancelled';
  waitedMs: number;
  holder?: { name: string; user: string; meta: string; since: number; uberlock: boolean };
}

export const blockedState = {
  save: (blocked: BlockedState): void => core.saveState(STATE_KEYS.blocked, JSON.stringify(blocked)),
  read: (): BlockedState | undefined => {
    const raw = core.getState(STATE_KEYS.blocked);
    if (!raw) return undefined;
    try {
      const b = JSON.parse(raw) as BlockedState;
      return Array.isArray(b?.envs) ? b : undefined;
    } catch {
      return undefined;
    }
  },
};

/** For the job summary (HTML-escaped): who kept the job from the lock. */
export function describeBlocked(b: BlockedState | undefined): string {
  if (!b) return 'No lock was taken by this job.';
  const h = b.holder;
  const who = h ? `${h.uberlock ? 'UBERLOCK by ' : ''}${h.user} (${[h.meta, `since ${iso(h.since)}`].filter((p) => p !== '').join(', ')})` : 'jobs queued ahead of it';
  const what = b.reason === 'cancelled' ? 'cancelled while it waited; held by' : 'still held by';
  const text = `Env ${b.envs.join(', ')} was not locked by this job: ${what} ${who} after waiting ${formatDuration(b.waitedMs)}.`;
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
