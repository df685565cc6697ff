export const id = 642;
export const ids = [642];
export const modules = {

/***/ 9642:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  lintMeshes: () => (/* binding */ lintMeshes)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/config.ts + 1 modules
var config = __webpack_require__(5039);
// EXTERNAL MODULE: ./src/engine.ts
var engine = __webpack_require__(825);
// EXTERNAL MODULE: ./src/load/index.ts + 8 modules
var load = __webpack_require__(3432);
// EXTERNAL MODULE: ./src/diff/base.ts + 3 modules
var diff_base = __webpack_require__(1380);
// EXTERNAL MODULE: ./src/diff/git.ts
var git = __webpack_require__(1547);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/load/parsed-file.ts
var parsed_file = __webpack_require__(7298);
;// CONCATENATED MODULE: ./src/diff/render.ts
// Config `meshes:` with `render:`: run the command that prints a mesh's manifests (kustomize build, helm template),
// and, in PR mode, the same command in a temporary checkout of the base commit. The command is repository content
// executed as a build would be: it runs without the GitHub token and the runner's own tokens in its environment,
// under a timeout, and its process group is killed when the time is up.







/** Seconds a render command may take unless the mesh sets `timeout:`. */
const DEFAULT_RENDER_TIMEOUT = 300;
/** Bytes of standard error kept for the message: the end, where the tool says what failed. */
const STDERR_TAIL = 2000;
/**
 * Variables that hold tokens on a GitHub runner or in common CI setups: the action's inputs (`INPUT_TOKEN` is the
 * token input), GITHUB_TOKEN/GH_TOKEN, and the runner's own (ACTIONS_RUNTIME_TOKEN for caches and artifacts,
 * ACTIONS_ID_TOKEN_REQUEST_* for OIDC cloud credentials).
 */
const SECRET_NAMES = [
    /^INPUT_/i,
    /^ACTIONS_RUNTIME_/i,
    /^ACTIONS_ID_TOKEN_REQUEST_/i,
    /^ACTIONS_(CACHE|RESULTS)_URL$/i,
    /^(GITHUB|GH|GITHUB_ENTERPRISE|GH_ENTERPRISE)_TOKEN$/i,
];
/** The environment a render command gets: the caller's, without tokens (by name, and any variable holding one). */
function renderEnv(env, secrets = []) {
    const values = secrets.filter((s) => s.length >= 4);
    const out = {};
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined)
            continue;
        if (SECRET_NAMES.some((re) => re.test(name)))
            continue;
        if (values.some((s) => value.includes(s)))
            continue;
        out[name] = value;
    }
    return out;
}
/** The display path of a render's output: `$(command)`, so that `line:column` reads as a place in its output. */
function renderedFile(command) {
    const one = command.replace(/\s+/g, ' ').trim();
    return `$(${one.length > 100 ? `${one.slice(0, 99)}…` : one})`;
}
/** Run a render command; never throws: a failure is an input-error finding on the render's display path. */
function runRender(spec) {
    const file = renderedFile(spec.command);
    const fail = (what, stderr) => {
        const tail = stderr.length > STDERR_TAIL ? `…${stderr.slice(-STDERR_TAIL)}` : stderr;
        const said = tail.trim()
            ? ` Its standard error ends:\n${tail.trimEnd()}`
            : ' It wrote nothing to standard error.';
        return {
            ok: false,
            finding: (0,parsed_file/* fileFinding */.sb)('input-error', file, { line: 1, column: 1, endLine: 1, endColumn: 1 }, `Mesh "${spec.mesh}"${spec.side ?? ''}: the render command \`${spec.command}\` ${what}, so nothing of this mesh was checked. Run it in ${spec.cwd} to see why, and fix the command or the files it reads.${said}`, `render${spec.side ? '-base' : ''}`),
        };
    };
    return new Promise((resolve) => {
        let child;
        try {
            // A shell, as a CI step would run it; its own process group, so that the timeout kills what it started too.
            child = (0,external_node_child_process_.spawn)('/bin/sh', ['-c', spec.command], {
                cwd: spec.cwd,
                env: spec.env,
                stdio: ['ignore', 'pipe', 'pipe'],
                detached: true,
            });
        }
        catch (err) {
            resolve(fail(`could not be started (${err.message})`, ''));
            return;
        }
        const out = [];
        let outBytes = 0;
        let errText = '';
        let why;
        const kill = (reason) => {
            why ??= reason;
            try {
                process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // Already gone.
            }
        };
        const timer = setTimeout(() => kill(`did not finish within ${spec.timeoutSeconds} s (meshes.${spec.mesh}.timeout) and was killed`), spec.timeoutSeconds * 1000);
        child.stdout.on('data', (c) => {
            outBytes += c.length;
            if (outBytes > spec.maxBytes) {
                kill(`printed more than limits.maxFileSize (${spec.maxBytes} bytes) and was stopped`);
                return;
            }
            out.push(c);
        });
        child.stderr.on('data', (c) => {
            errText = (errText + c.toString('utf8')).slice(-STDERR_TAIL * 2);
        });
        child.on('error', (err) => {
            clearTimeout(timer);
            resolve(fail(`could not be started (${err.message})`, errText));
        });
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            if (why)
                return resolve(fail(why, errText));
            if (code !== 0)
                return resolve(fail(code === null ? `was killed by ${signal}` : `failed with exit code ${code}`, errText));
            const read = (0,load/* readCommandOutput */.Zz)(Buffer.concat(out), file, spec.maxBytes);
            if ('problem' in read)
                return resolve(fail(read.problem, errText));
            resolve({ ok: true, text: read.text });
        });
    });
}
/**
 * A checkout of `commit` in a temporary directory for the duration of `fn` (git worktree, detached, no hooks run),
 * removed afterwards whatever happens. `fn` gets the checkout's root.
 */
