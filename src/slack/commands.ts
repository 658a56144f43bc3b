import type { LockClient } from '../lock/client.js';
import { toHolder } from '../lock/client.js';
import { formatDuration, parseDuration } from '../lock/durations.js';
import { InvalidInputError } from '../lock/errors.js';
import { historyStats } from '../lock/stats.js';
import { NEVER, type HistoryEvent, type LockItem } from '../lock/types.js';
import { expiresText, historyDetail, iso, statsHeading, statsRows, statusLines, table } from '../wording.js';
import { esc, holderText, reply, userText, type SlackReply } from './blocks.js';

/**
 * Slack's `status`, `history`, `extend` and `stats`: the CLI's commands, in the CLI's
 * words (wording.ts), with Slack's markup and escaping (blocks.ts).
 */

/** Who asked, as the handler knows them. */
export interface Caller {
  /** `<@U123>` */
  mention: string;
  /** Every lock this Slack user took has an id starting with this. */
  lockIdPrefix: string;
}

/** Slack shows at most this many history events; the CLI's `history` has the rest. */
export const SLACK_HISTORY_LIMIT = 10;
const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;

/** The second line of a lock confirmation: how long the lease is, and until when. */
export function leaseLine(name: string, lock: { uberlock: boolean; expiresAt: number }, leaseMs: number, now: number): string {
  if (lock.uberlock) return lock.expiresAt < NEVER ? `no lease: frozen until ${iso(lock.expiresAt)}` : 'no lease: frozen until released';
  return `lease ${formatDuration(leaseMs)}: expires ${iso(lock.expiresAt)} (in ${formatDuration(lock.expiresAt - now)}) unless released or extended (\`/daplaya extend ${esc(name)} DUR\`)`;
}

/** `status ENV`: `daplaya status`'s lines. */
export async function slackStatus(client: LockClient, name: string, now: number): Promise<SlackReply> {
  const item = await client.item(name);
  const waiters = await client.waiters(name);
  const [first, ...rest] = statusLines(name, item, waiters, now, client.skewMs).map(userText);
  return reply('ephemeral', first as string, rest);
}

/** `extend ENV DUR`: lengthen your own Slack lock's lease to DUR from now. */
export async function slackExtend(client: LockClient, name: string, durText: string | undefined, who: Caller, now: () => number): Promise<SlackReply> {
  if (durText === undefined) throw new InvalidInputError('say how long: `/daplaya extend ENV DUR`, e.g. `/daplaya extend prod 2h`');
  const ms = parseDuration(durText, 'duration');
  if (ms < 1000) throw new InvalidInputError('an extension must be at least 1s');
  const item = await client.item(name);
  if (item?.owner === undefined) return reply('ephemeral', `:no_entry: env *${esc(name)}* is not locked; nothing to extend`);
  const holder = toHolder(item as LockItem & { owner: string });
  if (!holder.lockId.startsWith(who.lockIdPrefix)) {
    return reply('ephemeral', `:no_entry: env *${esc(name)}* is not held by you (held by ${holderText(holder, now())}); nothing to extend`);
  }
  const r = await client.extend(name, { lockId: holder.lockId }, ms);
  if (!r.renewed) return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing extended.`);
  return reply('in_channel', `:stopwatch: ${who.mention} extended env *${esc(name)}*: ${expiresText(r.lock.expiresAt, now())} (lease ${formatDuration(ms)})`);
}

function historyLine(e: HistoryEvent): string {
  const parts = [`${e.kind} ${userText(e.user)}`];
  if (e.fence !== undefined) parts.push(`fence ${e.fence}`);
  if (e.waitedMs !== undefined) parts.push(`waited ${formatDuration(e.waitedMs)}`);
  if (e.heldMs !== undefined) parts.push(`held ${formatDuration(e.heldMs)}`);
  const detail = historyDetail(e);
  return `\`${iso(e.at)}\` *${esc(e.name)}* ${parts.join(', ')}${detail ? `: ${userText(detail)}` : ''}`;
}

/** `history [ENV]`: the newest events, newest first, with `daplaya history`'s kinds and details. */
export async function slackHistory(client: LockClient, name: string | undefined): Promise<SlackReply> {
  const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), limit: SLACK_HISTORY_LIMIT });
  if (page.events.length === 0) return reply('ephemeral', 'no history');
  const more = page.more ? [`(the newest ${SLACK_HISTORY_LIMIT}; \`daplaya history${name ? ` --env ${esc(name)}` : ''} --limit N\` shows more)`] : [];
  return reply('ephemeral', `history${name ? ` of *${esc(name)}*` : ''}, newest first`, [...page.events.map(historyLine), ...more]);
}

/** `stats [ENV] [SINCE]`: `daplaya stats`'s table, in a code block. */
export async function slackStats(client: LockClient, name: string | undefined, sinceText: string | undefined, now: number): Promise<SlackReply> {
  const windowMs = sinceText === undefined ? DEFAULT_STATS_WINDOW_MS : parseDuration(sinceText, 'since');
  if (windowMs <= 0) throw new InvalidInputError('since must be longer than 0');
  const since = now - windowMs;
  const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), since });
  const figures = historyStats(page.events, since, now + 1);
  const heading = statsHeading(since, now);
  if (figures.length === 0) return reply('ephemeral', heading, ['no history']);
  return reply('ephemeral', heading, [`\`\`\`\n${esc(table(statsRows(figures)))}\n\`\`\``]);
}
