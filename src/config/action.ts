import os from 'node:os';
import { parseDuration } from '../lock/durations.js';
import { parseEnvList } from '../lock/env-names.js';
import { InvalidInputError } from '../lock/errors.js';
import { redactUrl } from '../store/redact.js';
import type { StoreSpec } from '../store/spec.js';
import { MAX_META, MAX_USER, nonEmpty, validateText, type Env } from './common.js';
import { DEFAULTS } from './defaults.js';
import { githubDefaults } from './github.js';
import { loadNotifyConfig, type NotifyConfig } from './notify.js';
import { loadProtocolSettings, type ProtocolSettings } from './protocol.js';
import { resolveStore } from './store.js';

/** The action's inputs (INPUT_*) and the runner's variables, turned into a validated ActionConfig. */

export interface ActionConfig {
  envs: string[];
  user: string;
  meta: string;
  uberlock: boolean;
  waitMs: number;
  leaseMs: number;
  store: Extract<StoreSpec, { kind: 'dynamodb' }>;
  roleToAssume?: string;
  roleSessionName: string;
  /** Audience of the OIDC token exchanged for role-to-assume (input audience; GovCloud and China differ). */
  audience: string;
  lockIdPrefix: string;
  /** Input scope: job (pre to post), step (this step, main to post), run (the workflow run, across jobs). */
  scope: 'job' | 'step' | 'run';
  /** Input release (scope run): give the run's lock back in this step's post. */
  releaseRunLock: boolean;
  /** Input run-lease (scope run): the lease left between jobs. */
  runLeaseMs: number;
  /** The workflow run's lock id (scope run). */
  runLockId: string;
  /** Protocol settings (skew, history, queue), as every loader returns them. */
  protocol: ProtocolSettings;
  /** Where the renewer's status file goes: the runner's temp dir (RUNNER_TEMP). */
  tempDir: string;
  /** The job summary file (GITHUB_STEP_SUMMARY), when the runner gives one. */
  stepSummaryFile?: string;
  /** Where notifications go (config/notify.ts: DAPLAYA_SLACK_WEBHOOK_URL, ... in the job's env). */
  notify?: NotifyConfig;
}


/** Reads an action input the way the runner passes it: INPUT_<NAME> with spaces as underscores, trimmed. */
export function actionInput(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function boolInput(env: Env, name: string): boolean {
  const v = actionInput(env, name);
  if (v === '' || /^(false|no|0)$/i.test(v)) return false;
  if (/^(true|yes|1)$/i.test(v)) return true;
  throw new InvalidInputError(`input ${name} must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * Input `enabled` (default true): false makes pre, main and post do nothing. An empty value (an
 * expression that came out empty) is the default: locking is the safe side.
 */
export function actionEnabled(env: Env): boolean {
  return actionInput(env, 'enabled') === '' || boolInput(env, 'enabled');
}

/**
 * Input `job-status` (`${{ job.status }}`: success, failure, cancelled), recorded with the release
 * in the history's vocabulary (success, failed, cancelled). Never an error: post must release.
 */
export function actionJobOutcome(env: Env): { outcome?: string; warning?: string } {
  const v = actionInput(env, 'job-status').toLowerCase();
  if (v === '') return {};
  const outcome = ({ success: 'success', failure: 'failed', failed: 'failed', cancelled: 'cancelled', canceled: 'cancelled' } as Record<string, string>)[v];
  if (outcome) return { outcome };
  return { warning: `input job-status should be \${{ job.status }} (success, failure or cancelled), got ${JSON.stringify(v)}: the release is recorded without an outcome` };
}

export function loadActionConfig(env: Env): ActionConfig {
  const defaults = githubDefaults(env);
  const envText = actionInput(env, 'env');
  if (envText === '') throw new InvalidInputError('input env is required: the environment to lock, e.g. production');
  const envs = parseEnvList(envText);
  const user = validateText('user', actionInput(env, 'user') || defaults.user, MAX_USER);
  const meta = validateText('meta', actionInput(env, 'meta') || defaults.meta, MAX_META);
  const waitMs = parseDuration(actionInput(env, 'wait') || DEFAULTS.actionWait, 'input wait');
  const leaseMs = parseDuration(actionInput(env, 'lease') || DEFAULTS.actionLease, 'input lease');
  if (leaseMs < DEFAULTS.minLeaseMs) throw new InvalidInputError('input lease must be at least 3s');
  // Store errors in action terms (inputs, not CLI flags).
  const tableInput = actionInput(env, 'table') || DEFAULTS.table;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableInput)) throw new InvalidInputError(`input table ${JSON.stringify(tableInput)} is not a valid DynamoDB table name`);
  const endpointInput = actionInput(env, 'endpoint');
  if (endpointInput !== '' && !URL.canParse(endpointInput)) throw new InvalidInputError(`input endpoint is not a URL: ${JSON.stringify(redactUrl(endpointInput))}`);
  const store = resolveStore(
    {
      table: tableInput,
      region: actionInput(env, 'region'),
      endpoint: actionInput(env, 'endpoint'),
      store: 'dynamodb',
    },
    env,
  ) as Extract<StoreSpec, { kind: 'dynamodb' }>;
  const role = actionInput(env, 'role-to-assume');
  const config: ActionConfig = {
    envs,
    user,
    meta,
    uberlock: boolInput(env, 'uberlock'),
    waitMs,
    leaseMs,
    store,
    roleSessionName: `daplaya-${(env.GITHUB_RUN_ID ?? 'run').slice(0, 40)}`,
    audience: actionInput(env, 'audience') || 'sts.amazonaws.com',
    lockIdPrefix: defaults.lockIdPrefix,
    scope: actionScope(env),
    releaseRunLock: boolInput(env, 'release'),
    runLeaseMs: parseDuration(actionInput(env, 'run-lease') || DEFAULTS.runLease, 'input run-lease'),
    runLockId: defaults.runLockId,
    protocol: loadProtocolSettings(env),
    tempDir: nonEmpty(env.RUNNER_TEMP) ?? os.tmpdir(),
  };
  if (config.releaseRunLock && config.scope !== 'run') throw new InvalidInputError('input release goes with scope: run (a job or step lock is always released in post)');
  if (config.runLeaseMs < DEFAULTS.minLeaseMs) throw new InvalidInputError('input run-lease must be at least 3s');
  const summary = stepSummaryFile(env);
  if (summary) config.stepSummaryFile = summary;
  const notify = loadNotifyConfig(env);
  if (notify) config.notify = notify;
  if (role) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(role)) throw new InvalidInputError(`input role-to-assume is not an IAM role ARN: ${role}`);
    config.roleToAssume = role;
  }
  return config;
}

/** The job summary file the runner gives a step (GITHUB_STEP_SUMMARY), if any. */
export function stepSummaryFile(env: Env): string | undefined {
  return nonEmpty(env.GITHUB_STEP_SUMMARY);
}

/** Input `scope` (default job): job, step or run; read by pre before anything else, so a bad value touches nothing. */
export function actionScope(env: Env): 'job' | 'step' | 'run' {
  const v = actionInput(env, 'scope') || 'job';
  if (v === 'job' || v === 'step' || v === 'run') return v;
  throw new InvalidInputError(`input scope must be job, step or run, got ${JSON.stringify(v)}`);
}
