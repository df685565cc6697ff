// The oracle: a small reference implementation of the decision table in
// ../shared/research/istio-semantics.md §0 (with §1 PeerAuthentication, §2 legacy Policy, §3 DestinationRule lookup,
// §4 auto mTLS, §5 listener chains, §6 injection), written from that document only. It must not import src/mesh or
// src/graph: a bug in the engine's shortcuts shows up as a disagreement, not as the same answer twice.
//
// It works on the Scenario data (scenario.ts), not on YAML, and covers only what scenario.ts generates. Where the
// spec leaves the answer open it allows every outcome the spec allows, or gives no answer (not compared).
import {
  type AuthzPolicySpec,
  type CallSpec,
  type DestinationRuleSpec,
  type DrTls,
  type LegacyPolicySpec,
  type PaMode,
  type PeerAuthSpec,
  type Scenario,
  type ServicePortSpec,
  type ServiceSpec,
  type VirtualServiceSpec,
  type WorkloadSpec,
} from './scenario.js';
import { DR_LOOKUP_BUG_OPEN } from './known-bugs.js';

type Outcome = 'mtls' | 'plaintext' | 'broken' | 'tls';
type ServerMode = 'NO_SIDECAR' | 'STRICT' | 'PERMISSIVE' | 'DISABLE';
type Sends = 'mtls' | 'plaintext' | 'tls';

interface ConnectionExpectation {
  /** The server workload, "namespace/name". */
  endpoint: string;
  /** The subset a VirtualService routes this connection to (undefined: none, or not routed). */
  subset?: string;
  /** "svc.ns:port" when a VirtualService sends the call to another service port (a redirected connection). */
  target?: string;
  /** Every outcome the spec allows; one, unless the spec marks the case as not verified. */
  outcomes: Outcome[];
  /** The oracle's reasoning, for failure messages. */
  trace: string[];
}

