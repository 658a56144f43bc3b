import '../quiet-sdk-warning.js';
import * as core from '@actions/core';
import { actionEnabled, actionJobOutcome, loadActionConfig, stepSummaryFile } from '../config/action.js';
import { LockClient } from '../lock/client.js';
import { formatDuration } from '../lock/durations.js';
import { giveBack, stopJobRenewer } from '../session/job-lock.js';
import { describeHolder } from '../wording.js';
import { failAction } from './fail.js';
import { ActionStateError, blockedState, describeBlocked, lockState, type ActionState } from './state.js';
import { openNotifier } from '../notify/notifier.js';
import { openActionStore } from './take-lock.js';

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
    await writeSummary(stepSummaryFile(process.env), undefined, [], 0);
    return;
  }
  const { outcome, warning } = actionJobOutcome(process.env);
  if (warning) core.warning(warning);
  const config = loadActionConfig(process.env);
  const renewer = state.renewerPid ? await stopJobRenewer({ pid: state.renewerPid, statusFile: state.renewerStatusFile ?? '' }) : undefined;
  const lost = renewer?.status?.state === 'lost' ? renewer.status : undefined;
  const store = await openActionStore(config);
  const notifier = openNotifier(config.notify, store, (l) => core.warning(l));
  const client = new LockClient(store, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
  const problems: string[] = [];
  const releasedAt = Date.now();
  try {
    if (state.keep) {
      // Scope run: the lock stays with the workflow run. Leave it the between-jobs lease, so
      // the next job has time to start; a cancelled run frees it when that lapses.
      for (const [i, name] of state.envs.entries()) {
        const fence = String(state.fences[i] ?? '');
        const r = await client.extend(name, { lockId: state.lockId }, config.runLeaseMs);
        if (r.renewed) {
          core.info(`Env ${name} stays locked for this workflow run (lease ${formatDuration(config.runLeaseMs)} between jobs); a later job gives it back with release: true`);
          rows.push({ env: name, fence, released: `kept for the run (${formatDuration(config.runLeaseMs)})` });
        } else {
          problems.push(`Lock on env ${name} was no longer held by this workflow run${r.holder ? `: now held by ${describeHolder(r.holder, Date.now())}` : ': its lease lapsed'}`);
          rows.push({ env: name, fence, released: r.holder ? `lost to ${r.holder.user}` : 'lost' });
        }
      }
    } else {
      const given = await giveBack(
        client,
        state.envs.map((name) => ({ name, lockId: (state as ActionState).lockId })),
        outcome ? { outcome } : {},
      );
      for (const g of given) {
        const fence = String(state.fences[state.envs.indexOf(g.name)] ?? '');
        if (g.outcome === 'released') {
          core.info(`Released env ${g.name} (held for ${formatDuration(releasedAt - state.acquiredAt)})`);
          rows.push({ env: g.name, fence, released: 'yes' });
        } else if (g.outcome === 'taken-over') {
          problems.push(`Lock on env ${g.name} was taken over while this job ran: now held by ${describeHolder(g.holder, Date.now())}, fence ${g.holder.fence}`);
          rows.push({ env: g.name, fence, released: `lost to ${g.holder.user}` });
        } else {
          const by = lost?.lostEnv === g.name && lost.takenBy ? ` (taken by ${lost.takenBy.user}, fence ${lost.takenBy.fence})` : '';
          problems.push(`Lock on env ${g.name} was no longer held by this job at release: its lease lapsed${by}`);
          rows.push({ env: g.name, fence, released: 'lost' });
        }
      }
    }
  } finally {
    await notifier?.settle();
    store.close?.();
  }
  if (!state.keep && lost && problems.length === 0) {
    problems.push(`The renewer lost env ${lost.lostEnv}${lost.takenBy ? ` to ${lost.takenBy.user}` : lost.error ? `: ${lost.error}` : ''}`);
  }
  await writeSummary(config.stepSummaryFile, state, rows, releasedAt, outcome);
  if (problems.length > 0) core.setFailed(problems.join('\n'));
}

/**
 * The saved state is unreadable, but the inputs and the run still identify the lock: the
 * job's lock id is its prefix (repository, run, attempt, job) and a random part
 * (take-lock.ts), so a lock on this step's envs whose owner has the prefix is this job's.
 * Releasing it also stops the renewer, whose pid was in the state: its next renewal fails.
 */
async function releaseByJobLockId(stateError: ActionStateError): Promise<void> {
  let config: ReturnType<typeof loadActionConfig>;
  try {
    config = loadActionConfig(process.env);
  } catch (err) {
    failAction(new ActionStateError(stateError.problem, `and the inputs do not name the lock either, so nothing was released: ${(err as Error).message}`));
    return;
  }
  failAction(new ActionStateError(stateError.problem, `releasing env ${config.envs.join(', ')} by this job's lock id`));
  const store = await openActionStore(config);
  const client = new LockClient(store, config.protocol);
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

async function writeSummary(summaryFile: string | undefined, state: ActionState | undefined, rows: { env: string; fence: string; released: string }[], releasedAt: number, outcome?: string) {
  if (!summaryFile) return;
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
