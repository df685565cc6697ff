export const id = 380;
export const ids = [380];
export const modules = {

/***/ 1380:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  R: () => (/* binding */ compareInputs),
  lintAgainstBase: () => (/* binding */ lintAgainstBase)
});

// UNUSED EXPORTS: compareResults

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/engine.ts
var engine = __webpack_require__(825);
// EXTERNAL MODULE: ./src/load/files.ts
var files = __webpack_require__(6255);
// EXTERNAL MODULE: ./src/load/index.ts + 8 modules
var load = __webpack_require__(3432);
// EXTERNAL MODULE: ./src/diff/git.ts
var git = __webpack_require__(1547);
// EXTERNAL MODULE: ./src/types.ts
var types = __webpack_require__(8522);
;// CONCATENATED MODULE: ./src/diff/match.ts
// Matching head findings against base findings by identity, not by line: moving a file, reordering documents or
// adding lines above a finding does not make it new.

/**
 * Mark each head finding `new: true|false`. A head finding is old when the base had a finding with the same key
 * (rule + resource + field + detail such as the edge) at the same or a higher severity; each base finding matches
 * at most one head finding, so a second copy of a problem is new. Findings without a resource (YAML syntax, input
 * errors) have keys that include a position or a file; they also match the same rule + file + message.
 * A finding that lists victims (edges) is new when it lists one the base finding did not: "STRICT breaks 2 callers"
 * where the base broke one is a new breakage, under the same key.
 */
function markNew(head, base) {
    const byKey = new Map();
    const byText = new Map();
    for (const f of base) {
        push(byKey, f.key, f);
        if (!f.resource)
            push(byText, textKey(f), f);
    }
    const used = new Set();
    // A base finding's edges as keys, built once: it is a candidate for every head finding with its key.
    const edgeKeys = new Map();
    const edgesWithin = (head, base) => {
        if (!head.edges?.length)
            return true;
        // Usually the base lists the same edges in the same order: compare in place before building keys.
        const baseEdges = base.edges ?? [];
        if (head.edges.every((e, i) => baseEdges[i] !== undefined && sameEdge(e, baseEdges[i])))
            return true;
        let before = edgeKeys.get(base);
        if (!before)
            edgeKeys.set(base, (before = new Set((base.edges ?? []).map(edgeKey))));
        return head.edges.every((e) => before.has(edgeKey(e)));
    };
    const take = (list, f) => {
        const hit = list?.find((b) => !used.has(b) && types/* SEVERITY_RANK */.f[b.severity] >= types/* SEVERITY_RANK */.f[f.severity] && edgesWithin(f, b));
        if (!hit)
            return false;
        used.add(hit);
        return true;
    };
    // Exact identities first, so that a looser text match cannot take a base finding that an exact one needs.
    const exact = head.map((f) => take(byKey.get(f.key), f));
    return head.map((f, i) => {
        const old = exact[i] || (!f.resource && take(byText.get(textKey(f)), f));
        return { ...f, new: !old };
    });
}
function sameEdge(a, b) {
    return (a.client.namespace === b.client.namespace &&
        a.client.kind === b.client.kind &&
        a.client.workload === b.client.workload &&
        a.server.namespace === b.server.namespace &&
        a.server.service === b.server.service &&
        a.server.port === b.server.port);
}
function edgeKey(e) {
    return `${e.client.namespace}/${e.client.kind}/${e.client.workload}>${e.server.namespace}/${e.server.service}:${e.server.port}`;
}
function textKey(f) {
    return `${f.rule}\0${f.file}\0${f.message}`;
}
function push(map, key, value) {
    const list = map.get(key);
    if (list)
        list.push(value);
    else
        map.set(key, [value]);
}

// EXTERNAL MODULE: ./src/rule-report.ts
var rule_report = __webpack_require__(7260);
// EXTERNAL MODULE: ./src/rule.ts
var rule = __webpack_require__(2741);
// EXTERNAL MODULE: ./rules/index.ts + 22 modules
var rules = __webpack_require__(3930);
;// CONCATENATED MODULE: ./src/diff/transitions.ts




/** The rule that reports the transitions no other finding covers (rules/connection-downgrade.ts). */
const TRANSITION_RULE = 'connection-downgrade';
const transitionRule = (0,rules/* findRule */.Il)(TRANSITION_RULE);
const RANK = { mtls: 0, tls: 1, plaintext: 2, broken: 3 };
const STRICT = new Set(['STRICT', 'AMBIENT_STRICT']);
const ACCEPTS_MTLS = new Set(['STRICT', 'PERMISSIVE', 'AMBIENT_STRICT', 'AMBIENT_PERMISSIVE']);
const worsens = (from, to) => RANK[to] > RANK[from] && (to === 'plaintext' || to === 'broken');
const clientKeyOf = (c) => `${c.namespace}/${c.kind}/${c.name}`;
const portKeyOf = (e) => `${e.server.namespace}/${e.server.service}:${e.server.port}`;
/** The same key for an EdgeRef: a finding that lists a connection names it like this. */
const refKeyOf = (e) => `${e.client.namespace}/${e.client.kind}/${e.client.workload}>${e.server.namespace}/${e.server.service}:${e.server.port}`;
function edgesByPort(graph, caches, only) {
    // Grouped by the Service object and port number first: building a string key per edge cost more than the rest.
    const byService = new Map();
    const out = new Map();
    graph.edges.forEach((edge, order) => {
        if (edge.server.standIn || !edge.connections.length)
            return;
        if (only && !only(edge.server))
            return;
        const service = edge.server.serviceRef ?? portKeyOf(edge);
        let ports = byService.get(service);
        if (!ports)
            byService.set(service, (ports = new Map()));
        let at = ports.get(edge.server.port);
        if (!at) {
            const key = portKeyOf(edge);
            at = out.get(key);
            if (!at)
                out.set(key, (at = { singles: [], groups: [], singlesByClient: new Map() }));
            ports.set(edge.server.port, at);
        }
        const c = edge.client;
        if (c.members?.length) {
            at.groups.push({ edge, order, members: c.members });
            return;
        }
        // A declared caller that the inputs do not contain still is a named client; a "*" stand-in is not.
        if (c.standIn && !c.workload && c.name === '*')
            return;
        // The kubelet's probes are probe-fails-under-strict's, which PR mode marks new by itself.
        if (c.kind === 'Kubelet')
            return;
        // A workload has an edge at many ports: its client and key are made once (hundreds of thousands of edges).
        const single = c.workload &&
            c.workload.namespace === c.namespace &&
            c.workload.name === c.name &&
            c.workload.kind === c.kind
            ? { edge, order, client: caches.clientOf(c.workload), clientKey: caches.keyOf(c.workload) }
            : singleOf(edge, order);
        at.singles.push(single);
        const list = at.singlesByClient.get(single.clientKey);
        if (list)
            list.push(single);
        else
            at.singlesByClient.set(single.clientKey, [single]);
    });
    return out;
}
function singleOf(edge, order) {
    const c = edge.client;
    const client = c.standIn && !c.workload
        ? { namespace: c.namespace, name: c.name, kind: c.kind }
        : { namespace: c.namespace, name: c.name, kind: c.kind, workload: c.workload };
    return { edge, order, client, clientKey: clientKeyOf(client) };
}
/** Per-call caches keyed by the graph's shared arrays and edges. */
class Caches {
    indexes = new WeakMap();
    intersections = new WeakMap();
    splits = new WeakMap();
    connections = new WeakMap();
    keys = new WeakMap();
    clients = new WeakMap();
    /** A workload as a client, made once: pair states only read it. */
    clientOf(w) {
        let client = this.clients.get(w);
        if (!client)
            this.clients.set(w, (client = memberClient(w)));
        return client;
    }
    /** A workload's client key, built once: the same workload is a member of many arrays. */
    keyOf(m) {
        let key = this.keys.get(m);
        if (key === undefined)
            this.keys.set(m, (key = clientKeyOf(m)));
        return key;
    }
    /** Client key → index, once per members array (arrays are shared between edges). */
    memberIndex(members) {
        let index = this.indexes.get(members);
        if (!index) {
            index = new Map();
            members.forEach((m, i) => index.set(this.keyOf(m), i));
            this.indexes.set(members, index);
        }
        return index;
    }
    /** Ascending indices into `head` of the clients `base` also holds; walks the smaller array. */
    shared(head, base) {
        let byBase = this.intersections.get(head);
        if (!byBase)
            this.intersections.set(head, (byBase = new WeakMap()));
        let out = byBase.get(base);
        if (!out) {
            out = [];
            if (base.length < head.length) {
                const index = this.memberIndex(head);
                for (const m of base) {
                    const i = index.get(this.keyOf(m));
                    if (i !== undefined)
                        out.push(i);
                }
                out.sort((a, b) => a - b);
            }
            else {
                const index = this.memberIndex(base);
                head.forEach((m, i) => {
                    if (index.has(this.keyOf(m)))
                        out.push(i);
                });
            }
            byBase.set(base, out);
        }
        return out;
    }
    /** `indices` split by a key of each member, in order of first index; cached per indices array and kind of key. */
    split(indices, kind, keyOf) {
        let byKind = this.splits.get(indices);
        if (!byKind)
            this.splits.set(indices, (byKind = new Map()));
        let parts = byKind.get(kind);
        if (!parts) {
            const byKey = new Map();
            for (const i of indices) {
                const k = keyOf(i);
                const part = byKey.get(k);
                if (part)
                    part.push(i);
                else
                    byKey.set(k, [i]);
            }
            byKind.set(kind, (parts = [...byKey.values()]));
        }
        return parts;
    }
    /** The connection that shows the edge's outcome. */
    connection(edge) {
        let c = this.connections.get(edge);
        if (!c) {
            c = edge.connections.find((x) => x.result.outcome === edge.outcome) ?? edge.connections[0];
            this.connections.set(edge, c);
        }
        return c;
    }
}
function pairState(caches, edge, client, port) {
    return {
        key: `${clientKeyOf(client)}>${port}`,
        edge,
        connection: caches.connection(edge),
        client,
        ref: {
            client: { namespace: client.namespace, workload: client.name, kind: client.kind },
            server: { namespace: edge.server.namespace, service: edge.server.service, port: edge.server.port },
            caller: edge.caller,
        },
    };
}
const memberClient = (m) => ({
    namespace: m.namespace,
    name: m.name,
    kind: m.kind,
    workload: m,
});
/**
 * A client's state at a port: the worst of its edges there (of equals, the one met first), and where it was first
 * met (edge order, then member). A group edge no worse than the client's own edges, and met after them, changes
 * neither, so its members are not looked up.
 */
