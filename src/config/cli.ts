import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { MAX_DURATION_MS, parseDuration } from '../lock/durations.js';
import { parseEnvList } from '../lock/env-names.js';
import { InvalidInputError } from '../lock/errors.js';
import type { StoreSpec } from '../store/spec.js';
import { debugEnabled, defaultStoreDir, MAX_META, MAX_USER, nonEmpty, UsageError, validateText, type Env } from './common.js';
import { DEFAULTS } from './defaults.js';
import { githubDefaults, isGithubActions } from './github.js';
import { gitlabDefaults } from './gitlab.js';
import type { MetaData } from '../lock/types.js';
import { metaDataText, parseMetaJson } from './meta-json.js';
import { loadNotifyConfig, type NotifyConfig } from './notify.js';
import { parseHistoryLimit, parseSince } from './listing.js';
import { loadProtocolSettings, type ProtocolSettings } from './protocol.js';
import { resolveStore } from './store.js';

/** The CLI's flags and the environment variables it reads, turned into a validated CliConfig. */

export const COMMANDS = ['lock', 'release', 'locks', 'status', 'wait', 'run', 'history', 'stats', 'slack', 'init', 'help', 'version'] as const;
export type Command = (typeof COMMANDS)[number];

/** What one CLI invocation is asked to do, resolved from its flags and environment. */
export interface CliConfig {
  command: Command;
  store: StoreSpec;
  /** Sorted, de-duplicated; empty for commands over all locks. */
  envs: string[];
  user: string;
  meta: string;
  lockId: string;
  /** True when the lock id came from a flag, DAPLAYA_LOCK_ID or the CI job, so release can name it. */
  lockIdGiven: boolean;
  uberlock: boolean;
  /** `--uberlock --until TIME` / `--for DUR`: the freeze lifts itself then (epoch ms). */
  freezeUntil?: number;
  /** `--wait-on-freeze`: wait out a freeze instead of failing at once. */
  waitOnFreeze: boolean;
  /** `--scope pipeline` (GitLab): the lock belongs to the pipeline, taken by one job and released by a later one. */
  pipelineScope: boolean;
  waitMs: number;
  leaseMs: number;
  /** `lock` starts a detached renewer (in GitLab jobs, whose after_script releases). */
  startsRenewer: boolean;
  /** How long that renewer may live: the job's timeout in GitLab, else a day. */
  renewerLifetimeMs: number;
  json: boolean;
  force?: { reason: string };
  /** `lock --extend`: lengthen the lease of a lock already held. */
  extendMs?: number;
  /** How the job ended, recorded with a release (GitLab after_script: CI_JOB_STATUS). */
  outcome?: string;
  /** Skew allowance, history retention and queue settings, shared with every surface. */
  protocol: ProtocolSettings;
  /** DAPLAYA_DEBUG: stack traces for unexpected errors. */
  debug: boolean;
  /** The command after `--` for `run`. */
  runArgs: string[];
  help: boolean;
  /** What `help` is about: `daplaya help lock`, `daplaya lock --help`. */
  helpTopic?: Command;
  /** `slack serve --port N`. */
  port?: string;
  /** `locks --all`: every env ever locked, free ones too. */
  all: boolean;
  /** `history --limit N` / `-n N` (default 20): the newest N events. */
  limit: number;
  /** `history --since DUR|TIME`: events from then on (epoch ms). */
  since?: number;
  /** Where notifications go (config/notify.ts); absent when none is configured. */
  notify?: NotifyConfig;
  /** `lock --meta-json`: structured metadata (its key=value text is also in `meta`). */
  metaData?: MetaData;
  /** `stats --emf`: CloudWatch Embedded Metric Format lines. */
  emf?: boolean;
}

const VALUE_FLAGS = ['env', 'user', 'meta', 'wait', 'lease', 'table', 'region', 'endpoint', 'store', 'store-dir', 'lock-id', 'reason', 'extend', 'outcome', 'port', 'until', 'for', 'since', 'limit', 'scope', 'meta-json'] as const;
const BOOL_FLAGS = ['uberlock', 'json', 'force', 'help', 'wait-on-freeze', 'all', 'emf'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];
type BoolFlag = (typeof BOOL_FLAGS)[number];

