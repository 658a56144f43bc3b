import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 3559:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ historyPage),
/* harmony export */   l: () => (/* binding */ newestFirst)
/* harmony export */ });
/* harmony import */ var _types_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1254);

/** Newest first: later time first; in the same millisecond, the protocol's order reversed. */
function newestFirst(a, b) {
    return (0,_types_js__WEBPACK_IMPORTED_MODULE_0__/* .byTime */ .XL)(b, a);
}
/**
 * A query's page cut from events already in memory (the memory and file stores): those of
 * `q.name` (every env when absent), at or after `q.since`, not past their keepUntil, the
 * newest `q.limit` of them, newest first.
 */
function historyPage(events, q, now) {
    const matching = events
        .filter((e) => (q.name === undefined || e.name === q.name) && (q.since === undefined || e.at >= q.since) && e.keepUntil > now)
        .sort(newestFirst);
    if (q.limit === undefined || matching.length <= q.limit)
        return { events: matching, more: false };
    return { events: matching.slice(0, q.limit), more: true };
}


/***/ }),

/***/ 1254:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AD: () => (/* binding */ StoreError),
/* harmony export */   XL: () => (/* binding */ byTime),
/* harmony export */   tm: () => (/* binding */ NEVER)
/* harmony export */ });
/** Events in the same millisecond are told in the order they happen in the protocol. */
const KIND_ORDER = { expired: 0, forced: 1, acquired: 2, extended: 3, released: 4, 'force-released': 5, 'gave-up': 6 };
function byTime(a, b) {
    return a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}
/** A store failure named by cause. `transient` ones may be retried with the same write. */
class StoreError extends Error {
    kind;
    transient;
    constructor(kind, message, transient) {
        super(message);
        this.kind = kind;
        this.transient = transient;
        this.name = 'StoreError';
    }
}
/** Expiry used for uberlocks: they never lapse on their own. */
const NEVER = 8_640_000_000_000_000;


/***/ }),

/***/ 7943:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   YB: () => (/* binding */ proxyAuthorization),
/* harmony export */   iJ: () => (/* binding */ proxyFor),
/* harmony export */   qb: () => (/* binding */ shownProxy)
/* harmony export */ });
/* unused harmony export noProxyEntryMatches */
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);

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

/***/ 591:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Hd: () => (/* binding */ proxyAgents),
  Mt: () => (/* binding */ sdkRequestHandler)
});

// UNUSED EXPORTS: ProxyError, openTunnel

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __nccwpck_require__(4708);
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
var external_node_tls_default = /*#__PURE__*/__nccwpck_require__.n(external_node_tls_namespaceObject);
// EXTERNAL MODULE: ./src/net/proxy-route.ts
var proxy_route = __nccwpck_require__(7943);
;// CONCATENATED MODULE: ./src/net/tunnel.ts





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
    const shown = (0,proxy_route/* shownProxy */.qb)(proxy);
    const target = `${external_node_net_default().isIPv6(host) ? `[${host}]` : host}:${port}`;
    const authorization = (0,proxy_route/* proxyAuthorization */.YB)(proxy);
    const socket = proxy.protocol === 'https:'
        ? external_node_tls_default().connect({ host: proxyHost, port: proxyPort, ...(external_node_net_default().isIP(proxyHost) ? {} : { servername: proxyHost }) })
        : external_node_net_default().connect({ host: proxyHost, port: proxyPort });
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
        const proxy = (0,proxy_route/* proxyFor */.iJ)(this.settings, { protocol, host, port });
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
class TunnellingHttpsAgent extends (external_node_https_default()).Agent {
    router;
    constructor(router, options) {
        super({ ...options, ...NO_NODE_PROXY });
        this.router = router;
    }
    createConnection(options, done) {
        return this.router.connect('https:', options, done, () => super.createConnection(options, done), (raw, host) => {
            // `host` stays: over a given socket it is only the name the certificate is checked against.
            const { port: _p, path: _path, ...tlsOptions } = options;
            return external_node_tls_default().connect({ ...tlsOptions, host, socket: raw, ...(external_node_net_default().isIP(host) ? {} : { servername: options.servername || host }) });
        });
    }
    destroy() {
        this.router.cancelAll();
        super.destroy();
    }
}
class TunnellingHttpAgent extends (external_node_http_default()).Agent {
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

/***/ 164:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ DEFAULT_REQUEST_TIMEOUT_MS)
/* harmony export */ });
/** Per DynamoDB request, SDK retries included (README "Timeouts and bounds"). Apart from dynamodb.ts so configuration can name it without loading the SDK. */
const DEFAULT_REQUEST_TIMEOUT_MS = 3000;


/***/ }),

/***/ 6216:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ redactUrl)
/* harmony export */ });
/** `scheme://user:password@host` → `scheme://user:***@host`, wherever a URL appears in `text`: for anything printed. */
function redactUrl(text) {
    return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\/?#@:]*):[^\s\/?#]*@/g, '$1:***@');
}


/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  R: () => (/* binding */ handler)
});

;// CONCATENATED MODULE: ./src/quiet-sdk-warning.ts
// Imported first by every entry point. The AWS SDK prints a multi-line Node-version
// notice on Node 20, which would break the one-line error contract of the CLI and
// clutter job logs; the SDK itself is loaded lazily, after this has run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';


;// CONCATENATED MODULE: ./src/lock/errors.ts
/** Input that cannot be used as given: one clear line, exit 2, nothing written. */
class errors_InvalidInputError extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidInputError';
    }
}

;// CONCATENATED MODULE: ./src/lock/durations.ts

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
/**
 * The longest lease, wait, extension or freeze accepted: beyond it timers overflow
 * (Node's are 32-bit) and a typo like `100d` would hold an env for months.
 */
const MAX_DURATION_MS = 30 * 86_400_000;
/** Parses `90s`, `15m`, `2h`, `1h30m`, `0` (plain numbers are seconds), at most MAX_DURATION_MS. */
function durations_parseDuration(value, what = 'duration', maxMs = MAX_DURATION_MS) {
    const ms = parseAnyDuration(value, what);
    if (ms > maxMs)
        throw new errors_InvalidInputError(`${what} ${value} is longer than the maximum of ${durations_formatDuration(maxMs)}`);
    return ms;
}
function parseAnyDuration(value, what) {
    const text = value.trim();
    if (text.startsWith('-'))
        throw new errors_InvalidInputError(`${what} must not be negative: ${value}`);
    if (/^\d+(\.\d+)?$/.test(text))
        return Math.round(Number(text) * 1000);
    let rest = text;
    let total = 0;
    if (rest === '')
        throw new errors_InvalidInputError(`${what} is empty`);
    while (rest !== '') {
        const m = DURATION.exec(rest);
        if (!m)
            throw new errors_InvalidInputError(`${what} ${JSON.stringify(value)} is not a duration like 90s, 15m or 2h`);
        total += Number(m[1]) * UNITS[m[2]];
        rest = rest.slice(m[0].length);
    }
    return Math.round(total);
}
function durations_formatDuration(ms) {
    if (ms < 1000)
        return `${Math.max(0, Math.round(ms))}ms`;
    const s = Math.round(ms / 1000);
    if (s < 60)
        return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60)
        return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
    const h = Math.floor(m / 60);
    if (h < 48)
        return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
    return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/config/common.ts



/** Bad usage: a flag, input or variable that cannot be used as given (exit 2). */
class common_UsageError extends errors_InvalidInputError {
    name = 'UsageError';
}
function common_nonEmpty(v) {
    return v !== undefined && v.trim() !== '' ? v : undefined;
}
function isCI(env) {
    return /^(true|1)$/i.test(env.CI ?? '') || env.GITHUB_ACTIONS === 'true' || env.GITLAB_CI === 'true';
}
/** DAPLAYA_DEBUG: print stack traces of unexpected errors. */
function common_debugEnabled(env) {
    return common_nonEmpty(env.DAPLAYA_DEBUG) !== undefined && !/^(0|false|no)$/i.test(env.DAPLAYA_DEBUG ?? '');
}
/** Where the embedded store lives unless DAPLAYA_STORE_DIR or --store-dir say otherwise. */
function common_defaultStoreDir(env) {
    return external_node_path_default().join(env.HOME ?? external_node_os_default().homedir(), '.daplaya', 'locks');
}
const common_MAX_META = 1000;
const common_MAX_USER = 256;
function common_validateText(what, value, max) {
    if (value.length > max)
        throw new InvalidInputError(`${what} is ${value.length} characters long; the limit is ${max}`);
    return value;
}

;// CONCATENATED MODULE: ./node_modules/is-network-error/index.js
const objectToString = Object.prototype.toString;

const isError = value => objectToString.call(value) === '[object Error]';

const errorMessages = new Set([
	'network error', // Chrome
	'NetworkError when attempting to fetch resource.', // Firefox
	'The Internet connection appears to be offline.', // Safari 16
	'Network request failed', // `cross-fetch`
	'fetch failed', // Undici (Node.js)
	'terminated', // Undici (Node.js)
	' A network error occurred.', // Bun (WebKit)
	'Network connection lost', // Cloudflare Workers (fetch)
]);

function isNetworkError(error) {
	const isValid = error
		&& isError(error)
		&& error.name === 'TypeError'
		&& typeof error.message === 'string';

	if (!isValid) {
		return false;
	}

	const {message, stack} = error;

	// Safari 17+ has generic message but no stack for network errors
	if (message === 'Load failed' || (message.startsWith('Load failed (') && message.endsWith(')'))) {
		return stack === undefined
			// Sentry adds its own stack trace to the fetch error, so also check for that
			|| '__sentry_captured__' in error;
	}

	// Deno network errors start with specific text
	if (message.startsWith('error sending request for url')) {
		return true;
	}

	// Chrome: exact "Failed to fetch" or with hostname: "Failed to fetch (example.com)"
	if (message === 'Failed to fetch' || (message.startsWith('Failed to fetch (') && message.endsWith(')'))) {
		return true;
	}

	// Standard network error messages
	return errorMessages.has(message);
}

;// CONCATENATED MODULE: ./node_modules/p-retry/index.js


function validateRetries(retries) {
	if (typeof retries === 'number') {
		if (retries < 0) {
			throw new TypeError('Expected `retries` to be a non-negative number.');
		}

		if (Number.isNaN(retries)) {
			throw new TypeError('Expected `retries` to be a valid number or Infinity, got NaN.');
		}
	} else if (retries !== undefined) {
		throw new TypeError('Expected `retries` to be a number or Infinity.');
	}
}

function validateNumberOption(name, value, {min = 0, allowInfinity = false} = {}) {
	if (value === undefined) {
		return;
	}

	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? ' or Infinity' : ''}.`);
	}

	if (!allowInfinity && !Number.isFinite(value)) {
		throw new TypeError(`Expected \`${name}\` to be a finite number.`);
	}

	if (value < min) {
		throw new TypeError(`Expected \`${name}\` to be \u2265 ${min}.`);
	}
}

class AbortError extends Error {
	constructor(message) {
		super();

		if (message instanceof Error) {
			this.originalError = message;
			({message} = message);
		} else {
			this.originalError = new Error(message);
			this.originalError.stack = this.stack;
		}

		this.name = 'AbortError';
		this.message = message;
	}
}

function calculateDelay(retriesConsumed, options) {
	const attempt = Math.max(1, retriesConsumed + 1);
	const random = options.randomize ? (Math.random() + 1) : 1;

	let timeout = Math.round(random * options.minTimeout * (options.factor ** (attempt - 1)));
	timeout = Math.min(timeout, options.maxTimeout);

	return timeout;
}

function calculateRemainingTime(start, max) {
	if (!Number.isFinite(max)) {
		return max;
	}

	return max - (performance.now() - start);
}

