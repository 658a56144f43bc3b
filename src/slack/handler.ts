import { randomBytes } from 'node:crypto';
import { toHolder, type LockClient } from '../lock/client.js';
import { InvalidInputError } from '../lock/errors.js';
import { validateEnvName } from '../lock/env-names.js';
import { parseFreezeEnd } from '../config/cli.js';
import { lockState } from '../lock/rules.js';
import { esc, holderText, leasesReply, metaLink, reply, userText, type SlackReply } from './blocks.js';
import { leaseLine, slackExtend, slackHistory, slackStats, slackStatus, type Caller } from './commands.js';
import { verifySlackSignature } from './verify.js';
import { postJson } from '../net/post-json.js';
import type { ProxySettings } from '../net/proxy-route.js';

export interface SlackHttpRequest {
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SlackDeps {
  signingSecret: string;
  appId?: string;
  leaseMs: number;
  /** Opened on first use, so bad signatures never reach the store. */
  client: () => Promise<LockClient>;
  nowMs?: () => number;
  /** Answer Slack by this time; finish later through response_url. */
  ackAfterMs?: number;
  postToResponseUrl?: (url: string, reply: SlackReply) => Promise<void>;
  /** Lambda cannot work after it answers: it waits, and posts late results to response_url. */
  onDeferred?: (work: Promise<void>) => void;
  /** DAPLAYA_SLACK_ADMINS: who may force-release and uberlock (Slack user ids); absent: everyone. */
  admins?: string[];
  /** The proxy late answers go through (config/proxy.ts). */
  proxy?: ProxySettings;
}

const HELP = [
  '`/daplaya lock ENV [META]` take the lock on ENV',
  '`/daplaya uberlock ENV [until DATE|for DUR] [META]` freeze ENV (outranks normal locks; lifts itself at DATE if given)',
  '`/daplaya release ENV` give your lock back (`release ENV --force --reason REASON` for someone else\'s)',
  '`/daplaya extend ENV DUR` lengthen the lease of your lock to DUR from now',
  '`/daplaya status ENV` who holds ENV, and who waits',
  '`/daplaya locks [ENV]` who holds what (also `/daplaya leases`)',
  '`/daplaya history [ENV]` the newest acquisitions, releases, expiries, takeovers',
  '`/daplaya stats [ENV] [SINCE]` acquisitions, failures, takeovers, lapses, wait and hold times (default: the last 7d)',
];

const json = (status: number, body: unknown): SlackHttpResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A late answer may take this long to post: Slack's response_url accepts answers for 30 minutes, but nothing waits forever. */
const RESPONSE_URL_DEADLINE_MS = 10_000;

export async function defaultPost(url: string, r: SlackReply, proxy?: ProxySettings): Promise<void> {
  await postJson(url, { ...r, replace_original: false }, { signal: AbortSignal.timeout(RESPONSE_URL_DEADLINE_MS), ...(proxy ? { proxy } : {}) });
}

/** Handles one slash-command request: verify, parse, act, reply in Block Kit. */
export async function handleSlack(req: SlackHttpRequest, deps: SlackDeps): Promise<SlackHttpResponse> {
  const now = deps.nowMs ?? Date.now;
  // Slack checks the certificate of a new request URL with `ssl_check=1`: 200, nothing else, nothing touched.
  if (new URLSearchParams(req.body).get('ssl_check') === '1') return { status: 200, headers: {}, body: '' };
  const verdict = verifySlackSignature(req.headers, req.body, deps.signingSecret, Math.floor(now() / 1000));
  if (!verdict.ok) return json(401, { error: verdict.reason });
  const form = new URLSearchParams(req.body);
  if (deps.appId && form.get('api_app_id') !== deps.appId) return json(401, { error: 'request is for a different Slack app' });
  const userId = form.get('user_id');
  const userName = form.get('user_name') ?? '';
  const text = form.get('text');
  if (!userId || text === null || !form.get('command')) {
    return json(400, reply('ephemeral', 'Malformed slash command: user_id, command and text are required.'));
  }
  const work = perform(text, { userId, userName, teamId: form.get('team_id') ?? '' }, deps, now);
  const ackAfter = deps.ackAfterMs ?? 2500;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), ackAfter);
  });
  const first = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (first !== 'late') return json(200, first);
  const responseUrl = form.get('response_url');
  const post = deps.postToResponseUrl ?? ((url: string, r: SlackReply) => defaultPost(url, r, deps.proxy));
  // A late answer that cannot be posted (Slack unreachable) is lost, never an unhandled rejection.
  const finish = work
    .then(
      (r) => (responseUrl ? post(responseUrl, r) : undefined),
      () => undefined,
    )
    .catch(() => undefined);
  deps.onDeferred?.(finish);
  return json(200, reply('ephemeral', ':hourglass_flowing_sand: Working on it; the answer follows in a moment.'));
}

