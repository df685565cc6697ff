export const id = 198;
export const ids = [198];
export const modules = {

/***/ 6198:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   lintAgainstBase: () => (/* binding */ lintAgainstBase)
/* harmony export */ });
async function lintAgainstBase(_options, _base, _opts) {
    throw new Error('--base is not available yet');
}


/***/ })

};