function stateAt(caches, at, clientKey, port) {
    let first;
    let worst;
    const meet = (order, member, edge, client) => {
        const before = (a) => order < a.order || (order === a.order && member < a.member);
        if (!first || before(first))
            first = { order, member };
        const rank = RANK[edge.outcome];
        if (!worst || rank > RANK[worst.edge.outcome] || (rank === RANK[worst.edge.outcome] && before(worst)))
            worst = { order, member, edge, client: client() };
    };
    for (const s of at.singlesByClient.get(clientKey) ?? [])
        meet(s.order, 0, s.edge, () => s.client);
    for (const g of at.groups) {
        if (worst && first && RANK[g.edge.outcome] <= RANK[worst.edge.outcome] && g.order > first.order)
            continue;
        const i = caches.memberIndex(g.members).get(clientKey);
        if (i !== undefined)
            meet(g.order, i, g.edge, () => caches.clientOf(g.members[i]));
    }
    if (!first || !worst)
        return undefined;
    const { edge, client } = worst;
    // The pair state only for a transition: most clients' connections do not get worse.
    return {
        edge,
        state: () => pairState(caches, edge, client, port),
        order: first.order,
        member: first.member,
    };
}
/**
 * What of a member, beyond its edges, decides which finding its transition joins (describeTransition's group): the
 * sidecar setting of a client that lost or gained its sidecar, or its name when no setting names the change.
 * Undefined when nothing does; `kind` names the function for the cache.
 */
function memberKeyOf(bc, hc) {
    if (bc.client.mode === hc.client.mode || hc.client.cause)
        return undefined;
    const sidecarChanged = (bc.client.mode === 'NO_SIDECAR') !== (hc.client.mode === 'NO_SIDECAR');
    const named = !bc.client.cause;
    return {
        kind: `${sidecarChanged}|${named}`,
        of: (m) => {
            const c = sidecarChanged ? m.sidecar.cause : undefined;
            if (c)
                return `cause:${c.resource.id}|${c.resource.file}|${c.path.join('.')}`;
            return named ? `client:${m.namespace}/${m.name}` : '';
        },
    };
}
/**
 * Head findings by the connections they list: the first finding (not an info) that lists a connection reports it.
 * Indexed by server first; client keys are built only for server ports that have transitions.
 */
class CoveringIndex {
    byServer = new Map();
    byPort = new Map();
    constructor(findings) {
        for (const finding of findings) {
            if (finding.severity === 'info')
                continue;
            for (const ref of finding.edges ?? []) {
                const { namespace, service, port } = ref.server;
                let services = this.byServer.get(namespace);
                if (!services)
                    this.byServer.set(namespace, (services = new Map()));
                let ports = services.get(service);
                if (!ports)
                    services.set(service, (ports = new Map()));
                const list = ports.get(port);
                if (list)
                    list.push({ ref, finding });
                else
                    ports.set(port, [{ ref, finding }]);
            }
        }
    }
    /** Client key → the finding that reports the connection to this server port. */
    at(server) {
        const list = this.byServer.get(server.namespace)?.get(server.service)?.get(server.port);
        if (!list)
            return undefined;
        let clients = this.byPort.get(list);
        if (!clients) {
            clients = new Map();
            for (const { ref, finding } of list) {
                const key = `${ref.client.namespace}/${ref.client.kind}/${ref.client.workload}`;
                if (!clients.has(key))
                    clients.set(key, finding);
            }
            this.byPort.set(list, clients);
        }
        return clients;
    }
}
/**
 * Every transition between the two graphs, as Points and Runs. Connections a head finding already reports are taken
 * out of runs, so that the finding can list them.
 */
function compareGraphs(base, head, covering, compare) {
    const caches = new Caches();
    // A base made from the head (PR mode, diff/base.ts) shares the head's edges of servers the change cannot reach:
    // they are the same objects, so only the others can differ. Orders stay the full graphs' indices.
    const only = base.derivedFrom?.graph === head ? base.derivedFrom.recomputed : undefined;
    const baseEdges = edgesByPort(base, caches, only);
    const items = [];
    for (const [port, at] of edgesByPort(head, caches, only)) {
        const before = baseEdges.get(port);
        if (!before)
            continue; // a new service: the rules judge it on its own
        if (!at.singles.some((s) => worsens('mtls', s.edge.outcome)) &&
            !at.groups.some((g) => worsens('mtls', g.edge.outcome)))
            continue;
        const covered = covering.at((at.singles[0] ?? at.groups[0]).edge.server);
        // Clients with an edge of their own on either side, one by one.
        const individual = new Set([...at.singlesByClient.keys(), ...before.singlesByClient.keys()]);
        if (compare.oneByOne)
            for (const g of [...at.groups, ...before.groups])
                for (const m of g.members)
                    individual.add(caches.keyOf(m));
        for (const clientKey of individual) {
            const h = stateAt(caches, at, clientKey, port);
            if (!h || !worsens('mtls', h.edge.outcome))
                continue;
            const b = stateAt(caches, before, clientKey, port);
            if (!b || !worsens(b.edge.outcome, h.edge.outcome))
                continue;
            const t = describeTransition(b.state(), h.state());
            const point = { order: h.order, member: h.member, t };
            const finding = covered?.get(clientKey);
            if (finding)
                point.covering = finding;
            items.push({ kind: 'point', ...point });
        }
        // Group against group.
        for (const g of at.groups) {
            if (!worsens('mtls', g.edge.outcome))
                continue;
            const headIndex = caches.memberIndex(g.members);
            for (const bg of before.groups) {
                if (!worsens(bg.edge.outcome, g.edge.outcome))
                    continue;
                const shared = caches.shared(g.members, bg.members);
                if (!shared.length)
                    continue;
                const baseIndex = caches.memberIndex(bg.members);
                const excluded = new Set();
                for (const clientKey of individual) {
                    const i = headIndex.get(clientKey);
                    if (i !== undefined && baseIndex.has(clientKey))
                        excluded.add(i);
                }
                const bc = caches.connection(bg.edge);
                const hc = caches.connection(g.edge);
                const memberKey = memberKeyOf(bc, hc);
                const parts = memberKey
                    ? caches.split(shared, memberKey.kind, (i) => memberKey.of(g.members[i]))
                    : [shared];
                for (const indices of parts) {
                    const run = {
                        port,
                        head: g,
                        base: bg,
                        indices,
                        excluded: new Set([...excluded].filter((i) => includes(indices, i))),
                    };
                    // Connections a head finding lists leave the run: the finding names them.
                    for (const [clientKey, finding] of covered ?? []) {
                        const i = headIndex.get(clientKey);
                        if (i === undefined || run.excluded.has(i) || !includes(indices, i))
                            continue;
                        run.excluded.add(i);
                        const t = describeTransition(basePair(caches, bg, clientKey, port), pairState(caches, g.edge, memberClient(g.members[i]), port));
                        items.push({ kind: 'point', order: g.order, member: i, t, covering: finding });
                    }
                    const count = indices.length - run.excluded.size;
                    const first = run.excluded.size ? indices.find((i) => !run.excluded.has(i)) : indices[0];
                    if (!count || first === undefined)
                        continue;
                    const t = describeTransition(basePair(caches, bg, caches.keyOf(g.members[first]), port), pairState(caches, g.edge, memberClient(g.members[first]), port));
                    items.push({ kind: 'run', order: g.order, ...run, count, first, t });
                }
            }
        }
    }
    items.sort((a, b) => a.order - b.order || firstMember(a) - firstMember(b));
    if (compare.stats) {
        for (const item of items)
            compare.stats[item.kind === 'point' ? 'points' : 'runs']++;
        compare.stats.transitions += items.reduce((n, x) => n + countOf(x), 0);
    }
    return items;
}
function basePair(caches, bg, clientKey, port) {
    return pairState(caches, bg.edge, memberClient(bg.members[caches.memberIndex(bg.members).get(clientKey)]), port);
}
function includes(sorted, x) {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const v = sorted[mid];
        if (v === x)
            return true;
        if (v < x)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}
