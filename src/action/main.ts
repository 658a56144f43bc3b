import '../quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { loadActionConfig, preRan, readActionState } from '../config.js';
import { githubDefaults } from './github-defaults.js';
import { cancelSignal, lockForJob, setLockOutputs } from './lock-phase.js';
import { failAction } from './fail.js';

// main: report the lock taken in pre; take it here when pre did not run (local `uses: ./`).
try {
  let state = readActionState(process.env);
  if (!state && !preRan(process.env)) {
    core.info('The pre step did not run (a local action?): taking the lock now');
    const config = loadActionConfig(process.env, githubDefaults());
    state = await lockForJob(config, process.env, path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'heartbeat', 'index.js'), cancelSignal());
  }
  setLockOutputs(state);
  if (state) core.info(`Holding env ${state.envs.join(', ')} as ${state.user} (fence ${state.fences.join(',')}); post releases it`);
} catch (err) {
  failAction(err);
}
