export const id = 506;
export const ids = [506];
export const modules = {

/***/ 6506:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   runGraph: () => (/* binding */ runGraph)
/* harmony export */ });
async function runGraph(_argv, io) {
    io.stderr.write('mtls-lint graph: not available yet\n');
    return 2;
}


/***/ })

};
