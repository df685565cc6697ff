// `mtls-lint plan`: the ordered steps from today's manifests to STRICT. Every step is proposed as complete objects,
// applied to a copy of the inputs and analysed by the engine itself (the same model and graph `mtls-lint` and
// `mtls-lint graph` build); a step is kept only if no declared or inferred caller gets worse. What would break is
// kept out of the step: as a narrow PERMISSIVE exception (port, then workload) with its blockers named.
import { analyze } from '../engine.js';
import { parseTexts, type LoadedInputs, type Resource } from '../load/index.js';
import { apiGroupVersion } from '../load/resource.js';
import type { Edge, EdgeConnection, Graph } from '../graph/graph.js';
import type { Cause, MeshModel, Service, Workload } from '../mesh/model.js';
import type { ResolvedOptions } from '../options.js';
import type { Release } from '../mesh/releases.js';
import { convertMesh } from '../mesh/convert.js';
import { clientLabel } from '../rule-report.js';

type ChangeAction = 'add' | 'modify' | 'remove';

export interface PlanChange {
  action: ChangeAction;
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  /** The complete object (for remove: the object as it is). */
  manifest: Record<string, unknown>;
}

interface PlanCheck {
  /** What to look at before the next step, and why. */
  text: string;
  /** Prometheus queries (istio_requests_total / istio_tcp_connections_opened_total) to run first. */
  queries?: string[];
  /** Possible callers (not declared or inferred) that this step would break, as "client → server:port". */
  possibleVictims?: string[];
}

export interface Counts {
  mtls: number;
  plaintext: number;
  broken: number;
  /** Non-Istio TLS passed through to the application. */
  tls: number;
}

interface ConnectionChange {
  client: string;
  server: string;
  from: string;
  to: string;
}

export interface PlanStep {
  n: number;
  title: string;
  /** Directory name under --out-dir: "01-permissive-foo". */
  slug: string;
  why: string;
  changes: PlanChange[];
  checks: PlanCheck[];
  after: Counts;
  /** Declared/inferred connections whose outcome this step changes (for the Mermaid graph). */
  connections: ConnectionChange[];
}

type BlockerKind =
  | 'uninjected-caller'
  | 'ingress-controller'
  | 'external-client'
  | 'kubelet'
  | 'scraper'
  | 'gateway'
  | 'client-destination-rule'
  | 'server-port'
  | 'conversion'
  | 'other';

interface Blocker {
  kind: BlockerKind;
  /** "legacy/sleep" or a stand-in's description. */
  client: string;
  /** "httpbin.foo:8000". */
  server: string;
  reason: string;
  fix: string;
}

interface PlanException {
  namespace: string;
  /** The workload whose server keeps PERMISSIVE. */
  workload: string;
  /** Target (container) port; absent for a workload-level exception. */
  port?: number;
  level: 'port' | 'workload' | 'namespace';
  /** The policy that holds it. */
  policy: { kind: string; namespace: string; name: string };
  /** Why: "legacy/sleep → httpbin.foo:8000". */
  because: string[];
}

export interface Plan {
  version: 1;
  istioVersion: string;
  before: Counts;
  steps: PlanStep[];
  blockers: Blocker[];
  exceptions: PlanException[];
}

