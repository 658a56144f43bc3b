export const id = 175;
export const ids = [175];
export const modules = {

/***/ 4175:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runCommand: () => (/* binding */ runCommand)
/* harmony export */ });
/* harmony import */ var _exit_codes_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8551);

async function runCommand(_client, _config, io) {
    io.err('daplaya: error: `run` is not implemented yet');
    return _exit_codes_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .d.failure;
}


/***/ })

};
