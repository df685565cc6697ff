export const id = 344;
export const ids = [344];
export const modules = {

/***/ 8344:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runGraph: () => (/* binding */ runGraph)
});

// EXTERNAL MODULE: ./src/engine.ts
var engine = __webpack_require__(825);
// EXTERNAL MODULE: ./src/rule-report.ts
var rule_report = __webpack_require__(7260);
// EXTERNAL MODULE: ./src/graph/observed.ts
var observed = __webpack_require__(6510);
// EXTERNAL MODULE: ./src/escape.ts
var src_escape = __webpack_require__(2988);
;// CONCATENATED MODULE: ./src/report/graph.ts



const GRAPH_FORMATS = ['table', 'json', 'mermaid', 'dot'];
function graphEdgeJson(edge) {
    const worst = edge.connections.find((c) => c.result.outcome === edge.outcome) ?? edge.connections[0];
    const members = edge.client.members;
    let client;
    if (members?.length === 1 && !edge.client.standIn) {
        // A group of one is that workload: the same client object as its own edges.
        const m = members[0];
        client = { namespace: m.namespace, workload: m.name, kind: m.kind };
    }
    else {
        client = { namespace: edge.client.namespace, workload: edge.client.name, kind: edge.client.kind };
        if (members?.length) {
            // The members' namespace, or "*" when they span several (the node keeps its first member's, for sorting).
            client.namespace = members.every((m) => m.namespace === members[0].namespace)
                ? members[0].namespace
                : '*';
            client.members = members.map((m) => `${m.namespace}/${m.name}`);
        }
    }
    if (edge.client.standIn)
        client.standIn = edge.client.standIn;
    const server = {
        namespace: edge.server.namespace,
        service: edge.server.service,
        port: edge.server.port,
    };
    if (edge.server.standIn)
        server.standIn = edge.server.standIn;
    const out = {
        client,
        server,
        caller: edge.caller,
        evidence: edge.evidence.description,
        clientTls: edge.clientTls,
        serverMode: edge.serverMode,
        outcome: edge.outcome,
        explanation: worst?.result.explanation ?? '',
    };
    if (worst?.result.failure)
        out.failure = worst.result.failure;
    if (edge.routedFrom)
        out.routedFrom = {
            namespace: edge.routedFrom.namespace,
            service: edge.routedFrom.service,
            port: edge.routedFrom.port,
        };
    const { resource, path } = edge.evidence;
    if (resource)
        out.evidenceAt = `${resource.file}:${resource.span(path ?? []).line}`;
    const o = edge.evidence.observed;
    if (o)
        out.observed = {
            mtls: o.mtls,
            plaintext: o.plaintext,
            unknown: o.unknown,
            unit: o.unit,
            window: o.window,
        };
    return out;
}
function formatGraph(graph, format, includePossible) {
    const edges = graph.edges.filter((e) => includePossible || e.caller !== 'possible');
    switch (format) {
        case 'json':
            return ((0,src_escape/* defuseJson */.fh)(JSON.stringify({ version: 1, edges: edges.map(graphEdgeJson), unresolved: graph.unresolved }, null, 2)) + '\n');
        case 'mermaid':
            return formatMermaid([{ edges }]);
        case 'dot':
            return formatDot([{ edges }]);
        default:
            return formatTable(edges, graph.unresolved, includePossible);
    }
}
/**
 * Several meshes (config `meshes:`) in one output: json edges and unresolved notes name their mesh (`mesh`); the
 * table has one section per mesh; mermaid and dot draw each mesh as its own subgraph, node names prefixed with it.
 */