const firstMember = (item) => (item.kind === 'point' ? item.member : item.first);
const countOf = (item) => (item.kind === 'point' ? 1 : item.count);
/** Items' (item, member) pairs, items sorted by order then first member, in the order pairs are met: head edge, then member. */
function* inOrder(items) {
    for (let i = 0; i < items.length;) {
        let j = i + 1;
        while (j < items.length && items[j].order === items[i].order)
            j++;
        if (j === i + 1) {
            const item = items[i];
            for (const m of membersOf(item))
                yield [item, m];
        }
        else {
            // Items of one head edge interleave by member.
            const cursors = items.slice(i, j).map((item) => {
                const members = membersOf(item);
                return { item, members, next: members.next().value };
            });
            for (;;) {
                let pick;
                for (const c of cursors)
                    if (c.next !== undefined && (pick?.next === undefined || c.next < pick.next))
                        pick = c;
                if (pick?.next === undefined)
                    break;
                yield [pick.item, pick.next];
                pick.next = pick.members.next().value;
            }
        }
        i = j;
    }
}
function* membersOf(item) {
    if (item.kind === 'point')
        yield item.member;
    else
        for (const i of item.indices)
            if (!item.excluded.has(i))
                yield i;
    return undefined;
}
/** A run member's transition as a finding lists it: the run's first transition with this client. */
function listedOf(item, member) {
    if (item.kind === 'point' || member === item.first)
        return item.t;
    const m = item.head.members[member];
    const head = {
        ...item.t.head,
        key: `${clientKeyOf(m)}>${item.port}`,
        client: memberClient(m),
        ref: { ...item.t.head.ref, client: { namespace: m.namespace, workload: m.name, kind: m.kind } },
    };
    return { head, from: item.t.from, to: item.t.to };
}
function stateLabel(p) {
    const r = p.connection.result;
    switch (r.outcome) {
        case 'mtls':
            return 'mTLS';
        case 'plaintext':
            return isHttp(p) ? 'plaintext (200)' : 'plaintext (works)';
        case 'tls':
            return 'TLS passed through to the app';
        case 'broken':
            return r.failure === 'reset'
                ? 'reset'
                : r.failure === '503'
                    ? '503'
                    : r.failure === 'tls-error'
                        ? 'TLS error'
                        : r.failure === '502'
                            ? '502 (blocked)'
                            : 'broken';
    }
}
function stateKey(p) {
    const r = p.connection.result;
    return r.outcome === 'broken' ? (r.failure ?? 'broken') : r.outcome;
}
function isHttp(p) {
    const port = p.edge.server.servicePort;
    const proto = `${port?.appProtocol ?? ''} ${port?.name ?? ''}`.toLowerCase();
    return /(^|\s)(http|http2|grpc|grpc-web|h2c)(\s|-|$)/.test(proto);
}
function clientText(p) {
    return `${p.client.namespace}/${p.client.name}`;
}
function serverText(p) {
    return `${p.edge.server.service}.${p.edge.server.namespace}:${p.edge.server.port}`;
}
/** "foo/Policy example-httpbin-permissive line 11", as a reviewer finds it in the diff. */
function causeText(c) {
    const r = c.resource;
    const line = r.span(c.path).line;
    return `${r.namespace ? `${r.namespace}/` : ''}${r.kind} ${r.name} line ${line}`;
}
function describeTransition(b, h) {
    const bc = b.connection;
    const hc = h.connection;
    const changes = [];
    let cause;
    let skipped = '';
    let step = '';
    const serverChanged = bc.server.mode !== hc.server.mode;
    const clientChanged = bc.client.mode !== hc.client.mode;
    if (serverChanged) {
        cause = hc.server.cause;
        const what = hc.server.cause
            ? causeText(hc.server.cause)
            : bc.server.cause
                ? `${causeText(bc.server.cause)} (removed in the head)`
                : 'the server policy';
        changes.push(`${what}: ${bc.server.mode} → ${hc.server.mode}`);
    }
    if (clientChanged) {
        // The workload's injection setting is the cause only if the sidecar itself came or went.
        const sidecarChanged = (bc.client.mode === 'NO_SIDECAR') !== (hc.client.mode === 'NO_SIDECAR');
        const c = hc.client.cause ?? (sidecarChanged ? h.client.workload?.sidecar.cause : undefined);
        cause ??= c;
        const what = hc.client.cause
            ? causeText(hc.client.cause)
            : bc.client.cause
                ? `${causeText(bc.client.cause)} (removed in the head)`
                : c
                    ? causeText(c)
                    : `what ${clientText(h)} sends`;
        changes.push(`${what}: client ${bc.client.mode} → ${hc.client.mode}`);
    }
    if (!changes.length) {
        // Same modes, different result: the endpoint changed (a workload lost its sidecar, a port moved).
        cause = hc.server.cause ?? hc.client.cause;
        changes.push(hc.result.explanation);
    }
    // Which step of PERMISSIVE → clients send mTLS → STRICT did the change skip?
    if (STRICT.has(hc.server.mode) && serverChanged) {
        if (!ACCEPTS_MTLS.has(bc.server.mode)) {
            skipped = `This skips PERMISSIVE: the safe order is PERMISSIVE → clients send mTLS → STRICT, and ${serverText(h)} went from ${bc.server.mode} straight to ${hc.server.mode}.`;
            step = 'skipped step: PERMISSIVE';
        }
        else if (b.edge.outcome !== 'mtls') {
            const who = clientText(h);
            const how = hc.client.mode === 'NO_SIDECAR'
                ? `${who} has no sidecar, so it cannot send mTLS: inject it first, or keep PERMISSIVE`
                : `${who} still sends plaintext (${hc.client.explanation}); give it mTLS first (tls mode ISTIO_MUTUAL or auto mTLS)`;
            skipped = `This skips "clients send mTLS" of the safe order PERMISSIVE → clients send mTLS → STRICT: ${how}.`;
            step = `skipped step: "clients send mTLS" (${hc.client.mode === 'NO_SIDECAR' ? `${who} has no sidecar` : `${who} still sends plaintext`})`;
        }
    }
    else if (clientChanged &&
        hc.result.clientTls === 'mtls' &&
        h.edge.outcome === 'broken' &&
        !ACCEPTS_MTLS.has(hc.server.mode)) {
        skipped = `This skips PERMISSIVE: ${serverText(h)} does not accept mTLS (${hc.server.mode}); make it PERMISSIVE (or inject it) before clients send mTLS.`;
        step = 'skipped step: PERMISSIVE';
    }
    else if (b.edge.outcome === 'mtls' && h.edge.outcome === 'plaintext') {
        skipped = `This undoes "clients send mTLS" of the safe order PERMISSIVE → clients send mTLS → STRICT: the traffic is now unencrypted and unauthenticated.`;
        step = 'undoes the step "clients send mTLS"';
    }
    const from = stateLabel(b);
    const to = stateLabel(h);
    const change = `${clientText(h)} → ${serverText(h)}: ${from} → ${to}, caused by ${changes.join('; ')}`;
    const text = `${change}.${skipped ? ` ${skipped}` : ''}`;
    const short = `${change}${step ? `; ${step}` : ''}.`;
    // Broken for a known caller is an error; a downgrade to plaintext a warning; possible callers one step lower.
    const certain = h.edge.caller !== 'possible';
    const severity = h.edge.outcome === 'broken' ? (certain ? 'error' : 'warning') : certain ? 'warning' : 'info';
    const group = cause ? `${cause.resource.id}|${cause.path.join('.')}` : `changed:${changes.join(';')}`;
    const t = {
        base: b,
        head: h,
        from: stateKey(b),
        to: stateKey(h),
        text,
        short,
        severity,
        group,
    };
    if (cause)
        t.cause = cause;
    return t;
}
/**
 * Attach each transition to the head finding that already reports its edge (the plaintext-to-strict error on the
 * `mode: STRICT` line), which then counts as new; a transition that no finding covers becomes a connection-downgrade
 * finding at the setting that caused it. Suppressed connection-downgrade findings go to `suppressed`.
 */
