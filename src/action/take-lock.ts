import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as core from '@actions/core';
import type { ActionConfig } from '../config/action.js';
import { DEFAULTS } from '../config/defaults.js';
import { LockClient, type Holder } from '../lock/client.js';
import { formatDuration } from '../lock/durations.js';
import type { LockStore } from '../lock/types.js';
import { monotonicMs } from '../lock/backoff.js';
import { InvalidInputError } from '../lock/errors.js';
import type { LockItem } from '../lock/types.js';
import { jobLocks, startJobRenewer, takeForJob, type JobLock } from '../session/job-lock.js';
import { openNotifier } from '../notify/notifier.js';
import { openStore } from '../store/open.js';
import { iso, notAcquiredText, progressReporter } from '../wording.js';
import { blockedState, lockState, type ActionState } from './state.js';

/** First letter up: the action's messages are sentences. */
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export async function openActionStore(config: ActionConfig): Promise<LockStore> {
  if (config.store.credentials) {
    core.setSecret(config.store.credentials.secretAccessKey);
    if (config.store.credentials.sessionToken) core.setSecret(config.store.credentials.sessionToken);
  }
  if (!config.roleToAssume) return openStore(config.store);
  const { githubRoleCredentials } = await import('../aws/web-identity.js');
  const provider = await githubRoleCredentials({
    roleArn: config.roleToAssume,
    sessionName: config.roleSessionName,
    ...(config.store.region ? { region: config.store.region } : {}),
    ...(config.store.proxy ? { proxy: config.store.proxy } : {}),
    audience: config.audience,
  });
  const creds = await provider();
  core.setSecret(creds.secretAccessKey);
  if (creds.sessionToken) core.setSecret(creds.sessionToken);
  return openStore(config.store, provider);
}

/**
 * Takes the lock for the job (pre, or main when pre did not run), logging who holds
 * it while waiting, then starts the detached renewer and saves the state for post.
 */
