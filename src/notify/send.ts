import type { NotifyConfig } from '../config/notify.js';
import { postJson, type PostAnswer } from '../net/post-json.js';
import { noticeJson, noticeText, type Notice } from './messages.js';

/** One destination of a notice: a name for warnings, and the POST that delivers it. */
export interface Target {
  name: string;
  deliver(n: Notice, signal: AbortSignal): Promise<void>;
}

/** Host only: a webhook's path is its secret, so warnings never print it. */
function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/** An error for a non-2xx answer, with the start of its body (Slack and webhooks say why there). */
function failIfNotOk(res: PostAnswer): void {
  if (res.status >= 200 && res.status < 300) return;
  const text = res.text.trim().slice(0, 120);
  throw new Error(`HTTP ${res.status}${text ? ` ${text}` : ''}`);
}

export function targetsOf(config: NotifyConfig): Target[] {
  const out: Target[] = [];
  const proxy = config.proxy ? { proxy: config.proxy } : {};
  const hook = config.slackWebhookUrl;
  if (hook) {
    out.push({
      name: `Slack webhook at ${host(hook)}`,
      deliver: async (n, signal) => failIfNotOk(await postJson(hook, { text: noticeText(n, 'slack') }, { signal, ...proxy })),
    });
  }
  const bot = config.slackBot;
  if (bot) {
    out.push({
      name: `Slack chat.postMessage to ${bot.channel}`,
      deliver: async (n, signal) => {
        const res = await postJson(`${bot.apiUrl}/chat.postMessage`, { channel: bot.channel, text: noticeText(n, 'slack') }, { signal, headers: { authorization: `Bearer ${bot.token}` }, ...proxy });
        failIfNotOk(res);
        // Slack answers 200 with {"ok": false, "error": "..."} for a bad token or channel.
        let body: { ok?: boolean; error?: string } = {};
        try {
          body = JSON.parse(res.text) as typeof body;
        } catch {
          // not JSON: not ok
        }
        if (body.ok !== true) throw new Error(`Slack said ${body.error ?? 'not ok'}`);
      },
    });
  }
  const generic = config.webhookUrl;
  if (generic) {
    out.push({
      name: `webhook at ${host(generic)}`,
      deliver: async (n, signal) => failIfNotOk(await postJson(generic, noticeJson(n), { signal, ...proxy })),
    });
  }
  return out;
}
