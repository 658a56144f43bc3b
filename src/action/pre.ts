import '../quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { actionEnabled, actionScope, loadActionConfig } from '../config/action.js';
import { cancelSignal, lockForJob } from './take-lock.js';
import { failAction } from './fail.js';
import { preRanState } from './state.js';

// pre: take the lock before any other step of the job runs.
try {
  if (!actionEnabled(process.env)) {
    core.info('daplaya is off for this job (input enabled is false): not locking');
  } else if (actionScope(process.env) !== 'job') {
    // scope step: the lock is taken where the step stands; scope run: by the step, for the whole run.
    core.info(`daplaya: scope ${actionScope(process.env)}: the lock is taken in the step itself, not before the job`);
  } else {
    const config = loadActionConfig(process.env);
    preRanState.save();
    await lockForJob(config, process.env, path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renewer', 'index.js'), cancelSignal());
  }
} catch (err) {
  failAction(err);
}
