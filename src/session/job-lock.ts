import type { Holder, LockClient } from '../lock/client.js';
import { acquireAll, type AcquireAllResult } from '../lock/multi.js';
import type { AcquireRequest } from '../lock/client.js';
import type { StoreSpec } from '../store/spec.js';
import { startRenewer, stopRenewer, stopRenewerByPid, type RenewerIdentity } from '../renewer/spawn.js';
import { takeStatus, type RenewerStatus } from '../renewer/status.js';

/**
 * A lock held for a job, between the protocol and the surfaces: taking the job's envs
 * (all or none), keeping them renewed by a detached renewer, and giving them back.
 * The action (pre/main/post), the CLI's `lock`/`release`, `run` and GitLab jobs all go
 * through here; none of this prints. Surfaces put the results into words (wording.ts).
 */

/** One env held by the job: what is kept from taking to giving back. */
export interface JobLock {
  name: string;
  lockId: string;
  fence: number;
  /** Monotonic time before the taking write was sent (lock/renewal.ts times the lease from it). */
  confirmedAt: number;
}

export type TakeRequest = Omit<AcquireRequest, 'name'> & { envs: string[] };

/** Takes every env for the job, all or none, in sorted order. */
export function takeForJob(client: LockClient, req: TakeRequest): Promise<AcquireAllResult> {
  const { envs, ...rest } = req;
  return acquireAll(client, envs, rest);
}

export function jobLocks(r: Extract<AcquireAllResult, { ok: true }>): JobLock[] {
  return r.locks.map((l) => ({ name: l.name, lockId: l.lockId, fence: l.fence, confirmedAt: l.confirmedAt }));
}

/** What giving one env back found. */
export type GivenBack =
  | { name: string; outcome: 'released' }
  /** Nobody held it any more: the lease lapsed (and nobody took it), or it was released for us. */
  | { name: string; outcome: 'lapsed' }
  | { name: string; outcome: 'taken-over'; holder: Holder };

/** Gives the job's envs back, in reverse order of taking; `outcome` is how the job ended, for the history. */
export async function giveBack(client: LockClient, locks: { name: string; lockId: string }[], opts: { outcome?: string } = {}): Promise<GivenBack[]> {
  const out: GivenBack[] = [];
  for (const l of [...locks].reverse()) {
    const r = await client.release(l.name, { lockId: l.lockId }, opts.outcome ? { outcome: opts.outcome } : {});
    if (r.outcome === 'released') out.push({ name: l.name, outcome: 'released' });
    else if (r.outcome === 'held-by-other') out.push({ name: l.name, outcome: 'taken-over', holder: r.holder });
    else out.push({ name: l.name, outcome: 'lapsed' });
  }
  return out;
}

/** Settings for a job's detached renewer. */
export interface RenewerRequest {
  /** The renewer bundle (dist/renewer/index.js). */
  script: string;
  store: StoreSpec;
  locks: JobLock[];
  leaseMs: number;
  maxLifetimeMs: number;
  statusFile: string;
  /** Marks the renewer's command line, so stopping it can check the pid is really it. */
  token?: string;
  roleToAssume?: string;
  roleSessionName?: string;
  audience?: string;
  /** Stay in the caller's process group (a GitLab job), so killing the job's group kills the renewer too. */
  inCallersProcessGroup?: boolean;
}

/** A running renewer, as whoever stops it later needs to know it. */
export interface RenewerHandle {
  pid: number;
  statusFile: string;
  identity?: RenewerIdentity;
}

/** Starts the job's renewer (a detached process that inherits `env`, credentials included). */
export function startJobRenewer(req: RenewerRequest, env: Record<string, string | undefined>): RenewerHandle {
  const { script, token, inCallersProcessGroup, ...settings } = req;
  const pid = startRenewer(script, { ...settings, locks: req.locks }, env, token, inCallersProcessGroup ? { inCallersProcessGroup } : {});
  const handle: RenewerHandle = { pid, statusFile: req.statusFile };
  if (token) handle.identity = { pid, exec: process.execPath, script, token };
  return handle;
}

export type RenewerStop = 'stopped' | 'gone' | 'not-ours' | 'unverifiable';

/**
 * Stops the job's renewer and takes what it reported (its status file is removed).
 * A handle with an identity is signalled only after its command line is checked.
 */
export async function stopJobRenewer(handle: RenewerHandle): Promise<{ stop: RenewerStop; status?: RenewerStatus }> {
  let stop: RenewerStop;
  if (handle.identity) stop = await stopRenewer(handle.identity);
  else {
    await stopRenewerByPid(handle.pid);
    stop = 'stopped';
  }
  const status = takeStatus(handle.statusFile);
  return status ? { stop, status } : { stop };
}