async function withCheckout(root, commit, fn) {
    const parent = await (0,promises_.mkdtemp)(external_node_path_default().join((0,external_node_os_.tmpdir)(), 'mtls-lint-base-'));
    const dir = external_node_path_default().join(parent, 'checkout');
    try {
        const added = await (0,git/* git */.$Y)(['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', dir, commit], root);
        if (added.code !== 0) {
            throw new Error(`git worktree add of the base ${commit.slice(0, 7)} failed: ${added.stderr.trim()}`);
        }
        return await fn(dir);
    }
    finally {
        await (0,git/* git */.$Y)(['worktree', 'remove', '--force', dir], root);
        await (0,promises_.rm)(parent, { recursive: true, force: true });
        await (0,git/* git */.$Y)(['worktree', 'prune'], root);
    }
}

;// CONCATENATED MODULE: ./src/diff/meshes.ts
// Config `meshes:`: several input sets (clusters, environments, demo steps) in one repository, each analysed on its
// own (its own model and graph) in one run and one report. A mesh is `paths:` (files to lint) or `render:` (a
// command whose standard output is the manifests). Every finding of a mesh carries its name (`mesh`), and its
// fingerprint starts with it, so that the same file in two meshes gives two findings and PR mode compares each mesh
// with the same mesh of the base.








