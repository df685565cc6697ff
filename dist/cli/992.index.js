export const id = 992;
export const ids = [992];
export const modules = {

/***/ 7992:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  PLAN_HELP: () => (/* binding */ PLAN_HELP),
  runPlan: () => (/* binding */ runPlan)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/engine.ts
var engine = __webpack_require__(825);
// EXTERNAL MODULE: ./src/mesh/releases.ts
var releases = __webpack_require__(6031);
// EXTERNAL MODULE: ./src/load/index.ts + 8 modules
var load = __webpack_require__(3432);
// EXTERNAL MODULE: ./src/load/resource.ts
var resource = __webpack_require__(9522);
// EXTERNAL MODULE: ./src/mesh/convert.ts
var convert = __webpack_require__(290);
// EXTERNAL MODULE: ./src/rule-report.ts
var rule_report = __webpack_require__(7260);
;// CONCATENATED MODULE: ./src/plan/plan.ts
// `mtls-lint plan`: the ordered steps from today's manifests to STRICT. Every step is proposed as complete objects,
// applied to a copy of the inputs and analysed by the engine itself (the same model and graph `mtls-lint` and
// `mtls-lint graph` build); a step is kept only if no declared or inferred caller gets worse. What would break is
// kept out of the step: as a narrow PERMISSIVE exception (port, then workload) with its blockers named.





function keyOf(apiVersion, kind, namespace, name) {
    return `${(0,resource/* apiGroupVersion */._7)(apiVersion).group}|${kind}|${namespace ?? ''}|${name}`;
}
function objKey(value, fallbackNamespace) {
    const meta = (value.metadata ?? {});
    return keyOf(String(value.apiVersion ?? ''), String(value.kind ?? ''), meta.namespace ?? fallbackNamespace, String(meta.name ?? ''));
}
/** A set of objects in input order; applying a change gives a new state. */
class State {
    objects;
    constructor(objects) {
        this.objects = objects;
    }
    static of(resources) {
        const map = new Map();
        for (const r of resources) {
            const key = keyOf(r.apiVersion, r.kind, r.namespace, r.name);
            map.set(key, { key, value: r.value, resource: r });
        }
        return new State(map);
    }
    get(key) {
        return this.objects.get(key);
    }
    apply(changes) {
        const map = new Map(this.objects);
        for (const c of changes) {
            const key = keyOf(c.apiVersion, c.kind, c.namespace, c.name);
            if (c.action === 'remove')
                map.delete(key);
            else
                map.set(key, { key, value: c.manifest });
        }
        return new State(map);
    }
}
/** The object as written, with its namespace made explicit (kubectl apply -f needs no -n). */
function complete(r, namespace) {
    const value = structuredClone('value' in r ? r.value : r.value);
    if (namespace !== undefined) {
        const meta = (value.metadata ??= {});
        if (meta.namespace === undefined)
            meta.namespace = namespace;
    }
    return value;
}
/**
 * A copy as plain JSON: the conversion keeps portLevelMtls in a Map (ports in order), which JSON and YAML writers
 * would otherwise write as `{}` or `!!omap`, neither of which Kubernetes reads as the ports.
 */
function plainJson(value) {
    return JSON.parse(JSON.stringify(value, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v)));
}
function changeOf(action, manifest) {
    const meta = (manifest.metadata ?? {});
    const c = {
        action,
        kind: String(manifest.kind),
        apiVersion: String(manifest.apiVersion),
        name: String(meta.name),
        manifest,
    };
    if (typeof meta.namespace === 'string')
        c.namespace = meta.namespace;
    return c;
}
/** Set (or with `undefined`, delete) a field, creating the objects on the way. Mutates `value`. */
function setPath(value, path, v) {
    let at = value;
    for (let i = 0; i < path.length - 1; i++) {
        const k = path[i];
        let next = at[k];
        if (next === null || typeof next !== 'object')
            at[k] = next = typeof path[i + 1] === 'number' ? [] : {};
        at = next;
    }
    const last = path[path.length - 1];
    if (v === undefined)
        delete at[last];
    else
        at[last] = v;
}
class Evaluator {
    options;
    base;
    parsed = new Map();
    constructor(options, base) {
        this.options = options;
        this.base = base;
    }
    run(state) {
        const resources = [];
        for (const o of state.objects.values())
            resources.push(o.resource ?? this.parse(o));
        const inputs = { ...this.base, resources, shadowed: [] };
        // No rules: the plan reads the model and the graph, which are what every rule reads.
        const result = (0,engine/* analyze */.ns)(inputs, this.options, []);
        const graph = result.graph();
        const edges = new Map();
        for (const e of graph.edges)
            edges.set(edgeKey(e), e);
        return { state, mesh: result.mesh(), graph, edges, counts: countEdges(graph) };
    }
    parse(o) {
        let r = this.parsed.get(o.value);
        if (!r) {
            const meta = (o.value.metadata ?? {});
            const file = `<plan>/${String(o.value.kind)}/${String(meta.namespace ?? '')}/${String(meta.name)}`;
            const loaded = (0,load/* parseTexts */.oh)([{ input: { file }, text: JSON.stringify(o.value) }], {
                namespace: this.options.namespace,
                limits: this.options.limits,
            });
            r = loaded.resources[0];
            if (!r)
                throw new Error(`plan: could not read back ${file}`);
            this.parsed.set(o.value, r);
        }
        return r;
    }
}
/** Connections as `mtls-lint graph` lists them (declared and inferred callers), by outcome. */
function countEdges(graph) {
    const counts = { mtls: 0, plaintext: 0, broken: 0, tls: 0 };
    for (const e of graph.edges)
        if (e.caller !== 'possible')
            counts[e.outcome]++;
    return counts;
}
function edgeKey(e) {
    const c = e.client;
    const client = c.standIn
        ? `standin:${c.kind}:${c.namespace}:${c.standIn}`
        : c.members?.length
            ? `group:${c.members
                .map((m) => `${m.namespace}/${m.name}`)
                .sort()
                .join(',')}`
            : `${c.kind}:${c.namespace}/${c.name}`;
    const s = e.server;
    return `${client}→${s.standIn ?? `${s.namespace}/${s.service}`}:${s.port}`;
}
const RANK = { mtls: 0, tls: 0, plaintext: 1, broken: 2 };
function serverText(e) {
    return e.server.standIn ?? `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}
/**
 * Whether any connection, possible callers' included, is better after: per backing workload, since a service with
 * endpoints with and without a sidecar keeps its edge's worst outcome while the sidecar ones move to mTLS.
 */
function improves(before, after) {
    const outcome = (c) => `${c.serverWorkload?.resource.id ?? ''}|${c.targetPort ?? ''}`;
    for (const [key, e] of after.edges) {
        const was = before.edges.get(key);
        if (!was)
            continue;
        if (RANK[e.outcome] < RANK[was.outcome])
            return true;
        const wasByWorkload = new Map(was.connections.map((c) => [outcome(c), c.result.outcome]));
        for (const c of e.connections) {
            const w = wasByWorkload.get(outcome(c));
            if (w !== undefined && RANK[c.result.outcome] < RANK[w])
                return true;
        }
    }
    return false;
}
function compare(before, after) {
    const worse = [];
    const possibleBroken = [];
    const changed = [];
    for (const [key, e] of after.edges) {
        const was = before.edges.get(key);
        if (!was) {
            if (e.outcome === 'broken' && e.caller === 'possible')
                possibleBroken.push(e);
            continue;
        }
        if (was.outcome === e.outcome)
            continue;
        if (e.caller !== 'possible') {
            changed.push({ client: (0,rule_report/* clientLabel */.QJ)(e), server: serverText(e), from: was.outcome, to: e.outcome });
            if (RANK[e.outcome] > RANK[was.outcome])
                worse.push(e);
        }
        else if (e.outcome === 'broken')
            possibleBroken.push(e);
    }
    return { worse, possibleBroken, changed };
}
const STAND_IN_BLOCKERS = {
    IngressController: {
        kind: 'ingress-controller',
        reason: 'an ingress controller without a sidecar sends plaintext',
        fix: 'route this traffic through an Istio ingress gateway (Gateway + VirtualService), or inject the controller with a sidecar that captures only its outbound traffic',
    },
    ExternalClient: {
        kind: 'external-client',
        reason: 'clients outside the mesh (NodePort, LoadBalancer, hostNetwork) send plaintext',
        fix: 'expose the service through an Istio ingress gateway and let outside clients call the gateway',
    },
    Kubelet: {
        kind: 'kubelet',
        reason: 'the kubelet sends health probes in plaintext, without a sidecar',
        fix: 'enable probe rewriting (annotation sidecar.istio.io/rewriteAppHTTPProbers: "true", the default from Istio 1.10), or move the probe to a port that is not STRICT',
    },
    Scraper: {
        kind: 'scraper',
        reason: 'a metrics scraper without a sidecar sends plaintext',
        fix: 'let Istio merge the application metrics into the agent port 15020, which STRICT does not cover (remove prometheus.istio.io/merge-metrics: "false" where set; prometheus.io annotations are then rewritten by the injector), or scrape with Istio certificates: Prometheus with a sidecar that writes them (outbound capture off), and scheme https with tlsConfig from /etc/prom-certs in its scrape config or ServiceMonitor (istio.io/latest/docs/ops/integrations/prometheus/#tls-settings)',
    },
    Gateway: {
        kind: 'gateway',
        reason: 'the gateway does not send Istio mTLS to this port',
        fix: 'let the gateway originate Istio mTLS (a DestinationRule with ISTIO_MUTUAL or auto mTLS for the backend host)',
    },
};
function makePlan(inputs, options, release, planOptions) {
    const evaluator = new Evaluator(options, inputs);
    let current = evaluator.run(State.of(inputs.resources));
    const before = current.counts;
    const steps = [];
    const blockers = new Map();
    const exceptions = [];
    const hasPa = release.has('peer-authentication');
    const root = current.mesh.settings.rootNamespace;
    const serverNamespaces = (ev) => [...new Set(endpoints(ev).map((p) => p.service.namespace))].sort();
    const inScope = (ns) => !planOptions.namespaces || planOptions.namespaces.includes(ns);
    const addBlocker = (b) => {
        const k = `${b.kind}|${b.client}|${b.server}|${b.reason}`;
        if (!blockers.has(k))
            blockers.set(k, b);
    };
    /** Try a step; keep it if no known caller gets worse. */
    const attempt = (changes) => {
        if (!changes.length)
            return undefined;
        const ev = evaluator.run(current.state.apply(changes));
        return { ev, verdict: compare(current, ev) };
    };
    const commit = (title, slug, why, changes, checks, tried) => {
        const n = steps.length + 1;
        const possible = tried.verdict.possibleBroken;
        if (possible.length) {
            const servers = [...new Set(possible.map(serverHost))].sort();
            // With observed traffic, every caller the mesh saw is a known caller (a blocker if it breaks): what remains
            // possible was not seen in the window, which is weaker evidence than a caller, and stronger than nothing.
            const window = tried.ev.graph.observedWindow;
            checks.push({
                text: window
                    ? `Possible callers the manifests do not declare would break (${possible.length}), none of them seen in the ${window} of observed traffic: make sure none of them calls less often than that (batch jobs, failover paths). Look for plaintext requests to these services over a longer window; any result is a caller that needs a sidecar first.`
                    : `Possible callers the manifests do not declare would break (${possible.length}): make sure none of them exists. Look for plaintext requests to these services over the last days; any result is a caller that needs a sidecar first.`,
                queries: prometheusQueries(servers),
                possibleVictims: [...new Set(possible.map((e) => `${(0,rule_report/* clientLabel */.QJ)(e)} → ${serverText(e)}`))].sort(),
            });
        }
        steps.push({
            n,
            title,
            slug: `${String(n).padStart(2, '0')}-${slug}`,
            why,
            changes,
            checks,
            after: tried.ev.counts,
            connections: tried.verdict.changed.sort((a, b) => `${a.client}${a.server}`.localeCompare(`${b.client}${b.server}`)),
        });
        current = tried.ev;
    };
    // 1. Istio 1.5: legacy Policies become PeerAuthentications (1.5 reads both; the conversion keeps every port's mode).
    if (hasPa && release.has('legacy-authentication-policy')) {
        const conversion = (0,convert/* convertMesh */.P9)(current.mesh, { targetVersion: release });
        const failed = conversion.notes.filter((n) => n.unconverted);
        if (conversion.legacy.length && !failed.length) {
            const changes = [];
            for (const p of conversion.policies)
                changes.push(changeOf('add', plainJson(p.value)));
            for (const l of conversion.legacy)
                changes.push(changeOf('remove', complete(l.resource, l.resource.namespace)));
            const tried = attempt(changes);
            // The conversion keeps every port's mode, so a connection it makes worse is one it cannot express: each is a
            // blocker (the Policies stay), never a step skipped in silence.
            if (tried?.verdict.worse.length)
                for (const e of tried.verdict.worse)
                    addBlocker({
                        kind: 'conversion',
                        client: (0,rule_report/* clientLabel */.QJ)(e),
                        server: serverText(e),
                        reason: `replacing the legacy Policies with PeerAuthentications would change this connection to ${e.outcome}`,
                        fix: 'convert the Policies that decide this connection by hand (mtls-lint convert shows what it can), then plan again',
                    });
            else if (tried)
                commit('Replace legacy Policies with PeerAuthentications', 'convert-policies', `Istio ${release.text} reads PeerAuthentication before the deprecated authentication.istio.io Policy, which Istio 1.6 ignores. The PeerAuthentications keep every port's mode as it is (the same conversion as mtls-lint convert), so no connection changes.`, changes, [
                    {
                        text: 'kubectl get peerauthentications.security.istio.io -A lists the new policies; istioctl x describe pod on a server shows the same mTLS mode as before.',
                    },
                ], tried);
        }
        else
            for (const n of failed)
                addBlocker({
                    kind: 'conversion',
                    client: '*',
                    server: n.resource ? `${n.resource.kind} ${n.resource.namespace ?? ''}/${n.resource.name}` : '*',
                    reason: n.message,
                    fix: 'convert it by hand (mtls-lint convert shows the rest), then plan again',
                });
    }
    // 2. With --allow-injection: callers without a sidecar that would block STRICT get one (before PERMISSIVE, so that
    //    their own servers, now with a sidecar, are made PERMISSIVE and get mTLS clients too).
    if (planOptions.allowInjection) {
        const changes = new Changes(current.state);
        const restarts = new Set();
        for (const e of current.graph.edges) {
            if (e.caller === 'possible' || e.client.standIn || e.client.sidecar !== 'none' || !e.client.workload)
                continue;
            if (!inScope(e.server.namespace) ||
                !e.connections.some((c) => c.serverWorkload?.sidecar.state === 'sidecar'))
                continue;
            const w = e.client.workload;
            injectionChange(changes, w, current.mesh, release);
            restarts.add(`kubectl rollout restart ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}`);
        }
        const list = changes.list();
        const tried = attempt(list);
        if (tried && !tried.verdict.worse.length)
            commit('Inject sidecars into the callers that send plaintext', 'inject-callers', 'A caller with a sidecar can send mTLS; until it has one, its servers cannot go STRICT. Their servers accept what they send today, and a new sidecar server accepts what its callers send (the next steps move both to mTLS).', list, [
                {
                    text: `Pods get a sidecar only when they are created: restart them (${[...restarts].sort().join('; ')}), then check that each pod lists an istio-proxy container (kubectl get pod -o jsonpath='{.spec.containers[*].name}').`,
                },
            ], tried);
    }
    // 3. Servers that accept plaintext only become PERMISSIVE: they accept mTLS and plaintext.
    {
        const changes = new Changes(current.state);
        const namespacesToAdd = new Set();
        for (const p of endpoints(current)) {
            if (!inScope(p.service.namespace))
                continue;
            const mode = p.connection.server;
            if (mode.mode !== 'DISABLE')
                continue;
            if (mode.cause)
                modeAt(changes, mode.cause, 'PERMISSIVE');
            else
                namespacesToAdd.add(p.service.namespace);
        }
        for (const ns of [...namespacesToAdd].sort())
            changes.add(namespacePolicy(hasPa, release, ns, 'PERMISSIVE'));
        const list = changes.list();
        const tried = attempt(list);
        if (tried && !tried.verdict.worse.length)
            commit(`Servers accept mTLS as well as plaintext (PERMISSIVE)`, 'permissive', hasPa
                ? 'PERMISSIVE accepts both mTLS and plaintext, so every caller that works today keeps working; it lets clients move to mTLS one by one.'
                : `Istio ${release.text} sidecars without an authentication Policy accept plaintext only; a PERMISSIVE Policy makes them accept mTLS as well, so every caller that works today keeps working.`, list, [
                {
                    text: 'Every caller still gets through: run mtls-lint on the applied state, and watch error rates on these services (istio_requests_total with response_code 503, or connection resets).',
                },
            ], tried);
    }
    // 4. Clients with a sidecar that send plaintext to a sidecar server send mTLS. Asked again after the namespaces go
    //    STRICT: under auto mTLS a namespace or mesh policy DISABLE makes every sidecar client send plaintext, so
    //    removing a DestinationRule's DISABLE moves nothing before STRICT, and only then would it.
    const clientsSendMtls = () => {
        const changes = new Changes(current.state);
        const servers = new Set();
        const autoMtls = current.mesh.settings.autoMtls;
        // Service ports whose target port on a sidecar workload bypasses the sidecar (excludeInboundPorts): mTLS there
        // reaches the application, which cannot read it. Clients must send plaintext to them (tls DISABLE at the port).
        const bypassed = new Map();
        for (const e of current.graph.edges)
            for (const c of e.connections)
                if (e.server.serviceRef &&
                    c.server.mode === 'NO_SIDECAR' &&
                    c.serverWorkload?.sidecar.state === 'sidecar')
                    bypassed.set(e.server.serviceRef, (bypassed.get(e.server.serviceRef) ?? new Set()).add(e.server.port));
        let disabled = false;
        let toMtls = false;
        /** The services each existing DestinationRule is changed for. */
        const viaCause = new Map();
        for (const e of current.graph.edges) {
            if (e.client.sidecar !== 'sidecar' || e.server.standIn || !e.server.serviceRef)
                continue;
            if (!inScope(e.server.namespace))
                continue;
            // A known caller with a sidecar that already fails on a bypassed port: plaintext there fixes it.
            if (e.caller !== 'possible' &&
                bypassed.get(e.server.serviceRef)?.has(e.server.port) &&
                e.connections.some((c) => c.result.outcome === 'broken' && c.result.clientTls !== 'plaintext')) {
                disableAtPorts(changes, e.server.serviceRef, [e.server.port]);
                disabled = true;
            }
            for (const c of e.connections) {
                if (c.result.clientTls !== 'plaintext' || c.serverWorkload?.sidecar.state !== 'sidecar')
                    continue;
                if (c.server.mode !== 'PERMISSIVE' && c.server.mode !== 'STRICT')
                    continue;
                // Auto mTLS decides per endpoint: plaintext there means an endpoint without a sidecar, not a setting to fix.
                if (c.client.mode === 'AUTO')
                    continue;
                clientMtlsAt(changes, c.client.cause, e.server.serviceRef, autoMtls);
                toMtls = true;
                if (c.client.cause) {
                    const k = keyOfResource(c.client.cause.resource);
                    viaCause.set(k, (viaCause.get(k) ?? new Set()).add(e.server.serviceRef));
                }
                // The plan's own DestinationRule for the host keeps the bypassed ports plaintext.
                const ports = bypassed.get(e.server.serviceRef);
                if (!c.client.cause && ports)
                    disableAtPorts(changes, e.server.serviceRef, [...ports]);
                servers.add(serverHost(e));
            }
        }
        const list = changes.list();
        let tried = attempt(list);
        let kept = list;
        if (tried && tried.verdict.worse.length) {
            // One change at a time: keep those that are safe, report the others.
            kept = [];
            for (const change of list) {
                const one = evaluator.run(current.state.apply([...kept, change]));
                const verdict = compare(current, one);
                if (verdict.worse.length) {
                    // A DestinationRule that covers hosts which need plaintext (a wildcard over servers without a sidecar)
                    // stays; a DestinationRule per host that needs mTLS, next to it, is more specific and wins for that host.
                    const alternative = hostRules(current.state, change, viaCause.get(keyOf(change.apiVersion, change.kind, change.namespace, change.name)), autoMtls);
                    if (alternative.length) {
                        const alt = evaluator.run(current.state.apply([...kept, ...alternative]));
                        if (!compare(current, alt).worse.length && improves(current, alt)) {
                            kept.push(...alternative);
                            continue;
                        }
                    }
                    for (const e of verdict.worse)
                        addBlocker({
                            kind: 'client-destination-rule',
                            client: (0,rule_report/* clientLabel */.QJ)(e),
                            server: serverText(e),
                            reason: `changing ${change.kind} ${change.namespace ?? ''}/${change.name} to send mTLS would leave ${(0,rule_report/* clientLabel */.QJ)(e)} → ${serverText(e)} ${e.outcome} (${explanationOf(e)})`,
                            fix: `give the hosts that need plaintext their own DestinationRule (host or subset) and send ISTIO_MUTUAL to the others, then plan again`,
                        });
                }
                else
                    kept.push(change);
            }
            tried = attempt(kept);
        }
        // A change that moves no connection to mTLS (a headless service with an endpoint without a sidecar stays
        // plaintext under auto mTLS) is not a step.
        if (tried && !tried.verdict.worse.length && improves(current, tried.ev))
            commit(toMtls
                ? 'Clients with a sidecar send mTLS'
                : 'Clients with a sidecar send plaintext to ports that bypass the server sidecar', toMtls ? 'clients-send-mtls' : 'clients-disable-bypassed-ports', (!toMtls
                ? 'These ports of servers with a sidecar bypass it (excludeInboundPorts): the application answers them and cannot read the mTLS that clients with a sidecar send, so those calls fail today.'
                : autoMtls
                    ? 'These DestinationRules pin plaintext (tls mode DISABLE) toward servers with a sidecar; without it, auto mTLS sends mTLS to every endpoint with a sidecar and plaintext to the others. The servers accept mTLS (PERMISSIVE or STRICT), so nothing breaks.'
                    : `Without auto mTLS, a client sidecar sends what its DestinationRule says (plaintext without one). ISTIO_MUTUAL for these hosts makes clients with a sidecar send mTLS; the servers are already PERMISSIVE, and callers without a sidecar are not affected.`) +
                (toMtls &&
                    (disabled || kept.some((c) => JSON.stringify(c.manifest).includes('"portLevelSettings"')))
                    ? ' Ports that bypass the server sidecar (excludeInboundPorts) get tls DISABLE: the application there reads plaintext only.'
                    : ''), kept, toMtls
                ? [
                    {
                        text: 'Requests to these services now report mTLS: connection_security_policy="mutual_tls" in istio_requests_total from every caller with a sidecar. Plaintext requests left are from callers without one:',
                        queries: prometheusQueries([...servers].sort()),
                    },
                ]
                : [
                    {
                        text: 'Calls from clients with a sidecar to these ports succeed now: no 503 (upstream connect error or disconnect/reset) in their logs or in istio_requests_total{reporter="source", response_code="503"}.',
                    },
                ], tried);
    };
    clientsSendMtls();
    // 5. STRICT, namespace by namespace, with the narrowest exceptions that keep known callers working.
    const strictNamespaces = [];
    for (const ns of serverNamespaces(current)) {
        if (!inScope(ns) || ns === root)
            continue;
        const done = strictNamespace(ns);
        if (done)
            strictNamespaces.push(ns);
    }
    clientsSendMtls();
    function strictNamespace(ns) {
        const eps = endpoints(current).filter((p) => p.service.namespace === ns);
        if (eps.every((p) => p.connection.server.mode === 'STRICT'))
            return true;
        const changes = new Changes(current.state);
        const nsPolicies = namespaceWidePolicies(current, ns, hasPa);
        if (nsPolicies.length)
            for (const r of nsPolicies)
                changes.put(withMode(complete(r, ns), 'STRICT'));
        else
            changes.add(namespacePolicy(hasPa, release, ns, 'STRICT'));
        // Workload- and port-level PERMISSIVE/DISABLE would override it: they go STRICT too.
        for (const p of eps) {
            const m = p.connection.server;
            if (m.mode === 'STRICT' || !m.cause)
                continue;
            if (m.level === 'workload' ||
                m.level === 'port' ||
                m.level === 'legacy-service' ||
                m.level === 'legacy-port')
                modeAt(changes, m.cause, 'STRICT');
        }
        let tried = attempt(changes.list());
        if (!tried)
            return false;
        const because = new Map();
        const blocked = (t) => {
            const list = [];
            for (const e of t.verdict.worse)
                for (const c of e.connections) {
                    if (c.result.outcome !== 'broken' || !c.serverWorkload || !e.server.serviceRef)
                        continue;
                    list.push({
                        service: e.server.serviceRef,
                        port: e.server.port,
                        workload: c.serverWorkload,
                        targetPort: c.targetPort,
                        connection: c,
                    });
                    const k = `${c.serverWorkload.resource.id}|${c.targetPort}`;
                    const phrase = `${(0,rule_report/* clientLabel */.QJ)(e)} → ${serverText(e)}`;
                    because.set(k, [...new Set([...(because.get(k) ?? []), phrase])]);
                    blockerFor(e, c);
                }
            return list;
        };
        let level = 'port';
        let exceptionObjects = new Map();
        for (const attemptLevel of ['port', 'workload']) {
            if (!tried.verdict.worse.length)
                break;
            const b = blocked(tried);
            if (!b.length)
                break;
            level = attemptLevel;
            const withExceptions = new Changes(current.state, changes);
            exceptionObjects = new Map();
            for (const p of dedupeEndpoints(b, attemptLevel)) {
                const policy = exceptionPolicy(withExceptions, p, attemptLevel, hasPa, release);
                exceptionObjects.set(`${p.workload.resource.id}|${attemptLevel === 'port' ? p.targetPort : ''}`, {
                    workload: p.workload,
                    ...(attemptLevel === 'port' && p.targetPort !== undefined ? { port: p.targetPort } : {}),
                    policy,
                });
            }
            tried = attempt(withExceptions.list());
            if (!tried.verdict.worse.length) {
                changes.adopt(withExceptions);
                break;
            }
        }
        if (tried.verdict.worse.length) {
            for (const e of tried.verdict.worse)
                addBlocker({
                    kind: 'other',
                    client: (0,rule_report/* clientLabel */.QJ)(e),
                    server: serverText(e),
                    reason: `namespace ${ns} cannot go STRICT: ${(0,rule_report/* clientLabel */.QJ)(e)} → ${serverText(e)} would be ${e.outcome} (${explanationOf(e)}) even with a PERMISSIVE exception`,
                    fix: 'fix the connection (see mtls-lint on the inputs), then plan again',
                });
            return false;
        }
        for (const x of exceptionObjects.values()) {
            const id = x.workload.resource.id;
            const reasons = [...because]
                .filter(([k]) => (x.port !== undefined ? k === `${id}|${x.port}` : k.startsWith(`${id}|`)))
                .flatMap(([, v]) => v);
            const ex = {
                namespace: x.workload.namespace,
                workload: x.workload.name,
                level,
                policy: { kind: x.policy.kind, namespace: x.policy.namespace ?? ns, name: x.policy.name },
                because: [...new Set(reasons)].sort(),
            };
            if (x.port !== undefined)
                ex.port = x.port;
            exceptions.push(ex);
        }
        const hosts = [...new Set(eps.map((p) => `${p.service.name}.${ns}.svc.cluster.local`))].sort();
        const checks = [
            {
                text: `No plaintext requests to the services of ${ns} over the last days (any result is a caller without a sidecar that STRICT would cut off, with a connection reset):`,
                queries: prometheusQueries(hosts),
            },
        ];
        const excepted = [...exceptionObjects.values()];
        commit(`STRICT in namespace ${ns}${excepted.length ? ` (${excepted.length} exception${excepted.length === 1 ? '' : 's'})` : ''}`, `strict-${ns}`, `Every declared and inferred caller of ${ns} sends mTLS now${excepted.length ? `, except on the ${level === 'port' ? 'ports' : 'workloads'} kept PERMISSIVE below (their callers cannot send mTLS yet; see blockers)` : ''}, so STRICT refuses only plaintext nobody known sends.`, changes.list(), checks, tried);
        return true;
    }
    function blockerFor(e, c) {
        const client = (0,rule_report/* clientLabel */.QJ)(e);
        const server = serverText(e);
        if (c.server.mode === 'NO_SIDECAR' && c.serverWorkload?.sidecar.state === 'sidecar') {
            const w = c.serverWorkload;
            addBlocker({
                kind: 'server-port',
                client,
                server,
                // The engine's explanation names the port, the workload and the annotation that excludes it.
                reason: `${c.server.explanation}: no mTLS policy can make this port STRICT, so plaintext stays possible there${c.result.outcome === 'broken' ? `, and ${client} fails (${c.result.explanation})` : ''}`,
                fix: c.server.cause?.resource.kind === 'Service'
                    ? 'declare the port in the Service (this Istio release enforces no policy on ports no Service declares), then plan again'
                    : c.server.cause?.resource.kind === 'Sidecar'
                        ? `add port ${c.targetPort ?? e.server.port} to the ingress listeners of Sidecar ${c.server.cause.resource.namespace}/${c.server.cause.resource.name} (this Istio release enforces no policy on the ports they leave out), then plan again`
                        : c.server.cause?.path.at(-1) === 'containers'
                            ? `let the sidecar capture port ${c.targetPort ?? e.server.port} of ${w.kind} ${w.namespace}/${w.name} (${w.resource.file}): declare it as a containerPort (or list it in traffic.sidecar.istio.io/includeInboundPorts) in the pod template, restart the pods, then plan again`
                            : `let the sidecar capture port ${c.targetPort ?? e.server.port} of ${w.kind} ${w.namespace}/${w.name} (${w.resource.file}): remove it from traffic.sidecar.istio.io/excludeInboundPorts (or add it to includeInboundPorts) in the pod template, restart the pods, then plan again; until then clients with a sidecar must send plaintext to it (DestinationRule portLevelSettings tls DISABLE, which the plan adds where they do not)`,
            });
            return;
        }
        const standIn = STAND_IN_BLOCKERS[e.client.kind] ?? (isScrape(e) ? STAND_IN_BLOCKERS.Scraper : undefined);
        if (standIn) {
            // The evidence says which object makes this caller (the Ingress, the Service type, the probe, the scrape).
            const where = evidenceText(e);
            const why = c.client.cause && e.client.sidecar === 'sidecar'
                ? `: ${c.client.cause.description} makes it send ${c.result.clientTls}`
                : '';
            addBlocker({
                kind: standIn.kind,
                client,
                server,
                reason: `${standIn.reason}${why}${where ? ` (${where})` : ''}`,
                fix: standIn.kind === 'kubelet'
                    ? kubeletFix(e, current.mesh.settings.release)
                    : standIn.kind === 'scraper' && !current.mesh.settings.release.has('prometheus-merge-by-default')
                        ? `scrape with Istio's certificates (scheme https, and a tlsConfig with the Istio certificates Prometheus mounts, in its scrape config or ServiceMonitor); Istio ${current.mesh.settings.release.text} does not merge application metrics into the agent (from 1.7 it does, on port 15020, which STRICT does not cover)`
                        : standIn.kind === 'gateway' && c.client.cause
                            ? `send ISTIO_MUTUAL (or, with auto mTLS, no tls) for ${server} in ${c.client.cause.resource.kind} ${c.client.cause.resource.namespace ?? ''}/${c.client.cause.resource.name} (${c.client.cause.resource.file}), once the hosts it covers all have sidecars; the gateway then sends Istio mTLS like any sidecar`
                            : standIn.fix,
            });
            return;
        }
        if (e.client.sidecar === 'none' && e.client.workload) {
            const w = e.client.workload;
            const nsInfo = current.mesh.namespaces.get(w.namespace);
            const label = current.mesh.settings.release.has('injection-object-selectors')
                ? `the pod template label sidecar.istio.io/inject: "true"`
                : `the pod template annotation sidecar.istio.io/inject: "true"`;
            addBlocker({
                kind: 'uninjected-caller',
                client,
                server,
                reason: `${client} has no sidecar (${w.sidecar.reason}), so it sends plaintext, which STRICT refuses (connection reset)`,
                fix: `inject it: label namespace ${w.namespace} istio-injection=enabled${nsInfo?.resource ? ` (${nsInfo.resource.file})` : ''} or set ${label} on ${w.kind} ${w.namespace}/${w.name} (${w.resource.file}); the pods must restart to get the sidecar (kubectl rollout restart ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}). mtls-lint plan --allow-injection adds this step.`,
            });
            return;
        }
        if (e.client.sidecar === 'sidecar' && c.client.cause) {
            addBlocker({
                kind: 'client-destination-rule',
                client,
                server,
                reason: `${c.client.cause.description} makes ${client} send ${c.result.clientTls}`,
                fix: `send ISTIO_MUTUAL (or, with auto mTLS, no tls) for ${server} in ${c.client.cause.resource.kind} ${c.client.cause.resource.namespace ?? ''}/${c.client.cause.resource.name} once the hosts it covers all have sidecars`,
            });
            return;
        }
        if (e.client.sidecar === 'sidecar' && c.result.clientTls === 'plaintext') {
            addBlocker({
                kind: 'server-port',
                client,
                server,
                reason: `${client} has a sidecar but sends plaintext to this port (${c.result.explanation})`,
                fix: 'let the traffic go through the sidecar on both ends (no excludeInboundPorts/excludeOutboundPorts for this port), then plan again',
            });
            return;
        }
        addBlocker({
            kind: 'other',
            client,
            server,
            reason: c.result.explanation,
            fix: 'see mtls-lint graph for this connection',
        });
    }
    // 6. Mesh-wide STRICT in the root namespace, once every namespace is STRICT without a namespace exception; the
    //    namespace policies that only said STRICT are then redundant.
    if (hasPa &&
        !planOptions.namespaces &&
        strictNamespaces.length &&
        steps.some((s) => s.slug.includes('strict-'))) {
        const all = serverNamespaces(current).filter((ns) => ns !== root);
        const everyStrict = all.every((ns) => strictNamespaces.includes(ns));
        const meshLevel = [...current.state.objects.values()].filter((o) => isPa(o.value) && namespaceOf(o) === root && !o.value.spec?.selector);
        const alreadyStrict = meshLevel.some((o) => modeOf(o.value) === 'STRICT');
        if (everyStrict && !alreadyStrict) {
            const changes = new Changes(current.state);
            if (meshLevel.length)
                for (const o of meshLevel)
                    changes.put(setMode(complete(o, root), 'STRICT'));
            else
                changes.add(namespacePolicy(true, release, root, 'STRICT'));
            for (const ns of all)
                for (const o of [...current.state.objects.values()])
                    if (isPa(o.value) &&
                        namespaceOf(o) === ns &&
                        !o.value.spec?.selector &&
                        modeOf(o.value) === 'STRICT')
                        changes.remove(complete(o, ns));
            const tried = attempt(changes.list());
            if (tried && !tried.verdict.worse.length)
                commit(`STRICT mesh-wide (root namespace ${root})`, 'strict-mesh', `Every namespace is STRICT without a namespace-wide exception, so one PeerAuthentication in the root namespace ${root} says the same; the namespace-wide ones that only said STRICT are redundant and go. Workload- and port-level exceptions stay: they override the mesh level. New namespaces start STRICT.`, changes.list(), [
                    {
                        text: `Namespaces the inputs do not show become STRICT too: check that nothing outside these manifests calls a sidecar server in plaintext (mesh-wide):`,
                        queries: prometheusQueries([]),
                    },
                ], tried);
        }
    }
    // 7. Istio 1.6+: legacy Policies and MeshPolicies are ignored; remove them so nobody reads them as in force.
    if (hasPa && !release.has('legacy-authentication-policy')) {
        const legacy = [...current.state.objects.values()].filter((o) => {
            const g = (0,resource/* apiGroupVersion */._7)(String(o.value.apiVersion)).group;
            return g === 'authentication.istio.io' && (o.value.kind === 'Policy' || o.value.kind === 'MeshPolicy');
        });
        const changes = legacy.map((o) => changeOf('remove', complete(o, o.value.kind === 'Policy' ? namespaceOf(o) : undefined)));
        const tried = attempt(changes);
        if (tried && !tried.verdict.worse.length)
            commit('Remove the legacy Policies Istio no longer reads', 'remove-legacy-policies', `Istio ${release.text} ignores authentication.istio.io Policy and MeshPolicy; the PeerAuthentications decide. Removing them changes no connection and stops anyone reading them as in force.`, changes, [{ text: 'No connection changes: mtls-lint graph shows the same outcomes as before this step.' }], tried);
    }
    // Ports of sidecar workloads that bypass the sidecar: STRICT never covers them, whatever the plan does.
    for (const e of current.graph.edges) {
        if (e.caller === 'possible' || !inScope(e.server.namespace))
            continue;
        for (const c of e.connections)
            if (c.server.mode === 'NO_SIDECAR' && c.serverWorkload?.sidecar.state === 'sidecar')
                blockerFor(e, c);
    }
    // Known connections broken after the plan (broken in the inputs already: the plan never makes one) block STRICT too.
    for (const e of current.graph.edges) {
        if (e.caller === 'possible' || e.outcome !== 'broken')
            continue;
        for (const c of e.connections)
            if (c.result.outcome === 'broken')
                blockerFor(e, c);
    }
    return {
        version: 1,
        istioVersion: release.text,
        before,
        steps,
        blockers: [...blockers.values()].sort((a, b) => `${a.server}|${a.client}|${a.kind}`.localeCompare(`${b.server}|${b.client}|${b.kind}`)),
        exceptions,
    };
}
// ---------------------------------------------------------------------------------------------------------------
// Changes within one step
/** The objects one step adds, modifies or removes, keyed by identity (later edits of one object merge). */
class Changes {
    state;
    byKey = new Map();
    constructor(state, from) {
        this.state = state;
        if (from)
            for (const [k, v] of from.byKey)
                this.byKey.set(k, { action: v.action, value: structuredClone(v.value) });
    }
    /** The object as this step has it so far (a copy to edit), or as the state has it. */
    current(key) {
        const mine = this.byKey.get(key);
        if (mine)
            return mine.action === 'remove' ? undefined : structuredClone(mine.value);
        const o = this.state.get(key);
        return o ? complete(o, namespaceOf(o)) : undefined;
    }
    put(value) {
        const key = objKey(value, undefined);
        const exists = this.state.get(key) !== undefined;
        this.byKey.set(key, { action: exists ? 'modify' : 'add', value });
    }
    add(value) {
        this.put(value);
    }
    remove(value) {
        this.byKey.set(objKey(value, undefined), { action: 'remove', value });
    }
    adopt(other) {
        this.byKey.clear();
        for (const [k, v] of other.byKey)
            this.byKey.set(k, v);
    }
    list() {
        return [...this.byKey.values()].map((v) => changeOf(v.action, v.value));
    }
}
function namespaceOf(o) {
    if (o.resource)
        return o.resource.namespace;
    return (o.value.metadata ?? {}).namespace;
}
function isPa(v) {
    return (v.kind === 'PeerAuthentication' && (0,resource/* apiGroupVersion */._7)(String(v.apiVersion)).group === 'security.istio.io');
}
function modeOf(v) {
    return v.spec?.mtls?.mode;
}
function setMode(v, mode) {
    setPath(v, ['spec', 'mtls', 'mode'], mode);
    return v;
}
/** A legacy Policy or a PeerAuthentication set to one mode. */
function withMode(v, mode) {
    if (isPa(v))
        return setMode(v, mode);
    setPath(v, ['spec', 'peers'], [{ mtls: { mode } }]);
    return v;
}
function peerAuthenticationApiVersion(release) {
    return release.has('peer-authentication-v1') ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
}
/** The namespace-wide policy of the release's API: PeerAuthentication `default`, or a legacy Policy `default`. */
function namespacePolicy(hasPa, release, ns, mode) {
    return hasPa
        ? {
            apiVersion: peerAuthenticationApiVersion(release),
            kind: 'PeerAuthentication',
            metadata: { name: 'default', namespace: ns },
            spec: { mtls: { mode } },
        }
        : {
            apiVersion: 'authentication.istio.io/v1alpha1',
            kind: 'Policy',
            metadata: { name: 'default', namespace: ns },
            spec: { peers: [{ mtls: { mode } }] },
        };
}
function namespaceWidePolicies(ev, ns, hasPa) {
    return [...ev.state.objects.values()].filter((o) => {
        if (namespaceOf(o) !== ns)
            return false;
        const spec = (o.value.spec ?? {});
        if (hasPa)
            return isPa(o.value) && !spec.selector;
        return (o.value.kind === 'Policy' &&
            (0,resource/* apiGroupVersion */._7)(String(o.value.apiVersion)).group === 'authentication.istio.io' &&
            !(Array.isArray(spec.targets) && spec.targets.length));
    });
}
function keyOfResource(r) {
    return keyOf(r.apiVersion, r.kind, r.namespace, r.name);
}
function modeAt(changes, cause, mode) {
    const key = keyOfResource(cause.resource);
    const v = changes.current(key);
    if (!v)
        return;
    if (isPa(v)) {
        const path = cause.path;
        if (path[path.length - 1] === 'mode')
            setPath(v, path, mode);
        else
            setMode(v, mode);
    }
    else if (cause.resource.kind === 'Policy' || cause.resource.kind === 'MeshPolicy') {
        setPath(v, ['spec', 'peers'], [{ mtls: { mode } }]);
    }
    else
        return;
    changes.put(v);
}
/** The DestinationRule setting that makes a client send plaintext sends mTLS (or, with auto mTLS, goes). */
function clientMtlsAt(changes, cause, service, autoMtls) {
    if (!cause) {
        // No DestinationRule, auto mTLS off: one for the host, in the service's namespace (found from every namespace).
        const v = planDestinationRule(changes, service);
        setPath(v, ['spec', 'trafficPolicy', 'tls', 'mode'], 'ISTIO_MUTUAL');
        changes.put(v);
        return;
    }
    const v = changes.current(keyOfResource(cause.resource));
    if (!v)
        return;
    const path = [...cause.path];
    const last = path[path.length - 1];
    if (last === 'mode' || last === 'credentialName') {
        // A tls field decided (its mode, or a credentialName sidecars skip, which leaves them plaintext): the tls object
        // goes (auto mTLS), or says ISTIO_MUTUAL, which reads no credentialName.
        const tls = path.slice(0, -1);
        if (autoMtls)
            setPath(v, tls, undefined);
        else {
            setPath(v, [...tls, 'mode'], 'ISTIO_MUTUAL');
            setPath(v, [...tls, 'credentialName'], undefined);
        }
    }
    else if (path.length === 2 && path[1] === 'host') {
        setPath(v, ['spec', 'trafficPolicy', 'tls', 'mode'], 'ISTIO_MUTUAL');
    }
    else
        setPath(v, [...path, 'tls', 'mode'], 'ISTIO_MUTUAL');
    changes.put(v);
}
/**
 * Instead of changing a DestinationRule that also covers hosts needing plaintext: one per service that needs mTLS,
 * in the same namespace (and export) so that Istio picks it as the more specific host. None if a name is taken.
 */
