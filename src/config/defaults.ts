import { DEFAULT_HISTORY_MS, DEFAULT_SKEW_MS } from '../lock/client.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../store/dynamodb-defaults.js';

/**
 * Every default of daplaya in one table. action.yml, the GitLab template and
 * component, package.json and `--version` must agree with it (test/unit/defaults.test.ts).
 * The protocol's own defaults (skew, history, request timeout) are defined where the
 * protocol and the store use them and only shown here.
 */
export const DEFAULTS = {
  version: '0.1.0',
  table: 'DaPlayaLocks',
  /** `lock` from a terminal: nobody renews, so the lease is the whole hold. */
  cliLeaseMs: 60 * 60_000,
  /** `run`, a GitLab job, the action: renewed every third, so a dead job frees the lock soon. */
  renewedLeaseMs: 2 * 60_000,
  minLeaseMs: 3000,
  cliWait: '0',
  actionWait: '1h',
  /** GitLab jobs have a job timeout of their own (1h by default): wait half of it. */
  gitlabWait: '30m',
  actionLease: '2m',
  /** Scope run / pipeline: the lease between jobs, long enough for a queued job to start. */
  runLease: '30m',
  slackLease: '8h',
  /** A renewer outliving a forgotten job should not hold an env for days. */
  renewerMaxLifetimeMs: 24 * 3_600_000,
  historyDays: DEFAULT_HISTORY_MS / 86_400_000,
  skewMs: DEFAULT_SKEW_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  slackHost: '0.0.0.0',
} as const;