const STORE_FLAGS: readonly string[] = ['table', 'region', 'endpoint', 'store', 'store-dir', 'json', 'help'];
/** Which flags each command accepts (beyond the store flags). */
const COMMAND_FLAGS: Record<Command, readonly string[]> = {
  lock: ['env', 'user', 'meta', 'meta-json', 'uberlock', 'until', 'for', 'wait', 'wait-on-freeze', 'lease', 'lock-id', 'force', 'reason', 'extend', 'scope'],
  run: ['env', 'user', 'meta', 'meta-json', 'uberlock', 'wait', 'wait-on-freeze', 'lease', 'lock-id', 'force', 'reason'],
  release: ['env', 'user', 'lock-id', 'force', 'reason', 'outcome', 'scope'],
  history: ['env', 'since', 'limit'],
  stats: ['env', 'since', 'emf'],
  slack: ['port'],
  locks: ['env', 'all'],
  status: ['env'],
  wait: ['env', 'wait'],
  init: [],
  help: [],
  version: [],
};

export interface ParsedArgs {
  command: Command;
  /** `daplaya help lock`: the command asked about. */
  topic?: Command;
  values: Partial<Record<ValueFlag, string>>;
  bools: Partial<Record<BoolFlag, boolean>>;
  rest: string[];
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [first, ...tail] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { command: 'help', values: {}, bools: {}, rest: [] };
  if (first === '--version' || first === '-v') return { command: 'version', values: {}, bools: {}, rest: [] };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command ${JSON.stringify(first)}; commands: ${COMMANDS.filter((c) => c !== 'version').join(', ')}`);
  }
  const command = first as Command;
  const allowed = new Set([...STORE_FLAGS, ...COMMAND_FLAGS[command]]);
  const parsed: ParsedArgs = { command, values: {}, bools: {}, rest: [] };
  for (let i = 0; i < tail.length; i++) {
    const arg = tail[i] as string;
    if (arg === '--') {
      parsed.rest = tail.slice(i + 1);
      break;
    }
    // `history -n 5`: the one short flag with a value.
    if (arg === '-n' && command === 'history') {
      const value = tail[++i];
      if (value === undefined) throw new UsageError('-n needs a value');
      parsed.values.limit = value;
      continue;
    }
    if (arg === '-h') {
      parsed.bools.help = true;
      continue;
    }
    if (command === 'slack' && i === 0 && arg === 'serve') continue;
    if (command === 'help' && i === 0 && (COMMANDS as readonly string[]).includes(arg)) {
      parsed.topic = arg as Command;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for \`${command}\``);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!allowed.has(name)) throw new UsageError(`unknown flag --${name} for \`${command}\` (see \`daplaya ${command} --help\`)`);
    if ((BOOL_FLAGS as readonly string[]).includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      parsed.bools[name as BoolFlag] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = tail[++i];
      // The value is taken as given even if it starts with '-', so `--wait -5m` reports a negative duration.
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    parsed.values[name as ValueFlag] = value;
  }
  return parsed;
}