async function onAttemptFailure({error, attemptNumber, retriesConsumed, startTime, options}) {
	const normalizedError = error instanceof Error
		? error
		: new TypeError(`Non-error was thrown: "${error}". You should only throw errors.`);

	if (normalizedError instanceof AbortError) {
		throw normalizedError.originalError;
	}

	const retriesLeft = Number.isFinite(options.retries)
		? Math.max(0, options.retries - retriesConsumed)
		: options.retries;

	const maxRetryTime = options.maxRetryTime ?? Number.POSITIVE_INFINITY;

	const context = Object.freeze({
		error: normalizedError,
		attemptNumber,
		retriesLeft,
		retriesConsumed,
	});

	await options.onFailedAttempt(context);

	if (calculateRemainingTime(startTime, maxRetryTime) <= 0) {
		throw normalizedError;
	}

	const consumeRetry = await options.shouldConsumeRetry(context);

	const remainingTime = calculateRemainingTime(startTime, maxRetryTime);

	if (remainingTime <= 0 || retriesLeft <= 0) {
		throw normalizedError;
	}

	if (normalizedError instanceof TypeError && !isNetworkError(normalizedError)) {
		if (consumeRetry) {
			throw normalizedError;
		}

		options.signal?.throwIfAborted();
		return false;
	}

	if (!await options.shouldRetry(context)) {
		throw normalizedError;
	}

	if (!consumeRetry) {
		options.signal?.throwIfAborted();
		return false;
	}

	const delayTime = calculateDelay(retriesConsumed, options);
	const finalDelay = Math.min(delayTime, remainingTime);

	options.signal?.throwIfAborted();

	if (finalDelay > 0) {
		await new Promise((resolve, reject) => {
			const onAbort = () => {
				clearTimeout(timeoutToken);
				options.signal?.removeEventListener('abort', onAbort);
				reject(options.signal.reason);
			};

			const timeoutToken = setTimeout(() => {
				options.signal?.removeEventListener('abort', onAbort);
				resolve();
			}, finalDelay);

			if (options.unref) {
				timeoutToken.unref?.();
			}

			options.signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	options.signal?.throwIfAborted();

	return true;
}

async function pRetry(input, options = {}) {
	options = {...options};

	validateRetries(options.retries);

	if (Object.hasOwn(options, 'forever')) {
		throw new Error('The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.');
	}

	options.retries ??= 10;
	options.factor ??= 2;
	options.minTimeout ??= 1000;
	options.maxTimeout ??= Number.POSITIVE_INFINITY;
	options.maxRetryTime ??= Number.POSITIVE_INFINITY;
	options.randomize ??= false;
	options.onFailedAttempt ??= () => {};
	options.shouldRetry ??= () => true;
	options.shouldConsumeRetry ??= () => true;

	// Validate numeric options and normalize edge cases
	validateNumberOption('factor', options.factor, {min: 0, allowInfinity: false});
	validateNumberOption('minTimeout', options.minTimeout, {min: 0, allowInfinity: false});
	validateNumberOption('maxTimeout', options.maxTimeout, {min: 0, allowInfinity: true});
	validateNumberOption('maxRetryTime', options.maxRetryTime, {min: 0, allowInfinity: true});

	// Treat non-positive factor as 1 to avoid zero backoff or negative behavior
	if (!(options.factor > 0)) {
		options.factor = 1;
	}

	options.signal?.throwIfAborted();

	let attemptNumber = 0;
	let retriesConsumed = 0;
	const startTime = performance.now();

	while (Number.isFinite(options.retries) ? retriesConsumed <= options.retries : true) {
		attemptNumber++;

		try {
			options.signal?.throwIfAborted();

			const result = await input(attemptNumber);

			options.signal?.throwIfAborted();

			return result;
		} catch (error) {
			if (await onAttemptFailure({
				error,
				attemptNumber,
				retriesConsumed,
				startTime,
				options,
			})) {
				retriesConsumed++;
			}
		}
	}

	// Should not reach here, but in case it does, throw an error
	throw new Error('Retry attempts exhausted without throwing an error.');
}

function makeRetriable(function_, options) {
	return function (...arguments_) {
		return pRetry(() => function_.apply(this, arguments_), options);
	};
}

;// CONCATENATED MODULE: ./src/lock/backoff.ts
const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 5000, jitter: 0.5 };
/** Exponential backoff, capped, with jitter: delay for the attempt numbered from 0. */
function backoffDelay(attempt, p, random = Math.random) {
    const base = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(attempt, 30));
    return base * (1 - p.jitter) + base * p.jitter * random();
}
/** Sleeps, waking early (and resolving false) if the signal aborts. */
function sleep(ms, signal) {
    return new Promise((resolve) => {
        if (signal?.aborted)
            return resolve(false);
        const done = (ok) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(ok);
        };
        const onAbort = () => done(false);
        // Node's timers are 32-bit: a longer delay would fire at once. Sleep at most ~24 days.
        const timer = setTimeout(() => done(true), Math.min(2_147_483_647, Math.max(0, ms)));
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC on Linux): not moved by
 * NTP steps or a wrong wall clock, and the same clock for every process on the machine,
 * so a renewer can continue a lease timed by the process that took the lock.
 */
function monotonicMs() {
    return Number(process.hrtime.bigint() / 1000000n);
}

// EXTERNAL MODULE: ./src/lock/types.ts
var types = __nccwpck_require__(1254);
;// CONCATENATED MODULE: ./src/lock/acquire.ts


const DEFAULT_QUEUE = {
    ttlMs: 36_000,
    refreshMs: 12_000,
    nearHeadTtlMs: 7_500,
    nearHeadRefreshMs: 2_500,
    headPollMs: 1_500,
    minPollMs: 150,
    maxPollMs: 6_000,
    missingGraceMs: 3_000,
    uberPendingMs: 8_000,
};
function toHolder(item) {
    return {
        name: item.name,
        lockId: item.owner,
        user: item.user ?? 'unknown',
        meta: item.meta ?? '',
        uberlock: item.uberlock === true,
        since: item.acquiredAt ?? 0,
        expiresAt: item.expiresAt ?? 0,
        fence: item.fence,
    };
}
function heldBy(item) {
    return item?.owner !== undefined ? toHolder(item) : undefined;
}
function claimOf(req, extra = {}) {
    const c = { lockId: req.lockId, user: req.user, meta: req.meta, uberlock: req.uberlock === true, leaseMs: req.leaseMs, ...extra };
    if (req.uberlock && req.freezeUntil !== undefined)
        c.freezeUntil = req.freezeUntil;
    if (req.metaData)
        c.metaData = req.metaData;
    return c;
}
/** The takeover part of a claim, when `item` holds a lease the watch says has lapsed. */
function takeoverOf(item) {
    if (item?.owner === undefined || typeof item.expiresAt !== 'number')
        return {};
    return { takeover: { owner: item.owner, fence: item.fence, expiresAt: item.expiresAt } };
}
function clamp(x, lo, hi) {
    return Math.max(lo, Math.min(hi, x));
}
async function acquireLock(ctx, req) {
    return new Acquisition(ctx, req).run();
}
class Acquisition {
    ctx;
    req;
    start;
    watch;
    attempts = 0;
    constructor(ctx, req) {
        this.ctx = ctx;
        this.req = req;
        this.start = ctx.clock();
        this.watch = ctx.leaseWatch(req.name);
    }
    async run() {
        const { req } = this;
        if (req.signal?.aborted)
            return this.notAcquired('cancelled');
        if (req.force)
            return this.byForce();
        // The fast path: one conditional write that succeeds when the lock is free and nobody is queued.
        let r = await this.attempt(claimOf(req));
        if (r.ok)
            return r.result;
        let cur = r.current;
        if (!req.uberlock) {
            // A free lock is never refused because of tickets nobody will use: clear dead ones first.
            if (cur?.owner === undefined && !(await this.clearDeadTickets())) {
                // Live waiters are ahead: the caller joins the line below (or gives up, naming them).
            }
            else if (cur?.owner === undefined || this.canTakeOver(cur)) {
                r = await this.attempt(claimOf(req, takeoverOf(cur)));
                if (r.ok)
                    return r.result;
                cur = r.current;
            }
        }
        const now = this.ctx.clock();
        // A freeze does not end when a job finishes: waiting on it burns a runner for nothing.
        const frozen = !req.uberlock && !req.waitOnFreeze && cur?.owner !== undefined && cur.uberlock === true && !this.canTakeOver(cur);
        if (frozen || now >= this.start + req.waitMs) {
            const holder = heldBy(cur);
            if (holder)
                req.onBusy?.({ holder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: 0 });
            if (holder)
                return this.notAcquired('busy', holder);
            const who = await this.inTheWay();
            return this.notAcquired('busy', who.holder, who.queuedAhead);
        }
        // An uberlock goes ahead of queued waiters: it polls the lock itself, taking no ticket.
        if (req.uberlock)
            return this.byPolling(cur);
        return this.inQueue();
    }
    canTakeOver(item) {
        return this.watch.takeoverIn(item, this.ctx.mono(), this.ctx.clock(), this.ctx.skewMs) <= 0;
    }
    /** One acquire write, settling ambiguity by repeating it; on failure gives back a write that may have landed. */
    async attempt(claim) {
        const { ctx, req } = this;
        const sentAt = ctx.mono();
        let outcome;
        try {
            outcome = await ctx.write(() => ctx.store.acquire(req.name, claim, ctx.clock()));
        }
        catch (err) {
            try {
                await ctx.store.release(req.name, { lockId: req.lockId }, ctx.clock());
            }
            catch {
                // The lease frees it if even this fails.
            }
            throw err;
        }
        this.attempts++;
        if (outcome.ok)
            return { ok: true, result: this.acquired(outcome.item, sentAt) };
        this.watch.see(outcome.current, ctx.mono());
        return { ok: false, current: outcome.current };
    }
    acquired(item, confirmedAt) {
        const r = {
            acquired: true,
            lock: toHolder(item),
            waitedMs: this.ctx.clock() - this.start,
            attempts: this.attempts,
            confirmedAt,
        };
        if (item.prevOwner && item.prevOwner !== 'none' && item.prevOwner !== item.owner) {
            r.replaced = { lockId: item.prevOwner, user: item.prevUser ?? 'unknown', expiresAt: item.prevExpiresAt ?? 0 };
        }
        return r;
    }
    notAcquired(reason, holder, queuedAhead) {
        const r = { acquired: false, reason, waitedMs: this.ctx.clock() - this.start, attempts: this.attempts };
        if (holder)
            r.holder = holder;
        if (queuedAhead)
            r.queuedAhead = queuedAhead;
        return r;
    }
    forcedFrom;
    async byForce() {
        const { ctx, req } = this;
        let seen = heldBy(await ctx.write(() => ctx.store.get(req.name)));
        for (let i = 1; i <= 5; i++) {
            this.forcedFrom = seen && seen.lockId !== req.lockId ? seen : undefined;
            const r = await this.attempt(claimOf(req, { force: { seenOwner: seen?.lockId, reason: req.force.reason } }));
            if (r.ok) {
                if (r.result.acquired && this.forcedFrom)
                    r.result.tookOverFrom = this.forcedFrom;
                return r.result;
            }
            seen = heldBy(r.current);
        }
        throw new types/* StoreError */.AD('other', `could not force env ${req.name}: its holder kept changing`, false);
    }
    /**
     * Who stands in the way of a caller that found the lock free but could not take it:
     * the holder if someone took it meanwhile (often the queue's head), else the live
     * waiters ahead. The refusal then always names someone.
     */
    async inTheWay() {
        const { ctx, req } = this;
        const item = await ctx.write(() => ctx.store.get(req.name));
        const holder = heldBy(item);
        if (holder)
            return { holder };
        const served = item?.nowServing ?? 0;
        const now = ctx.clock();
        const live = (await ctx.write(() => ctx.store.listQueue(req.name))).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - ctx.skewMs);
        const first = live[0];
        return first ? { queuedAhead: { count: live.length, first: { user: first.user, meta: first.meta } } } : {};
    }
    /**
     * Skips tickets at the head of the queue whose waiters are gone (cancelled, expired,
     * or never wrote an entry). Returns true when the queue ended up empty.
     */
    async clearDeadTickets() {
        const { ctx, req } = this;
        for (let i = 0; i < 1000; i++) {
            const item = await ctx.write(() => ctx.store.get(req.name));
            const serving = item?.nowServing ?? 0;
            if ((item?.nextTicket ?? 0) <= serving)
                return true;
            if (!(await this.headIsDead(item, serving + 1)))
                return false;
            await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
        }
        return false;
    }
    headWatch = new Map();
    /**
     * Whether the waiter holding `ticket` (at the head) is gone: its entry cancelled, past
     * its expiry (allowing for skew), unchanged on our monotonic clock for its time to live,
     * or missing although its ticket was issued long enough ago to have written one.
     */
    async headIsDead(item, ticket) {
        const { ctx, req } = this;
        const e = await ctx.write(() => ctx.store.getQueueEntry(req.name, ticket));
        const now = ctx.clock();
        const mono = ctx.mono();
        const version = e ? `${e.expiresAt}|${e.cancelled === true}` : 'missing';
        const w = this.headWatch.get(ticket);
        const since = w && w.version === version ? w.since : mono;
        this.headWatch.set(ticket, { version, since });
        if (!e) {
            const issuedLongAgo = item.lastJoinAt !== undefined && item.lastJoinAt < now - ctx.queue.missingGraceMs - ctx.skewMs;
            return issuedLongAgo || mono - since > ctx.queue.missingGraceMs;
        }
        if (e.cancelled || e.expiresAt < now - ctx.skewMs)
            return true;
        const ttl = e.ttlMs ?? ctx.queue.ttlMs;
        return mono - since > Math.min(ttl, ctx.queue.nearHeadTtlMs + ctx.queue.maxPollMs);
    }
    /**
     * Waiting without a ticket (uberlocks): announce the pending freeze, so queued
     * normal waiters hold back, and poll with capped exponential backoff and jitter.
     */
    async byPolling(last) {
        const { ctx, req } = this;
        const deadline = this.start + req.waitMs;
        let lastItem = last;
        let lastHolder = heldBy(last);
        let announcedUntil = 0;
        const announce = async () => {
            if (announcedUntil - ctx.clock() > (ctx.queue.uberPendingMs * 2) / 3)
                return;
            announcedUntil = ctx.clock() + ctx.queue.uberPendingMs;
            await ctx.write(() => ctx.store.markUberPending(req.name, announcedUntil, ctx.clock())).catch(() => undefined);
        };
        const withdraw = async () => {
            await ctx.write(() => ctx.store.markUberPending(req.name, 0, ctx.clock())).catch(() => undefined);
        };
        try {
            for (let poll = 0;; poll++) {
                await announce();
                const now = ctx.clock();
                // A freeze in waiting keeps normal waiters back, so it polls briskly.
                let delay = Math.min(backoffDelay(poll, ctx.backoff, ctx.random), 5 * ctx.queue.minPollMs, (ctx.queue.uberPendingMs / 3) | 0);
                if (lastHolder && lastItem?.owner !== undefined) {
                    const lapse = this.watch.takeoverIn(lastItem, ctx.mono(), now, ctx.skewMs);
                    if (lapse > 0 && lapse < delay)
                        delay = lapse + 20;
                    req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs: now - this.start, nextAttemptInMs: Math.max(0, Math.min(delay, deadline - now)) });
                }
                if (!(await sleep(Math.max(0, Math.min(delay, deadline - now)), req.signal))) {
                    await withdraw();
                    return this.notAcquired('cancelled', lastHolder);
                }
                const cur = await ctx.write(() => ctx.store.get(req.name));
                this.watch.see(cur, ctx.mono());
                lastItem = cur;
                const takeover = cur?.owner !== undefined && this.canTakeOver(cur) ? takeoverOf(cur) : {};
                if (cur?.owner === undefined || 'takeover' in takeover) {
                    const r = await this.attempt(claimOf(req, takeover));
                    if (r.ok)
                        return r.result;
                    if (r.current)
                        lastItem = r.current;
                }
                lastHolder = heldBy(lastItem) ?? lastHolder;
                if (ctx.clock() >= deadline) {
                    await withdraw();
                    return this.notAcquired('busy', lastHolder);
                }
            }
        }
        catch (err) {
            await withdraw();
            throw err;
        }
    }
    /**
     * FIFO waiting: take a ticket, keep a queue entry alive, and take the lock when we
     * are the head of the queue and the lock is free (or its lease has lapsed). Waiters
     * far back poll slowly, the head polls fast. A dead or cancelled head is skipped by a
     * conditional advance of nowServing. Mutual exclusion still rests only on the acquire
     * condition. Whatever ends the wait (success, giving up, an error), a waiter that
     * did not take the lock steps aside.
     */
    async inQueue() {
        const { ctx, req } = this;
        const q = ctx.queue;
        const deadline = this.start + req.waitMs;
        let joins = 0;
        const join = async () => {
            // The join token makes a repeated ticket write (lost answer) return the same ticket.
            const token = `${req.lockId}#${joins++}#${ctx.random().toString(36).slice(2, 8)}`;
            const t = (await ctx.write(() => ctx.store.takeTicket(req.name, token, ctx.clock()))).ticket;
            return t;
        };
        let ticket = await join();
        let nearHead = false;
        const entry = () => {
            const ttlMs = nearHead ? q.nearHeadTtlMs : q.ttlMs;
            return { name: req.name, ticket, lockId: req.lockId, user: req.user, meta: req.meta, enqueuedAt: this.start, expiresAt: ctx.clock() + ttlMs, ttlMs };
        };
        const refresh = async () => {
            await ctx.write(() => ctx.store.putQueueEntry(entry())).catch(() => undefined);
            refreshedAt = ctx.mono();
        };
        let refreshedAt = ctx.mono();
        await ctx.write(() => ctx.store.putQueueEntry(entry()));
        let lastHolder;
        let servingSeen = -1;
        let servingSince = ctx.mono();
        let acquired = false;
        const stepAside = async () => {
            // Leave no trace: mark our entry cancelled, and step aside at once if we are the head.
            await ctx.write(() => ctx.store.putQueueEntry({ ...entry(), cancelled: true, expiresAt: ctx.clock() })).catch(() => undefined);
            await ctx.write(() => ctx.store.skipTicket(req.name, ticket - 1, ctx.clock())).catch(() => false);
        };
        try {
            for (;;) {
                if (req.signal?.aborted) {
                    await stepAside();
                    return this.notAcquired('cancelled', lastHolder);
                }
                const item = await ctx.write(() => ctx.store.get(req.name));
                const now = ctx.clock();
                const mono = ctx.mono();
                this.watch.see(item, mono);
                const serving = item?.nowServing ?? 0;
                if (serving !== servingSeen) {
                    servingSeen = serving;
                    servingSince = mono;
                }
                lastHolder = heldBy(item);
                if (serving >= ticket) {
                    // We were skipped (our entry looked dead): rejoin at the back.
                    nearHead = false;
                    ticket = await join();
                    await refresh();
                    continue;
                }
                const position = ticket - serving;
                if (position <= 2 && !nearHead) {
                    // Near the head, refresh often so a dead head is noticed quickly.
                    nearHead = true;
                    await refresh();
                }
                const lapse = item?.owner !== undefined ? this.watch.takeoverIn(item, mono, now, ctx.skewMs) : 0;
                let delay;
                if (position === 1) {
                    if (lapse <= 0) {
                        const r = await this.attempt(claimOf(req, { ticket, ...takeoverOf(item) }));
                        if (r.ok) {
                            acquired = true;
                            return r.result;
                        }
                        // Taken meanwhile, or free but an uberlock is about to freeze it: wait like any head.
                        lastHolder = heldBy(r.current);
                    }
                    delay = this.pollBase(lastHolder, now);
                    if (lapse > 0 && lapse < delay)
                        delay = lapse + 20;
                }
                else {
                    // Further back, poll proportionally less: each place ahead is one more handoff away.
                    delay = Math.min(q.maxPollMs, this.pollBase(lastHolder, now) * position);
                    // Only a lock the head could take can be stuck behind a dead head: check the
                    // head then, from second place at once, from further back once the line has not moved for a while.
                    if (lapse <= 0 && (position === 2 || mono - servingSince > q.missingGraceMs)) {
                        if (await this.headIsDead(item, serving + 1)) {
                            await ctx.write(() => ctx.store.skipTicket(req.name, serving, ctx.clock()));
                            continue;
                        }
                    }
                }
                const waitedMs = now - this.start;
                if (now >= deadline) {
                    if (lastHolder)
                        req.onBusy?.({ holder: lastHolder, attempt: this.attempts, waitedMs, nextAttemptInMs: 0, position });
                    await stepAside();
                    if (lastHolder)
                        return this.notAcquired('busy', lastHolder);
                    const who = await this.inTheWay().catch(() => ({}));
                    return this.notAcquired('busy', who.holder, who.queuedAhead);
                }
                delay = Math.max(0, Math.min(delay * (0.8 + 0.4 * ctx.random()), deadline - now));
                req.onBusy?.({ ...(lastHolder ? { holder: lastHolder } : {}), attempt: this.attempts, waitedMs, nextAttemptInMs: delay, position });
                if (mono - refreshedAt >= (nearHead ? q.nearHeadRefreshMs : q.refreshMs))
                    await refresh();
                if (!(await sleep(delay, req.signal))) {
                    await stepAside();
                    return this.notAcquired('cancelled', lastHolder);
                }
            }
        }
        catch (err) {
            // A waiter that fails on an error must not leave its place looking alive.
            if (!acquired)
                await stepAside();
            throw err;
        }
    }
    /**
     * The longer the holder has held, the longer it is likely to keep holding (deploys run
     * for minutes): poll at a fifth of the time held so far, within bounds. Short holds
     * hand over in a couple of hundred milliseconds; long ones cost about 40 reads a minute.
     */
    pollBase(holder, now) {
        const q = this.ctx.queue;
        return holder ? clamp((now - holder.since) / 5, q.minPollMs, q.headPollMs) : q.minPollMs * 2;
    }
}

;// CONCATENATED MODULE: ./src/lock/events.ts
/** The id every process gives the lapse of the holder with this fence on this env. */
const lapseId = (fence) => `lapsed:${fence}`;

;// CONCATENATED MODULE: ./src/lock/lease-watch.ts

/**
 * When another holder's lease may be taken over, judged without trusting anyone's
 * wall clock. A lease is taken over only after this process has seen the lock item
 * unchanged (same owner, fence and expiry) for a full lease on its own monotonic
 * clock, as the AWS DynamoDB lock client does: if the holder had renewed, the item
 * would have changed. The holder, for its part, treats its lease as lost before a
 * full lease has passed since its last confirmed write (renewal.ts), so the two
 * never overlap in wall time, whatever their clocks say.
 *
 * One shortcut keeps a long-dead lock from needing a full lease of watching: a lease
 * whose wall-clock expiry is more than `LAPSED_LONG_AGO_MS` plus the skew allowance in
 * the past may be taken at once. That relies on clocks agreeing within that margin.
 */
const LAPSED_LONG_AGO_MS = 10 * 60_000;
/**
 * The lease the holder last wrote. Items written before `leaseMs` was recorded fall back
 * to expiry minus acquisition (both from the holder's clock, so skew cancels), which is
 * never shorter than the real lease.
 */
