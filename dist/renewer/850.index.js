export const id = 850;
export const ids = [850];
export const modules = {

/***/ 6850:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   githubRoleCredentials: () => (/* binding */ githubRoleCredentials)
/* harmony export */ });
/* unused harmony export webIdentityCredentials */
/* harmony import */ var _net_tunnel_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8985);

/** One STS exchange may take this long, SDK retries included: nothing waits forever. */
const STS_DEADLINE_MS = 15_000;
/**
 * Credentials from STS AssumeRoleWithWebIdentity, refreshed five minutes before they
 * expire, so a renewer that lives longer than one session keeps working.
 */
function webIdentityCredentials(opts) {
    let cached;
    return async () => {
        if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000)
            return cached;
        const { STSClient, AssumeRoleWithWebIdentityCommand } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(695)]).then(__webpack_require__.t.bind(__webpack_require__, 1695, 19));
        const handler = (0,_net_tunnel_js__WEBPACK_IMPORTED_MODULE_0__/* .sdkRequestHandler */ .Mt)(STS_DEADLINE_MS / 3, opts.proxy);
        const sts = new STSClient({ region: opts.region ?? 'us-east-1', requestHandler: handler.options });
        try {
            const token = await opts.getIdToken();
            const out = await sts.send(new AssumeRoleWithWebIdentityCommand({
                RoleArn: opts.roleArn,
                RoleSessionName: opts.sessionName,
                WebIdentityToken: token,
                DurationSeconds: 3600,
            }), { abortSignal: AbortSignal.timeout(STS_DEADLINE_MS) });
            const c = out.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey)
                throw new Error('STS returned no credentials');
            cached = {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
                ...(c.Expiration ? { expiration: c.Expiration } : {}),
            };
            return cached;
        }
        catch (err) {
            const e = err;
            throw Object.assign(new Error(`could not assume role ${opts.roleArn} with the GitHub OIDC token: ${e.name}: ${e.message}`), {
                name: 'AccessDeniedException',
            });
        }
        finally {
            sts.destroy();
            handler.destroy();
        }
    };
}
/**
 * The GitHub job's role credentials (input role-to-assume): its OIDC token for `audience`,
 * exchanged with STS. One wiring for the action's phases and the renewer they start.
 */
async function githubRoleCredentials(opts) {
    const core = await __webpack_require__.e(/* import() */ 421).then(__webpack_require__.bind(__webpack_require__, 6421));
    return webIdentityCredentials({
        roleArn: opts.roleArn,
        sessionName: opts.sessionName,
        ...(opts.region ? { region: opts.region } : {}),
        ...(opts.proxy ? { proxy: opts.proxy } : {}),
        getIdToken: () => core.getIDToken(opts.audience),
    });
}


/***/ }),

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


/***/ })

};