export interface Expectation {
  /** One per backing workload the oracle can decide (an ambiguous workload policy leaves a workload out). */
  connections: ConnectionExpectation[];
  trace: string[];
  /**
   * Routing II: the service ports ("svc.ns:port") a VirtualService sends the call to instead of the one called, and
   * whether some of it still reaches the one called (`own`). Absent: not routed elsewhere.
   */
  routed?: { own: boolean; targets: string[] };
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/** Expected outcome per endpoint of one declared call, or undefined when the oracle does not decide it. */
export function expectCall(s: Scenario, call: CallSpec): Expectation | undefined {
  if (call.entry) {
    // The egress scenario's mesh route sends a sidecar client's call for the entry host to the egress gateway: the
    // client never connects to the host itself; the hop is compared by compare.ts (egressDisagreements).
    const egressCall =
      call.to.name === 'ext.example.org' &&
      call.port === 80 &&
      s.egress?.clients.some((c) => c.namespace === call.from.namespace && c.name === call.from.name);
    const hop = egressCall ? expectEgressHop(s, call.from) : 'none';
    if (hop === undefined) return undefined;
    if (hop !== 'none')
      return {
        connections: [],
        trace: hop.trace,
        routed: { own: false, targets: ['istio-egressgateway.istio-system:443'] },
      };
    return expectEntryCall(s, call);
  }
  const client = s.workloads.find((w) => w.namespace === call.from.namespace && w.name === call.from.name);
  const service = s.services.find((x) => x.namespace === call.to.namespace && x.name === call.to.name);
  if (!client || !service) return undefined;
  // A pod-name host (kafka-0.kafka-headless…) is routed like its headless Service from 1.3 on: the same expectation.
  if (call.undeclared) return expectPassthrough(s, call, client, service);
  if (call.ip?.pod) return expectPodAddress(s, call, client, service, call.ip.pod);
  const port = service.ports.find((p) => p.port === call.port);
  if (!port) return undefined;

  const trace: string[] = [];
  const clientSidecar = clientCaptures(s, client, call.port, trace);
  if (
    clientSidecar &&
    !egressImports(
      s,
      client,
      service.namespace,
      `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`,
      trace,
    )
  ) {
    // A VirtualService the Sidecar imports for this host adds its destinations to the proxy's services (sidecar.go
    // collectImportedServices), so the host may still get a listener and routes: not decided here.
    if (importedVirtualServiceFor(s, client, service, trace)) return undefined;
    return expectEgressMiss(
      s,
      client,
      service,
      port,
      // A per-pod name resolves to that pod's address: the passthrough reaches it alone.
      podEndpoints(
        call,
        s.workloads.filter((w) => w.namespace === service.namespace && w.app === service.name),
      ),
      trace,
    );
  }

  // Routing (VirtualServices visible to the client): each destination is its own cluster — a subset's with the
  // subset's tls on top of the rule's and only the pods with its labels; another host's with that host's rule, port
  // and pods.
  const routes = clientSidecar ? routesFor(s, client, service, port) : undefined;
  if (routes === 'undecided') return undefined;
  // A per-pod name behind a route: the original destination is the pod, in the subset or not; not decided.
  if (routes && call.podHost) return undefined;
  const connections: ConnectionExpectation[] = [];
  let routed: Expectation['routed'];
  if (!routes) {
    const own = clusterConnections(s, client, clientSidecar, service, port, undefined, [], call);
    if (!own) return undefined;
    connections.push(...own);
  } else
    for (const r of routes) {
      const redirected = r.service !== service || r.port !== port;
      const t = [
        `routed by VirtualService ${r.vs} to ${redirected ? `${r.service.name}.${r.service.namespace}:${r.port.port}` : ''}${r.subset ? ` subset ${r.subset}` : ''}`,
      ];
      const leg = clusterConnections(s, client, clientSidecar, r.service, r.port, r.subset, t);
      if (!leg) return undefined;
      if (redirected) {
        routed ??= { own: false, targets: [] };
        const target = `${r.service.name}.${r.service.namespace}:${r.port.port}`;
        if (!routed.targets.includes(target)) routed.targets.push(target);
      } else if (routed) routed.own = true;
      else routed = { own: true, targets: [] };
      for (const c of leg) {
        if (redirected) c.target = `${r.service.name}.${r.service.namespace}:${r.port.port}`;
        connections.push(c);
      }
    }
  if (routed && !routed.targets.length) routed = undefined;
  return routed ? { connections, trace, routed } : { connections, trace };
}

/**
 * The connections of one cluster a sidecar (or plain) client reaches: `service`:`port`, or its subset `subset`.
 * Undefined when the oracle does not decide it (an ambiguous rule lookup, a subset the rule does not define).
 */
function clusterConnections(
  s: Scenario,
  client: WorkloadSpec,
  clientSidecar: boolean,
  service: ServiceSpec,
  port: ServicePortSpec,
  subset: string | undefined,
  routeTrace: string[],
  /** The call, when it names one pod (a per-pod name reaches that pod alone; auto mTLS still sees every endpoint). */
  podCall?: CallSpec,
): ConnectionExpectation[] | undefined {
  const endpoints = s.workloads.filter((w) => w.namespace === service.namespace && w.app === service.name);
  const vms = serviceWorkloadEntries(s, service);
  // A named targetPort is looked up in the WorkloadEntry's own ports (none here): not decided.
  if (vms.length && typeof port.targetPort !== 'number') return undefined;
  // Subsets select endpoints by labels WorkloadEntries here do not carry: not decided.
  if (subset && vms.length) return undefined;
  const trace = [...routeTrace];
  // What the client sidecar does before looking at endpoints: the DestinationRule tls for this port (§0.2.2).
  let tls: DrTls = 'none';
  let rule: RuleFacts | undefined;
  if (clientSidecar) {
    const dr = destinationRuleFor(s, client.namespace, service);
    if (dr === 'unknown') return undefined;
    if (dr) {
      // §3.5: a port entry (service port) replaces the top-level policy; an entry without tls means "no tls".
      const entry = dr.portLevel.find((p) => p.port === port.port);
      tls = entry ? entry.tls : dr.noTrafficPolicy ? 'none' : dr.tls;
      rule = { dr, entry: entry !== undefined };
      trace.push(
        `DestinationRule ${dr.namespace}/${dr.name} (host ${dr.host})${entry ? ` port ${port.port}` : ''}: tls ${tls}`,
      );
    } else trace.push('no DestinationRule');
  }

  const anyEndpointWithoutSidecar =
    endpoints.some((e) => !autoMtlsEndpoint(s, e)) || vms.some((vm) => !vm.sidecar);
  // Headless services: auto mTLS decides for the whole service from every endpoint (§4.3).
  let headless: HeadlessFacts | undefined;
  if (service.headless) {
    headless = { anyWithoutSidecar: false, anyDisable: false, unknown: false };
    for (const endpoint of endpoints) {
      const sidecar = hasSidecar(s, endpoint);
      const targetPort = resolveTargetPort(port, endpoint);
      const mode =
        targetPort === undefined
          ? undefined
          : serverMode(s, endpoint, service, port, targetPort, sidecar, []);
      if (mode === undefined) headless.unknown = true;
      if (!autoMtlsEndpoint(s, endpoint)) headless.anyWithoutSidecar = true;
      else if (mode === 'DISABLE') headless.anyDisable = true;
    }
  }

  let leg: Leg;
  if (!subset) leg = { tls, rule, endpoints: podCall ? podEndpoints(podCall, endpoints) : endpoints, trace };
  else {
    // A subset the client's rule does not define has no cluster at all (503 NR, not a TLS matter): not decided.
    const dr = rule?.dr;
    const sp = dr?.subsetPolicies?.find((x) => x.name === subset);
    if (!dr || !sp) return undefined;
    const selected = endpoints.filter((e) => e.version === subset);
    const reached = selected.length ? selected : endpoints;
    if (sp.tls !== 'none') {
      trace.push(`subset ${subset} tls ${sp.tls}`);
      leg = { tls: sp.tls, rule: { dr, entry: false, subset: 'own-tls' }, endpoints: reached, subset, trace };
    } else {
      trace.push(`subset ${subset} without tls: the rule's ${tls}`);
      leg = { tls, rule: { ...rule!, subset: 'inherits' }, endpoints: reached, subset, trace };
    }
  }

  const connections: ConnectionExpectation[] = [];
  for (const endpoint of leg.endpoints) {
    const tls = leg.tls;
    const rule = leg.rule;
    const t: string[] = [...leg.trace];
    const serverSidecar = hasSidecar(s, endpoint);
    t.push(`server ${endpoint.namespace}/${endpoint.name}: ${serverSidecar ? 'sidecar' : 'no sidecar'}`);
    const targetPort = resolveTargetPort(port, endpoint);
    if (targetPort === undefined) continue;
    const mode = serverMode(s, endpoint, service, port, targetPort, serverSidecar, t);
    if (mode === undefined) continue;
    t.push(`server mode on targetPort ${targetPort}: ${mode}`);
    // The chain that takes the port (a Sidecar's ingress may leave it to the passthrough chain); auto mTLS's
    // endpoint check below still reads the PeerAuthentication for the port.
    const chain = serverSidecar ? ingressChainMode(s, endpoint, targetPort, mode, t) : mode;
    if (chain === undefined) continue;
    const sends = clientSidecar
      ? sidecarSends(
          s,
          tls,
          rule,
          anyEndpointWithoutSidecar,
          service,
          port,
          autoMtlsEndpoint(s, endpoint, t),
          mode,
          headless,
          false,
          t,
        )
      : 'plaintext';
    if (sends === undefined) continue;
    t.push(`client sends: ${sends}`);
    const outcomes = matrix(s, sends, answeredBy(serverSidecar, endpoint, targetPort, chain, t), port);
    t.push(`outcome: ${outcomes.join(' or ')}`);
    const c: ConnectionExpectation = {
      endpoint: `${endpoint.namespace}/${endpoint.name}`,
      outcomes,
      trace: t,
    };
    if (leg.subset) c.subset = leg.subset;
    connections.push(c);
  }
  for (const vm of vms) {
    const t = [...leg.trace, ...vm.trace];
    const targetPort = port.targetPort as number;
    const mode = vm.sidecar ? entryMode(s, vm.namespace, vm.labels, targetPort, t) : 'NO_SIDECAR';
    if (mode === undefined) continue;
    t.push(`server mode on port ${targetPort}: ${mode}`);
    const sends = clientSidecar
      ? sidecarSends(
          s,
          leg.tls,
          leg.rule,
          anyEndpointWithoutSidecar,
          service,
          port,
          vm.sidecar,
          mode,
          undefined,
          false,
          t,
        )
      : 'plaintext';
    if (sends === undefined) continue;
    t.push(`client sends: ${sends}`);
    const outcomes = matrix(s, sends, mode, port);
    t.push(`outcome: ${outcomes.join(' or ')}`);
    connections.push({ endpoint: `${vm.namespace}/${vm.name}`, outcomes, trace: t });
  }
  return connections;
}

/**
 * WorkloadEntries a Kubernetes Service's selector (app=<service>) selects, from Istio's source rather than the
 * engine: kube/controller/controller.go serviceInstancesFromWorkloadInstances (1.7+, PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES
 * on by default): same namespace, not for headless Services (Resolution ClientSideLB only); each keeps the tlsMode of
 * serviceentry/conversion.go getTLSModeFromWorkloadEntry (label, else "istio" with a serviceAccount).
 */
function serviceWorkloadEntries(
  s: Scenario,
  service: ServiceSpec,
): { namespace: string; name: string; sidecar: boolean; labels: Record<string, string>; trace: string[] }[] {
  if (s.version !== '1.30' || service.headless) return [];
  return s.workloadEntries
    .filter((we) => we.namespace === service.namespace && we.app === service.name)
    .map((we) => {
      const label = we.tlsMode ?? (we.serviceAccount ? 'istio' : 'disabled');
      const labels: Record<string, string> = { app: we.app };
      if (we.tlsMode) labels['security.istio.io/tlsMode'] = we.tlsMode;
      return {
        namespace: we.namespace,
        name: we.name,
        sidecar: label === 'istio',
        labels,
        trace: [`WorkloadEntry ${we.namespace}/${we.name} behind the Service: tlsMode ${label}`],
      };
    });
}

/** One cluster the call reaches: what the client's rule says for it, and which endpoints it holds. */
interface Leg {
  tls: DrTls;
  rule: RuleFacts | undefined;
  endpoints: WorkloadSpec[];
  subset?: string;
  trace: string[];
}

// ---- VirtualServices (routing to subsets) --------------------------------------------------------------------

/**
 * The destinations a sidecar `client` is routed to for `service`:`port`, or undefined when no VirtualService
 * applies. Written from Istio's behaviour: a VirtualService applies to sidecars when it names no gateway or names
 * "mesh"; it is visible by exportTo (none: the mesh's defaultVirtualServiceExportTo, where only "." — its own
 * namespace — and "*" count, anything else hides it; "*": everyone; otherwise its namespace for "." and the
 * namespaces named); short hosts are the VirtualService's namespace's. Order: visible only to the client's namespace
 * from that namespace, then exported to it by name, then public, each by "name.namespace" (no creation times). HTTP
 * routes serve HTTP ports, TCP routes TCP ports, both a port whose protocol is sniffed; the first VirtualService with
 * routes of the kind wins. Within it the first route whose sourceLabels the client's pod labels contain (or that has
 * none) sends the call. A destination on another host is that Service's cluster: on the destination's port, else
 * that Service's only port, else the port called ('undecided' when the Service has no such port: a missing cluster).
 */
function routesFor(
  s: Scenario,
  client: WorkloadSpec,
  service: ServiceSpec,
  port: ServicePortSpec,
): { vs: string; service: ServiceSpec; port: ServicePortSpec; subset?: string }[] | undefined | 'undecided' {
  const clientNs = client.namespace;
  const fqdn = `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`;
  const tier = (vs: VirtualServiceSpec): number | undefined => {
    if (!vs.exportTo) {
      const defaults = s.vsDefaultExportTo ?? ['*'];
      if (defaults.includes('.')) return vs.namespace === clientNs ? 0 : undefined;
      return defaults.includes('*') ? 2 : undefined;
    }
    if (vs.exportTo.includes('*')) return 2;
    const names = vs.exportTo.map((e) => (e === '.' ? vs.namespace : e));
    if (!names.includes(clientNs)) return undefined;
    return vs.namespace === clientNs ? 0 : 1;
  };
  const candidates = s.virtualServices
    .filter((vs) => !vs.gateways || vs.gateways.includes('mesh'))
    .filter((vs) => resolveHost(vs.host, vs.namespace) === fqdn)
    .filter((vs) => sidecarImportsVirtualService(s, client, vs))
    .map((vs) => ({ vs, tier: tier(vs) }))
    .filter((x): x is { vs: VirtualServiceSpec; tier: number } => x.tier !== undefined)
    .sort(
      (a, b) =>
        a.tier - b.tier || `${a.vs.name}.${a.vs.namespace}`.localeCompare(`${b.vs.name}.${b.vs.namespace}`),
    );
  const protocol = protocolOf(port);
  const sections = protocol === 'auto' ? (['http', 'tcp'] as const) : ([protocol] as const);
  let out: { vs: string; service: ServiceSpec; port: ServicePortSpec; subset?: string }[] | undefined;
  for (const section of sections) {
    const vs = candidates.find((c) => c.vs.section === section)?.vs;
    if (!vs) continue;
    out ??= [];
    const chosen =
      vs.sourceApp === undefined || vs.sourceApp === client.app ? vs.destinations : (vs.fallback ?? []);
    for (const d of chosen) {
      const host = resolveHost(d.host, vs.namespace);
      const target = s.services.find((x) => `${x.name}.${x.namespace}.${CLUSTER_DOMAIN}` === host);
      if (!target) return 'undecided';
      const number = d.port ?? (target.ports.length === 1 ? target.ports[0]!.port : port.port);
      const targetPort = target.ports.find((p) => p.port === number);
      if (!targetPort) return 'undecided';
      if (out.some((x) => x.service === target && x.port === targetPort && x.subset === d.subset)) continue;
      const r: (typeof out)[number] = { vs: `${vs.namespace}/${vs.name}`, service: target, port: targetPort };
      if (d.subset) r.subset = d.subset;
      out.push(r);
    }
  }
  return out;
}

function resolveTargetPort(port: ServicePortSpec, w: WorkloadSpec): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return w.containerPorts.find((c) => c.name === port.targetPort)?.port;
}