interface SlackUser {
  userId: string;
  userName: string;
  teamId: string;
}

async function perform(text: string, who: SlackUser, deps: SlackDeps, now: () => number): Promise<SlackReply> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub, envName, ...rest] = words;
  try {
    switch (sub?.toLowerCase()) {
      case undefined:
      case 'help':
        return reply('ephemeral', 'daplaya: deployment locks', HELP);
      case 'lock':
      case 'uberlock':
        return await lock(sub.toLowerCase() === 'uberlock', envArg(envName), rest.join(' '), who, deps, now);
      case 'release':
        return await release(envArg(envName), rest, who, deps, now);
      case 'leases':
      case 'locks':
        return await leases(envName === undefined ? undefined : envArg(envName), deps, now);
      case 'status':
        return await slackStatus(await deps.client(), envArg(envName), now());
      case 'extend':
        return await slackExtend(await deps.client(), envArg(envName), rest[0], caller(who), now);
      case 'history':
        return await slackHistory(await deps.client(), envName === undefined ? undefined : envArg(envName));
      case 'stats': {
        const sinceAt = rest.indexOf('--since');
        const since = sinceAt === -1 ? rest[0] : rest[sinceAt + 1];
        return await slackStats(await deps.client(), envName === undefined ? undefined : envArg(envName), since, now());
      }
      default:
        return reply('ephemeral', `Unknown command \`${esc(sub ?? '')}\`.`, HELP);
    }
  } catch (err) {
    if (err instanceof InvalidInputError) return reply('ephemeral', `:x: ${esc(err.message)}`);
    return reply('ephemeral', `:x: daplaya could not do that: ${esc((err as Error).message)}`);
  }
}

function envArg(name: string | undefined): string {
  if (name === undefined) throw new InvalidInputError('name an env, e.g. `/daplaya lock production`');
  return validateEnvName(name);
}

/** Every lock taken from Slack has an id that starts with its workspace and user. */
const slackLockIdPrefix = (w: SlackUser) => `slack:${w.teamId}:${w.userId}:`;

// Slack's own user id, escaped all the same: nothing from the request goes into a reply raw.
const mention = (w: SlackUser) => `<@${esc(w.userId)}>`;
const slackUser = (w: SlackUser) => `${w.userName || w.userId} (${mention(w)})`;
const caller = (w: SlackUser): Caller => ({ mention: mention(w), lockIdPrefix: slackLockIdPrefix(w) });

/** With DAPLAYA_SLACK_ADMINS, whether this user may force-release and uberlock; without it, everyone may. */
const isAdmin = (w: SlackUser, deps: SlackDeps) => deps.admins === undefined || deps.admins.includes(w.userId);
const adminRefusal = (deps: SlackDeps) =>
  reply('ephemeral', `:no_entry: only ${(deps.admins ?? []).map((id) => `<@${esc(id)}>`).join(', ')} can force-release or uberlock from Slack (DAPLAYA_SLACK_ADMINS)`);

