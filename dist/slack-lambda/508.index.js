export const id = 508;
export const ids = [508];
export const modules = {

/***/ 9508:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_REQUEST_TIMEOUT_MS: () => (/* reexport */ dynamodb_defaults/* DEFAULT_REQUEST_TIMEOUT_MS */.Z),
  DynamoStore: () => (/* binding */ DynamoStore),
  classify: () => (/* binding */ classify)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js
var dist_cjs = __webpack_require__(4305);
// EXTERNAL MODULE: ./src/store/dynamodb-defaults.ts
var dynamodb_defaults = __webpack_require__(164);
// EXTERNAL MODULE: ./src/lock/types.ts
var lock_types = __webpack_require__(1254);
;// CONCATENATED MODULE: ./src/store/dynamodb-indexes.ts

/**
 * The two sparse global secondary indexes of the table (docs/design.md, "Listing"):
 *
 * - `locks`: partition `lockIdx` (`LOCK#0`..`LOCK#3`, set on lock items only, by every
 *   write of one), sort `pk`. `locks` and Slack `leases` read it: a cost that grows with
 *   the number of envs, never with history. It projects only what a listing shows.
 * - `history`: partition `hDay` (`H#YYYY-MM-DD`, the UTC day of the event, set on
 *   history items only), sort `sk` (`H#<ISO time>#<id>`, so newest first is a reverse
 *   Query). `history` without `--env` reads the newest days first and stops at `--limit`.
 */
const LOCKS_INDEX = 'locks';
const HISTORY_INDEX = 'history';
/**
 * Lock items are spread over this many index partitions (by a hash of the env name), so
 * lock writes are spread too; listing queries each. Fixed: changing it needs `init` to
 * rewrite every lock item's `lockIdx` (it does: it rewrites any value that differs).
 */
const LOCK_SHARDS = 4;
/**
 * What `locks`, `locks --json` and Slack `leases` show of a lock item (wording.ts itemToJson,
 * slack/blocks.ts). An index's projection cannot change once built: a later release that
 * lists more adds an index under a new name (and `init` creates it).
 */
const LISTED_ATTRIBUTES = ['owner', 'user', 'meta', 'metaData', 'uberlock', 'acquiredAt', 'expiresAt', 'fence', 'lastUser', 'releasedAt', 'forcedBy', 'forcedFrom', 'forceReason'];
const INDEXES = [
    {
        IndexName: LOCKS_INDEX,
        KeySchema: [
            { AttributeName: 'lockIdx', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: LISTED_ATTRIBUTES },
    },
    {
        IndexName: HISTORY_INDEX,
        KeySchema: [
            { AttributeName: 'hDay', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['event'] },
    },
];
const INDEX_ATTRIBUTES = [
    { AttributeName: 'lockIdx', AttributeType: 'S' },
    { AttributeName: 'hDay', AttributeType: 'S' },
];
/** The index partition of an env's lock item: FNV-1a of the name, modulo LOCK_SHARDS. */
function lockShard(name) {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
        h ^= name.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return `LOCK#${h % LOCK_SHARDS}`;
}
const ALL_LOCK_SHARDS = Array.from({ length: LOCK_SHARDS }, (_, i) => `LOCK#${i}`);
/** The history index partition of a time: its UTC day. */
function historyDay(at) {
    return `H#${new Date(at).toISOString().slice(0, 10)}`;
}
/** The history index partition of a history item, from its sort key `H#<ISO time>#<id>`. */
function historyDayOfSortKey(sk) {
    const m = /^H#(\d{4}-\d{2}-\d{2})T/.exec(sk);
    return m ? `H#${m[1]}` : undefined;
}
/** Days from `to` back to `from` (inclusive), newest first, as index partitions. */
function daysBack(to, from) {
    const days = [];
    const DAY = 86_400_000;
    for (let t = Math.floor(to / DAY) * DAY; t >= Math.floor(from / DAY) * DAY; t -= DAY)
        days.push(historyDay(t));
    return days;
}
const keys = (g) => (g.KeySchema ?? []).map((k) => `${k.AttributeName}(${k.KeyType})`).join(' + ');
/** The indexes a table lacks, and those it has, by status. Throws if one of ours exists with other keys. */
function indexState(table, t) {
    const have = new Map((t?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName ?? '', g]));
    const missing = [];
    const notActive = [];
    for (const want of INDEXES) {
        const g = have.get(want.IndexName ?? '');
        if (!g) {
            missing.push(want);
            continue;
        }
        if (keys(g) !== keys(want)) {
            throw new lock_types/* StoreError */.AD('other', `table ${table} has an index ${want.IndexName} keyed ${keys(g)}; daplaya needs ${keys(want)}: delete that index or pick another --table`, false);
        }
        if (g.IndexStatus !== 'ACTIVE' || g.Backfilling === true)
            notActive.push(want.IndexName ?? '');
    }
    return { missing, notActive };
}
/**
 * A read of an index that is not there yet (a table created by an earlier release, or one
 * whose index is still being built), or that the role may not read (a policy without the
 * index ARN). Such reads fall back to a scan and say why.
 */
function indexUnusable(err) {
    const e = err;
    const msg = e?.message ?? '';
    if (/backfilling global secondary index/i.test(msg))
        return 'building';
    if (/does not have the specified index/i.test(msg))
        return 'missing';
    if (e?.kind === 'access-denied' || e?.name === 'AccessDeniedException')
        return 'denied';
    return undefined;
}

// EXTERNAL MODULE: ./src/store/redact.ts
var redact = __webpack_require__(6216);
// EXTERNAL MODULE: ./src/net/proxy-route.ts
var proxy_route = __webpack_require__(7943);
// EXTERNAL MODULE: ./src/net/tunnel.ts + 1 modules
var tunnel = __webpack_require__(591);
// EXTERNAL MODULE: ./src/lock/history.ts
var lock_history = __webpack_require__(3559);
;// CONCATENATED MODULE: ./src/store/dynamodb.ts









const LOCK_SK = 'LOCK';
/** `history` without --env and without --since looks back this far (the client passes its retention). */
const DEFAULT_HISTORY_WINDOW_MS = 30 * 86_400_000;
/** Concurrent writes of `init`'s backfill. */
const BACKFILL_WRITERS = 16;
/** Day partitions of the history index read at once at first (then twice as many each round). */
const HISTORY_FIRST_DAYS = 2;
/** ...and at most this many at once (a `--since` of years on a quiet table walks on in rounds of this). */
const HISTORY_MAX_DAYS = 16;
/** An index found missing is tried again after this long (a long-lived Slack server sees `init`'s upgrade). */
const INDEX_RETRY_MS = 10 * 60_000;
/** How long `init` waits for a new index to become ACTIVE (DynamoDB backfills it from the whole table). */
const INDEX_WAIT_MS = 60 * 60_000;
/** Where the client connects: the endpoint, or the region's public one (for the banner's proxy note). */
function dynamoTarget(config) {
    if (config.endpoint) {
        const u = new URL(config.endpoint);
        const protocol = u.protocol === 'http:' ? 'http:' : 'https:';
        return { protocol, host: u.hostname, port: Number(u.port) || (protocol === 'http:' ? 80 : 443) };
    }
    const region = config.region ?? 'us-east-1';
    return { protocol: 'https:', host: `dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`, port: 443 };
}
/** Prefixes an update's SET clause with the item's `locks` index partition. */
function withLockIdx(expr) {
    if (!expr?.startsWith('SET '))
        throw new Error(`lock item update without a SET clause: ${expr}`);
    return `SET lockIdx = :lockIdx, ${expr.slice(4)}`;
}
/** A request that got no answer within its deadline: it may or may not have landed. */
/** Table creation and description can take long on a busy engine: control-plane requests get more time. */
const CONTROL_DEADLINE_MS = 30_000;
class DeadlineExceeded extends Error {
    ms;
    name = 'DeadlineExceeded';
    constructor(ms) {
        super(`no answer within ${ms}ms`);
        this.ms = ms;
    }
}
/**
 * The production store. Every state change is one UpdateItem with a condition that
 * mirrors `lock/rules.ts`; on a failed condition the old item comes back with the
 * error (ALL_OLD), so the holder is known without a second read. Engines that do not
 * return it (dynalite) get one GetItem instead.
 */
class DynamoStore {
    config;
    description;
    client;
    requestTimeoutMs;
    /** The request handler's options, and the end of its proxy agents (close() calls it). */
    handler;
    /** What `init` found worth telling that did not stop it (printed as warnings). */
    initNotes = [];
    constructor(config) {
        this.config = config;
        this.requestTimeoutMs = config.requestTimeoutMs ?? dynamodb_defaults/* DEFAULT_REQUEST_TIMEOUT_MS */.Z;
        this.handler = (0,tunnel/* sdkRequestHandler */.Mt)(this.requestTimeoutMs, config.proxy);
        const cfg = {
            maxAttempts: 3,
            requestHandler: this.handler.options,
        };
        if (config.region)
            cfg.region = config.region;
        if (config.endpoint)
            cfg.endpoint = config.endpoint;
        if (config.credentials)
            cfg.credentials = config.credentials;
        this.client = new dist_cjs/* DynamoDBClient */.MGV(cfg);
        const proxy = config.proxy ? (0,proxy_route/* proxyFor */.iJ)(config.proxy, dynamoTarget(config)) : undefined;
        this.description =
            `DynamoDB table ${config.table}${config.region ? ` in ${config.region}` : ''}${config.endpoint ? ` at ${(0,redact/* redactUrl */.B)(config.endpoint)}` : ''}` +
                (proxy ? ` through proxy ${(0,proxy_route/* shownProxy */.qb)(proxy)}` : '');
    }
    close() {
        this.client.destroy();
        this.handler.destroy();
    }
    /**
     * Every request has a hard deadline, SDK retries included: an endpoint that accepts
     * and never answers (or a socket that stalls mid-response) fails the request after
     * `requestTimeoutMs` as an ambiguous outcome, which the lock client settles by retrying.
     */
    send(command, deadlineMs = this.requestTimeoutMs) {
        const signal = AbortSignal.timeout(deadlineMs);
        return this.client.send(command, { abortSignal: signal }).catch((err) => {
            if (signal.aborted)
                throw new DeadlineExceeded(deadlineMs);
            throw err;
        });
    }
    key(name) {
        return { pk: { S: name }, sk: { S: LOCK_SK } };
    }
    async update(name, input) {
        try {
            const out = await this.send(new dist_cjs/* UpdateItemCommand */.Cs({
                TableName: this.config.table,
                Key: this.key(name),
                ReturnValues: 'ALL_NEW',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                ...input,
                // Every write of a lock item (re)sets its place in the sparse `locks` index, so an
                // item created by any write, or written by an earlier release, is listed.
                UpdateExpression: withLockIdx(input.UpdateExpression),
                ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':lockIdx': { S: lockShard(name) } },
            }));
            return { ok: true, item: fromItem(out.Attributes ?? {}, name) };
        }
        catch (err) {
            if (err instanceof dist_cjs/* ConditionalCheckFailedException */.jPo || err.name === 'ConditionalCheckFailedException') {
                const old = err.Item;
                if (old)
                    return { ok: false, current: fromItem(old, name) };
                return { ok: false, current: await this.get(name) };
            }
            throw classify(err, this.config);
        }
    }
    acquire(name, c, now) {
        const values = {
            ':me': { S: c.lockId },
            ':user': { S: c.user },
            ':meta': { S: c.meta },
            ':uber': { BOOL: c.uberlock },
            ':now': { N: String(now) },
            ':exp': { N: String(c.uberlock ? c.freezeUntil ?? lock_types/* NEVER */.tm : now + c.leaseMs) },
            ':lease': { N: String(c.uberlock ? 0 : c.leaseMs) },
            ':zero': { N: '0' },
            ':one': { N: '1' },
            ':none': { S: 'none' },
        };
        let set = 'SET #owner = :me, #user = :user, meta = :meta, uberlock = :uber, acquiredAt = :now, updatedAt = :now, expiresAt = :exp, leaseMs = :lease, fence = if_not_exists(fence, :zero) + :one, ' +
            'prevOwner = if_not_exists(#owner, :none), prevUser = if_not_exists(#user, :none), prevExpiresAt = if_not_exists(expiresAt, :zero)';
        let remove = ` REMOVE forcedBy, forcedFrom, forceReason${c.uberlock ? ', uberPendingUntil' : ''}`;
        let condition;
        if (c.force) {
            if (c.force.seenOwner === undefined) {
                condition = 'attribute_not_exists(#owner)';
            }
            else {
                condition = '#owner = :seen';
                values[':seen'] = { S: c.force.seenOwner };
            }
            set += ', forcedBy = :user, forcedFrom = if_not_exists(#user, :empty), forceReason = :reason';
            values[':empty'] = { S: '' };
            values[':reason'] = { S: c.force.reason };
            remove = '';
        }
        else {
            // Ours (a retried write that landed), or free/lapsed and we are next in line.
            let next = c.uberlock ? '' : ' AND (attribute_not_exists(uberPendingUntil) OR uberPendingUntil < :now)';
            if (c.ticket !== undefined) {
                next += ' AND nowServing = :prev';
                values[':prev'] = { N: String(c.ticket - 1) };
                values[':ticket'] = { N: String(c.ticket) };
                set += ', nowServing = :ticket';
            }
            else if (!c.uberlock) {
                next += ' AND (attribute_not_exists(nextTicket) OR nextTicket = nowServing)';
            }
            // Free, or still exactly the lapsed lease the caller watched (rules.sameLease).
            let free = 'attribute_not_exists(#owner)';
            if (c.takeover) {
                free = '(attribute_not_exists(#owner) OR (#owner = :seenOwner AND fence = :seenFence AND expiresAt = :seenExp))';
                values[':seenOwner'] = { S: c.takeover.owner };
                values[':seenFence'] = { N: String(c.takeover.fence) };
                values[':seenExp'] = { N: String(c.takeover.expiresAt) };
            }
            condition = next ? `#owner = :me OR (${free}${next})` : `#owner = :me OR ${free}`;
        }
        // Structured metadata (--meta-json) belongs to this holder: set it, or clear the last holder's.
        if (c.metaData) {
            set += ', metaData = :metaData';
            values[':metaData'] = { S: JSON.stringify(c.metaData) };
        }
        else {
            remove = remove ? `${remove}, metaData` : ' REMOVE metaData';
        }
        return this.update(name, {
            UpdateExpression: set + remove,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#owner': 'owner', '#user': 'user' },
            ExpressionAttributeValues: values,
        });
    }
    renew(name, lockId, fence, expiresAt, now) {
        return this.update(name, {
            // An uberlock keeps its NEVER expiry: renewing must not give it a lease.
            UpdateExpression: 'SET expiresAt = :exp, leaseMs = :lease, updatedAt = :now',
            ConditionExpression: '#owner = :me AND fence = :fence AND (attribute_not_exists(uberlock) OR uberlock = :false)',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: {
                ':me': { S: lockId },
                ':fence': { N: String(fence) },
                ':exp': { N: String(expiresAt) },
                ':lease': { N: String(expiresAt - now) },
                ':now': { N: String(now) },
                ':false': { BOOL: false },
            },
        }).then(async (r) => {
            // An uberlock holder's renew is a no-op success, as in rules.ts.
            if (!r.ok && r.current?.owner === lockId && r.current.fence === fence && r.current.uberlock)
                return { ok: true, item: r.current };
            return r;
        });
    }
    release(name, by, now) {
        const byLock = 'lockId' in by;
        return this.update(name, {
            UpdateExpression: 'SET lastOwner = #owner, lastUser = #user, lastAcquiredAt = acquiredAt, releasedAt = :now, updatedAt = :now REMOVE #owner, #user, meta, metaData, uberlock, acquiredAt, expiresAt, leaseMs, forcedBy, forcedFrom, forceReason',
            ConditionExpression: byLock ? '#owner = :who' : 'attribute_exists(#owner) AND #user = :who',
            ExpressionAttributeNames: { '#owner': 'owner', '#user': 'user' },
            ExpressionAttributeValues: { ':who': { S: byLock ? by.lockId : by.user }, ':now': { N: String(now) } },
        });
    }
    extend(name, by, expiresAt, now) {
        const byLock = 'lockId' in by;
        return this.update(name, {
            UpdateExpression: 'SET expiresAt = :exp, leaseMs = :lease, updatedAt = :now',
            ConditionExpression: `${byLock ? '#owner = :who' : 'attribute_exists(#owner) AND #user = :who'} AND (attribute_not_exists(uberlock) OR uberlock = :false)`,
            ExpressionAttributeNames: { '#owner': 'owner', ...(byLock ? {} : { '#user': 'user' }) },
            ExpressionAttributeValues: { ':who': { S: byLock ? by.lockId : by.user }, ':exp': { N: String(expiresAt) }, ':lease': { N: String(expiresAt - now) }, ':now': { N: String(now) }, ':false': { BOOL: false } },
        });
    }
    async markUberPending(name, until, now) {
        await this.update(name, {
            UpdateExpression: until > 0 ? 'SET uberPendingUntil = :until, updatedAt = :now' : 'SET updatedAt = :now REMOVE uberPendingUntil',
            ExpressionAttributeValues: until > 0 ? { ':until': { N: String(until) }, ':now': { N: String(now) } } : { ':now': { N: String(now) } },
        });
    }
    async takeTicket(name, joinToken, now) {
        const r = await this.update(name, {
            UpdateExpression: 'SET nextTicket = if_not_exists(nextTicket, :zero) + :one, nowServing = if_not_exists(nowServing, :zero), fence = if_not_exists(fence, :zero), lastJoin = :join, lastJoinAt = :now, updatedAt = :now',
            // A repeated join whose first write landed (and nobody joined since) gets its ticket back.
            ConditionExpression: 'attribute_not_exists(lastJoin) OR lastJoin <> :join',
            ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':now': { N: String(now) }, ':join': { S: joinToken } },
        });
        const item = r.ok ? r.item : r.current;
        if (!item || item.nextTicket === undefined)
            throw new lock_types/* StoreError */.AD('other', 'could not take a queue ticket', false);
        return { ticket: item.nextTicket, item };
    }
    async skipTicket(name, seenServing, now) {
        const r = await this.update(name, {
            UpdateExpression: 'SET nowServing = :next, updatedAt = :now',
            ConditionExpression: 'nowServing = :seen AND nextTicket > :seen',
            ExpressionAttributeValues: { ':seen': { N: String(seenServing) }, ':next': { N: String(seenServing + 1) }, ':now': { N: String(now) } },
        });
        return r.ok;
    }
    async put(item) {
        try {
            await this.send(new dist_cjs/* PutItemCommand */.qnp({ TableName: this.config.table, Item: item }));
        }
        catch (err) {
            throw classify(err, this.config);
        }
    }
    /** Every page of a Query or Scan. */
    async pages(page) {
        const items = [];
        let start;
        try {
            do {
                const out = await page(start);
                items.push(...(out.Items ?? []));
                start = out.LastEvaluatedKey;
            } while (start);
        }
        catch (err) {
            throw classify(err, this.config);
        }
        return items;
    }
    query(name, prefix) {
        return this.pages((start) => this.send(new dist_cjs/* QueryCommand */.sfZ({
            TableName: this.config.table,
            ConsistentRead: true,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': { S: name }, ':prefix': { S: prefix } },
            ExclusiveStartKey: start,
        })));
    }
    /** Scans the table for items whose sort key starts with `prefix`. */
    scan(prefix) {
        return this.pages((start) => this.send(new dist_cjs/* ScanCommand */.Zy5({
            TableName: this.config.table,
            ConsistentRead: true,
            FilterExpression: 'begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':prefix': { S: prefix } },
            ExclusiveStartKey: start,
        })));
    }
    putQueueEntry(entry) {
        return this.put({
            pk: { S: entry.name },
            sk: { S: `Q#${String(entry.ticket).padStart(20, '0')}` },
            entry: { S: JSON.stringify(entry) },
            // Garbage collection only; liveness is judged by expiresAt inside the entry.
            ttl: { N: String(Math.floor(entry.expiresAt / 1000) + 86_400) },
        });
    }
    async getQueueEntry(name, ticket) {
        try {
            const out = await this.send(new dist_cjs/* GetItemCommand */.ZKh({
                TableName: this.config.table,
                Key: { pk: { S: name }, sk: { S: `Q#${String(ticket).padStart(20, '0')}` } },
                ConsistentRead: true,
            }));
            return out.Item?.entry?.S ? JSON.parse(out.Item.entry.S) : undefined;
        }
        catch (err) {
            throw classify(err, this.config);
        }
    }
    async listQueue(name) {
        return (await this.query(name, 'Q#')).map((i) => JSON.parse(i.entry?.S ?? '{}'));
    }
    addHistory(event) {
        return this.put({
            pk: { S: event.name },
            sk: { S: `H#${new Date(event.at).toISOString()}#${event.id}` },
            // The sparse `history` index: every env's events by day, for `history` without --env.
            hDay: { S: historyDay(event.at) },
            event: { S: JSON.stringify(event) },
            ttl: { N: String(Math.floor(event.keepUntil / 1000)) },
        });
    }
    /** A notice sent: `N#<id>` put only if absent, so the first process to claim it wins. */
    async claimNotice(name, id, keepUntil) {
        try {
            await this.send(new dist_cjs/* PutItemCommand */.qnp({
                TableName: this.config.table,
                Item: { pk: { S: name }, sk: { S: `N#${id}` }, ttl: { N: String(Math.floor(keepUntil / 1000)) } },
                ConditionExpression: 'attribute_not_exists(pk)',
            }));
            return true;
        }
        catch (err) {
            if (err instanceof dist_cjs/* ConditionalCheckFailedException */.jPo || err.name === 'ConditionalCheckFailedException')
                return false;
            throw classify(err, this.config);
        }
    }
    /**
     * One env's history: a Query of its partition, newest first, `Limit` just past what is
     * wanted, paged by ExclusiveStartKey. Every env's: the `history` index, one day
     * partition at a time from today back to `since`, a week of days at once, stopping once
     * the newest `limit` are known. Never a scan, unless the index is missing (then says so).
     */
    async queryHistory(q) {
        const now = Date.now();
        const from = `H#${q.since !== undefined ? new Date(q.since).toISOString() : ''}`;
        if (q.name !== undefined) {
            return this.newest({ KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': { S: q.name }, ':from': { S: from }, ':to': { S: 'H#\uffff' } }, ConsistentRead: true }, q.limit, now);
        }
        if (Date.now() >= (this.noIndexUntil[HISTORY_INDEX] ?? 0)) {
            try {
                return await this.historyByDay(q.since ?? now - DEFAULT_HISTORY_WINDOW_MS, from, q.limit, now);
            }
            catch (err) {
                const why = indexUnusable(err);
                if (!why)
                    throw err;
                this.indexUnusableNote(HISTORY_INDEX, why);
            }
        }
        const events = (await this.scan('H#')).map((i) => JSON.parse(i.event?.S ?? '{}')).filter((e) => (q.since === undefined || e.at >= q.since) && e.keepUntil > now);
        events.sort(lock_history/* newestFirst */.l);
        return q.limit !== undefined && events.length > q.limit ? { events: events.slice(0, q.limit), more: true } : { events, more: false };
    }
    async historyByDay(since, from, limit, now) {
        // From an hour ahead: a writer whose clock runs ahead may already have written into tomorrow.
        const days = daysBack(now + 3_600_000, since);
        const events = [];
        let more = false;
        // Newest days first, 2 at once, then 4, 8, 16...: a busy table answers from today and
        // yesterday, a quiet one reaches a month back in a few round trips. Each day is asked
        // only for what is still missing; `more` from a day means the newest `limit` are in hand.
        for (let i = 0, batch = HISTORY_FIRST_DAYS; i < days.length && !(limit !== undefined && (more || events.length > limit)); i += batch, batch = Math.min(batch * 2, HISTORY_MAX_DAYS)) {
            const want = limit === undefined ? undefined : Math.max(0, limit - events.length);
            const pages = await Promise.all(days.slice(i, i + batch).map((day) => this.newest({ IndexName: HISTORY_INDEX, KeyConditionExpression: 'hDay = :day AND sk >= :from', ExpressionAttributeValues: { ':day': { S: day }, ':from': { S: from } } }, want, now)));
            for (const p of pages) {
                events.push(...p.events);
                more ||= p.more;
            }
        }
        events.sort(lock_history/* newestFirst */.l);
        return limit !== undefined && events.length > limit ? { events: events.slice(0, limit), more: true } : { events, more };
    }
    /** Reads a Query newest first in pages of just past what is still wanted (all when `limit` is absent). */
    async newest(input, limit, now) {
        const events = [];
        let start;
        try {
            do {
                const out = await this.send(new dist_cjs/* QueryCommand */.sfZ({
                    TableName: this.config.table,
                    ScanIndexForward: false,
                    ...input,
                    ...(limit !== undefined ? { Limit: Math.max(1, limit + 1 - events.length) } : {}),
                    ...(start ? { ExclusiveStartKey: start } : {}),
                }));
                for (const it of out.Items ?? []) {
                    const e = JSON.parse(it.event?.S ?? '{}');
                    // Past its keepUntil: TTL deletes it some day; it is already gone for readers.
                    if (e.keepUntil > now)
                        events.push(e);
                }
                start = out.LastEvaluatedKey;
            } while (start && (limit === undefined || events.length <= limit));
        }
        catch (err) {
            throw classify(err, this.config);
        }
        events.sort(lock_history/* newestFirst */.l);
        return limit !== undefined && events.length > limit ? { events: events.slice(0, limit), more: true } : { events, more: false };
    }
    async get(name) {
        try {
            const out = await this.send(new dist_cjs/* GetItemCommand */.ZKh({ TableName: this.config.table, Key: this.key(name), ConsistentRead: true }));
            return out.Item ? fromItem(out.Item, name) : undefined;
        }
        catch (err) {
            throw classify(err, this.config);
        }
    }
    /**
     * Every lock item, from the sparse `locks` index (one small Query per shard, in
     * parallel): what a listing shows, whatever the size of the history. A table without
     * the index yet (made by an earlier release) is scanned instead, and readNotes says
     * that `daplaya init` upgrades it.
     */
    async list() {
        if (Date.now() >= (this.noIndexUntil[LOCKS_INDEX] ?? 0)) {
            try {
                const shards = await Promise.all(ALL_LOCK_SHARDS.map((shard) => this.pages((start) => this.send(new dist_cjs/* QueryCommand */.sfZ({
                    TableName: this.config.table,
                    IndexName: LOCKS_INDEX,
                    KeyConditionExpression: 'lockIdx = :shard',
                    ExpressionAttributeValues: { ':shard': { S: shard } },
                    ExclusiveStartKey: start,
                })))));
                return shards.flat().map((it) => fromItem(it, it.pk?.S ?? '?'));
            }
            catch (err) {
                const why = indexUnusable(err);
                if (!why)
                    throw err;
                this.indexUnusableNote(LOCKS_INDEX, why);
            }
        }
        return (await this.scan(LOCK_SK)).filter((it) => it.sk?.S === LOCK_SK).map((it) => fromItem(it, it.pk?.S ?? '?'));
    }
    /** Reads said once that they took the slow way, and why (printed by the CLI). */
    readNotes = [];
    /** Until when an index found unusable is not tried again (a long-lived Slack server retries it later). */
    noIndexUntil = {};
    indexUnusableNote(index, why) {
        this.noIndexUntil[index] = Date.now() + INDEX_RETRY_MS;
        const what = index === LOCKS_INDEX ? 'listing locks' : 'listing history across envs';
        this.readNotes.push(why === 'missing'
            ? `table ${this.config.table} has no \`${index}\` index yet (made by an earlier daplaya), so ${what} scanned the whole table; \`daplaya init\` upgrades it`
            : why === 'building'
                ? `the \`${index}\` index of table ${this.config.table} is still being built, so ${what} scanned the whole table`
                : `access denied to the \`${index}\` index of table ${this.config.table}, so ${what} scanned the whole table; allow dynamodb:Query on .../table/${this.config.table}/index/* (README, IAM policy)`);
    }
    async init(progress = () => undefined) {
        let created = false;
        try {
            await this.send(new dist_cjs/* CreateTableCommand */.IxS({
                TableName: this.config.table,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [
                    { AttributeName: 'pk', AttributeType: 'S' },
                    { AttributeName: 'sk', AttributeType: 'S' },
                    ...INDEX_ATTRIBUTES,
                ],
                KeySchema: [
                    { AttributeName: 'pk', KeyType: 'HASH' },
                    { AttributeName: 'sk', KeyType: 'RANGE' },
                ],
                GlobalSecondaryIndexes: INDEXES,
            }), CONTROL_DEADLINE_MS);
            created = true;
        }
        catch (err) {
            if (err.name !== 'ResourceInUseException')
                throw classify(err, this.config);
        }
        try {
            for (let i = 0; i < 120; i++) {
                const d = await this.send(new dist_cjs/* DescribeTableCommand */.h8C({ TableName: this.config.table }), CONTROL_DEADLINE_MS);
                checkKeySchema(this.config.table, d.Table);
                if (d.Table?.TableStatus === 'ACTIVE')
                    break;
                await new Promise((r) => setTimeout(r, 1000));
            }
            await this.send(new dist_cjs/* UpdateTimeToLiveCommand */.Btq({
                TableName: this.config.table,
                TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
            }), CONTROL_DEADLINE_MS).catch((err) => {
                // Already enabled is the second-run case.
                if (/already enabled|TimeToLive is already/i.test(err.message))
                    return;
                // Engines without the TTL API (dynalite): the table works; history and queue items are just never expired by the engine.
                if (err.name === 'UnknownOperationException' || /UnknownOperation/i.test(err.message)) {
                    this.initNotes.push(`this DynamoDB engine has no TTL API (UpdateTimeToLive: ${err.name}): history and queue entries will not be deleted by the engine`);
                    return;
                }
                throw err;
            });
            await this.upgrade(progress);
        }
        catch (err) {
            throw classify(err, this.config);
        }
        return created;
    }
    /**
     * Brings a table made by an earlier release up to date: adds the missing indexes (one
     * UpdateTable each, as DynamoDB builds one at a time), waits until they are ACTIVE, and
     * gives every lock and history item written without its index attribute that attribute.
     * Safe to run again, and while locks are taken: a second run finds nothing to do.
     */
    async upgrade(progress) {
        const table = this.config.table;
        const describe = async () => (await this.send(new dist_cjs/* DescribeTableCommand */.h8C({ TableName: table }), CONTROL_DEADLINE_MS)).Table;
        let t = await describe();
        let { missing, notActive } = indexState(table, t);
        for (const index of missing) {
            progress(`adding index ${index.IndexName} to table ${table}`);
            const provisioned = t?.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST' && (t?.ProvisionedThroughput?.ReadCapacityUnits ?? 0) > 0;
            await this.send(new dist_cjs/* UpdateTableCommand */.NQf({
                TableName: table,
                AttributeDefinitions: INDEX_ATTRIBUTES.concat([
                    { AttributeName: 'pk', AttributeType: 'S' },
                    { AttributeName: 'sk', AttributeType: 'S' },
                ]).filter((a) => index.KeySchema?.some((k) => k.AttributeName === a.AttributeName)),
                GlobalSecondaryIndexUpdates: [
                    {
                        Create: {
                            ...index,
                            ...(provisioned
                                ? { ProvisionedThroughput: { ReadCapacityUnits: t?.ProvisionedThroughput?.ReadCapacityUnits ?? 1, WriteCapacityUnits: t?.ProvisionedThroughput?.WriteCapacityUnits ?? 1 } }
                                : {}),
                        },
                    },
                ],
            }), CONTROL_DEADLINE_MS).catch((err) => {
                // Another `init` added it meanwhile: wait for it like ours.
                if (!/already exists/i.test(err.message))
                    throw err;
            });
            t = await this.untilIndexesActive(describe, [index.IndexName ?? ''], progress);
        }
        ({ notActive } = indexState(table, t));
        if (notActive.length > 0)
            await this.untilIndexesActive(describe, notActive, progress);
        const n = await this.backfill();
        if (n.locks > 0 || n.history > 0)
            progress(`gave ${n.locks} lock item(s) and ${n.history} history event(s) their index attribute`);
    }
    async untilIndexesActive(describe, names, progress) {
        const deadline = Date.now() + INDEX_WAIT_MS;
        let said = 0;
        for (;;) {
            const t = await describe();
            const pending = indexState(this.config.table, t).notActive.filter((n) => names.includes(n));
            if (pending.length === 0 && t?.TableStatus === 'ACTIVE')
                return t;
            if (Date.now() > deadline) {
                throw new lock_types/* StoreError */.AD('other', `index ${pending.join(', ')} of table ${this.config.table} is not ACTIVE after ${INDEX_WAIT_MS / 60_000} minutes; run \`daplaya init\` again later`, false);
            }
            if (Date.now() - said > 60_000) {
                if (said > 0)
                    progress(`waiting for index ${pending.join(', ')} of table ${this.config.table} to become ACTIVE`);
                said = Date.now();
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
    }
    /**
     * Gives lock items without `lockIdx` (or with another shard's) and history items without
     * `hDay` their index attribute: one scan of keys, one conditional update per item found
     * (which never re-creates an item deleted meanwhile by TTL).
     */
    async backfill() {
        const items = await this.pages((start) => this.send(new dist_cjs/* ScanCommand */.Zy5({
            TableName: this.config.table,
            ProjectionExpression: 'pk, sk, lockIdx, hDay',
            // Lock items are few: all come back and are checked here; history items only when unmarked.
            FilterExpression: 'sk = :lock OR (begins_with(sk, :h) AND attribute_not_exists(hDay))',
            ExpressionAttributeValues: { ':lock': { S: LOCK_SK }, ':h': { S: 'H#' } },
            ExclusiveStartKey: start,
        }), CONTROL_DEADLINE_MS));
        const todo = items.flatMap((it) => {
            const pk = it.pk?.S;
            const sk = it.sk?.S;
            if (pk === undefined || sk === undefined)
                return [];
            if (sk === LOCK_SK)
                return it.lockIdx?.S === lockShard(pk) ? [] : [{ pk, sk, attr: 'lockIdx', value: lockShard(pk) }];
            const day = historyDayOfSortKey(sk);
            return day ? [{ pk, sk, attr: 'hDay', value: day }] : [];
        });
        let next = 0;
        const worker = async () => {
            while (next < todo.length) {
                const u = todo[next++];
                await this.send(new dist_cjs/* UpdateItemCommand */.Cs({
                    TableName: this.config.table,
                    Key: { pk: { S: u.pk }, sk: { S: u.sk } },
                    UpdateExpression: 'SET #attr = :v',
                    ConditionExpression: 'attribute_exists(sk)',
                    ExpressionAttributeNames: { '#attr': u.attr },
                    ExpressionAttributeValues: { ':v': { S: u.value } },
                })).catch((err) => {
                    if (err.name !== 'ConditionalCheckFailedException')
                        throw err;
                });
            }
        };
        await Promise.all(Array.from({ length: BACKFILL_WRITERS }, worker));
        return { locks: todo.filter((u) => u.attr === 'lockIdx').length, history: todo.filter((u) => u.attr === 'hDay').length };
    }
}
const KEY_SCHEMA = [
    { name: 'pk', type: 'HASH', attr: 'S' },
    { name: 'sk', type: 'RANGE', attr: 'S' },
];
const showKeys = (keys) => keys.map((k) => `${k.name}(${k.type}, ${k.attr})`).join(' + ');
/**
 * `init` on a table that already exists: its key schema must be daplaya's, or every
 * lock would fail later with ValidationException.
 */
function checkKeySchema(table, t) {
    if (!t?.KeySchema)
        return;
    const types = new Map((t.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    const keys = t.KeySchema.map((k) => ({ name: k.AttributeName ?? '?', type: k.KeyType ?? '?', attr: types.get(k.AttributeName) ?? '?' })).sort((a, b) => a.type === b.type ? 0 : a.type === 'HASH' ? -1 : 1);
    if (showKeys(keys) !== showKeys(KEY_SCHEMA)) {
        throw new lock_types/* StoreError */.AD('other', `table ${table} exists with key schema ${showKeys(keys) || 'none'}; daplaya needs ${showKeys(KEY_SCHEMA)}: pick another --table`, false);
    }
}
function num(v) {
    return v?.N !== undefined ? Number(v.N) : undefined;
}
function fromItem(it, name) {
    const item = { name: it.pk?.S ?? name, fence: num(it.fence) ?? 0 };
    const str = (k) => {
        const v = it[k]?.S;
        if (v !== undefined)
            item[k] = v;
    };
    const n = (k) => {
        const v = num(it[k]);
        if (v !== undefined)
            item[k] = v;
    };
    for (const k of ['owner', 'user', 'meta', 'lastJoin', 'lastOwner', 'lastUser', 'forcedBy', 'forcedFrom', 'forceReason', 'prevOwner', 'prevUser'])
        str(k);
    for (const k of ['acquiredAt', 'updatedAt', 'expiresAt', 'releasedAt', 'nextTicket', 'nowServing', 'prevExpiresAt', 'uberPendingUntil', 'lastAcquiredAt', 'leaseMs', 'lastJoinAt'])
        n(k);
    if (it.uberlock?.BOOL !== undefined)
        item.uberlock = it.uberlock.BOOL;
    if (it.metaData?.S !== undefined) {
        try {
            const data = JSON.parse(it.metaData.S);
            if (data && typeof data === 'object' && !Array.isArray(data))
                item.metaData = data;
        }
        catch {
            // Edited by hand into something unreadable: the meta text still says it.
        }
    }
    // A held item whose expiry is no number (edited by hand): NaN, so every reader sees an
    // unknown expiry (held, see rules.ts isHeld) rather than a missing one read as 0.
    if (item.owner !== undefined && item.expiresAt === undefined)
        item.expiresAt = NaN;
    return item;
}
/** Names the cause of an SDK failure, and whether repeating the same write may settle it. */
function classify(err, config) {
    if (err instanceof lock_types/* StoreError */.AD)
        return err;
    // Messages name the endpoint, never its password.
    const cfg = config.endpoint ? { ...config, endpoint: (0,redact/* redactUrl */.B)(config.endpoint) } : config;
    const e = err;
    const name = e?.name ?? '';
    const msg = (0,redact/* redactUrl */.B)(e?.message ?? String(err));
    const status = e?.$metadata?.httpStatusCode;
    if (name === 'ResourceNotFoundException') {
        return new lock_types/* StoreError */.AD('no-table', `no such table: ${cfg.table}${cfg.region ? ` in ${cfg.region}` : ''} (create it with \`daplaya init\`, or pass --table)`, false);
    }
    if (/region is missing/i.test(msg) || name === 'RegionMissingError') {
        return new lock_types/* StoreError */.AD('no-region', 'no AWS region: set AWS_REGION or pass --region', false);
    }
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(msg)) {
        return new lock_types/* StoreError */.AD('no-credentials', 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, DAPLAYA_AWS_ACCESS_KEY_ID/DAPLAYA_AWS_SECRET_KEY, or a role', false);
    }
    // STS (the SDK's web-identity chain: GitLab id_tokens, AWS_WEB_IDENTITY_TOKEN_FILE) refused the
    // role: the table was never asked, so naming it would send the reader to the wrong policy.
    if (['AccessDenied', 'InvalidIdentityToken', 'IDPRejectedClaim', 'IDPCommunicationError'].includes(name) || /sts:AssumeRole/.test(msg)) {
        return new lock_types/* StoreError */.AD('access-denied', `AWS STS refused the role (${name}: ${firstLine(msg)}): check the role's trust policy for this token's issuer, audience and subject`, false);
    }
    if (['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'MissingAuthenticationTokenException'].includes(name)) {
        return new lock_types/* StoreError */.AD('access-denied', `access denied to DynamoDB table ${cfg.table}: ${name}: ${firstLine(msg)}`, false);
    }
    if (['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException'].includes(name)) {
        return new lock_types/* StoreError */.AD('throttled', `DynamoDB throttled the request: ${firstLine(msg)}`, true);
    }
    const code = e?.code ?? e?.cause?.code ?? '';
    if (name === 'ProxyError') {
        // The proxy refused or failed the tunnel: the request itself was never sent. A network
        // failure on the way to the proxy may pass; a refusal (407, 403) will not.
        // The message names the proxy and the host it was asked for (DynamoDB, or STS for the credentials).
        return new lock_types/* StoreError */.AD(code ? 'unreachable' : 'other', firstLine(msg), code !== '');
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
        // Nothing reached the engine; repeating is safe and may ride out a blip.
        return new lock_types/* StoreError */.AD('unreachable', `DynamoDB endpoint unreachable${cfg.endpoint ? ` at ${cfg.endpoint}` : ''}: ${code}`, true);
    }
    if (name === 'DeadlineExceeded' || name === 'AbortError') {
        const proxy = config.proxy ? (0,proxy_route/* proxyFor */.iJ)(config.proxy, dynamoTarget(config)) : undefined;
        const via = proxy ? ` through proxy ${(0,proxy_route/* shownProxy */.qb)(proxy)}` : '';
        return new lock_types/* StoreError */.AD('ambiguous', `DynamoDB ${cfg.endpoint ? `at ${cfg.endpoint}` : `table ${cfg.table}`} did not answer within ${err.ms ?? cfg.requestTimeoutMs ?? dynamodb_defaults/* DEFAULT_REQUEST_TIMEOUT_MS */.Z}ms${via}`, true);
    }
    if (name === 'TimeoutError' || name === 'RequestTimeout' || code === 'ECONNRESET' || code === 'EPIPE' || (status !== undefined && status >= 500) || e?.$fault === 'server') {
        return new lock_types/* StoreError */.AD('ambiguous', `DynamoDB request outcome unknown (${name || code || status}): ${firstLine(msg)}`, true);
    }
    return new lock_types/* StoreError */.AD('other', `DynamoDB error ${name}: ${firstLine(msg)}`, false);
}
function firstLine(s) {
    return s.split('\n')[0] ?? s;
}


/***/ })

};
