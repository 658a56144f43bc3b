export const id = 508;
export const ids = [508];
export const modules = {

/***/ 7943:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   YB: () => (/* binding */ proxyAuthorization),
/* harmony export */   iJ: () => (/* binding */ proxyFor),
/* harmony export */   qb: () => (/* binding */ shownProxy)
/* harmony export */ });
/* unused harmony export noProxyEntryMatches */
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);

/** `10.1.2.3` → its 32-bit value; undefined for anything else. */
function ipv4(text) {
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(text) !== 4)
        return undefined;
    return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
/** Lower case, no brackets or trailing dot; an IPv6 address in its one canonical spelling. */
function bare(host) {
    const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    return (0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(h) === 6 ? new URL(`http://[${h}]`).hostname.replace(/^\[|\]$/g, '') : h;
}
/**
 * Whether one NO_PROXY entry covers `host:port`. The forms other tools accept:
 * `*` (everything), `example.com` (it and its subdomains), `.example.com` or
 * `*.example.com` (subdomains and the domain), an IP, an IPv4 CIDR like `10.0.0.0/8`,
 * and any of these with `:port` to cover one port only.
 */
function noProxyEntryMatches(entry, host, port) {
    let e = entry.trim().toLowerCase();
    if (e === '')
        return false;
    if (e === '*')
        return true;
    // host:port, [v6]:port; a bare IPv6 address has colons but no port.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(e);
    if (withPort) {
        if (Number(withPort[2]) !== port)
            return false;
        e = withPort[1];
    }
    e = bare(e);
    const h = bare(host);
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(e);
    if (cidr) {
        const net = ipv4(cidr[1]);
        const addr = ipv4(h);
        const bits = Number(cidr[2]);
        if (net === undefined || addr === undefined || bits > 32)
            return false;
        const size = 2 ** (32 - bits);
        return Math.floor(addr / size) === Math.floor(net / size);
    }
    e = e.replace(/^\*?\./, '');
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(h) !== 0 || (0,node_net__WEBPACK_IMPORTED_MODULE_0__.isIP)(e) !== 0)
        return h === e;
    return h === e || h.endsWith(`.${e}`);
}
/** The proxy a connection to `protocol//host:port` goes through, or undefined for a direct one. */
function proxyFor(settings, target) {
    if (!settings)
        return undefined;
    const proxy = target.protocol === 'https:' ? settings.https : settings.http;
    if (!proxy)
        return undefined;
    if (settings.noProxy.some((entry) => noProxyEntryMatches(entry, target.host, target.port)))
        return undefined;
    return proxy;
}
/** `http://user:***@proxy:3128`: the proxy as messages show it, never with its password. */
function shownProxy(proxy) {
    return `${proxy.protocol}//${proxy.username ? `${proxy.username}:***@` : ''}${proxy.host}`;
}
/** The Proxy-Authorization value for a proxy URL's user and password (config/proxy.ts checked they decode). */
function proxyAuthorization(proxy) {
    if (!proxy.username && !proxy.password)
        return undefined;
    return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}


/***/ }),

/***/ 8985:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Mt: () => (/* binding */ sdkRequestHandler)
/* harmony export */ });
/* unused harmony exports ProxyError, openTunnel, proxyAgents */
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_https__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1692);
/* harmony import */ var node_tls__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_tls__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _proxy_route_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7943);





/**
 * HTTP agents that reach their targets through the proxy `proxy-route.ts` picks: a
 * CONNECT tunnel through an http:// or https:// proxy, then TLS to the target for an
 * https request (the proxy sees only the host name, never the request), or plain HTTP
 * through the tunnel for an http one. Targets the proxy settings leave out are dialled
 * directly. Node's own env-proxy support (Node ≥ 24.5, opt-in) is not relied on: the
 * action runs on whatever Node 24 the runner ships, and the CLI supports Node 20.
 */