export interface PlanOptions {
  /** Namespaces to take to STRICT; undefined: every server namespace in the inputs, then mesh-wide. */
  namespaces?: string[];
  allowInjection: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Objects and states

type Json = Record<string, unknown>;

interface Obj {
  key: string;
  value: Json;
  /** The loaded resource while the object is unchanged (keeps its file and positions). */
  resource?: Resource;
}

function keyOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiGroupVersion(apiVersion).group}|${kind}|${namespace ?? ''}|${name}`;
}

function objKey(value: Json, fallbackNamespace: string | undefined): string {
  const meta = (value.metadata ?? {}) as Json;
  return keyOf(
    String(value.apiVersion ?? ''),
    String(value.kind ?? ''),
    (meta.namespace as string | undefined) ?? fallbackNamespace,
    String(meta.name ?? ''),
  );
}

/** A set of objects in input order; applying a change gives a new state. */
class State {
  constructor(readonly objects: ReadonlyMap<string, Obj>) {}

  static of(resources: readonly Resource[]): State {
    const map = new Map<string, Obj>();
    for (const r of resources) {
      const key = keyOf(r.apiVersion, r.kind, r.namespace, r.name);
      map.set(key, { key, value: r.value, resource: r });
    }
    return new State(map);
  }

  get(key: string): Obj | undefined {
    return this.objects.get(key);
  }

  apply(changes: readonly PlanChange[]): State {
    const map = new Map(this.objects);
    for (const c of changes) {
      const key = keyOf(c.apiVersion, c.kind, c.namespace, c.name);
      if (c.action === 'remove') map.delete(key);
      else map.set(key, { key, value: c.manifest });
    }
    return new State(map);
  }
}

/** The object as written, with its namespace made explicit (kubectl apply -f needs no -n). */
function complete(r: Resource | Obj, namespace: string | undefined): Json {
  const value = structuredClone('value' in r ? r.value : (r as Obj).value);
  if (namespace !== undefined) {
    const meta = (value.metadata ??= {}) as Json;
    if (meta.namespace === undefined) meta.namespace = namespace;
  }
  return value;
}

/**
 * A copy as plain JSON: the conversion keeps portLevelMtls in a Map (ports in order), which JSON and YAML writers
 * would otherwise write as `{}` or `!!omap`, neither of which Kubernetes reads as the ports.
 */
function plainJson(value: unknown): Json {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)),
  ) as Json;
}

function changeOf(action: ChangeAction, manifest: Json): PlanChange {
  const meta = (manifest.metadata ?? {}) as Json;
  const c: PlanChange = {
    action,
    kind: String(manifest.kind),
    apiVersion: String(manifest.apiVersion),
    name: String(meta.name),
    manifest,
  };
  if (typeof meta.namespace === 'string') c.namespace = meta.namespace;
  return c;
}

/** Set (or with `undefined`, delete) a field, creating the objects on the way. Mutates `value`. */
function setPath(value: Json, path: readonly (string | number)[], v: unknown): void {
  let at: Record<string | number, unknown> = value;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    let next = at[k];
    if (next === null || typeof next !== 'object') at[k] = next = typeof path[i + 1] === 'number' ? [] : {};
    at = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1]!;
  if (v === undefined) delete at[last];
  else at[last] = v;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluating a state with the engine

interface Evaluation {
  state: State;
  mesh: MeshModel;
  graph: Graph;
  /** Edges by key. */
  edges: Map<string, Edge>;
  counts: Counts;
}

class Evaluator {
  private readonly parsed = new Map<Json, Resource>();
  constructor(
    private readonly options: ResolvedOptions,
    private readonly base: LoadedInputs,
  ) {}

  run(state: State): Evaluation {
    const resources: Resource[] = [];
    for (const o of state.objects.values()) resources.push(o.resource ?? this.parse(o));
    const inputs: LoadedInputs = { ...this.base, resources, shadowed: [] };
    // No rules: the plan reads the model and the graph, which are what every rule reads.
    const result = analyze(inputs, this.options, []);
    const graph = result.graph();
    const edges = new Map<string, Edge>();
    for (const e of graph.edges) edges.set(edgeKey(e), e);
    return { state, mesh: result.mesh(), graph, edges, counts: countEdges(graph) };
  }

  private parse(o: Obj): Resource {
    let r = this.parsed.get(o.value);
    if (!r) {
      const meta = (o.value.metadata ?? {}) as Json;
      const file = `<plan>/${String(o.value.kind)}/${String(meta.namespace ?? '')}/${String(meta.name)}`;
      const loaded = parseTexts([{ input: { file }, text: JSON.stringify(o.value) }], {
        namespace: this.options.namespace,
        limits: this.options.limits,
      });
      r = loaded.resources[0];
      if (!r) throw new Error(`plan: could not read back ${file}`);
      this.parsed.set(o.value, r);
    }
    return r;
  }
}

/** Connections as `mtls-lint graph` lists them (declared and inferred callers), by outcome. */
export function countEdges(graph: Graph): Counts {
  const counts: Counts = { mtls: 0, plaintext: 0, broken: 0, tls: 0 };
  for (const e of graph.edges) if (e.caller !== 'possible') counts[e.outcome]++;
  return counts;
}

function edgeKey(e: Edge): string {
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

const RANK = { mtls: 0, tls: 0, plaintext: 1, broken: 2 } as const;

function serverText(e: Edge): string {
  return e.server.standIn ?? `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}

interface Verdict {
  /** Declared/inferred edges that get worse. */
  worse: Edge[];
  /** Possible callers and stand-ins that become broken. */
  possibleBroken: Edge[];
  changed: ConnectionChange[];
}

/**
 * Whether any connection, possible callers' included, is better after: per backing workload, since a service with
 * endpoints with and without a sidecar keeps its edge's worst outcome while the sidecar ones move to mTLS.
 */
function improves(before: Evaluation, after: Evaluation): boolean {
  const outcome = (c: EdgeConnection) => `${c.serverWorkload?.resource.id ?? ''}|${c.targetPort ?? ''}`;
  for (const [key, e] of after.edges) {
    const was = before.edges.get(key);
    if (!was) continue;
    if (RANK[e.outcome] < RANK[was.outcome]) return true;
    const wasByWorkload = new Map(was.connections.map((c) => [outcome(c), c.result.outcome]));
    for (const c of e.connections) {
      const w = wasByWorkload.get(outcome(c));
      if (w !== undefined && RANK[c.result.outcome] < RANK[w]) return true;
    }
  }
  return false;
}

function compare(before: Evaluation, after: Evaluation): Verdict {
  const worse: Edge[] = [];
  const possibleBroken: Edge[] = [];
  const changed: ConnectionChange[] = [];
  for (const [key, e] of after.edges) {
    const was = before.edges.get(key);
    if (!was) {
      if (e.outcome === 'broken' && e.caller === 'possible') possibleBroken.push(e);
      continue;
    }
    if (was.outcome === e.outcome) continue;
    if (e.caller !== 'possible') {
      changed.push({ client: clientLabel(e), server: serverText(e), from: was.outcome, to: e.outcome });
      if (RANK[e.outcome] > RANK[was.outcome]) worse.push(e);
    } else if (e.outcome === 'broken') possibleBroken.push(e);
  }
  return { worse, possibleBroken, changed };
}

// ---------------------------------------------------------------------------------------------------------------
// Planning

interface Endpoint {
  service: Service;
  port: number;
  workload: Workload;
  targetPort: number | undefined;
  connection: EdgeConnection;
}