function leaseOf(item) {
    if (typeof item.leaseMs === 'number')
        return item.leaseMs;
    return Math.max(0, (item.expiresAt ?? 0) - (item.acquiredAt ?? item.expiresAt ?? 0));
}
function version(item) {
    return `${item.owner ?? ''}|${item.fence}|${item.expiresAt ?? ''}`;
}
class LeaseWatch {
    seen;
    since = 0;
    /** Records a sighting of the item at monotonic time `mono`. */
    see(item, mono) {
        const v = item ? version(item) : undefined;
        if (v !== this.seen) {
            this.seen = v;
            this.since = mono;
        }
    }
    /**
     * Milliseconds until the held lease in `item` may be taken over (≤ 0: now).
     * `item` must have been passed to `see` first.
     */
    takeoverIn(item, mono, now, skewMs) {
        if (typeof item.expiresAt !== 'number' || !Number.isFinite(item.expiresAt))
            return Number.POSITIVE_INFINITY;
        // A freeze is a declared window, not a lease a running holder renews: it ends at its time.
        if (item.uberlock)
            return item.expiresAt >= types/* NEVER */.tm ? Number.POSITIVE_INFINITY : item.expiresAt - now;
        const watched = this.seen === version(item) ? this.since + leaseOf(item) - mono : leaseOf(item);
        const byWallClock = item.expiresAt + skewMs + LAPSED_LONG_AGO_MS - now;
        return Math.min(watched, byWallClock);
    }
}

;// CONCATENATED MODULE: ./src/lock/rules.ts

/**
 * The conditions of every write, as pure functions over the current item.
 * In-process stores (file, memory) apply these directly; the DynamoDB store
 * writes the same conditions as expressions. Each returns the new item, or
 * undefined when the condition fails.
 */
/** An expiry that cannot be read: missing, or not a number (a lock item edited by hand). */
function rules_unreadableExpiry(expiresAt) {
    return typeof expiresAt !== 'number' || Number.isNaN(expiresAt);
}
/**
 * An owner and a lease not lapsed. An owner with an unreadable expiry counts as held with
 * an unknown expiry, never as lapsed: DynamoDB's own condition judges it so (`expiresAt <
 * :stale` is false on a string), so reads and writes agree; its holder's release or a
 * forced one frees it.
 */
function isHeld(item, now, skewMs = 0) {
    return item?.owner !== undefined && (rules_unreadableExpiry(item.expiresAt) || item.expiresAt >= now - skewMs);
}
function rules_lockState(item, now, skewMs) {
    if (item?.owner === undefined)
        return 'free';
    // A freeze with an end (lock --uberlock --until) has lifted once its time is past.
    if (item.uberlock)
        return typeof item.expiresAt === 'number' && item.expiresAt < now ? 'expired' : 'frozen';
    return isHeld(item, now, skewMs) ? 'held' : 'expired';
}
/** True when no ticket is outstanding: nobody is queued. */
function queueEmpty(item) {
    return (item?.nextTicket ?? 0) === (item?.nowServing ?? 0);
}
/** True when `cur` still holds exactly the lease a takeover claim watched lapse. */
function sameLease(cur, seen) {
    return cur?.owner === seen.owner && cur.fence === seen.fence && cur.expiresAt === seen.expiresAt;
}
function applyAcquire(cur, name, c, now) {
    if (c.force) {
        if (cur?.owner !== c.force.seenOwner)
            return undefined;
    }
    else if (cur?.owner !== c.lockId) {
        // Ours (a retried write that already landed) passes; otherwise the lock must be free,
        // or still hold exactly the lapsed lease the caller watched (lease-watch.ts: no wall
        // clock is trusted here), and the caller must be next: the queue's head, an uberlock
        // (which goes ahead of queued waiters), or anyone when nobody is queued.
        const free = cur?.owner === undefined || (c.takeover !== undefined && sameLease(cur, c.takeover));
        if (!free)
            return undefined;
        if (!c.uberlock && (cur?.uberPendingUntil ?? 0) >= now)
            return undefined;
        if (c.ticket !== undefined) {
            if ((cur?.nowServing ?? 0) !== c.ticket - 1)
                return undefined;
        }
        else if (!c.uberlock && !queueEmpty(cur))
            return undefined;
    }
    const next = {
        ...(cur ?? { name, fence: 0 }),
        name,
        owner: c.lockId,
        user: c.user,
        meta: c.meta,
        uberlock: c.uberlock,
        acquiredAt: now,
        updatedAt: now,
        expiresAt: c.uberlock ? c.freezeUntil ?? types/* NEVER */.tm : now + c.leaseMs,
        leaseMs: c.uberlock ? 0 : c.leaseMs,
        fence: (cur?.fence ?? 0) + 1,
        prevOwner: cur?.owner ?? 'none',
        prevUser: cur?.user ?? 'none',
        prevExpiresAt: cur?.expiresAt ?? 0,
    };
    if (c.uberlock)
        delete next.uberPendingUntil;
    if (c.metaData)
        next.metaData = c.metaData;
    else
        delete next.metaData;
    if (c.ticket !== undefined)
        next.nowServing = Math.max(cur?.nowServing ?? 0, c.ticket);
    delete next.forcedBy;
    delete next.forcedFrom;
    delete next.forceReason;
    if (c.force) {
        next.forcedBy = c.user;
        next.forcedFrom = cur?.user ?? '';
        next.forceReason = c.force.reason;
    }
    return next;
}
function applyRenew(cur, lockId, fence, expiresAt, now) {
    if (cur?.owner !== lockId || cur.fence !== fence)
        return undefined;
    if (cur.uberlock)
        return { ...cur, updatedAt: now };
    return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}
function applyRelease(cur, by, now) {
    if (cur?.owner === undefined)
        return undefined;
    if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user)
        return undefined;
    const { owner, user, meta: _meta, metaData: _md, uberlock: _u, acquiredAt: _a, expiresAt: _e, leaseMs: _l, forcedBy: _fb, forcedFrom: _ff, forceReason: _fr, ...rest } = cur;
    const out = { ...rest, lastOwner: owner, lastUser: user, releasedAt: now, updatedAt: now };
    if (cur.acquiredAt !== undefined)
        out.lastAcquiredAt = cur.acquiredAt;
    return out;
}
function applyExtend(cur, by, expiresAt, now) {
    if (cur?.owner === undefined)
        return undefined;
    if ('lockId' in by ? cur.owner !== by.lockId : cur.user !== by.user)
        return undefined;
    if (cur.uberlock)
        return { ...cur, updatedAt: now };
    return { ...cur, expiresAt, leaseMs: expiresAt - now, updatedAt: now };
}
/** The next ticket; a repeated join (same token, nobody joined since) gets back the item as it is. */
function applyTakeTicket(cur, name, joinToken, now) {
    if (cur?.lastJoin === joinToken)
        return cur;
    return { ...(cur ?? { name, fence: 0 }), name, nextTicket: (cur?.nextTicket ?? 0) + 1, nowServing: cur?.nowServing ?? 0, lastJoin: joinToken, lastJoinAt: now, updatedAt: now };
}
function applySkipTicket(cur, seenServing, now) {
    if ((cur?.nowServing ?? 0) !== seenServing || (cur?.nextTicket ?? 0) <= seenServing || !cur)
        return undefined;
    return { ...cur, nowServing: seenServing + 1, updatedAt: now };
}
function applyUberPending(cur, name, until, now) {
    const next = { ...(cur ?? { name, fence: 0 }), name, updatedAt: now };
    if (until > 0)
        next.uberPendingUntil = until;
    else
        delete next.uberPendingUntil;
    return next;
}

;// CONCATENATED MODULE: ./src/lock/client.ts









const DEFAULT_HISTORY_MS = 30 * 86_400_000;
const DEFAULT_SKEW_MS = 5_000;
/**
 * The lock protocol: acquire (waiting with capped exponential backoff and jitter),
 * renew, release and reads over any LockStore. No printing, no CI specifics:
 * callers learn about progress through callbacks and results.
 */
class LockClient {
    store;
    clock;
    mono;
    skewMs;
    backoff;
    random;
    queue;
    retries;
    retryMinMs;
    historyMs;
    observer;
    constructor(store, opts = {}) {
        this.store = store;
        this.clock = opts.clock ?? Date.now;
        this.mono = opts.monotonic ?? monotonicMs;
        this.skewMs = opts.skewMs ?? DEFAULT_SKEW_MS;
        this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
        this.random = opts.random ?? Math.random;
        this.retries = opts.transientRetries ?? 4;
        this.retryMinMs = opts.transientMinDelayMs ?? 200;
        this.queue = { ...DEFAULT_QUEUE, ...opts.queue };
        this.historyMs = opts.historyMs ?? DEFAULT_HISTORY_MS;
        this.observer = opts.observer;
    }
    /** Tells the observer, if any; an observer's failure is never the lock's. */
    tell(e) {
        try {
            this.observer?.event(e);
        }
        catch {
            // Notifications are not the lock.
        }
    }
    /**
     * Settles an ambiguous write by repeating it: every write here is idempotent
     * for its own caller (acquire accepts `owner = me`, release records `lastOwner`).
     */
    write(op) {
        // No abort signal here on purpose: a cancelled wait still lets an in-flight write
        // settle, so a write that landed is known (and given back) rather than dropped.
        return pRetry(op, {
            retries: this.retries,
            minTimeout: this.retryMinMs,
            factor: 2,
            randomize: true,
            shouldRetry: ({ error }) => error instanceof types/* StoreError */.AD && error.transient,
        });
    }
    watches = new Map();
    leaseWatch(name) {
        let w = this.watches.get(name);
        if (!w)
            this.watches.set(name, (w = new LeaseWatch()));
        return w;
    }
    async acquire(req) {
        const result = await acquireLock(this, req);
        if (result.acquired)
            await this.recordAcquired(req, result);
        else if (result.reason === 'busy')
            await this.recordGaveUp(req, result);
        return result;
    }
    async recordAcquired(req, r) {
        const base = { name: req.name, lockId: req.lockId, user: req.user, fence: r.lock.fence };
        // The events are independent items: written side by side, one round trip, not two.
        const events = [];
        if (r.tookOverFrom) {
            events.push(this.history({ ...base, kind: 'forced', by: req.user, from: r.tookOverFrom.user, reason: req.force?.reason ?? '', meta: req.meta }));
        }
        else if (r.replaced) {
            // We replaced a holder whose lease had lapsed: that holder's job died or hung.
            events.push(this.history({ name: req.name, kind: 'expired', user: r.replaced.user, lockId: r.replaced.lockId, at: r.replaced.expiresAt }));
        }
        events.push(this.history({ ...base, kind: 'acquired', meta: req.meta, ...(req.metaData ? { metaData: req.metaData } : {}), uberlock: req.uberlock === true, waitedMs: r.waitedMs }));
        await Promise.all(events);
        const at = this.clock();
        const fence = r.lock.fence;
        if (r.tookOverFrom) {
            this.tell({ kind: 'forced', id: `forced:${fence}`, name: req.name, at, by: req.user, from: r.tookOverFrom, reason: req.force?.reason ?? '', fence, uberlock: req.uberlock === true });
        }
        else if (r.replaced) {
            this.tell({ kind: 'lapsed', id: lapseId(fence - 1), name: req.name, at, holder: r.replaced, fence: fence - 1, replacedBy: req.user });
        }
        if (req.uberlock && !r.tookOverFrom) {
            const until = r.lock.expiresAt < types/* NEVER */.tm ? { until: r.lock.expiresAt } : {};
            this.tell({ kind: 'uberlock-set', id: `uberlock-set:${fence}`, name: req.name, at, user: req.user, meta: req.meta, fence, ...until });
        }
    }
    /** A wait that ended with the lock still busy: a failure to acquire, for the history (and stats). */
    async recordGaveUp(req, r) {
        await this.history({ name: req.name, kind: 'gave-up', user: req.user, lockId: req.lockId, meta: req.meta, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder.user } : {}) });
        // A single try (--wait 0, Slack) that finds the lock busy is an answer, not a waiter giving up.
        if (req.waitMs > 0) {
            this.tell({ kind: 'gave-up', id: `gave-up:${req.lockId}:${Math.random().toString(36).slice(2, 10)}`, name: req.name, at: this.clock(), user: req.user, waitedMs: r.waitedMs, ...(r.holder ? { holder: r.holder } : {}) });
        }
    }
    /** Appends to the history; best-effort, never in the way of the lock itself. */
    async history(e) {
        if (this.historyMs <= 0)
            return;
        const at = e.at ?? this.clock();
        try {
            await this.store.addHistory({ ...e, at, id: Math.random().toString(36).slice(2, 10), keepUntil: this.clock() + this.historyMs });
        }
        catch {
            // History is a record, not the lock.
        }
    }
    async cancelled(req, attempts, holder, start) {
        const r = { acquired: false, reason: 'cancelled', waitedMs: this.clock() - start, attempts };
        if (holder)
            r.holder = holder;
        return r;
    }
    async bestEffortRelease(name, lockId) {
        try {
            await this.store.release(name, { lockId }, this.clock());
        }
        catch {
            // The short lease frees it if even this fails.
        }
    }
    /** Extends the lease of a lock we hold. A failure means the lock was lost: the result says to whom. */
    async renew(lock, leaseMs) {
        const outcome = await this.write(() => this.store.renew(lock.name, lock.lockId, lock.fence, this.clock() + leaseMs, this.clock()));
        if (outcome.ok)
            return { renewed: true, lock: toHolder(outcome.item) };
        const cur = outcome.current;
        return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
    }
    /**
     * Releases a lock held by `by` (a lock id, or any lock of a user). Idempotent.
     * With `force`, releases whoever holds it (conditioned on the holder just seen).
     */
    async release(name, by, opts = {}) {
        let target = by;
        let forcedFrom;
        // Whether a freeze ends here is news for the observer only: read the holder first just for it.
        let before;
        if (opts.force) {
            // Break-glass: release whoever holds it now, conditioned on that holder.
            const seen = await this.store.get(name);
            if (!isHeldAtAll(seen))
                return { outcome: 'not-held' };
            target = { lockId: seen.owner };
            forcedFrom = toHolder(seen);
        }
        else if (this.observer) {
            const seen = await this.store.get(name).catch(() => undefined);
            if (isHeldAtAll(seen))
                before = toHolder(seen);
        }
        let tries = 0;
        const outcome = await this.write(() => {
            tries++;
            return this.store.release(name, target, this.clock());
        });
        if (outcome.ok) {
            // The item after release names who held it (last*): no read needed for the record.
            const it = outcome.item;
            const released = forcedFrom ??
                (it.lastOwner
                    ? { name, lockId: it.lastOwner, user: it.lastUser ?? 'unknown', meta: '', uberlock: false, since: it.lastAcquiredAt ?? 0, expiresAt: 0, fence: it.fence }
                    : undefined);
            const base = { name, user: released?.user ?? 'unknown', fence: it.fence, ...(released ? { lockId: released.lockId, heldMs: this.clock() - released.since } : {}) };
            if (opts.force)
                await this.history({ ...base, kind: 'force-released', by: opts.force.user, from: released?.user ?? '', reason: opts.force.reason });
            else
                await this.history({ ...base, kind: 'released', outcome: opts.outcome ?? 'unknown' });
            if (opts.force && forcedFrom) {
                this.tell({ kind: 'force-released', id: `force-released:${forcedFrom.fence}`, name, at: this.clock(), by: opts.force.user, from: forcedFrom, reason: opts.force.reason });
            }
            else if (before?.uberlock && before.lockId === it.lastOwner) {
                this.tell({ kind: 'uberlock-lifted', id: `uberlock-lifted:${before.fence}`, name, at: this.clock(), user: before.user, by: before.user, fence: before.fence });
            }
            return { outcome: 'released', released };
        }
        const cur = outcome.current;
        // A retried release whose first try landed finds our own token in lastOwner, even if
        // the next waiter has taken the lock since: this release freed it.
        if ('lockId' in target && cur?.lastOwner === target.lockId && (tries > 1 || !isHeldAtAll(cur)))
            return { outcome: 'released', released: undefined };
        if (!isHeldAtAll(cur))
            return { outcome: 'not-held' };
        return { outcome: 'held-by-other', holder: toHolder(cur) };
    }
    /** Extends the lease of a held lock to `leaseMs` from now. */
    async extend(name, by, leaseMs) {
        const outcome = await this.write(() => this.store.extend(name, by, this.clock() + leaseMs, this.clock()));
        if (outcome.ok) {
            const lock = toHolder(outcome.item);
            await this.history({ name, kind: 'extended', user: lock.user, lockId: lock.lockId, fence: lock.fence });
            return { renewed: true, lock };
        }
        const cur = outcome.current;
        return isHeldAtAll(cur) ? { renewed: false, holder: toHolder(cur) } : { renewed: false };
    }
    /** Live waiters in queue order; `known.item` is the lock item if it was just read (no second read). */
    async waiters(name, known) {
        const item = known ? known.item : await this.store.get(name);
        const served = item?.nowServing ?? 0;
        const now = this.clock();
        return (await this.store.listQueue(name)).filter((e) => e.ticket > served && !e.cancelled && e.expiresAt >= now - this.skewMs);
    }
    /**
     * The newest history events, newest first: one env's (a Query of its own items), or every
     * env's (no scan: the store reads day by day, back to `since`, by default as far back as
     * history is kept). At most `limit` (all when absent); `more` says older ones were left out.
     */
    async recentHistory(q = {}) {
        const since = q.since ?? (q.name === undefined ? this.clock() - (this.historyMs > 0 ? this.historyMs : DEFAULT_HISTORY_MS) : undefined);
        return this.store.queryHistory({ ...q, ...(since !== undefined ? { since } : {}) });
    }
    /** Every kept event (of one env, or all), oldest first. */
    async historyOf(name) {
        return (await this.recentHistory(name !== undefined ? { name } : {})).events.reverse();
    }
    /** The current holder, or undefined when free or expired (rules.lockState, with the skew allowance). */
    async holder(name) {
        const item = await this.write(() => this.store.get(name));
        const state = rules_lockState(item, this.clock(), this.skewMs);
        return state === 'held' || state === 'frozen' ? toHolder(item) : undefined;
    }
    async item(name) {
        const item = await this.store.get(name);
        if (item)
            this.saw([item]);
        return item;
    }
    async list() {
        const items = (await this.store.list()).sort((a, b) => a.name.localeCompare(b.name));
        this.saw(items);
        return items;
    }
    /** What a reader saw, for an observer that judges it (a lease lapsed without release, a lock held too long). */
    saw(items) {
        try {
            this.observer?.seen?.(items, this.clock(), this.skewMs);
        }
        catch {
            // Notifications are not the lock.
        }
    }
    /**
     * Waits until the lock is free or expired (without taking it), judged by rules.lockState.
     * Returns the last holder seen if it never freed.
     */
    async waitUntilFree(name, waitMs, onBusy, signal) {
        const start = this.clock();
        for (let attempt = 0;; attempt++) {
            const item = await this.write(() => this.store.get(name));
            const now = this.clock();
            const state = rules_lockState(item, now, this.skewMs);
            if (state === 'free' || state === 'expired')
                return { free: true, ...(state === 'expired' ? { expired: true } : {}), waitedMs: now - start };
            const h = toHolder(item);
            onBusy?.(h, now - start);
            if (now >= start + waitMs)
                return { free: false, holder: h, waitedMs: now - start };
            const delay = Math.min(backoffDelay(attempt, this.backoff, this.random), start + waitMs - now);
            if (!(await sleep(delay, signal)))
                return { free: false, holder: h, waitedMs: this.clock() - start };
        }
    }
}
function isHeldAtAll(item) {
    return item?.owner !== undefined;
}

