import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError, parseDuration, parseEnvList } from './lock/names.js';

/**
 * The one place that reads flags and environment variables and turns them into
 * a validated Config. Everything else receives a Config.
 */

export type Env = Record<string, string | undefined>;

export type StoreSpec =
  | {
      kind: 'dynamodb';
      table: string;
      region?: string;
      endpoint?: string;
      credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
      /** Deadline of each DynamoDB request, SDK retries included (DAPLAYA_REQUEST_TIMEOUT, default 3s). */
      requestTimeoutMs?: number;
    }
  | { kind: 'file'; dir: string };

export const COMMANDS = ['lock', 'release', 'locks', 'status', 'wait', 'run', 'history', 'slack', 'init', 'help', 'version'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Config {
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
  waitMs: number;
  leaseMs: number;
  /** `lock` starts a detached renewer (in GitLab jobs, whose after_script releases). */
  heartbeat: boolean;
  json: boolean;
  force?: { reason: string };
  /** `lock --extend`: lengthen the lease of a lock already held. */
  extendMs?: number;
  /** How the job ended, recorded with a release (GitLab after_script: CI_JOB_STATUS). */
  outcome?: string;
  /** Skew allowance and history retention, shared with every surface. */
  protocol: ProtocolSettings;
  /** A waiter whose queue entry is not refreshed for this long drops out (DAPLAYA_QUEUE_TTL). */
  queueTtlMs?: number;
  /** The command after `--` for `run`. */
  runArgs: string[];
  help: boolean;
  /** `slack serve --port N`. */
  port?: string;
}

export const DEFAULT_TABLE = 'DaPlayaLocks';
export const DEFAULT_CLI_LEASE_MS = 60 * 60_000;
export const MIN_LEASE_MS = 3000;
export const DEFAULT_RENEWED_LEASE_MS = 2 * 60_000;
/** A renewer outliving a forgotten job should not hold an env for days. */
export const HEARTBEAT_MAX_LIFETIME_MS = 24 * 3_600_000;

export class UsageError extends InvalidInputError {
  override name = 'UsageError';
}

const VALUE_FLAGS = ['env', 'user', 'meta', 'wait', 'lease', 'table', 'region', 'endpoint', 'store', 'store-dir', 'lock-id', 'reason', 'extend', 'outcome', 'port'] as const;
const BOOL_FLAGS = ['uberlock', 'json', 'force', 'help'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];
type BoolFlag = (typeof BOOL_FLAGS)[number];

const STORE_FLAGS: readonly string[] = ['table', 'region', 'endpoint', 'store', 'store-dir', 'json', 'help'];
/** Which flags each command accepts (beyond the store flags). */
const COMMAND_FLAGS: Record<Command, readonly string[]> = {
  lock: ['env', 'user', 'meta', 'uberlock', 'wait', 'lease', 'lock-id', 'force', 'reason', 'extend'],
  run: ['env', 'user', 'meta', 'uberlock', 'wait', 'lease', 'lock-id', 'force', 'reason'],
  release: ['env', 'user', 'lock-id', 'force', 'reason', 'outcome'],
  history: ['env'],
  slack: ['port'],
  locks: ['env'],
  status: ['env'],
  wait: ['env', 'wait'],
  init: [],
  help: [],
  version: [],
};

export interface ParsedArgs {
  command: Command;
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
    if (arg === '-h') {
      parsed.bools.help = true;
      continue;
    }
    if (command === 'slack' && i === 0 && arg === 'serve') continue;
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

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

/** A GitLab job (gitlab-ci-local sets GITLAB_CI=false but the job variables are all there). */
export function isGitLabJob(env: Env): boolean {
  return env.GITLAB_CI === 'true' || (env.CI_JOB_ID !== undefined && env.CI_SERVER_HOST !== undefined && env.CI_PROJECT_ID !== undefined);
}

export function isCI(env: Env): boolean {
  return /^(true|1)$/i.test(env.CI ?? '') || env.GITHUB_ACTIONS === 'true' || env.GITLAB_CI === 'true';
}

/** Where the embedded store lives unless DAPLAYA_STORE_DIR or --store-dir say otherwise. */
export function defaultStoreDir(env: Env): string {
  return path.join(env.HOME ?? os.homedir(), '.daplaya', 'locks');
}

export function resolveStore(
  opts: { table?: string; region?: string; endpoint?: string; store?: string; storeDir?: string },
  env: Env,
): StoreSpec {
  const table = nonEmpty(opts.table) ?? nonEmpty(env.DAPLAYA_TABLE);
  const kind = nonEmpty(opts.store) ?? nonEmpty(env.DAPLAYA_STORE);
  if (kind !== undefined && kind !== 'file' && kind !== 'dynamodb') {
    throw new UsageError(`unknown store ${JSON.stringify(kind)}: use dynamodb or file`);
  }
  if (kind === 'file') {
    return { kind: 'file', dir: path.resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
  }
  if (table === undefined && kind !== 'dynamodb') {
    if (isCI(env)) {
      throw new UsageError(
        'no lock table configured in CI: set DAPLAYA_TABLE (or pass --table) to a DynamoDB table created with `daplaya init`; ' +
          'a CI runner\'s local disk is not a shared lock (set DAPLAYA_STORE=file only if every job runs on this one machine)',
      );
    }
    return { kind: 'file', dir: path.resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
  }
  const name = table ?? DEFAULT_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw new UsageError(`table name ${JSON.stringify(name)} is not a valid DynamoDB table name`);
  const spec: StoreSpec = { kind: 'dynamodb', table: name };
  const region = nonEmpty(opts.region) ?? nonEmpty(env.DAPLAYA_REGION) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region) spec.region = region;
  const endpoint = nonEmpty(opts.endpoint) ?? nonEmpty(env.DAPLAYA_ENDPOINT) ?? nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB);
  if (endpoint) {
    try {
      new URL(endpoint);
    } catch {
      throw new UsageError(`endpoint ${JSON.stringify(redactUrl(endpoint))} is not a URL`);
    }
    spec.endpoint = endpoint;
  }
  const requestTimeout = nonEmpty(env.DAPLAYA_REQUEST_TIMEOUT);
  if (requestTimeout !== undefined) {
    spec.requestTimeoutMs = parseDuration(requestTimeout, 'DAPLAYA_REQUEST_TIMEOUT');
    if (spec.requestTimeoutMs < 100 || spec.requestTimeoutMs > 60_000) throw new UsageError('DAPLAYA_REQUEST_TIMEOUT must be between 100ms and 60s');
  }
  const keyId = nonEmpty(env.DAPLAYA_AWS_ACCESS_KEY_ID);
  const secret = nonEmpty(env.DAPLAYA_AWS_SECRET_KEY);
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new UsageError('set both DAPLAYA_AWS_ACCESS_KEY_ID and DAPLAYA_AWS_SECRET_KEY, or neither');
  }
  if (keyId && secret) {
    spec.credentials = { accessKeyId: keyId, secretAccessKey: secret };
    const token = nonEmpty(env.DAPLAYA_AWS_SESSION_TOKEN);
    if (token) spec.credentials.sessionToken = token;
  }
  return spec;
}

/** `scheme://user:password@host` → `scheme://user:***@host`, wherever a URL appears in `text`: for anything printed. */
export function redactUrl(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\/?#@:]*):[^\s\/?#]*@/g, '$1:***@');
}

export const DEFAULT_HISTORY_DAYS = 30;

/**
 * Protocol settings shared by every surface: DAPLAYA_CLOCK_SKEW (allowance for clock
 * differences between machines when judging a lease lapsed; default 5s) and
 * DAPLAYA_HISTORY_DAYS.
 */
export interface ProtocolSettings {
  skewMs?: number;
  historyMs: number;
}

export function loadProtocolSettings(env: Env): ProtocolSettings {
  const out: ProtocolSettings = { historyMs: parseHistoryDays(env) };
  const skew = nonEmpty(env.DAPLAYA_CLOCK_SKEW);
  if (skew !== undefined) out.skewMs = parseDuration(skew, 'DAPLAYA_CLOCK_SKEW');
  return out;
}

/** DAPLAYA_HISTORY_DAYS: days to keep history (0 turns it off). */
export function parseHistoryDays(env: Env): number {
  const raw = nonEmpty(env.DAPLAYA_HISTORY_DAYS);
  if (raw === undefined) return DEFAULT_HISTORY_DAYS * 86_400_000;
  if (!/^\d+$/.test(raw)) throw new UsageError(`DAPLAYA_HISTORY_DAYS must be a whole number of days, got ${JSON.stringify(raw)}`);
  return Number(raw) * 86_400_000;
}

/** Committer email from git, else the OS user. */
export function defaultUser(env: Env): string {
  const fromEnv = nonEmpty(env.DAPLAYA_USER) ?? nonEmpty(env.GITLAB_USER_EMAIL);
  if (fromEnv) return fromEnv;
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

/** A lock id that is unique per job in CI (so before/after scripts agree) and per process elsewhere. */
export function defaultLockId(env: Env, user: string): string {
  const explicit = nonEmpty(env.DAPLAYA_LOCK_ID);
  if (explicit) return explicit;
  if (isGitLabJob(env) && env.CI_JOB_ID) {
    return `gitlab:${env.CI_SERVER_HOST ?? 'gitlab'}:${env.CI_PROJECT_ID ?? ''}:${env.CI_JOB_ID}`;
  }
  return `cli:${user}:${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const MAX_META = 1000;
const MAX_USER = 256;

export function validateText(what: string, value: string, max: number): string {
  if (value.length > max) throw new InvalidInputError(`${what} is ${value.length} characters long; the limit is ${max}`);
  return value;
}

export function loadCliConfig(argv: string[], env: Env): Config {
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

  const user = validateText('user', a.values.user ?? defaultUser(env), MAX_USER);
  if (user.trim() === '') throw new InvalidInputError('user is empty');
  const meta = validateText(
    'meta',
    a.values.meta ?? nonEmpty(env.DAPLAYA_META) ?? nonEmpty(env.CI_JOB_URL) ?? `${a.command} from ${os.hostname()}`,
    MAX_META,
  );
  const derivedLockId = defaultLockId(env, user);
  const waitText = a.values.wait ?? nonEmpty(env.DAPLAYA_WAIT) ?? '0';
  const leaseText = a.values.lease ?? nonEmpty(env.DAPLAYA_LEASE);
  const waitMs = parseDuration(waitText, '--wait');
  // A lock kept alive by a renewer (run, or a GitLab job) gets a short lease, so a dead job frees it quickly.
  const heartbeat = a.command === 'lock' && isGitLabJob(env) && !/^(false|0|no)$/i.test(env.DAPLAYA_HEARTBEAT_ENABLED ?? '');
  const renewed = a.command === 'run' || heartbeat;
  const leaseMs = leaseText === undefined ? (renewed ? DEFAULT_RENEWED_LEASE_MS : DEFAULT_CLI_LEASE_MS) : parseDuration(leaseText, '--lease');
  // A renewed lease is renewed every third of it, never more than once a second (lock/heartbeat.ts).
  if (leaseText !== undefined && leaseMs < MIN_LEASE_MS) throw new InvalidInputError(`--lease must be at least 3s, got ${leaseText}`);

  const config: Config = {
    command: a.command,
    store: help
      ? { kind: 'file', dir: defaultStoreDir(env) }
      : resolveStore(
          { table: a.values.table, region: a.values.region, endpoint: a.values.endpoint, store: a.values.store, storeDir: a.values['store-dir'] },
          env,
        ),
    envs,
    user,
    meta,
    lockId: a.values['lock-id'] ?? derivedLockId,
    lockIdGiven: a.values['lock-id'] !== undefined || !derivedLockId.startsWith('cli:'),
    uberlock: a.bools.uberlock === true || /^(true|1)$/i.test(env.DAPLAYA_UBERLOCK ?? ''),
    waitMs,
    leaseMs,
    heartbeat,
    json: a.bools.json === true,
    runArgs: a.rest,
    help,
    protocol: loadProtocolSettings(env),
  };
  if (a.values.port !== undefined) config.port = a.values.port;
  if (a.command === 'slack' && argv[1] !== 'serve' && !help) throw new UsageError('usage: daplaya slack serve --port N');
  const queueTtl = nonEmpty(env.DAPLAYA_QUEUE_TTL);
  if (queueTtl !== undefined) {
    config.queueTtlMs = parseDuration(queueTtl, 'DAPLAYA_QUEUE_TTL');
    if (config.queueTtlMs < 1000) throw new InvalidInputError('DAPLAYA_QUEUE_TTL must be at least 1s');
  }
  if (a.values.extend !== undefined) {
    config.extendMs = parseDuration(a.values.extend, '--extend');
    if (config.extendMs < 1000) throw new InvalidInputError('--extend must be at least 1s');
  }
  if (a.command === 'release') {
    const outcome = a.values.outcome ?? nonEmpty(env.CI_JOB_STATUS);
    const o = outcome?.toLowerCase() === 'canceled' ? 'cancelled' : outcome?.toLowerCase();
    if (o !== undefined && ['success', 'failed', 'cancelled'].includes(o)) config.outcome = o;
    else if (a.values.outcome !== undefined) throw new UsageError(`--outcome must be success, failed or cancelled, got ${JSON.stringify(outcome)}`);
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

/** What the GitHub context supplies as defaults (see action/context.ts). */
export interface GithubDefaults {
  user: string;
  meta: string;
  lockIdPrefix: string;
}

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
  lockIdPrefix: string;
}

export const DEFAULT_ACTION_WAIT = '1h';
export const DEFAULT_ACTION_LEASE = '2m';

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

export function loadActionConfig(env: Env, defaults: GithubDefaults): ActionConfig {
  const envText = actionInput(env, 'env');
  if (envText === '') throw new InvalidInputError('input env is required: the environment to lock, e.g. production');
  const envs = parseEnvList(envText);
  const user = validateText('user', actionInput(env, 'user') || defaults.user, MAX_USER);
  const meta = validateText('meta', actionInput(env, 'meta') || defaults.meta, MAX_META);
  const waitMs = parseDuration(actionInput(env, 'wait') || DEFAULT_ACTION_WAIT, 'input wait');
  const leaseMs = parseDuration(actionInput(env, 'lease') || DEFAULT_ACTION_LEASE, 'input lease');
  if (leaseMs < MIN_LEASE_MS) throw new InvalidInputError('input lease must be at least 3s');
  // Store errors in action terms (inputs, not CLI flags).
  const tableInput = actionInput(env, 'table') || DEFAULT_TABLE;
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
    lockIdPrefix: defaults.lockIdPrefix,
  };
  if (role) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(role)) throw new InvalidInputError(`input role-to-assume is not an IAM role ARN: ${role}`);
    config.roleToAssume = role;
  }
  return config;
}

/** The state one action phase hands to the next (saved with core.saveState). */
export interface ActionState {
  lockId: string;
  envs: string[];
  fences: number[];
  user: string;
  acquiredAt: number;
  waitedMs: number;
  heartbeatPid?: number;
  heartbeatStatusFile?: string;
}

/** Parses the saved lock state; action/state.ts reads it (and every other state key) by its saved name. */
export function parseActionState(raw: string | undefined): ActionState | undefined {
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ActionStateError('not JSON');
  }
  const problem = actionStateProblem(value);
  if (problem) throw new ActionStateError(problem);
  return value as ActionState;
}

/** Saved lock state that pre could not have written (corrupt, or of another shape): post releases by the job's lock id instead. */
export class ActionStateError extends InvalidInputError {
  override name = 'ActionStateError';
  constructor(
    readonly problem: string,
    then?: string,
  ) {
    super(`The lock state saved by this job's pre step is unreadable (${problem})${then ? `; ${then}` : ''}`);
  }
}

function actionStateProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const s = v as Record<string, unknown>;
  const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (typeof s.lockId !== 'string' || s.lockId === '') return 'lockId is not a lock id';
  const envs = s.envs;
  const envName = (e: unknown) => {
    try {
      return typeof e === 'string' && parseEnvList(e).length === 1 && !e.includes(',');
    } catch {
      return false;
    }
  };
  if (!Array.isArray(envs) || envs.length === 0 || !envs.every(envName)) return 'envs is not a list of env names';
  if (!Array.isArray(s.fences) || s.fences.length !== envs.length || !s.fences.every(isNum)) return 'fences is not one number per env';
  if (typeof s.user !== 'string') return 'user is not a string';
  if (!isNum(s.acquiredAt) || !isNum(s.waitedMs)) return 'acquiredAt or waitedMs is not a number';
  // A pid of 0 or below would signal a whole process group, or every process of the user.
  if (s.heartbeatPid !== undefined && !(Number.isInteger(s.heartbeatPid) && (s.heartbeatPid as number) > 0)) return 'heartbeatPid is not a process id';
  if (s.heartbeatStatusFile !== undefined && typeof s.heartbeatStatusFile !== 'string') return 'heartbeatStatusFile is not a path';
  return undefined;
}