function applyTransitions(base, head, findings, options, compare = {}) {
    const configured = options.config.rules?.[TRANSITION_RULE];
    if (configured === 'off')
        return { findings, suppressed: [] };
    const out = findings.map((f) => ({ ...f }));
    const items = compareGraphs(base.graph(), head.graph(), new CoveringIndex(out), compare);
    if (!items.length)
        return { findings, suppressed: [] };
    const attached = new Map();
    const groups = new Map();
    for (const item of items) {
        if (item.kind === 'point' && item.covering)
            transitions_push(attached, item.covering, item.t);
        else
            transitions_push(groups, item.t.group, item);
    }
    for (const [f, ts] of attached) {
        // The finding already explains the problem and the fix; add what changed, for the first edge in full.
        f.new = true;
        const byKey = new Map(ts.map((t) => [t.head.key, t]));
        f.edges = f.edges?.map((e) => {
            const t = byKey.get(refKeyOf(e));
            return t ? { ...e, transition: { from: t.from, to: t.to } } : e;
        });
        f.transition = { from: ts[0].from, to: ts[0].to };
        f.message += ` Change: ${ts[0].short}${moreText(ts.length, ts.slice(1))}`;
    }
    const standalone = [...groups.values()].map((g) => transitionDescriptor(g));
    if (!standalone.length)
        return { findings: out, suppressed: [] };
    const { kept, suppressed } = (0,engine/* checkWith */.dV)(head, options, [transitionRule], standalone);
    return { findings: [...out, ...kept.map((f) => ({ ...f, new: true }))], suppressed };
}
/** " The same change makes N more connections worse: …", listing the first of `next` (the ones after the first). */
function moreText(total, next) {
    const more = total - 1;
    if (more <= 0)
        return '';
    const shown = next
        .slice(0, rule_report/* MESSAGE_LIST_CAP */.EA)
        .map((t) => `${clientText(t.head)} → ${serverText(t.head)}`)
        .join('; ');
    const rest = more > rule_report/* MESSAGE_LIST_CAP */.EA ? `; and ${more - rule_report/* MESSAGE_LIST_CAP */.EA} more` : '';
    return ` The same change makes ${more} more connection${more === 1 ? '' : 's'} worse: ${shown}${rest}.`;
}
/**
 * Clients of `items` not in `seen` (relatedOmitted), without walking every (client, port) pair: a run's indices are
 * shared by every port its members' groups meet, so each shared (members, indices) is walked once.
 */
