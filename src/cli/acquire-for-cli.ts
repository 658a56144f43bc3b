import os from 'node:os';
import type { Config, Env } from '../config.js';
import type { BusyReport, LockClient } from '../lock/client.js';
import { acquireAll, type AcquireAllResult } from '../lock/multi.js';
import { formatDuration } from '../lock/names.js';
import { describeHolder, progressLine } from './format.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Aborted at the first SIGINT/SIGTERM (reason: the signal's name). */
  signal?: AbortSignal;
  /** Every signal received, for `run` to pass on to its command. */
  onSignal?: (listener: (sig: NodeJS.Signals) => void) => void;
  /** Environment for commands started by `run` and for renewers. */
  env?: Env;
  /** Path of the renewer bundle (dist/heartbeat/index.js). */
  heartbeatScript?: string;
}

/** While waiting, a line on every change of holder or place in the queue, and otherwise at most this often. */
export const PROGRESS_EVERY_MS = 30_000;

/**
 * Progress while waiting, without flooding the log: one line when the holder or our
 * place changes, else one every PROGRESS_EVERY_MS, each with time waited and left.
 */
export function progressReporter(envs: string[], waitMs: number, print: (line: string) => void, clock: () => number = Date.now): (b: BusyReport) => void {
  let lastKey: string | undefined;
  let lastAt = 0;
  let hinted = false;
  return (b) => {
    const now = clock();
    const key = `${b.holder?.lockId ?? '-'}|${b.position ?? '-'}`;
    if (key === lastKey && now - lastAt < PROGRESS_EVERY_MS) return;
    lastKey = key;
    lastAt = now;
    const left = Math.max(0, waitMs - b.waitedMs);
    print(`${progressLine(b.holder?.name ?? envs.join(','), { ...b, nextAttemptInMs: 0 }, now)} (waited ${formatDuration(b.waitedMs)}, ${formatDuration(left)} left)`);
    if (b.holder && !hinted) {
      hinted = true;
      print(`daplaya: ask ${b.holder.user} to release it, or an admin can: daplaya release --env ${b.holder.name} --force --reason TEXT`);
    }
  };
}

/** Takes config.envs all or none, reporting progress while waiting. */
export function acquireForCli(client: LockClient, config: Config, io: Io): Promise<AcquireAllResult> {
  return acquireAll(client, config.envs, {
    lockId: config.lockId,
    user: config.user,
    meta: config.meta,
    uberlock: config.uberlock,
    leaseMs: config.leaseMs,
    waitMs: config.waitMs,
    ...(config.force ? { force: config.force } : {}),
    onBusy: progressReporter(config.envs, config.waitMs, (l) => io.err(l)),
    ...(io.signal ? { signal: io.signal } : {}),
  });
}

/** The one line for a lock not obtained: it always says by whom, or who is queued ahead. */
export function notAcquiredLine(r: Extract<AcquireAllResult, { ok: false }>, config: Config, tail: string): string {
  const now = Date.now();
  const env = r.holder?.name ?? config.envs.join(',');
  if (r.reason === 'cancelled') return `daplaya: cancelled while waiting for env ${env}${r.holder ? ` held by ${describeHolder(r.holder, now)}` : ''}`;
  if (r.holder) return `daplaya: env ${env} is locked by ${describeHolder(r.holder, now)}; ${tail}`;
  if (r.queuedAhead) {
    const q = r.queuedAhead;
    return `daplaya: env ${env} is free, but ${q.count} waiter(s) are queued ahead (first: ${q.first.user}${q.first.meta ? `, ${q.first.meta}` : ''}); ${tail}`;
  }
  return `daplaya: env ${env} was taken and given back while we tried; ${tail}`;
}

/** The exit code of a wait cut short by a signal: 128 + its number (130 for Ctrl-C), as shells report it. */
export function cancelledExit(io: Io): number {
  const sig = io.signal?.reason;
  return typeof sig === 'string' && sig in os.constants.signals ? 128 + (os.constants.signals[sig as NodeJS.Signals] ?? 0) : 130;
}