// ---- §6 injection -------------------------------------------------------------------------------------------

/**
 * §6.1/§6.2. hostNetwork never. 1.4/1.5: the webhook is called only for namespaces labelled
 * istio-injection=enabled (no revisions before 1.6), and it reads the pod annotation only: y|yes|true|on (any case)
 * inject, absent → the injector policy, anything else → not injected. 1.30: called for (a) istio-injection=enabled
 * and pod label ≠ "false", (b) istio.io/rev without istio-injection and pod label ≠ "false", (c) neither label and
 * pod label = "true"; it reads the label, else the annotation: "true"/"false" decide, anything else → the policy.
 * Only the pod template counts.
 */
function hasSidecar(s: Scenario, w: WorkloadSpec): boolean {
  if (w.hostNetwork) return false;
  // Issue 17: a proxy in the manifest is a sidecar for traffic only where istio-init redirects traffic to it.
  if (w.bypass?.manualProxy) return w.bypass.manualProxy === 'captured';
  const ns = s.namespaces.find((n) => n.name === w.namespace);
  const podLabel = w.inject.find((i) => i.where === 'pod-label')?.value;
  const podAnnotation = w.inject.find((i) => i.where === 'pod-annotation')?.value;
  const policyInjects = s.injectionPolicy !== 'disabled';
  if (s.version === '1.4' || s.version === '1.5') {
    if (ns?.injection !== 'enabled') return false;
    if (podAnnotation === undefined || podAnnotation === '') return policyInjects;
    return ['y', 'yes', 'true', 'on'].includes(podAnnotation.toLowerCase());
  }
  let webhookCalled: boolean;
  if (ns?.injection === 'enabled') webhookCalled = podLabel !== 'false';
  else if (ns?.injection === undefined && ns?.revision !== undefined) webhookCalled = podLabel !== 'false';
  else if (ns?.injection === undefined) webhookCalled = podLabel === 'true';
  else webhookCalled = false;
  if (!webhookCalled) return false;
  const value = podLabel ?? podAnnotation;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return policyInjects;
}

// ---- §0.1 server mode -------------------------------------------------------------------------------------------

function serverMode(
  s: Scenario,
  w: WorkloadSpec,
  service: ServiceSpec,
  port: ServicePortSpec,
  targetPort: number,
  sidecar: boolean,
  trace: string[],
): ServerMode | undefined {
  if (!sidecar) return 'NO_SIDECAR';
  if (s.version === '1.4') {
    return alphaMode(s, service, port, trace) ?? 'DISABLE'; // §2.5: nothing applies → plaintext only
  }
  const beta = applicableBeta(s, w);
  if (beta === undefined) return undefined;
  if (s.version === '1.5' && beta.length === 0) {
    // §0.1 1.5: alpha only when no v1beta1 PeerAuthentication applies to the pod.
    return alphaMode(s, service, port, trace) ?? 'PERMISSIVE';
  }
  return betaMode(beta, targetPort, trace);
}

/**
 * §1.2: PAs that apply to a pod: mesh (root namespace, no selector), namespace (no selector), workload (selector ⊆
 * pod labels). Root-namespace selector PAs are ignored. Two workload PAs for one pod: the oldest wins (§1.4), which
 * manifests do not tell → undefined.
 */
function applicableBeta(s: Scenario, w: WorkloadSpec): PeerAuthSpec[] | undefined {
  const labels: Record<string, string> = { app: w.app, version: w.version };
  const list = s.peerAuthentications.filter((pa) => {
    if (pa.scope === 'root-selector') return false;
    if (pa.scope === 'mesh') return pa.namespace === s.rootNamespace;
    if (pa.namespace !== w.namespace) return false;
    if (pa.scope === 'namespace') return true;
    return Object.entries(pa.selector ?? {}).every(([k, v]) => labels[k] === v);
  });
  if (list.filter((p) => p.scope === 'workload').length > 1) return undefined;
  return list;
}

function topMode(pa: PeerAuthSpec): PaMode {
  return pa.mode === 'no-mtls' || pa.mode === 'empty-mtls' ? 'UNSET' : pa.mode;
}

/** §1.3/§1.5/§1.7: PERMISSIVE, then mesh, namespace, workload (each if not UNSET), then the workload PA's port entry. */
function betaMode(applicable: PeerAuthSpec[], targetPort: number, trace: string[]): ServerMode {
  let mode: PaMode = 'PERMISSIVE';
  for (const scope of ['mesh', 'namespace', 'workload'] as const) {
    const pa = applicable.find((p) => p.scope === scope);
    if (!pa) continue;
    const m = topMode(pa);
    trace.push(`${scope} PA ${pa.namespace}/${pa.name}: ${m}`);
    if (m !== 'UNSET') mode = m;
  }
  const workloadPa = applicable.find((p) => p.scope === 'workload');
  const portEntry = workloadPa?.portLevel.find((p) => p.port === targetPort);
  if (portEntry) {
    trace.push(`port-level ${targetPort}: ${portEntry.mode}`);
    if (portEntry.mode !== 'UNSET') mode = portEntry.mode;
  }
  return mode as ServerMode;
}

/** The namespace/mesh mode (§1.9, §4.3 1.6+): namespace PA if set, else mesh PA if set; undefined when neither is. */
function namespaceBetaMode(s: Scenario, namespace: string): { mode: PaMode | undefined; anyPa: boolean } {
  const nsPa = s.peerAuthentications.find((p) => p.scope === 'namespace' && p.namespace === namespace);
  const meshPa = s.peerAuthentications.find((p) => p.scope === 'mesh' && p.namespace === s.rootNamespace);
  const anyPa = nsPa !== undefined || meshPa !== undefined;
  if (nsPa && topMode(nsPa) !== 'UNSET') return { mode: topMode(nsPa), anyPa };
  if (meshPa && topMode(meshPa) !== 'UNSET') return { mode: topMode(meshPa), anyPa };
  return { mode: undefined, anyPa };
}

// ---- §2 legacy Policy -------------------------------------------------------------------------------------------

/** §2.1 (1.1–1.5): service-hostname entries, then the namespace entry, then MeshPolicy `default`. */
function alphaPolicy(s: Scenario, service: ServiceSpec, port: ServicePortSpec): LegacyPolicySpec | undefined {
  const serviceLevel = s.legacyPolicies.find((p) => {
    if (p.kind !== 'Policy' || !p.target) return false;
    // §2.2: a short target name resolves against the Policy's own namespace.
    if (p.target.name !== service.name || p.namespace !== service.namespace) return false;
    const sel = p.target.port;
    if (!sel) return true;
    return 'number' in sel ? sel.number === port.port : sel.name === port.name;
  });
  if (serviceLevel) return serviceLevel;
  const namespaceLevel = s.legacyPolicies.find(
    (p) => p.kind === 'Policy' && !p.target && p.namespace === service.namespace,
  );
  if (namespaceLevel) return namespaceLevel;
  return s.legacyPolicies.find((p) => p.kind === 'MeshPolicy' && p.name === 'default');
}

/** §2.3: first mtls peer decides; `mtls: {}`/null/STRICT → STRICT; PERMISSIVE; no mtls peer → plaintext only. */
function alphaMode(
  s: Scenario,
  service: ServiceSpec,
  port: ServicePortSpec,
  trace: string[],
): ServerMode | undefined {
  const p = alphaPolicy(s, service, port);
  if (!p) return undefined;
  const mode: ServerMode =
    p.peers === 'none' ? 'DISABLE' : p.peers === 'permissive' ? 'PERMISSIVE' : 'STRICT';
  trace.push(`legacy ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} (peers ${p.peers}): ${mode}`);
  return mode;
}

// ---- §3 DestinationRule lookup ----------------------------------------------------------------------------------

/** §3.1: a name without a dot gets the DR's namespace appended; anything with a dot is verbatim. */
function resolveHost(host: string, drNamespace: string): string {
  return host.includes('.') ? host : `${host}.${drNamespace}.${CLUSTER_DOMAIN}`;
}

/**
 * Exact host first, else the most specific (longest) matching wildcard. Rules with the same host string in one
 * namespace are merged (§3.3): the oldest rule that has a top-level trafficPolicy gives it (the oldest if none has).
 */
