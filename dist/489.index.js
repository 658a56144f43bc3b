export const id = 489;
export const ids = [489];
export const modules = {

/***/ 7252:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Kd: () => (/* binding */ historyStats)
/* harmony export */ });
/* unused harmony exports percentile, spread */
/** The nearest-rank percentile q (0–100) of sorted values: the smallest value with at least q% of values at or below it. */
function percentile(sorted, q) {
    if (sorted.length === 0)
        return undefined;
    const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
    return sorted[Math.min(rank, sorted.length) - 1];
}
function spread(values) {
    const sorted = values.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
    const s = { count: sorted.length };
    if (sorted.length > 0) {
        s.p50 = percentile(sorted, 50);
        s.p95 = percentile(sorted, 95);
        s.max = sorted[sorted.length - 1];
    }
    return s;
}
/** Per-env figures from history events at or after `since` (and before `until`, when given), sorted by env. */
function historyStats(events, since, until = Number.POSITIVE_INFINITY) {
    const byEnv = new Map();
    for (const e of events) {
        if (e.at < since || e.at >= until)
            continue;
        let list = byEnv.get(e.name);
        if (!list)
            byEnv.set(e.name, (list = []));
        list.push(e);
    }
    return [...byEnv.keys()].sort().map((env) => {
        const es = byEnv.get(env);
        const count = (kind) => es.filter((e) => e.kind === kind).length;
        return {
            env,
            acquisitions: count('acquired'),
            failures: count('gave-up'),
            forcedTakeovers: count('forced'),
            forcedReleases: count('force-released'),
            lapses: count('expired'),
            waitMs: spread(es.filter((e) => e.kind === 'acquired' && e.waitedMs !== undefined).map((e) => e.waitedMs)),
            holdMs: spread(es.filter((e) => (e.kind === 'released' || e.kind === 'force-released') && e.heldMs !== undefined).map((e) => e.heldMs)),
        };
    });
}


/***/ }),

/***/ 3489:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  serveSlack: () => (/* binding */ serveSlack)
});

// EXTERNAL MODULE: ./src/lock/durations.ts
var durations = __webpack_require__(8274);
// EXTERNAL MODULE: ./src/config/common.ts
var common = __webpack_require__(5057);
// EXTERNAL MODULE: ./src/config/defaults.ts
var defaults = __webpack_require__(1954);
// EXTERNAL MODULE: ./src/config/notify.ts
var config_notify = __webpack_require__(7649);
// EXTERNAL MODULE: ./src/config/protocol.ts
var protocol = __webpack_require__(200);
// EXTERNAL MODULE: ./src/config/store.ts
var store = __webpack_require__(5147);
// EXTERNAL MODULE: ./src/config/proxy.ts
var config_proxy = __webpack_require__(1574);
;// CONCATENATED MODULE: ./src/config/slack.ts