// EXTERNAL MODULE: ./src/store/dynamodb-defaults.ts
var dynamodb_defaults = __nccwpck_require__(164);
;// CONCATENATED MODULE: ./src/config/defaults.ts


/**
 * Every default of daplaya in one table. action.yml, the GitLab template and
 * component, package.json and `--version` must agree with it (test/unit/defaults.test.ts).
 * The protocol's own defaults (skew, history, request timeout) are defined where the
 * protocol and the store use them and only shown here.
 */
const defaults_DEFAULTS = {
    version: '0.1.0',
    table: 'DaPlayaLocks',
    /** `lock` from a terminal: nobody renews, so the lease is the whole hold. */
    cliLeaseMs: 60 * 60_000,
    /** `run`, a GitLab job, the action: renewed every third, so a dead job frees the lock soon. */
    renewedLeaseMs: 2 * 60_000,
    minLeaseMs: 3000,
    cliWait: '0',
    actionWait: '1h',
    /** GitLab jobs have a job timeout of their own (1h by default): wait half of it. */
    gitlabWait: '30m',
    actionLease: '2m',
    /** Scope run / pipeline: the lease between jobs, long enough for a queued job to start. */
    runLease: '30m',
    slackLease: '8h',
    /** A renewer outliving a forgotten job should not hold an env for days. */
    renewerMaxLifetimeMs: 24 * 3_600_000,
    historyDays: DEFAULT_HISTORY_MS / 86_400_000,
    skewMs: DEFAULT_SKEW_MS,
    requestTimeoutMs: dynamodb_defaults/* DEFAULT_REQUEST_TIMEOUT_MS */.Z,
    slackHost: '0.0.0.0',
};

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
;// CONCATENATED MODULE: ./src/config/proxy.ts

/**
 * The proxy settings self-hosted runners behind a proxy set: `https_proxy`/`HTTPS_PROXY`,
 * `http_proxy`/`HTTP_PROXY` and `no_proxy`/`NO_PROXY`, the lower-case name winning when
 * both are set (as Node, curl and the runner read them). Used for DynamoDB, STS and
 * notifications. A proxy URL without a scheme means http://, as curl reads it.
 */
function resolveProxy(env) {
    const https = proxyUrl(env, 'https_proxy', 'HTTPS_PROXY');
    const http = proxyUrl(env, 'http_proxy', 'HTTP_PROXY');
    if (!https && !http)
        return undefined;
    const noProxy = (common_nonEmpty(env.no_proxy) ?? common_nonEmpty(env.NO_PROXY) ?? '')
        .split(/[\s,]+/)
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== '');
    return { ...(https ? { https } : {}), ...(http ? { http } : {}), noProxy };
}
function proxyUrl(env, lower, upper) {
    const name = common_nonEmpty(env[lower]) !== undefined ? lower : upper;
    const raw = common_nonEmpty(env[name])?.trim();
    if (raw === undefined)
        return undefined;
    // A proxy URL may carry a password, and a mistyped one may hide it anywhere: never echo it.
    const form = `use scheme://[user:password@]host:port, with the user and password percent-encoded (its value is not shown: it may hold a password)`;
    let url;
    try {
        url = new URL(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`);
    }
    catch {
        throw new common_UsageError(`${name} is not a URL: ${form}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new common_UsageError(`${name} uses ${url.protocol.replace(/:$/, '')}://, which daplaya does not support: use an http:// or https:// proxy`);
    }
    // A path (or query) means the URL was not split where it was meant to be, e.g. a `/` in an unencoded password.
    if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
        throw new common_UsageError(`${name} is not a proxy's address: ${form}`);
    }
    try {
        decodeURIComponent(url.username);
        decodeURIComponent(url.password);
    }
    catch {
        throw new common_UsageError(`${name} has a user or password that is not valid percent-encoding: ${form}`);
    }
    return url;
}

;// CONCATENATED MODULE: ./src/config/notify.ts




const NOTIFY_DEFAULTS = { timeoutMs: 2_000, keepMs: 30 * 86_400_000, slackApiUrl: 'https://slack.com/api' };
/** Scheme and host only: a webhook URL's path is its secret. */
function shown(raw) {
    try {
        const u = new URL(raw);
        return `${u.protocol}//${u.host}/…`;
    }
    catch {
        return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 12)}…` : raw);
    }
}
function isLoopback(hostname) {
    const h = hostname.replace(/^\[|\]$/g, '');
    if (h === 'localhost')
        return true;
    if ((0,external_node_net_.isIP)(h) === 4)
        return h.startsWith('127.');
    return h === '::1';
}
/** An https URL, or http to a loopback address. */
function notifyUrl(what, raw) {
    let u;
    try {
        u = new URL(raw.trim());
    }
    catch {
        throw new common_UsageError(`${what} is not a URL: ${shown(raw)}`);
    }
    if (u.protocol === 'https:')
        return u.toString();
    if (u.protocol === 'http:' && isLoopback(u.hostname))
        return u.toString();
    throw new common_UsageError(`${what} must be an https:// URL (plain http only to 127.0.0.1 or localhost), got ${shown(raw)}`);
}
/** The notification settings, or undefined when none is configured (nothing is sent, nothing is claimed). */
function notify_loadNotifyConfig(env) {
    const slackWebhook = common_nonEmpty(env.DAPLAYA_SLACK_WEBHOOK_URL);
    const token = common_nonEmpty(env.DAPLAYA_SLACK_BOT_TOKEN);
    const channel = common_nonEmpty(env.DAPLAYA_SLACK_CHANNEL);
    const webhook = common_nonEmpty(env.DAPLAYA_WEBHOOK_URL);
    const timeoutText = common_nonEmpty(env.DAPLAYA_NOTIFY_TIMEOUT);
    const heldOverText = common_nonEmpty(env.DAPLAYA_NOTIFY_HELD_OVER);
    if ((token === undefined) !== (channel === undefined)) {
        throw new common_UsageError('set both DAPLAYA_SLACK_BOT_TOKEN and DAPLAYA_SLACK_CHANNEL (a channel id like C0123456789), or neither');
    }
    const timeoutMs = timeoutText === undefined ? NOTIFY_DEFAULTS.timeoutMs : durations_parseDuration(timeoutText, 'DAPLAYA_NOTIFY_TIMEOUT');
    if (timeoutMs < 100 || timeoutMs > 30_000)
        throw new common_UsageError('DAPLAYA_NOTIFY_TIMEOUT must be between 100ms and 30s');
    const config = { timeoutMs, keepMs: NOTIFY_DEFAULTS.keepMs };
    if (slackWebhook !== undefined)
        config.slackWebhookUrl = notifyUrl('DAPLAYA_SLACK_WEBHOOK_URL', slackWebhook);
    if (token !== undefined && channel !== undefined) {
        const apiUrl = notifyUrl('DAPLAYA_SLACK_API_URL', common_nonEmpty(env.DAPLAYA_SLACK_API_URL) ?? NOTIFY_DEFAULTS.slackApiUrl).replace(/\/+$/, '');
        config.slackBot = { token, channel, apiUrl };
    }
    if (webhook !== undefined)
        config.webhookUrl = notifyUrl('DAPLAYA_WEBHOOK_URL', webhook);
    if (heldOverText !== undefined) {
        config.heldOverMs = durations_parseDuration(heldOverText, 'DAPLAYA_NOTIFY_HELD_OVER');
        if (config.heldOverMs < 1000)
            throw new common_UsageError('DAPLAYA_NOTIFY_HELD_OVER must be at least 1s');
    }
    const proxy = resolveProxy(env);
    if (proxy)
        config.proxy = proxy;
    const anywhere = config.slackWebhookUrl !== undefined || config.slackBot !== undefined || config.webhookUrl !== undefined;
    if (!anywhere) {
        if (heldOverText !== undefined)
            throw new common_UsageError('DAPLAYA_NOTIFY_HELD_OVER is set but no notification target is: set DAPLAYA_SLACK_WEBHOOK_URL, DAPLAYA_SLACK_BOT_TOKEN + DAPLAYA_SLACK_CHANNEL, or DAPLAYA_WEBHOOK_URL');
        return undefined;
    }
    return config;
}

;// CONCATENATED MODULE: ./src/config/protocol.ts



function protocol_loadProtocolSettings(env) {
    const skew = common_nonEmpty(env.DAPLAYA_CLOCK_SKEW);
    const out = { historyMs: parseHistoryDays(env), skewMs: skew === undefined ? defaults_DEFAULTS.skewMs : durations_parseDuration(skew, 'DAPLAYA_CLOCK_SKEW') };
    const queueTtl = common_nonEmpty(env.DAPLAYA_QUEUE_TTL);
    if (queueTtl !== undefined) {
        const ttlMs = durations_parseDuration(queueTtl, 'DAPLAYA_QUEUE_TTL');
        if (ttlMs < 1000)
            throw new common_UsageError('DAPLAYA_QUEUE_TTL must be at least 1s');
        out.queue = { ttlMs, refreshMs: Math.floor(ttlMs / 3) };
    }
    return out;
}
/** DAPLAYA_HISTORY_DAYS: days to keep history (0 turns it off). */
function parseHistoryDays(env) {
    const raw = common_nonEmpty(env.DAPLAYA_HISTORY_DAYS);
    if (raw === undefined)
        return defaults_DEFAULTS.historyDays * 86_400_000;
    if (!/^\d+$/.test(raw))
        throw new common_UsageError(`DAPLAYA_HISTORY_DAYS must be a whole number of days, got ${JSON.stringify(raw)}`);
    return Number(raw) * 86_400_000;
}

// EXTERNAL MODULE: ./src/store/redact.ts
var redact = __nccwpck_require__(6216);
;// CONCATENATED MODULE: ./src/config/store.ts






function store_resolveStore(opts, env, 
/** `init`: DynamoDB unless the file store is asked for by name. */
dynamoUnlessFile = false) {
    const table = common_nonEmpty(opts.table) ?? common_nonEmpty(env.DAPLAYA_TABLE);
    const kind = common_nonEmpty(opts.store) ?? common_nonEmpty(env.DAPLAYA_STORE);
    if (kind !== undefined && kind !== 'file' && kind !== 'dynamodb') {
        throw new common_UsageError(`unknown store ${JSON.stringify(kind)}: use dynamodb or file`);
    }
    if (kind === 'file') {
        return { kind: 'file', dir: external_node_path_default().resolve(common_nonEmpty(opts.storeDir) ?? common_nonEmpty(env.DAPLAYA_STORE_DIR) ?? common_defaultStoreDir(env)) };
    }
    // An explicit --table, --endpoint or --region means DynamoDB (table DaPlayaLocks unless named).
    const dynamoAsked = dynamoUnlessFile || common_nonEmpty(opts.endpoint) !== undefined || common_nonEmpty(opts.region) !== undefined;
    if (table === undefined && kind !== 'dynamodb' && !dynamoAsked) {
        if (isCI(env)) {
            throw new common_UsageError('no lock table configured in CI: set DAPLAYA_TABLE (or pass --table) to a DynamoDB table created with `daplaya init`; ' +
                'a CI runner\'s local disk is not a shared lock (set DAPLAYA_STORE=file only if every job runs on this one machine)');
        }
        return { kind: 'file', dir: external_node_path_default().resolve(common_nonEmpty(opts.storeDir) ?? common_nonEmpty(env.DAPLAYA_STORE_DIR) ?? common_defaultStoreDir(env)) };
    }
    const name = table ?? defaults_DEFAULTS.table;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name))
        throw new common_UsageError(`table name ${JSON.stringify(name)} is not a valid DynamoDB table name`);
    const spec = { kind: 'dynamodb', table: name };
    const region = common_nonEmpty(opts.region) ?? common_nonEmpty(env.DAPLAYA_REGION) ?? common_nonEmpty(env.AWS_REGION) ?? common_nonEmpty(env.AWS_DEFAULT_REGION);
    if (region)
        spec.region = region;
    const endpoint = common_nonEmpty(opts.endpoint) ?? common_nonEmpty(env.DAPLAYA_ENDPOINT) ?? common_nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB);
    if (endpoint) {
        try {
            new URL(endpoint);
        }
        catch {
            throw new common_UsageError(`endpoint ${JSON.stringify((0,redact/* redactUrl */.B)(endpoint))} is not a URL`);
        }
        spec.endpoint = endpoint;
    }
    const requestTimeout = common_nonEmpty(env.DAPLAYA_REQUEST_TIMEOUT);
    if (requestTimeout !== undefined) {
        spec.requestTimeoutMs = durations_parseDuration(requestTimeout, 'DAPLAYA_REQUEST_TIMEOUT');
        if (spec.requestTimeoutMs < 100 || spec.requestTimeoutMs > 60_000)
            throw new common_UsageError('DAPLAYA_REQUEST_TIMEOUT must be between 100ms and 60s');
    }
    const proxy = resolveProxy(env);
    if (proxy)
        spec.proxy = proxy;
    const keyId = common_nonEmpty(env.DAPLAYA_AWS_ACCESS_KEY_ID);
    const secret = common_nonEmpty(env.DAPLAYA_AWS_SECRET_KEY);
    if ((keyId === undefined) !== (secret === undefined)) {
        throw new common_UsageError('set both DAPLAYA_AWS_ACCESS_KEY_ID and DAPLAYA_AWS_SECRET_KEY, or neither');
    }
    if (keyId && secret) {
        spec.credentials = { accessKeyId: keyId, secretAccessKey: secret };
        const token = common_nonEmpty(env.DAPLAYA_AWS_SESSION_TOKEN);
        if (token)
            spec.credentials.sessionToken = token;
    }
    return spec;
}

;// CONCATENATED MODULE: ./src/config/slack.ts







/** DAPLAYA_SLACK_ADMINS: Slack user ids (U…, or W… in Enterprise Grid), separated by commas or spaces. */
function parseSlackAdmins(raw) {
    const text = common_nonEmpty(raw);
    if (text === undefined)
        return undefined;
    const ids = text.split(/[\s,]+/).filter(Boolean);
    const bad = ids.find((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
    if (bad !== undefined)
        throw new common_UsageError(`DAPLAYA_SLACK_ADMINS must be Slack user ids (U0123ABCD), separated by commas or spaces; got ${JSON.stringify(bad)}`);
    return ids;
}
/** Slack handler settings: DAPLAYA_SLACK_SIGNING_SECRET (required), DAPLAYA_SLACK_APP_ID, the store, DAPLAYA_SLACK_LEASE. */
function loadSlackConfig(env, port) {
    const signingSecret = common_nonEmpty(env.DAPLAYA_SLACK_SIGNING_SECRET);
    if (!signingSecret)
        throw new common_UsageError('DAPLAYA_SLACK_SIGNING_SECRET is not set: copy it from your Slack app\'s Basic Information page');
    const config = {
        signingSecret,
        store: store_resolveStore({}, env),
        leaseMs: durations_parseDuration(common_nonEmpty(env.DAPLAYA_SLACK_LEASE) ?? defaults_DEFAULTS.slackLease, 'DAPLAYA_SLACK_LEASE'),
        host: common_nonEmpty(env.DAPLAYA_SLACK_HOST) ?? defaults_DEFAULTS.slackHost,
        protocol: protocol_loadProtocolSettings(env),
    };
    const notify = notify_loadNotifyConfig(env);
    if (notify)
        config.notify = notify;
    const proxy = resolveProxy(env);
    if (proxy)
        config.proxy = proxy;
    const admins = parseSlackAdmins(env.DAPLAYA_SLACK_ADMINS);
    if (admins)
        config.admins = admins;
    const appId = common_nonEmpty(env.DAPLAYA_SLACK_APP_ID);
    if (appId)
        config.appId = appId;
    if (port !== undefined) {
        if (!/^\d+$/.test(port) || Number(port) > 65535)
            throw new common_UsageError(`--port must be a port number, got ${JSON.stringify(port)}`);
        config.port = Number(port);
    }
    return config;
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __nccwpck_require__(4708);
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_);
// EXTERNAL MODULE: ./src/net/tunnel.ts + 1 modules
var tunnel = __nccwpck_require__(591);
;// CONCATENATED MODULE: ./src/net/post-json.ts



/** More of an answer than this is not read: only a status and an error's first words are used. */
const MAX_ANSWER = 64 * 1024;
/**
 * POSTs a JSON body (notifications, Slack's response_url), through the proxy when one is
 * configured: Node's fetch ignores HTTPS_PROXY, and a runner behind a proxy has no other
 * way out. `signal` bounds the whole exchange.
 */
function postJson(url, body, opts) {
    const u = new URL(url);
    const payload = Buffer.from(JSON.stringify(body));
    const agents = opts.proxy ? (0,tunnel/* proxyAgents */.Hd)(opts.proxy, 10_000) : undefined;
    const send = u.protocol === 'https:' ? (external_node_https_default()).request : (external_node_http_default()).request;
    const agent = agents ? (u.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent) : undefined;
    // The deadline gives up a tunnel still being opened too, not only the request.
    const giveUp = () => agents?.destroy();
    if (agents)
        opts.signal.addEventListener('abort', giveUp, { once: true });
    return new Promise((resolve, reject) => {
        const req = send(u, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), ...opts.headers },
            signal: opts.signal,
            ...(agent ? { agent } : {}),
        }, (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (c) => {
                if (size < MAX_ANSWER)
                    chunks.push(c);
                size += c.length;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER) }));
            res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
    }).finally(() => {
        opts.signal.removeEventListener('abort', giveUp);
        giveUp();
    });
}

