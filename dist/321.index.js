export const id = 321;
export const ids = [321];
export const modules = {

/***/ 7321:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   stats: () => (/* binding */ stats)
/* harmony export */ });
/* unused harmony exports DEFAULT_STATS_WINDOW_MS, EMF_NAMESPACE, emfDocument */
/* harmony import */ var _lock_stats_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7252);
/* harmony import */ var _wording_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3395);
/* harmony import */ var _exit_codes_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8551);



/** `stats` looks this far back unless --since says otherwise. */
const DEFAULT_STATS_WINDOW_MS = 7 * 86_400_000;
/** The CloudWatch namespace of `stats --emf`. */
const EMF_NAMESPACE = 'Daplaya';
/**
 * `daplaya stats [--env ENV] [--since DUR|TIME] [--json | --emf]`: acquisitions, failures
 * to acquire, forced takeovers and releases, lapses, and wait and hold p50/p95/max per env,
 * from the history (lock/stats.ts).
 */
async function stats(client, config, io) {
    const now = Date.now();
    const since = config.since ?? now - DEFAULT_STATS_WINDOW_MS;
    const name = config.envs[0];
    const page = await client.recentHistory({ ...(name !== undefined ? { name } : {}), since });
    const figures = (0,_lock_stats_js__WEBPACK_IMPORTED_MODULE_2__/* .historyStats */ .Kd)(page.events, since, now + 1);
    if (config.emf) {
        for (const s of figures)
            io.out(JSON.stringify(emfDocument(s, now, since)));
        return _exit_codes_js__WEBPACK_IMPORTED_MODULE_1__/* .EXIT */ .d.ok;
    }
    if (config.json) {
        io.out(JSON.stringify({ since: (0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .iso */ .KH)(since), until: (0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .iso */ .KH)(now), envs: figures }));
        return _exit_codes_js__WEBPACK_IMPORTED_MODULE_1__/* .EXIT */ .d.ok;
    }
    io.out((0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .statsHeading */ .Qc)(since, now));
    io.out(figures.length > 0 ? (0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .table */ .tp)((0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .statsRows */ .B8)(figures)) : 'no history');
    return _exit_codes_js__WEBPACK_IMPORTED_MODULE_1__/* .EXIT */ .d.ok;
}
/**
 * One CloudWatch Embedded Metric Format document (one log line) for an env: counts as
 * `Count`, durations as `Milliseconds`, dimension `Env`. A duration with no sample in the
 * window is left out rather than reported as 0. Printed to stdout, a Lambda's or a
 * container's log group turns these into metrics with no agent and no API call.
 */
function emfDocument(s, now, since) {
    const metrics = [
        ['Acquisitions', 'Count', s.acquisitions],
        ['AcquireFailures', 'Count', s.failures],
        ['ForcedTakeovers', 'Count', s.forcedTakeovers],
        ['ForcedReleases', 'Count', s.forcedReleases],
        ['Lapses', 'Count', s.lapses],
        ['WaitP50', 'Milliseconds', s.waitMs.p50],
        ['WaitP95', 'Milliseconds', s.waitMs.p95],
        ['WaitMax', 'Milliseconds', s.waitMs.max],
        ['HoldP50', 'Milliseconds', s.holdMs.p50],
        ['HoldP95', 'Milliseconds', s.holdMs.p95],
        ['HoldMax', 'Milliseconds', s.holdMs.max],
    ];
    const present = metrics.filter((m) => m[2] !== undefined);
    return {
        _aws: {
            Timestamp: now,
            CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [['Env']], Metrics: present.map(([Name, Unit]) => ({ Name, Unit })) }],
        },
        Env: s.env,
        Since: (0,_wording_js__WEBPACK_IMPORTED_MODULE_0__/* .iso */ .KH)(since),
        ...Object.fromEntries(present.map(([n, , v]) => [n, v])),
    };
}


/***/ }),

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


/***/ })

};