/** DAPLAYA_SLACK_ADMINS: Slack user ids (U…, or W… in Enterprise Grid), separated by commas or spaces. */
function parseSlackAdmins(raw) {
    const text = (0,common/* nonEmpty */.hq)(raw);
    if (text === undefined)
        return undefined;
    const ids = text.split(/[\s,]+/).filter(Boolean);
    const bad = ids.find((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
    if (bad !== undefined)
        throw new common/* UsageError */.eb(`DAPLAYA_SLACK_ADMINS must be Slack user ids (U0123ABCD), separated by commas or spaces; got ${JSON.stringify(bad)}`);
    return ids;
}
/** Slack handler settings: DAPLAYA_SLACK_SIGNING_SECRET (required), DAPLAYA_SLACK_APP_ID, the store, DAPLAYA_SLACK_LEASE. */
function loadSlackConfig(env, port) {
    const signingSecret = (0,common/* nonEmpty */.hq)(env.DAPLAYA_SLACK_SIGNING_SECRET);
    if (!signingSecret)
        throw new common/* UsageError */.eb('DAPLAYA_SLACK_SIGNING_SECRET is not set: copy it from your Slack app\'s Basic Information page');
    const config = {
        signingSecret,
        store: (0,store/* resolveStore */.g)({}, env),
        leaseMs: (0,durations/* parseDuration */.E9)((0,common/* nonEmpty */.hq)(env.DAPLAYA_SLACK_LEASE) ?? defaults/* DEFAULTS */.z.slackLease, 'DAPLAYA_SLACK_LEASE'),
        host: (0,common/* nonEmpty */.hq)(env.DAPLAYA_SLACK_HOST) ?? defaults/* DEFAULTS */.z.slackHost,
        protocol: (0,protocol/* loadProtocolSettings */.k)(env),
    };
    const notify = (0,config_notify/* loadNotifyConfig */.cS)(env);
    if (notify)
        config.notify = notify;
    const proxy = (0,config_proxy/* resolveProxy */.F)(env);
    if (proxy)
        config.proxy = proxy;
    const admins = parseSlackAdmins(env.DAPLAYA_SLACK_ADMINS);
    if (admins)
        config.admins = admins;
    const appId = (0,common/* nonEmpty */.hq)(env.DAPLAYA_SLACK_APP_ID);
    if (appId)
        config.appId = appId;
    if (port !== undefined) {
        if (!/^\d+$/.test(port) || Number(port) > 65535)
            throw new common/* UsageError */.eb(`--port must be a port number, got ${JSON.stringify(port)}`);
        config.port = Number(port);
    }
    return config;
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/lock/client.ts + 4 modules
var lock_client = __webpack_require__(4913);
// EXTERNAL MODULE: ./src/lock/errors.ts
var errors = __webpack_require__(2960);
// EXTERNAL MODULE: ./src/lock/env-names.ts
var env_names = __webpack_require__(1517);
// EXTERNAL MODULE: ./src/config/cli.ts + 4 modules
var cli = __webpack_require__(394);
// EXTERNAL MODULE: ./src/lock/rules.ts
var rules = __webpack_require__(5456);
// EXTERNAL MODULE: ./src/wording.ts
var wording = __webpack_require__(3395);
;// CONCATENATED MODULE: ./src/slack/blocks.ts


const section = (text) => ({ type: 'section', text: { type: 'mrkdwn', text } });
function reply(kind, text, extra = []) {
    return { response_type: kind, text, blocks: [section(text), ...extra.map(section)] };
}
/**
 * Slack mrkdwn: escape the three control characters, so no user-supplied text can open
 * a mention (<!channel>, <!here>, <!subteam^…>) or a link. Every user-supplied text in a
 * reply goes through this (or userText / metaLink, which call it).
 */
function esc(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** A lock's user, escaped, with Slack mentions (<@U123>) kept live. */
function userText(u) {
    return esc(u).replace(/&lt;@([A-Z0-9]+)&gt;/g, '<@$1>');
}
/**
 * Meta as a link when it is a URL. A real URL has no raw `<`, `>` or `|` (they are
 * percent-encoded), so one that does is shown as text; the URL part is escaped too.
 */
function metaLink(meta) {
    return /^https?:\/\/[^\s<>|]+$/.test(meta) ? `<${esc(meta)}|${esc(meta)}>` : esc(meta);
}
/** The holder line, with the user kept as a Slack mention when it is one. */
function holderText(h, now) {
    const user = userText(h.user);
    return `${h.uberlock ? ':snowflake: *UBERLOCK* by ' : ''}${user} (${metaLink(h.meta)}, since ${(0,wording/* iso */.KH)(h.since)}, ${(0,wording/* expiresText */.Q7)(h.expiresAt, now)})`;
}
/** Held, frozen and expired-but-unreleased locks, judged by rules.lockState like the CLI's `locks`. */
function leasesReply(items, queues, now, skewMs) {
    const held = items.filter((i) => (0,rules/* lockState */.HE)(i, now, skewMs) !== 'free');
    if (held.length === 0)
        return reply('ephemeral', 'No env is locked.');
    const lines = held.map((i) => {
        const expired = (0,rules/* lockState */.HE)(i, now, skewMs) === 'expired' ? ' :hourglass: *EXPIRED* (not released)' : '';
        const h = { name: i.name, lockId: i.owner, user: i.user ?? '?', meta: i.meta ?? '', uberlock: i.uberlock === true, since: i.acquiredAt ?? 0, expiresAt: i.expiresAt ?? NaN, fence: i.fence };
        const q = queues.get(i.name) ?? [];
        return `*${esc(i.name)}*${expired}: ${holderText(h, now)}, fence ${i.fence}, ${(0,wording/* scopeText */.Cm)(i.owner)}${q.length ? `; queue: ${q.map((e, n) => `#${n + 1} ${userText(e.user)}`).join(', ')}` : ''}`;
    });
    return reply('ephemeral', `${held.length} env(s) locked`, lines);
}

// EXTERNAL MODULE: ./src/lock/stats.ts
var stats = __webpack_require__(7252);
// EXTERNAL MODULE: ./src/lock/types.ts
var types = __webpack_require__(1254);
;// CONCATENATED MODULE: ./src/slack/commands.ts







/** Slack shows at most this many history events; the CLI's `history` has the rest. */
const SLACK_HISTORY_LIMIT = 10;
const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;
/** The second line of a lock confirmation: how long the lease is, and until when. */
function leaseLine(name, lock, leaseMs, now) {
    if (lock.uberlock)
        return lock.expiresAt < types/* NEVER */.tm ? `no lease: frozen until ${(0,wording/* iso */.KH)(lock.expiresAt)}` : 'no lease: frozen until released';
    return `lease ${(0,durations/* formatDuration */.a3)(leaseMs)}: expires ${(0,wording/* iso */.KH)(lock.expiresAt)} (in ${(0,durations/* formatDuration */.a3)(lock.expiresAt - now)}) unless released or extended (\`/daplaya extend ${esc(name)} DUR\`)`;
}
/** `status ENV`: `daplaya status`'s lines. */
async function slackStatus(client, name, now) {
    const item = await client.item(name);
    const waiters = await client.waiters(name);
    const [first, ...rest] = (0,wording/* statusLines */.Cd)(name, item, waiters, now, client.skewMs).map(userText);
    return reply('ephemeral', first, rest);
}
/** `extend ENV DUR`: lengthen your own Slack lock's lease to DUR from now. */
async function slackExtend(client, name, durText, who, now) {
    if (durText === undefined)
        throw new errors/* InvalidInputError */.o('say how long: `/daplaya extend ENV DUR`, e.g. `/daplaya extend prod 2h`');
    const ms = (0,durations/* parseDuration */.E9)(durText, 'duration');
    if (ms < 1000)
        throw new errors/* InvalidInputError */.o('an extension must be at least 1s');
    const item = await client.item(name);
    if (item?.owner === undefined)
        return reply('ephemeral', `:no_entry: env *${esc(name)}* is not locked; nothing to extend`);
    const holder = (0,lock_client/* toHolder */.Gj)(item);
    if (!holder.lockId.startsWith(who.lockIdPrefix)) {
        return reply('ephemeral', `:no_entry: env *${esc(name)}* is not held by you (held by ${holderText(holder, now())}); nothing to extend`);
    }
    const r = await client.extend(name, { lockId: holder.lockId }, ms);
    if (!r.renewed)
        return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing extended.`);
    return reply('in_channel', `:stopwatch: ${who.mention} extended env *${esc(name)}*: ${(0,wording/* expiresText */.Q7)(r.lock.expiresAt, now())} (lease ${(0,durations/* formatDuration */.a3)(ms)})`);
}
function historyLine(e) {
    const parts = [`${e.kind} ${userText(e.user)}`];
    if (e.fence !== undefined)
        parts.push(`fence ${e.fence}`);
    if (e.waitedMs !== undefined)
        parts.push(`waited ${(0,durations/* formatDuration */.a3)(e.waitedMs)}`);
    if (e.heldMs !== undefined)
        parts.push(`held ${(0,durations/* formatDuration */.a3)(e.heldMs)}`);
    const detail = (0,wording/* historyDetail */.A4)(e);
    return `\`${(0,wording/* iso */.KH)(e.at)}\` *${esc(e.name)}* ${parts.join(', ')}${detail ? `: ${userText(detail)}` : ''}`;
}
/** `history [ENV]`: the newest events, newest first, with `daplaya history`'s kinds and details. */
async function slackHistory(client, name) {
    const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), limit: SLACK_HISTORY_LIMIT });
    if (page.events.length === 0)
        return reply('ephemeral', 'no history');
    const more = page.more ? [`(the newest ${SLACK_HISTORY_LIMIT}; \`daplaya history${name ? ` --env ${esc(name)}` : ''} --limit N\` shows more)`] : [];
    return reply('ephemeral', `history${name ? ` of *${esc(name)}*` : ''}, newest first`, [...page.events.map(historyLine), ...more]);
}
/** `stats [ENV] [SINCE]`: `daplaya stats`'s table, in a code block. */
async function slackStats(client, name, sinceText, now) {
    const windowMs = sinceText === undefined ? DEFAULT_STATS_WINDOW_MS : (0,durations/* parseDuration */.E9)(sinceText, 'since');
    if (windowMs <= 0)
        throw new errors/* InvalidInputError */.o('since must be longer than 0');
    const since = now - windowMs;
    const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), since });
    const figures = (0,stats/* historyStats */.Kd)(page.events, since, now + 1);
    const heading = (0,wording/* statsHeading */.Qc)(since, now);
    if (figures.length === 0)
        return reply('ephemeral', heading, ['no history']);
    return reply('ephemeral', heading, [`\`\`\`\n${esc((0,wording/* table */.tp)((0,wording/* statsRows */.B8)(figures)))}\n\`\`\``]);
}