function clientsLeftOut(items, seen) {
    let n = 0;
    const count = (w) => {
        if (w && !seen.has(w.resource.id)) {
            seen.add(w.resource.id);
            n++;
        }
    };
    const walked = new Map();
    for (const item of items) {
        if (item.kind === 'point') {
            count(item.t.head.client.workload ?? undefined);
            continue;
        }
        const members = item.head.members;
        if (!item.excluded.size) {
            let done = walked.get(members);
            if (!done)
                walked.set(members, (done = new Set()));
            if (done.has(item.indices))
                continue;
            done.add(item.indices);
        }
        for (const i of item.indices)
            if (!item.excluded.has(i))
                count(members[i]);
    }
    return n;
}
/** One finding per cause: the first transition in full, the others listed; every victim an edge and related location. */
function transitionDescriptor(items) {
    const t = items[0].t;
    const h = t.head;
    const listed = [];
    const related = [];
    const seen = new Set();
    for (const [item, member] of inOrder(items)) {
        if (listed.length < rule_report/* EDGE_LIST_CAP */.Kv)
            listed.push(listedOf(item, member));
        const w = item.kind === 'point' ? item.t.head.client.workload : item.head.members[member];
        if (w && !seen.has(w.resource.id) && related.length < rule_report/* EDGE_LIST_CAP */.Kv) {
            seen.add(w.resource.id);
            related.push((0,rule/* relatedAt */.Zw)(w.resource, ['metadata', 'name'], `${w.namespace}/${w.name}: ${item.t.head.connection.client.explanation}`));
        }
        if (listed.length >= rule_report/* EDGE_LIST_CAP */.Kv && related.length >= rule_report/* EDGE_LIST_CAP */.Kv)
            break;
    }
    const relatedOmitted = related.length >= rule_report/* EDGE_LIST_CAP */.Kv ? clientsLeftOut(items, seen) : 0;
    const svc = h.edge.server.serviceRef;
    if (svc)
        related.push((0,rule/* relatedAt */.Zw)(svc.resource, ['metadata', 'name'], `${serverText(h)}: ${h.connection.server.explanation}`));
    const rank = { info: 1, warning: 2, error: 3 };
    const worst = items.reduce((a, x) => (rank[x.t.severity] > rank[a] ? x.t.severity : a), t.severity);
    const total = items.reduce((n, x) => n + countOf(x), 0);
    const d = {
        message: `${t.text}${moreText(total, listed.slice(1))}`,
        severity: worst,
        edges: listed.map((x) => ({ ...x.head.ref, transition: { from: x.from, to: x.to } })),
        related,
        ...(total > listed.length ? { edgesOmitted: total - listed.length } : {}),
        ...(relatedOmitted ? { relatedOmitted } : {}),
        keyDetail: t.group,
        transition: { from: t.from, to: t.to },
    };
    const w = h.client.workload;
    if (t.cause) {
        d.resource = t.cause.resource;
        d.path = t.cause.path;
    }
    else if (svc) {
        // A removed setting has no line in the head: point at the service whose connections changed.
        d.resource = svc.resource;
        d.path = h.edge.server.servicePort
            ? ['spec', 'ports', h.edge.server.servicePort.index]
            : ['metadata', 'name'];
    }
    else if (w) {
        d.resource = w.resource;
        d.path = ['metadata', 'name'];
    }
    return d;
}
function transitions_push(map, key, value) {
    const list = map.get(key);
    if (list)
        list.push(value);
    else
        map.set(key, [value]);
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
// EXTERNAL MODULE: ./src/schema/validate.ts + 9 modules
var validate = __webpack_require__(6507);
// EXTERNAL MODULE: ./src/mesh/services.ts
var services = __webpack_require__(1141);
// EXTERNAL MODULE: ./src/mesh/util.ts
var util = __webpack_require__(8433);
// EXTERNAL MODULE: ./src/mesh/workloads.ts
var workloads = __webpack_require__(1579);
// EXTERNAL MODULE: ./src/mesh/build.ts + 7 modules
var build = __webpack_require__(6880);
// EXTERNAL MODULE: ./src/graph/build.ts + 7 modules
var graph_build = __webpack_require__(2628);
// EXTERNAL MODULE: ./src/graph/ingress.ts
var ingress = __webpack_require__(7363);
;// CONCATENATED MODULE: ./src/diff/change-scope.ts
// What a change to the inputs can reach in the mesh model and the graph. PR mode analyses the base as the head with
// only that part recomputed (engine.ts AnalyzeHow.reuse): the edges of servers outside the scope, and the workloads,
// services, namespaces and mesh settings, are the head's own objects. What a change to a kind reaches comes from the
// kinds buildMeshModel and buildGraph declare they read; test/change-scope.test.ts checks the result against a full
// analysis.








/**
 * How far a change to each kind reaches, from what the model and the graph declare they read (MODEL_INPUTS,
 * GRAPH_INPUTS; they refuse to read other kinds). A kind neither reads changes no edge. Two readers of one kind with
 * different reaches: the change reaches everything.
 */
const REACH = (() => {
    const reach = new Map();
    for (const input of [...build/* MODEL_INPUTS */.G, ...graph_build/* GRAPH_INPUTS */.L])
        for (const kind of input.kinds) {
            const before = reach.get(kind);
            reach.set(kind, !before || before.reach === input.reach ? (before ?? input) : { ...input, reach: 'everything' });
        }
    return reach;
})();
/**
 * How far the difference between two sets of inputs reaches, or undefined when it may reach everything (then the
 * base is analysed in full). Resources are compared by identity (unchanged files parse to the same objects) and, in
 * a changed file, by content: a Namespace beside the PeerAuthentication that changed is not itself a change, and
 * neither is a new image or replica count of a Deployment, which the model does not read (modelView).
 */
function changeScope(base, head) {
    const inHead = new Set(head);
    const inBase = new Set(base);
    const baseOnly = base.filter((r) => !inHead.has(r));
    const headOnly = head.filter((r) => !inBase.has(r));
    // The model keeps input order among equals (the first Namespace of a name, the oldest policy): files both sides
    // have, and the resources both share, must come in the same order.
    const files = (rs) => [...new Set(rs.map((r) => r.file))];
    const baseFiles = files(base);
    const headFiles = files(head);
    const inBoth = (list, other) => {
        const set = new Set(other);
        return list.filter((f) => set.has(f));
    };
    if (!(0,external_node_util_.isDeepStrictEqual)(inBoth(baseFiles, headFiles), inBoth(headFiles, baseFiles)))
        return undefined;
    const shared = head.filter((r) => inBase.has(r));
    let next = 0;
    for (const r of base)
        if (inHead.has(r) && shared[next++] !== r)
            return undefined;
    // Pair the rest by content, in file order; pairs must keep their order too.
    const baseById = new Map();
    for (const r of baseOnly)
        change_scope_push(baseById, r.id, r);
    const paired = new Set();
    const pairedOrder = [];
    for (const h of headOnly) {
        const candidates = baseById.get(h.id);
        const i = candidates?.findIndex((b) => !paired.has(b) && sameForModel(b, h)) ?? -1;
        if (i < 0)
            continue;
        paired.add(candidates[i]).add(h);
        pairedOrder.push(h.id);
    }
    const baseOrder = baseOnly.filter((r) => paired.has(r)).map((r) => r.id);
    if (!(0,external_node_util_.isDeepStrictEqual)(baseOrder, pairedOrder))
        return undefined;
    const changed = [...baseOnly, ...headOnly].filter((r) => !paired.has(r));
    const namespaces = new Set();
    const hosts = [];
    for (const r of changed) {
        const input = REACH.get(r.kind);
        if (!input)
            continue;
        if (input.reach === 'everything')
            return undefined;
        if (input.reach === 'hosts') {
            const reached = input.hostsOf?.(r);
            if (!reached)
                return undefined;
            hosts.push(...reached);
            continue;
        }
        if (r.namespace === undefined)
            return undefined;
        namespaces.add(r.namespace);
    }
    // Every namespace a resource names is one the model knows (and may inject, or stand in for): a namespace that
    // only changed resources name must be named on both sides.
    const named = (rs) => new Set(rs.flatMap((r) => (r.namespace === undefined ? [] : [r.namespace])));
    const baseNamed = named(changed.filter((r) => inBase.has(r)));
    const headNamed = named(changed.filter((r) => inHead.has(r)));
    const oneSided = [...baseNamed]
        .filter((ns) => !headNamed.has(ns))
        .concat([...headNamed].filter((ns) => !baseNamed.has(ns)));
    if (oneSided.length) {
        const unchanged = new Set();
        const changedSet = new Set(changed);
        for (const r of head)
            if (r.namespace !== undefined && !changedSet.has(r))
                unchanged.add(r.namespace);
        if (oneSided.some((ns) => !unchanged.has(ns)))
            return undefined;
    }
    return { namespaces, hosts, changed };
}
/**
 * A change in the root namespace reaches every server: its PeerAuthentications and Policies are mesh-wide, its
 * AuthorizationPolicies select workloads in every namespace. The root namespace is a mesh setting, known only once
 * the model is built (a change to the mesh config is a global one anyway).
 */
function reachesAllServers(scope, rootNamespace) {
    return scope.namespaces.has(rootNamespace);
}
/**
 * The same document for the model, wherever it is: the same place and type, and the same value, or, for a workload
 * or a Service, the same of what the model and the graph read (modelView) and the same validity (a resource with
 * schema errors is left out of the model). Rules that read resources themselves read the base's own.
 */
function sameForModel(a, b) {
    if (a.kind !== b.kind ||
        a.apiVersion !== b.apiVersion ||
        a.namespace !== b.namespace ||
        a.namespaceExplicit !== b.namespaceExplicit ||
        a.file !== b.file ||
        a.source !== b.source)
        return false;
    if ((0,external_node_util_.isDeepStrictEqual)(a.value, b.value))
        return true;
    const view = modelView(a);
    return (view !== undefined && (0,external_node_util_.isDeepStrictEqual)(view, modelView(b)) && (0,validate/* hasSchemaErrors */.l)(a) === (0,validate/* hasSchemaErrors */.l)(b));
}
/**
 * Everything the model and the graph read of a workload (mesh/workloads.ts extractWorkloads; graph/callers.ts: the
 * calls annotation, containers' env, command, args and envFrom, volumes; graph/probes.ts: probes) or of a Service (extractServices).
 * Undefined for other kinds, which are compared whole.
 */
function modelView(r) {
    if (workloads/* WORKLOAD_KINDS */.i6.has(r.kind)) {
        const workload = (0,workloads/* extractWorkloads */._Y)([r]).map(({ resource: _, ...fields }) => fields);
        const spec = (0,util/* obj */.WL)((0,util/* get */.Jt)(r.value, ...(workload[0]?.podPath ?? []), 'spec'));
        const calls = (list) => (0,util/* arr */.QL)(list).map((c) => {
            const co = (0,util/* obj */.WL)(c);
            // graph/probes.ts reads the container's name and probes.
            return co
                ? [
                    co.env,
                    co.command,
                    co.args,
                    co.envFrom,
                    co.name,
                    co.livenessProbe,
                    co.readinessProbe,
                    co.startupProbe,
                ]
                : c;
        });
        return {
            workload,
            annotations: (0,util/* get */.Jt)(r.value, 'metadata', 'annotations'),
            containers: calls(spec?.containers),
            initContainers: calls(spec?.initContainers),
            volumes: spec?.volumes,
        };
    }
    if (r.kind === 'Service')
        // graph/scrapers.ts: ServiceMonitors select Services by their labels.
        return [
            (0,services/* extractServices */._B)([r], []).map(({ resource: _, workloads: __, ...fields }) => fields),
            (0,ingress/* serviceExposure */.V6)(r),
            (0,util/* get */.Jt)(r.value, 'metadata', 'labels'),
        ];
    return undefined;
}
function change_scope_push(map, key, value) {
    const list = map.get(key);
    if (list)
        list.push(value);
    else
        map.set(key, [value]);
}

;// CONCATENATED MODULE: ./src/diff/base.ts
// PR mode: lint the head and the base with the same options and report what the change introduces.
// The base is a git ref (read from git objects, no checkout) or a directory/file with the old manifests.









async function lintAgainstBase(options, base, opts) {
    const cache = opts.cache ?? new load/* ParseCache */.i3();
    // With a git ref, what each side reads is decided first (git.ts): the head leaves out what the base cannot have.
    const plan = (await baseKind(options, base, opts.gitOnly ?? false))
        ? undefined
        : await (0,git/* planGitComparison */.f_)(base, gitSpec(options, opts.untracked));
    const headInputs = await (0,load/* loadInputs */.IV)({
        ...loadOptions(options, cache),
        stdin: opts.stdin,
        ...(plan ? { leftOut: (absolute) => (0,git/* leftOut */.ig)(plan, absolute) } : {}),
    });
    if (plan?.notes.length)
        headInputs.diagnostics.push(...plan.notes);
    const { inputs: baseInputs, info } = await loadBase(options, base, cache, opts.gitOnly ?? false, plan);
    return compareInputs(headInputs, baseInputs, info, options, opts.showAll);
}
/**
 * PR mode over inputs already loaded, whatever their source (config `meshes:` renders both sides with the head's
 * command: diff/meshes.ts).
 */
function compareInputs(headInputs, baseInputs, info, options, showAll) {
    const opts = { showAll };
    // A change that touches no manifest: the base parsed to the very same resources (one ParseCache), and analyze is
    // pure, so the head's analysis is the base's too.
    if (sameInputs(baseInputs, headInputs)) {
        const head = (0,engine/* analyze */.ns)(headInputs, options);
        return { ...compareResults(head, head, options, opts.showAll), base: info, baseResult: head };
    }
    // A change that reaches only some servers (PeerAuthentications, Policies and AuthorizationPolicies of a namespace
    // other than the root, DestinationRules of some hosts): the head first, then the base as the head with only those
    // servers' edges recomputed (diff/change-scope.ts).
    const scope = changeScope(baseInputs.resources, headInputs.resources);
    if (scope) {
        const head = (0,engine/* analyze */.ns)(headInputs, options);
        const root = head.mesh().settings.rootNamespace;
        const reuse = reachesAllServers(scope, root) ? undefined : { from: head, scope };
        const baseSide = comparedSide((0,engine/* analyze */.ns)(baseInputs, options, undefined, { forComparison: true, reuse }));
        return withLazyBase(compareResults(baseSide, head, options, opts.showAll), info, baseInputs, options);
    }
    // Otherwise the base first, kept as only what the comparison reads (its findings, made without related locations,
    // and its graph) while the head is analysed: ~150 MB less at 20,000 workloads.
    const baseSide = comparedSide((0,engine/* analyze */.ns)(baseInputs, options, undefined, { forComparison: true }));
    const head = (0,engine/* analyze */.ns)(headInputs, options);
    return withLazyBase(compareResults(baseSide, head, options, opts.showAll), info, baseInputs, options);
}
/** The full base result is made only if asked for. */
function withLazyBase(compared, info, baseInputs, options) {
    let baseResult;
    return {
        ...compared,
        base: info,
        get baseResult() {
            return (baseResult ??= (0,engine/* analyze */.ns)(baseInputs, options));
        },
    };
}
function comparedSide(result) {
    const graph = result.graph();
    return { findings: result.findings, graph: () => graph };
}
function sameInputs(a, b) {
    return (a.skipped === b.skipped &&
        a.files.length === b.files.length &&
        a.files.every((f, i) => f === b.files[i]) &&
        a.resources.length === b.resources.length &&
        a.resources.every((r, i) => r === b.resources[i]) &&
        JSON.stringify(a.diagnostics) === JSON.stringify(b.diagnostics));
}
/** Mark head findings new/old, add transitions, and count. Pure: used by the CLI, the action and tests. */
function compareResults(base, head, options, showAll) {
    const transitions = applyTransitions(base, head, markNew(head.findings, base.findings), options);
    // Observed traffic describes what is deployed (the base): a head that disagrees with it only says that the change
    // changes something, so model-mismatch reports what the base already disagreed with.
    const all = transitions.findings
        .filter((f) => !(f.rule === 'model-mismatch' && f.new !== false))
        .sort(engine/* compareFindings */.Eg);
    const suppressed = [...head.suppressed, ...transitions.suppressed];
    const fresh = all.filter((f) => f.new !== false);
    const summary = (0,engine/* summarize */.eh)(all, suppressed.length, head.inputs);
    if (head.inputs.notCompared?.length)
        summary.notCompared = head.inputs.notCompared;
    summary.newErrors = fresh.filter((f) => f.severity === 'error').length;
    summary.newWarnings = fresh.filter((f) => f.severity === 'warning').length;
    return {
        ...head,
        findings: showAll ? all : fresh,
        suppressed,
        summary,
    };
}
/** A directory or file with the old manifests, or undefined for a git ref. */
async function baseKind(options, base, gitOnly) {
    // An existing file or directory wins over a ref of the same name (documented in the README).
    const info = gitOnly || base === '' ? undefined : await (0,promises_.stat)(external_node_path_default().resolve(options.cwd, base)).catch(() => undefined);
    return info?.isDirectory() || info?.isFile() ? info : undefined;
}
function gitSpec(options, untracked) {
    return {
        paths: options.paths,
        cwd: options.cwd,
        ignore: options.config.ignore ?? [],
        ...(untracked ? { untracked } : {}),
    };
}
async function loadBase(options, base, cache, gitOnly, plan) {
    const info = plan ? undefined : await baseKind(options, base, gitOnly);
    const abs = external_node_path_default().resolve(options.cwd, base);
    if (info) {
        const source = info.isDirectory() ? await baseDirectory(options, abs) : await baseFile(options, abs);
        return {
            inputs: await (0,load/* loadInputs */.IV)(loadOptions(options, cache, source)),
            info: {
                kind: info.isDirectory() ? 'directory' : 'file',
                ref: base,
                label: `base ${info.isDirectory() ? 'directory' : 'file'} ${base}`,
            },
        };
    }
    const { commit, tree } = await (0,git/* baseTree */.Ks)(base, gitSpec(options, undefined), plan);
    return {
        inputs: await (0,load/* loadInputs */.IV)(loadOptions(options, cache, { kind: 'tree', tree })),
        info: { kind: 'git', ref: base, commit, label: `base ${base} (${commit.slice(0, 7)})` },
    };
}
/** Head and base are read by the loader's one entry point with the same options; only the source differs. */
function loadOptions(options, cache, source) {
    return {
        paths: options.paths,
        cwd: options.cwd,
        namespace: options.namespace,
        ignore: options.config.ignore ?? [],
        limits: options.limits,
        cache,
        isValid: engine/* passesSchema */.$i,
        ...(options.configFile ? { configFile: options.configFile } : {}),
        ...(source ? { source } : {}),
    };
}
/**
 * A directory with the old manifests. With one head directory (`--base old/ k8s/`) the base directory is the old
 * version of that directory; otherwise it is the old version of the working directory, and each head path is looked
 * up under it. Base files get the head's display paths, so file-level findings match too.
 */
async function baseDirectory(options, dir) {
    const headPaths = options.paths.filter((p) => p !== '-');
    let headDir;
    if (headPaths.length === 1) {
        const head = external_node_path_default().resolve(options.cwd, headPaths[0]);
        if ((await (0,promises_.stat)(head).catch(() => undefined))?.isDirectory())
            headDir = head;
    }
    const ignore = (0,files/* ignoreMatcher */.NJ)(options.config.ignore ?? []);
    // A head path that the base does not have is a new file or directory, not an error.
    if (headDir === undefined)
        return { kind: 'paths', paths: headPaths.length ? headPaths : ['.'], root: dir, ignore, optional: true };
    // The path the head's own file there is shown with (absolute for a directory far outside the working directory),
    // so that unchanged files hit the parse cache and findings match by file.
    const display = (file) => (0,files/* displayPath */.Gt)(options.cwd, external_node_path_default().join(headDir, file));
    return { kind: 'paths', paths: ['.'], root: dir, display, ignore: (file) => ignore(file), optional: true };
}
/** One file with the old manifests (e.g. `helm template` of the base): the old version of the only head input. */
async function baseFile(options, file) {
    const only = options.paths.length === 1 ? options.paths[0] : undefined;
    const onlyAbs = only !== undefined && only !== '-' ? external_node_path_default().resolve(options.cwd, only) : undefined;
    const onlyIsFile = onlyAbs !== undefined && (await (0,promises_.stat)(onlyAbs).catch(() => undefined))?.isFile();
    const shown = only === '-'
        ? '<stdin>'
        : onlyIsFile
            ? (0,files/* displayPath */.Gt)(options.cwd, onlyAbs)
            : (0,files/* displayPath */.Gt)(options.cwd, file);
    return { kind: 'paths', paths: [file], display: () => shown, ignore: () => false };
}


/***/ }),