;// CONCATENATED MODULE: ./src/wording.ts




function iso(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** What a held lock shows when its expiry cannot be read (rules.ts isHeld). */
const UNREADABLE_EXPIRY_HINT = 'lease expiry unreadable (item edited by hand?); release it with --force --reason';
function expiresText(expiresAt, now) {
    if (expiresAt === undefined || rules_unreadableExpiry(expiresAt))
        return 'lease expiry unreadable';
    if (expiresAt >= types/* NEVER */.tm)
        return 'never expires';
    return expiresAt >= now ? `expires in ${durations_formatDuration(expiresAt - now)}` : `expired ${durations_formatDuration(now - expiresAt)} ago`;
}
/** `USER (meta, since T, for D; expires in E)` — the description of a holder used everywhere. */
function describeHolder(h, now) {
    const end = h.uberlock && typeof h.expiresAt === 'number' && h.expiresAt < types/* NEVER */.tm ? `frozen until ${iso(h.expiresAt)}` : expiresText(h.expiresAt, now);
    const parts = [h.meta, `since ${iso(h.since)}`, `for ${durations_formatDuration(now - h.since)}`, end].filter((p) => p !== '');
    return `${h.uberlock ? 'UBERLOCK by ' : ''}${h.user} (${parts.join(', ')})`;
}
function busyLine(h, now) {
    return `still locked at env ${h.name} by ${describeHolder(h, now)}`;
}
/**
 * What a lock belongs to, read from its lock id: a whole GitHub workflow run or GitLab
 * pipeline (taken by one job, given back by a later one), one step of a job, a job, or
 * a person (terminal, Slack).
 */
function scopeOf(lockId) {
    if (lockId === undefined)
        return undefined;
    if (/^github:.*:run$/.test(lockId))
        return 'run';
    if (/^gitlab:.*:pipeline:\d+$/.test(lockId))
        return 'pipeline';
    if (/:step:[0-9a-f]+$/.test(lockId))
        return 'step';
    if (/^(github|gitlab):/.test(lockId))
        return 'job';
    return 'person';
}
const SCOPE_WORDS = { run: 'the workflow run', pipeline: 'the pipeline', step: 'one step of a job', job: 'a job', person: 'a person (terminal or Slack)' };
/** `held by the workflow run` etc., for status lines. */
function scopeText(lockId) {
    const s = scopeOf(lockId);
    return s ? `held by ${SCOPE_WORDS[s]}` : '';
}
const STATE_WORD = { free: 'free', held: 'locked', frozen: 'uberlocked', expired: 'expired' };
/** A lock item as `--json` shows it, judged by rules.lockState like every other reader. */
function itemToJson(it, now, skewMs) {
    return {
        env: it.name,
        state: STATE_WORD[lockState(it, now, skewMs)],
        scope: scopeOf(it.owner),
        user: it.owner !== undefined ? it.user : undefined,
        meta: it.owner !== undefined ? it.meta : undefined,
        metaData: it.owner !== undefined ? it.metaData : undefined,
        lockId: it.owner,
        since: it.acquiredAt !== undefined && it.owner !== undefined ? iso(it.acquiredAt) : undefined,
        expiresAt: it.owner === undefined ? undefined : it.expiresAt === undefined || unreadableExpiry(it.expiresAt) ? 'unreadable' : it.expiresAt >= NEVER ? null : iso(it.expiresAt),
        fence: it.fence,
        lastUser: it.lastUser,
        releasedAt: it.releasedAt !== undefined ? iso(it.releasedAt) : undefined,
        forcedBy: it.forcedBy,
        forceReason: it.forceReason,
    };
}
/** A holder in `--json`, with the same names and formats as a lock item in `locks --json`. */
function holderToJson(h, now) {
    return {
        env: h.name,
        state: h.uberlock ? 'uberlocked' : typeof h.expiresAt === 'number' && h.expiresAt < now ? 'expired' : 'locked',
        scope: scopeOf(h.lockId),
        user: h.user,
        meta: h.meta,
        lockId: h.lockId,
        since: iso(h.since),
        expiresAt: unreadableExpiry(h.expiresAt) ? 'unreadable' : h.expiresAt >= NEVER ? null : iso(h.expiresAt),
        fence: h.fence,
    };
}
function table(rows) {
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
/** One line per waiting attempt: who holds the env, and where we stand in its queue. */
function progressLine(env, b, now) {
    const place = b.position === undefined ? '' : b.position === 1 ? '; you are next in the queue' : `; you are #${b.position} in the queue`;
    const next = b.nextAttemptInMs > 0 ? `; next try in ${(b.nextAttemptInMs / 1000).toFixed(1)}s` : '';
    if (b.holder)
        return `${busyLine(b.holder, now)}${place}${next}`;
    return `env ${env} is free, but ${Math.max(0, (b.position ?? 1) - 1)} waiter(s) queued ahead of you${next}`;
}
/**
 * Words shared by every surface (CLI, action, Slack, GitLab through the CLI). Each
 * returns a phrase without a surface's prefix: the CLI adds `daplaya: `, the action
 * capitalises it, Slack adds its markup.
 */
/** Why a lock was not obtained: it always says by whom, or who is queued ahead. */
function notAcquiredText(r, envs, now) {
    const env = r.holder?.name ?? envs.join(',');
    if (r.reason === 'cancelled')
        return `cancelled while waiting for env ${env}${r.holder ? ` held by ${describeHolder(r.holder, now)}` : ''}`;
    if (r.holder)
        return `env ${env} is locked by ${describeHolder(r.holder, now)}`;
    if (r.queuedAhead) {
        const q = r.queuedAhead;
        return `env ${env} is free, but ${q.count} waiter(s) are queued ahead (first: ${q.first.user}${q.first.meta ? `, ${q.first.meta}` : ''})`;
    }
    return `env ${env} was taken and given back while we tried`;
}
/** What giving an env back found. */
function givenBackText(g, now) {
    if (g.outcome === 'released')
        return `released env ${g.name}`;
    if (g.outcome === 'taken-over')
        return `env ${g.name} is now held by ${describeHolder(g.holder, now)}, fence ${g.holder.fence}: it was taken over while the job ran`;
    return `env ${g.name} was no longer held at release: its lease lapsed`;
}
/** Why a holder stopped holding: taken over, or no renewal confirmed in time. */
function lostText(end, leaseMs, now) {
    return end.reason === 'lost'
        ? `the lock on env ${end.name} was lost${end.holder ? `: taken by ${describeHolder(end.holder, now)}, fence ${end.holder.fence}` : ''}`
        : `no renewal of the lock on env ${end.name} was confirmed for ${formatDuration(end.sinceMs)} (lease ${formatDuration(leaseMs)})`;
}
/** While waiting, a line on every change of holder or place in the queue, and otherwise at most this often. */
const PROGRESS_EVERY_MS = 30_000;
/**
 * Progress while waiting, without flooding the log: one line when the holder or our
 * place changes, else one every PROGRESS_EVERY_MS, each with time waited and left,
 * and once how the holder can be reached or the lock released.
 */
function progressReporter(envs, waitMs, print, clock = Date.now) {
    let lastKey;
    let lastAt = 0;
    let hinted = false;
    return (b) => {
        const now = clock();
        const key = `${b.holder?.lockId ?? '-'}|${b.position ?? '-'}`;
        if (key === lastKey && now - lastAt < PROGRESS_EVERY_MS)
            return;
        lastKey = key;
        lastAt = now;
        const left = Math.max(0, waitMs - b.waitedMs);
        print(`${progressLine(b.holder?.name ?? envs.join(','), { ...b, nextAttemptInMs: 0 }, now)} (waited ${formatDuration(b.waitedMs)}, ${formatDuration(left)} left)`);
        if (b.holder && !hinted) {
            hinted = true;
            print(`ask ${b.holder.user} to release it, or an admin can: daplaya release --env ${b.holder.name} --force --reason TEXT`);
        }
    };
}
/** `p50/p95/max` of a spread of durations; `-` when there is no sample. */
function spreadText(s) {
    return s.count === 0 ? '-' : [s.p50, s.p95, s.max].map((v) => durations_formatDuration(v ?? 0)).join('/');
}
/** What `stats` covers: `history since T (7d)`. */
function statsHeading(since, now) {
    return `history since ${iso(since)} (${durations_formatDuration(now - since)})`;
}
/** The rows of the stats table, header first: the CLI's `stats` and Slack's `stats` show the same. */
function statsRows(stats) {
    const rows = [['ENV', 'ACQUIRED', 'FAILED', 'FORCED', 'LAPSED', 'FORCE-RELEASED', 'WAIT p50/p95/max', 'HOLD p50/p95/max']];
    for (const s of stats) {
        rows.push([s.env, String(s.acquisitions), String(s.failures), String(s.forcedTakeovers), String(s.lapses), String(s.forcedReleases), spreadText(s.waitMs), spreadText(s.holdMs)]);
    }
    return rows;
}
/** `status`: the lock's state and holder, then indented lines (force, queue). The CLI's `status` and Slack's `status` say the same. */
function statusLines(name, item, waiters, now, skewMs) {
    const lines = [];
    const state = rules_lockState(item, now, skewMs);
    const holder = item?.owner !== undefined ? toHolder(item) : undefined;
    if (holder && state === 'expired')
        lines.push(`env ${name} is EXPIRED: held by ${describeHolder(holder, now)}, fence ${holder.fence}; not released (its holder may have died); a waiter takes it over once it has seen it unchanged for a lease`);
    else if (holder)
        lines.push(`env ${name} is ${state === 'frozen' ? 'UBERLOCKED (frozen)' : 'locked'} by ${describeHolder(holder, now)}, fence ${holder.fence}, ${scopeText(holder.lockId)}`);
    else
        lines.push(`env ${name} is free${item?.lastUser ? ` (last held by ${item.lastUser}${item.releasedAt ? `, released ${iso(item.releasedAt)}` : ''})` : ''}`);
    if (holder && rules_unreadableExpiry(holder.expiresAt))
        lines.push(`  ${UNREADABLE_EXPIRY_HINT}: daplaya release --env ${name} --force --reason TEXT`);
    if (item?.forcedBy && holder)
        lines.push(`  taken by force from ${item.forcedFrom || 'nobody'}: ${item.forceReason}`);
    waiters.forEach((w, i) => lines.push(`  #${i + 1} in queue: ${w.user} (${w.meta}, waiting ${durations_formatDuration(now - w.enqueuedAt)})`));
    return lines;
}
/** What a history event adds to its kind: the outcome, who forced whom and why, the meta, who held on. (`history` and Slack `history`.) */
function historyDetail(e) {
    if (e.kind === 'released')
        return e.outcome ?? '';
    if (e.kind === 'forced' || e.kind === 'force-released')
        return `by ${e.by} from ${e.from}: ${e.reason}`;
    if (e.kind === 'acquired')
        return `${e.uberlock ? 'UBERLOCK ' : ''}${e.meta ?? ''}`;
    if (e.kind === 'gave-up')
        return e.holder ? `held by ${e.holder}` : '';
    return '';
}

;// CONCATENATED MODULE: ./src/notify/messages.ts


/**
 * Slack mrkdwn: `&`, `<` and `>` escaped so no user-supplied text can open a mention
 * (<!channel>) or a link; a lock's Slack mention (<@U123>) is kept live. (The same
 * rules as the Slack surface's replies, src/slack/blocks.ts.)
 */
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackUser = (u) => esc(u).replace(/&lt;@([A-Z0-9]+)&gt;/g, '<@$1>');
const SLACK = { env: (n) => `*${esc(n)}*`, user: slackUser, text: esc, icon: (e) => `${e} ` };
const PLAIN = { env: (n) => `env ${n}`, user: (u) => u, text: (t) => t, icon: () => '' };
function holderPart(s, h) {
    const detail = [h.meta ? s.text(h.meta) : '', h.since ? `since ${iso(h.since)}` : ''].filter((p) => p !== '');
    return `${s.user(h.user)}${detail.length ? ` (${detail.join(', ')})` : ''}`;
}
/** One line saying who did what and why; `slack` for Slack mrkdwn, `plain` for generic webhooks. */
function noticeText(n, style) {
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
            return `${s.icon(':hourglass:')}${s.user(n.user)} gave up waiting for ${s.env(n.name)} after ${durations_formatDuration(n.waitedMs)}${n.holder ? `: held by ${holderPart(s, n.holder)}` : ': waiters were queued ahead'}`;
        case 'held-over':
            return `${s.icon(':alarm_clock:')}${s.env(n.name)} has been held by ${holderPart(s, n.holder)} for ${durations_formatDuration(n.heldMs)}, longer than ${durations_formatDuration(n.thresholdMs)}`;
    }
}
/** The generic webhook's JSON body: the event by name, the plain-text line, and its details. */
function noticeJson(n) {
    const base = { source: 'daplaya', event: n.kind, id: `${n.name}:${n.id}`, env: n.name, at: iso(n.at), text: noticeText(n, 'plain') };
    const who = (h) => ({ user: h.user, ...(h.meta ? { meta: h.meta } : {}), ...(h.lockId ? { lockId: h.lockId } : {}) });
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

;// CONCATENATED MODULE: ./src/notify/send.ts


/** Host only: a webhook's path is its secret, so warnings never print it. */
function host(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return '?';
    }
}
/** An error for a non-2xx answer, with the start of its body (Slack and webhooks say why there). */
function failIfNotOk(res) {
    if (res.status >= 200 && res.status < 300)
        return;
    const text = res.text.trim().slice(0, 120);
    throw new Error(`HTTP ${res.status}${text ? ` ${text}` : ''}`);
}
function targetsOf(config) {
    const out = [];
    const proxy = config.proxy ? { proxy: config.proxy } : {};
    const hook = config.slackWebhookUrl;
    if (hook) {
        out.push({
            name: `Slack webhook at ${host(hook)}`,
            deliver: async (n, signal) => failIfNotOk(await postJson(hook, { text: noticeText(n, 'slack') }, { signal, ...proxy })),
        });
    }
    const bot = config.slackBot;
    if (bot) {
        out.push({
            name: `Slack chat.postMessage to ${bot.channel}`,
            deliver: async (n, signal) => {
                const res = await postJson(`${bot.apiUrl}/chat.postMessage`, { channel: bot.channel, text: noticeText(n, 'slack') }, { signal, headers: { authorization: `Bearer ${bot.token}` }, ...proxy });
                failIfNotOk(res);
                // Slack answers 200 with {"ok": false, "error": "..."} for a bad token or channel.
                let body = {};
                try {
                    body = JSON.parse(res.text);
                }
                catch {
                    // not JSON: not ok
                }
                if (body.ok !== true)
                    throw new Error(`Slack said ${body.error ?? 'not ok'}`);
            },
        });
    }
    const generic = config.webhookUrl;
    if (generic) {
        out.push({
            name: `webhook at ${host(generic)}`,
            deliver: async (n, signal) => failIfNotOk(await postJson(generic, noticeJson(n), { signal, ...proxy })),
        });
    }
    return out;
}

;// CONCATENATED MODULE: ./src/notify/notifier.ts




/**
 * Sends notices to the configured targets, each at most once across every process:
 * before sending, the notice is claimed in the store with one conditional write
 * (LockStore.claimNotice, keyed by the event's id, which every process that learns of
 * the same event computes alike); only the process whose claim lands sends it. A claim
 * that cannot be made in time means the notice is not sent (never twice beats always).
 *
 * Nothing here blocks or fails a lock operation: `observe` only starts the work; each
 * claim and each POST is bounded by the timeout; any failure is one warning line. A
 * surface calls `settle()` before it exits (and before closing the store), which waits at
 * most about one timeout for what is still in flight.
 */
class Notifier {
    config;
    store;
    warn;
    clock;
    pending = new Set();
    targets;
    constructor(config, store, warn, clock = Date.now) {
        this.config = config;
        this.store = store;
        this.warn = warn;
        this.clock = clock;
        this.targets = targetsOf(config);
    }
    /** For LockClientOptions.observer: events as they happen, and what readers see. */
    observer = {
        event: (e) => this.notify(e),
        seen: (items, now, skewMs) => this.inspect(items, now, skewMs),
    };
    notify(n) {
        const p = this.deliver(n)
            .catch((err) => this.warn(`notification of ${n.kind} on env ${n.name} not sent: ${why(err, this.config.timeoutMs)}`))
            .finally(() => this.pending.delete(p));
        this.pending.add(p);
    }
    /**
     * What a reader sees is news too: a lease that ran out without a release (the same
     * notice as the takeover that follows it would send, so only one of them is sent), and
     * with DAPLAYA_NOTIFY_HELD_OVER a lock held longer than that. Freezes are left alone.
     */
    inspect(items, now, skewMs) {
        for (const item of items) {
            if (item.owner === undefined || item.uberlock)
                continue;
            const state = rules_lockState(item, now, skewMs);
            const h = toHolder(item);
            if (state === 'expired') {
                this.notify({ kind: 'lapsed', id: lapseId(item.fence), name: item.name, at: now, fence: item.fence, holder: { user: h.user, lockId: h.lockId, expiresAt: h.expiresAt, meta: h.meta } });
            }
            else if (state === 'held' && this.config.heldOverMs !== undefined && h.since > 0 && now - h.since > this.config.heldOverMs) {
                this.notify({ kind: 'held-over', id: `held-over:${item.fence}`, name: item.name, at: now, holder: h, heldMs: now - h.since, thresholdMs: this.config.heldOverMs });
            }
        }
    }
    /** Waits for notices in flight (each bounded by the timeout). */
    async settle() {
        while (this.pending.size > 0)
            await Promise.allSettled([...this.pending]);
    }
    async deliver(n) {
        if (this.targets.length === 0)
            return;
        const claimed = await withTimeout(this.store.claimNotice(n.name, n.id, this.clock() + this.config.keepMs), this.config.timeoutMs);
        if (!claimed)
            return; // Another process sent it (or is sending it).
        const results = await Promise.allSettled(this.targets.map((t) => t.deliver(n, AbortSignal.timeout(this.config.timeoutMs))));
        results.forEach((r, i) => {
            if (r.status === 'rejected')
                this.warn(`notification of ${n.kind} on env ${n.name} to ${this.targets[i].name} failed: ${why(r.reason, this.config.timeoutMs)}`);
        });
    }
}
class Timeout extends Error {
    name = 'TimeoutError';
}
function withTimeout(p, ms) {
    let timer;
    const t = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Timeout('the lock store did not record it in time')), ms);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
