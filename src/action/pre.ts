import '../quiet-sdk-warning.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { loadActionConfig } from '../config.js';
import { githubDefaults } from './github-defaults.js';
import { cancelSignal, lockForJob } from './lock-phase.js';
import { failAction } from './fail.js';

// pre: take the lock before any other step of the job runs.
try {
  const config = loadActionConfig(process.env, githubDefaults());
  core.saveState('pre-ran', 'true');
  await lockForJob(config, process.env, path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'heartbeat', 'index.js'), cancelSignal());
} catch (err) {
  failAction(err);
}