/***/ 1547:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $Y: () => (/* binding */ git),
/* harmony export */   Ks: () => (/* binding */ baseTree),
/* harmony export */   __: () => (/* binding */ checkRef),
/* harmony export */   f_: () => (/* binding */ planGitComparison),
/* harmony export */   ig: () => (/* binding */ leftOut),
/* harmony export */   jv: () => (/* binding */ repoRoot)
/* harmony export */ });
/* unused harmony exports BaseError, fetchCommit, hasCommit */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _config_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5039);
/* harmony import */ var _load_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6255);
/* harmony import */ var _load_parsed_file_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7298);
// Reading the base side of PR mode straight from git objects: `git ls-tree` + `git cat-file --batch`.
// No checkout, no worktree, no clone, nothing executed but git with arguments passed as an array (never a shell).







/** A problem with --base itself (bad ref, not a repository, missing commit): a usage error, exit 2. */
class BaseError extends _config_js__WEBPACK_IMPORTED_MODULE_4__/* .ConfigError */ .xL {
}
function git(args, cwd, input) {
    return new Promise((resolve) => {
        let child;
        try {
            child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)('git', args, {
                cwd,
                // No prompts for credentials, no pager, no locale-dependent messages we might show.
                env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
                stdio: ['pipe', 'pipe', 'pipe'],
            });
        }
        catch (err) {
            resolve({
                code: 127,
                stdout: Buffer.alloc(0),
                stderr: err instanceof Error ? err.message : String(err),
            });
            return;
        }
        const out = [];
        const errOut = [];
        child.stdout.on('data', (c) => out.push(c));
        child.stderr.on('data', (c) => errOut.push(c));
        child.on('error', (err) => resolve({ code: 127, stdout: Buffer.alloc(0), stderr: err.message }));
        child.on('close', (code) => resolve({
            code: code ?? 1,
            stdout: Buffer.concat(out),
            stderr: Buffer.concat(errOut).toString('utf8'),
        }));
        child.stdin.on('error', () => {
            /* git may exit before reading all of stdin; its exit code tells */
        });
        child.stdin.end(input ?? '');
    });
}
/**
 * Accept the revision syntax people pass for a base (branch, tag, sha, origin/main, HEAD~2, main^, @{u}) and
 * refuse anything that git could read as an option (`--upload-pack=…`), a range (`a..b`), a path (`rev:file`) or
 * that only makes sense to a shell (`$(…)`, backticks, `;`). The arguments never go through a shell anyway; this
 * turns a confusing git error into a clear one.
 */
