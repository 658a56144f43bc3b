import '../quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { actionEnabled, loadActionConfig } from '../config.js';
import { githubDefaults } from './github-defaults.js';
import { cancelSignal, lockForJob } from './lock-phase.js';
import { failAction } from './fail.js';
import { preRanState } from './state.js';

// pre: take the lock before any other step of the job runs.
try {
  if (!actionEnabled(process.env)) {
    core.info('daplaya is off for this job (input enabled is false): not locking');
  } else {
    const config = loadActionConfig(process.env, githubDefaults());
    preRanState.save();
    await lockForJob(config, process.env, path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'heartbeat', 'index.js'), cancelSignal());
  }
} catch (err) {
  failAction(err);
}