/** The configured meshes to lint, in config order; an unknown name is a usage error naming the known ones. */
function selectMeshes(options, names) {
    const all = Object.entries(options.config.meshes ?? {});
    if (!names.length)
        return all;
    const known = new Set(all.map(([n]) => n));
    for (const n of names) {
        if (!known.has(n)) {
            throw new config/* ConfigError */.xL(all.length
                ? `--mesh ${JSON.stringify(n)}: no mesh of that name in ${options.configFile ?? 'the config'} (meshes: ${[...known].join(', ')})`
                : `--mesh ${JSON.stringify(n)}: the config has no meshes: section${options.configFile ? ` (${options.configFile})` : ''}`);
        }
    }
    return all.filter(([n]) => names.includes(n));
}
async function lintMeshes(options, opts) {
    const selected = selectMeshes(options, opts.names);
    const env = renderEnv(opts.env, opts.secrets);
    const runs = [];
    for (const [name, spec] of selected)
        runs.push({ name, spec, result: await lintMesh(name, spec, options, opts, env) });
    return merge(runs);
}
/** Paths of `meshes:` are relative to the config file's directory; the loader wants them relative to cwd. */
function meshPaths(options, spec) {
    const dir = configDir(options);
    return (spec.paths ?? []).map((p) => external_node_path_default().relative(options.cwd, external_node_path_default().resolve(dir, p)) || '.');
}
function configDir(options) {
    return options.configFile ? external_node_path_default().dirname(options.configFile) : options.cwd;
}
async function lintMesh(name, spec, options, opts, env) {
    const meshOptions = { ...options, paths: meshPaths(options, spec) };
    const base = opts.base;
    if (spec.render === undefined) {
        return base
            ? (0,diff_base/* lintAgainstBase */.K7)(meshOptions, base.ref, {
                stdin: opts.stdin,
                showAll: base.showAll,
                ...(base.gitOnly ? { gitOnly: true } : {}),
                ...(base.untracked ? { untracked: base.untracked } : {}),
            })
            : (0,engine/* lint */.u8)(meshOptions, { stdin: opts.stdin });
    }
    const render = (cwd, side) => renderInputs(name, spec, spec.render, cwd, meshOptions, env, side);
    const head = await render(configDir(options));
    if (!base)
        return (0,engine/* analyze */.ns)(head, meshOptions);
    // The base is rendered by the head's command (never the base's config) in a checkout of the base commit.
    const notCommit = (why) => new config/* ConfigError */.xL(`--base ${JSON.stringify(base.ref)}: mesh "${name}" has render:, which needs the base as a git commit (${why}); a base directory or file cannot be rendered`);
    // As in lintAgainstBase, an existing file or directory of that name is meant as one.
    if (!base.gitOnly && (await (0,promises_.stat)(external_node_path_default().resolve(options.cwd, base.ref)).catch(() => undefined)))
        throw notCommit(`${base.ref} is a file or directory`);
    const root = await (0,git/* repoRoot */.jv)(options.cwd);
    const problem = (0,git/* checkRef */.__)(base.ref);
    const resolved = problem
        ? undefined
        : await (0,git/* git */.$Y)(['rev-parse', '--verify', '--quiet', '--end-of-options', `${base.ref}^{commit}`], root);
    if (!resolved || resolved.code !== 0)
        throw notCommit(problem ?? 'not a commit in this repository');
    const commit = resolved.stdout.toString('utf8').trim();
    const info = {
        kind: 'git',
        ref: base.ref,
        commit,
        label: `base ${base.ref} (${commit.slice(0, 7)})`,
    };
    const watched = meshOptions.paths.map((p) => external_node_path_default().resolve(options.cwd, p));
    let baseInputs;
    if (watched.length && (await unchangedSince(root, commit, watched))) {
        // Nothing the command reads changed: the base renders to what the head does.
        baseInputs = head;
    }
    else {
        const where = external_node_path_default().relative(root, configDir(options));
        baseInputs = await withCheckout(root, commit, (dir) => render(external_node_path_default().join(dir, where), ` at the base ${commit.slice(0, 7)}`));
        for (const failed of baseInputs.diagnostics.filter((d) => d.key.endsWith('|render-base'))) {
            // A mesh the change adds cannot render at the base: every finding of it is new, which the head should hear.
            // Its own key: the base has the failure too, and the head's must not match it as "already in base".
            head.diagnostics.push({
                ...failed,
                key: `${failed.key}|head`,
                severity: 'warning',
                message: `${failed.message}\nEvery finding of this mesh is reported as new.`,
            });
        }
    }
    return (0,diff_base/* compareInputs */.RC)(head, baseInputs, info, meshOptions, base.showAll);
}
async function renderInputs(name, spec, command, cwd, options, env, side) {
    const outcome = await runRender({
        mesh: name,
        command,
        cwd,
        timeoutSeconds: spec.timeout ?? DEFAULT_RENDER_TIMEOUT,
        maxBytes: options.limits.maxFileSize,
        env,
        ...(side ? { side } : {}),
    });
    if (!outcome.ok)
        return { resources: [], diagnostics: [outcome.finding], files: [], skipped: 0, missing: [] };
    const inputs = (0,load/* parseTexts */.oh)([{ input: { file: renderedFile(command) }, text: outcome.text }], {
        namespace: options.namespace,
        limits: options.limits,
        isValid: engine/* passesSchema */.$i,
    });
    // Where an object came from: Helm's `# Source:` comment (the loader reads it), or the origin annotation kustomize
    // writes with `buildMetadata: [originAnnotations]`.
    for (const r of [...inputs.resources, ...(inputs.shadowed ?? [])]) {
        if (r.source !== undefined)
            continue;
        const origin = kustomizeOrigin(r.value);
        if (origin !== undefined)
            r.source = origin;
    }
    return inputs;
}
function kustomizeOrigin(value) {
    const metadata = value.metadata;
    const origin = metadata?.annotations?.['config.kubernetes.io/origin'];
    if (typeof origin !== 'string')
        return undefined;
    const field = (name) => new RegExp(`^\\s*${name}:\\s*(\\S.*?)\\s*$`, 'm').exec(origin)?.[1];
    const file = field('path');
    if (file === undefined)
        return undefined;
    const repo = field('repo');
    return repo === undefined ? file : `${repo}//${file}${field('ref') ? `?ref=${field('ref')}` : ''}`;
}
/** True when git sees no change (tracked or new) under `paths` between `commit` and the working tree. */
async function unchangedSince(root, commit, paths) {
    const spec = ['--', ...paths.map((p) => external_node_path_default().relative(root, p) || '.')];
    if (spec.some((p) => p.startsWith('..')))
        return false;
    const diff = await (0,git/* git */.$Y)(['diff', '--quiet', commit, ...spec], root);
    if (diff.code !== 0)
        return false;
    const added = await (0,git/* git */.$Y)(['ls-files', '--others', '--exclude-standard', ...spec], root);
    return added.code === 0 && added.stdout.length === 0;
}
function tagged(f, mesh) {
    return { ...f, mesh, key: `mesh:${mesh}|${f.key}` };
}
/** One report: each mesh's findings in config order, tagged; counts added up. */
function merge(runs) {
    const findings = [];
    const suppressed = [];
    const summary = {
        errors: 0,
        warnings: 0,
        infos: 0,
        files: 0,
        resources: 0,
        skipped: 0,
        suppressed: 0,
    };
    const inputs = { resources: [], diagnostics: [], files: [], skipped: 0, missing: [] };
    for (const { name, result } of runs) {
        for (const f of result.findings)
            findings.push(tagged(f, name));
        for (const f of result.suppressed)
            suppressed.push(tagged(f, name));
        const s = result.summary;
        summary.errors += s.errors;
        summary.warnings += s.warnings;
        summary.infos += s.infos;
        summary.files += s.files;
        summary.resources += s.resources;
        summary.skipped += s.skipped;
        summary.suppressed += s.suppressed;
        if (s.newErrors !== undefined)
            summary.newErrors = (summary.newErrors ?? 0) + s.newErrors;
        if (s.newWarnings !== undefined)
            summary.newWarnings = (summary.newWarnings ?? 0) + s.newWarnings;
        if (s.notCompared?.length)
            (summary.notCompared ??= []).push(...s.notCompared);
        const i = result.inputs;
        inputs.resources.push(...i.resources);
        inputs.diagnostics.push(...i.diagnostics.map((d) => tagged(d, name)));
        inputs.files.push(...i.files);
        inputs.skipped += i.skipped;
        inputs.missing.push(...i.missing.map((m) => `${m} (mesh ${name})`));
        if (i.notCompared?.length)
            (inputs.notCompared ??= []).push(...i.notCompared);
    }
    const perMesh = (what) => () => {
        throw new Error(`${what} of several meshes: read each mesh's from result.meshes`);
    };
    return {
        findings,
        suppressed,
        summary,
        inputs,
        meshes: runs,
        mesh: perMesh('mesh()'),
        graph: perMesh('graph()'),
    };
}


/***/ })

};