function checkRef(ref) {
    if (ref === '')
        return 'the base ref is empty';
    if (ref.length > 256)
        return 'the base ref is longer than 256 characters';
    if (ref.startsWith('-'))
        return `"${printable(ref)}" starts with "-", so git would read it as an option`;
    if (ref.includes('..'))
        return `"${printable(ref)}" is a range; give one commit (the merge base or the target branch)`;
    if (!/^[A-Za-z0-9@][A-Za-z0-9._/@{}~^+-]*$/.test(ref)) {
        return `"${printable(ref)}" is not a branch, tag or commit name (allowed: letters, digits and . _ / - + @ { } ~ ^)`;
    }
    return undefined;
}
function printable(s) {
    // eslint-disable-next-line no-control-regex
    return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80);
}
async function repoRoot(cwd) {
    const r = await git(['rev-parse', '--show-toplevel'], cwd);
    if (r.code !== 0) {
        throw new BaseError(`--base: ${cwd} is not inside a git repository (${firstLine(r.stderr) || 'git rev-parse failed'}); pass --base DIR with the old manifests instead`);
    }
    return r.stdout.toString('utf8').trim();
}
/** Resolve a ref to a commit sha, or explain what to do when the commit is not there (shallow clones). */
async function resolveCommit(ref, root) {
    const problem = checkRef(ref);
    if (problem)
        throw new BaseError(`--base: ${problem}`);
    const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
    if (r.code !== 0) {
        throw new BaseError(`--base: "${ref}" is not a commit in this repository. In a shallow clone fetch it first (git fetch --depth=1 origin ${ref}); in GitHub Actions set "fetch-depth: 0" on actions/checkout.`);
    }
    return r.stdout.toString('utf8').trim();
}
/** Nested submodules followed at most this deep. */
const MAX_SUBMODULE_DEPTH = 8;
const FIRST_LINE = { line: 1, column: 1, endLine: 1, endColumn: 1 };
async function planGitComparison(ref, spec) {
    const root = await repoRoot(spec.cwd);
    const commit = await resolveCommit(ref, root);
    // git prints the real path of the top level; compare against the real cwd so that display paths match the head's.
    const realRoot = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.realpath)(root).catch(() => root);
    const realCwd = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.realpath)(spec.cwd).catch(() => spec.cwd);
    const pathspecs = [];
    for (const p of spec.paths) {
        if (p === '-')
            continue;
        const abs = node_path__WEBPACK_IMPORTED_MODULE_3___default().resolve(realCwd, p);
        const rel = node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(realRoot, abs);
        if (rel.startsWith('..') || node_path__WEBPACK_IMPORTED_MODULE_3___default().isAbsolute(rel)) {
            throw new BaseError(`--base ${ref}: ${p} is outside the git repository at ${root}; use --base DIR for it`);
        }
        pathspecs.push(rel.split((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)).join('/'));
    }
    const plan = {
        ref,
        commit,
        realRoot,
        realCwd,
        cwd: spec.cwd,
        cwdInRepo: node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(realRoot, realCwd),
        pathspecs,
        parts: [],
        notCompared: [],
        notes: [],
        untracked: spec.untracked ?? 'exclude',
    };
    if (pathspecs.length)
        await explore(plan, realRoot, '', pathspecs, commit, 0);
    // Deepest first, for leftOut.
    plan.parts.sort((a, b) => b.prefix.length - a.prefix.length);
    return plan;
}
async function explore(plan, dir, prefix, specs, baseCommit, depth) {
    const whole = specs.includes('');
    const part = { dir, prefix, baseEntries: [], tracked: new Set() };
    if (baseCommit !== undefined)
        part.baseCommit = baseCommit;
    plan.parts.push(part);
    const where = prefix ? ` in submodule ${prefix.slice(0, -1)}` : '';
    // The head: what its index tracks (a file that is not there is untracked or ignored), and its submodules.
    const headLinks = new Map();
    const index = await git(['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...(whole ? [] : specs)], dir);
    if (index.code !== 0)
        throw new BaseError(`--base ${plan.ref}: git ls-files failed${where}: ${firstLine(index.stderr)}`);
    for (const raw of index.stdout.toString('utf8').split('\0')) {
        const m = /^(\d+) ([0-9a-f]+) \d+\t([\s\S]*)$/.exec(raw);
        if (!m)
            continue;
        part.tracked.add(m[3]);
        if (m[1] === '160000')
            headLinks.set(m[3], m[2]);
    }
    const baseLinks = new Map();
    if (baseCommit !== undefined) {
        for (const entry of await lsTree(plan, dir, baseCommit, whole ? [] : specs, true, where)) {
            if (entry.type === 'commit')
                baseLinks.set(entry.path, entry.oid);
            else
                part.baseEntries.push(entry);
        }
    }
    // A path named inside a submodule: git lists nothing for it; the submodule is one of its directories.
    const inner = new Map();
    for (const s of specs) {
        if (s === '')
            continue;
        const segments = s.split('/');
        for (let i = 1; i < segments.length; i++) {
            const dirPath = segments.slice(0, i).join('/');
            if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, dirPath, '.git')))
                continue;
            const link = await git(['--literal-pathspecs', 'ls-files', '-s', '-z', '--', dirPath], dir);
            const m = /^160000 ([0-9a-f]+) \d+\t/.exec(link.stdout.toString('utf8'));
            if (!m)
                continue;
            headLinks.set(dirPath, m[1]);
            inner.set(dirPath, [...(inner.get(dirPath) ?? []), segments.slice(i).join('/')]);
            if (baseCommit !== undefined) {
                for (const entry of await lsTree(plan, dir, baseCommit, [dirPath], false, where)) {
                    if (entry.type === 'commit' && entry.path === dirPath)
                        baseLinks.set(dirPath, entry.oid);
                }
            }
            break;
        }
    }
    for (const link of [...headLinks.keys()].sort()) {
        const sub = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, link);
        // Not checked out (actions/checkout without `submodules: true`): the head has nothing there, nor does the base.
        if (!(await isCheckout(sub)))
            continue;
        const full = prefix + link;
        const baseOfLink = baseLinks.get(link);
        const display = displayOf(plan, full);
        if (depth >= MAX_SUBMODULE_DEPTH) {
            plan.notCompared.push(`${full}/`);
            plan.notes.push((0,_load_parsed_file_js__WEBPACK_IMPORTED_MODULE_6__/* .fileFinding */ .sb)('input-error', display, FIRST_LINE, `Submodule ${display} is nested more than ${MAX_SUBMODULE_DEPTH} submodules deep; it was not compared (neither side's manifests in it were checked).`, 'submodule-not-compared', 'info'));
            continue;
        }
        if (baseOfLink === undefined) {
            // The change adds the submodule (or the base had plain files there, already listed): the head reads it.
            await explore(plan, sub, `${full}/`, inner.get(link) ?? [''], undefined, depth + 1);
        }
        else if (await hasCommit(baseOfLink, sub)) {
            await explore(plan, sub, `${full}/`, inner.get(link) ?? [''], baseOfLink, depth + 1);
        }
        else {
            plan.notCompared.push(`${full}/`);
            plan.notes.push((0,_load_parsed_file_js__WEBPACK_IMPORTED_MODULE_6__/* .fileFinding */ .sb)('input-error', display, FIRST_LINE, `Submodule ${display} was not compared: the base's commit of it (${baseOfLink.slice(0, 12)}) is not in its objects (a shallow submodule checkout), so its manifests were checked on neither side. Fetch that commit to compare it: git -C ${display} fetch origin ${baseOfLink}, or fetch-depth: 0 with submodules: true on actions/checkout.`, 'submodule-not-compared', 'info'));
        }
    }
}
async function lsTree(plan, dir, commit, specs, recursive, where) {
    const args = [
        '--literal-pathspecs',
        '-c',
        'core.quotepath=off',
        'ls-tree',
        ...(recursive ? ['-r'] : []),
        '-z',
        '-l',
    ];
    args.push('--end-of-options', commit);
    if (specs.length)
        args.push('--', ...specs);
    const ls = await git(args, dir);
    if (ls.code !== 0)
        throw new BaseError(`--base ${plan.ref}: git ls-tree failed${where}: ${firstLine(ls.stderr)}`);
    const entries = [];
    for (const raw of ls.stdout.toString('utf8').split('\0')) {
        const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(raw);
        if (!m)
            continue;
        entries.push({
            mode: m[1],
            type: m[2],
            oid: m[3],
            size: m[4] === '-' ? 0 : Number(m[4]),
            path: m[5],
        });
    }
    return entries;
}
/** A submodule's directory holds its own checkout (not an empty directory inside the superproject). */
async function isCheckout(dir) {
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)(node_path__WEBPACK_IMPORTED_MODULE_3___default().join(dir, '.git')))
        return false;
    const r = await git(['rev-parse', '--show-toplevel'], dir);
    if (r.code !== 0)
        return false;
    const top = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.realpath)(r.stdout.toString('utf8').trim()).catch(() => '');
    return top === (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.realpath)(dir).catch(() => dir));
}
function displayOf(plan, repoPath) {
    return (node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(plan.realCwd, node_path__WEBPACK_IMPORTED_MODULE_3___default().join(plan.realRoot, repoPath)).split((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)).join('/') ||
        node_path__WEBPACK_IMPORTED_MODULE_3___default().basename(repoPath));
}
/**
 * Why a head file is not part of the comparison: it is in a submodule that is compared on neither side, or git does
 * not track it (unless untracked files are compared against nothing). Undefined when both sides read it.
 */
