import type { Holder, LockEvent } from '../lock/client.js';
import { formatDuration } from '../lock/durations.js';
import { iso } from '../wording.js';

/** What a team is told: an event of the protocol, or a lock held longer than the threshold (seen by a reader). */
export type Notice = LockEvent | { kind: 'held-over'; id: string; name: string; at: number; holder: Holder; heldMs: number; thresholdMs: number };

/**
 * Slack mrkdwn: `&`, `<` and `>` escaped so no user-supplied text can open a mention
 * (<!channel>) or a link; a lock's Slack mention (<@U123>) is kept live. (The same
 * rules as the Slack surface's replies, src/slack/blocks.ts.)
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackUser = (u: string) => esc(u).replace(/&lt;@([A-Z0-9]+)&gt;/g, '<@$1>');

interface Style {
  env(name: string): string;
  user(u: string): string;
  text(t: string): string;
  icon(emoji: string): string;
}

const SLACK: Style = { env: (n) => `*${esc(n)}*`, user: slackUser, text: esc, icon: (e) => `${e} ` };
const PLAIN: Style = { env: (n) => `env ${n}`, user: (u) => u, text: (t) => t, icon: () => '' };

function holderPart(s: Style, h: { user: string; meta?: string; since?: number }): string {
  const detail = [h.meta ? s.text(h.meta) : '', h.since ? `since ${iso(h.since)}` : ''].filter((p) => p !== '');
  return `${s.user(h.user)}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}

/** One line saying who did what and why; `slack` for Slack mrkdwn, `plain` for generic webhooks. */
export function noticeText(n: Notice, style: 'slack' | 'plain'): string {
  const s = style === 'slack' ? SLACK : PLAIN;
  switch (n.kind) {
    case 'forced':
      return `${s.icon(':rotating_light:')}${s.user(n.by)} took ${s.env(n.name)} by force${n.uberlock ? ' as an UBERLOCK' : ''} from ${holderPart(s, n.from)}: ${s.text(n.reason)} (fence ${n.fence})`;
    case 'force-released':
      return `${s.icon(':rotating_light:')}${s.user(n.by)} force-released ${s.env(n.name)}${n.from.uberlock ? ' (an UBERLOCK)' : ''} from ${holderPart(s, n.from)}: ${s.text(n.reason)}`;
    case 'uberlock-set':
      return `${s.icon(':snowflake:')}${s.user(n.user)} froze ${s.env(n.name)} with an UBERLOCK${n.until !== undefined ? ` until ${iso(n.until)}` : ' (no end: until released)'}: ${s.text(n.meta)}`;
    case 'uberlock-lifted':
      return `${s.icon(':sunny:')}${s.user(n.by)} lifted the UBERLOCK on ${s.env(n.name)}`;
    case 'lapsed':
      return `${s.icon(':skull:')}the lock on ${s.env(n.name)} held by ${holderPart(s, n.holder)} lapsed without a release (its lease ended ${iso(n.holder.expiresAt)}; the job may have died)${n.replacedBy ? `; ${s.user(n.replacedBy)} took it over` : ''}`;
    case 'gave-up':
      return `${s.icon(':hourglass:')}${s.user(n.user)} gave up waiting for ${s.env(n.name)} after ${formatDuration(n.waitedMs)}${n.holder ? `: held by ${holderPart(s, n.holder)}` : ': waiters were queued ahead'}`;
    case 'held-over':
      return `${s.icon(':alarm_clock:')}${s.env(n.name)} has been held by ${holderPart(s, n.holder)} for ${formatDuration(n.heldMs)}, longer than ${formatDuration(n.thresholdMs)}`;
  }
}

/** The generic webhook's JSON body: the event by name, the plain-text line, and its details. */
export function noticeJson(n: Notice): Record<string, unknown> {
  const base = { source: 'daplaya', event: n.kind, id: `${n.name}:${n.id}`, env: n.name, at: iso(n.at), text: noticeText(n, 'plain') };
  const who = (h: { user: string; meta?: string; lockId?: string }) => ({ user: h.user, ...(h.meta ? { meta: h.meta } : {}), ...(h.lockId ? { lockId: h.lockId } : {}) });
  switch (n.kind) {
    case 'forced':
      return { ...base, by: n.by, from: who(n.from), reason: n.reason, fence: n.fence, uberlock: n.uberlock };
    case 'force-released':
      return { ...base, by: n.by, from: who(n.from), reason: n.reason, uberlock: n.from.uberlock };
    case 'uberlock-set':
      return { ...base, user: n.user, meta: n.meta, fence: n.fence, until: n.until !== undefined ? iso(n.until) : null };
    case 'uberlock-lifted':
      return { ...base, user: n.user, by: n.by, fence: n.fence };
    case 'lapsed':
      return { ...base, holder: who(n.holder), expiredAt: iso(n.holder.expiresAt), fence: n.fence, replacedBy: n.replacedBy ?? null };
    case 'gave-up':
      return { ...base, user: n.user, waitedMs: n.waitedMs, holder: n.holder ? who(n.holder) : null };
    case 'held-over':
      return { ...base, holder: who(n.holder), heldMs: n.heldMs, thresholdMs: n.thresholdMs };
  }
}