function why(err, timeoutMs) {
    const e = err;
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
        return e instanceof Timeout ? e.message : `no answer within ${durations_formatDuration(timeoutMs)}`;
    const cause = e?.cause?.code ?? e?.cause?.message;
    return `${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}
/** The notifier for a surface, or undefined when no notification target is configured. */
function openNotifier(config, store, warn) {
    return config ? new Notifier(config, store, warn) : undefined;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/lock/history.ts
var lock_history = __nccwpck_require__(3559);
;// CONCATENATED MODULE: ./src/store/file.ts






const STALE_READ_MS = 30_000;
const PRUNE_AGE_MS = 10 * 60_000;
/** Lost compare-and-swap races in a row before a write gives up (each is a full re-read). */
const MAX_CAS_ATTEMPTS = 1000;
/** Re-reads after a version file vanished between readdir and read. */
const MAX_READ_ATTEMPTS = 50;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
// 0 where the platform has no such flag (Windows), so the open still works there.
const O_NOFOLLOW = external_node_fs_.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = external_node_fs_.constants.O_NONBLOCK ?? 0;
const READ_FLAGS = external_node_fs_.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const CREATE_FLAGS = external_node_fs_.constants.O_WRONLY | external_node_fs_.constants.O_CREAT | external_node_fs_.constants.O_EXCL | O_NOFOLLOW;
function code(err) {
    return err?.code;
}
/**
 * Embedded store for one machine. Each lock is a directory of numbered versions;
 * a write is a compare-and-swap: the new version is written to a temporary file
 * and hard-linked to the next number, and link(2) fails if another process took
 * that number first. No lock files, so a crashed process leaves nothing stale.
 *
 * Nothing planted in the store is obeyed: the store directory, the per-env
 * directories, `.queue` and `.history` are checked with lstat and refused if they
 * are symlinks, files are opened with O_NOFOLLOW (and created with O_EXCL), and
 * everything created is private (directories 0700, files 0600, whatever the umask).
 * Every retry loop is bounded.
 */
class FileStore {
    dir;
    description;
    constructor(dir) {
        this.dir = dir;
        this.description = `embedded file store at ${dir}`;
    }
    refuseSymlink(p) {
        return new types/* StoreError */.AD('other', `file store at ${this.dir}: refusing to follow the symlink ${p}`, false);
    }
    /** lstat-checks one directory of the store, creating it (0700) when asked. False when absent. */
    async checkDir(p, create) {
        for (let tries = 0; tries < 2; tries++) {
            let st;
            try {
                st = await external_node_fs_.promises.lstat(p);
            }
            catch (err) {
                if (code(err) !== 'ENOENT')
                    throw this.wrap(err);
                if (!create)
                    return false;
                try {
                    await external_node_fs_.promises.mkdir(p, { mode: DIR_MODE });
                    await external_node_fs_.promises.chmod(p, DIR_MODE);
                    return true;
                }
                catch (e) {
                    if (code(e) === 'EEXIST')
                        continue; // made meanwhile: check what it is
                    throw this.wrap(e, `cannot create ${p}`);
                }
            }
            if (st.isSymbolicLink())
                throw this.refuseSymlink(p);
            if (!st.isDirectory())
                throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${p} is not a directory`, false);
            return true;
        }
        throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${p} keeps changing`, false);
    }
    /**
     * The store directory itself, checked (and made, with any missing parents, when
     * asked). Node's own recursive mkdir is not used: it loops forever where mkdir
     * says ENOENT under a parent that exists (e.g. /proc/self/x).
     */
    async root(create) {
        const missing = [];
        for (let p = this.dir;;) {
            try {
                await external_node_fs_.promises.lstat(p);
                break;
            }
            catch (err) {
                if (code(err) !== 'ENOENT')
                    throw this.wrap(err);
                missing.push(p);
                const parent = external_node_path_default().dirname(p);
                if (parent === p)
                    break;
                p = parent;
            }
        }
        if (missing.length === 0)
            return { exists: await this.checkDir(this.dir, false), created: false };
        if (!create)
            return { exists: false, created: false };
        let created = false;
        for (const p of missing.reverse()) {
            try {
                await external_node_fs_.promises.mkdir(p, { mode: DIR_MODE });
                await external_node_fs_.promises.chmod(p, DIR_MODE);
                if (p === this.dir)
                    created = true;
            }
            catch (err) {
                if (code(err) !== 'EEXIST')
                    throw this.wrap(err, `cannot create ${p}`);
            }
        }
        await this.checkDir(this.dir, false);
        return { exists: true, created };
    }
    /** The directory dir/parts..., every level lstat-checked; undefined when absent and not created. */
    async subdir(parts, create) {
        if (!(await this.root(create)).exists)
            return undefined;
        let p = this.dir;
        for (const part of parts) {
            p = external_node_path_default().join(p, part);
            if (!(await this.checkDir(p, create)))
                return undefined;
        }
        return p;
    }
    /** Reads a JSON file without following a symlink (or blocking on a planted FIFO). */
    async readJson(file) {
        let fh;
        try {
            fh = await external_node_fs_.promises.open(file, READ_FLAGS);
        }
        catch (err) {
            if (code(err) === 'ELOOP' || code(err) === 'EMLINK')
                throw this.refuseSymlink(file);
            throw err;
        }
        try {
            const st = await fh.stat();
            if (!st.isFile())
                throw new types/* StoreError */.AD('other', `file store at ${this.dir}: ${file} is not a regular file`, false);
            return JSON.parse(await fh.readFile('utf8'));
        }
        finally {
            await fh.close();
        }
    }
    /** Creates a new private file (O_EXCL | O_NOFOLLOW, 0600 whatever the umask). */
    async writeNew(file, data) {
        const fh = await external_node_fs_.promises.open(file, CREATE_FLAGS, FILE_MODE).catch((err) => {
            throw this.wrap(err);
        });
        try {
            await fh.chmod(FILE_MODE);
            await fh.writeFile(data);
        }
        catch (err) {
            await external_node_fs_.promises.unlink(file).catch(() => undefined);
            throw this.wrap(err);
        }
        finally {
            await fh.close();
        }
    }
    async latest(name) {
        for (let tries = 0;; tries++) {
            const dir = await this.subdir([name], false);
            if (!dir)
                return { version: 0, item: undefined };
            let entries;
            try {
                entries = await external_node_fs_.promises.readdir(dir);
            }
            catch (err) {
                if (code(err) === 'ENOENT')
                    return { version: 0, item: undefined };
                throw this.wrap(err);
            }
            const versions = entries.filter((e) => /^v\d{12}\.json$/.test(e)).sort();
            const top = versions.at(-1);
            if (!top)
                return { version: 0, item: undefined };
            try {
                const item = await this.readJson(external_node_path_default().join(dir, top));
                return { version: Number(top.slice(1, 13)), item };
            }
            catch (err) {
                // Pruned by a writer between readdir and read: look again.
                if (code(err) === 'ENOENT' && tries < MAX_READ_ATTEMPTS)
                    continue;
                throw this.wrap(err);
            }
        }
    }
    async cas(name, update) {
        for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            const readAt = performance.now();
            const { version, item } = await this.latest(name);
            const next = update(item);
            if (!next)
                return { ok: false, current: item };
            const dir = (await this.subdir([name], true));
            const tmp = external_node_path_default().join(dir, `.tmp-${process.pid}-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
            await this.writeNew(tmp, JSON.stringify(next));
            const target = external_node_path_default().join(dir, `v${String(version + 1).padStart(12, '0')}.json`);
            try {
                // A version file can be pruned only once it is PRUNE_AGE_MS old; a writer whose
                // read is older than STALE_READ_MS re-reads, so it never links into a pruned gap.
                if (performance.now() - readAt > STALE_READ_MS)
                    continue;
                // link(2) neither follows a symlink at tmp nor writes through one at target.
                await external_node_fs_.promises.link(tmp, target);
            }
            catch (err) {
                if (code(err) === 'EEXIST')
                    continue; // lost the race: re-read and re-judge
                throw this.wrap(err);
            }
            finally {
                await external_node_fs_.promises.unlink(tmp).catch(() => undefined);
            }
            await this.prune(dir, version);
            return { ok: true, item: next };
        }
        throw new types/* StoreError */.AD('other', `file store at ${this.dir}: env ${name} changed under ${MAX_CAS_ATTEMPTS} writes in a row; giving up`, true);
    }
    /** Removes old versions below the newest two; readers retry on ENOENT. */
    async prune(dir, below) {
        const entries = await external_node_fs_.promises.readdir(dir).catch(() => []);
        const now = Date.now();
        for (const e of entries) {
            const m = /^v(\d{12})\.json$/.exec(e);
            if (!m || Number(m[1]) >= below)
                continue;
            const file = external_node_path_default().join(dir, e);
            const st = await external_node_fs_.promises.lstat(file).catch(() => undefined);
            if (st?.isFile() && now - st.mtimeMs > PRUNE_AGE_MS)
                await external_node_fs_.promises.unlink(file).catch(() => undefined);
        }
    }
    wrap(err, what) {
        if (err instanceof types/* StoreError */.AD)
            return err;
        const e = err;
        if (e.code === 'EACCES' || e.code === 'EPERM')
            return new types/* StoreError */.AD('access-denied', `cannot write ${this.dir}: ${e.message}`, false);
        return new types/* StoreError */.AD('other', `file store at ${this.dir}: ${what ? `${what}: ` : ''}${e.message}`, false);
    }
    acquire(name, claim, now) {
        return this.cas(name, (cur) => applyAcquire(cur, name, claim, now));
    }
    renew(name, lockId, fence, expiresAt, now) {
        return this.cas(name, (cur) => applyRenew(cur, lockId, fence, expiresAt, now));
    }
    release(name, by, now) {
        return this.cas(name, (cur) => applyRelease(cur, by, now));
    }
    extend(name, by, expiresAt, now) {
        return this.cas(name, (cur) => applyExtend(cur, by, expiresAt, now));
    }
    async markUberPending(name, until, now) {
        await this.cas(name, (cur) => applyUberPending(cur, name, until, now));
    }
    async takeTicket(name, joinToken, now) {
        const r = await this.cas(name, (cur) => applyTakeTicket(cur, name, joinToken, now));
        if (!r.ok)
            throw new types/* StoreError */.AD('other', 'could not take a queue ticket', false);
        return { ticket: r.item.nextTicket, item: r.item };
    }
    async skipTicket(name, seenServing, now) {
        return (await this.cas(name, (cur) => applySkipTicket(cur, seenServing, now))).ok;
    }
    /** Side files (queue entries, history) are whole-file replacements: write a temp file, rename it in. */
    async writeSide(parts, file, value) {
        const dir = (await this.subdir(parts, true));
        const tmp = external_node_path_default().join(dir, `.tmp-${process.pid}-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
        await this.writeNew(tmp, JSON.stringify(value));
        // rename(2) replaces whatever is at the name (a planted symlink included), never its target.
        await external_node_fs_.promises.rename(tmp, external_node_path_default().join(dir, file)).catch(async (err) => {
            await external_node_fs_.promises.unlink(tmp).catch(() => undefined);
            throw this.wrap(err);
        });
        return dir;
    }
    async readSide(parts) {
        const dir = await this.subdir(parts, false);
        if (!dir)
            return [];
        const names = await external_node_fs_.promises.readdir(dir).catch(() => []);
        const out = [];
        for (const n of names.filter((x) => x.endsWith('.json'))) {
            try {
                out.push(await this.readJson(external_node_path_default().join(dir, n)));
            }
            catch (err) {
                if (err instanceof types/* StoreError */.AD)
                    throw err;
                // removed meanwhile
            }
        }
        return out;
    }
    async putQueueEntry(entry) {
        const dir = await this.writeSide(['.queue', entry.name], `${String(entry.ticket).padStart(20, '0')}.json`, entry);
        // Entries far behind the line are garbage.
        const item = await this.get(entry.name);
        const served = item?.nowServing ?? 0;
        for (const n of await external_node_fs_.promises.readdir(dir).catch(() => [])) {
            if (n.endsWith('.json') && Number(n.slice(0, 20)) < served - 100)
                await external_node_fs_.promises.unlink(external_node_path_default().join(dir, n)).catch(() => undefined);
        }
    }
    async getQueueEntry(name, ticket) {
        const dir = await this.subdir(['.queue', name], false);
        if (!dir)
            return undefined;
        try {
            return await this.readJson(external_node_path_default().join(dir, `${String(ticket).padStart(20, '0')}.json`));
        }
        catch (err) {
            if (err instanceof types/* StoreError */.AD)
                throw err;
            return undefined;
        }
    }
    async listQueue(name) {
        return (await this.readSide(['.queue', name])).sort((a, b) => a.ticket - b.ticket);
    }
    async addHistory(event) {
        await this.writeSide(['.history', event.name], `${new Date(event.at).toISOString()}-${event.id}.json`, event);
    }
    async listHistory(name) {
        let names = name ? [name] : [];
        if (!name) {
            const dir = await this.subdir(['.history'], false);
            names = dir ? await external_node_fs_.promises.readdir(dir).catch(() => []) : [];
        }
        const now = Date.now();
        const all = [];
        for (const n of names)
            all.push(...(await this.readSide(['.history', n])));
        return all.filter((e) => e.keepUntil > now).sort(types/* byTime */.XL);
    }
    /** One machine's history is small: read it, then cut the page. */
    async queryHistory(q) {
        return (0,lock_history/* historyPage */.e)(await this.listHistory(q.name), q, Date.now());
    }
    /** A notice sent is a file created with O_EXCL: the first creator wins, in any process. */
    async claimNotice(name, id, keepUntil) {
        const dir = (await this.subdir(['.notices', name], true));
        const file = external_node_path_default().join(dir, `${encodeURIComponent(id)}.json`);
        let fh;
        try {
            fh = await external_node_fs_.promises.open(file, CREATE_FLAGS, FILE_MODE);
        }
        catch (err) {
            if (code(err) === 'EEXIST')
                return false;
            throw this.wrap(err);
        }
        try {
            await fh.writeFile(JSON.stringify({ name, id, keepUntil }));
        }
        finally {
            await fh.close();
        }
        return true;
    }
    async get(name) {
        return (await this.latest(name)).item;
    }
    async list() {
        if (!(await this.root(false)).exists)
            return [];
        let names;
        try {
            names = await external_node_fs_.promises.readdir(this.dir);
        }
        catch (err) {
            if (code(err) === 'ENOENT')
                return [];
            throw this.wrap(err);
        }
        const items = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => this.get(n)));
        return items.filter((i) => i !== undefined);
    }
    async init() {
        return (await this.root(true)).created;
    }
}

;// CONCATENATED MODULE: ./src/store/open.ts

/** Builds the configured store; the AWS SDK is loaded only when DynamoDB is used. */
async function openStore(spec, credentials) {
    if (spec.kind === 'file')
        return new FileStore(spec.dir);
    const { DynamoStore } = await Promise.all(/* import() */[__nccwpck_require__.e(305), __nccwpck_require__.e(508)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9508));
    const cfg = { table: spec.table };
    if (spec.region)
        cfg.region = spec.region;
    if (spec.endpoint)
        cfg.endpoint = spec.endpoint;
    if (spec.requestTimeoutMs)
        cfg.requestTimeoutMs = spec.requestTimeoutMs;
    if (spec.proxy)
        cfg.proxy = spec.proxy;
    if (spec.credentials)
        cfg.credentials = spec.credentials;
    if (credentials)
        cfg.credentials = credentials;
    return new DynamoStore(cfg);
}

;// CONCATENATED MODULE: ./src/lock/env-names.ts

/** Environment (lock) names: what a DynamoDB key, a file name and a shell word can all carry safely. */
const MAX_NAME_LENGTH = 64;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
function validateEnvName(name) {
    if (name.length === 0)
        throw new errors_InvalidInputError('env name is empty');
    if (name.length > MAX_NAME_LENGTH) {
        throw new errors_InvalidInputError(`env name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
    }
    if (!NAME.test(name)) {
        throw new errors_InvalidInputError(`env name ${JSON.stringify(name)} has characters that are not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit`);
    }
    return name;
}
/** `a,b,c` → sorted, de-duplicated names: the fixed order that keeps multi-env requests deadlock-free. */
function env_names_parseEnvList(value) {
    const names = value.split(',').map((s) => s.trim());
    for (const n of names)
        validateEnvName(n);
    return [...new Set(names)].sort();
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
;// CONCATENATED MODULE: ./src/config/github.ts


function github_isGithubActions(env) {
    return env.GITHUB_ACTIONS === 'true';
}
function github_githubDefaults(env) {
    const event = readEvent(env.GITHUB_EVENT_PATH);
    const email = event.head_commit?.author?.email ?? event.pusher?.email;
    const actor = nonEmpty(env.GITHUB_ACTOR) ?? 'github-actions';
    const repo = nonEmpty(env.GITHUB_REPOSITORY) ?? 'unknown/repo';
    const runId = /^\d+$/.test(env.GITHUB_RUN_ID ?? '') ? env.GITHUB_RUN_ID : '0';
    const attempt = /^\d+$/.test(env.GITHUB_RUN_ATTEMPT ?? '') ? env.GITHUB_RUN_ATTEMPT : '1';
    const server = nonEmpty(env.GITHUB_SERVER_URL) ?? 'https://github.com';
    return {
        user: email && email.trim() !== '' ? email : actor,
        meta: `${server}/${repo}/actions/runs/${runId}`,
        lockIdPrefix: `github:${repo}:${runId}:${attempt}:${nonEmpty(env.GITHUB_JOB) ?? 'job'}`,
        runLockId: `github:${repo}:${runId}:run`,
    };
}
function readEvent(file) {
    if (!file)
        return {};
    try {
        const v = JSON.parse(readFileSync(file, 'utf8'));
        return typeof v === 'object' && v !== null ? v : {};
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./src/config/gitlab.ts

/** What GitLab CI knows about a job, as defaults for the lock (the counterpart of github.ts). */
/** A GitLab job (gitlab-ci-local sets GITLAB_CI=false but the job variables are all there). */
function isGitLabJob(env) {
    return env.GITLAB_CI === 'true' || (env.CI_JOB_ID !== undefined && env.CI_SERVER_HOST !== undefined && env.CI_PROJECT_ID !== undefined);
}
function gitlab_gitlabDefaults(env) {
    if (!isGitLabJob(env))
        return undefined;
    const out = { startsRenewer: !/^(false|0|no)$/i.test(env.DAPLAYA_HEARTBEAT_ENABLED ?? '') };
    const user = nonEmpty(env.GITLAB_USER_EMAIL);
    if (user)
        out.user = user;
    const meta = nonEmpty(env.CI_JOB_URL);
    if (meta)
        out.meta = meta;
    if (env.CI_JOB_ID)
        out.lockId = `gitlab:${env.CI_SERVER_HOST ?? 'gitlab'}:${env.CI_PROJECT_ID ?? ''}:${env.CI_JOB_ID}`;
    if (/^\d+$/.test(env.CI_PIPELINE_ID ?? ''))
        out.pipelineLockId = `gitlab:${env.CI_SERVER_HOST ?? 'gitlab'}:${env.CI_PROJECT_ID ?? ''}:pipeline:${env.CI_PIPELINE_ID}`;
    if (/^\d+$/.test(env.CI_JOB_TIMEOUT ?? ''))
        out.jobTimeoutMs = Number(env.CI_JOB_TIMEOUT) * 1000;
    const status = nonEmpty(env.CI_JOB_STATUS)?.toLowerCase();
    const outcome = status === 'canceled' ? 'cancelled' : status;
    if (outcome && ['success', 'failed', 'cancelled'].includes(outcome))
        out.outcome = outcome;
    return out;
}

;// CONCATENATED MODULE: ./src/config/meta-json.ts

/** At most this many keys: metadata is a few labels (a ticket, a risk level), not a document. */
const MAX_KEYS = 20;
/**
 * `--meta-json '{"ticket":"MAINT-123"}'`: a JSON object of plain values (strings, numbers,
 * booleans), kept on the lock item and in the history as structured metadata.
 */
function meta_json_parseMetaJson(text) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (err) {
        throw new UsageError(`--meta-json is not valid JSON: ${err.message.split('\n')[0]}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data))
        throw new UsageError('--meta-json must be a JSON object, e.g. {"ticket":"MAINT-123"}');
    const entries = Object.entries(data);
    if (entries.length === 0)
        throw new UsageError('--meta-json is an empty object');
    if (entries.length > MAX_KEYS)
        throw new UsageError(`--meta-json has ${entries.length} keys; the limit is ${MAX_KEYS}`);
    const out = {};
    for (const [k, v] of entries) {
        if (!/^[A-Za-z0-9_.:/-]{1,64}$/.test(k))
            throw new UsageError(`--meta-json key ${JSON.stringify(k)} must be 1-64 letters, digits or . _ - : /`);
        if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
            throw new UsageError(`--meta-json value of ${JSON.stringify(k)} must be a string, number or boolean`);
        }
        out[k] = v;
    }
    if (JSON.stringify(out).length > MAX_META)
        throw new UsageError(`--meta-json is longer than ${MAX_META} characters`);
    return out;
}
/** `ticket=MAINT-123 why="db migration"`: how metadata is shown (values with spaces or quotes are JSON-quoted). */
function meta_json_metaDataText(data) {
    return Object.entries(data)
        .map(([k, v]) => `${k}=${typeof v === 'string' && (v === '' || /[\s"=,]/.test(v)) ? JSON.stringify(v) : String(v)}`)
        .join(' ');
}

;// CONCATENATED MODULE: ./src/config/listing.ts


/** `history --limit N` / `-n N` when not given: a screenful. */
const DEFAULT_HISTORY_LIMIT = 20;
/** More than this is refused: a bigger answer is a job for `--json` and several `--since` windows. */
const MAX_HISTORY_LIMIT = 10_000;
/** `--since` reaches back at most this far (history is kept `DAPLAYA_HISTORY_DAYS`, whole days). */
const MAX_SINCE_MS = (/* unused pure expression or super */ null && (3660 * 86_400_000));
/** `--limit N`: a whole number from 1 to MAX_HISTORY_LIMIT. */
function listing_parseHistoryLimit(text) {
    if (text === undefined)
        return DEFAULT_HISTORY_LIMIT;
    const t = text.trim();
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_HISTORY_LIMIT) {
        throw new UsageError(`--limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, got ${JSON.stringify(text)}`);
    }
    return Number(t);
}
/** `--since 1h` (that long ago) or `--since 2026-11-23T10:00Z` (a time, not in the future): epoch ms. */
function listing_parseSince(text, now) {
    if (text === undefined)
        return undefined;
    const t = text.trim();
    if (t.startsWith('-') || /^\d+(\.\d+)?(ms|s|m|h|d)?$|^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(t)) {
        const ms = parseDuration(t, '--since', MAX_SINCE_MS);
        if (ms <= 0)
            throw new UsageError('--since must be longer than 0');
        return now - ms;
    }
    // A time needs at least a date (2026-11-23): Date.parse also takes words like "May 5".
    const at = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
    if (!Number.isFinite(at))
        throw new UsageError(`--since ${JSON.stringify(text)} is neither a duration (1h, 2d) nor a time (2026-11-23T10:00Z)`);
    if (at > now)
        throw new UsageError(`--since ${text} is in the future`);
    return at;
}

;// CONCATENATED MODULE: ./src/config/cli.ts















/** The CLI's flags and the environment variables it reads, turned into a validated CliConfig. */
const COMMANDS = (/* unused pure expression or super */ null && (['lock', 'release', 'locks', 'status', 'wait', 'run', 'history', 'stats', 'slack', 'init', 'help', 'version']));
const VALUE_FLAGS = (/* unused pure expression or super */ null && (['env', 'user', 'meta', 'wait', 'lease', 'table', 'region', 'endpoint', 'store', 'store-dir', 'lock-id', 'reason', 'extend', 'outcome', 'port', 'until', 'for', 'since', 'limit', 'scope', 'meta-json']));
const BOOL_FLAGS = (/* unused pure expression or super */ null && (['uberlock', 'json', 'force', 'help', 'wait-on-freeze', 'all', 'emf']));
const STORE_FLAGS = (/* unused pure expression or super */ null && (['table', 'region', 'endpoint', 'store', 'store-dir', 'json', 'help']));
/** Which flags each command accepts (beyond the store flags). */
const COMMAND_FLAGS = {
    lock: ['env', 'user', 'meta', 'meta-json', 'uberlock', 'until', 'for', 'wait', 'wait-on-freeze', 'lease', 'lock-id', 'force', 'reason', 'extend', 'scope'],
    run: ['env', 'user', 'meta', 'meta-json', 'uberlock', 'wait', 'wait-on-freeze', 'lease', 'lock-id', 'force', 'reason'],
    release: ['env', 'user', 'lock-id', 'force', 'reason', 'outcome', 'scope'],
    history: ['env', 'since', 'limit'],
    stats: ['env', 'since', 'emf'],
    slack: ['port'],
    locks: ['env', 'all'],
    status: ['env'],
    wait: ['env', 'wait'],
    init: [],
    help: [],
    version: [],
};
function parseArgs(argv) {
    const [first, ...tail] = argv;
    if (first === undefined || first === '--help' || first === '-h')
        return { command: 'help', values: {}, bools: {}, rest: [] };
    if (first === '--version' || first === '-v')
        return { command: 'version', values: {}, bools: {}, rest: [] };
    if (!COMMANDS.includes(first)) {
        throw new UsageError(`unknown command ${JSON.stringify(first)}; commands: ${COMMANDS.filter((c) => c !== 'version').join(', ')}`);
    }
    const command = first;
    const allowed = new Set([...STORE_FLAGS, ...COMMAND_FLAGS[command]]);
    const parsed = { command, values: {}, bools: {}, rest: [] };
    for (let i = 0; i < tail.length; i++) {
        const arg = tail[i];
        if (arg === '--') {
            parsed.rest = tail.slice(i + 1);
            break;
        }
        // `history -n 5`: the one short flag with a value.
        if (arg === '-n' && command === 'history') {
            const value = tail[++i];
            if (value === undefined)
                throw new UsageError('-n needs a value');
            parsed.values.limit = value;
            continue;
        }
        if (arg === '-h') {
            parsed.bools.help = true;
            continue;
        }
        if (command === 'slack' && i === 0 && arg === 'serve')
            continue;
        if (command === 'help' && i === 0 && COMMANDS.includes(arg)) {
            parsed.topic = arg;
            continue;
        }
        if (!arg.startsWith('--'))
            throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for \`${command}\``);
        const eq = arg.indexOf('=');
        const name = arg.slice(2, eq === -1 ? undefined : eq);
        if (!allowed.has(name))
            throw new UsageError(`unknown flag --${name} for \`${command}\` (see \`daplaya ${command} --help\`)`);
        if (BOOL_FLAGS.includes(name)) {
            if (eq !== -1)
                throw new UsageError(`--${name} takes no value`);
            parsed.bools[name] = true;
            continue;
        }
        let value;
        if (eq !== -1)
            value = arg.slice(eq + 1);
        else {
            value = tail[++i];
            // The value is taken as given even if it starts with '-', so `--wait -5m` reports a negative duration.
            if (value === undefined)
                throw new UsageError(`--${name} needs a value`);
        }
        parsed.values[name] = value;
    }
    return parsed;
}
/** Committer email from git, else the OS user (only asked when a command needs a user). */
function userFromMachine(env) {
    try {
        const email = execFileSync('git', ['config', 'user.email'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
        if (email)
            return email;
    }
    catch {
        // No git, or no email configured.
    }
    try {
        return os.userInfo().username;
    }
    catch {
        return env.USER ?? 'unknown';
    }
}
/** The meta of a lock taken from a terminal with nothing better to say. */
const machineMeta = (a) => `${a.command} from ${os.hostname()}`;
/** Who the lock is held as and why, and its id: from flags, DAPLAYA_*, the CI job, else this machine. */
function identity(a, env, needsUser) {
    const gitlab = gitlabDefaults(env);
    const github = isGithubActions(env) ? githubDefaults(env) : undefined;
    const user = a.values.user ?? nonEmpty(env.DAPLAYA_USER) ?? gitlab?.user ?? github?.user ?? (needsUser ? userFromMachine(env) : 'unknown');
    const meta = a.values.meta ?? nonEmpty(env.DAPLAYA_META) ?? gitlab?.meta ?? github?.meta ?? machineMeta(a);
    // In CI the lock id is the job's, so a later step (after_script, a release step) can name it and no other job can.
    const jobLockId = nonEmpty(env.DAPLAYA_LOCK_ID) ?? gitlab?.lockId ?? github?.lockIdPrefix;
    const lockId = a.values['lock-id'] ?? jobLockId ?? `cli:${user}:${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    return { user, meta, lockId, lockIdGiven: a.values['lock-id'] !== undefined || jobLockId !== undefined };
}
function loadCliConfig(argv, env) {
    const a = parseArgs(argv);
    const help = a.bools.help === true || a.command === 'help' || a.command === 'version';
    const needsEnv = ['lock', 'release', 'status', 'wait', 'run'].includes(a.command);
    const envValue = a.values.env ?? (needsEnv ? nonEmpty(env.DAPLAYA_ENV) : undefined);
    let envs = [];
    if (!help && needsEnv && envValue === undefined)
        throw new UsageError(`\`${a.command}\` needs --env ENV`);
    if (envValue !== undefined)
        envs = parseEnvList(envValue);
    if (envs.length > 1 && a.command !== 'lock' && a.command !== 'release' && a.command !== 'run' && a.command !== 'locks') {
        throw new UsageError(`\`${a.command}\` takes one env`);
    }
    const writes = ['lock', 'release', 'run'].includes(a.command) && !help;
    const id = identity(a, env, writes);
    const user = validateText('user', id.user, MAX_USER);
    if (user.trim() === '')
        throw new InvalidInputError('user is empty');
    // --meta-json: structured metadata, shown as key=value after the meta (or as the whole meta, instead of the `lock from HOST` default).
    const metaData = a.values['meta-json'] !== undefined ? parseMetaJson(a.values['meta-json']) : undefined;
    const metaShown = metaData === undefined ? id.meta : id.meta === machineMeta(a) ? metaDataText(metaData) : `${id.meta}, ${metaDataText(metaData)}`;
    const meta = validateText('meta', metaShown, MAX_META);
    const gitlab = gitlabDefaults(env);
    const waitText = a.values.wait ?? nonEmpty(env.DAPLAYA_WAIT) ?? DEFAULTS.cliWait;
    const leaseText = a.values.lease ?? nonEmpty(env.DAPLAYA_LEASE);
    const waitMs = parseDuration(waitText, '--wait');
    // A lock kept alive by a renewer (run, or a GitLab job) gets a short lease, so a dead job frees it quickly.
    const startsRenewer = a.command === 'lock' && gitlab?.startsRenewer === true;
    const renewed = a.command === 'run' || startsRenewer;
    const leaseMs = leaseText === undefined ? (renewed ? DEFAULTS.renewedLeaseMs : DEFAULTS.cliLeaseMs) : parseDuration(leaseText, '--lease');
    // A renewed lease is renewed every third of it, never more than once a second (lock/renewal.ts).
    if (leaseText !== undefined && leaseMs < DEFAULTS.minLeaseMs)
        throw new InvalidInputError(`--lease must be at least 3s, got ${leaseText}`);
    const config = {
        command: a.command,
        store: help
            ? { kind: 'file', dir: defaultStoreDir(env) }
            : resolveStore({ table: a.values.table, region: a.values.region, endpoint: a.values.endpoint, store: a.values.store, storeDir: a.values['store-dir'] }, env, 
            // `init` always means DynamoDB (unless the file store is asked for by name).
            a.command === 'init'),
        envs,
        user,
        meta,
        lockId: id.lockId,
        lockIdGiven: id.lockIdGiven,
        uberlock: a.bools.uberlock === true || /^(true|1)$/i.test(env.DAPLAYA_UBERLOCK ?? ''),
        waitMs,
        leaseMs,
        startsRenewer,
        renewerLifetimeMs: Math.min(DEFAULTS.renewerMaxLifetimeMs, gitlab?.jobTimeoutMs ?? Number.POSITIVE_INFINITY),
        json: a.bools.json === true,
        runArgs: a.rest,
        help,
        protocol: loadProtocolSettings(env),
        debug: debugEnabled(env),
        waitOnFreeze: a.bools['wait-on-freeze'] === true,
        pipelineScope: false,
        all: a.bools.all === true,
        limit: parseHistoryLimit(a.values.limit),
    };
    if (a.values.scope !== undefined) {
        if (a.values.scope !== 'pipeline' && a.values.scope !== 'job')
            throw new UsageError(`--scope must be job or pipeline, got ${JSON.stringify(a.values.scope)}`);
        if (a.values.scope === 'pipeline') {
            if (!gitlab?.pipelineLockId)
                throw new UsageError('--scope pipeline works in a GitLab job: it needs CI_PIPELINE_ID (and CI_JOB_ID, CI_PROJECT_ID)');
            if (a.values['lock-id'] !== undefined)
                throw new UsageError('--scope pipeline names the lock itself: drop --lock-id');
            config.pipelineScope = true;
            config.lockId = gitlab.pipelineLockId;
            config.lockIdGiven = true;
            // Nobody renews between the pipeline's jobs: the lease must cover the gap.
            config.startsRenewer = false;
            if (leaseText === undefined)
                config.leaseMs = parseDuration(nonEmpty(env.DAPLAYA_PIPELINE_LEASE) ?? DEFAULTS.runLease, 'DAPLAYA_PIPELINE_LEASE');
        }
    }
    const until = parseFreezeEnd(a.values.until, a.values.for, Date.now());
    if (until !== undefined) {
        if (!config.uberlock)
            throw new UsageError('--until and --for go with --uberlock: they say when a freeze ends');
        config.freezeUntil = until;
    }
    if (a.values.port !== undefined)
        config.port = a.values.port;
    const since = parseSince(a.values.since, Date.now());
    if (since !== undefined)
        config.since = since;
    const notify = help ? undefined : loadNotifyConfig(env);
    if (notify)
        config.notify = notify;
    if (a.bools.emf)
        config.emf = true;
    if (metaData)
        config.metaData = metaData;
    const topic = a.command === 'help' ? a.topic : a.command;
    if (help && topic !== undefined && topic !== 'help' && topic !== 'version')
        config.helpTopic = topic;
    if (a.command === 'slack' && argv[1] !== 'serve' && !help)
        throw new UsageError('usage: daplaya slack serve --port N');
    if (a.values.extend !== undefined) {
        config.extendMs = parseDuration(a.values.extend, '--extend');
        if (config.extendMs < 1000)
            throw new InvalidInputError('--extend must be at least 1s');
    }
    if (a.command === 'release') {
        const given = a.values.outcome?.toLowerCase();
        const o = given === 'canceled' ? 'cancelled' : given;
        if (o !== undefined && !['success', 'failed', 'cancelled'].includes(o))
            throw new UsageError(`--outcome must be success, failed or cancelled, got ${JSON.stringify(a.values.outcome)}`);
        const outcome = o ?? gitlab?.outcome;
        if (outcome)
            config.outcome = outcome;
    }
    if (a.bools.force) {
        const reason = nonEmpty(a.values.reason);
        if (!reason)
            throw new UsageError('--force needs --reason TEXT: forced takeovers are recorded with why');
        config.force = { reason: validateText('reason', reason, MAX_META) };
    }
    else if (a.values.reason !== undefined) {
        throw new UsageError('--reason goes with --force');
    }
    if (a.command === 'run' && !help && config.runArgs.length === 0)
        throw new UsageError('`run` needs a command after --, e.g. daplaya run --env prod -- ./deploy.sh');
    if (a.command !== 'run' && a.rest.length > 0)
        throw new UsageError(`\`${a.command}\` takes no command after --`);
    return config;
}
/** `--until 2026-12-24T00:00Z` or `--for 3d`: when a freeze ends; in the future, at most 30 days ahead. */
function parseFreezeEnd(until, forText, now) {
    if (until !== undefined && forText !== undefined)
        throw new common_UsageError('give --until or --for, not both');
    if (forText !== undefined) {
        const ms = durations_parseDuration(forText, '--for');
        if (ms <= 0)
            throw new common_UsageError('--for must be longer than 0');
        return now + ms;
    }
    if (until === undefined)
        return undefined;
    const t = /^\d+(\.\d+)?(ms|s|m|h|d)?$|^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(until.trim()) ? now + durations_parseDuration(until, '--until') : Date.parse(until);
    if (!Number.isFinite(t))
        throw new common_UsageError(`--until ${JSON.stringify(until)} is neither a time (2026-12-24T00:00Z) nor a duration (3d)`);
    if (t <= now)
        throw new common_UsageError(`--until ${until} is in the past`);
    if (t - now > MAX_DURATION_MS)
        throw new common_UsageError(`--until ${until} is more than 30d ahead`);
    return t;
}

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
function blocks_esc(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** A lock's user, escaped, with Slack mentions (<@U123>) kept live. */
function userText(u) {
    return blocks_esc(u).replace(/&lt;@([A-Z0-9]+)&gt;/g, '<@$1>');
}
/**
 * Meta as a link when it is a URL. A real URL has no raw `<`, `>` or `|` (they are
 * percent-encoded), so one that does is shown as text; the URL part is escaped too.
 */
function metaLink(meta) {
    return /^https?:\/\/[^\s<>|]+$/.test(meta) ? `<${blocks_esc(meta)}|${blocks_esc(meta)}>` : blocks_esc(meta);
}
/** The holder line, with the user kept as a Slack mention when it is one. */
function holderText(h, now) {
    const user = userText(h.user);
    return `${h.uberlock ? ':snowflake: *UBERLOCK* by ' : ''}${user} (${metaLink(h.meta)}, since ${iso(h.since)}, ${expiresText(h.expiresAt, now)})`;
}
/** Held, frozen and expired-but-unreleased locks, judged by rules.lockState like the CLI's `locks`. */
function leasesReply(items, queues, now, skewMs) {
    const held = items.filter((i) => rules_lockState(i, now, skewMs) !== 'free');
    if (held.length === 0)
        return reply('ephemeral', 'No env is locked.');
    const lines = held.map((i) => {
        const expired = rules_lockState(i, now, skewMs) === 'expired' ? ' :hourglass: *EXPIRED* (not released)' : '';
        const h = { name: i.name, lockId: i.owner, user: i.user ?? '?', meta: i.meta ?? '', uberlock: i.uberlock === true, since: i.acquiredAt ?? 0, expiresAt: i.expiresAt ?? NaN, fence: i.fence };
        const q = queues.get(i.name) ?? [];
        return `*${blocks_esc(i.name)}*${expired}: ${holderText(h, now)}, fence ${i.fence}, ${scopeText(i.owner)}${q.length ? `; queue: ${q.map((e, n) => `#${n + 1} ${userText(e.user)}`).join(', ')}` : ''}`;
    });
    return reply('ephemeral', `${held.length} env(s) locked`, lines);
}

;// CONCATENATED MODULE: ./src/lock/stats.ts
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

;// CONCATENATED MODULE: ./src/slack/commands.ts







/** Slack shows at most this many history events; the CLI's `history` has the rest. */
const SLACK_HISTORY_LIMIT = 10;
const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;
/** The second line of a lock confirmation: how long the lease is, and until when. */
function leaseLine(name, lock, leaseMs, now) {
    if (lock.uberlock)
        return lock.expiresAt < types/* NEVER */.tm ? `no lease: frozen until ${iso(lock.expiresAt)}` : 'no lease: frozen until released';
    return `lease ${durations_formatDuration(leaseMs)}: expires ${iso(lock.expiresAt)} (in ${durations_formatDuration(lock.expiresAt - now)}) unless released or extended (\`/daplaya extend ${blocks_esc(name)} DUR\`)`;
}
/** `status ENV`: `daplaya status`'s lines. */
async function slackStatus(client, name, now) {
    const item = await client.item(name);
    const waiters = await client.waiters(name);
    const [first, ...rest] = statusLines(name, item, waiters, now, client.skewMs).map(userText);
    return reply('ephemeral', first, rest);
}
/** `extend ENV DUR`: lengthen your own Slack lock's lease to DUR from now. */
async function slackExtend(client, name, durText, who, now) {
    if (durText === undefined)
        throw new errors_InvalidInputError('say how long: `/daplaya extend ENV DUR`, e.g. `/daplaya extend prod 2h`');
    const ms = durations_parseDuration(durText, 'duration');
    if (ms < 1000)
        throw new errors_InvalidInputError('an extension must be at least 1s');
    const item = await client.item(name);
    if (item?.owner === undefined)
        return reply('ephemeral', `:no_entry: env *${blocks_esc(name)}* is not locked; nothing to extend`);
    const holder = toHolder(item);
    if (!holder.lockId.startsWith(who.lockIdPrefix)) {
        return reply('ephemeral', `:no_entry: env *${blocks_esc(name)}* is not held by you (held by ${holderText(holder, now())}); nothing to extend`);
    }
    const r = await client.extend(name, { lockId: holder.lockId }, ms);
    if (!r.renewed)
        return reply('ephemeral', `*${blocks_esc(name)}* changed hands meanwhile; nothing extended.`);
    return reply('in_channel', `:stopwatch: ${who.mention} extended env *${blocks_esc(name)}*: ${expiresText(r.lock.expiresAt, now())} (lease ${durations_formatDuration(ms)})`);
}
function historyLine(e) {
    const parts = [`${e.kind} ${userText(e.user)}`];
    if (e.fence !== undefined)
        parts.push(`fence ${e.fence}`);
    if (e.waitedMs !== undefined)
        parts.push(`waited ${durations_formatDuration(e.waitedMs)}`);
    if (e.heldMs !== undefined)
        parts.push(`held ${durations_formatDuration(e.heldMs)}`);
    const detail = historyDetail(e);
    return `\`${iso(e.at)}\` *${blocks_esc(e.name)}* ${parts.join(', ')}${detail ? `: ${userText(detail)}` : ''}`;
}
/** `history [ENV]`: the newest events, newest first, with `daplaya history`'s kinds and details. */
async function slackHistory(client, name) {
    const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), limit: SLACK_HISTORY_LIMIT });
    if (page.events.length === 0)
        return reply('ephemeral', 'no history');
    const more = page.more ? [`(the newest ${SLACK_HISTORY_LIMIT}; \`daplaya history${name ? ` --env ${blocks_esc(name)}` : ''} --limit N\` shows more)`] : [];
    return reply('ephemeral', `history${name ? ` of *${blocks_esc(name)}*` : ''}, newest first`, [...page.events.map(historyLine), ...more]);
}
/** `stats [ENV] [SINCE]`: `daplaya stats`'s table, in a code block. */
async function slackStats(client, name, sinceText, now) {
    const windowMs = sinceText === undefined ? DEFAULT_STATS_WINDOW_MS : durations_parseDuration(sinceText, 'since');
    if (windowMs <= 0)
        throw new errors_InvalidInputError('since must be longer than 0');
    const since = now - windowMs;
    const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), since });
    const figures = historyStats(page.events, since, now + 1);
    const heading = statsHeading(since, now);
    if (figures.length === 0)
        return reply('ephemeral', heading, ['no history']);
    return reply('ephemeral', heading, [`\`\`\`\n${blocks_esc(table(statsRows(figures)))}\n\`\`\``]);
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
    await postJson(url, { ...r, replace_original: false }, { signal: AbortSignal.timeout(RESPONSE_URL_DEADLINE_MS), ...(proxy ? { proxy } : {}) });
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
                return reply('ephemeral', `Unknown command \`${blocks_esc(sub ?? '')}\`.`, HELP);
        }
    }
    catch (err) {
        if (err instanceof errors_InvalidInputError)
            return reply('ephemeral', `:x: ${blocks_esc(err.message)}`);
        return reply('ephemeral', `:x: daplaya could not do that: ${blocks_esc(err.message)}`);
    }
}
function envArg(name) {
    if (name === undefined)
        throw new errors_InvalidInputError('name an env, e.g. `/daplaya lock production`');
    return validateEnvName(name);
}
/** Every lock taken from Slack has an id that starts with its workspace and user. */
const slackLockIdPrefix = (w) => `slack:${w.teamId}:${w.userId}:`;
// Slack's own user id, escaped all the same: nothing from the request goes into a reply raw.
const mention = (w) => `<@${blocks_esc(w.userId)}>`;
const handler_slackUser = (w) => `${w.userName || w.userId} (${mention(w)})`;
const caller = (w) => ({ mention: mention(w), lockIdPrefix: slackLockIdPrefix(w) });
/** With DAPLAYA_SLACK_ADMINS, whether this user may force-release and uberlock; without it, everyone may. */
const isAdmin = (w, deps) => deps.admins === undefined || deps.admins.includes(w.userId);
const adminRefusal = (deps) => reply('ephemeral', `:no_entry: only ${(deps.admins ?? []).map((id) => `<@${blocks_esc(id)}>`).join(', ')} can force-release or uberlock from Slack (DAPLAYA_SLACK_ADMINS)`);
async function lock(uber, name, metaText, who, deps, now) {
    if (uber && !isAdmin(who, deps))
        return adminRefusal(deps);
    // `/daplaya uberlock ENV until DATE|DUR REASON`: a freeze that lifts itself (as `lock --uberlock --until`).
    let text = metaText.trim();
    let freezeUntil;
    const until = /^(until|for)\s+(\S+)\s*(.*)$/i.exec(text);
    if (uber && until) {
        freezeUntil = parseFreezeEnd(until[1]?.toLowerCase() === 'until' ? until[2] : undefined, until[1]?.toLowerCase() === 'for' ? until[2] : undefined, now());
        text = until[3] ?? '';
    }
    const client = await deps.client();
    const meta = text === '' ? 'Slack' : text.slice(0, 1000);
    const r = await client.acquire({
        name,
        lockId: `${slackLockIdPrefix(who)}${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`,
        user: handler_slackUser(who),
        meta,
        uberlock: uber,
        ...(freezeUntil !== undefined ? { freezeUntil } : {}),
        leaseMs: deps.leaseMs,
        waitMs: 0,
    });
    if (!r.acquired) {
        return reply('ephemeral', r.holder ? `:no_entry: *${blocks_esc(name)}* is locked by ${holderText(r.holder, now())}` : `:no_entry: *${blocks_esc(name)}* has a queue of waiting jobs; try again later.`);
    }
    return reply('in_channel', `${uber ? ':snowflake:' : ':lock:'} ${mention(who)} ${uber ? '*froze*' : 'locked'} *${blocks_esc(name)}* (${metaLink(meta)}), fence ${r.lock.fence}`, [leaseLine(name, r.lock, deps.leaseMs, now())]);
}
async function release(name, rest, who, deps, now) {
    const client = await deps.client();
    const item = await client.item(name);
    if (item?.owner === undefined)
        return reply('ephemeral', `*${blocks_esc(name)}* is not locked.`);
    const holder = toHolder(item);
    // Ownership by lock id: a Slack lock's id names the workspace and user that took it.
    if (holder.lockId.startsWith(slackLockIdPrefix(who))) {
        const r = await client.release(name, { lockId: holder.lockId });
        if (r.outcome !== 'released')
            return reply('ephemeral', `*${blocks_esc(name)}* changed hands meanwhile; nothing released.`);
        return reply('in_channel', `:unlock: ${mention(who)} released *${blocks_esc(name)}*`);
    }
    const forceAt = rest.findIndex((w) => w === '--force' || w.toLowerCase() === 'force');
    if (forceAt === -1) {
        const how = isAdmin(who, deps)
            ? `To release it anyway: \`/daplaya release ${blocks_esc(name)} --force --reason REASON\``
            : `Ask its holder, or one who can force it: ${(deps.admins ?? []).map((id) => `<@${blocks_esc(id)}>`).join(', ')}`;
        return reply('ephemeral', `:no_entry: *${blocks_esc(name)}* is held by ${holderText(holder, now())}, not by you. ${how}`);
    }
    if (!isAdmin(who, deps))
        return adminRefusal(deps);
    // `--force --reason TEXT` as in the CLI, or `--force TEXT`.
    const after = rest.slice(forceAt + 1);
    const reason = (after[0] === '--reason' ? after.slice(1) : after).join(' ').trim();
    if (!reason)
        return reply('ephemeral', ':x: a forced release needs a reason: `/daplaya release ENV --force --reason REASON`');
    const r = await client.release(name, { lockId: holder.lockId }, { force: { user: handler_slackUser(who), reason } });
    if (r.outcome !== 'released')
        return reply('ephemeral', `*${blocks_esc(name)}* changed hands meanwhile; nothing released.`);
    return reply('in_channel', `:warning: ${mention(who)} force-released *${blocks_esc(name)}* from ${userText(holder.user)}: ${blocks_esc(reason)}`);
}
async function leases(name, deps, now) {
    const client = await deps.client();
    // One env: its item. All: the listing of lock items only (never history), and the
    // queues of the held ones, read at once: Slack wants its answer within 3 s.
    const one = name ? await client.item(name) : undefined;
    const items = name ? (one ? [one] : []) : await client.list();
    const queues = new Map();
    const held = items.filter((i) => rules_lockState(i, now(), client.skewMs) !== 'free');
    await Promise.all(held.map(async (i) => queues.set(i.name, await client.waiters(i.name))));
    if (name && items.every((i) => rules_lockState(i, now(), client.skewMs) === 'free'))
        return reply('ephemeral', `*${blocks_esc(name)}* is not locked.`);
    return leasesReply(items, queues, now(), client.skewMs);
}

