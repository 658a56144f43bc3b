import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { HEARTBEAT_MAX_LIFETIME_MS, loadProtocolSettings, type ActionConfig, type ActionState, type Env } from '../config.js';
import { describeHolder, progressLine } from '../cli/format.js';
import { LockClient } from '../lock/client.js';
import { acquireAll } from '../lock/multi.js';
import { startHeartbeat } from '../heartbeat/spawn.js';
import type { LockStore } from '../lock/types.js';
import { openStore } from '../store/open.js';


export async function openActionStore(config: ActionConfig): Promise<LockStore> {
  if (config.store.credentials) {
    core.setSecret(config.store.credentials.secretAccessKey);
    if (config.store.credentials.sessionToken) core.setSecret(config.store.credentials.sessionToken);
  }
  if (!config.roleToAssume) return openStore(config.store);
  const { webIdentityCredentials } = await import('../aws/web-identity.js');
  const provider = webIdentityCredentials({
    roleArn: config.roleToAssume,
    sessionName: config.roleSessionName,
    ...(config.store.region ? { region: config.store.region } : {}),
    getIdToken: () => core.getIDToken('sts.amazonaws.com'),
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
export async function lockForJob(config: ActionConfig, env: Env, heartbeatScript: string, signal: AbortSignal): Promise<ActionState | undefined> {
  const store = await openActionStore(config);
  core.info(`daplaya: using ${store.description}`);
  const client = new LockClient(store, loadProtocolSettings(env));
  const lockId = `${config.lockIdPrefix}:${randomBytes(4).toString('hex')}`;
  let grouped = false;
  const warned = new Set<string>();
  try {
    const r = await acquireAll(client, config.envs, {
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
        const now = Date.now();
        core.info(progressLine(b.holder?.name ?? config.envs.join(', '), b, now));
        const holder = b.holder;
        if (holder && !warned.has(holder.lockId)) {
          warned.add(holder.lockId);
          core.warning(`Waiting for env ${holder.name}: it is locked by ${describeHolder(holder, now)}`);
        }
      },
    });
    if (grouped) core.endGroup();
    if (!r.ok) {
      const who = r.holder ? ` by ${describeHolder(r.holder, Date.now())}` : '';
      core.setFailed(
        r.reason === 'cancelled'
          ? `Cancelled while waiting for env ${config.envs.join(', ')}${who}`
          : `Env ${r.holder?.name ?? config.envs.join(', ')} is still locked${who} after waiting ${Math.round(r.waitedMs / 1000)}s`,
      );
      return undefined;
    }
    for (const l of r.locks) {
      core.info(`Locked env ${l.name} for ${config.user} (fence ${l.fence}, lock id ${lockId}) after waiting ${Math.round(l.waitedMs / 1000)}s`);
    }
    const statusFile = path.join(env.RUNNER_TEMP || os.tmpdir(), `daplaya-heartbeat-${randomBytes(6).toString('hex')}.json`);
    const state: ActionState = {
      lockId,
      envs: r.locks.map((l) => l.name),
      fences: r.locks.map((l) => l.fence),
      user: config.user,
      acquiredAt: r.locks[0]?.acquiredAt ?? Date.now(),
      waitedMs: r.waitedMs,
      heartbeatStatusFile: statusFile,
    };
    if (!config.uberlock) {
      state.heartbeatPid = startHeartbeat(
        heartbeatScript,
        {
          store: config.store,
          locks: r.locks.map((l) => ({ name: l.name, lockId, fence: l.fence })),
          leaseMs: config.leaseMs,
          maxLifetimeMs: HEARTBEAT_MAX_LIFETIME_MS,
          statusFile,
          ...(config.roleToAssume ? { roleToAssume: config.roleToAssume, roleSessionName: config.roleSessionName } : {}),
        },
        env,
      );
      core.info(`Renewing the ${Math.round(config.leaseMs / 1000)}s lease in the background (pid ${state.heartbeatPid})`);
    }
    core.saveState('daplaya', JSON.stringify(state));
    return state;
  } finally {
    store.close?.();
  }
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
