import type { Command } from '../config/cli.js';

/** `daplaya --help`: every command in a line or two. */
export const HELP = `daplaya — a deployment lock for CI, stored in DynamoDB

Usage: daplaya <command> [flags]        daplaya help <command>, daplaya <command> --help: that command in full

Commands:
  lock     --env ENV[,ENV...] [--wait DUR] ...   take the lock, waiting up to --wait (default 0) while someone holds it
  lock     --env ENV --extend DUR                lengthen the lease of a lock you hold
  lock     --env ENV --uberlock [--until T|--for DUR]   freeze an env (optionally until a time)
  release  --env ENV[,ENV...] ...                give the lock back (only its holder can, unless forced)
  locks    [--env ENV] [--all] [--json]          held, expired and frozen locks (--all: every env ever locked)
  status   --env ENV [--json]                    who holds one lock, and who waits
  wait     --env ENV [--wait DUR]                wait until a lock is free, without taking it
  run      --env ENV [lock flags] -- CMD ARGS... lock, run CMD with the lease renewed, release, exit with CMD's code
  history  [--env ENV] [--since DUR|TIME] [-n N] the newest N (20) acquisitions, releases, expiries, takeovers
  stats    [--env ENV] [--since DUR|TIME] [--json|--emf]  acquisitions, failures, takeovers, lapses, wait/hold p50/p95/max
  init                                           create or upgrade the DynamoDB table (safe to run twice)
  slack serve [--port N]                         serve the Slack slash command over HTTP

Store flags (every command):
  --table NAME         DynamoDB table (env DAPLAYA_TABLE; default DaPlayaLocks when DynamoDB is used)
  --region REGION      AWS region (env AWS_REGION); --endpoint URL (env AWS_ENDPOINT_URL_DYNAMODB)
  --store file|dynamodb  --store-dir DIR   the embedded file store (the default outside CI with no table)

Durations: 90s, 15m, 2h, 1h30m, 0 (at most 30d).
Exit codes: 0 done; 1 failure (no such table, access denied, no region, engine unreachable);
            2 bad usage or input; 3 lock busy or held by someone else; 128+N stopped by signal N (130: Ctrl-C).
`;

const STORE_ENV = 'DAPLAYA_TABLE, DAPLAYA_STORE, DAPLAYA_STORE_DIR, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, DAPLAYA_AWS_ACCESS_KEY_ID, DAPLAYA_AWS_SECRET_KEY, DAPLAYA_AWS_SESSION_TOKEN, DAPLAYA_REQUEST_TIMEOUT, DAPLAYA_DEBUG';
const LOCK_FLAGS = `  --env ENV[,ENV...]   the env(s) to lock; several are taken all or none (env DAPLAYA_ENV)
  --user U             who holds it (env DAPLAYA_USER; default: the CI job's user, else git user.email)
  --meta TEXT          why, shown to whoever waits (env DAPLAYA_META; default: the CI job's URL)
  --meta-json JSON     structured metadata, e.g. '{"ticket":"MAINT-123"}': kept as data, shown as ticket=MAINT-123
  --wait DUR           how long to wait for it (env DAPLAYA_WAIT; default 0: one try)
  --wait-on-freeze     wait out a freeze (uberlock) instead of failing at once
  --lease DUR          lease (env DAPLAYA_LEASE; default 1h, or 2m when renewed: run, GitLab jobs; at least 3s)
  --lock-id ID         name the lock's owner (env DAPLAYA_LOCK_ID; default: the CI job's)
  --force --reason T   take it from whoever holds it (recorded with who and why)
  --json               print the result as JSON`;