function mostSpecific(candidates: DestinationRuleSpec[], host: string): DestinationRuleSpec | undefined {
  const exact = candidates.filter((d) => resolveHost(d.host, d.namespace) === host);
  if (exact.length) return merged(exact);
  const best = candidates
    .filter((d) => d.host.startsWith('*.') && host.endsWith(d.host.slice(1)))
    .sort((a, b) => b.host.length - a.host.length)[0];
  return best && merged(candidates.filter((d) => d.host === best.host && d.namespace === best.namespace));
}

function merged(group: DestinationRuleSpec[]): DestinationRuleSpec {
  const byAge = [...group].sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
  return byAge.find((d) => !d.noTrafficPolicy) ?? byAge[0]!;
}

const visibleLocally = (d: DestinationRuleSpec, ns: string) =>
  !d.exportTo || d.exportTo.some((e) => e === '.' || e === '*' || e === ns);
const exportedTo = (d: DestinationRuleSpec, ns: string) =>
  !d.exportTo || d.exportTo.some((e) => e === '*' || e === ns);
const isPublic = (d: DestinationRuleSpec) => !d.exportTo || d.exportTo.some((e) => e !== '.');

/**
 * §3.2: the client's namespace (DRs visible there), then the service's namespace, then the root namespace (DRs
 * exported to the client's namespace); the first namespace with a match wins. 'unknown' where the spec is only
 * inferred: the most specific match of a namespace is not exported to the client but a less specific one is.
 */
function destinationRuleFor(
  s: Scenario,
  clientNs: string,
  service: ServiceSpec,
  host = `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`,
): DestinationRuleSpec | undefined | 'unknown' {
  const inNs = (ns: string) => s.destinationRules.filter((d) => d.namespace === ns);
  const inRoot = clientNs === s.rootNamespace;
  const local = inRoot
    ? rootNamespaceLocal(s, inNs(clientNs), host)
    : mostSpecific(
        inNs(clientNs).filter((d) => visibleLocally(d, clientNs)),
        host,
      );
  if (DR_LOOKUP_BUG_OPEN && local && mostSpecific(inNs(clientNs), host) !== local) return 'unknown';
  if (local) return local;
  for (const ns of [service.namespace, s.rootNamespace]) {
    if (ns === clientNs && !inRoot) continue;
    const exported = inNs(ns).filter(isPublic);
    const best = mostSpecific(exported, host);
    if (DR_LOOKUP_BUG_OPEN && mostSpecific(inNs(ns), host) !== best) return 'unknown';
    if (!best) continue;
    if (exportedTo(best, clientNs)) return best;
    if (
      mostSpecific(
        exported.filter((d) => exportedTo(d, clientNs)),
        host,
      )
    )
      return 'unknown';
  }
  return undefined;
}

// ---- §0.2 client side -------------------------------------------------------------------------------------------

/** The DestinationRule a client sidecar uses, and whether the port has its own portLevelSettings entry. */
interface RuleFacts {
  dr: DestinationRuleSpec;
  entry: boolean;
  /**
   * A subset's cluster: 'own-tls' the subset sets tls (the rule's credentialName is not the subset's); 'inherits' it
   * has none, so the rule's applies — but the 1.19+ per-endpoint check reads the subset's own policy only.
   */
  subset?: 'own-tls' | 'inherits';
}

interface HeadlessFacts {
  anyWithoutSidecar: boolean;
  /** A sidecar endpoint whose full policy is DISABLE. */
  anyDisable: boolean;
  unknown: boolean;
}

function sidecarSends(
  s: Scenario,
  tls: DrTls,
  rule: RuleFacts | undefined,
  anyEndpointWithoutSidecar: boolean,
  service: ServiceSpec,
  port: ServicePortSpec,
  serverSidecar: boolean,
  serverMode: ServerMode,
  headless: HeadlessFacts | undefined,
  meshExternal: boolean,
  trace: string[],
): Sends | undefined {
  if (tls === 'ISTIO_MUTUAL') return 'mtls';
  if (tls === 'DISABLE') return 'plaintext';
  if (tls === 'SIMPLE') {
    // 1.7+ (cluster_tls.go buildUpstreamClusterTLSContext): SIMPLE with a credentialName and no workloadSelector
    // gives sidecars no TLS context at all, and no auto mTLS either.
    if (rule?.dr.credentialName && !rule.entry && rule.subset !== 'own-tls' && s.version === '1.30') {
      trace.push('SIMPLE with credentialName, no workloadSelector: the sidecar originates no TLS (1.7+)');
      return 'plaintext';
    }
    return 'tls';
  }

  const auto = s.autoMtls ?? s.version !== '1.4'; // §4.1: 1.4 off, 1.6+ on (1.5 always explicit in scenarios)
  trace.push(`auto mTLS ${auto ? 'on' : 'off'}`);
  if (!auto) return 'plaintext';
  // A MESH_EXTERNAL service (a ServiceEntry's default location) never gets auto mTLS: only an explicit tls above.
  if (meshExternal) {
    trace.push('ServiceEntry MESH_EXTERNAL: no auto mTLS');
    return 'plaintext';
  }

  // §4.3: the server mode inferred for the service; DISABLE → plaintext to every endpoint.
  let inferred: PaMode | ServerMode;
  if (s.version === '1.4') {
    inferred = alphaMode(s, service, port, []) ?? 'DISABLE';
  } else if (s.version === '1.5') {
    const beta = namespaceBetaMode(s, service.namespace);
    if (beta.mode) inferred = beta.mode;
    else {
      const alpha = alphaMode(s, service, port, []);
      // An UNSET-only namespace/mesh PA: whether 1.5 then reads PERMISSIVE or falls back to the alpha policy is not
      // pinned down (§1.9 vs §4.3); it only matters when the alpha policy says plaintext.
      if (beta.anyPa && alpha === 'DISABLE') return undefined;
      inferred = beta.anyPa ? 'PERMISSIVE' : (alpha ?? 'PERMISSIVE');
    }
  } else {
    inferred = namespaceBetaMode(s, service.namespace).mode ?? 'PERMISSIVE';
  }
  trace.push(`inferred service mode: ${inferred}`);
  if (inferred === 'DISABLE') return 'plaintext';
  if (headless) {
    // §4.3: 1.8+ all-or-nothing over the endpoints' tlsMode ([V]); 1.5–1.6 mTLS to all is only inferred and 1.4 is not
    // described; whether a 1.12+ endpoint whose policy is DISABLE counts as "tlsMode disabled" is not traced.
    if (s.version !== '1.30' || headless.unknown) return undefined;
    if (headless.anyWithoutSidecar) {
      trace.push('headless service with an endpoint without a sidecar: auto mTLS sends plaintext to all');
      return 'plaintext';
    }
    // An ORIGINAL_DST cluster has no EDS, so the 1.12+ per-endpoint check (which would see a DISABLE) never runs.
    trace.push(
      `headless service, every endpoint injected: auto mTLS sends mTLS to all${headless.anyDisable ? ' (a workload-level DISABLE is not seen there)' : ''}`,
    );
    return 'mtls';
  }
  if (rule?.dr.lbPassthrough) {
    // DR loadBalancer PASSTHROUGH (§4.3): without a port entry the cluster is ORIGINAL_DST, one decision for every
    // endpoint — 1.10+ all-or-nothing over the endpoints, before that the namespace mode alone (mTLS to all; 1.4 is
    // not described). A port entry keeps an EDS cluster, but 1.10+ still infers from the top-level PASSTHROUGH.
    if (!rule.entry) {
      if (s.version === '1.4') return undefined;
      if (s.version === '1.5') {
        trace.push('loadBalancer PASSTHROUGH before 1.10: mTLS to every endpoint');
        return 'mtls';
      }
      trace.push(
        anyEndpointWithoutSidecar
          ? 'loadBalancer PASSTHROUGH, an endpoint without a sidecar: plaintext to all'
          : 'loadBalancer PASSTHROUGH, every endpoint injected: mTLS to all',
      );
      return anyEndpointWithoutSidecar ? 'plaintext' : 'mtls';
    }
    if (s.version === '1.30' && anyEndpointWithoutSidecar) {
      trace.push(
        'top-level loadBalancer PASSTHROUGH, an endpoint without a sidecar: the service is inferred DISABLE',
      );
      return 'plaintext';
    }
  }
  // §4.2: mTLS to endpoints labelled tlsMode=istio (the injector adds it), plaintext to the rest.
  if (!serverSidecar) return 'plaintext';
  // §4.4, 1.12+: the per-endpoint check reads the rule's top-level tls when the port's entry has none
  // (mtls_checker.go trafficPolicyTLSModeForPort); 1.20+ anything but ISTIO_MUTUAL there means plaintext.
  if (
    s.version === '1.30' &&
    rule?.entry &&
    !rule.subset &&
    !rule.dr.noTrafficPolicy &&
    rule.dr.tls !== 'none'
  ) {
    trace.push(`per-endpoint check reads the top-level tls ${rule.dr.tls}`);
    return rule.dr.tls === 'ISTIO_MUTUAL' ? 'mtls' : 'plaintext';
  }
  // §4.4: 1.12+ strips tlsMode from endpoints whose full policy (workload/port level included) is DISABLE.
  if (s.version === '1.30' && serverMode === 'DISABLE') return 'plaintext';
  return 'mtls';
}