/** Settings of a detached heartbeat process, passed to it through its environment. */
export interface HeartbeatConfig {
  store: StoreSpec;
  /** `confirmedAt` is on the machine's monotonic clock (shared by its processes): the renewer continues the taker's lease timing. */
  locks: { name: string; lockId: string; fence: number; confirmedAt: number }[];
  leaseMs: number;
  maxLifetimeMs: number;
  statusFile: string;
  roleToAssume?: string;
  roleSessionName?: string;
}

export const HEARTBEAT_ENV = 'DAPLAYA_HEARTBEAT';

/**
 * The settings blob a renewer is started with (in HEARTBEAT_ENV). Credentials never travel
 * in it, nor in argv: the renewer inherits the environment they were read from
 * (DAPLAYA_AWS_*, or the SDK's own chain) and loadHeartbeatConfig derives them again.
 */
export function heartbeatSettings(config: HeartbeatConfig): string {
  if (config.store.kind !== 'dynamodb') return JSON.stringify(config);
  const { credentials: _credentials, ...store } = config.store;
  return JSON.stringify({ ...config, store });
}

export function loadHeartbeatConfig(env: Env): HeartbeatConfig {
  const raw = env[HEARTBEAT_ENV];
  if (!raw) throw new UsageError(`${HEARTBEAT_ENV} is not set: the heartbeat is started by daplaya, not by hand`);
  const cfg = JSON.parse(raw) as HeartbeatConfig;
  if (cfg.store.kind === 'dynamodb') {
    // Credentials come from the inherited environment (see heartbeatSettings), never from the blob.
    const again = resolveStore({ table: cfg.store.table, region: cfg.store.region, endpoint: cfg.store.endpoint, store: 'dynamodb' }, env);
    cfg.store = again;
  }
  return cfg;
}

