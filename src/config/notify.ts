import { isIP } from 'node:net';
import { parseDuration } from '../lock/durations.js';
import type { ProxySettings } from '../net/proxy-route.js';
import { nonEmpty, UsageError, type Env } from './common.js';
import { resolveProxy } from './proxy.js';

/**
 * Where notifications go, from the environment (the CLI, the action and the Slack
 * handler all read it here):
 *
 * - DAPLAYA_SLACK_WEBHOOK_URL: a Slack incoming webhook;
 * - DAPLAYA_SLACK_BOT_TOKEN + DAPLAYA_SLACK_CHANNEL: chat.postMessage as a bot
 *   (DAPLAYA_SLACK_API_URL, default https://slack.com/api, for a proxy or a test);
 * - DAPLAYA_WEBHOOK_URL: a generic JSON POST, for other chat tools;
 * - DAPLAYA_NOTIFY_TIMEOUT (default 2s): how long one notification may take;
 * - DAPLAYA_NOTIFY_HELD_OVER (e.g. 2h): tell when a lock has been held longer,
 *   checked whenever someone looks (`locks`, `status`, Slack `locks`/`status`).
 *
 * Every URL must be https; plain http only to a loopback address (tests, a local relay).
 */
export interface NotifyConfig {
  slackWebhookUrl?: string;
  slackBot?: { token: string; channel: string; apiUrl: string };
  webhookUrl?: string;
  timeoutMs: number;
  heldOverMs?: number;
  /** How long the record that a notice was sent is kept (its TTL). */
  keepMs: number;
  /** HTTPS_PROXY / NO_PROXY (config/proxy.ts). */
  proxy?: ProxySettings;
}

export const NOTIFY_DEFAULTS = { timeoutMs: 2_000, keepMs: 30 * 86_400_000, slackApiUrl: 'https://slack.com/api' } as const;

/** Scheme and host only: a webhook URL's path is its secret. */
function shown(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 12)}…` : raw);
  }
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** An https URL, or http to a loopback address. */
export function notifyUrl(what: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UsageError(`${what} is not a URL: ${shown(raw)}`);
  }
  if (u.protocol === 'https:') return u.toString();
  if (u.protocol === 'http:' && isLoopback(u.hostname)) return u.toString();
  throw new UsageError(`${what} must be an https:// URL (plain http only to 127.0.0.1 or localhost), got ${shown(raw)}`);
}

/** The notification settings, or undefined when none is configured (nothing is sent, nothing is claimed). */
export function loadNotifyConfig(env: Env): NotifyConfig | undefined {
  const slackWebhook = nonEmpty(env.DAPLAYA_SLACK_WEBHOOK_URL);
  const token = nonEmpty(env.DAPLAYA_SLACK_BOT_TOKEN);
  const channel = nonEmpty(env.DAPLAYA_SLACK_CHANNEL);
  const webhook = nonEmpty(env.DAPLAYA_WEBHOOK_URL);
  const timeoutText = nonEmpty(env.DAPLAYA_NOTIFY_TIMEOUT);
  const heldOverText = nonEmpty(env.DAPLAYA_NOTIFY_HELD_OVER);
  if ((token === undefined) !== (channel === undefined)) {
    throw new UsageError('set both DAPLAYA_SLACK_BOT_TOKEN and DAPLAYA_SLACK_CHANNEL (a channel id like C0123456789), or neither');
  }
  const timeoutMs = timeoutText === undefined ? NOTIFY_DEFAULTS.timeoutMs : parseDuration(timeoutText, 'DAPLAYA_NOTIFY_TIMEOUT');
  if (timeoutMs < 100 || timeoutMs > 30_000) throw new UsageError('DAPLAYA_NOTIFY_TIMEOUT must be between 100ms and 30s');
  const config: NotifyConfig = { timeoutMs, keepMs: NOTIFY_DEFAULTS.keepMs };
  if (slackWebhook !== undefined) config.slackWebhookUrl = notifyUrl('DAPLAYA_SLACK_WEBHOOK_URL', slackWebhook);
  if (token !== undefined && channel !== undefined) {
    const apiUrl = notifyUrl('DAPLAYA_SLACK_API_URL', nonEmpty(env.DAPLAYA_SLACK_API_URL) ?? NOTIFY_DEFAULTS.slackApiUrl).replace(/\/+$/, '');
    config.slackBot = { token, channel, apiUrl };
  }
  if (webhook !== undefined) config.webhookUrl = notifyUrl('DAPLAYA_WEBHOOK_URL', webhook);
  if (heldOverText !== undefined) {
    config.heldOverMs = parseDuration(heldOverText, 'DAPLAYA_NOTIFY_HELD_OVER');
    if (config.heldOverMs < 1000) throw new UsageError('DAPLAYA_NOTIFY_HELD_OVER must be at least 1s');
  }
  const proxy = resolveProxy(env);
  if (proxy) config.proxy = proxy;
  const anywhere = config.slackWebhookUrl !== undefined || config.slackBot !== undefined || config.webhookUrl !== undefined;
  if (!anywhere) {
    if (heldOverText !== undefined) throw new UsageError('DAPLAYA_NOTIFY_HELD_OVER is set but no notification target is: set DAPLAYA_SLACK_WEBHOOK_URL, DAPLAYA_SLACK_BOT_TOKEN + DAPLAYA_SLACK_CHANNEL, or DAPLAYA_WEBHOOK_URL');
    return undefined;
  }
  return config;
}