/** A proxy that refused or failed the tunnel: the message names the proxy (never its password). */
class ProxyError extends Error {
    code;
    name = 'ProxyError';
    constructor(message, 
    /** A network error code (ECONNREFUSED, ...) when the proxy could not be reached: nothing was sent, so it is retried. */
    code) {
        super(message);
        this.code = code;
    }
}
/** The CONNECT answer's head may not exceed this: a proxy sending more is not one. */
const MAX_CONNECT_HEAD = 16 * 1024;
/** Network failures on the way to the proxy: nothing was sent, so trying again is safe. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/**
 * Opens a CONNECT tunnel to `host:port` through `proxy`; `done` gets the raw socket, ready
 * for TLS or HTTP. Returns a cancel function: an aborted request or a destroyed agent
 * must not wait for the proxy (a proxy that never answers would hold the process).
 */
function openTunnel(proxy, host, port, timeoutMs, done) {
    const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
    const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
    const shown = (0,_proxy_route_js__WEBPACK_IMPORTED_MODULE_4__/* .shownProxy */ .qb)(proxy);
    const target = `${node_net__WEBPACK_IMPORTED_MODULE_2___default().isIPv6(host) ? `[${host}]` : host}:${port}`;
    const authorization = (0,_proxy_route_js__WEBPACK_IMPORTED_MODULE_4__/* .proxyAuthorization */ .YB)(proxy);
    const socket = proxy.protocol === 'https:'
        ? node_tls__WEBPACK_IMPORTED_MODULE_3___default().connect({ host: proxyHost, port: proxyPort, ...(node_net__WEBPACK_IMPORTED_MODULE_2___default().isIP(proxyHost) ? {} : { servername: proxyHost }) })
        : node_net__WEBPACK_IMPORTED_MODULE_2___default().connect({ host: proxyHost, port: proxyPort });
    let settled = false;
    const finish = (err) => {
        if (settled)
            return;
        settled = true;
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeListener('error', onError);
        socket.removeListener('close', onClose);
        if (err) {
            // A late error of the dropped socket must not become an unhandled 'error' event.
            socket.on('error', () => undefined);
            socket.destroy();
            done(err);
        }
        else {
            done(null, socket);
        }
    };
    const timer = setTimeout(() => finish(new ProxyError(`proxy ${shown} did not open a tunnel to ${target} within ${timeoutMs}ms`, 'ETIMEDOUT')), timeoutMs);
    const onError = (err) => finish(new ProxyError(`proxy ${shown} could not be reached: ${err.code ?? err.message}`, err.code && NETWORK_CODES.has(err.code) ? err.code : undefined));
    const onClose = () => finish(new ProxyError(`proxy ${shown} closed the connection before answering CONNECT ${target}`, 'ECONNRESET'));
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
            if (head.length > MAX_CONNECT_HEAD)
                finish(new ProxyError(`proxy ${shown} sent no valid answer to CONNECT ${target}`));
            return;
        }
        const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        const status = /^HTTP\/1\.[01] (\d{3})\s*(.*)$/.exec(statusLine);
        if (!status)
            return finish(new ProxyError(`proxy ${shown} sent no valid answer to CONNECT ${target}`));
        const code = Number(status[1]);
        if (code < 200 || code > 299) {
            const hint = code === 407 ? ' (check the user and password in the proxy URL)' : code === 403 ? ' (the proxy may allow CONNECT only to port 443: list this host in NO_PROXY)' : '';
            return finish(new ProxyError(`proxy ${shown} answered ${code}${status[2] ? ` ${status[2]}` : ''} to CONNECT ${target}${hint}`));
        }
        const rest = head.subarray(end + 4);
        if (rest.length > 0)
            socket.unshift(rest);
        finish(null);
    };
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('data', onData);
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${authorization ? `Proxy-Authorization: ${authorization}\r\n` : ''}\r\n`);
    return () => finish(new ProxyError(`the tunnel through proxy ${shown} to ${target} was given up`, 'ECONNRESET'));
}
/** Node's own env-proxy (NODE_USE_ENV_PROXY) stays out of these agents: they do the routing. */
const NO_NODE_PROXY = { proxyEnv: null };
/**
 * One agent's routing: a connection goes direct (Node's own connect, exactly as without
 * a proxy) or through a tunnel, and the tunnels still opening are tracked so that
 * destroying the agent gives them up.
 */
class TunnelRouter {
    settings;
    timeoutMs;
    cancels = new Set();
    constructor(settings, timeoutMs) {
        this.settings = settings;
        this.timeoutMs = timeoutMs;
    }
    /** createConnection for `protocol`: `direct` when no proxy applies, else `over` the tunnel's socket. Never throws. */
    connect(protocol, options, done, direct, over) {
        const host = String(options.host ?? 'localhost');
        const port = Number(options.port ?? (protocol === 'https:' ? 443 : 80));
        const proxy = (0,_proxy_route_js__WEBPACK_IMPORTED_MODULE_4__/* .proxyFor */ .iJ)(this.settings, { protocol, host, port });
        // No callback to hand a tunnel to: only a direct connection can be returned.
        if (!proxy || !done)
            return direct();
        const settle = (err, raw) => (err || !raw ? done(err ?? new ProxyError('no tunnel'), undefined) : done(null, over(raw, host)));
        let cancel;
        try {
            cancel = openTunnel(proxy, host, port, this.timeoutMs, (err, raw) => {
                if (cancel)
                    this.cancels.delete(cancel);
                settle(err, raw);
            });
            this.cancels.add(cancel);
        }
        catch (err) {
            process.nextTick(settle, err);
        }
        return undefined;
    }
    cancelAll() {
        for (const cancel of [...this.cancels])
            cancel();
    }
}
class TunnellingHttpsAgent extends (node_https__WEBPACK_IMPORTED_MODULE_1___default().Agent) {
    router;
    constructor(router, options) {
        super({ ...options, ...NO_NODE_PROXY });
        this.router = router;
    }
    createConnection(options, done) {
        return this.router.connect('https:', options, done, () => super.createConnection(options, done), (raw, host) => {
            // `host` stays: over a given socket it is only the name the certificate is checked against.
            const { port: _p, path: _path, ...tlsOptions } = options;
            return node_tls__WEBPACK_IMPORTED_MODULE_3___default().connect({ ...tlsOptions, host, socket: raw, ...(node_net__WEBPACK_IMPORTED_MODULE_2___default().isIP(host) ? {} : { servername: options.servername || host }) });
        });
    }
    destroy() {
        this.router.cancelAll();
        super.destroy();
    }
}
class TunnellingHttpAgent extends (node_http__WEBPACK_IMPORTED_MODULE_0___default().Agent) {
    router;
    constructor(router, options) {
        super({ ...options, ...NO_NODE_PROXY });
        this.router = router;
    }
    createConnection(options, done) {
        return this.router.connect('http:', options, done, () => super.createConnection(options, done), (raw) => raw);
    }
    destroy() {
        this.router.cancelAll();
        super.destroy();
    }
}
/** The agents for one client: `keepAlive` as the AWS SDK sets its own. */
function proxyAgents(settings, timeoutMs) {
    const options = { keepAlive: true, maxSockets: 50 };
    const httpAgent = new TunnellingHttpAgent(new TunnelRouter(settings, timeoutMs), options);
    const httpsAgent = new TunnellingHttpsAgent(new TunnelRouter(settings, timeoutMs), options);
    return {
        httpAgent,
        httpsAgent,
        destroy: () => {
            httpAgent.destroy();
            httpsAgent.destroy();
        },
    };
}
/**
 * The AWS SDK's request-handler options for DynamoDB and STS: each attempt fails past
 * `requestTimeoutMs` (without `throwOnRequestTimeout` the SDK only logs a warning and
 * keeps waiting), and connects through the proxy when one is set. `destroy` ends the
 * proxy's agents: the SDK leaves agents it was given alone when its client is destroyed.
 */
function sdkRequestHandler(requestTimeoutMs, proxy) {
    const agents = proxy ? proxyAgents(proxy, requestTimeoutMs) : undefined;
    return {
        options: {
            requestTimeout: requestTimeoutMs,
            throwOnRequestTimeout: true,
            connectionTimeout: Math.min(requestTimeoutMs, 3000),
            ...(agents ? { httpAgent: agents.httpAgent, httpsAgent: agents.httpsAgent } : {}),
        },
        destroy: () => agents?.destroy(),
    };
}


/***/ }),

/***/ 9508:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DynamoStore: () => (/* binding */ DynamoStore)
});

// UNUSED EXPORTS: DEFAULT_REQUEST_TIMEOUT_MS, classify

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
// EXTERNAL MODULE: ./src/net/tunnel.ts
var tunnel = __webpack_require__(8985);
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
