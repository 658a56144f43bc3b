import '../quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { actionEnabled, loadActionConfig } from '../config/action.js';
import { cancelSignal, lockForJob, lockForRun, setLockOutputs } from './take-lock.js';
import { failAction } from './fail.js';
import { blockedState, lockState, preRanState } from './state.js';

// main: report the lock taken in pre; take it here when pre did not run (local `uses: ./`).
// When pre ran and did not get the lock (the step has continue-on-error), main does not wait again.
try {
  let state = lockState.read();
  if (!actionEnabled(process.env) && !state) {
    core.info('daplaya is off for this job (input enabled is false): no lock taken');
    setLockOutputs(undefined);
  } else if (state) {
    setLockOutputs(state);
    core.info(`Holding env ${state.envs.join(', ')} as ${state.user} (fence ${state.fences.join(',')}); post releases it`);
  } else if (preRanState.read()) {
    setLockOutputs(undefined);
    const b = blockedState.read();
    const envs = b?.envs.join(', ') ?? actionInputEnvs();
    const why = b?.holder ? `: ${b.reason === 'cancelled' ? 'cancelled while it waited for' : 'it was still held by'} ${b.holder.user} after ${Math.round(b.waitedMs / 1000)}s` : '';
    core.setFailed(`The lock on env ${envs} was not obtained in the pre step${why}; not waiting again (see the pre step's log)`);
  } else {
    const config = loadActionConfig(process.env);
    const renewer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renewer', 'index.js');
    if (config.scope === 'run') state = await lockForRun(config, process.env, renewer, cancelSignal());
    else {
      core.info(config.scope === 'step' ? 'scope step: taking the lock now, for this step' : 'The pre step did not run (a local action?): taking the lock now');
      state = await lockForJob(config, process.env, renewer, cancelSignal());
    }
    setLockOutputs(state);
  }
} catch (err) {
  failAction(err);
}

function actionInputEnvs(): string {
  return core.getInput('env') || 'the env input';
}
