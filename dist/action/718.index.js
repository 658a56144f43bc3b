export const id = 718;
export const ids = [718];
export const modules = {

/***/ 7718:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
__webpack_require__.r(__webpack_exports__);
/* harmony import */ var _quiet_sdk_warning_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5755);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6421);
/* harmony import */ var _config_action_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3696);
/* harmony import */ var _lock_client_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2170);
/* harmony import */ var _lock_durations_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8274);
/* harmony import */ var _session_job_lock_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(3909);
/* harmony import */ var _wording_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3395);
/* harmony import */ var _fail_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7868);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(3175);
/* harmony import */ var _notify_notifier_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(1537);
/* harmony import */ var _take_lock_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(8326);











// post: always runs (post-if: always()); stops the renewer and releases the lock.
// A cancelled job still gets its post step: do not let a late signal cut the release short.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
async function post() {
    let state;
    try {
        state = _state_js__WEBPACK_IMPORTED_MODULE_8__/* .lockState */ .HE.read();
    }
    catch (err) {
        if (err instanceof _state_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionStateError */ .MY)
            return releaseByJobLockId(err);
        throw err;
    }
    const rows = [];
    if (!state) {
        if (!(0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .actionEnabled */ .CW)(process.env)) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__.info('daplaya is off for this job (input enabled is false): nothing to release');
            return;
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_1__.info('No lock was taken by this job; nothing to release');
        await writeSummary((0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .stepSummaryFile */ .hz)(process.env), undefined, [], 0);
        return;
    }
    const { outcome, warning } = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .actionJobOutcome */ ._t)(process.env);
    if (warning)
        _actions_core__WEBPACK_IMPORTED_MODULE_1__.warning(warning);
    const config = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .loadActionConfig */ .zl)(process.env);
    const renewer = state.renewerPid ? await (0,_session_job_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .stopJobRenewer */ .Io)({ pid: state.renewerPid, statusFile: state.renewerStatusFile ?? '' }) : undefined;
    const lost = renewer?.status?.state === 'lost' ? renewer.status : undefined;
    const store = await (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_10__/* .openActionStore */ .Mb)(config);
    const notifier = (0,_notify_notifier_js__WEBPACK_IMPORTED_MODULE_9__/* .openNotifier */ .N)(config.notify, store, (l) => _actions_core__WEBPACK_IMPORTED_MODULE_1__.warning(l));
    const client = new _lock_client_js__WEBPACK_IMPORTED_MODULE_3__/* .LockClient */ .pM(store, { ...config.protocol, ...(notifier ? { observer: notifier.observer } : {}) });
    const problems = [];
    const releasedAt = Date.now();
    try {
        if (state.keep) {
            // Scope run: the lock stays with the workflow run. Leave it the between-jobs lease, so
            // the next job has time to start; a cancelled run frees it when that lapses.
            for (const [i, name] of state.envs.entries()) {
                const fence = String(state.fences[i] ?? '');
                const r = await client.extend(name, { lockId: state.lockId }, config.runLeaseMs);
                if (r.renewed) {
                    _actions_core__WEBPACK_IMPORTED_MODULE_1__.info(`Env ${name} stays locked for this workflow run (lease ${(0,_lock_durations_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDuration */ .a3)(config.runLeaseMs)} between jobs); a later job gives it back with release: true`);
                    rows.push({ env: name, fence, released: `kept for the run (${(0,_lock_durations_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDuration */ .a3)(config.runLeaseMs)})` });
                }
                else {
                    problems.push(`Lock on env ${name} was no longer held by this workflow run${r.holder ? `: now held by ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_6__/* .describeHolder */ .sG)(r.holder, Date.now())}` : ': its lease lapsed'}`);
                    rows.push({ env: name, fence, released: r.holder ? `lost to ${r.holder.user}` : 'lost' });
                }
            }
        }
        else {
            const given = await (0,_session_job_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .giveBack */ .F5)(client, state.envs.map((name) => ({ name, lockId: state.lockId })), outcome ? { outcome } : {});
            for (const g of given) {
                const fence = String(state.fences[state.envs.indexOf(g.name)] ?? '');
                if (g.outcome === 'released') {
                    _actions_core__WEBPACK_IMPORTED_MODULE_1__.info(`Released env ${g.name} (held for ${(0,_lock_durations_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDuration */ .a3)(releasedAt - state.acquiredAt)})`);
                    rows.push({ env: g.name, fence, released: 'yes' });
                }
                else if (g.outcome === 'taken-over') {
                    problems.push(`Lock on env ${g.name} was taken over while this job ran: now held by ${(0,_wording_js__WEBPACK_IMPORTED_MODULE_6__/* .describeHolder */ .sG)(g.holder, Date.now())}, fence ${g.holder.fence}`);
                    rows.push({ env: g.name, fence, released: `lost to ${g.holder.user}` });
                }
                else {
                    const by = lost?.lostEnv === g.name && lost.takenBy ? ` (taken by ${lost.takenBy.user}, fence ${lost.takenBy.fence})` : '';
                    problems.push(`Lock on env ${g.name} was no longer held by this job at release: its lease lapsed${by}`);
                    rows.push({ env: g.name, fence, released: 'lost' });
                }
            }
        }
    }
    finally {
        await notifier?.settle();
        store.close?.();
    }
    if (!state.keep && lost && problems.length === 0) {
        problems.push(`The renewer lost env ${lost.lostEnv}${lost.takenBy ? ` to ${lost.takenBy.user}` : lost.error ? `: ${lost.error}` : ''}`);
    }
    await writeSummary(config.stepSummaryFile, state, rows, releasedAt, outcome);
    if (problems.length > 0)
        _actions_core__WEBPACK_IMPORTED_MODULE_1__.setFailed(problems.join('\n'));
}
/**
 * The saved state is unreadable, but the inputs and the run still identify the lock: the
 * job's lock id is its prefix (repository, run, attempt, job) and a random part
 * (take-lock.ts), so a lock on this step's envs whose owner has the prefix is this job's.
 * Releasing it also stops the renewer, whose pid was in the state: its next renewal fails.
 */