const STAND_IN_BLOCKERS: Record<string, { kind: BlockerKind; reason: string; fix: string }> = {
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

export function makePlan(
  inputs: LoadedInputs,
  options: ResolvedOptions,
  release: Release,
  planOptions: PlanOptions,
): Plan {
  const evaluator = new Evaluator(options, inputs);
  let current = evaluator.run(State.of(inputs.resources));
  const before = current.counts;
  const steps: PlanStep[] = [];
  const blockers = new Map<string, Blocker>();
  const exceptions: PlanException[] = [];
  const hasPa = release.has('peer-authentication');
  const root = current.mesh.settings.rootNamespace;

  const serverNamespaces = (ev: Evaluation): string[] =>
    [...new Set(endpoints(ev).map((p) => p.service.namespace))].sort();
  const inScope = (ns: string) => !planOptions.namespaces || planOptions.namespaces.includes(ns);

  const addBlocker = (b: Blocker) => {
    const k = `${b.kind}|${b.client}|${b.server}|${b.reason}`;
    if (!blockers.has(k)) blockers.set(k, b);
  };

  /** Try a step; keep it if no known caller gets worse. */
  const attempt = (changes: PlanChange[]): { ev: Evaluation; verdict: Verdict } | undefined => {
    if (!changes.length) return undefined;
    const ev = evaluator.run(current.state.apply(changes));
    return { ev, verdict: compare(current, ev) };
  };
  const commit = (
    title: string,
    slug: string,
    why: string,
    changes: PlanChange[],
    checks: PlanCheck[],
    tried: { ev: Evaluation; verdict: Verdict },
  ) => {
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
        possibleVictims: [...new Set(possible.map((e) => `${clientLabel(e)} → ${serverText(e)}`))].sort(),
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
      connections: tried.verdict.changed.sort((a, b) =>
        `${a.client}${a.server}`.localeCompare(`${b.client}${b.server}`),
      ),
    });
    current = tried.ev;
  };

  // 1. Istio 1.5: legacy Policies become PeerAuthentications (1.5 reads both; the conversion keeps every port's mode).
  if (hasPa && release.has('legacy-authentication-policy')) {
    const conversion = convertMesh(current.mesh, { targetVersion: release });
    const failed = conversion.notes.filter((n) => n.unconverted);
    if (conversion.legacy.length && !failed.length) {
      const changes: PlanChange[] = [];
      for (const p of conversion.policies) changes.push(changeOf('add', plainJson(p.value)));
      for (const l of conversion.legacy)
        changes.push(changeOf('remove', complete(l.resource, l.resource.namespace)));
      const tried = attempt(changes);
      // The conversion keeps every port's mode, so a connection it makes worse is one it cannot express: each is a
      // blocker (the Policies stay), never a step skipped in silence.
      if (tried?.verdict.worse.length)
        for (const e of tried.verdict.worse)
          addBlocker({
            kind: 'conversion',
            client: clientLabel(e),
            server: serverText(e),
            reason: `replacing the legacy Policies with PeerAuthentications would change this connection to ${e.outcome}`,
            fix: 'convert the Policies that decide this connection by hand (mtls-lint convert shows what it can), then plan again',
          });
      else if (tried)
        commit(
          'Replace legacy Policies with PeerAuthentications',
          'convert-policies',
          `Istio ${release.text} reads PeerAuthentication before the deprecated authentication.istio.io Policy, which Istio 1.6 ignores. The PeerAuthentications keep every port's mode as it is (the same conversion as mtls-lint convert), so no connection changes.`,
          changes,
          [
            {
              text: 'kubectl get peerauthentications.security.istio.io -A lists the new policies; istioctl x describe pod on a server shows the same mTLS mode as before.',
            },
          ],
          tried,
        );
    } else
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
    const restarts = new Set<string>();
    for (const e of current.graph.edges) {
      if (e.caller === 'possible' || e.client.standIn || e.client.sidecar !== 'none' || !e.client.workload)
        continue;
      if (
        !inScope(e.server.namespace) ||
        !e.connections.some((c) => c.serverWorkload?.sidecar.state === 'sidecar')
      )
        continue;
      const w = e.client.workload;
      injectionChange(changes, w, current.mesh, release);
      restarts.add(`kubectl rollout restart ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}`);
    }
    const list = changes.list();
    const tried = attempt(list);
    if (tried && !tried.verdict.worse.length)
      commit(
        'Inject sidecars into the callers that send plaintext',
        'inject-callers',
        'A caller with a sidecar can send mTLS; until it has one, its servers cannot go STRICT. Their servers accept what they send today, and a new sidecar server accepts what its callers send (the next steps move both to mTLS).',
        list,
        [
          {
            text: `Pods get a sidecar only when they are created: restart them (${[...restarts].sort().join('; ')}), then check that each pod lists an istio-proxy container (kubectl get pod -o jsonpath='{.spec.containers[*].name}').`,
          },
        ],
        tried,
      );
  }

  // 3. Servers that accept plaintext only become PERMISSIVE: they accept mTLS and plaintext.
  {
    const changes = new Changes(current.state);
    const namespacesToAdd = new Set<string>();
    for (const p of endpoints(current)) {
      if (!inScope(p.service.namespace)) continue;
      const mode = p.connection.server;
      if (mode.mode !== 'DISABLE') continue;
      if (mode.cause) modeAt(changes, mode.cause, 'PERMISSIVE');
      else namespacesToAdd.add(p.service.namespace);
    }
    for (const ns of [...namespacesToAdd].sort())
      changes.add(namespacePolicy(hasPa, release, ns, 'PERMISSIVE'));
    const list = changes.list();
    const tried = attempt(list);
    if (tried && !tried.verdict.worse.length)
      commit(
        `Servers accept mTLS as well as plaintext (PERMISSIVE)`,
        'permissive',
        hasPa
          ? 'PERMISSIVE accepts both mTLS and plaintext, so every caller that works today keeps working; it lets clients move to mTLS one by one.'
          : `Istio ${release.text} sidecars without an authentication Policy accept plaintext only; a PERMISSIVE Policy makes them accept mTLS as well, so every caller that works today keeps working.`,
        list,
        [
          {
            text: 'Every caller still gets through: run mtls-lint on the applied state, and watch error rates on these services (istio_requests_total with response_code 503, or connection resets).',
          },
        ],
        tried,
      );
  }

  // 4. Clients with a sidecar that send plaintext to a sidecar server send mTLS. Asked again after the namespaces go
  //    STRICT: under auto mTLS a namespace or mesh policy DISABLE makes every sidecar client send plaintext, so
  //    removing a DestinationRule's DISABLE moves nothing before STRICT, and only then would it.
  const clientsSendMtls = () => {
    const changes = new Changes(current.state);
    const servers = new Set<string>();
    const autoMtls = current.mesh.settings.autoMtls;
    // Service ports whose target port on a sidecar workload bypasses the sidecar (excludeInboundPorts): mTLS there
    // reaches the application, which cannot read it. Clients must send plaintext to them (tls DISABLE at the port).
    const bypassed = new Map<Service, Set<number>>();
    for (const e of current.graph.edges)
      for (const c of e.connections)
        if (
          e.server.serviceRef &&
          c.server.mode === 'NO_SIDECAR' &&
          c.serverWorkload?.sidecar.state === 'sidecar'
        )
          bypassed.set(
            e.server.serviceRef,
            (bypassed.get(e.server.serviceRef) ?? new Set()).add(e.server.port),
          );
    let disabled = false;
    let toMtls = false;
    /** The services each existing DestinationRule is changed for. */
    const viaCause = new Map<string, Set<Service>>();
    for (const e of current.graph.edges) {
      if (e.client.sidecar !== 'sidecar' || e.server.standIn || !e.server.serviceRef) continue;
      if (!inScope(e.server.namespace)) continue;
      // A known caller with a sidecar that already fails on a bypassed port: plaintext there fixes it.
      if (
        e.caller !== 'possible' &&
        bypassed.get(e.server.serviceRef)?.has(e.server.port) &&
        e.connections.some((c) => c.result.outcome === 'broken' && c.result.clientTls !== 'plaintext')
      ) {
        disableAtPorts(changes, e.server.serviceRef, [e.server.port]);
        disabled = true;
      }
      for (const c of e.connections) {
        if (c.result.clientTls !== 'plaintext' || c.serverWorkload?.sidecar.state !== 'sidecar') continue;
        if (c.server.mode !== 'PERMISSIVE' && c.server.mode !== 'STRICT') continue;
        // Auto mTLS decides per endpoint: plaintext there means an endpoint without a sidecar, not a setting to fix.
        if (c.client.mode === 'AUTO') continue;
        clientMtlsAt(changes, c.client.cause, e.server.serviceRef, autoMtls);
        toMtls = true;
        if (c.client.cause) {
          const k = keyOfResource(c.client.cause.resource);
          viaCause.set(k, (viaCause.get(k) ?? new Set()).add(e.server.serviceRef));
        }
        // The plan's own DestinationRule for the host keeps the bypassed ports plaintext.
        const ports = bypassed.get(e.server.serviceRef);
        if (!c.client.cause && ports) disableAtPorts(changes, e.server.serviceRef, [...ports]);
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
          const alternative = hostRules(
            current.state,
            change,
            viaCause.get(keyOf(change.apiVersion, change.kind, change.namespace, change.name)),
            autoMtls,
          );
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
              client: clientLabel(e),
              server: serverText(e),
              reason: `changing ${change.kind} ${change.namespace ?? ''}/${change.name} to send mTLS would leave ${clientLabel(e)} → ${serverText(e)} ${e.outcome} (${explanationOf(e)})`,
              fix: `give the hosts that need plaintext their own DestinationRule (host or subset) and send ISTIO_MUTUAL to the others, then plan again`,
            });
        } else kept.push(change);
      }
      tried = attempt(kept);
    }
    // A change that moves no connection to mTLS (a headless service with an endpoint without a sidecar stays
    // plaintext under auto mTLS) is not a step.
    if (tried && !tried.verdict.worse.length && improves(current, tried.ev))
      commit(
        toMtls
          ? 'Clients with a sidecar send mTLS'
          : 'Clients with a sidecar send plaintext to ports that bypass the server sidecar',
        toMtls ? 'clients-send-mtls' : 'clients-disable-bypassed-ports',
        (!toMtls
          ? 'These ports of servers with a sidecar bypass it (excludeInboundPorts): the application answers them and cannot read the mTLS that clients with a sidecar send, so those calls fail today.'
          : autoMtls
            ? 'These DestinationRules pin plaintext (tls mode DISABLE) toward servers with a sidecar; without it, auto mTLS sends mTLS to every endpoint with a sidecar and plaintext to the others. The servers accept mTLS (PERMISSIVE or STRICT), so nothing breaks.'
            : `Without auto mTLS, a client sidecar sends what its DestinationRule says (plaintext without one). ISTIO_MUTUAL for these hosts makes clients with a sidecar send mTLS; the servers are already PERMISSIVE, and callers without a sidecar are not affected.`) +
          (toMtls &&
          (disabled || kept.some((c) => JSON.stringify(c.manifest).includes('"portLevelSettings"')))
            ? ' Ports that bypass the server sidecar (excludeInboundPorts) get tls DISABLE: the application there reads plaintext only.'
            : ''),
        kept,
        toMtls
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
            ],
        tried,
      );
  };
  clientsSendMtls();

  // 5. STRICT, namespace by namespace, with the narrowest exceptions that keep known callers working.
  const strictNamespaces: string[] = [];
  for (const ns of serverNamespaces(current)) {
    if (!inScope(ns) || ns === root) continue;
    const done = strictNamespace(ns);
    if (done) strictNamespaces.push(ns);
  }
  clientsSendMtls();

  function strictNamespace(ns: string): boolean {
    const eps = endpoints(current).filter((p) => p.service.namespace === ns);
    if (eps.every((p) => p.connection.server.mode === 'STRICT')) return true;
    const changes = new Changes(current.state);
    const nsPolicies = namespaceWidePolicies(current, ns, hasPa);
    if (nsPolicies.length) for (const r of nsPolicies) changes.put(withMode(complete(r, ns), 'STRICT'));
    else changes.add(namespacePolicy(hasPa, release, ns, 'STRICT'));
    // Workload- and port-level PERMISSIVE/DISABLE would override it: they go STRICT too.
    for (const p of eps) {
      const m = p.connection.server;
      if (m.mode === 'STRICT' || !m.cause) continue;
      if (
        m.level === 'workload' ||
        m.level === 'port' ||
        m.level === 'legacy-service' ||
        m.level === 'legacy-port'
      )
        modeAt(changes, m.cause, 'STRICT');
    }
    let tried = attempt(changes.list());
    if (!tried) return false;
    const because = new Map<string, string[]>();
    const blocked = (t: { verdict: Verdict }): Endpoint[] => {
      const list: Endpoint[] = [];
      for (const e of t.verdict.worse)
        for (const c of e.connections) {
          if (c.result.outcome !== 'broken' || !c.serverWorkload || !e.server.serviceRef) continue;
          list.push({
            service: e.server.serviceRef,
            port: e.server.port,
            workload: c.serverWorkload,
            targetPort: c.targetPort,
            connection: c,
          });
          const k = `${c.serverWorkload.resource.id}|${c.targetPort}`;
          const phrase = `${clientLabel(e)} → ${serverText(e)}`;
          because.set(k, [...new Set([...(because.get(k) ?? []), phrase])]);
          blockerFor(e, c);
        }
      return list;
    };
    let level: 'port' | 'workload' = 'port';
    let exceptionObjects = new Map<string, { workload: Workload; port?: number; policy: PlanChange }>();
    for (const attemptLevel of ['port', 'workload'] as const) {
      if (!tried.verdict.worse.length) break;
      const b = blocked(tried);
      if (!b.length) break;
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
      tried = attempt(withExceptions.list())!;
      if (!tried.verdict.worse.length) {
        changes.adopt(withExceptions);
        break;
      }
    }
    if (tried.verdict.worse.length) {
      for (const e of tried.verdict.worse)
        addBlocker({
          kind: 'other',
          client: clientLabel(e),
          server: serverText(e),
          reason: `namespace ${ns} cannot go STRICT: ${clientLabel(e)} → ${serverText(e)} would be ${e.outcome} (${explanationOf(e)}) even with a PERMISSIVE exception`,
          fix: 'fix the connection (see mtls-lint on the inputs), then plan again',
        });
      return false;
    }
    for (const x of exceptionObjects.values()) {
      const id = x.workload.resource.id;
      const reasons = [...because]
        .filter(([k]) => (x.port !== undefined ? k === `${id}|${x.port}` : k.startsWith(`${id}|`)))
        .flatMap(([, v]) => v);
      const ex: PlanException = {
        namespace: x.workload.namespace,
        workload: x.workload.name,
        level,
        policy: { kind: x.policy.kind, namespace: x.policy.namespace ?? ns, name: x.policy.name },
        because: [...new Set(reasons)].sort(),
      };
      if (x.port !== undefined) ex.port = x.port;
      exceptions.push(ex);
    }
    const hosts = [...new Set(eps.map((p) => `${p.service.name}.${ns}.svc.cluster.local`))].sort();
    const checks: PlanCheck[] = [
      {
        text: `No plaintext requests to the services of ${ns} over the last days (any result is a caller without a sidecar that STRICT would cut off, with a connection reset):`,
        queries: prometheusQueries(hosts),
      },
    ];
    const excepted = [...exceptionObjects.values()];
    commit(
      `STRICT in namespace ${ns}${excepted.length ? ` (${excepted.length} exception${excepted.length === 1 ? '' : 's'})` : ''}`,
      `strict-${ns}`,
      `Every declared and inferred caller of ${ns} sends mTLS now${excepted.length ? `, except on the ${level === 'port' ? 'ports' : 'workloads'} kept PERMISSIVE below (their callers cannot send mTLS yet; see blockers)` : ''}, so STRICT refuses only plaintext nobody known sends.`,
      changes.list(),
      checks,
      tried,
    );
    return true;
  }

  function blockerFor(e: Edge, c: EdgeConnection): void {
    const client = clientLabel(e);
    const server = serverText(e);
    if (c.server.mode === 'NO_SIDECAR' && c.serverWorkload?.sidecar.state === 'sidecar') {
      const w = c.serverWorkload;
      addBlocker({
        kind: 'server-port',
        client,
        server,
        // The engine's explanation names the port, the workload and the annotation that excludes it.
        reason: `${c.server.explanation}: no mTLS policy can make this port STRICT, so plaintext stays possible there${c.result.outcome === 'broken' ? `, and ${client} fails (${c.result.explanation})` : ''}`,
        fix:
          c.server.cause?.resource.kind === 'Service'
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
      const why =
        c.client.cause && e.client.sidecar === 'sidecar'
          ? `: ${c.client.cause.description} makes it send ${c.result.clientTls}`
          : '';
      addBlocker({
        kind: standIn.kind,
        client,
        server,
        reason: `${standIn.reason}${why}${where ? ` (${where})` : ''}`,
        fix:
          standIn.kind === 'kubelet'
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
  if (
    hasPa &&
    !planOptions.namespaces &&
    strictNamespaces.length &&
    steps.some((s) => s.slug.includes('strict-'))
  ) {
    const all = serverNamespaces(current).filter((ns) => ns !== root);
    const everyStrict = all.every((ns) => strictNamespaces.includes(ns));
    const meshLevel = [...current.state.objects.values()].filter(
      (o) => isPa(o.value) && namespaceOf(o) === root && !(o.value.spec as Json | undefined)?.selector,
    );
    const alreadyStrict = meshLevel.some((o) => modeOf(o.value) === 'STRICT');
    if (everyStrict && !alreadyStrict) {
      const changes = new Changes(current.state);
      if (meshLevel.length) for (const o of meshLevel) changes.put(setMode(complete(o, root), 'STRICT'));
      else changes.add(namespacePolicy(true, release, root, 'STRICT'));
      for (const ns of all)
        for (const o of [...current.state.objects.values()])
          if (
            isPa(o.value) &&
            namespaceOf(o) === ns &&
            !(o.value.spec as Json | undefined)?.selector &&
            modeOf(o.value) === 'STRICT'
          )
            changes.remove(complete(o, ns));
      const tried = attempt(changes.list());
      if (tried && !tried.verdict.worse.length)
        commit(
          `STRICT mesh-wide (root namespace ${root})`,
          'strict-mesh',
          `Every namespace is STRICT without a namespace-wide exception, so one PeerAuthentication in the root namespace ${root} says the same; the namespace-wide ones that only said STRICT are redundant and go. Workload- and port-level exceptions stay: they override the mesh level. New namespaces start STRICT.`,
          changes.list(),
          [
            {
              text: `Namespaces the inputs do not show become STRICT too: check that nothing outside these manifests calls a sidecar server in plaintext (mesh-wide):`,
              queries: prometheusQueries([]),
            },
          ],
          tried,
        );
    }
  }

  // 7. Istio 1.6+: legacy Policies and MeshPolicies are ignored; remove them so nobody reads them as in force.
  if (hasPa && !release.has('legacy-authentication-policy')) {
    const legacy = [...current.state.objects.values()].filter((o) => {
      const g = apiGroupVersion(String(o.value.apiVersion)).group;
      return g === 'authentication.istio.io' && (o.value.kind === 'Policy' || o.value.kind === 'MeshPolicy');
    });
    const changes = legacy.map((o) =>
      changeOf('remove', complete(o, o.value.kind === 'Policy' ? namespaceOf(o) : undefined)),
    );
    const tried = attempt(changes);
    if (tried && !tried.verdict.worse.length)
      commit(
        'Remove the legacy Policies Istio no longer reads',
        'remove-legacy-policies',
        `Istio ${release.text} ignores authentication.istio.io Policy and MeshPolicy; the PeerAuthentications decide. Removing them changes no connection and stops anyone reading them as in force.`,
        changes,
        [{ text: 'No connection changes: mtls-lint graph shows the same outcomes as before this step.' }],
        tried,
      );
  }

  // Ports of sidecar workloads that bypass the sidecar: STRICT never covers them, whatever the plan does.
  for (const e of current.graph.edges) {
    if (e.caller === 'possible' || !inScope(e.server.namespace)) continue;
    for (const c of e.connections)
      if (c.server.mode === 'NO_SIDECAR' && c.serverWorkload?.sidecar.state === 'sidecar') blockerFor(e, c);
  }

  // Known connections broken after the plan (broken in the inputs already: the plan never makes one) block STRICT too.
  for (const e of current.graph.edges) {
    if (e.caller === 'possible' || e.outcome !== 'broken') continue;
    for (const c of e.connections) if (c.result.outcome === 'broken') blockerFor(e, c);
  }

  return {
    version: 1,
    istioVersion: release.text,
    before,
    steps,
    blockers: [...blockers.values()].sort((a, b) =>
      `${a.server}|${a.client}|${a.kind}`.localeCompare(`${b.server}|${b.client}|${b.kind}`),
    ),
    exceptions,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Changes within one step

/** The objects one step adds, modifies or removes, keyed by identity (later edits of one object merge). */
class Changes {
  private readonly byKey = new Map<string, { action: ChangeAction; value: Json }>();
  constructor(
    private readonly state: State,
    from?: Changes,
  ) {
    if (from)
      for (const [k, v] of from.byKey)
        this.byKey.set(k, { action: v.action, value: structuredClone(v.value) });
  }

  /** The object as this step has it so far (a copy to edit), or as the state has it. */
  current(key: string): Json | undefined {
    const mine = this.byKey.get(key);
    if (mine) return mine.action === 'remove' ? undefined : structuredClone(mine.value);
    const o = this.state.get(key);
    return o ? complete(o, namespaceOf(o)) : undefined;
  }

  put(value: Json): void {
    const key = objKey(value, undefined);
    const exists = this.state.get(key) !== undefined;
    this.byKey.set(key, { action: exists ? 'modify' : 'add', value });
  }

  add(value: Json): void {
    this.put(value);
  }

  remove(value: Json): void {
    this.byKey.set(objKey(value, undefined), { action: 'remove', value });
  }

  adopt(other: Changes): void {
    this.byKey.clear();
    for (const [k, v] of other.byKey) this.byKey.set(k, v);
  }

  list(): PlanChange[] {
    return [...this.byKey.values()].map((v) => changeOf(v.action, v.value));
  }
}

function namespaceOf(o: Obj): string | undefined {
  if (o.resource) return o.resource.namespace;
  return ((o.value.metadata ?? {}) as Json).namespace as string | undefined;
}

function isPa(v: Json): boolean {
  return (
    v.kind === 'PeerAuthentication' && apiGroupVersion(String(v.apiVersion)).group === 'security.istio.io'
  );
}

function modeOf(v: Json): string | undefined {
  return ((v.spec as Json | undefined)?.mtls as Json | undefined)?.mode as string | undefined;
}

function setMode(v: Json, mode: string): Json {
  setPath(v, ['spec', 'mtls', 'mode'], mode);
  return v;
}

/** A legacy Policy or a PeerAuthentication set to one mode. */
function withMode(v: Json, mode: 'STRICT' | 'PERMISSIVE'): Json {
  if (isPa(v)) return setMode(v, mode);
  setPath(v, ['spec', 'peers'], [{ mtls: { mode } }]);
  return v;
}

function peerAuthenticationApiVersion(release: Release): string {
  return release.has('peer-authentication-v1') ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
}

/** The namespace-wide policy of the release's API: PeerAuthentication `default`, or a legacy Policy `default`. */
function namespacePolicy(hasPa: boolean, release: Release, ns: string, mode: 'STRICT' | 'PERMISSIVE'): Json {
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

function namespaceWidePolicies(ev: Evaluation, ns: string, hasPa: boolean): Obj[] {
  return [...ev.state.objects.values()].filter((o) => {
    if (namespaceOf(o) !== ns) return false;
    const spec = (o.value.spec ?? {}) as Json;
    if (hasPa) return isPa(o.value) && !spec.selector;
    return (
      o.value.kind === 'Policy' &&
      apiGroupVersion(String(o.value.apiVersion)).group === 'authentication.istio.io' &&
      !(Array.isArray(spec.targets) && spec.targets.length)
    );
  });
}

function keyOfResource(r: Resource): string {
  return keyOf(r.apiVersion, r.kind, r.namespace, r.name);
}

function modeAt(changes: Changes, cause: Cause, mode: 'STRICT' | 'PERMISSIVE'): void {
  const key = keyOfResource(cause.resource);
  const v = changes.current(key);
  if (!v) return;
  if (isPa(v)) {
    const path = cause.path;
    if (path[path.length - 1] === 'mode') setPath(v, path, mode);
    else setMode(v, mode);
  } else if (cause.resource.kind === 'Policy' || cause.resource.kind === 'MeshPolicy') {
    setPath(v, ['spec', 'peers'], [{ mtls: { mode } }]);
  } else return;
  changes.put(v);
}

/** The DestinationRule setting that makes a client send plaintext sends mTLS (or, with auto mTLS, goes). */
function clientMtlsAt(changes: Changes, cause: Cause | undefined, service: Service, autoMtls: boolean): void {
  if (!cause) {
    // No DestinationRule, auto mTLS off: one for the host, in the service's namespace (found from every namespace).
    const v = planDestinationRule(changes, service);
    setPath(v, ['spec', 'trafficPolicy', 'tls', 'mode'], 'ISTIO_MUTUAL');
    changes.put(v);
    return;
  }
  const v = changes.current(keyOfResource(cause.resource));
  if (!v) return;
  const path = [...cause.path];
  const last = path[path.length - 1];
  if (last === 'mode' || last === 'credentialName') {
    // A tls field decided (its mode, or a credentialName sidecars skip, which leaves them plaintext): the tls object
    // goes (auto mTLS), or says ISTIO_MUTUAL, which reads no credentialName.
    const tls = path.slice(0, -1);
    if (autoMtls) setPath(v, tls, undefined);
    else {
      setPath(v, [...tls, 'mode'], 'ISTIO_MUTUAL');
      setPath(v, [...tls, 'credentialName'], undefined);
    }
  } else if (path.length === 2 && path[1] === 'host') {
    setPath(v, ['spec', 'trafficPolicy', 'tls', 'mode'], 'ISTIO_MUTUAL');
  } else setPath(v, [...path, 'tls', 'mode'], 'ISTIO_MUTUAL');
  changes.put(v);
}

/**
 * Instead of changing a DestinationRule that also covers hosts needing plaintext: one per service that needs mTLS,
 * in the same namespace (and export) so that Istio picks it as the more specific host. None if a name is taken.
 */
function hostRules(
  state: State,
  change: PlanChange,
  services: Set<Service> | undefined,
  autoMtls: boolean,
): PlanChange[] {
  if (!services?.size || change.kind !== 'DestinationRule' || change.namespace === undefined) return [];
  const spec = (change.manifest.spec ?? {}) as Json;
  const out: PlanChange[] = [];
  for (const svc of [...services].sort((a, b) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  )) {
    const host = `${svc.name}.${svc.namespace}.svc.cluster.local`;
    if (spec.host === host) return [];
    const name = `${svc.name}${svc.namespace === change.namespace ? '' : `-${svc.namespace}`}-mtls`;
    if (state.get(keyOf(change.apiVersion, 'DestinationRule', change.namespace, name))) return [];
    out.push(
      changeOf('add', {
        apiVersion: change.apiVersion,
        kind: 'DestinationRule',
        metadata: { name, namespace: change.namespace },
        spec: {
          host,
          ...(autoMtls ? {} : { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
          ...(spec.exportTo !== undefined ? { exportTo: structuredClone(spec.exportTo) } : {}),
        },
      }),
    );
  }
  return out;
}

/** The plan's DestinationRule for a service's host (as this step has it so far, or new). */
function planDestinationRule(changes: Changes, service: Service): Json {
  const name = `${service.name}-mtls`;
  return (
    changes.current(keyOf('networking.istio.io/v1alpha3', 'DestinationRule', service.namespace, name)) ?? {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'DestinationRule',
      metadata: { name, namespace: service.namespace },
      spec: { host: `${service.name}.${service.namespace}.svc.cluster.local` },
    }
  );
}

/** tls DISABLE for these service ports in the plan's DestinationRule for the host. */
function disableAtPorts(changes: Changes, service: Service, ports: number[]): void {
  const v = planDestinationRule(changes, service);
  const settings = ((((v.spec as Json).trafficPolicy ??= {}) as Json).portLevelSettings ??= []) as Json[];
  for (const port of [...ports].sort((a, b) => a - b))
    if (!settings.some((x) => (x.port as Json | undefined)?.number === port))
      settings.push({ port: { number: port }, tls: { mode: 'DISABLE' } });
  changes.put(v);
}

function injectionChange(changes: Changes, w: Workload, mesh: MeshModel, release: Release): void {
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
  if (!v) return;
  const field = release.has('injection-object-selectors') ? 'labels' : 'annotations';
  setPath(v, [...w.podPath, 'metadata', field, 'sidecar.istio.io/inject'], 'true');
  changes.put(v);
}

function dedupeEndpoints(list: Endpoint[], level: 'port' | 'workload'): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const p of list) {
    const k = `${p.workload.resource.id}|${level === 'port' ? p.targetPort : ''}`;
    if (!seen.has(k)) seen.set(k, p);
  }
  return [...seen.values()].sort((a, b) =>
    `${a.workload.resource.id}|${a.targetPort}`.localeCompare(`${b.workload.resource.id}|${b.targetPort}`),
  );
}

/** A PERMISSIVE exception for one server port (or workload): in its own policy, or in the one that selects it. */
function exceptionPolicy(
  changes: Changes,
  p: Endpoint,
  level: 'port' | 'workload',
  hasPa: boolean,
  release: Release,
): PlanChange {
  const ns = p.workload.namespace;
  if (hasPa) {
    // An existing workload-level PeerAuthentication that selects the workload takes the exception.
    const cause = p.connection.server.cause;
    let v: Json | undefined;
    if (cause && isPa(cause.resource.value) && (cause.resource.value.spec as Json | undefined)?.selector)
      v = changes.current(keyOfResource(cause.resource));
    const selector = p.service.selector ?? p.workload.labels;
    v ??= changes.current(
      keyOf(peerAuthenticationApiVersion(release), 'PeerAuthentication', ns, `${p.service.name}-permissive`),
    ) ?? {
      apiVersion: peerAuthenticationApiVersion(release),
      kind: 'PeerAuthentication',
      metadata: { name: `${p.service.name}-permissive`, namespace: ns },
      spec: { selector: { matchLabels: { ...selector } } },
    };
    if (level === 'port' && p.targetPort !== undefined) {
      setPath(v, ['spec', 'portLevelMtls', String(p.targetPort)], { mode: 'PERMISSIVE' });
    } else {
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
  const target = ((v.spec as Json).targets as Json[])[0]!;
  if (level === 'port') {
    const ports = (target.ports as Json[] | undefined) ?? [];
    if (!ports.some((x) => x.number === p.port)) ports.push({ number: p.port });
    target.ports = ports;
  } else delete target.ports;
  changes.put(v);
  return changeOf('add', v);
}

/** Every server port with a sidecar endpoint, as the graph sees it (its exclusions apply). */
function endpoints(ev: Evaluation): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const e of ev.graph.edges) {
    if (e.server.standIn || !e.server.serviceRef) continue;
    for (const c of e.connections) {
      if (!c.serverWorkload || c.serverWorkload.sidecar.state !== 'sidecar') continue;
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
function isScrape(e: Edge): boolean {
  const r = e.evidence.resource;
  return (
    e.client.sidecar === 'none' &&
    ((r?.group === 'monitoring.coreos.com' && (r.kind === 'ServiceMonitor' || r.kind === 'PodMonitor')) ||
      e.evidence.path?.includes('prometheus.io/port') === true)
  );
}

/** "Ingress foo/web spec.rules…: …, at file:line": where the inputs make this caller. */
function evidenceText(e: Edge): string {
  const r = e.evidence.resource;
  if (!r) return e.evidence.description;
  const line = r.span(e.evidence.path ?? []).line;
  return `${e.evidence.description}; ${r.file}:${line}`;
}

function kubeletFix(e: Edge, release: Release): string {
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
function hostPattern(host: string): string {
  return host
    .split('*')
    .map((part) => part.replace(/[.+?^$()[\]{}|\\]/g, (c) => `\\\\${c}`))
    .join('[^.]+');
}

function serverHost(e: Edge): string {
  return `${e.server.service}.${e.server.namespace}.svc.cluster.local`;
}

function explanationOf(e: Edge): string {
  const worst = e.connections.find((c) => c.result.outcome === e.outcome) ?? e.connections[0];
  return worst?.result.explanation ?? e.outcome;
}

/** Plaintext requests (HTTP) and connections (TCP) to these hosts over the last week, by caller. */
function prometheusQueries(hosts: string[]): string[] {
  const selector = hosts.length
    ? `destination_service=~"${hosts.map(hostPattern).join('|')}"`
    : 'destination_service=~".+"';
  return [
    `sum by (source_workload_namespace, source_workload, destination_service) (increase(istio_requests_total{reporter="destination", connection_security_policy="none", ${selector}}[7d]))`,
    `sum by (source_workload_namespace, source_workload, destination_service) (increase(istio_tcp_connections_opened_total{reporter="destination", connection_security_policy="none", ${selector}}[7d]))`,
  ];
}