// ---- calls to a port the Service does not declare (issue 17) ----------------------------------------------------

/**
 * A port a headless Service does not declare, called on its pods' addresses. From Istio's source (not the reference,
 * which leaves it open, §9 item 7): the client sidecar has no listener or cluster for it, so its virtual outbound
 * listener's TCP proxy sends it to the PassthroughCluster (plaintext, no auto mTLS) under ALLOW_ANY, or to the
 * BlackHoleCluster under REGISTRY_ONLY (the call fails whatever the server does). The server's inbound passthrough
 * chain: 1.4 a plain TCP proxy (plaintext passes, §2.6); 1.5+ the workload's PeerAuthentication composed without
 * alpha policies, port-level entries only from 1.9 (per-port passthrough chains, §1.7).
 */
function expectPassthrough(
  s: Scenario,
  call: CallSpec,
  client: WorkloadSpec,
  service: ServiceSpec,
): Expectation | undefined {
  const trace: string[] = [];
  const clientSidecar = clientCaptures(s, client, call.port, trace);
  trace.push(`port ${call.port} is not declared by ${service.name}.${service.namespace}: passthrough`);
  const blocked = clientSidecar && registryOnlyFor(s, client);
  if (clientSidecar)
    trace.push(blocked ? 'REGISTRY_ONLY: BlackHoleCluster' : 'ALLOW_ANY: PassthroughCluster, plaintext');
  const endpoints = podEndpoints(
    call,
    s.workloads.filter((w) => w.namespace === service.namespace && w.app === service.name),
  );
  const connections: ConnectionExpectation[] = [];
  for (const endpoint of endpoints) {
    const t: string[] = [];
    const serverSidecar = hasSidecar(s, endpoint);
    t.push(`server ${endpoint.namespace}/${endpoint.name}: ${serverSidecar ? 'sidecar' : 'no sidecar'}`);
    if (blocked) {
      connections.push({
        endpoint: `${endpoint.namespace}/${endpoint.name}`,
        outcomes: ['broken'],
        trace: t,
      });
      continue;
    }
    let mode: ServerMode;
    const bypassed = serverSidecar && inboundBypassed(endpoint, call.port, t);
    const listed = serverSidecar && !bypassed && ingressPorts(s, endpoint)?.includes(call.port);
    if (listed) {
      // A Sidecar ingress listener for the port: a chain of its own, port-level settings included (1.4 and 1.5
      // without a PeerAuthentication would need the alpha policy of a synthetic service: not decided).
      const beta = applicableBeta(s, endpoint);
      if (s.version === '1.4' || beta === undefined || (s.version === '1.5' && !beta.length)) continue;
      t.push(`Sidecar ingress lists port ${call.port}: its own chain`);
      mode = betaMode(beta, call.port, t);
    } else if (!serverSidecar || bypassed) mode = 'NO_SIDECAR';
    else if (s.version === '1.4') mode = 'PERMISSIVE';
    else {
      const beta = applicableBeta(s, endpoint);
      if (beta === undefined) continue;
      mode = betaMode(beta, s.version === '1.30' ? call.port : -1, t);
    }
    t.push(`passthrough chain mode: ${mode}`);
    const outcomes = matrix(s, 'plaintext', mode, { port: call.port, targetPort: call.port });
    connections.push({ endpoint: `${endpoint.namespace}/${endpoint.name}`, outcomes, trace: t });
  }
  return { connections, trace };
}

// ---- Sidecar ingress listeners and per-pod names (issue 17, bypass2) ------------------------------------------

/**
 * From Istio's source (listener_inbound.go buildInboundChainConfigs, 1.1–1.30): with ingress listeners, only their
 * ports get inbound chains; any other port goes to the inbound passthrough chains (buildInboundPassthroughChains):
 * a plain TCP proxy in 1.4 (the application reads what was sent), the workload's PeerAuthentication without
 * port-level entries in 1.5 (port 0), with them from 1.9 (per-port passthrough chains). Legacy Policies never.
 */
function ingressChainMode(
  s: Scenario,
  w: WorkloadSpec,
  targetPort: number,
  mode: ServerMode,
  trace: string[],
): ServerMode | undefined {
  const ports = ingressPorts(s, w);
  if (!ports || ports.includes(targetPort)) return mode;
  trace.push(`Sidecar ingress (${ports.join(', ')}) leaves port ${targetPort} to the passthrough chain`);
  if (s.version === '1.4') return 'NO_SIDECAR';
  const beta = applicableBeta(s, w);
  if (beta === undefined) return undefined;
  return betaMode(beta, s.version === '1.30' ? targetPort : -1, trace);
}

function ingressPorts(s: Scenario, w: WorkloadSpec): number[] | undefined {
  return s.sidecarIngress?.find((x) => x.namespace === w.namespace && x.workload === w.name)?.ports;
}

/**
 * A call to a pod's IP (from an Endpoints object) on a port a Service routes to it. From Istio's source: the client
 * sidecar's listeners and routes know Service VIPs and hostnames, not pod IPs of a ClusterIP Service, so the call
 * leaves through the PassthroughCluster in plaintext (BlackHoleCluster under REGISTRY_ONLY); the pod's own chain for
 * that port answers it (the Service instance's policies, Sidecar ingress permitting).
 */
function expectPodAddress(
  s: Scenario,
  call: CallSpec,
  client: WorkloadSpec,
  service: ServiceSpec,
  pod: string,
): Expectation | undefined {
  const endpoint = s.workloads.find((w) => w.namespace === service.namespace && w.name === pod);
  if (!endpoint) return undefined;
  const port = service.ports.find((p) => resolveTargetPort(p, endpoint) === call.port);
  if (!port) return undefined;
  const trace: string[] = [`pod address ${call.ip!.address} of ${endpoint.name}`];
  const clientSidecar = hasSidecar(s, client);
  trace.push(`client ${client.namespace}/${client.name}: ${clientSidecar ? 'sidecar' : 'no sidecar'}`);
  const t: string[] = [];
  const id = `${endpoint.namespace}/${endpoint.name}`;
  if (clientSidecar && s.registryOnly) {
    t.push('REGISTRY_ONLY: BlackHoleCluster');
    return { connections: [{ endpoint: id, outcomes: ['broken'], trace: t }], trace };
  }
  if (clientSidecar) t.push('no cluster for a pod IP: PassthroughCluster, plaintext');
  const serverSidecar = hasSidecar(s, endpoint);
  const mode = serverMode(s, endpoint, service, port, call.port, serverSidecar, t);
  if (mode === undefined) return undefined;
  const chain = serverSidecar ? ingressChainMode(s, endpoint, call.port, mode, t) : mode;
  if (chain === undefined) return undefined;
  t.push(`server chain: ${chain}`);
  const outcomes = matrix(s, 'plaintext', chain, port);
  return { connections: [{ endpoint: id, outcomes, trace: t }], trace };
}

/** The endpoints a call reaches: one pod's workload for a per-pod name, else all. */
function podEndpoints(call: CallSpec, endpoints: WorkloadSpec[]): WorkloadSpec[] {
  return call.podHost ? endpoints.filter((w) => w.name === call.podHost!.pod) : endpoints;
}

// ---- §0.3 outcome matrix ------------------------------------------------------------------------------------

type Protocol = 'http' | 'tcp' | 'auto';

/** §5.1: the port's protocol from its name prefix; unnamed = auto-detected. */
function protocolOf(port: ServicePortSpec): Protocol {
  if (port.name === undefined) return 'auto';
  const prefix = port.name.split('-')[0]!;
  if (['http', 'http2', 'grpc'].includes(prefix)) return 'http';
  return 'tcp';
}

function matrix(s: Scenario, sends: Sends, mode: ServerMode, port: ServicePortSpec): Outcome[] {
  const modern = s.version === '1.30'; // §5.1 filter-chain table from 1.10
  switch (mode) {
    case 'NO_SIDECAR':
      return [sends === 'mtls' ? 'broken' : sends];
    case 'DISABLE':
      if (sends === 'tls') return modern ? ['broken'] : ['broken', 'tls']; // §5.2: before 1.10 it depends
      return [sends === 'mtls' ? 'broken' : 'plaintext'];
    case 'PERMISSIVE': {
      if (sends !== 'tls') return [sends];
      const protocol = protocolOf(port);
      if (protocol === 'http') return ['broken'];
      if (protocol === 'tcp') return ['tls'];
      return modern ? ['tls'] : ['tls', 'broken'];
    }
    case 'STRICT':
      return [sends === 'mtls' ? 'mtls' : 'broken'];
  }
}

