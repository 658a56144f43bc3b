export const id = 984;
export const ids = [984];
export const modules = {

/***/ 5984:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCommand: () => (/* binding */ runCommand)
});

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: ./src/lock/backoff.ts
var backoff = __webpack_require__(819);
;// CONCATENATED MODULE: ./src/lock/heartbeat.ts

/**
 * Keeps short leases alive for locks held by a job. A failed renew means the lock
 * was taken over (or lapsed and was taken): that ends the heartbeat with the new holder.
 * Transient store errors are retried until the next interval.
 */
async function runHeartbeat(client, locks, opts, clock = Date.now) {
    const interval = opts.intervalMs ?? Math.max(200, Math.floor(opts.leaseMs / 3));
    const end = clock() + opts.maxLifetimeMs;
    for (;;) {
        if (!(await (0,backoff/* sleep */.yy)(Math.min(interval, Math.max(0, end - clock())), opts.signal)))
            return { reason: 'stopped' };
        if (clock() >= end)
            return { reason: 'lifetime' };
        for (const lock of locks) {
            try {
                const r = await client.renew(lock, opts.leaseMs);
                if (!r.renewed)
                    return r.holder ? { reason: 'lost', name: lock.name, holder: r.holder } : { reason: 'lost', name: lock.name };
                opts.onRenewed?.(lock.name, r.lock.expiresAt);
            }
            catch (err) {
                if (opts.signal?.aborted)
                    return { reason: 'stopped' };
                opts.onError?.(err);
            }
        }
    }
}

// EXTERNAL MODULE: ./src/cli/format.ts
var format = __webpack_require__(6719);
// EXTERNAL MODULE: ./src/cli/exit-codes.ts
var exit_codes = __webpack_require__(8551);
// EXTERNAL MODULE: ./src/cli/main.ts + 11 modules
var main = __webpack_require__(1980);
;// CONCATENATED MODULE: ./src/cli/run.ts






/**
 * `run -- CMD`: lock, run CMD with the lease renewed, release whatever happens,
 * and exit with CMD's code. Signals are passed to CMD; the release follows its exit.
 */
async function runCommand(client, config, io) {
    const r = await (0,main/* acquireForCli */.EZ)(client, config, io);
    if (!r.ok) {
        const who = r.holder ? ` by ${(0,format/* describeHolder */.sG)(r.holder, Date.now())}` : '';
        io.err(r.reason === 'cancelled' ? `daplaya: cancelled while waiting for env ${config.envs.join(',')}${who}` : `daplaya: env ${r.holder?.name ?? config.envs.join(',')} is locked${who}; not running the command`);
        return r.reason === 'cancelled' ? exit_codes/* EXIT */.d.failure : exit_codes/* EXIT */.d.busy;
    }
    const fences = r.locks.map((l) => l.fence).join(',');
    io.err(`daplaya: locked env ${config.envs.join(',')} for ${config.user} (fence ${fences}); running ${config.runArgs.join(' ')}`);
    const stopHeartbeat = new AbortController();
    let lost;
    const child = (0,external_node_child_process_.spawn)(config.runArgs[0], config.runArgs.slice(1), {
        stdio: 'inherit',
        env: { ...(io.env ?? {}), DAPLAYA_FENCE: fences, DAPLAYA_LOCK_ID: config.lockId, DAPLAYA_LOCKED_ENV: config.envs.join(',') },
    });
    const heartbeat = runHeartbeat(client, r.locks.map((l) => ({ name: l.name, lockId: l.lockId, fence: l.fence })), { leaseMs: config.leaseMs, maxLifetimeMs: Number.MAX_SAFE_INTEGER, signal: stopHeartbeat.signal }).then((end) => {
        if (end.reason === 'lost') {
            lost = `daplaya: error: the lock on env ${end.name} was lost while the command ran${end.holder ? `: taken by ${(0,format/* describeHolder */.sG)(end.holder, Date.now())}` : ''}; stopping the command`;
            io.err(lost);
            child.kill('SIGTERM');
        }
    });
    io.onSignal?.((sig) => child.kill(sig));
    const exit = await new Promise((resolve) => {
        child.on('error', (error) => resolve({ code: null, signal: null, error }));
        child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    stopHeartbeat.abort();
    await heartbeat;
    for (const l of [...r.locks].reverse()) {
        const rel = await client.release(l.name, { lockId: l.lockId });
        if (rel.outcome === 'released')
            io.err(`daplaya: released env ${l.name}`);
        else if (rel.outcome === 'held-by-other')
            io.err(`daplaya: env ${l.name} is now held by ${(0,format/* describeHolder */.sG)(rel.holder, Date.now())}; it was taken over while the command ran`);
        else
            io.err(`daplaya: env ${l.name} was no longer held at release (the lease lapsed)`);
    }
    if (exit.error) {
        io.err(`daplaya: error: could not run ${config.runArgs[0]}: ${exit.error.message}`);
        return exit.error.code === 'ENOENT' ? 127 : 126;
    }
    if (exit.signal)
        return 128 + ((external_node_os_default()).constants.signals[exit.signal] ?? 0);
    const code = exit.code ?? exit_codes/* EXIT */.d.failure;
    return lost && code === 0 ? exit_codes/* EXIT */.d.failure : code;
}


/***/ })

};
