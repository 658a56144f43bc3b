import os from 'node:os';
import { type CliConfig } from '../config/cli.js';
import { type Env } from '../config/common.js';
import type { LockClient } from '../lock/client.js';
import type { AcquireAllResult } from '../lock/multi.js';
import { takeForJob } from '../session/job-lock.js';
import { notAcquiredText, progressReporter } from '../wording.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Aborted at the first SIGINT/SIGTERM (reason: the signal's name). */
  signal?: AbortSignal;
  /** Every signal received, for `run` to pass on to its command. */
  onSignal?: (listener: (sig: NodeJS.Signals) => void) => void;
  /** Environment for commands started by `run` and for renewers. */
  env?: Env;
  /** Path of the renewer bundle (dist/renewer/index.js). */
  renewerScript?: string;
  /** `slack serve`: wired in by the entry point, so the CLI never imports the Slack surface. */
  serveSlack?: (client: LockClient, opts: { port?: string; env: Env; out: (line: string) => void; signal?: AbortSignal }) => Promise<void>;
}

/** Takes config.envs all or none, reporting progress while waiting. */
export function acquireForCli(client: LockClient, config: CliConfig, io: Io): Promise<AcquireAllResult> {
  return takeForJob(client, {
    envs: config.envs,
    lockId: config.lockId,
    user: config.user,
    meta: config.meta,
    ...(config.metaData ? { metaData: config.metaData } : {}),
    uberlock: config.uberlock,
    ...(config.freezeUntil !== undefined ? { freezeUntil: config.freezeUntil } : {}),
    waitOnFreeze: config.waitOnFreeze,
    leaseMs: config.leaseMs,
    waitMs: config.waitMs,
    ...(config.force ? { force: config.force } : {}),
    onBusy: progressReporter(config.envs, config.waitMs, (l) => io.err(l.startsWith('ask ') ? `daplaya: ${l}` : l)),
    ...(io.signal ? { signal: io.signal } : {}),
  });
}

/** The one line for a lock not obtained. */
export function notAcquiredLine(r: Extract<AcquireAllResult, { ok: false }>, config: CliConfig, tail: string): string {
  const frozen = r.holder?.uberlock && !config.uberlock && !config.waitOnFreeze ? ' at once: it is frozen (pass --wait-on-freeze to wait for the freeze to end)' : '';
  return `daplaya: ${notAcquiredText(r, config.envs, Date.now())}; ${frozen ? `gave up${frozen}` : tail}`;
}

/** The exit code of a wait cut short by a signal: 128 + its number (130 for Ctrl-C), as shells report it. */
export function cancelledExit(io: Io): number {
  const sig = io.signal?.reason;
  return typeof sig === 'string' && sig in os.constants.signals ? 128 + (os.constants.signals[sig as NodeJS.Signals] ?? 0) : 130;
}