function hostRules(state, change, services, autoMtls) {
    if (!services?.size || change.kind !== 'DestinationRule' || change.namespace === undefined)
        return [];
    const spec = (change.manifest.spec ?? {});
    const out = [];
    for (const svc of [...services].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))) {
        const host = `${svc.name}.${svc.namespace}.svc.cluster.local`;
        if (spec.host === host)
            return [];
        const name = `${svc.name}${svc.namespace === change.namespace ? '' : `-${svc.namespace}`}-mtls`;
        if (state.get(keyOf(change.apiVersion, 'DestinationRule', change.namespace, name)))
            return [];
        out.push(changeOf('add', {
            apiVersion: change.apiVersion,
            kind: 'DestinationRule',
            metadata: { name, namespace: change.namespace },
            spec: {
                host,
                ...(autoMtls ? {} : { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
                ...(spec.exportTo !== undefined ? { exportTo: structuredClone(spec.exportTo) } : {}),
            },
        }));
    }
    return out;
}
/** The plan's DestinationRule for a service's host (as this step has it so far, or new). */
function planDestinationRule(changes, service) {
    const name = `${service.name}-mtls`;
    return (changes.current(keyOf('networking.istio.io/v1alpha3', 'DestinationRule', service.namespace, name)) ?? {
        apiVersion: 'networking.istio.io/v1alpha3',
        kind: 'DestinationRule',
        metadata: { name, namespace: service.namespace },
        spec: { host: `${service.name}.${service.namespace}.svc.cluster.local` },
    });
}
/** tls DISABLE for these service ports in the plan's DestinationRule for the host. */
function disableAtPorts(changes, service, ports) {
    const v = planDestinationRule(changes, service);
    const settings = ((v.spec.trafficPolicy ??= {}).portLevelSettings ??= []);
    for (const port of [...ports].sort((a, b) => a - b))
        if (!settings.some((x) => x.port?.number === port))
            settings.push({ port: { number: port }, tls: { mode: 'DISABLE' } });
    changes.put(v);
}
function injectionChange(changes, w, mesh, release) {
    const ns = mesh.namespaces.get(w.namespace);
    if (ns?.resource) {
        const v = changes.current(keyOfResource(ns.resource));
        if (v) {
            setPath(v, ['metadata', 'labels', 'istio-injection'], 'enabled');
            changes.put(v);
            return;
        }
    }
    const v = changes.current(keyOfResource(w.resource));
    if (!v)
        return;
    const field = release.has('injection-object-selectors') ? 'labels' : 'annotations';
    setPath(v, [...w.podPath, 'metadata', field, 'sidecar.istio.io/inject'], 'true');
    changes.put(v);
}
function dedupeEndpoints(list, level) {
    const seen = new Map();
    for (const p of list) {
        const k = `${p.workload.resource.id}|${level === 'port' ? p.targetPort : ''}`;
        if (!seen.has(k))
            seen.set(k, p);
    }
    return [...seen.values()].sort((a, b) => `${a.workload.resource.id}|${a.targetPort}`.localeCompare(`${b.workload.resource.id}|${b.targetPort}`));
}
/** A PERMISSIVE exception for one server port (or workload): in its own policy, or in the one that selects it. */
function exceptionPolicy(changes, p, level, hasPa, release) {
    const ns = p.workload.namespace;
    if (hasPa) {
        // An existing workload-level PeerAuthentication that selects the workload takes the exception.
        const cause = p.connection.server.cause;
        let v;
        if (cause && isPa(cause.resource.value) && cause.resource.value.spec?.selector)
            v = changes.current(keyOfResource(cause.resource));
        const selector = p.service.selector ?? p.workload.labels;
        v ??= changes.current(keyOf(peerAuthenticationApiVersion(release), 'PeerAuthentication', ns, `${p.service.name}-permissive`)) ?? {
            apiVersion: peerAuthenticationApiVersion(release),
            kind: 'PeerAuthentication',
            metadata: { name: `${p.service.name}-permissive`, namespace: ns },
            spec: { selector: { matchLabels: { ...selector } } },
        };
        if (level === 'port' && p.targetPort !== undefined) {
            setPath(v, ['spec', 'portLevelMtls', String(p.targetPort)], { mode: 'PERMISSIVE' });
        }
        else {
            setMode(v, 'PERMISSIVE');
            setPath(v, ['spec', 'portLevelMtls'], undefined);
        }
        changes.put(v);
        return changeOf('add', v);
    }
    // Istio ≤ 1.4: a Policy targeting the service (and, at port level, the service port).
    const name = `${p.service.name}-permissive`;
    const v = changes.current(keyOf('authentication.istio.io/v1alpha1', 'Policy', ns, name)) ?? {
        apiVersion: 'authentication.istio.io/v1alpha1',
        kind: 'Policy',
        metadata: { name, namespace: ns },
        spec: { targets: [{ name: p.service.name }], peers: [{ mtls: { mode: 'PERMISSIVE' } }] },
    };
    const target = v.spec.targets[0];
    if (level === 'port') {
        const ports = target.ports ?? [];
        if (!ports.some((x) => x.number === p.port))
            ports.push({ number: p.port });
        target.ports = ports;
    }
    else
        delete target.ports;
    changes.put(v);
    return changeOf('add', v);
}
/** Every server port with a sidecar endpoint, as the graph sees it (its exclusions apply). */
function endpoints(ev) {
    const out = new Map();
    for (const e of ev.graph.edges) {
        if (e.server.standIn || !e.server.serviceRef)
            continue;
        for (const c of e.connections) {
            if (!c.serverWorkload || c.serverWorkload.sidecar.state !== 'sidecar')
                continue;
            const k = `${e.server.namespace}/${e.server.service}:${e.server.port}|${c.serverWorkload.resource.id}`;
            if (!out.has(k))
                out.set(k, {
                    service: e.server.serviceRef,
                    port: e.server.port,
                    workload: c.serverWorkload,
                    targetPort: c.targetPort,
                    connection: c,
                });
        }
    }
    return [...out.values()];
}
/** A Prometheus scrape (ServiceMonitor, PodMonitor, prometheus.io annotations), by a stand-in or a real Prometheus. */
function isScrape(e) {
    const r = e.evidence.resource;
    return (e.client.sidecar === 'none' &&
        ((r?.group === 'monitoring.coreos.com' && (r.kind === 'ServiceMonitor' || r.kind === 'PodMonitor')) ||
            e.evidence.path?.includes('prometheus.io/port') === true));
}
/** "Ingress foo/web spec.rules…: …, at file:line": where the inputs make this caller. */
function evidenceText(e) {
    const r = e.evidence.resource;
    if (!r)
        return e.evidence.description;
    const line = r.span(e.evidence.path ?? []).line;
    return `${e.evidence.description}; ${r.file}:${line}`;
}
function kubeletFix(e, release) {
    // The probe's evidence is the workload that declares it.
    const w = e.evidence.resource;
    const on = w ? `${w.kind} ${w.namespace ?? ''}/${w.name} (${w.file})` : 'the server';
    const byDefault = release.has('probe-rewrite-by-default');
    return `enable probe rewriting on ${on}: ${byDefault ? `Istio ${release.text} rewrites httpGet probes unless told not to, so remove sidecar.istio.io/rewriteAppHTTPProbers: "false" from the pod template (or values.sidecarInjectorWebhook.rewriteAppHTTPProbe: false from the install)` : `set the pod template annotation sidecar.istio.io/rewriteAppHTTPProbers: "true" (Istio ${release.text} does not rewrite probes by default)`}${release.has('grpc-probe-rewrite') ? '' : '; grpc probes are rewritten only from Istio 1.13: use httpGet or exec'}; restart the pods; or move the probe to a port that is not STRICT`;
}
/**
 * A host as an RE2 pattern inside a PromQL string: a stand-in's "*" is one DNS label, and regex characters are
 * escaped with a doubled backslash (the string literal takes one).
 */
function hostPattern(host) {
    return host
        .split('*')
        .map((part) => part.replace(/[.+?^$()[\]{}|\\]/g, (c) => `\\\\${c}`))
        .join('[^.]+');
}
function serverHost(e) {
    return `${e.server.service}.${e.server.namespace}.svc.cluster.local`;
}
function explanationOf(e) {
    const worst = e.connections.find((c) => c.result.outcome === e.outcome) ?? e.connections[0];
    return worst?.result.explanation ?? e.outcome;
}
/** Plaintext requests (HTTP) and connections (TCP) to these hosts over the last week, by caller. */
function prometheusQueries(hosts) {
    const selector = hosts.length
        ? `destination_service=~"${hosts.map(hostPattern).join('|')}"`
        : 'destination_service=~".+"';
    return [
        `sum by (source_workload_namespace, source_workload, destination_service) (increase(istio_requests_total{reporter="destination", connection_security_policy="none", ${selector}}[7d]))`,
        `sum by (source_workload_namespace, source_workload, destination_service) (increase(istio_tcp_connections_opened_total{reporter="destination", connection_security_policy="none", ${selector}}[7d]))`,
    ];
}

// EXTERNAL MODULE: ./src/escape.ts
var src_escape = __webpack_require__(2988);
// EXTERNAL MODULE: ./src/load/yaml-writer.ts
var yaml_writer = __webpack_require__(9769);
// EXTERNAL MODULE: ./src/report/markdown.ts
var markdown = __webpack_require__(4285);
;// CONCATENATED MODULE: ./src/plan/render.ts
// A plan's outputs: stylish (numbered steps, short), json (the contract in docs/plan.md), markdown (for a PR or an
// issue, a Mermaid graph per step of the connections that change), and the files of --out-dir.



const PLAN_FORMATS = ['stylish', 'json', 'markdown'];
/** The plan's objects as YAML kubectl reads as meant (one writer for the project: src/load/yaml-writer.ts). */
function toYaml(value) {
    return (0,yaml_writer/* stringifyForKubernetesFile */.P)(value);
}
function countsText(c) {
    return `${c.mtls} mtls, ${c.plaintext} plaintext, ${c.broken} broken${c.tls ? `, ${c.tls} tls` : ''}`;
}
function changeName(c) {
    return c.namespace === undefined ? `${c.kind} ${c.name}` : `${c.kind} ${c.namespace}/${c.name}`;
}
function formatPlan(plan, format) {
    if (format === 'json')
        return formatJson(plan);
    if (format === 'markdown')
        return formatMarkdownPlan(plan);
    return formatStylishPlan(plan);
}
function formatJson(plan) {
    const out = {
        version: 1,
        istioVersion: plan.istioVersion,
        before: plan.before,
        steps: plan.steps.map((s) => ({
            n: s.n,
            title: s.title,
            why: s.why,
            changes: s.changes.map((c) => ({
                action: c.action,
                kind: c.kind,
                apiVersion: c.apiVersion,
                ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
                name: c.name,
                manifest: c.manifest,
            })),
            checks: s.checks,
            after: s.after,
            connections: s.connections,
        })),
        blockers: plan.blockers,
        exceptions: plan.exceptions,
    };
    return (0,src_escape/* defuseJson */.fh)(JSON.stringify(out, null, 2)) + '\n';
}
function formatStylishPlan(plan) {
    const out = [];
    if (!plan.steps.length) {
        out.push(plan.blockers.length
            ? `Nothing can move to STRICT safely yet (Istio ${plan.istioVersion}; now ${countsText(plan.before)}).`
            : `Nothing to do: no step changes anything in scope (servers with a sidecar are STRICT, or there are none; Istio ${plan.istioVersion}; ${countsText(plan.before)}).`);
    }
    else {
        out.push(`Plan to STRICT for Istio ${plan.istioVersion}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} (now ${countsText(plan.before)})`);
    }
    for (const s of plan.steps) {
        out.push('', `${s.n}. ${(0,src_escape/* oneLine */.TN)(s.title)}`);
        out.push(`   why:     ${(0,src_escape/* oneLine */.TN)(s.why)}`);
        for (const c of s.changes)
            out.push(`   ${c.action.padEnd(7)}  ${(0,src_escape/* quoteName */.AB)(changeName(c))}`);
        for (const c of s.checks) {
            out.push(`   check:   ${(0,src_escape/* oneLine */.TN)(c.text)}`);
            for (const q of c.queries ?? [])
                out.push(`            ${(0,src_escape/* oneLine */.TN)(q)}`);
        }
        out.push(`   after:   ${countsText(s.after)}`);
    }
    if (plan.exceptions.length) {
        out.push('', `Exceptions kept PERMISSIVE (${plan.exceptions.length}):`);
        for (const x of plan.exceptions)
            out.push(`  ${(0,src_escape/* quoteName */.AB)(`${x.namespace}/${x.workload}`)}${x.port !== undefined ? ` port ${x.port}` : ''} (${x.level}, ${x.policy.kind} ${x.policy.namespace}/${x.policy.name}): ${(0,src_escape/* oneLine */.TN)(x.because.join('; '))}`);
    }
    if (plan.blockers.length) {
        out.push('', `Blockers (${plan.blockers.length}):`);
        for (const b of plan.blockers)
            out.push(`  ${(0,src_escape/* quoteName */.AB)(`${b.client} → ${b.server}`)} [${b.kind}]: ${(0,src_escape/* oneLine */.TN)(b.reason).replace(/\.$/, '')}. Fix: ${(0,src_escape/* oneLine */.TN)(b.fix)}`);
    }
    return out.join('\n') + '\n';
}
function formatMarkdownPlan(plan) {
    const md = markdown/* escapeMarkdown */.FV;
    const out = [`### mtls-lint plan (Istio ${md(plan.istioVersion)})`, ''];
    out.push(plan.steps.length
        ? `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} to STRICT. Now: ${countsText(plan.before)}.`
        : `Nothing to do: ${countsText(plan.before)}.`, '');
    for (const s of plan.steps)
        out.push(...stepMarkdown(s));
    if (plan.exceptions.length) {
        out.push('#### Exceptions kept PERMISSIVE', '', '| server | port | level | policy | because |', '| --- | --- | --- | --- | --- |');
        for (const x of plan.exceptions)
            out.push(`| ${md(`${x.namespace}/${x.workload}`)} | ${x.port ?? 'all'} | ${x.level} | ${md(`${x.policy.kind} ${x.policy.namespace}/${x.policy.name}`)} | ${md(x.because.join('; '))} |`);
        out.push('');
    }
    if (plan.blockers.length) {
        out.push('#### Blockers', '', '| caller → server | kind | reason | fix |', '| --- | --- | --- | --- |');
        for (const b of plan.blockers)
            out.push(`| ${md(`${b.client} → ${b.server}`)} | ${b.kind} | ${md(b.reason)} | ${md(b.fix)} |`);
        out.push('');
    }
    return out.join('\n');
}
function stepMarkdown(s) {
    const md = markdown/* escapeMarkdown */.FV;
    const out = [`#### ${s.n}. ${md(s.title)}`, '', md(s.why), ''];
    const apply = s.changes.filter((c) => c.action !== 'remove');
    const remove = s.changes.filter((c) => c.action === 'remove');
    for (const c of s.changes)
        out.push(`- ${c.action} ${md(changeName(c))}`);
    out.push('');
    if (apply.length) {
        out.push('<details><summary>kubectl apply -f</summary>', '', '```yaml');
        out.push(apply
            .map((c) => toYaml(c.manifest).replace(/```/g, '`\u200b``'))
            .join('---\n')
            .trimEnd());
        out.push('```', '', '</details>', '');
    }
    if (remove.length) {
        out.push(`Delete: ${remove.map((c) => `\`kubectl delete ${md(c.kind.toLowerCase())} ${md(c.name)}${c.namespace !== undefined ? ` -n ${md(c.namespace)}` : ''}\``).join(', ')}`, '');
    }
    if (s.connections.length) {
        out.push('```mermaid', 'graph LR');
        const ids = new Map();
        const node = (label) => {
            let id = ids.get(label);
            if (!id) {
                ids.set(label, (id = `n${ids.size}`));
                out.push(`  ${id}["${(0,markdown/* escapeMermaid */.Fw)(label)}"]`);
            }
            return id;
        };
        for (const c of s.connections) {
            const a = node(c.client);
            const b = node(c.server);
            out.push(`  ${a} -- "${(0,markdown/* escapeMermaid */.Fw)(`${c.from} → ${c.to}`)}" --> ${b}`);
        }
        out.push('```', '');
    }
    for (const c of s.checks) {
        out.push(`- [ ] ${md(c.text)}`);
        for (const q of c.queries ?? [])
            out.push('', '  ```promql', `  ${q}`, '  ```');
        if (c.possibleVictims?.length)
            out.push(`  Possible callers: ${md(c.possibleVictims.slice(0, 20).join('; '))}${c.possibleVictims.length > 20 ? ` and ${c.possibleVictims.length - 20} more` : ''}`);
    }
    out.push('', `After this step: ${countsText(s.after)}.`, '');
    return out;
}
/** A file or directory name made from the inputs: lowercase letters, digits, dots and dashes only. */
function safeName(s) {
    return (s
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 100) || 'x');
}
/** The files of --out-dir: NN-short-title/ (apply), NN-short-title/delete/ (delete), README.md. */
function planFiles(plan) {
    const files = new Map();
    const readme = [
        '# mtls-lint plan',
        '',
        `Istio ${plan.istioVersion}. Now: ${countsText(plan.before)}.`,
        '',
    ];
    if (!plan.steps.length)
        readme.push('Nothing to do.', '');
    for (const s of plan.steps) {
        const dir = safeName(s.slug);
        readme.push(`## ${s.n}. ${(0,markdown/* escapeMarkdown */.FV)(s.title)}`, '', (0,markdown/* escapeMarkdown */.FV)(s.why), '');
        const apply = s.changes.filter((c) => c.action !== 'remove');
        const remove = s.changes.filter((c) => c.action === 'remove');
        apply.forEach((c, i) => {
            files.set(`${dir}/${String(i + 1).padStart(2, '0')}-${safeName(`${c.kind}-${c.namespace ?? 'cluster'}-${c.name}`)}.yaml`, `# ${c.action === 'add' ? 'new' : 'changed'}: ${(0,src_escape/* oneLine */.TN)(changeName(c))}\n${toYaml(c.manifest)}`);
        });
        remove.forEach((c, i) => {
            files.set(`${dir}/delete/${String(i + 1).padStart(2, '0')}-${safeName(`${c.kind}-${c.namespace ?? 'cluster'}-${c.name}`)}.yaml`, `# remove: ${(0,src_escape/* oneLine */.TN)(changeName(c))}\n${toYaml(c.manifest)}`);
        });
        readme.push('```sh');
        if (apply.length)
            readme.push(`kubectl apply -f ${dir}/`);
        if (remove.length)
            readme.push(`kubectl delete -f ${dir}/delete/`);
        readme.push('```', '');
        for (const c of s.checks) {
            readme.push(`- [ ] ${(0,markdown/* escapeMarkdown */.FV)(c.text)}`);
            for (const q of c.queries ?? [])
                readme.push('', '  ```promql', `  ${q}`, '  ```');
        }
        readme.push('', `After: ${countsText(s.after)}.`, '');
    }
    if (plan.exceptions.length) {
        readme.push('## Exceptions kept PERMISSIVE', '');
        for (const x of plan.exceptions)
            readme.push(`- ${(0,markdown/* escapeMarkdown */.FV)(`${x.namespace}/${x.workload}`)}${x.port !== undefined ? ` port ${x.port}` : ''}: ${(0,markdown/* escapeMarkdown */.FV)(x.because.join('; '))}`);
        readme.push('');
    }
    if (plan.blockers.length) {
        readme.push('## Blockers', '');
        for (const b of plan.blockers)
            readme.push(`- ${(0,markdown/* escapeMarkdown */.FV)(`${b.client} → ${b.server}`)} (${b.kind}): ${(0,markdown/* escapeMarkdown */.FV)(b.reason.replace(/\.$/, ''))}. Fix: ${(0,markdown/* escapeMarkdown */.FV)(b.fix)}`);
        readme.push('');
    }
    files.set('README.md', readme.join('\n'));
    return files;
}

// EXTERNAL MODULE: ./src/resolve-options.ts
var resolve_options = __webpack_require__(5620);
// EXTERNAL MODULE: ./src/cli/common.ts
var common = __webpack_require__(577);
;// CONCATENATED MODULE: ./src/cli/plan-command.ts
// `mtls-lint plan`: the ordered, engine-verified steps from the inputs to STRICT (src/plan/).









const PLAN_HELP = `Usage: mtls-lint plan [options] [path ...]

Print the ordered steps from the inputs to STRICT mTLS: each step's objects (complete, for kubectl apply), why it is
safe now, what to check before the next one, and the connections after it (mtls, plaintext, broken) as mtls-lint
itself computes them on the inputs with the step and all earlier ones applied. A step never makes a declared or
inferred caller worse; what would break is kept PERMISSIVE (port, else workload) and listed as a blocker.

Options:
  -f, --format FORMAT       stylish|json|markdown (default: stylish)
  -o, --output-file FILE    write the plan to FILE
      --out-dir DIR         also write NN-step/ directories (objects to apply), NN-step/delete/ and README.md
      --scope SCOPE         mesh (default: every namespace, then mesh-wide STRICT) or namespace NS[,NS…]
      --allow-injection     add a step that injects sidecars into callers that block STRICT (pods restart)
      --mesh NAME           with config meshes:, the mesh to plan (one; required when there are several)
  -n, --namespace NS        namespace for resources without one (default: default)
  -c, --config FILE         config file
      --istio-version X.Y   Istio semantics and APIs to plan for (≤1.4: Policy + DestinationRules; 1.5+: PeerAuthentication)
${common/* TRAFFIC_HELP */.cX}
                            Observed callers that would break are blockers; possible callers are named as not
                            seen in the window.
  -h, --help                this help

Exit codes: 0 a plan that reaches STRICT everywhere in scope (or nothing to do); 1 blockers remain (the plan keeps
PERMISSIVE exceptions for them, or a namespace cannot go STRICT); 2 usage error, no input, unwritable output.
`;
async function runPlan(argv, io) {
    const { values, positionals } = (0,common/* parse */.qg)(argv, {
        ...common/* COMMON_OPTIONS */.DT,
        ...common/* TRAFFIC_OPTIONS */.ny,
        'out-dir': { type: 'string' },
        scope: { type: 'string' },
        'allow-injection': { type: 'boolean' },
        mesh: { type: 'string', multiple: true },
    });
    if (values.help) {
        io.stdout.write(PLAN_HELP);
        return common/* EXIT_OK */.Ij;
    }
    const format = (values.format ?? 'stylish');
    if (!PLAN_FORMATS.includes(format))
        throw new common/* UsageError */.eb(`--format ${JSON.stringify(format)} must be one of ${PLAN_FORMATS.join(', ')}`);
    // `--scope namespace a,b` takes the namespace list as the next word.
    let namespaces;
    let rest = positionals;
    const scope = values.scope ?? 'mesh';
    if (scope === 'namespace') {
        const list = rest[0];
        if (list === undefined)
            throw new common/* UsageError */.eb('--scope namespace needs a list: --scope namespace foo,bar');
        namespaces = list
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
        rest = rest.slice(1);
    }
    else if (scope.startsWith('namespace=')) {
        namespaces = scope
            .slice('namespace='.length)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    }
    else if (scope !== 'mesh') {
        throw new common/* UsageError */.eb(`--scope ${JSON.stringify(scope)} must be mesh or namespace NS[,NS…]`);
    }
    if (namespaces && !namespaces.length)
        throw new common/* UsageError */.eb('--scope namespace needs at least one namespace');
    const options = (0,resolve_options/* resolveOptions */.$)({
        cwd: io.cwd,
        paths: rest,
        namespace: values.namespace,
        istioVersion: values['istio-version'],
        configPath: values.config,
        ...(0,common/* trafficInputs */.bq)(values),
    });
    (0,common/* noteIstioVersion */.$N)(options, io);
    await (0,common/* readTraffic */.Eg)(options, io);
    const stdin = async () => (0,common/* readAll */.yw)(io.stdin, options.limits.maxFileSize + 1);
    // Config `meshes:`: a plan is for one mesh (its own model and graph, its own steps); which one must be said.
    const meshNames = (0,common/* meshesWanted */.hj)(options, rest, values.mesh);
    let result;
    if (meshNames) {
        const known = Object.keys(options.config.meshes ?? {});
        const names = meshNames.length ? meshNames : known;
        if (names.length !== 1)
            throw new common/* UsageError */.eb(`plan is for one mesh at a time: ${options.configFile ?? 'the config'} has meshes ${known.join(', ')}; pick one with --mesh NAME`);
        const { lintMeshes } = await Promise.all(/* import() */[__webpack_require__.e(380), __webpack_require__.e(642)]).then(__webpack_require__.bind(__webpack_require__, 9642));
        const all = await lintMeshes(options, { names, env: io.env, stdin });
        const run = all.meshes[0];
        (0,common/* checkMeshInputs */.vG)(run, options);
        result = run.result;
    }
    else {
        result = await (0,engine/* lint */.u8)(options, { stdin });
        (0,common/* checkInputs */.sw)(result, options);
    }
    const plan = makePlan(result.inputs, options, (0,releases/* releaseOf */.l7)(options.istioVersion), {
        ...(namespaces ? { namespaces } : {}),
        allowInjection: values['allow-injection'] ?? false,
    });
    if (values['out-dir'] !== undefined) {
        const outDir = external_node_path_default().resolve(io.cwd, values['out-dir']);
        for (const [rel, text] of planFiles(plan)) {
            const target = external_node_path_default().join(outDir, rel);
            try {
                await (0,promises_.mkdir)(external_node_path_default().dirname(target), { recursive: true });
                await (0,promises_.writeFile)(target, text);
            }
            catch (err) {
                throw new common/* UsageError */.eb(`cannot write ${(0,src_escape/* quoteName */.AB)(target)}: ${err.code ?? String(err)}`);
            }
        }
        io.stderr.write(`mtls-lint plan: wrote ${plan.steps.length} step(s) to ${(0,src_escape/* quoteName */.AB)(external_node_path_default().relative(io.cwd, outDir) || '.')}\n`);
    }
    await (0,common/* writeOutput */.zh)(formatPlan(plan, format), values['output-file'], io);
    return plan.blockers.length ? common/* EXIT_FINDINGS */.cB : common/* EXIT_OK */.Ij;
}


/***/ })

};
