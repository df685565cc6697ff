export const id = 874;
export const ids = [874];
export const modules = {

/***/ 7874:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CONVERT_HELP: () => (/* binding */ CONVERT_HELP),
/* harmony export */   runConvert: () => (/* binding */ runConvert)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _engine_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(825);
/* harmony import */ var _resolve_options_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5620);
/* harmony import */ var _cli_common_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(577);
/* harmony import */ var _mesh_releases_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6031);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(2988);
/* harmony import */ var _mesh_convert_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(290);
// `mtls-lint convert [paths]`: write PeerAuthentication equivalents of legacy Policies and MeshPolicies.








const CONVERT_OPTIONS = {
    namespace: _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .COMMON_OPTIONS */ .DT.namespace,
    config: _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .COMMON_OPTIONS */ .DT.config,
    'istio-version': _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .COMMON_OPTIONS */ .DT['istio-version'],
    help: _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .COMMON_OPTIONS */ .DT.help,
    'out-dir': { type: 'string' },
};
const CONVERT_HELP = `Usage: mtls-lint convert [options] [path ...]

Write the PeerAuthentication equivalents of authentication.istio.io/v1alpha1 Policy and MeshPolicy resources
(Istio 1.0–1.5; ignored from 1.6). Targets become selectors (from each Service's selector), service ports become
container (target) ports under portLevelMtls, MeshPolicy "default" becomes a PeerAuthentication in the root
namespace, \`mtls: {}\` / \`mtls:\` become STRICT, and a policy without an mtls peer becomes DISABLE (a legacy
sidecar accepted plaintext only). Include the Services and workloads the Policies target in the inputs.

With config \`meshes:\` and no path arguments, each mesh is converted on its own (a MeshPolicy of one mesh does not
apply to another): stdout has a \`# mesh NAME\` comment before each mesh's policies, --out-dir writes DIR/NAME/….

Where no PeerAuthentication does the same (a Service without selector, two Services with different policies over
the same pods, competing policies without creationTimestamp), it says so on stderr instead of guessing.

Options:
      --out-dir DIR       write one file per source file under DIR (same relative path) instead of stdout
  -n, --namespace NS      namespace for resources without one (default: default)
  -c, --config FILE       config file (mesh.rootNamespace is where MeshPolicy's replacement goes)
      --istio-version X.Y the release to convert for (default: newest; apiVersion security.istio.io/v1 from
                          1.22, v1beta1 for 1.5–1.21)
  -h, --help              this help

Exit codes: 0 everything converted (or nothing to convert); 1 something could not be converted faithfully (see
stderr); 2 usage error.
`;
async function runConvert(argv, io) {
    const { values, positionals } = (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .parse */ .qg)(argv, CONVERT_OPTIONS);
    if (values.help) {
        io.stdout.write(CONVERT_HELP);
        return _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT_OK */ .Ij;
    }
    const options = (0,_resolve_options_js__WEBPACK_IMPORTED_MODULE_3__/* .resolveOptions */ .$)({
        cwd: io.cwd,
        paths: positionals,
        namespace: values.namespace,
        istioVersion: values['istio-version'],
        configPath: values.config,
    });
    (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .noteIstioVersion */ .$N)(options, io);
    const release = (0,_mesh_releases_js__WEBPACK_IMPORTED_MODULE_5__/* .releaseOf */ .l7)(options.istioVersion);
    if (!release.has('peer-authentication')) {
        throw new _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .UsageError */ .eb(`PeerAuthentication exists from Istio 1.5; --istio-version ${options.istioVersion.text} has only the legacy API. Convert for 1.5 or later.`);
    }
    const stdin = async () => (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .readAll */ .yw)(io.stdin);
    // Config `meshes:` (and no path arguments): each mesh is converted on its own, as it is linted on its own; a
    // MeshPolicy of one mesh says nothing about another's services. Output is per mesh: a `# mesh NAME` comment on
    // stdout, DIR/NAME/… with --out-dir.
    const meshNames = (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .meshesWanted */ .hj)(options, positionals, undefined);
    const sets = [];
    if (meshNames) {
        const { lintMeshes } = await Promise.all(/* import() */[__webpack_require__.e(380), __webpack_require__.e(642)]).then(__webpack_require__.bind(__webpack_require__, 9642));
        const all = await lintMeshes(options, { names: meshNames, env: io.env, stdin });
        for (const run of all.meshes) {
            (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .checkMeshInputs */ .vG)(run, options);
            sets.push({ mesh: run.name, result: run.result });
        }
    }
    else {
        const result = await (0,_engine_js__WEBPACK_IMPORTED_MODULE_2__/* .lint */ .u8)(options, { stdin });
        (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .checkInputs */ .sw)(result, options);
        sets.push({ result });
    }
    let converted = 0;
    let unconverted = false;
    const texts = [];
    for (const { mesh, result } of sets) {
        const c = convertResult(result, release);
        const prefix = mesh === undefined ? '' : `mesh ${JSON.stringify(mesh)}: `;
        for (const n of c.notes)
            io.stderr.write(`mtls-lint convert: ${prefix}${noteText(n)}\n`);
        unconverted ||= c.notes.some((n) => n.unconverted);
        if (!c.legacy && !c.invalidLegacy) {
            if (mesh !== undefined)
                io.stderr.write(`mtls-lint convert: ${prefix}no authentication.istio.io Policy or MeshPolicy; nothing to convert.\n`);
            continue;
        }
        converted++;
        if (values['out-dir'] !== undefined) {
            const outDir = node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(io.cwd, values['out-dir'], mesh === undefined ? '' : safeRelative(mesh));
            const byFile = new Map();
            for (const p of c.policies)
                byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
            for (const [file, list] of byFile) {
                const target = node_path__WEBPACK_IMPORTED_MODULE_1___default().join(outDir, safeRelative(file));
                try {
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(target), { recursive: true });
                    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.writeFile)(target, list.map(_mesh_convert_js__WEBPACK_IMPORTED_MODULE_6__/* .renderPolicy */ .zQ).join('---\n'));
                }
                catch (err) {
                    throw new _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .UsageError */ .eb(`cannot write ${target}: ${err.code ?? String(err)}`);
                }
                const shown = node_path__WEBPACK_IMPORTED_MODULE_1___default().relative(io.cwd, target);
                io.stderr.write(`mtls-lint convert: ${prefix}wrote ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_7__/* .quoteName */ .AB)(shown && !shown.startsWith('..') ? shown : target)} (${list.length} PeerAuthentication${list.length === 1 ? '' : 's'})\n`);
            }
        }
        else if (c.policies.length) {
            const body = c.policies.map(_mesh_convert_js__WEBPACK_IMPORTED_MODULE_6__/* .renderPolicy */ .zQ).join('---\n');
            texts.push(mesh === undefined ? body : `# mesh ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_7__/* .oneLine */ .TN)(mesh)}\n${body}`);
        }
    }
    if (!converted && sets.length === 1 && sets[0].mesh === undefined) {
        io.stderr.write('mtls-lint convert: no authentication.istio.io Policy or MeshPolicy in the inputs; nothing to convert.\n');
        return _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT_OK */ .Ij;
    }
    if (texts.length)
        await (0,_cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .writeOutput */ .zh)(texts.join('---\n'), undefined, io);
    return unconverted ? _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT_FINDINGS */ .cB : _cli_common_js__WEBPACK_IMPORTED_MODULE_4__/* .EXIT_OK */ .Ij;
}
/** One input set's conversion, with notes for legacy resources the model could not read. */
function convertResult(result, release) {
    const mesh = result.mesh();
    const conversion = (0,_mesh_convert_js__WEBPACK_IMPORTED_MODULE_6__/* .convertMesh */ .P9)(mesh, { targetVersion: release });
    const notes = [...conversion.notes];
    // Legacy resources with schema errors are not in the model: say so rather than skip them silently.
    const modelled = new Set(mesh.resources);
    for (const r of result.inputs.resources) {
        if (r.group !== 'authentication.istio.io' ||
            (r.kind !== 'Policy' && r.kind !== 'MeshPolicy') ||
            modelled.has(r))
            continue;
        const problems = result.findings.filter((f) => f.rule === 'invalid-resource' &&
            f.file === r.file &&
            f.resource?.name === r.name &&
            f.resource.kind === r.kind);
        const first = problems[0];
        notes.push({
            resource: r,
            path: ['metadata', 'name'],
            unconverted: true,
            message: `not converted: it is not a valid ${r.kind}${first ? ` (${first.file}:${first.line}: ${first.message.replace(/\.$/, '')})` : ''}. Fix it and convert again.`,
        });
    }
    const invalidLegacy = notes.some((n) => n.resource !== undefined && !modelled.has(n.resource));
    return { policies: conversion.policies, notes, legacy: conversion.legacy.length, invalidLegacy };
}
function noteText(n) {
    if (!n.resource)
        return `note: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_7__/* .oneLine */ .TN)(n.message)}`;
    const r = n.resource;
    const span = r.span(n.path ?? []);
    const name = r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
    // The line starts with a file name from the inputs; stderr is read for workflow commands too.
    return `${(0,_escape_js__WEBPACK_IMPORTED_MODULE_7__/* .quoteName */ .AB)(r.file)}:${span.line}:${span.column}: ${n.unconverted ? 'not converted' : 'note'}: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_7__/* .oneLine */ .TN)(`${name}: ${n.message.replace(/^not converted: /, '')}`)}`;
}
/** A display path as a path under --out-dir: no "..", no root, stdin gets a name. */
function safeRelative(file) {
    if (file === '<stdin>' || file === '-')
        return 'stdin.yaml';
    const parts = file.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..' && !/^[A-Za-z]:$/.test(p));
    return parts.length ? parts.join((node_path__WEBPACK_IMPORTED_MODULE_1___default().sep)) : 'converted.yaml';
}


/***/ })

};
