import { expiresText, iso, scopeText } from '../wording.js';
import type { Holder } from '../lock/client.js';
import { lockState } from '../lock/rules.js';
import type { LockItem, QueueEntry } from '../lock/types.js';

/** A Slack reply: Block Kit blocks plus the plain-text fallback Slack wants. */
export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks: unknown[];
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

export function reply(kind: 'ephemeral' | 'in_channel', text: string, extra: string[] = []): SlackReply {
  return { response_type: kind, text, blocks: [section(text), ...extra.map(section)] };
}

/**
 * Slack mrkdwn: escape the three control characters, so no user-supplied text can open
 * a mention (<!channel>, <!here>, <!subteam^…>) or a link. Every user-supplied text in a
 * reply goes through this (or userText / metaLink, which call it).
 */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A lock's user, escaped, with Slack mentions (<@U123>) kept live. */
export function userText(u: string): string {
  return esc(u).replace(/&lt;@([A-Z0-9]+)&gt;/g, '<@$1>');
}

/**
 * Meta as a link when it is a URL. A real URL has no raw `<`, `>` or `|` (they are
 * percent-encoded), so one that does is shown as text; the URL part is escaped too.
 */
export function metaLink(meta: string): string {
  return /^https?:\/\/[^\s<>|]+$/.test(meta) ? `<${esc(meta)}|${esc(meta)}>` : esc(meta);
}

/** The holder line, with the user kept as a Slack mention when it is one. */
export function holderText(h: Holder, now: number): string {
  const user = userText(h.user);
  return `${h.uberlock ? ':snowflake: *UBERLOCK* by ' : ''}${user} (${metaLink(h.meta)}, since ${iso(h.since)}, ${expiresText(h.expiresAt, now)})`;
}

/** Held, frozen and expired-but-unreleased locks, judged by rules.lockState like the CLI's `locks`. */
export function leasesReply(items: LockItem[], queues: Map<string, QueueEntry[]>, now: number, skewMs: number): SlackReply {
  const held = items.filter((i) => lockState(i, now, skewMs) !== 'free');
  if (held.length === 0) return reply('ephemeral', 'No env is locked.');
  const lines = held.map((i) => {
    const expired = lockState(i, now, skewMs) === 'expired' ? ' :hourglass: *EXPIRED* (not released)' : '';
    const h = { name: i.name, lockId: i.owner as string, user: i.user ?? '?', meta: i.meta ?? '', uberlock: i.uberlock === true, since: i.acquiredAt ?? 0, expiresAt: i.expiresAt ?? NaN, fence: i.fence };
    const q = queues.get(i.name) ?? [];
    return `*${esc(i.name)}*${expired}: ${holderText(h, now)}, fence ${i.fence}, ${scopeText(i.owner)}${q.length ? `; queue: ${q.map((e, n) => `#${n + 1} ${userText(e.user)}`).join(', ')}` : ''}`;
  });
  return reply('ephemeral', `${held.length} env(s) locked`, lines);
}