function leftOut(plan, absolute) {
    const rel = repoPath(plan, absolute);
    if (plan.notCompared.some((p) => rel.startsWith(p)))
        return 'submodule';
    if (plan.untracked === 'compare')
        return undefined;
    const part = plan.parts.find((p) => rel.startsWith(p.prefix));
    if (!part)
        return undefined;
    return part.tracked.has(rel.slice(part.prefix.length)) ? undefined : 'untracked';
}
/** A head path relative to the repository root, with forward slashes (called for every file: string work first). */
function repoPath(plan, absolute) {
    const cwdPrefix = plan.cwd.endsWith((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)) ? plan.cwd : plan.cwd + (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep);
    if (absolute.startsWith(cwdPrefix) &&
        !absolute.includes(`${(node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)}..`) &&
        !absolute.includes(`${(node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)}.${(node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)}`)) {
        const fromCwd = plan.cwdInRepo;
        const rest = absolute.slice(cwdPrefix.length);
        const joined = fromCwd ? `${fromCwd}${(node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)}${rest}` : rest;
        return (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep) === '/' ? joined : joined.split((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)).join('/');
    }
    return node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(plan.realRoot, node_path__WEBPACK_IMPORTED_MODULE_3___default().join(plan.realCwd, node_path__WEBPACK_IMPORTED_MODULE_3___default().relative(plan.cwd, absolute)))
        .split((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep))
        .join('/');
}
/** The base tree's manifests under the same paths as the head, with the head's display paths, for the loader. */
async function baseTree(ref, spec, planned) {
    const plan = planned ?? (await planGitComparison(ref, spec));
    const { commit, pathspecs, realRoot } = plan;
    if (pathspecs.length === 0)
        return {
            commit,
            tree: { files: [], diagnostics: [], name: 'the base commit', read: async () => new Map() },
        };
    const ignore = spec.ignore.map(_load_files_js__WEBPACK_IMPORTED_MODULE_5__/* .globToRegExp */ .tL);
    const explicit = new Set(pathspecs);
    const entries = [];
    const symlinks = [];
    // The head's walk leaves out testdata directories below the directories named (src/load/files.ts).
    const testData = new Map(pathspecs.map((p) => [p, new Set()]));
    const underTestData = (repoPath) => {
        let walkedSomewhere = false;
        for (const [spec, found] of testData) {
            if (spec !== '' && !repoPath.startsWith(`${spec}/`))
                continue;
            const below = (spec === '' ? repoPath : repoPath.slice(spec.length + 1)).split('/').slice(0, -1);
            const at = below.indexOf('testdata');
            if (at === -1)
                walkedSomewhere = true;
            else
                found.add([...(spec === '' ? [] : [spec]), ...below.slice(0, at + 1)].join('/'));
        }
        return !walkedSomewhere;
    };
    const regular = new Map();
    for (const part of plan.parts) {
        if (part.baseCommit === undefined)
            continue;
        for (const e of part.baseEntries) {
            const entry = { ...e, path: part.prefix + e.path, repo: part.dir };
            if (entry.type === 'blob' && entry.mode === '120000') {
                symlinks.push(entry);
                continue;
            }
            // Regular files only; submodules were entered above (planGitComparison).
            if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755'))
                continue;
            regular.set(entry.path, entry);
            if (!explicit.has(entry.path)) {
                // Same walk rules as the head: manifest extensions, no .git or node_modules directories.
                const lower = entry.path.toLowerCase();
                if (entry.path.split('/').some((seg) => seg === 'node_modules' || seg === '.git'))
                    continue;
                if (underTestData(entry.path))
                    continue;
                if (!_load_files_js__WEBPACK_IMPORTED_MODULE_5__/* .MANIFEST_EXTENSIONS */ .Li.some((ext) => lower.endsWith(ext)))
                    continue;
            }
            const file = displayOf(plan, entry.path);
            if (ignore.some((re) => re.test(file)))
                continue;
            entries.push({ ...entry, file });
        }
    }
    // Symlinked manifests, as the head's walk takes them (src/load/files.ts): a link inside a walked directory to a file
    // inside it is read under the link's name unless the walk reads that file directly; a link whose chain leaves the
    // directory (decided from the link texts, as the head does) or a dangling one is an info finding, with the key the
    // head gives it, so that it is not "new" in every PR.
    const diagnostics = [];
    for (const [spec, found] of testData) {
        if (found.size === 0)
            continue;
        const dirs = [...found].sort().map((d) => displayOf(plan, d));
        diagnostics.push((0,_load_files_js__WEBPACK_IMPORTED_MODULE_5__/* .testDataSkipped */ .Bp)(spec === '' ? displayOf(plan, '') || '.' : displayOf(plan, spec), dirs));
    }
    if (symlinks.length) {
        const texts = await catAll(symlinks);
        const linkText = new Map(symlinks.map((l) => [l.path, texts.get(l.oid)?.toString('utf8') ?? '']));
        const rootPosix = realRoot.split((node_path__WEBPACK_IMPORTED_MODULE_3___default().sep)).join('/');
        const direct = new Set(entries.map((e) => e.path));
        for (const link of symlinks) {
            const lower = link.path.toLowerCase();
            if (!explicit.has(link.path) && !_load_files_js__WEBPACK_IMPORTED_MODULE_5__/* .MANIFEST_EXTENSIONS */ .Li.some((ext) => lower.endsWith(ext)))
                continue;
            const file = displayOf(plan, link.path);
            if (ignore.some((re) => re.test(file)))
                continue;
            const walked = pathspecs.filter((p) => p === '' || link.path.startsWith(`${p}/`));
            const inside = (target) => target !== '..' &&
                !target.startsWith('../') &&
                (explicit.has(link.path) || walked.some((p) => p === '' || target.startsWith(`${p}/`)));
            let at = link.path;
            let away;
            let end;
            for (let hop = 0; hop < _load_files_js__WEBPACK_IMPORTED_MODULE_5__/* .MAX_LINK_HOPS */ .dL; hop++) {
                const raw = linkText.get(at);
                if (raw === undefined) {
                    end = at;
                    break;
                }
                const next = raw.startsWith('/')
                    ? node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.relative(rootPosix, node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.normalize(raw))
                    : node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.join(node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.dirname(at), raw));
                if (node_path__WEBPACK_IMPORTED_MODULE_3___default().posix.isAbsolute(next) || !inside(next)) {
                    away = raw;
                    break;
                }
                at = next;
            }
            const blob = end !== undefined ? regular.get(end) : undefined;
            if (away !== undefined) {
                diagnostics.push((0,_load_parsed_file_js__WEBPACK_IMPORTED_MODULE_6__/* .fileFinding */ .sb)('input-error', file, FIRST_LINE, `Symbolic link points outside the walked directory (to ${away}) in the base; links out of the tree are not followed, so it was not checked.`, 'symlink-outside', 'info'));
            }
            else if (!blob) {
                // A link to a directory (not followed), to nothing in this commit, or a loop (end undefined).
                const isDir = end !== undefined && [...regular.keys()].some((p) => p.startsWith(`${end}/`));
                if (!isDir) {
                    diagnostics.push((0,_load_parsed_file_js__WEBPACK_IMPORTED_MODULE_6__/* .fileFinding */ .sb)('input-error', file, FIRST_LINE, `Symbolic link could not be resolved in the base (to ${linkText.get(link.path) ?? ''}); it was not checked.`, 'symlink', 'info'));
                }
            }
            else if (!direct.has(blob.path)) {
                entries.push({ ...blob, path: link.path, file });
            }
        }
    }
    entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    // The loader reads the tree as it reads a directory (limits, budget, decoding); git only lists and hands out blobs.
    const byFile = new Map(entries.map((e) => [e.file, e]));
    const tree = {
        files: entries.map((e) => ({ file: e.file, size: e.size })),
        diagnostics,
        name: 'the base commit',
        read: async (files) => {
            const wanted = files.map((f) => byFile.get(f)).filter(Boolean);
            const blobs = await catAll(wanted);
            const out = new Map();
            for (const e of wanted) {
                const bytes = blobs.get(e.oid);
                if (bytes)
                    out.set(e.file, bytes);
            }
            return out;
        },
    };
    return { commit, tree };
}
/** Blobs by id, each read from the object store of the repository it is in (one cat-file per repository). */
async function catAll(entries) {
    const byRepo = new Map();
    for (const e of entries) {
        const list = byRepo.get(e.repo);
        if (list)
            list.push(e.oid);
        else
            byRepo.set(e.repo, [e.oid]);
    }
    const out = new Map();
    for (const [repo, oids] of byRepo)
        for (const [oid, bytes] of await catBlobs(oids, repo))
            out.set(oid, bytes);
    return out;
}
/** `git cat-file --batch`: one process for all blobs; output is `<oid> <type> <size>\n<bytes>\n` per object. */
async function catBlobs(oids, root) {
    const out = new Map();
    const unique = [...new Set(oids)];
    if (!unique.length)
        return out;
    const r = await git(['cat-file', '--batch'], root, unique.join('\n') + '\n');
    if (r.code !== 0)
        throw new BaseError(`--base: git cat-file failed: ${firstLine(r.stderr)}`);
    const buf = r.stdout;
    let pos = 0;
    while (pos < buf.length) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0)
            break;
        const header = buf.subarray(pos, nl).toString('utf8');
        const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
        if (!m) {
            pos = nl + 1; // "<oid> missing": no body follows
            continue;
        }
        const size = Number(m[3]);
        out.set(m[1], buf.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
    }
    return out;
}
/** Fetch one commit into a shallow clone (the action's checkout has depth 1 by default). */
async function fetchCommit(sha, root) {
    const problem = checkRef(sha);
    if (problem)
        return { ok: false, error: problem };
    const r = await git(['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', '--end-of-options', 'origin', sha], root);
    return {
        ok: r.code === 0,
        error: firstLine(r.stderr
            .split('\n')
            .filter((l) => /fatal|error/i.test(l))
            .join('\n') || r.stderr),
    };
}
async function hasCommit(ref, root) {
    if (checkRef(ref))
        return false;
    const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
    return r.code === 0;
}
function firstLine(s) {
    return (s.trim().split('\n')[0] ?? '').trim();
}


/***/ })

};
