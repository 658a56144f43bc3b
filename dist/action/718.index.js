export const id = 718;
export const ids = [718];
export const modules = {

/***/ 7718:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
__webpack_require__.r(__webpack_exports__);
/* harmony import */ var _quiet_sdk_warning_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5755);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6421);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2973);
/* harmony import */ var _cli_format_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6719);
/* harmony import */ var _lock_client_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3711);
/* harmony import */ var _lock_names_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6139);
/* harmony import */ var _heartbeat_status_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(8716);
/* harmony import */ var _heartbeat_spawn_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(6495);
/* harmony import */ var _github_defaults_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(5742);
/* harmony import */ var _lock_phase_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(723);
/* harmony import */ var _fail_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(7868);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(3175);













// post: always runs (post-if: always()); stops the renewer and releases the lock.
// A cancelled job still gets its post step: do not let a late signal cut the release short.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
async function post() {
    let state;
    try {
        state = _state_js__WEBPACK_IMPORTED_MODULE_11__/* .lockState */ .HE.read();
    }
    catch (err) {
        if (err instanceof _config_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionStateError */ .MY)
            return releaseByJobLockId(err);
        throw err;
    }
    const rows = [];
    if (!state) {
        if (!(0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .actionEnabled */ .CW)(process.env)) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq('daplaya is off for this job (input enabled is false): nothing to release');
            return;
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq('No lock was taken by this job; nothing to release');
        await writeSummary(undefined, [], 0);
        return;
    }
    const { outcome, warning } = (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .actionJobOutcome */ ._t)(process.env);
    if (warning)
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(warning);
    if (state.heartbeatPid)
        await (0,_heartbeat_spawn_js__WEBPACK_IMPORTED_MODULE_7__/* .stopHeartbeat */ .RN)(state.heartbeatPid);
    const hb = (0,_heartbeat_status_js__WEBPACK_IMPORTED_MODULE_6__/* .readStatus */ .rk)(state.heartbeatStatusFile);
    const config = (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .loadActionConfig */ .zl)(process.env, (0,_github_defaults_js__WEBPACK_IMPORTED_MODULE_8__/* .githubDefaults */ .Q)());
    const store = await (0,_lock_phase_js__WEBPACK_IMPORTED_MODULE_9__/* .openActionStore */ .Mb)(config);
    const client = new _lock_client_js__WEBPACK_IMPORTED_MODULE_4__/* .LockClient */ .pM(store, (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .loadProtocolSettings */ .kh)(process.env));
    const problems = [];
    const releasedAt = Date.now();
    try {
        for (const [i, env] of [...state.envs].entries()) {
            const r = await client.release(env, { lockId: state.lockId }, outcome ? { outcome } : {});
            const fence = String(state.fences[i] ?? '');
            if (r.outcome === 'released') {
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`Released env ${env} (held for ${(0,_lock_names_js__WEBPACK_IMPORTED_MODULE_5__/* .formatDuration */ .a3)(releasedAt - state.acquiredAt)})`);
                rows.push({ env, fence, released: 'yes' });
            }
            else if (r.outcome === 'held-by-other') {
                problems.push(`Lock on env ${env} was taken over while this job ran: now held by ${(0,_cli_format_js__WEBPACK_IMPORTED_MODULE_3__/* .describeHolder */ .sG)(r.holder, Date.now())}, fence ${r.holder.fence}`);
                rows.push({ env, fence, released: `lost to ${r.holder.user}` });
            }
            else {
                const by = hb?.state === 'lost' && hb.lostEnv === env && hb.takenBy ? ` (taken by ${hb.takenBy.user}, fence ${hb.takenBy.fence})` : '';
                problems.push(`Lock on env ${env} was no longer held by this job at release: it lapsed or was taken over${by}`);
                rows.push({ env, fence, released: 'lost' });
            }
        }
    }
    finally {
        store.close?.();
    }
    if (hb?.state === 'lost' && problems.length === 0) {
        problems.push(`The renewer lost env ${hb.lostEnv}${hb.takenBy ? ` to ${hb.takenBy.user}` : ''}`);
    }
    await writeSummary(state, rows, releasedAt, outcome);
    if (problems.length > 0)
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setFailed */ .C1(problems.join('\n'));
}
/**
 * The saved state is unreadable, but the inputs and the run still identify the lock: the
 * job's lock id is its prefix (repository, run, attempt, job) and a random part
 * (lock-phase.ts), so a lock on this step's envs whose owner has the prefix is this job's.
 * Releasing it also stops the renewer, whose pid was in the state: its next renewal fails.
 */