async function releaseByJobLockId(stateError) {
    let config;
    try {
        config = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .loadActionConfig */ .zl)(process.env);
    }
    catch (err) {
        (0,_fail_js__WEBPACK_IMPORTED_MODULE_7__/* .failAction */ .N)(new _state_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionStateError */ .MY(stateError.problem, `and the inputs do not name the lock either, so nothing was released: ${err.message}`));
        return;
    }
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_7__/* .failAction */ .N)(new _state_js__WEBPACK_IMPORTED_MODULE_8__/* .ActionStateError */ .MY(stateError.problem, `releasing env ${config.envs.join(', ')} by this job's lock id`));
    const store = await (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_10__/* .openActionStore */ .Mb)(config);
    const client = new _lock_client_js__WEBPACK_IMPORTED_MODULE_3__/* .LockClient */ .pM(store, config.protocol);
    try {
        for (const env of [...config.envs].reverse()) {
            const owner = (await client.item(env))?.owner;
            if (owner === undefined || !owner.startsWith(`${config.lockIdPrefix}:`)) {
                _actions_core__WEBPACK_IMPORTED_MODULE_1__.info(`Env ${env} is not held by this job; nothing to release`);
                continue;
            }
            const { outcome } = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_2__/* .actionJobOutcome */ ._t)(process.env);
            const r = await client.release(env, { lockId: owner }, outcome ? { outcome } : {});
            _actions_core__WEBPACK_IMPORTED_MODULE_1__.info(r.outcome === 'released' ? `Released env ${env} (lock id ${owner})` : `Env ${env} changed hands meanwhile; nothing released`);
        }
    }
    finally {
        store.close?.();
    }
}
async function writeSummary(summaryFile, state, rows, releasedAt, outcome) {
    if (!summaryFile)
        return;
    const summary = _actions_core__WEBPACK_IMPORTED_MODULE_1__.summary.addHeading('daplaya deployment lock', 3);
    if (!state) {
        summary.addRaw((0,_state_js__WEBPACK_IMPORTED_MODULE_8__/* .describeBlocked */ .G)(_state_js__WEBPACK_IMPORTED_MODULE_8__/* .blockedState */ .kB.read()), true);
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
            ...rows.map((r) => [r.env, state.user, r.fence, (0,_lock_durations_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDuration */ .a3)(state.waitedMs), (0,_lock_durations_js__WEBPACK_IMPORTED_MODULE_4__/* .formatDuration */ .a3)(releasedAt - state.acquiredAt), r.released, outcome ?? 'unknown']),
        ]);
    }
    await summary.write();
}
try {
    await post();
}
catch (err) {
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_7__/* .failAction */ .N)(err);
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ })

};