export async function lockForJob(
  config: ActionConfig,
  env: Record<string, string | undefined>,
  renewerScript: string,
  signal: AbortSignal,
  opts: { lockId?: string; keep?: boolean; store?: LockStore } = {},
): Promise<ActionState | undefined> {
  // A store already opened (lockForRun) is reused: with role-to-assume, each open is an STS exchange.
  const store = opts.store ?? (await openActionStore(config));
  core.info(`daplaya: using ${store.description}`);
  const notifier = openNotifier(config.notify, store, (l) => core.warning(l));
  const client = new LockClient(store, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
  const lockId = opts.lockId ?? `${config.lockIdPrefix}:${config.scope === 'step' ? 'step:' : ''}${randomBytes(4).toString('hex')}`;
  let grouped = false;
  // Whom the job waited on, in order: named in a notice once it gets the lock.
  const waitedOn = new Map<string, Holder>();
  const report = progressReporter(config.envs, config.waitMs, (line) => core.info(line));
  try {
    const r = await takeForJob(client, {
      envs: config.envs,
      lockId,
      user: config.user,
      meta: config.meta,
      uberlock: config.uberlock,
      leaseMs: config.leaseMs,
      waitMs: config.waitMs,
      signal,
      onBusy: (b) => {
        if (!grouped) {
          core.startGroup(`Waiting for env ${config.envs.join(', ')}`);
          grouped = true;
        }
        report(b);
        if (b.holder && !waitedOn.has(b.holder.lockId)) waitedOn.set(b.holder.lockId, b.holder);
      },
    });
    if (grouped) core.endGroup();
    if (!r.ok) {
      const h = r.holder;
      blockedState.save({
        envs: config.envs,
        reason: r.reason,
        waitedMs: r.waitedMs,
        ...(h ? { holder: { name: h.name, user: h.user, meta: h.meta, since: h.since, uberlock: h.uberlock } } : {}),
      });
      const text = sentence(notAcquiredText(r, config.envs, Date.now()));
      core.setFailed(r.reason === 'cancelled' ? text : `${text}; gave up after waiting ${formatDuration(r.waitedMs)}`);
      return undefined;
    }
    for (const l of r.locks) {
      core.info(`Locked env ${l.name} for ${config.user} (fence ${l.fence}, lock id ${lockId}) after waiting ${Math.round(l.waitedMs / 1000)}s`);
    }
    if (grouped) {
      // Waiting and then getting the lock is news, not a problem: a notice, not a warning.
      const by = [...waitedOn.values()].map((h) => `${h.user} (${[h.meta, `since ${iso(h.since)}`].filter((p) => p !== '').join(', ')})`);
      core.notice(
        `Waited ${Math.round(r.waitedMs / 1000)}s for env ${config.envs.join(', ')}, ${by.length > 0 ? `locked by ${by.join(', then ')}` : 'queued behind other jobs'}; this job holds it now`,
      );
    }
    return holdForJob(config, env, renewerScript, jobLocks(r), {
      lockId,
      user: config.user,
      acquiredAt: r.locks[0]?.acquiredAt ?? Date.now(),
      waitedMs: r.waitedMs,
      ...(opts.keep ? { keep: true } : {}),
    });
  } finally {
    await notifier?.settle();
    store.close?.();
  }
}

/**
 * Scope run: the workflow run's lock. If the run holds it already (an earlier job took
 * it, or this job is a re-run), this job keeps it renewed while it runs; otherwise it is
 * taken under the run's lock id. With release, the run must hold it (else nothing is touched).
 */
export async function lockForRun(config: ActionConfig, env: Record<string, string | undefined>, renewerScript: string, signal: AbortSignal): Promise<ActionState | undefined> {
  const store = await openActionStore(config);
  const client = new LockClient(store, config.protocol);
  let handedOver = false;
  try {
    const items = new Map<string, LockItem | undefined>();
    for (const name of config.envs) items.set(name, await client.item(name));
    const notHeld = config.envs.filter((n) => items.get(n)?.owner !== config.runLockId);
    if (notHeld.length > 0 && config.releaseRunLock) {
      throw new InvalidInputError(`input release is true, but this workflow run holds no lock on env ${notHeld.join(', ')}: nothing to release (take it with scope: run in an earlier job)`);
    }
    if (notHeld.length > 0) {
      handedOver = true;
      return await lockForJob(config, env, renewerScript, signal, { lockId: config.runLockId, keep: true, store });
    }
    core.info(`This workflow run already holds env ${config.envs.join(', ')} (lock id ${config.runLockId}); keeping it renewed while this job runs`);
    const locks: JobLock[] = [];
    for (const name of config.envs) {
      const sentAt = monotonicMs();
      const r = await client.extend(name, { lockId: config.runLockId }, config.leaseMs);
      if (!r.renewed) throw new InvalidInputError(`env ${name} changed hands just now${r.holder ? `: held by ${r.holder.user}` : ''}; this run does not hold it any more`);
      locks.push({ name, lockId: config.runLockId, fence: r.lock.fence, confirmedAt: sentAt });
    }
    const first = items.get(config.envs[0] as string);
    return holdForJob(config, env, renewerScript, locks, {
      lockId: config.runLockId,
      user: first?.user ?? config.user,
      acquiredAt: first?.acquiredAt ?? Date.now(),
      waitedMs: 0,
      ...(config.releaseRunLock ? {} : { keep: true }),
    });
  } finally {
    if (!handedOver) store.close?.();
  }
}

/**
 * The job holds `locks`: start its renewer (not for an uberlock, which never lapses) and
 * save the state post needs. Shared by the job's own lock and the run's.
 */
function holdForJob(
  config: ActionConfig,
  env: Record<string, string | undefined>,
  renewerScript: string,
  locks: JobLock[],
  held: Pick<ActionState, 'lockId' | 'user' | 'acquiredAt' | 'waitedMs' | 'keep'>,
): ActionState {
  const statusFile = path.join(config.tempDir, `daplaya-renewer-${randomBytes(6).toString('hex')}.json`);
  const state: ActionState = { ...held, envs: locks.map((l) => l.name), fences: locks.map((l) => l.fence), renewerStatusFile: statusFile };
  if (!config.uberlock) {
    const renewer = startJobRenewer(
      {
        script: renewerScript,
        store: config.store,
        locks,
        leaseMs: config.leaseMs,
        maxLifetimeMs: DEFAULTS.renewerMaxLifetimeMs,
        statusFile,
        ...(config.roleToAssume ? { roleToAssume: config.roleToAssume, roleSessionName: config.roleSessionName, audience: config.audience } : {}),
      },
      env,
    );
    state.renewerPid = renewer.pid;
    core.info(`Renewing the ${formatDuration(config.leaseMs)} lease in the background (pid ${renewer.pid})`);
  }
  lockState.save(state);
  return state;
}

export function setLockOutputs(state: ActionState | undefined): void {
  core.setOutput('acquired', state ? 'true' : 'false');
  core.setOutput('holder', state?.user ?? '');
  core.setOutput('fence', state ? state.fences.join(',') : '');
  core.setOutput('waited-seconds', state ? String(Math.round(state.waitedMs / 1000)) : '');
  core.setOutput('lock-id', state?.lockId ?? '');
}

/** Cancellation: the runner sends SIGINT, then SIGTERM 7.5 s later. */
export function cancelSignal(): AbortSignal {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => controller.abort());
  return controller.signal;
}
