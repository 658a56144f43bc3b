import { parseDuration } from '../lock/durations.js';
import type { StoreSpec } from '../store/spec.js';
import { nonEmpty, UsageError, type Env } from './common.js';
import { DEFAULTS } from './defaults.js';
import { loadNotifyConfig, type NotifyConfig } from './notify.js';
import { loadProtocolSettings, type ProtocolSettings } from './protocol.js';
import { resolveStore } from './store.js';
import { resolveProxy } from './proxy.js';
import type { ProxySettings } from '../net/proxy-route.js';

export interface SlackConfig {
  signingSecret: string;
  appId?: string;
  store: StoreSpec;
  leaseMs: number;
  port?: number;
  host: string;
  protocol: ProtocolSettings;
  /** Where notifications go (config/notify.ts). */
  notify?: NotifyConfig;
  /** DAPLAYA_SLACK_ADMINS: the Slack users who may force-release and uberlock (absent: everyone may). */
  admins?: string[];
  /** HTTPS_PROXY / NO_PROXY (config/proxy.ts), for late answers posted to Slack's response_url. */
  proxy?: ProxySettings;
}

/** DAPLAYA_SLACK_ADMINS: Slack user ids (U…, or W… in Enterprise Grid), separated by commas or spaces. */
export function parseSlackAdmins(raw: string | undefined): string[] | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const ids = text.split(/[\s,]+/).filter(Boolean);
  const bad = ids.find((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
  if (bad !== undefined) throw new UsageError(`DAPLAYA_SLACK_ADMINS must be Slack user ids (U0123ABCD), separated by commas or spaces; got ${JSON.stringify(bad)}`);
  return ids;
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
  const notify = loadNotifyConfig(env);
  if (notify) config.notify = notify;
  const proxy = resolveProxy(env);
  if (proxy) config.proxy = proxy;
  const admins = parseSlackAdmins(env.DAPLAYA_SLACK_ADMINS);
  if (admins) config.admins = admins;
  const appId = nonEmpty(env.DAPLAYA_SLACK_APP_ID);
  if (appId) config.appId = appId;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(port)}`);
    config.port = Number(port);
  }
  return config;
}
