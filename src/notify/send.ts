import type { NotifyConfig } from '../config/notify.js';
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

async function postJson(url: string, body: unknown, signal: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body), signal });
  return res;
}

async function failIfNotOk(res: Response): Promise<void> {
  if (res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const text = (await res.text().catch(() => '')).trim().slice(0, 120);
  throw new Error(`HTTP ${res.status}${text ? ` ${text}` : ''}`);
}

export function targetsOf(config: NotifyConfig): Target[] {
  const out: Target[] = [];
  const hook = config.slackWebhookUrl;
  if (hook) {
    out.push({
      name: `Slack webhook at ${host(hook)}`,
      deliver: async (n, signal) => failIfNotOk(await postJson(hook, { text: noticeText(n, 'slack') }, signal)),
    });
  }
  const bot = config.slackBot;
  if (bot) {
    out.push({
      name: `Slack chat.postMessage to ${bot.channel}`,
      deliver: async (n, signal) => {
        const res = await postJson(`${bot.apiUrl}/chat.postMessage`, { channel: bot.channel, text: noticeText(n, 'slack') }, signal, { authorization: `Bearer ${bot.token}` });
        if (!res.ok) return failIfNotOk(res);
        // Slack answers 200 with {"ok": false, "error": "..."} for a bad token or channel.
        const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string };
        if (body.ok !== true) throw new Error(`Slack said ${body.error ?? 'not ok'}`);
      },
    });
  }
  const generic = config.webhookUrl;
  if (generic) {
    out.push({
      name: `webhook at ${host(generic)}`,
      deliver: async (n, signal) => failIfNotOk(await postJson(generic, noticeJson(n), signal)),
    });
  }
  return out;
}