export interface SlackConfig {
  signingSecret: string;
  appId?: string;
  store: StoreSpec;
  leaseMs: number;
  port?: number;
  host: string;
}

export const DEFAULT_SLACK_LEASE = '8h';

/** Slack handler settings: DAPLAYA_SLACK_SIGNING_SECRET (required), DAPLAYA_SLACK_APP_ID, the store, DAPLAYA_SLACK_LEASE. */
export function loadSlackConfig(env: Env, port?: string): SlackConfig {
  const signingSecret = nonEmpty(env.DAPLAYA_SLACK_SIGNING_SECRET);
  if (!signingSecret) throw new UsageError('DAPLAYA_SLACK_SIGNING_SECRET is not set: copy it from your Slack app\'s Basic Information page');
  const config: SlackConfig = {
    signingSecret,
    store: resolveStore({}, env),
    leaseMs: parseDuration(nonEmpty(env.DAPLAYA_SLACK_LEASE) ?? DEFAULT_SLACK_LEASE, 'DAPLAYA_SLACK_LEASE'),
    host: nonEmpty(env.DAPLAYA_SLACK_HOST) ?? '0.0.0.0',
  };
  const appId = nonEmpty(env.DAPLAYA_SLACK_APP_ID);
  if (appId) config.appId = appId;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(port)}`);
    config.port = Number(port);
  }
  return config;
}