// ---- ServiceEntries and WorkloadEntries -----------------------------------------------------------------------

interface EntryEndpoint {
  /** "namespace/name" as the engine names the endpoint. */
  id: string;
  sidecar: boolean;
  mode: ServerMode | undefined;
  trace: string[];
  /** The entry port bypasses the pod's sidecar (its application answers it). */
  bypassed?: boolean;
}

/**
 * A call to a ServiceEntry host. From Istio's source, not the engine: serviceentry/conversion.go (convertServices:
 * MeshExternal unless location MESH_INTERNAL; endpoints from the workloadSelector — pods and WorkloadEntries of the
 * entry's namespace —, else inline endpoints, else for DNS/NONE the host itself with TLSMode disabled;
 * getTLSModeFromWorkloadEntry: tlsMode label, else "istio" with a serviceAccount, for inline endpoints from 1.7),
 * cluster_tls.go buildUpstreamTLSSettings (meshExternal: no auto mTLS), push_context.go
 * BestEffortInferServiceMTLSMode (resolution NONE: ORIGINAL_DST, all-or-nothing over the endpoints). A WorkloadEntry's
 * tlsMode says whether a sidecar runs there; its PeerAuthentications select it by its labels in its namespace.
 */
function expectEntryCall(s: Scenario, call: CallSpec): Expectation | undefined {
  const client = s.workloads.find((w) => w.namespace === call.from.namespace && w.name === call.from.name);
  const se = s.serviceEntries.find((x) => x.namespace === call.to.namespace && x.host === call.to.name);
  if (!client || !se || se.port.port !== call.port) return undefined;
  const port = se.port;
  // For the legacy/namespace lookups: a service named by the host (no legacy Policy targets it).
  const service: ServiceSpec = { namespace: se.namespace, name: se.host, ports: [port] };
  const trace: string[] = [
    `ServiceEntry ${se.namespace}/${se.name} ${se.location ?? 'MESH_EXTERNAL (default)'}, resolution ${se.resolution}`,
  ];

  const endpoints: EntryEndpoint[] = [];
  if (se.selector) {
    for (const w of s.workloads.filter((x) => x.namespace === se.namespace && x.app === se.selector!.app)) {
      const t: string[] = [];
      const sidecar = hasSidecar(s, w);
      t.push(`pod ${w.namespace}/${w.name} selected: ${sidecar ? 'sidecar' : 'no sidecar'}`);
      // No container port carries the entry port's name here: the endpoint port is the entry's port number.
      const e: EntryEndpoint = {
        id: `${w.namespace}/${w.name}`,
        sidecar: autoMtlsEndpoint(s, w, t),
        mode: serverMode(s, w, service, port, port.port, sidecar, t),
        trace: t,
      };
      if (sidecar && inboundBypassed(w, port.port, t)) e.bypassed = true;
      endpoints.push(e);
    }
    for (const we of s.workloadEntries.filter(
      (x) => x.namespace === se.namespace && x.app === se.selector!.app,
    )) {
      const label = we.tlsMode ?? (we.serviceAccount ? 'istio' : 'disabled');
      const sidecar = label === 'istio';
      const t = [
        `WorkloadEntry ${we.namespace}/${we.name}: tlsMode ${label}${we.tlsMode ? '' : ' (derived)'}`,
      ];
      const labels: Record<string, string> = { app: we.app };
      if (we.tlsMode) labels['security.istio.io/tlsMode'] = we.tlsMode;
      endpoints.push({
        id: `${we.namespace}/${we.name}`,
        sidecar,
        mode: sidecar ? entryMode(s, we.namespace, labels, port.port, t) : 'NO_SIDECAR',
        trace: t,
      });
    }
  } else if (se.endpoints) {
    se.endpoints.forEach((e, i) => {
      const label = e.tlsMode ?? (e.serviceAccount && s.version === '1.30' ? 'istio' : 'disabled');
      const sidecar = label === 'istio';
      const t = [`inline endpoint ${i}: tlsMode ${label}`];
      const labels: Record<string, string> = e.tlsMode ? { 'security.istio.io/tlsMode': e.tlsMode } : {};
      endpoints.push({
        id: `${se.namespace}/${se.name} endpoints[${i}]`,
        sidecar,
        mode: sidecar ? entryMode(s, se.namespace, labels, port.port, t) : 'NO_SIDECAR',
        trace: t,
      });
    });
  } else if (se.resolution !== 'STATIC') {
    endpoints.push({
      id: `${se.namespace}/${se.name}`,
      sidecar: false,
      mode: 'NO_SIDECAR',
      trace: ['the host itself (tlsMode disabled)'],
    });
  }
  if (!endpoints.length) return undefined;

  const clientSidecar = clientCaptures(s, client, port.port, trace);
  if (clientSidecar && !entryExported(s, se.exportTo, se.namespace, client.namespace)) {
    // Not in the client's registry: the host is unknown to its sidecar (PassthroughCluster or BlackHoleCluster).
    const blocked = s.registryOnly === true;
    trace.push(
      `exportTo [${se.exportTo!.join(', ')}] leaves out ${client.namespace}: ${blocked ? 'REGISTRY_ONLY, BlackHoleCluster' : 'ALLOW_ANY, PassthroughCluster in plaintext'}`,
    );
    const connections: ConnectionExpectation[] = [];
    for (const e of endpoints) {
      if (e.mode === undefined) continue;
      const outcomes: Outcome[] = blocked ? ['broken'] : matrix(s, 'plaintext', e.mode, port);
      connections.push({ endpoint: e.id, outcomes, trace: [...e.trace, `server mode: ${e.mode}`] });
    }
    return { connections, trace };
  }
  // A Sidecar that does not import the entry's host: DNS for it is another matter, not decided.
  if (clientSidecar && !egressImports(s, client, se.namespace, se.host, trace)) return undefined;
  let tls: DrTls = 'none';
  let rule: RuleFacts | undefined;
  if (clientSidecar) {
    const dr = destinationRuleFor(s, client.namespace, service, se.host);
    if (dr === 'unknown') return undefined;
    if (dr) {
      const entry = dr.portLevel.find((p) => p.port === port.port);
      tls = entry ? entry.tls : dr.noTrafficPolicy ? 'none' : dr.tls;
      rule = { dr, entry: entry !== undefined };
      trace.push(`DestinationRule ${dr.namespace}/${dr.name} (host ${dr.host}): tls ${tls}`);
    } else trace.push('no DestinationRule');
  }
  const anyEndpointWithoutSidecar = endpoints.some((e) => !e.sidecar);
  let headless: HeadlessFacts | undefined;
  if (se.resolution === 'NONE') {
    headless = { anyWithoutSidecar: anyEndpointWithoutSidecar, anyDisable: false, unknown: false };
    for (const e of endpoints) {
      if (e.mode === undefined) headless.unknown = true;
      else if (e.sidecar && e.mode === 'DISABLE') headless.anyDisable = true;
    }
  }
  const connections: ConnectionExpectation[] = [];
  for (const e of endpoints) {
    if (e.mode === undefined) continue;
    const t = [...e.trace, `server mode: ${e.mode}`];
    const sends = clientSidecar
      ? sidecarSends(
          s,
          tls,
          rule,
          anyEndpointWithoutSidecar,
          service,
          port,
          e.sidecar,
          e.mode,
          headless,
          se.location !== 'MESH_INTERNAL',
          t,
        )
      : 'plaintext';
    if (sends === undefined) continue;
    t.push(`client sends: ${sends}`);
    const outcomes = matrix(s, sends, e.bypassed ? 'NO_SIDECAR' : e.mode, port);
    t.push(`outcome: ${outcomes.join(' or ')}`);
    connections.push({ endpoint: e.id, outcomes, trace: t });
  }
  return { connections, trace };
}

/**
 * Is a ServiceEntry in the registry of sidecars in `clientNs`? push_context.go initServiceRegistry: no exportTo is
 * public (defaultServiceExportTo "*"); 1.7+ "*" public, "~" nobody, "." and the own namespace private, names those
 * namespaces; before 1.7 "." anywhere private and anything else public.
 */
function entryExported(s: Scenario, exportTo: string[] | undefined, ns: string, clientNs: string): boolean {
  if (!exportTo?.length) return true;
  if (s.version !== '1.30') return exportTo.includes('.') ? clientNs === ns : true;
  if (exportTo.includes('*')) return true;
  if (exportTo.includes('~')) return false;
  return exportTo.map((e) => (e === '.' ? ns : e)).includes(clientNs);
}

/** §1.3 for an endpoint that is not a pod: the PeerAuthentications of its namespace whose selector its labels meet. */
function entryMode(
  s: Scenario,
  namespace: string,
  labels: Record<string, string>,
  targetPort: number,
  trace: string[],
): ServerMode | undefined {
  const list = s.peerAuthentications.filter((pa) => {
    if (pa.scope === 'root-selector') return false;
    if (pa.scope === 'mesh') return pa.namespace === s.rootNamespace;
    if (pa.namespace !== namespace) return false;
    if (pa.scope === 'namespace') return true;
    return Object.entries(pa.selector ?? {}).every(([k, v]) => labels[k] === v);
  });
  if (list.filter((p) => p.scope === 'workload').length > 1) return undefined;
  return betaMode(list, targetPort, trace);
}