;// CONCATENATED MODULE: ./src/slack/lambda.ts






let client;
let notifier;
// Load the AWS SDK while the Lambda initialises (free CPU on a cold start) rather than inside
// Slack's 3-second window; the store itself is still opened only for a verified request.
const sdkLoading = Promise.all(/* import() */[__nccwpck_require__.e(305), __nccwpck_require__.e(508)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9508)).catch(() => undefined);
async function handler(event) {
    const config = loadSlackConfig(process.env);
    const headers = {};
    for (const [k, v] of Object.entries(event.headers ?? {}))
        headers[k.toLowerCase()] = v ?? undefined;
    const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
    const deferred = [];
    const res = await handleSlack({ headers, body }, {
        signingSecret: config.signingSecret,
        ...(config.appId ? { appId: config.appId } : {}),
        leaseMs: config.leaseMs,
        ...(config.admins ? { admins: config.admins } : {}),
        ...(config.proxy ? { proxy: config.proxy } : {}),
        client: () => (client ??= sdkLoading
            .then(() => openStore(config.store))
            .then((s) => {
            notifier = openNotifier(config.notify, s, (l) => console.warn(`daplaya: warning: ${l}`));
            return new LockClient(s, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
        })),
        onDeferred: (w) => deferred.push(w),
    });
    // A frozen Lambda cannot post later: finish the slow work before answering.
    await Promise.all(deferred);
    // Nor send a notification after it answers: each is bounded by its timeout (2 s).
    await notifier?.settle();
    return { statusCode: res.status, headers: res.headers, body: res.body };
}

var __webpack_exports__handler = __webpack_exports__.R;
export { __webpack_exports__handler as handler };