async function lock(uber: boolean, name: string, metaText: string, who: SlackUser, deps: SlackDeps, now: () => number): Promise<SlackReply> {
  if (uber && !isAdmin(who, deps)) return adminRefusal(deps);
  // `/daplaya uberlock ENV until DATE|DUR REASON`: a freeze that lifts itself (as `lock --uberlock --until`).
  let text = metaText.trim();
  let freezeUntil: number | undefined;
  const until = /^(until|for)\s+(\S+)\s*(.*)$/i.exec(text);
  if (uber && until) {
    freezeUntil = parseFreezeEnd(until[1]?.toLowerCase() === 'until' ? until[2] : undefined, until[1]?.toLowerCase() === 'for' ? until[2] : undefined, now());
    text = until[3] ?? '';
  }
  const client = await deps.client();
  const meta = text === '' ? 'Slack' : text.slice(0, 1000);
  const r = await client.acquire({
    name,
    lockId: `${slackLockIdPrefix(who)}${randomBytes(4).toString('hex')}`,
    user: slackUser(who),
    meta,
    uberlock: uber,
    ...(freezeUntil !== undefined ? { freezeUntil } : {}),
    leaseMs: deps.leaseMs,
    waitMs: 0,
  });
  if (!r.acquired) {
    return reply('ephemeral', r.holder ? `:no_entry: *${esc(name)}* is locked by ${holderText(r.holder, now())}` : `:no_entry: *${esc(name)}* has a queue of waiting jobs; try again later.`);
  }
  return reply(
    'in_channel',
    `${uber ? ':snowflake:' : ':lock:'} ${mention(who)} ${uber ? '*froze*' : 'locked'} *${esc(name)}* (${metaLink(meta)}), fence ${r.lock.fence}`,
    [leaseLine(name, r.lock, deps.leaseMs, now())],
  );
}

async function release(name: string, rest: string[], who: SlackUser, deps: SlackDeps, now: () => number): Promise<SlackReply> {
  const client = await deps.client();
  const item = await client.item(name);
  if (item?.owner === undefined) return reply('ephemeral', `*${esc(name)}* is not locked.`);
  const holder = toHolder(item as Parameters<typeof toHolder>[0]);
  // Ownership by lock id: a Slack lock's id names the workspace and user that took it.
  if (holder.lockId.startsWith(slackLockIdPrefix(who))) {
    const r = await client.release(name, { lockId: holder.lockId });
    if (r.outcome !== 'released') return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing released.`);
    return reply('in_channel', `:unlock: ${mention(who)} released *${esc(name)}*`);
  }
  const forceAt = rest.findIndex((w) => w === '--force' || w.toLowerCase() === 'force');
  if (forceAt === -1) {
    const how = isAdmin(who, deps)
      ? `To release it anyway: \`/daplaya release ${esc(name)} --force --reason REASON\``
      : `Ask its holder, or one who can force it: ${(deps.admins ?? []).map((id) => `<@${esc(id)}>`).join(', ')}`;
    return reply('ephemeral', `:no_entry: *${esc(name)}* is held by ${holderText(holder, now())}, not by you. ${how}`);
  }
  if (!isAdmin(who, deps)) return adminRefusal(deps);
  // `--force --reason TEXT` as in the CLI, or `--force TEXT`.
  const after = rest.slice(forceAt + 1);
  const reason = (after[0] === '--reason' ? after.slice(1) : after).join(' ').trim();
  if (!reason) return reply('ephemeral', ':x: a forced release needs a reason: `/daplaya release ENV --force --reason REASON`');
  const r = await client.release(name, { lockId: holder.lockId }, { force: { user: slackUser(who), reason } });
  if (r.outcome !== 'released') return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing released.`);
  return reply('in_channel', `:warning: ${mention(who)} force-released *${esc(name)}* from ${userText(holder.user)}: ${esc(reason)}`);
}

async function leases(name: string | undefined, deps: SlackDeps, now: () => number): Promise<SlackReply> {
  const client = await deps.client();
  // One env: its item. All: the listing of lock items only (never history), and the
  // queues of the held ones, read at once: Slack wants its answer within 3 s.
  const one = name ? await client.item(name) : undefined;
  const items = name ? (one ? [one] : []) : await client.list();
  const queues = new Map<string, Awaited<ReturnType<LockClient['waiters']>>>();
  const held = items.filter((i) => lockState(i, now(), client.skewMs) !== 'free');
  await Promise.all(held.map(async (i) => queues.set(i.name, await client.waiters(i.name))));
  if (name && items.every((i) => lockState(i, now(), client.skewMs) === 'free')) return reply('ephemeral', `*${esc(name)}* is not locked.`);
  return leasesReply(items, queues, now(), client.skewMs);
}