// ---- entries2: the egress gateway hop ----------------------------------------------------------------------------

/**
 * The hop of a sidecar client of `ext.example.org` to the egress gateway its mesh route names (scenario.ts
 * EgressSpec): 'none' when there is no hop (a client without a sidecar resolves the host itself), undefined when not
 * decided. From Istio's behaviour, not the engine: the route's cluster is the gateway host's subset `ext`, whose tls
 * comes from the DestinationRule the client uses for the gateway host (§3.2; another rule there has no subset `ext`:
 * 503 NR, not decided); without tls, auto mTLS decides per endpoint from the endpoint's tlsMode label, which the
 * gateway pod lacks (plaintext). The gateway proxy serves port 443 by its Gateway server: tls ISTIO_MUTUAL takes
 * Istio mTLS only, a plain HTTP server plaintext only.
 */
export function expectEgressHop(
  s: Scenario,
  from: { namespace: string; name: string },
): Expectation | 'none' | undefined {
  const e = s.egress;
  const client = s.workloads.find((w) => w.namespace === from.namespace && w.name === from.name);
  if (!e || !client) return undefined;
  if (!hasSidecar(s, client)) return 'none';
  // The route has no exportTo: the mesh's defaultVirtualServiceExportTo decides who sees it ("." its namespace only,
  // "*" everyone, anything else nobody), push_context.go initVirtualServices.
  const defaults = s.vsDefaultExportTo ?? ['*'];
  if (defaults.includes('.') ? from.namespace !== e.namespace : !defaults.includes('*')) return 'none';
  const trace = [
    `client ${from.namespace}/${from.name}: sidecar, routed to istio-egressgateway:443 subset ext`,
  ];
  const gatewayHost = `istio-egressgateway.${'istio-system'}.${CLUSTER_DOMAIN}`;
  const marker: DestinationRuleSpec = {
    namespace: e.ruleNamespace,
    name: 'egress-for-ext',
    host: gatewayHost,
    tls: 'none',
    noTrafficPolicy: true,
    portLevel: [],
  };
  const gatewayService: ServiceSpec = {
    namespace: 'istio-system',
    name: 'istio-egressgateway',
    ports: [{ port: 443, targetPort: 8443, name: 'https' }],
  };
  const dr = destinationRuleFor(
    { ...s, destinationRules: [...s.destinationRules, marker] },
    from.namespace,
    gatewayService,
  );
  if (dr !== marker) return undefined;
  const sends: Sends = e.ruleTls === 'ISTIO_MUTUAL' ? 'mtls' : 'plaintext';
  trace.push(
    `DestinationRule ${e.ruleNamespace}/egress-for-ext subset ext: ${e.ruleTls === 'none' ? 'no tls, auto mTLS: the gateway pod has no tlsMode label' : `tls ${e.ruleTls}`} → ${sends}`,
  );
  const outcome: Outcome = e.gatewayTls
    ? sends === 'mtls'
      ? 'mtls'
      : 'broken'
    : sends === 'mtls'
      ? 'broken'
      : 'plaintext';
  trace.push(`Gateway server 443 ${e.gatewayTls ? 'ISTIO_MUTUAL' : 'HTTP without tls'}: ${outcome}`);
  return {
    connections: [{ endpoint: 'istio-system/istio-egressgateway', outcomes: [outcome], trace: [] }],
    trace,
  };
}

// ---- issue 17 audit: proxies in the root namespace, traffic the sidecar never sees ------------------------------

/**
 * push_context.go destinationRule(): a proxy in the root namespace does not consult that namespace's rules first (its
 * public rules are the mesh-wide catch-alls meant to come last); from 1.8 only its private rules (exportTo "." or its
 * own name alone: SetDestinationRules isPrivateOnly, rootNamespaceLocal) come first; 1.7 and before none.
 */
function rootNamespaceLocal(
  s: Scenario,
  rules: DestinationRuleSpec[],
  host: string,
): DestinationRuleSpec | undefined {
  if (s.version !== '1.30') return undefined;
  const privateOnly = (d: DestinationRuleSpec) =>
    d.exportTo?.length === 1 && (d.exportTo[0] === '.' || d.exportTo[0] === d.namespace);
  return mostSpecific(rules.filter(privateOnly), host);
}

/**
 * Does the client's sidecar see its traffic to `port`? istio-iptables (fed from the pod annotations by the injector's
 * template) leaves out excludeOutboundPorts, and captures only includeOutboundIPRanges: "" nothing, "*" everything.
 * Traffic past the sidecar leaves as the application sent it: plaintext.
 */
function clientCaptures(s: Scenario, client: WorkloadSpec, port: number, trace: string[]): boolean {
  const sidecar = hasSidecar(s, client);
  trace.push(`client ${client.namespace}/${client.name}: ${sidecar ? 'sidecar' : 'no sidecar'}`);
  if (!sidecar) return false;
  const b = client.bypass;
  if (b?.excludeOutbound?.includes(port)) {
    trace.push(`excludeOutboundPorts ${b.excludeOutbound.join(',')}: port ${port} leaves past the sidecar`);
    return false;
  }
  if (b?.includeOutboundRanges === '') {
    trace.push('includeOutboundIPRanges "": no outbound traffic is captured');
    return false;
  }
  return true;
}

/**
 * Is inbound traffic to container port `port` left to the application? istio-iptables redirects includeInboundPorts
 * ("*" by default since 1.3, "" none) minus excludeInboundPorts.
 */
function inboundBypassed(w: WorkloadSpec, port: number, trace: string[]): boolean {
  const b = w.bypass;
  if (b?.excludeInbound?.includes(port)) {
    trace.push(`excludeInboundPorts ${b.excludeInbound.join(',')}: port ${port} bypasses the sidecar`);
    return true;
  }
  const inc = b?.includeInbound;
  if (inc === undefined || inc === '*' || (Array.isArray(inc) && inc.includes(port))) return false;
  trace.push(
    `includeInboundPorts "${Array.isArray(inc) ? inc.join(',') : inc}": port ${port} is not captured`,
  );
  return true;
}

/** What answers a connection: NO_SIDECAR when the port bypasses the server's sidecar, else its mode. */
function answeredBy(
  sidecar: boolean,
  w: WorkloadSpec,
  port: number,
  mode: ServerMode,
  trace: string[],
): ServerMode {
  return sidecar && inboundBypassed(w, port, trace) ? 'NO_SIDECAR' : mode;
}

/**
 * Does auto mTLS treat this endpoint as a sidecar endpoint? It matches the endpoint's tlsMode label, which the
 * injector sets to "istio" unless the pod already carries one (injection template: `index .ObjectMeta.Labels
 * "security.istio.io/tlsMode" | default "istio"`; 1.4–1.8 inject.go/webhook.go add it only when absent).
 */
function autoMtlsEndpoint(s: Scenario, w: WorkloadSpec, trace?: string[]): boolean {
  if (!hasSidecar(s, w)) return false;
  const label = w.bypass?.tlsModeLabel;
  if (label === undefined || label === 'istio') return true;
  trace?.push(`pod label security.istio.io/tlsMode=${label}: auto mTLS sees no sidecar endpoint`);
  return false;
}

/** The Sidecar that configures a workload's proxy: its namespace's, else the root namespace's (getSidecarScope). */
function sidecarScope(s: Scenario, w: WorkloadSpec) {
  return (
    s.sidecars?.find((x) => x.namespace === w.namespace) ??
    s.sidecars?.find((x) => x.namespace === s.rootNamespace)
  );
}

/**
 * Does the client's proxy have configuration for `host` of `hostNamespace`? Without a Sidecar, everything. Egress
 * hosts are "namespace/dnsName": "*" any namespace, "~" none, "." the proxy's own namespace (a root-namespace Sidecar
 * is converted per proxy namespace: sidecar.go convertIstioListenerToWrapper); dnsName "*", a name, or "*.suffix".
 */
function egressImports(
  s: Scenario,
  client: WorkloadSpec,
  hostNamespace: string,
  host: string,
  trace: string[],
): boolean {
  const scope = sidecarScope(s, client);
  if (!scope) return true;
  const imported = scope.hosts.some((h) => {
    const [ns, dns] = h.split('/') as [string, string];
    const nsOk = ns === '*' || (ns === '.' ? client.namespace : ns) === hostNamespace;
    return nsOk && (dns === '*' || dns === host || (dns.startsWith('*.') && host.endsWith(dns.slice(1))));
  });
  if (!imported)
    trace.push(
      `Sidecar ${scope.namespace}/default egress (${scope.hosts.join(', ')}) does not import ${host}`,
    );
  return imported;
}