/** `daplaya help <command>` / `daplaya <command> --help`: the command's flags and the environment it reads. */
const COMMAND_HELP: Partial<Record<Command, string>> = {
  lock: `daplaya lock --env ENV[,ENV...] [flags]: take the lock
${LOCK_FLAGS}
  --uberlock           freeze the env: never lapses, goes ahead of queued waiters (env DAPLAYA_UBERLOCK)
  --until TIME|DUR     with --uberlock: the freeze ends by itself then (2026-12-24T00:00Z, or 3d from now)
  --for DUR            with --uberlock: the same as --until DUR
  --extend DUR         lengthen the lease of a lock you hold instead
In a GitLab job, the lease is renewed in the background until \`release\` (DAPLAYA_HEARTBEAT_ENABLED=false: not).
Environment: DAPLAYA_ENV, DAPLAYA_USER, DAPLAYA_META, DAPLAYA_WAIT, DAPLAYA_LEASE, DAPLAYA_UBERLOCK, DAPLAYA_LOCK_ID,
  DAPLAYA_CLOCK_SKEW, DAPLAYA_QUEUE_TTL, DAPLAYA_HISTORY_DAYS, ${STORE_ENV}
Notifications (every command): DAPLAYA_SLACK_WEBHOOK_URL, DAPLAYA_SLACK_BOT_TOKEN + DAPLAYA_SLACK_CHANNEL, DAPLAYA_WEBHOOK_URL,
  DAPLAYA_NOTIFY_TIMEOUT (2s), DAPLAYA_NOTIFY_HELD_OVER (README: Notifications and monitoring)`,
  run: `daplaya run --env ENV [flags] -- CMD ARGS...: lock, run CMD with the lease renewed, release, exit with CMD's code
${LOCK_FLAGS}
CMD gets DAPLAYA_FENCE, DAPLAYA_LOCK_ID and DAPLAYA_LOCKED_ENV. If the lease cannot be confirmed, CMD gets SIGTERM
(at lease − 2·grace after the last confirmed renewal) and SIGKILL (at lease − grace), grace = lease/6 (0.25–10 s).
Environment: as for lock, and ${STORE_ENV}`,
  release: `daplaya release --env ENV[,ENV...] [flags]: give the lock back
  --env ENV[,ENV...]   the env(s) (env DAPLAYA_ENV)
  --lock-id ID         whose lock (env DAPLAYA_LOCK_ID; default: the CI job's); else the user's
  --user U             (outside CI) release what U holds
  --outcome O          success, failed or cancelled: how the job ended, for the history (GitLab: CI_JOB_STATUS)
  --force --reason T   release whoever holds it (recorded)
  --json               print the result as JSON (exit codes as in text mode)
Environment: DAPLAYA_ENV, DAPLAYA_LOCK_ID, DAPLAYA_USER, CI_JOB_STATUS, ${STORE_ENV}`,
  locks: `daplaya locks [--env ENV] [--all] [--json]: held, frozen and expired-but-unreleased locks and their holders
  --all                also free envs: every env ever locked
  --env ENV[,ENV...]   these envs, whatever their state
Environment: DAPLAYA_CLOCK_SKEW, ${STORE_ENV}`,
  status: `daplaya status --env ENV [--json]: who holds one lock, and who waits in its queue
Environment: DAPLAYA_ENV, DAPLAYA_CLOCK_SKEW, ${STORE_ENV}`,
  wait: `daplaya wait --env ENV [--wait DUR]: wait until a lock is free (or expired), without taking it
Environment: DAPLAYA_ENV, DAPLAYA_WAIT, ${STORE_ENV}`,
  history: `daplaya history [--env ENV] [--since DUR|TIME] [--limit N] [--json]: acquisitions, releases, expiries, forced takeovers, newest first
  --env ENV            one env's (default: every env's)
  --since DUR|TIME     from 1h (ago) or 2026-11-23T10:00Z on
  --limit N, -n N      the newest N (default 20, at most 10000)
Environment: DAPLAYA_HISTORY_DAYS, ${STORE_ENV}`,
  stats: `daplaya stats [--env ENV] [--since DUR|TIME] [--json | --emf]: per env, from the history: acquisitions, failures to
  acquire (waits that ended busy), forced takeovers and releases, lapses (leases that ran out unreleased), wait and hold p50/p95/max
  --env ENV            one env's (default: every env's)
  --since DUR|TIME     from 7d (ago, the default) or 2026-11-23T10:00Z on
  --emf                one CloudWatch Embedded Metric Format line per env (namespace Daplaya, dimension Env)
Environment: ${STORE_ENV}`,
  init: `daplaya init: create the DynamoDB table, or check and upgrade an existing one (adds its indexes); safe to run twice
Environment: ${STORE_ENV}`,
  slack: `daplaya slack serve [--port N]: serve the Slack slash command over HTTP (default port 3000)
Environment: DAPLAYA_SLACK_SIGNING_SECRET (required), DAPLAYA_SLACK_APP_ID, DAPLAYA_SLACK_LEASE, DAPLAYA_SLACK_HOST, ${STORE_ENV}`,
};

export function helpFor(topic: Command | undefined): string {
  return (topic && COMMAND_HELP[topic]) ?? HELP;
}
