import { loadProtocolSettings, type ProtocolSettings } from '../config/protocol.js';
import { UsageError, type Env } from '../config/common.js';
import { resolveStore } from '../config/store.js';
import type { StoreSpec } from '../store/spec.js';

/**
 * The renewer's message: what the process that took the lock tells the detached
 * renewer it starts (through one environment variable), and how the renewer reads it.
 */

/** Settings of a detached renewer process, passed to it through its environment. */
export interface RenewerSettings {
  store: StoreSpec;
  /** `confirmedAt` is on the machine's monotonic clock (shared by its processes): the renewer continues the taker's lease timing. */
  locks: { name: string; lockId: string; fence: number; confirmedAt: number }[];
  leaseMs: number;
  maxLifetimeMs: number;
  statusFile: string;
  roleToAssume?: string;
  roleSessionName?: string;
  audience?: string;
}

/** What the renewer runs with: its settings, and the protocol settings of the environment it inherits. */
export interface LoadedRenewerSettings extends RenewerSettings {
  protocol: ProtocolSettings;
}

export const RENEWER_SETTINGS_ENV = 'DAPLAYA_RENEWER_SETTINGS';

/**
 * The settings blob a renewer is started with (in RENEWER_SETTINGS_ENV). Credentials never travel
 * in it, nor in argv: the renewer inherits the environment they were read from
 * (DAPLAYA_AWS_*, or the SDK's own chain) and loadRenewerSettings derives them again.
 */
export function encodeRenewerSettings(config: RenewerSettings): string {
  if (config.store.kind !== 'dynamodb') return JSON.stringify(config);
  // The proxy is derived again too: its URL may carry a password.
  const { credentials: _credentials, proxy: _proxy, ...store } = config.store;
  return JSON.stringify({ ...config, store });
}

export function loadRenewerSettings(env: Env): LoadedRenewerSettings {
  const raw = env[RENEWER_SETTINGS_ENV];
  if (!raw) throw new UsageError(`${RENEWER_SETTINGS_ENV} is not set: the renewer is started by daplaya, not by hand`);
  const cfg = JSON.parse(raw) as RenewerSettings;
  if (cfg.store.kind === 'dynamodb') {
    // Credentials come from the inherited environment (see encodeRenewerSettings), never from the blob.
    const again = resolveStore({ table: cfg.store.table, region: cfg.store.region, endpoint: cfg.store.endpoint, store: 'dynamodb' }, env);
    cfg.store = again;
  }
  return { ...cfg, protocol: loadProtocolSettings(env) };
}