async function releaseByJobLockId(stateError) {
    let config;
    try {
        config = (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .loadActionConfig */ .zl)(process.env, (0,_github_defaults_js__WEBPACK_IMPORTED_MODULE_8__/* .githubDefaults */ .Q)());
    }
    catch (err) {
        (0,_fail_js__WEBPACK_IMPORTED_MODULE_10__/* .failAction */ .N)(new _config_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionStateError */ .MY(stateError.problem, `and the inputs do not name the lock either, so nothing was released: ${err.message}`));
        return;
    }
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_10__/* .failAction */ .N)(new _config_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionStateError */ .MY(stateError.problem, `releasing env ${config.envs.join(', ')} by this job's lock id`));
    const store = await (0,_lock_phase_js__WEBPACK_IMPORTED_MODULE_9__/* .openActionStore */ .Mb)(config);
    const client = new _lock_client_js__WEBPACK_IMPORTED_MODULE_4__/* .LockClient */ .pM(store, (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .loadProtocolSettings */ .kh)(process.env));
    try {
        for (const env of [...config.envs].reverse()) {
            const owner = (await client.item(env))?.owner;
            if (owner === undefined || !owner.startsWith(`${config.lockIdPrefix}:`)) {
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`Env ${env} is not held by this job; nothing to release`);
                continue;
            }
            const { outcome } = (0,_config_js__WEBPACK_IMPORTED_MODULE_2__/* .actionJobOutcome */ ._t)(process.env);
            const r = await client.release(env, { lockId: owner }, outcome ? { outcome } : {});
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(r.outcome === 'released' ? `Released env ${env} (lock id ${owner})` : `Env ${env} changed hands meanwhile; nothing released`);
        }
    }
    finally {
        store.close?.();
    }
}
async function writeSummary(state, rows, releasedAt, outcome) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const summary = _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .summary */ .z.addHeading('daplaya deployment lock', 3);
    if (!state) {
        summary.addRaw((0,_state_js__WEBPACK_IMPORTED_MODULE_11__/* .describeBlocked */ .G)(_state_js__WEBPACK_IMPORTED_MODULE_11__/* .blockedState */ .kB.read()), true);
    }
    else {
        summary.addTable([
            [
                { data: 'env', header: true },
                { data: 'holder', header: true },
                { data: 'fence', header: true },
                { data: 'waited', header: true },
                { data: 'held for', header: true },
                { data: 'released', header: true },
                { data: 'outcome', header: true },
            ],
            ...rows.map((r) => [r.env, state.user, r.fence, (0,_lock_names_js__WEBPACK_IMPORTED_MODULE_5__/* .formatDuration */ .a3)(state.waitedMs), (0,_lock_names_js__WEBPACK_IMPORTED_MODULE_5__/* .formatDuration */ .a3)(releasedAt - state.acquiredAt), r.released, outcome ?? 'unknown']),
        ]);
    }
    await summary.write();
}
try {
    await post();
}
catch (err) {
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_10__/* .failAction */ .N)(err);
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 8716:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   rk: () => (/* binding */ readStatus)
/* harmony export */ });
/* unused harmony exports writeStatus, takeStatus */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);


const O_NOFOLLOW = node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_NONBLOCK ?? 0;
/**
 * Writes the status as a new private file (O_EXCL | O_NOFOLLOW, 0600) beside the
 * target and renames it over the target: a symlink planted at the name is
 * replaced, never written through, and a reader never sees half a status.
 */
function writeStatus(file, status) {
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
        const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, 0o600);
        try {
            fchmodSync(fd, 0o600);
            writeFileSync(fd, JSON.stringify(status));
        }
        finally {
            closeSync(fd);
        }
        renameSync(tmp, file);
    }
    catch {
        // Nowhere to report to; the lock itself is the source of truth.
        try {
            unlinkSync(tmp);
        }
        catch {
            // never made
        }
    }
}
/** Reads a status file, never through a symlink. */
function readStatus(file) {
    if (!file)
        return undefined;
    try {
        const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(file, node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        try {
            if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.fstatSync)(fd).isFile())
                return undefined;
            return JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(fd, 'utf8'));
        }
        finally {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
        }
    }
    catch {
        return undefined;
    }
}
/** Reads a status file and removes it (unlink removes a symlink, never its target). */
function takeStatus(file) {
    const status = readStatus(file);
    if (file) {
        try {
            unlinkSync(file);
        }
        catch {
            // none
        }
    }
    return status;
}


/***/ })

};
