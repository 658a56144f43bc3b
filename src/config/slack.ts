import { parseDuration } from '../lock/durations.js';
import type { StoreSpec } from '../store/spec.js';
import { nonEmpty, UsageError, type Env } from './common.js';
import { DEFAULTS } from './defaults.js';
import { loadProtocolSettings, type ProtocolSettings } from './protocol.js';
import { resolveStore } from './store.js';

export interface SlackConfig {
  signingSecret: string;
  appId?: string;
  store: StoreSpec;
  leaseMs: number;
  port?: number;
  host: string;
  protocol: ProtocolSettings;
}


/** Slack handler settings: DAPLAYA_SLACK_SIGNING_SECRET (required), DAPLAYA_SLACK_APP_ID, the store, DAPLAYA_SLACK_LEASE. */
export function loadSlackConfig(env: Env, port?: string): SlackConfig {
  const signingSecret = nonEmpty(env.DAPLAYA_SLACK_SIGNING_SECRET);
  if (!signingSecret) throw new UsageError('DAPLAYA_SLACK_SIGNING_SECRET is not set: copy it from your Slack app\'s Basic Information page');
  const config: SlackConfig = {
    signingSecret,
    store: resolveStore({}, env),
    leaseMs: parseDuration(nonEmpty(env.DAPLAYA_SLACK_LEASE) ?? DEFAULTS.slackLease, 'DAPLAYA_SLACK_LEASE'),
    host: nonEmpty(env.DAPLAYA_SLACK_HOST) ?? DEFAULTS.slackHost,
    protocol: loadProtocolSettings(env),
  };
  const appId = nonEmpty(env.DAPLAYA_SLACK_APP_ID);
  if (appId) config.appId = appId;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(port)}`);
    config.port = Number(port);
  }
  return config;
}