function formatMeshGraphs(graphs, format, includePossible) {
    const shown = (g) => g.edges.filter((e) => includePossible || e.caller !== 'possible');
    switch (format) {
        case 'json': {
            const edges = graphs.flatMap(({ mesh, graph }) => shown(graph).map((e) => ({ ...graphEdgeJson(e), mesh })));
            const unresolved = graphs.flatMap(({ mesh, graph }) => graph.unresolved.map((u) => `[${mesh}] ${u}`));
            return (0,src_escape/* defuseJson */.fh)(JSON.stringify({ version: 1, edges, unresolved }, null, 2)) + '\n';
        }
        case 'mermaid':
            return formatMermaid(graphs.map(({ mesh, graph }) => ({ mesh, edges: shown(graph) })));
        case 'dot':
            return formatDot(graphs.map(({ mesh, graph }) => ({ mesh, edges: shown(graph) })));
        default:
            return graphs
                .map(({ mesh, graph }) => `== mesh ${(0,src_escape/* quoteName */.AB)(mesh)} ==\n${formatTable(shown(graph), graph.unresolved, includePossible)}`)
                .join('\n');
    }
}
function serverText(e) {
    return e.server.standIn ?? `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}
function outcomeText(e) {
    const worst = e.connections.find((c) => c.result.outcome === e.outcome);
    const failure = worst?.result.failure;
    if (e.outcome !== 'broken')
        return e.outcome;
    // Users behind an ingress controller see its 502 for a reset upstream connection.
    if (e.client.reverseProxy && (failure === 'reset' || failure === 'tls-error'))
        return 'BROKEN (reset, 502)';
    return failure === 'reset'
        ? 'BROKEN (reset, curl 000)'
        : failure === '503'
            ? 'BROKEN (503)'
            : failure === '502'
                ? 'BROKEN (blocked, 502)'
                : 'BROKEN (TLS error)';
}
function formatTable(edges, unresolved, includePossible) {
    // Names from the inputs: the client's starts a line, where `::error::…` would be a workflow command in a CI log.
    const rows = edges.map((e) => [
        (0,src_escape/* quoteName */.AB)((0,rule_report/* clientLabel */.QJ)(e)),
        (0,src_escape/* quoteName */.AB)(serverText(e)),
        e.clientTls,
        e.serverMode,
        outcomeText(e),
        `${e.caller}: ${(0,src_escape/* oneLine */.TN)(e.evidence.description)}`,
    ]);
    const header = ['CLIENT', 'SERVER:PORT', 'CLIENT SENDS', 'SERVER ACCEPTS', 'OUTCOME', 'HOW KNOWN'];
    const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
    const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
    const out = [line(header), ...rows.map(line)];
    if (!edges.length)
        out.push(includePossible
            ? '(no edges)'
            : '(no observed, declared or inferred callers; --possible shows every possible caller)');
    for (const u of unresolved)
        out.push(`note: ${(0,src_escape/* oneLine */.TN)(u)}`);
    return out.join('\n') + '\n';
}
// Control characters and line separators: a space in a drawing's label.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** Mermaid ids must be plain; labels are quoted with # escapes for the few characters Mermaid treats specially. */
function mermaidLabel(s) {
    return s.replace(CONTROLS, ' ').replace(/["<>&#|`]/g, (c) => `#${c.charCodeAt(0)};`);
}
function formatMermaid(parts) {
    const ids = new Map();
    const id = (label) => {
        let v = ids.get(label);
        if (!v)
            ids.set(label, (v = `n${ids.size}`));
        return v;
    };
    const lines = ['flowchart LR'];
    const links = [];
    const styles = [];
    for (const { mesh, edges } of parts) {
        const prefix = mesh === undefined ? '' : `${mesh}: `;
        const nodes = [];
        for (const e of edges) {
            const a = id(`c:${prefix}${(0,rule_report/* clientLabel */.QJ)(e)}`);
            const b = id(`s:${prefix}${serverText(e)}`);
            nodes.push(a, b);
            const arrow = e.outcome === 'mtls' ? '-->' : '-.->';
            links.push(`  ${a} ${arrow}|${mermaidLabel(edgeLabel(e))}| ${b}`);
            if (e.outcome === 'broken')
                styles.push(`  linkStyle ${links.length - 1} stroke:#d00,stroke-width:2px`);
        }
        if (mesh !== undefined && nodes.length)
            lines.push(`  subgraph m${lines.length}["${mermaidLabel(mesh)}"]`, `    ${[...new Set(nodes)].join(' & ')}`, '  end');
    }
    for (const [label, nid] of ids) {
        const text = mermaidLabel(label.slice(2));
        lines.push(label.startsWith('s:') ? `  ${nid}[("${text}")]` : `  ${nid}["${text}"]`);
    }
    return [...lines, ...links, ...styles].join('\n') + '\n';
}
/** A drawing's edge label: the outcome, and for observed calls what the mesh counted. */
function edgeLabel(e) {
    const outcome = e.outcome === 'broken' ? outcomeText(e) : e.outcome;
    const o = e.evidence.observed;
    return o ? `${outcome}, observed ${(0,observed/* describeAmounts */.d)(o)}` : outcome;
}
function dotString(s) {
    // Graphviz reads HTML entities in strings: `&#35;` is a `#` in the drawing and no `##[` in a CI log.
    return `"${s.replace(/["\\]/g, '\\$&').replace(CONTROLS, ' ').replace(/##\[/g, '#&#35;[')}"`;
}
function formatDot(parts) {
    const lines = ['digraph mtls {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
    const servers = new Set();
    for (const [i, { mesh, edges }] of parts.entries()) {
        const prefix = mesh === undefined ? '' : `${mesh}: `;
        const indent = mesh === undefined ? '  ' : '    ';
        if (mesh !== undefined)
            lines.push(`  subgraph cluster_${i} {`, `    label=${dotString(mesh)};`);
        for (const e of edges) {
            const server = prefix + serverText(e);
            if (!servers.has(server)) {
                servers.add(server);
                lines.push(`${indent}${dotString(server)} [shape=ellipse];`);
            }
            const style = e.outcome === 'broken'
                ? 'color=red, penwidth=2'
                : e.outcome === 'mtls'
                    ? 'style=solid'
                    : 'style=dashed';
            lines.push(`${indent}${dotString(prefix + (0,rule_report/* clientLabel */.QJ)(e))} -> ${dotString(server)} [label=${dotString(edgeLabel(e))}, ${style}];`);
        }
        if (mesh !== undefined)
            lines.push('  }');
    }
    lines.push('}');
    return lines.join('\n') + '\n';
}

// EXTERNAL MODULE: ./src/resolve-options.ts
var resolve_options = __webpack_require__(5620);
// EXTERNAL MODULE: ./src/cli/common.ts
var common = __webpack_require__(577);
;// CONCATENATED MODULE: ./src/cli/graph-command.ts




const GRAPH_HELP = `Usage: mtls-lint graph [options] [path ...]

Print every known client → service:port connection with what the client sends, what the server accepts and the
outcome (mtls, plaintext, broken).

Options:
  -f, --format FORMAT     table|json|mermaid|dot (default: table)
      --possible          also show possible callers (any workload in the inputs) and stand-ins
  -o, --output-file FILE  write to FILE
  -n, --namespace NS      namespace for resources without one (default: default)
  -c, --config FILE       config file
      --istio-version X.Y Istio semantics to apply
      --mesh NAME         only this mesh of the config's meshes: (repeatable; default: all); in json each edge
                          names its mesh
${common/* TRAFFIC_HELP */.cX}
`;
async function runGraph(argv, io) {
    const { values, positionals } = (0,common/* parse */.qg)(argv, {
        ...common/* COMMON_OPTIONS */.DT,
        ...common/* TRAFFIC_OPTIONS */.ny,
        possible: { type: 'boolean' },
        mesh: { type: 'string', multiple: true },
    });
    if (values.help) {
        io.stdout.write(GRAPH_HELP);
        return common/* EXIT_OK */.Ij;
    }
    const format = (values.format ?? 'table');
    if (!GRAPH_FORMATS.includes(format))
        throw new common/* UsageError */.eb(`--format ${JSON.stringify(format)} must be one of ${GRAPH_FORMATS.join(', ')}`);
    const options = (0,resolve_options/* resolveOptions */.$)({
        cwd: io.cwd,
        paths: positionals,
        namespace: values.namespace,
        istioVersion: values['istio-version'],
        configPath: values.config,
        ...(0,common/* trafficInputs */.bq)(values),
    });
    (0,common/* noteIstioVersion */.$N)(options, io);
    await (0,common/* readTraffic */.Eg)(options, io);
    const stdin = async () => (0,common/* readAll */.yw)(io.stdin, options.limits.maxFileSize + 1);
    const meshes = (0,common/* meshesWanted */.hj)(options, positionals, values.mesh);
    if (meshes) {
        const { lintMeshes } = await Promise.all(/* import() */[__webpack_require__.e(380), __webpack_require__.e(642)]).then(__webpack_require__.bind(__webpack_require__, 9642));
        const all = await lintMeshes(options, { names: meshes, env: io.env, stdin });
        for (const run of all.meshes)
            (0,common/* checkMeshInputs */.vG)(run, options);
        const graphs = all.meshes.map((m) => ({ mesh: m.name, graph: m.result.graph() }));
        await (0,common/* writeOutput */.zh)(formatMeshGraphs(graphs, format, values.possible ?? false), values['output-file'], io);
        return common/* EXIT_OK */.Ij;
    }
    const result = await (0,engine/* lint */.u8)(options, { stdin });
    (0,common/* checkInputs */.sw)(result, options);
    await (0,common/* writeOutput */.zh)(formatGraph(result.graph(), format, values.possible ?? false), values['output-file'], io);
    return common/* EXIT_OK */.Ij;
}


/***/ })

};
