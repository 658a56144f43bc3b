import * as core from '@actions/core';
import { iso } from '../wording.js';
import { parseEnvList } from '../lock/env-names.js';
import { InvalidInputError } from '../lock/errors.js';
import { formatDuration } from '../lock/durations.js';

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

/** The state one action phase hands to the next (saved with core.saveState). */
export interface ActionState {
  lockId: string;
  envs: string[];
  fences: number[];
  user: string;
  acquiredAt: number;
  waitedMs: number;
  renewerPid?: number;
  renewerStatusFile?: string;
  /** Scope run without release: post leaves the lock held by the run (with the between-jobs lease). */
  keep?: boolean;
}

/** Parses the saved lock state; action/state.ts reads it (and every other state key) by its saved name. */
export function parseActionState(raw: string | undefined): ActionState | undefined {
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ActionStateError('not JSON');
  }
  const problem = actionStateProblem(value);
  if (problem) throw new ActionStateError(problem);
  return value as ActionState;
}

/** Saved lock state that pre could not have written (corrupt, or of another shape): post releases by the job's lock id instead. */
export class ActionStateError extends InvalidInputError {
  override name = 'ActionStateError';
  constructor(
    readonly problem: string,
    then?: string,
  ) {
    super(`The lock state saved by this job's pre step is unreadable (${problem})${then ? `; ${then}` : ''}`);
  }
}

function actionStateProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const s = v as Record<string, unknown>;
  const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (typeof s.lockId !== 'string' || s.lockId === '') return 'lockId is not a lock id';
  const envs = s.envs;
  const envName = (e: unknown) => {
    try {
      return typeof e === 'string' && parseEnvList(e).length === 1 && !e.includes(',');
    } catch {
      return false;
    }
  };
  if (!Array.isArray(envs) || envs.length === 0 || !envs.every(envName)) return 'envs is not a list of env names';
  if (!Array.isArray(s.fences) || s.fences.length !== envs.length || !s.fences.every(isNum)) return 'fences is not one number per env';
  if (typeof s.user !== 'string') return 'user is not a string';
  if (!isNum(s.acquiredAt) || !isNum(s.waitedMs)) return 'acquiredAt or waitedMs is not a number';
  // A pid of 0 or below would signal a whole process group, or every process of the user.
  if (s.renewerPid !== undefined && !(Number.isInteger(s.renewerPid) && (s.renewerPid as number) > 0)) return 'renewerPid is not a process id';
  if (s.renewerStatusFile !== undefined && typeof s.renewerStatusFile !== 'string') return 'renewerStatusFile is not a path';
  if (s.keep !== undefined && typeof s.keep !== 'boolean') return 'keep is not true or false';
  return undefined;
}