/** Committer email from git, else the OS user (only asked when a command needs a user). */
function userFromMachine(env: Env): string {
  try {
    const email = execFileSync('git', ['config', 'user.email'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
    if (email) return email;
  } catch {
    // No git, or no email configured.
  }
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/** The meta of a lock taken from a terminal with nothing better to say. */
const machineMeta = (a: ParsedArgs) => `${a.command} from ${os.hostname()}`;

/** Who the lock is held as and why, and its id: from flags, DAPLAYA_*, the CI job, else this machine. */
function identity(a: ParsedArgs, env: Env, needsUser: boolean): { user: string; meta: string; lockId: string; lockIdGiven: boolean } {
  const gitlab = gitlabDefaults(env);
  const github = isGithubActions(env) ? githubDefaults(env) : undefined;
  const user = a.values.user ?? nonEmpty(env.DAPLAYA_USER) ?? gitlab?.user ?? github?.user ?? (needsUser ? userFromMachine(env) : 'unknown');
  const meta = a.values.meta ?? nonEmpty(env.DAPLAYA_META) ?? gitlab?.meta ?? github?.meta ?? machineMeta(a);
  // In CI the lock id is the job's, so a later step (after_script, a release step) can name it and no other job can.
  const jobLockId = nonEmpty(env.DAPLAYA_LOCK_ID) ?? gitlab?.lockId ?? github?.lockIdPrefix;
  const lockId = a.values['lock-id'] ?? jobLockId ?? `cli:${user}:${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  return { user, meta, lockId, lockIdGiven: a.values['lock-id'] !== undefined || jobLockId !== undefined };
}

export function loadCliConfig(argv: string[], env: Env): CliConfig {
  const a = parseArgs(argv);
  const help = a.bools.help === true || a.command === 'help' || a.command === 'version';
  const needsEnv = ['lock', 'release', 'status', 'wait', 'run'].includes(a.command);
  const envValue = a.values.env ?? (needsEnv ? nonEmpty(env.DAPLAYA_ENV) : undefined);
  let envs: string[] = [];
  if (!help && needsEnv && envValue === undefined) throw new UsageError(`\`${a.command}\` needs --env ENV`);
  if (envValue !== undefined) envs = parseEnvList(envValue);
  if (envs.length > 1 && a.command !== 'lock' && a.command !== 'release' && a.command !== 'run' && a.command !== 'locks') {
    throw new UsageError(`\`${a.command}\` takes one env`);
  }

  const writes = ['lock', 'release', 'run'].includes(a.command) && !help;
  const id = identity(a, env, writes);
  const user = validateText('user', id.user, MAX_USER);
  if (user.trim() === '') throw new InvalidInputError('user is empty');
  // --meta-json: structured metadata, shown as key=value after the meta (or as the whole meta, instead of the `lock from HOST` default).
  const metaData = a.values['meta-json'] !== undefined ? parseMetaJson(a.values['meta-json']) : undefined;
  const metaShown = metaData === undefined ? id.meta : id.meta === machineMeta(a) ? metaDataText(metaData) : `${id.meta}, ${metaDataText(metaData)}`;
  const meta = validateText('meta', metaShown, MAX_META);
  const gitlab = gitlabDefaults(env);
  const waitText = a.values.wait ?? nonEmpty(env.DAPLAYA_WAIT) ?? DEFAULTS.cliWait;
  const leaseText = a.values.lease ?? nonEmpty(env.DAPLAYA_LEASE);
  const waitMs = parseDuration(waitText, '--wait');
  // A lock kept alive by a renewer (run, or a GitLab job) gets a short lease, so a dead job frees it quickly.
  const startsRenewer = a.command === 'lock' && gitlab?.startsRenewer === true;
  const renewed = a.command === 'run' || startsRenewer;
  const leaseMs = leaseText === undefined ? (renewed ? DEFAULTS.renewedLeaseMs : DEFAULTS.cliLeaseMs) : parseDuration(leaseText, '--lease');
  // A renewed lease is renewed every third of it, never more than once a second (lock/renewal.ts).
  if (leaseText !== undefined && leaseMs < DEFAULTS.minLeaseMs) throw new InvalidInputError(`--lease must be at least 3s, got ${leaseText}`);

  const config: CliConfig = {
    command: a.command,
    store: help
      ? { kind: 'file', dir: defaultStoreDir(env) }
      : resolveStore(
          { table: a.values.table, region: a.values.region, endpoint: a.values.endpoint, store: a.values.store, storeDir: a.values['store-dir'] },
          env,
          // `init` always means DynamoDB (unless the file store is asked for by name).
          a.command === 'init',
        ),
    envs,
    user,
    meta,
    lockId: id.lockId,
    lockIdGiven: id.lockIdGiven,
    uberlock: a.bools.uberlock === true || /^(true|1)$/i.test(env.DAPLAYA_UBERLOCK ?? ''),
    waitMs,
    leaseMs,
    startsRenewer,
    renewerLifetimeMs: Math.min(DEFAULTS.renewerMaxLifetimeMs, gitlab?.jobTimeoutMs ?? Number.POSITIVE_INFINITY),
    json: a.bools.json === true,
    runArgs: a.rest,
    help,
    protocol: loadProtocolSettings(env),
    debug: debugEnabled(env),
    waitOnFreeze: a.bools['wait-on-freeze'] === true,
    pipelineScope: false,
    all: a.bools.all === true,
    limit: parseHistoryLimit(a.values.limit),
  };
  if (a.values.scope !== undefined) {
    if (a.values.scope !== 'pipeline' && a.values.scope !== 'job') throw new UsageError(`--scope must be job or pipeline, got ${JSON.stringify(a.values.scope)}`);
    if (a.values.scope === 'pipeline') {
      if (!gitlab?.pipelineLockId) throw new UsageError('--scope pipeline works in a GitLab job: it needs CI_PIPELINE_ID (and CI_JOB_ID, CI_PROJECT_ID)');
      if (a.values['lock-id'] !== undefined) throw new UsageError('--scope pipeline names the lock itself: drop --lock-id');
      config.pipelineScope = true;
      config.lockId = gitlab.pipelineLockId;
      config.lockIdGiven = true;
      // Nobody renews between the pipeline's jobs: the lease must cover the gap.
      config.startsRenewer = false;
      if (leaseText === undefined) config.leaseMs = parseDuration(nonEmpty(env.DAPLAYA_PIPELINE_LEASE) ?? DEFAULTS.runLease, 'DAPLAYA_PIPELINE_LEASE');
    }
  }
  const until = parseFreezeEnd(a.values.until, a.values.for, Date.now());
  if (until !== undefined) {
    if (!config.uberlock) throw new UsageError('--until and --for go with --uberlock: they say when a freeze ends');
    config.freezeUntil = until;
  }
  if (a.values.port !== undefined) config.port = a.values.port;
  const since = parseSince(a.values.since, Date.now());
  if (since !== undefined) config.since = since;
  const notify = help ? undefined : loadNotifyConfig(env);
  if (notify) config.notify = notify;
  if (a.bools.emf) config.emf = true;
  if (metaData) config.metaData = metaData;
  const topic = a.command === 'help' ? a.topic : a.command;
  if (help && topic !== undefined && topic !== 'help' && topic !== 'version') config.helpTopic = topic;
  if (a.command === 'slack' && argv[1] !== 'serve' && !help) throw new UsageError('usage: daplaya slack serve --port N');
  if (a.values.extend !== undefined) {
    config.extendMs = parseDuration(a.values.extend, '--extend');
    if (config.extendMs < 1000) throw new InvalidInputError('--extend must be at least 1s');
  }
  if (a.command === 'release') {
    const given = a.values.outcome?.toLowerCase();
    const o = given === 'canceled' ? 'cancelled' : given;
    if (o !== undefined && !['success', 'failed', 'cancelled'].includes(o)) throw new UsageError(`--outcome must be success, failed or cancelled, got ${JSON.stringify(a.values.outcome)}`);
    const outcome = o ?? gitlab?.outcome;
    if (outcome) config.outcome = outcome;
  }
  if (a.bools.force) {
    const reason = nonEmpty(a.values.reason);
    if (!reason) throw new UsageError('--force needs --reason TEXT: forced takeovers are recorded with why');
    config.force = { reason: validateText('reason', reason, MAX_META) };
  } else if (a.values.reason !== undefined) {
    throw new UsageError('--reason goes with --force');
  }
  if (a.command === 'run' && !help && config.runArgs.length === 0) throw new UsageError('`run` needs a command after --, e.g. daplaya run --env prod -- ./deploy.sh');
  if (a.command !== 'run' && a.rest.length > 0) throw new UsageError(`\`${a.command}\` takes no command after --`);
  return config;
}

/** `--until 2026-12-24T00:00Z` or `--for 3d`: when a freeze ends; in the future, at most 30 days ahead. */
export function parseFreezeEnd(until: string | undefined, forText: string | undefined, now: number): number | undefined {
  if (until !== undefined && forText !== undefined) throw new UsageError('give --until or --for, not both');
  if (forText !== undefined) {
    const ms = parseDuration(forText, '--for');
    if (ms <= 0) throw new UsageError('--for must be longer than 0');
    return now + ms;
  }
  if (until === undefined) return undefined;
  const t = /^\d+(\.\d+)?(ms|s|m|h|d)?$|^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(until.trim()) ? now + parseDuration(until, '--until') : Date.parse(until);
  if (!Number.isFinite(t)) throw new UsageError(`--until ${JSON.stringify(until)} is neither a time (2026-12-24T00:00Z) nor a duration (3d)`);
  if (t <= now) throw new UsageError(`--until ${until} is in the past`);
  if (t - now > MAX_DURATION_MS) throw new UsageError(`--until ${until} is more than 30d ahead`);
  return t;
}
