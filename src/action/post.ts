import '../quiet-sdk-warning.js';
import * as core from '@actions/core';
import { actionEnabled, actionJobOutcome, loadActionConfig, loadProtocolSettings, type ActionState } from '../config.js';
import { describeHolder } from '../cli/format.js';
import { LockClient } from '../lock/client.js';
import { formatDuration } from '../lock/names.js';
import { readStatus } from '../heartbeat/status.js';
import { stopHeartbeat } from '../heartbeat/spawn.js';
import { githubDefaults } from './github-defaults.js';
import { openActionStore } from './lock-phase.js';
import { failAction } from './fail.js';
import { ActionStateError } from '../config.js';
import { blockedState, describeBlocked, lockState } from './state.js';

// post: always runs (post-if: always()); stops the renewer and releases the lock.
// A cancelled job still gets its post step: do not let a late signal cut the release short.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

async function post(): Promise<void> {
  let state: ActionState | undefined;
  try {
    state = lockState.read();
  } catch (err) {
    if (err instanceof ActionStateError) return releaseByJobLockId(err);
    throw err;
  }
  const rows: { env: string; fence: string; released: string }[] = [];
  if (!state) {
    if (!actionEnabled(process.env)) {
      core.info('daplaya is off for this job (input enabled is false): nothing to release');
      return;
    }
    core.info('No lock was taken by this job; nothing to release');
    await writeSummary(undefined, [], 0);
    return;
  }
  const { outcome, warning } = actionJobOutcome(process.env);
  if (warning) core.warning(warning);
  if (state.heartbeatPid) await stopHeartbeat(state.heartbeatPid);
  const hb = readStatus(state.heartbeatStatusFile);
  const config = loadActionConfig(process.env, githubDefaults());
  const store = await openActionStore(config);
  const client = new LockClient(store, loadProtocolSettings(process.env));
  const problems: string[] = [];
  const releasedAt = Date.now();
  try {
    for (const [i, env] of [...state.envs].entries()) {
      const r = await client.release(env, { lockId: state.lockId }, outcome ? { outcome } : {});
      const fence = String(state.fences[i] ?? '');
      if (r.outcome === 'released') {
        core.info(`Released env ${env} (held for ${formatDuration(releasedAt - state.acquiredAt)})`);
        rows.push({ env, fence, released: 'yes' });
      } else if (r.outcome === 'held-by-other') {
        problems.push(`Lock on env ${env} was taken over while this job ran: now held by ${describeHolder(r.holder, Date.now())}, fence ${r.holder.fence}`);
        rows.push({ env, fence, released: `lost to ${r.holder.user}` });
      } else {
        const by = hb?.state === 'lost' && hb.lostEnv === env && hb.takenBy ? ` (taken by ${hb.takenBy.user}, fence ${hb.takenBy.fence})` : '';
        problems.push(`Lock on env ${env} was no longer held by this job at release: it lapsed or was taken over${by}`);
        rows.push({ env, fence, released: 'lost' });
      }
    }
  } finally {
    store.close?.();
  }
  if (hb?.state === 'lost' && problems.length === 0) {
    problems.push(`The renewer lost env ${hb.lostEnv}${hb.takenBy ? ` to ${hb.takenBy.user}` : ''}`);
  }
  await writeSummary(state, rows, releasedAt, outcome);
  if (problems.length > 0) core.setFailed(problems.join('\n'));
}

/**
 * The saved state is unreadable, but the inputs and the run still identify the lock: the
 * job's lock id is its prefix (repository, run, attempt, job) and a random part
 * (lock-phase.ts), so a lock on this step's envs whose owner has the prefix is this job's.
 * Releasing it also stops the renewer, whose pid was in the state: its next renewal fails.
 */
async function releaseByJobLockId(stateError: ActionStateError): Promise<void> {
  let config: ReturnType<typeof loadActionConfig>;
  try {
    config = loadActionConfig(process.env, githubDefaults());
  } catch (err) {
    failAction(new ActionStateError(stateError.problem, `and the inputs do not name the lock either, so nothing was released: ${(err as Error).message}`));
    return;
  }
  failAction(new ActionStateError(stateError.problem, `releasing env ${config.envs.join(', ')} by this job's lock id`));
  const store = await openActionStore(config);
  const client = new LockClient(store, loadProtocolSettings(process.env));
  try {
    for (const env of [...config.envs].reverse()) {
      const owner = (await client.item(env))?.owner;
      if (owner === undefined || !owner.startsWith(`${config.lockIdPrefix}:`)) {
        core.info(`Env ${env} is not held by this job; nothing to release`);
        continue;
      }
      const { outcome } = actionJobOutcome(process.env);
      const r = await client.release(env, { lockId: owner }, outcome ? { outcome } : {});
      core.info(r.outcome === 'released' ? `Released env ${env} (lock id ${owner})` : `Env ${env} changed hands meanwhile; nothing released`);
    }
  } finally {
    store.close?.();
  }
}

async function writeSummary(state: ActionState | undefined, rows: { env: string; fence: string; released: string }[], releasedAt: number, outcome?: string) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading('daplaya deployment lock', 3);
  if (!state) {
    summary.addRaw(describeBlocked(blockedState.read()), true);
  } else {
    summary.addTable([
      [
        { data: 'env', header: true },
        { data: 'holder', header: true },
        { data: 'fence', header: true },
        { data: 'waited', header: true },
        { data: 'held for', header: true },
        { data: 'released', header: true },
        { data: 'outcome', header: true },
      ],
      ...rows.map((r) => [r.env, state.user, r.fence, formatDuration(state.waitedMs), formatDuration(releasedAt - state.acquiredAt), r.released, outcome ?? 'unknown']),
    ]);
  }
  await summary.write();
}

try {
  await post();
} catch (err) {
  failAction(err);
}
