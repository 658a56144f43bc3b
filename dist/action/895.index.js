export const id = 895;
export const ids = [895];
export const modules = {

/***/ 9895:
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








// pre: take the lock before any other step of the job runs.
try {
    if (!(0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .actionEnabled */ .CW)(process.env)) {
        _actions_core__WEBPACK_IMPORTED_MODULE_3__.info('daplaya is off for this job (input enabled is false): not locking');
    }
    else if ((0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .actionScope */ .Vm)(process.env) !== 'job') {
        // scope step: the lock is taken where the step stands; scope run: by the step, for the whole run.
        _actions_core__WEBPACK_IMPORTED_MODULE_3__.info(`daplaya: scope ${(0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .actionScope */ .Vm)(process.env)}: the lock is taken in the step itself, not before the job`);
    }
    else {
        const config = (0,_config_action_js__WEBPACK_IMPORTED_MODULE_4__/* .loadActionConfig */ .zl)(process.env);
        _state_js__WEBPACK_IMPORTED_MODULE_7__/* .preRanState */ .ic.save();
        await (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .lockForJob */ .mY)(config, process.env, node_path__WEBPACK_IMPORTED_MODULE_1___default().join(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname((0,node_url__WEBPACK_IMPORTED_MODULE_2__.fileURLToPath)(import.meta.url)), '..', 'renewer', 'index.js'), (0,_take_lock_js__WEBPACK_IMPORTED_MODULE_5__/* .cancelSignal */ .Bj)());
    }
}
catch (err) {
    (0,_fail_js__WEBPACK_IMPORTED_MODULE_6__/* .failAction */ .N)(err);
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ })

};
