export const id = 769;
export const ids = [769];
export const modules = {

/***/ 6769:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
__webpack_require__.r(__webpack_exports__);
/* harmony import */ var _quiet_sdk_warning_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5755);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6421);
/* harmony import */ var _config_action_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(3696);
/* harmony import */ var _take_lock_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8326);
/* harmony import */ var _fail_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7868);
/* harmony import */ var _state_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(3175);








// main: report the lock taken in pre; take it here when pre did not run (local `uses: ./`).
// When pre ran and did not get the lock (the step has continue-on-error), main does not wait again.
try {
    let state = _state_js__WEBPACK_IMPORTED_MODULE_7__/* .lockState */ .HE.read();
    if (!(0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .actionEnabled */ .CW)(process.env) && !state) {
        _actions_core__WEBPACK_IMPORTED_MODULE_3__.info('daplaya is off for this job (input enabled is false): no lock taken');
        (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .setLockOutputs */ .ef)(undefined);
    }
    else if (state) {
        (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .setLockOutputs */ .ef)(state);
        _actions_core__WEBPACK_IMPORTED_MODULE_3__.info(`Holding env ${state.envs.join(', ')} as ${state.user} (fence ${state.fences.join(',')}); post releases it`);
    }
    else if (_state_js__WEBPACK_IMPORTED_MODULE_7__/* .preRanState */ .ic.read()) {
        (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .setLockOutputs */ .ef)(undefined);
        const b = _state_js__WEBPACK_IMPORTED_MODULE_7__/* .blockedState */ .kB.read();
        const envs = b?.envs.join(', ') ?? actionInputEnvs();
        const why = b?.holder ? `: ${b.reason === 'cancelled' ? 'cancelled while it waited for' : 'it was still held by'} ${b.holder.user} after ${Math.round(b.waitedMs / 1000)}s` : '';
        _actions_core__WEBPACK_IMPORTED_MODULE_3__.setFailed(`The lock on env ${envs} was not obtained in the pre step${why}; not waiting again (see the pre step's log)`);
    }
    else {
        const config = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .loadActionConfig */ .zl)(process.env);
        const renewer = node_path__WEBPACK_IMPORTED_MODULE_1___default().join(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname((0,node_url__WEBPACK_IMPORTED_MODULE_2__.fileURLToPath)(import.meta.url)), '..', 'renewer', 'index.js');
        if (config.scope === 'run')
            state = await (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .lockForRun */ .id)(config, process.env, renewer, (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .cancelSignal */ .Bj)());
        else {
            _actions_core__WEBPACK_IMPORTED_MODULE_3__.info(config.scope === 'step' ? 'scope step: taking the lock now, for this step' : 'The pre step did not run (a local action?): taking the lock now');
            state = await (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .lockForJob */ .mY)(config, process.env, renewer, (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .cancelSignal */ .Bj)());
        }
        (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .setLockOutputs */ .ef)(state);
    }
}
catch (err) {
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_6__/* .failAction */ .N)(err);
}
function actionInputEnvs() {
    return _actions_core__WEBPACK_IMPORTED_MODULE_3__.getInput('env') || 'the env input';
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ })

};
