export const id = 269;
export const ids = [269];
export const modules = {

/***/ 3269:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_REQUEST_TIMEOUT_MS: () => (/* reexport safe */ _dynamodb_defaults_js__WEBPACK_IMPORTED_MODULE_0__.Z),
/* harmony export */   DynamoStore: () => (/* binding */ DynamoStore),
/* harmony export */   classify: () => (/* binding */ classify)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4305);
/* harmony import */ var _dynamodb_defaults_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(164);
/* harmony import */ var _redact_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6216);
/* harmony import */ var _lock_types_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1254);





const LOCK_SK = 'LOCK';
/** A request that got no answer within its deadline: it may or may not have landed. */
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
    constructor(config) {
        this.config = config;
        this.requestTimeoutMs = config.requestTimeoutMs ?? _dynamodb_defaults_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_REQUEST_TIMEOUT_MS */ .Z;
        const cfg = {
            maxAttempts: 3,
            requestHandler: {
                requestTimeout: this.requestTimeoutMs,
                // Without this the SDK only logs a warning on a request past its timeout and keeps waiting.
                throwOnRequestTimeout: true,
                connectionTimeout: Math.min(this.requestTimeoutMs, 3000),
            },
        };
        if (config.region)
            cfg.region = config.region;
        if (config.endpoint)
            cfg.endpoint = config.endpoint;
        if (config.credentials)
            cfg.credentials = config.credentials;
        this.client = new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .DynamoDBClient */ .MGV(cfg);
        this.description = `DynamoDB table ${config.table}${config.region ? ` in ${config.region}` : ''}${config.endpoint ? ` at ${(0,_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .redactUrl */ .B)(config.endpoint)}` : ''}`;
    }
    close() {
        this.client.destroy();
    }
    /**
     * Every request has a hard deadline, SDK retries included: an endpoint that accepts
     * and never answers (or a socket that stalls mid-response) fails the request after
     * `requestTimeoutMs` as an ambiguous outcome, which the lock client settles by retrying.
     */
    send(command) {
        const signal = AbortSignal.timeout(this.requestTimeoutMs);
        return this.client.send(command, { abortSignal: signal }).catch((err) => {
            if (signal.aborted)
                throw new DeadlineExceeded(this.requestTimeoutMs);
            throw err;
        });
    }
    key(name) {
        return { pk: { S: name }, sk: { S: LOCK_SK } };
    }
    async update(name, input) {
        try {
            const out = await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .UpdateItemCommand */ .Cs({
                TableName: this.config.table,
                Key: this.key(name),
                ReturnValues: 'ALL_NEW',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                ...input,
            }));
            return { ok: true, item: fromItem(out.Attributes ?? {}, name) };
        }
        catch (err) {
            if (err instanceof _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .ConditionalCheckFailedException */ .jPo || err.name === 'ConditionalCheckFailedException') {
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
            ':exp': { N: String(c.uberlock ? _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .NEVER */ .tm : now + c.leaseMs) },
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
            UpdateExpression: 'SET lastOwner = #owner, lastUser = #user, lastAcquiredAt = acquiredAt, releasedAt = :now, updatedAt = :now REMOVE #owner, #user, meta, uberlock, acquiredAt, expiresAt, leaseMs, forcedBy, forcedFrom, forceReason',
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
            throw new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('other', 'could not take a queue ticket', false);
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
            await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .PutItemCommand */ .qnp({ TableName: this.config.table, Item: item }));
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
        return this.pages((start) => this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .QueryCommand */ .sfZ({
            TableName: this.config.table,
            ConsistentRead: true,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': { S: name }, ':prefix': { S: prefix } },
            ExclusiveStartKey: start,
        })));
    }
    /** Scans the table for items whose sort key starts with `prefix`. */
    scan(prefix) {
        return this.pages((start) => this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .ScanCommand */ .Zy5({
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
            const out = await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .GetItemCommand */ .ZKh({
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
            event: { S: JSON.stringify(event) },
            ttl: { N: String(Math.floor(event.keepUntil / 1000)) },
        });
    }
    async listHistory(name) {
        const items = name ? await this.query(name, 'H#') : await this.scan('H#');
        const now = Date.now();
        return items
            .map((i) => JSON.parse(i.event?.S ?? '{}'))
            .filter((e) => e.keepUntil > now)
            .sort(_lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .byTime */ .XL);
    }
    async get(name) {
        try {
            const out = await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .GetItemCommand */ .ZKh({ TableName: this.config.table, Key: this.key(name), ConsistentRead: true }));
            return out.Item ? fromItem(out.Item, name) : undefined;
        }
        catch (err) {
            throw classify(err, this.config);
        }
    }
    async list() {
        return (await this.scan(LOCK_SK)).filter((it) => it.sk?.S === LOCK_SK).map((it) => fromItem(it, it.pk?.S ?? '?'));
    }
    async init() {
        let created = false;
        try {
            await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .CreateTableCommand */ .IxS({
                TableName: this.config.table,
                BillingMode: 'PAY_PER_REQUEST',
                AttributeDefinitions: [
                    { AttributeName: 'pk', AttributeType: 'S' },
                    { AttributeName: 'sk', AttributeType: 'S' },
                ],
                KeySchema: [
                    { AttributeName: 'pk', KeyType: 'HASH' },
                    { AttributeName: 'sk', KeyType: 'RANGE' },
                ],
            }));
            created = true;
        }
        catch (err) {
            if (err.name !== 'ResourceInUseException')
                throw classify(err, this.config);
        }
        try {
            for (let i = 0; i < 120; i++) {
                const d = await this.send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .DescribeTableCommand */ .h8C({ TableName: this.config.table }));
                checkKeySchema(this.config.table, d.Table);
                if (d.Table?.TableStatus === 'ACTIVE')
                    break;
                await new Promise((r) => setTimeout(r, 1000));
            }
            await this.client
                .send(new _aws_sdk_client_dynamodb__WEBPACK_IMPORTED_MODULE_2__/* .UpdateTimeToLiveCommand */ .Btq({
                TableName: this.config.table,
                TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
            }))
                .catch((err) => {
                // Already enabled is the second-run case.
                if (!/already enabled|TimeToLive is already/i.test(err.message))
                    throw err;
            });
        }
        catch (err) {
            throw classify(err, this.config);
        }
        return created;
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
        throw new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('other', `table ${table} exists with key schema ${showKeys(keys) || 'none'}; daplaya needs ${showKeys(KEY_SCHEMA)}: pick another --table`, false);
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
    // A held item whose expiry is no number (edited by hand): NaN, so every reader sees an
    // unknown expiry (held, see rules.ts isHeld) rather than a missing one read as 0.
    if (item.owner !== undefined && item.expiresAt === undefined)
        item.expiresAt = NaN;
    return item;
}
/** Names the cause of an SDK failure, and whether repeating the same write may settle it. */
function classify(err, config) {
    if (err instanceof _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD)
        return err;
    // Messages name the endpoint, never its password.
    const cfg = config.endpoint ? { ...config, endpoint: (0,_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .redactUrl */ .B)(config.endpoint) } : config;
    const e = err;
    const name = e?.name ?? '';
    const msg = (0,_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .redactUrl */ .B)(e?.message ?? String(err));
    const status = e?.$metadata?.httpStatusCode;
    if (name === 'ResourceNotFoundException') {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('no-table', `no such table: ${cfg.table}${cfg.region ? ` in ${cfg.region}` : ''} (create it with \`daplaya init\`, or pass --table)`, false);
    }
    if (/region is missing/i.test(msg) || name === 'RegionMissingError') {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('no-region', 'no AWS region: set AWS_REGION or pass --region', false);
    }
    if (name === 'CredentialsProviderError' || /could not load credentials/i.test(msg)) {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('no-credentials', 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, DAPLAYA_AWS_ACCESS_KEY_ID/DAPLAYA_AWS_SECRET_KEY, or a role', false);
    }
    if (['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'MissingAuthenticationTokenException'].includes(name)) {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('access-denied', `access denied to DynamoDB table ${cfg.table}: ${name}: ${firstLine(msg)}`, false);
    }
    if (['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException'].includes(name)) {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('throttled', `DynamoDB throttled the request: ${firstLine(msg)}`, true);
    }
    const code = e?.code ?? e?.cause?.code ?? '';
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
        // Nothing reached the engine; repeating is safe and may ride out a blip.
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('unreachable', `DynamoDB endpoint unreachable${cfg.endpoint ? ` at ${cfg.endpoint}` : ''}: ${code}`, true);
    }
    if (name === 'DeadlineExceeded' || name === 'AbortError') {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('ambiguous', `DynamoDB ${cfg.endpoint ? `at ${cfg.endpoint}` : `table ${cfg.table}`} did not answer within ${err.ms ?? cfg.requestTimeoutMs ?? _dynamodb_defaults_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_REQUEST_TIMEOUT_MS */ .Z}ms`, true);
    }
    if (name === 'TimeoutError' || name === 'RequestTimeout' || code === 'ECONNRESET' || code === 'EPIPE' || (status !== undefined && status >= 500) || e?.$fault === 'server') {
        return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('ambiguous', `DynamoDB request outcome unknown (${name || code || status}): ${firstLine(msg)}`, true);
    }
    return new _lock_types_js__WEBPACK_IMPORTED_MODULE_1__/* .StoreError */ .AD('other', `DynamoDB error ${name}: ${firstLine(msg)}`, false);
}
function firstLine(s) {
    return s.split('\n')[0] ?? s;
}


/***/ })

};