;// CONCATENATED MODULE: ./src/slack/verify.ts

const MAX_AGE_SECONDS = 5 * 60;
/**
 * Slack's signing-secret check: X-Slack-Signature is `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>`, and the timestamp must be within five minutes.
 */
function verifySlackSignature(headers, rawBody, signingSecret, nowSeconds) {
    const ts = headers['x-slack-request-timestamp'];
    const sig = headers['x-slack-signature'];
    if (!ts || !sig)
        return { ok: false, reason: 'missing Slack signature headers' };
    if (!/^\d+$/.test(ts))
        return { ok: false, reason: 'bad timestamp' };
    if (Math.abs(nowSeconds - Number(ts)) > MAX_AGE_SECONDS)
        return { ok: false, reason: 'stale timestamp' };
    const expected = Buffer.from(`v0=${(0,external_node_crypto_.createHmac)('sha256', signingSecret).update(`v0:${ts}:${rawBody}`).digest('hex')}`);
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !(0,external_node_crypto_.timingSafeEqual)(given, expected))
        return { ok: false, reason: 'bad signature' };
    return { ok: true };
}

// EXTERNAL MODULE: ./src/net/post-json.ts
var post_json = __webpack_require__(8924);
;// CONCATENATED MODULE: ./src/slack/handler.ts










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
const json = (status, body) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
/** A late answer may take this long to post: Slack's response_url accepts answers for 30 minutes, but nothing waits forever. */
const RESPONSE_URL_DEADLINE_MS = 10_000;
async function defaultPost(url, r, proxy) {
    await (0,post_json/* postJson */.B)(url, { ...r, replace_original: false }, { signal: AbortSignal.timeout(RESPONSE_URL_DEADLINE_MS), ...(proxy ? { proxy } : {}) });
}
/** Handles one slash-command request: verify, parse, act, reply in Block Kit. */
async function handleSlack(req, deps) {
    const now = deps.nowMs ?? Date.now;
    // Slack checks the certificate of a new request URL with `ssl_check=1`: 200, nothing else, nothing touched.
    if (new URLSearchParams(req.body).get('ssl_check') === '1')
        return { status: 200, headers: {}, body: '' };
    const verdict = verifySlackSignature(req.headers, req.body, deps.signingSecret, Math.floor(now() / 1000));
    if (!verdict.ok)
        return json(401, { error: verdict.reason });
    const form = new URLSearchParams(req.body);
    if (deps.appId && form.get('api_app_id') !== deps.appId)
        return json(401, { error: 'request is for a different Slack app' });
    const userId = form.get('user_id');
    const userName = form.get('user_name') ?? '';
    const text = form.get('text');
    if (!userId || text === null || !form.get('command')) {
        return json(400, reply('ephemeral', 'Malformed slash command: user_id, command and text are required.'));
    }
    const work = perform(text, { userId, userName, teamId: form.get('team_id') ?? '' }, deps, now);
    const ackAfter = deps.ackAfterMs ?? 2500;
    let timer;
    const timeout = new Promise((r) => {
        timer = setTimeout(() => r('late'), ackAfter);
    });
    const first = await Promise.race([work, timeout]);
    clearTimeout(timer);
    if (first !== 'late')
        return json(200, first);
    const responseUrl = form.get('response_url');
    const post = deps.postToResponseUrl ?? ((url, r) => defaultPost(url, r, deps.proxy));
    // A late answer that cannot be posted (Slack unreachable) is lost, never an unhandled rejection.
    const finish = work
        .then((r) => (responseUrl ? post(responseUrl, r) : undefined), () => undefined)
        .catch(() => undefined);
    deps.onDeferred?.(finish);
    return json(200, reply('ephemeral', ':hourglass_flowing_sand: Working on it; the answer follows in a moment.'));
}
async function perform(text, who, deps, now) {
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
    }
    catch (err) {
        if (err instanceof errors/* InvalidInputError */.o)
            return reply('ephemeral', `:x: ${esc(err.message)}`);
        return reply('ephemeral', `:x: daplaya could not do that: ${esc(err.message)}`);
    }
}
function envArg(name) {
    if (name === undefined)
        throw new errors/* InvalidInputError */.o('name an env, e.g. `/daplaya lock production`');
    return (0,env_names/* validateEnvName */.zf)(name);
}
/** Every lock taken from Slack has an id that starts with its workspace and user. */
const slackLockIdPrefix = (w) => `slack:${w.teamId}:${w.userId}:`;
// Slack's own user id, escaped all the same: nothing from the request goes into a reply raw.
const mention = (w) => `<@${esc(w.userId)}>`;
const slackUser = (w) => `${w.userName || w.userId} (${mention(w)})`;
const caller = (w) => ({ mention: mention(w), lockIdPrefix: slackLockIdPrefix(w) });
/** With DAPLAYA_SLACK_ADMINS, whether this user may force-release and uberlock; without it, everyone may. */
const isAdmin = (w, deps) => deps.admins === undefined || deps.admins.includes(w.userId);
const adminRefusal = (deps) => reply('ephemeral', `:no_entry: only ${(deps.admins ?? []).map((id) => `<@${esc(id)}>`).join(', ')} can force-release or uberlock from Slack (DAPLAYA_SLACK_ADMINS)`);
async function lock(uber, name, metaText, who, deps, now) {
    if (uber && !isAdmin(who, deps))
        return adminRefusal(deps);
    // `/daplaya uberlock ENV until DATE|DUR REASON`: a freeze that lifts itself (as `lock --uberlock --until`).
    let text = metaText.trim();
    let freezeUntil;
    const until = /^(until|for)\s+(\S+)\s*(.*)$/i.exec(text);
    if (uber && until) {
        freezeUntil = (0,cli/* parseFreezeEnd */.MX)(until[1]?.toLowerCase() === 'until' ? until[2] : undefined, until[1]?.toLowerCase() === 'for' ? until[2] : undefined, now());
        text = until[3] ?? '';
    }
    const client = await deps.client();
    const meta = text === '' ? 'Slack' : text.slice(0, 1000);
    const r = await client.acquire({
        name,
        lockId: `${slackLockIdPrefix(who)}${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`,
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
    return reply('in_channel', `${uber ? ':snowflake:' : ':lock:'} ${mention(who)} ${uber ? '*froze*' : 'locked'} *${esc(name)}* (${metaLink(meta)}), fence ${r.lock.fence}`, [leaseLine(name, r.lock, deps.leaseMs, now())]);
}
async function release(name, rest, who, deps, now) {
    const client = await deps.client();
    const item = await client.item(name);
    if (item?.owner === undefined)
        return reply('ephemeral', `*${esc(name)}* is not locked.`);
    const holder = (0,lock_client/* toHolder */.Gj)(item);
    // Ownership by lock id: a Slack lock's id names the workspace and user that took it.
    if (holder.lockId.startsWith(slackLockIdPrefix(who))) {
        const r = await client.release(name, { lockId: holder.lockId });
        if (r.outcome !== 'released')
            return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing released.`);
        return reply('in_channel', `:unlock: ${mention(who)} released *${esc(name)}*`);
    }
    const forceAt = rest.findIndex((w) => w === '--force' || w.toLowerCase() === 'force');
    if (forceAt === -1) {
        const how = isAdmin(who, deps)
            ? `To release it anyway: \`/daplaya release ${esc(name)} --force --reason REASON\``
            : `Ask its holder, or one who can force it: ${(deps.admins ?? []).map((id) => `<@${esc(id)}>`).join(', ')}`;
        return reply('ephemeral', `:no_entry: *${esc(name)}* is held by ${holderText(holder, now())}, not by you. ${how}`);
    }
    if (!isAdmin(who, deps))
        return adminRefusal(deps);
    // `--force --reason TEXT` as in the CLI, or `--force TEXT`.
    const after = rest.slice(forceAt + 1);
    const reason = (after[0] === '--reason' ? after.slice(1) : after).join(' ').trim();
    if (!reason)
        return reply('ephemeral', ':x: a forced release needs a reason: `/daplaya release ENV --force --reason REASON`');
    const r = await client.release(name, { lockId: holder.lockId }, { force: { user: slackUser(who), reason } });
    if (r.outcome !== 'released')
        return reply('ephemeral', `*${esc(name)}* changed hands meanwhile; nothing released.`);
    return reply('in_channel', `:warning: ${mention(who)} force-released *${esc(name)}* from ${userText(holder.user)}: ${esc(reason)}`);
}
async function leases(name, deps, now) {
    const client = await deps.client();
    // One env: its item. All: the listing of lock items only (never history), and the
    // queues of the held ones, read at once: Slack wants its answer within 3 s.
    const one = name ? await client.item(name) : undefined;
    const items = name ? (one ? [one] : []) : await client.list();
    const queues = new Map();
    const held = items.filter((i) => (0,rules/* lockState */.HE)(i, now(), client.skewMs) !== 'free');
    await Promise.all(held.map(async (i) => queues.set(i.name, await client.waiters(i.name))));
    if (name && items.every((i) => (0,rules/* lockState */.HE)(i, now(), client.skewMs) === 'free'))
        return reply('ephemeral', `*${esc(name)}* is not locked.`);
    return leasesReply(items, queues, now(), client.skewMs);
}

;// CONCATENATED MODULE: ./src/slack/http.ts


const MAX_BODY = 64 * 1024;
/** `daplaya slack serve`: the slash-command handler on plain node:http. */
function createSlackServer(deps) {
    return external_node_http_default().createServer((req, res) => {
        if (req.method !== 'POST') {
            res.writeHead(405, { 'content-type': 'text/plain' }).end('POST slash commands here\n');
            return;
        }
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY)
                req.destroy();
            else
                chunks.push(c);
        });
        req.on('end', () => {
            const headers = {};
            for (const [k, v] of Object.entries(req.headers))
                headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
            handleSlack({ headers, body: Buffer.concat(chunks).toString('utf8') }, deps).then((r) => res.writeHead(r.status, r.headers).end(r.body), () => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}'));
        });
    });
}

;// CONCATENATED MODULE: ./src/slack/serve.ts


/**
 * `daplaya slack serve --port N`: serve slash commands until the signal aborts.
 * Wired into the CLI by the entry point (src/index.ts), so the CLI never imports Slack.
 */
async function serveSlack(client, opts) {
    const slack = loadSlackConfig(opts.env, opts.port ?? '3000');
    const server = createSlackServer({
        signingSecret: slack.signingSecret,
        ...(slack.appId ? { appId: slack.appId } : {}),
        leaseMs: slack.leaseMs,
        ...(slack.admins ? { admins: slack.admins } : {}),
        ...(slack.proxy ? { proxy: slack.proxy } : {}),
        client: async () => client,
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(slack.port, slack.host, () => resolve());
    });
    const addr = server.address();
    opts.out(`daplaya slack: listening on http://${addr.address}:${addr.port}/`);
    await new Promise((resolve) => {
        if (opts.signal?.aborted)
            return resolve();
        opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await new Promise((resolve) => server.close(() => resolve()));
}


/***/ })

};
