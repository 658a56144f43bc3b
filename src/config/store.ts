import path from 'node:path';
import { parseDuration } from '../lock/durations.js';
import { redactUrl } from '../store/redact.js';
import type { StoreSpec } from '../store/spec.js';
import { DEFAULTS } from './defaults.js';
import { resolveProxy } from './proxy.js';
import { defaultStoreDir, isCI, nonEmpty, UsageError, type Env } from './common.js';

export function resolveStore(
  opts: { table?: string; region?: string; endpoint?: string; store?: string; storeDir?: string },
  env: Env,
  /** `init`: DynamoDB unless the file store is asked for by name. */
  dynamoUnlessFile = false,
): StoreSpec {
  const table = nonEmpty(opts.table) ?? nonEmpty(env.DAPLAYA_TABLE);
  const kind = nonEmpty(opts.store) ?? nonEmpty(env.DAPLAYA_STORE);
  if (kind !== undefined && kind !== 'file' && kind !== 'dynamodb') {
    throw new UsageError(`unknown store ${JSON.stringify(kind)}: use dynamodb or file`);
  }
  if (kind === 'file') {
    return { kind: 'file', dir: path.resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
  }
  // An explicit --table, --endpoint or --region means DynamoDB (table DaPlayaLocks unless named).
  const dynamoAsked = dynamoUnlessFile || nonEmpty(opts.endpoint) !== undefined || nonEmpty(opts.region) !== undefined;
  if (table === undefined && kind !== 'dynamodb' && !dynamoAsked) {
    if (isCI(env)) {
      throw new UsageError(
        'no lock table configured in CI: set DAPLAYA_TABLE (or pass --table) to a DynamoDB table created with `daplaya init`; ' +
          'a CI runner\'s local disk is not a shared lock (set DAPLAYA_STORE=file only if every job runs on this one machine)',
      );
    }
    return { kind: 'file', dir: path.resolve(nonEmpty(opts.storeDir) ?? nonEmpty(env.DAPLAYA_STORE_DIR) ?? defaultStoreDir(env)) };
  }
  const name = table ?? DEFAULTS.table;
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
  const proxy = resolveProxy(env);
  if (proxy) spec.proxy = proxy;
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