/** The client's outboundTrafficPolicy: its Sidecar's (1.3+), else the mesh's. */
function registryOnlyFor(s: Scenario, client: WorkloadSpec): boolean {
  const own = sidecarScope(s, client)?.outboundTrafficPolicy;
  return own ? own === 'REGISTRY_ONLY' : s.registryOnly === true;
}

/**
 * A service the client's Sidecar does not import: no cluster for it, so the outbound catch-all sends the traffic to
 * the PassthroughCluster (plaintext, no DestinationRule, no auto mTLS) under ALLOW_ANY, to the BlackHoleCluster under
 * REGISTRY_ONLY (listener_builder.go buildOutboundCatchAllNetworkFiltersOnly; httproute.go catch-all virtual host).
 */
function expectEgressMiss(
  s: Scenario,
  client: WorkloadSpec,
  service: ServiceSpec,
  port: ServicePortSpec,
  endpoints: WorkloadSpec[],
  trace: string[],
): Expectation {
  const blocked = registryOnlyFor(s, client);
  trace.push(blocked ? 'REGISTRY_ONLY: BlackHoleCluster' : 'ALLOW_ANY: PassthroughCluster, plaintext');
  const connections: ConnectionExpectation[] = [];
  for (const endpoint of endpoints) {
    const t: string[] = [];
    const sidecar = hasSidecar(s, endpoint);
    const targetPort = resolveTargetPort(port, endpoint);
    if (targetPort === undefined) continue;
    const mode = serverMode(s, endpoint, service, port, targetPort, sidecar, t);
    if (mode === undefined) continue;
    const outcomes = blocked
      ? (['broken'] as Outcome[])
      : matrix(s, 'plaintext', answeredBy(sidecar, endpoint, targetPort, mode, t), port);
    t.push(`outcome: ${outcomes.join(' or ')}`);
    connections.push({ endpoint: `${endpoint.namespace}/${endpoint.name}`, outcomes, trace: t });
  }
  return { connections, trace };
}

// ---- issue 17: Sidecar egress hosts import VirtualServices -------------------------------------------------------

/**
 * Does the client's Sidecar import VirtualService `vs`? Written from Istio 1.22 virtualservice.go
 * SelectVirtualServices: an egress host "ns/dnsName" imports the VirtualServices of namespace ns ("*": any; "." the
 * proxy's own namespace, also in a root-namespace Sidecar: sidecar.go convertIstioListenerToWrapper) whose host
 * (resolved to an FQDN in the VirtualService's namespace) matches dnsName (sidecar.go VSMatches: equal, or either side
 * a wildcard that matches the other). Without a Sidecar every visible VirtualService applies.
 */
function sidecarImportsVirtualService(s: Scenario, client: WorkloadSpec, vs: VirtualServiceSpec): boolean {
  const scope = sidecarScope(s, client);
  if (!scope) return true;
  const host = resolveHost(vs.host, vs.namespace);
  return scope.hosts.some((h) => {
    const [ns, dns] = h.split('/') as [string, string];
    const nsOk = ns === '*' || (ns === '.' ? client.namespace : ns) === vs.namespace;
    return nsOk && (dns === '*' || dns === host || (dns.startsWith('*.') && host.endsWith(dns.slice(1))));
  });
}

/** A mesh VirtualService for `service` that the client's Sidecar imports (named in the trace), if any. */
function importedVirtualServiceFor(
  s: Scenario,
  client: WorkloadSpec,
  service: ServiceSpec,
  trace: string[],
): boolean {
  const fqdn = `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`;
  const vs = s.virtualServices.find(
    (v) =>
      (!v.gateways || v.gateways.includes('mesh')) &&
      resolveHost(v.host, v.namespace) === fqdn &&
      sidecarImportsVirtualService(s, client, v),
  );
  if (vs) trace.push(`Sidecar imports VirtualService ${vs.namespace}/${vs.name} for ${fqdn}: not decided`);
  return vs !== undefined;
}

// ---- authz (issue 17): who an AuthorizationPolicy denies for lack of a peer identity, and what nothing enforces ---
// From Istio's authz builder (pilot/pkg/security/authz/builder): the policies are turned into the RBAC filter of the
// proxy's inbound listener, so only a proxy that receives the connection applies them. A plaintext connection has no
// peer certificate, hence no principal and no namespace: an ALLOW rule on source.principals/namespaces never matches
// it, and a workload with an ALLOW policy denies every request that no ALLOW rule matches (403 RBAC: access denied).
// A policy in the root namespace applies to the workloads of every namespace; elsewhere to its own namespace's only.

/** Does the policy select the workload (namespace scope, then matchLabels ⊆ pod labels)? */
function authzSelects(s: Scenario, ap: AuthzPolicySpec, w: WorkloadSpec): boolean {
  if (ap.namespace !== s.rootNamespace && ap.namespace !== w.namespace) return false;
  if (!ap.selector) return true;
  return (
    ap.selector.app === w.app && (ap.selector.version === undefined || ap.selector.version === w.version)
  );
}

/** One (client, server service port) pair of a declared call, and the policies that deny it its plaintext. */
export interface AuthzPairExpectation {
  client: string;
  /** "svc.ns:port": the service port the engine's edge names (a VirtualService's target when routed elsewhere). */
  server: string;
  /** Policies ("ns/name") that deny some connection of the pair for lack of identity. */
  denies: string[];
  /** Policies the oracle cannot decide for the pair (an open outcome, or a server it does not model). */
  undecided: string[];
  trace: string[];
}

/** Per declared call: for each service port it reaches, which policies deny the caller; undefined: not decided. */
export function expectAuthzCall(s: Scenario, call: CallSpec): AuthzPairExpectation[] | undefined {
  const policies = s.authorizationPolicies ?? [];
  if (call.entry || call.ip) return undefined;
  const expected = expectCall(s, call);
  if (!expected) return undefined;
  const client = `${call.from.namespace}/${call.from.name}`;
  const pairs = new Map<string, AuthzPairExpectation>();
  for (const c of expected.connections) {
    const server = c.target ?? `${call.to.name}.${call.to.namespace}:${call.port}`;
    let pair = pairs.get(server);
    if (!pair) pairs.set(server, (pair = { client, server, denies: [], undecided: [], trace: [] }));
    const w = s.workloads.find((x) => `${x.namespace}/${x.name}` === c.endpoint);
    for (const ap of policies) {
      const id = `${ap.namespace}/${ap.name}`;
      // Capture annotations and proxies written in the manifest decide whether the proxy sees the port: not modelled.
      if (!w || w.bypass) {
        if (!pair.undecided.includes(id)) pair.undecided.push(id);
        continue;
      }
      if (!authzSelects(s, ap, w)) continue;
      if (!hasSidecar(s, w)) {
        pair.trace.push(`${id} selects ${c.endpoint}, which has no sidecar: not enforced`);
        continue;
      }
      if (!c.outcomes.includes('plaintext')) continue;
      if (c.outcomes.length > 1) {
        if (!pair.undecided.includes(id)) pair.undecided.push(id);
        continue;
      }
      pair.trace.push(`${c.endpoint} gets plaintext, its sidecar enforces ${id} (${ap.field}): 403`);
      if (!pair.denies.includes(id)) pair.denies.push(id);
    }
  }
  for (const pair of pairs.values()) {
    // A backing pod the oracle left out (two workload PeerAuthentications: the oldest wins, which manifests do not
    // tell; or a subset or pod name that excludes it): whether the caller reaches it in plaintext is not decided.
    const m = /^(.*)\.([^.]*):\d+$/.exec(pair.server);
    const backing = s.workloads.filter((w) => m && w.namespace === m[2] && w.app === m[1]);
    for (const w of backing) {
      if (expected.connections.some((c) => c.endpoint === `${w.namespace}/${w.name}`)) continue;
      for (const ap of policies)
        if (authzSelects(s, ap, w) && hasSidecar(s, w)) {
          const id = `${ap.namespace}/${ap.name}`;
          if (!pair.undecided.includes(id)) pair.undecided.push(id);
        }
    }
    pair.undecided = pair.undecided.filter((id) => !pair.denies.includes(id));
  }
  return [...pairs.values()];
}

/**
 * Policies ("ns/name") that select at least one workload of the scenario and only workloads without a sidecar:
 * nothing enforces them. Undefined entries (a selected workload the oracle does not model) are left out.
 */
export function unenforcedPolicies(s: Scenario): { unenforced: string[]; undecided: string[] } {
  const unenforced: string[] = [];
  const undecided: string[] = [];
  for (const ap of s.authorizationPolicies ?? []) {
    const id = `${ap.namespace}/${ap.name}`;
    const selected = s.workloads.filter((w) => authzSelects(s, ap, w));
    if (selected.some((w) => w.bypass)) undecided.push(id);
    else if (selected.length && selected.every((w) => !hasSidecar(s, w))) unenforced.push(id);
  }
  return { unenforced, undecided };
}
