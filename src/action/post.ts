import '../quiet-sdk-warning.js';
import * as core from '@actions/core';
import { loadActionConfig, loadProtocolSettings, readActionState } from '../config.js';
import { describeHolder } from '../cli/format.js';
import { LockClient } from '../lock/client.js';
import { formatDuration } from '../lock/names.js';
import { readStatus } from '../heartbeat/status.js';
import { stopHeartbeat } from '../heartbeat/spawn.js';
import { githubDefaults } from './github-defaults.js';
import { openActionStore } from './lock-phase.js';
import { failAction } from './fail.js';

// post: always runs (post-if: always()); stops the renewer and releases the lock.
// A cancelled job still gets its post step: do not let a late signal cut the release short.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

async function post(): Promise<void> {
  const state = readActionState(process.env);
  const rows: { env: string; fence: string; released: string }[] = [];
  if (!state) {
    core.info('No lock was taken by this job; nothing to release');
    await writeSummary(undefined, [], 0);
    return;
  }
  if (state.heartbeatPid) await stopHeartbeat(state.heartbeatPid);
  const hb = readStatus(state.heartbeatStatusFile);
  const config = loadActionConfig(process.env, githubDefaults());
  const store = await openActionStore(config);
  const client = new LockClient(store, loadProtocolSettings(process.env));
  const problems: string[] = [];
  const releasedAt = Date.now();
  try {
    for (const [i, env] of [...state.envs].entries()) {
      const r = await client.release(env, { lockId: state.lockId });
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
  await writeSummary(state, rows, releasedAt);
  if (problems.length > 0) core.setFailed(problems.join('\n'));
}

async function writeSummary(state: ReturnType<typeof readActionState>, rows: { env: string; fence: string; released: string }[], releasedAt: number) {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const summary = core.summary.addHeading('daplaya deployment lock', 3);
  if (!state) {
    summary.addRaw('No lock was taken by this job.', true);
  } else {
    summary.addTable([
      [
        { data: 'env', header: true },
        { data: 'holder', header: true },
        { data: 'fence', header: true },
        { data: 'waited', header: true },
        { data: 'held for', header: true },
        { data: 'released', header: true },
      ],
      ...rows.map((r) => [r.env, state.user, r.fence, formatDuration(state.waitedMs), formatDuration(releasedAt - state.acquiredAt), r.released]),
    ]);
  }
  await summary.write();
}

try {
  await post();
} catch (err) {
  failAction(err);
}
