// The oracle: a small reference implementation of the decision table in
// ../shared/research/istio-semantics.md §0 (with §1 PeerAuthentication, §2 legacy Policy, §3 DestinationRule lookup,
// §4 auto mTLS, §6 injection), written from that document only. It must not import src/mesh or src/graph: a bug in
// the engine's shortcuts shows up as a disagreement, not as the same answer twice.
//
// It works on the Scenario data (scenario.ts), not on YAML, and covers only what scenario.ts generates. Where the
// spec leaves the answer open, it returns every outcome the spec allows (or `undefined`: not compared).
import { ROOT_NAMESPACE, type CallSpec, type DrTls, type LegacyPolicySpec, type PaMode, type PeerAuthSpec, type PortSpec, type Scenario, type WorkloadSpec } from './scenario.js';

export type Outcome = 'mtls' | 'plaintext' | 'broken' | 'tls';
export type ServerMode = 'NO_SIDECAR' | 'STRICT' | 'PERMISSIVE' | 'DISABLE';
type Sends = 'mtls' | 'plaintext' | 'tls';

export interface Expectation {
  /** Every outcome the spec allows; one, unless the spec marks the case as not verified. */
  outcomes: Outcome[];
  /** The oracle's reasoning, for failure messages. */
  trace: string[];
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/** Expected outcome of one declared call, or undefined when the scenario is outside what the oracle decides. */
export function expectCall(s: Scenario, call: CallSpec): Expectation | undefined {
  const trace: string[] = [];
  const client = findWorkload(s, call.from.namespace, call.from.name);
  const server = findWorkload(s, call.to.namespace, call.to.name);
  if (!client || !server) return undefined;
  const port = server.ports.find((p) => p.port === call.port);
  if (!port) return undefined;

  const clientSidecar = hasSidecar(s, client);
  const serverSidecar = hasSidecar(s, server);
  trace.push(`client ${client.namespace}/${client.name}: ${clientSidecar ? 'sidecar' : 'no sidecar'}`);
  trace.push(`server ${server.namespace}/${server.name}: ${serverSidecar ? 'sidecar' : 'no sidecar'}`);

  const mode = serverMode(s, server, port, serverSidecar, trace);
  if (mode === undefined) return undefined;
  trace.push(`server mode on targetPort ${port.targetPort}: ${mode}`);

  const sends = clientSends(s, client, clientSidecar, server, port, serverSidecar, mode, trace);
  if (sends === undefined) return undefined;
  trace.push(`client sends: ${sends}`);

  const outcomes = matrix(s, sends, mode, port);
  trace.push(`outcome: ${outcomes.join(' or ')}`);
  return { outcomes, trace };
}

function findWorkload(s: Scenario, namespace: string, name: string): WorkloadSpec | undefined {
  return s.workloads.find((w) => w.namespace === namespace && w.name === name);
}

// ---- §6 injection -------------------------------------------------------------------------------------------

/**
 * §6.1/§6.2. 1.4/1.5: the webhook is called only for namespaces labelled istio-injection=enabled, and the
 * in-webhook decision reads the pod annotation only (labels from 1.12). 1.30: (a) ns enabled and pod label not
 * "false", or (c) ns unlabelled and pod label "true"; in the webhook, label first, else annotation;
 * "true"/"false" decide, absent → the default policy (enabled). Only the pod template counts.
 */
export function hasSidecar(s: Scenario, w: WorkloadSpec): boolean {
  const ns = s.namespaces.find((n) => n.name === w.namespace);
  const injection = ns?.injection;
  const podLabel = w.inject.find((i) => i.where === 'pod-label')?.value;
  const podAnnotation = w.inject.find((i) => i.where === 'pod-annotation')?.value;
  if (s.version === '1.4' || s.version === '1.5') {
    if (injection !== 'enabled') return false;
    return podAnnotation !== 'false';
  }
  let webhookCalled: boolean;
  if (injection === 'enabled') webhookCalled = podLabel !== 'false';
  else if (injection === undefined) webhookCalled = podLabel === 'true';
  else webhookCalled = false;
  if (!webhookCalled) return false;
  const value = podLabel ?? podAnnotation;
  return value !== 'false';
}

// ---- §0.1 server mode -------------------------------------------------------------------------------------------

function serverMode(s: Scenario, w: WorkloadSpec, port: PortSpec, sidecar: boolean, trace: string[]): ServerMode | undefined {
  if (!sidecar) return 'NO_SIDECAR';
  if (s.version === '1.4') {
    const alpha = alphaMode(s, w, port, trace);
    return alpha ?? 'DISABLE'; // §2.5: nothing applies → plaintext only
  }
  if (s.version === '1.5' && applicableBeta(s, w).length === 0) {
    // §0.1 1.5: alpha only when no v1beta1 PeerAuthentication applies to the pod.
    const alpha = alphaMode(s, w, port, trace);
    return alpha ?? 'PERMISSIVE';
  }
  return betaMode(s, w, port.targetPort, trace);
}

/** §1.2: PAs that apply to a pod: mesh (root ns, no selector), namespace (no selector), workload (selector ⊆ labels). */
function applicableBeta(s: Scenario, w: WorkloadSpec): PeerAuthSpec[] {
  return s.peerAuthentications.filter((pa) => {
    if (pa.scope === 'root-selector') return false; // ignored by Istio (§1.2)
    if (pa.scope === 'mesh') return true;
    if (pa.namespace !== w.namespace) return false;
    if (pa.scope === 'namespace') return true;
    return pa.selectorApp === w.name; // pod labels are app=<name> (+ the inject label)
  });
}

function topMode(pa: PeerAuthSpec): PaMode {
  return pa.mode === 'no-mtls' || pa.mode === 'empty-mtls' ? 'UNSET' : pa.mode;
}

/** §1.3/§1.5/§1.7: PERMISSIVE, then mesh, namespace, workload (each if not UNSET), then the workload PA's port entry. */
function betaMode(s: Scenario, w: WorkloadSpec, targetPort: number, trace: string[]): ServerMode {
  const applicable = applicableBeta(s, w);
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
  const meshPa = s.peerAuthentications.find((p) => p.scope === 'mesh');
  const anyPa = nsPa !== undefined || meshPa !== undefined;
  if (nsPa && topMode(nsPa) !== 'UNSET') return { mode: topMode(nsPa), anyPa };
  if (meshPa && topMode(meshPa) !== 'UNSET') return { mode: topMode(meshPa), anyPa };
  return { mode: undefined, anyPa };
}

// ---- §2 legacy Policy -------------------------------------------------------------------------------------------

/** §2.1 (1.1–1.5): service-hostname entries, then the namespace entry, then MeshPolicy `default`. */
function alphaPolicy(s: Scenario, w: WorkloadSpec, port: PortSpec): LegacyPolicySpec | undefined {
  const serviceLevel = s.legacyPolicies.find((p) => {
    if (p.kind !== 'Policy' || !p.target) return false;
    // §2.2: a short target name resolves against the Policy's own namespace.
    if (p.target.name !== w.name || p.namespace !== w.namespace) return false;
    const sel = p.target.port;
    if (!sel) return true;
    return 'number' in sel ? sel.number === port.port : sel.name === port.name;
  });
  if (serviceLevel) return serviceLevel;
  const namespaceLevel = s.legacyPolicies.find((p) => p.kind === 'Policy' && !p.target && p.namespace === w.namespace);
  if (namespaceLevel) return namespaceLevel;
  return s.legacyPolicies.find((p) => p.kind === 'MeshPolicy' && p.name === 'default');
}

/** §2.3: first mtls peer decides; `mtls: {}`/null/STRICT → STRICT; PERMISSIVE; no mtls peer → plaintext only. */
function alphaMode(s: Scenario, w: WorkloadSpec, port: PortSpec, trace: string[]): ServerMode | undefined {
  const p = alphaPolicy(s, w, port);
  if (!p) return undefined;
  const mode: ServerMode = p.peers === 'none' ? 'DISABLE' : p.peers === 'permissive' ? 'PERMISSIVE' : 'STRICT';
  trace.push(`legacy ${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name} (peers ${p.peers}): ${mode}`);
  return mode;
}

// ---- §0.2 client side -------------------------------------------------------------------------------------------

function fqdn(w: WorkloadSpec): string {
  return `${w.name}.${w.namespace}.${CLUSTER_DOMAIN}`;
}

/** §3.1: a name without a dot gets the DR's namespace appended; anything with a dot is verbatim. */
function resolveHost(host: string, drNamespace: string): string {
  return host.includes('.') || host.startsWith('*') ? host : `${host}.${drNamespace}.${CLUSTER_DOMAIN}`;
}

/** §3.2: client namespace, then the service's namespace, then the root namespace; first namespace with a match wins; within it exact, else the longest wildcard. */
function destinationRuleFor(s: Scenario, clientNs: string, server: WorkloadSpec) {
  const host = fqdn(server);
  const order = [clientNs, server.namespace, ROOT_NAMESPACE];
  for (const ns of order) {
    const candidates = s.destinationRules.filter((d) => d.namespace === ns);
    const exact = candidates.find((d) => resolveHost(d.host, d.namespace) === host);
    if (exact) return exact;
    const wildcards = candidates
      .filter((d) => d.host.startsWith('*.') && host.endsWith(d.host.slice(1)))
      .sort((a, b) => b.host.length - a.host.length);
    if (wildcards[0]) return wildcards[0];
  }
  return undefined;
}

function clientSends(
  s: Scenario,
  client: WorkloadSpec,
  clientSidecar: boolean,
  server: WorkloadSpec,
  port: PortSpec,
  serverSidecar: boolean,
  serverMode: ServerMode,
  trace: string[],
): Sends | undefined {
  if (!clientSidecar) return 'plaintext'; // §0.2.1
  const dr = destinationRuleFor(s, client.namespace, server);
  let tls: DrTls = 'none';
  if (dr) {
    // §3.5: a port entry (service port) replaces the top-level policy; an entry without tls means "no tls".
    const entry = dr.portLevel.find((p) => p.port === port.port);
    tls = entry ? entry.tls : dr.noTrafficPolicy ? 'none' : dr.tls;
    trace.push(`DestinationRule ${dr.namespace}/${dr.name} (host ${dr.host})${entry ? ` port ${port.port}` : ''}: tls ${tls}`);
  } else trace.push('no DestinationRule');
  if (tls === 'ISTIO_MUTUAL') return 'mtls';
  if (tls === 'DISABLE') return 'plaintext';
  if (tls === 'SIMPLE') return 'tls';

  const auto = s.autoMtls ?? s.version !== '1.4'; // §4.1: 1.4 off, 1.6+ on (1.5 always explicit in scenarios)
  trace.push(`auto mTLS ${auto ? 'on' : 'off'}`);
  if (!auto) return 'plaintext';

  // §4.3: the server mode inferred for the service; DISABLE → plaintext to every endpoint.
  let inferred: PaMode | ServerMode | undefined;
  if (s.version === '1.4') {
    inferred = alphaMode(s, server, port, []) ?? 'DISABLE';
  } else if (s.version === '1.5') {
    const beta = namespaceBetaMode(s, server.namespace);
    if (beta.mode) inferred = beta.mode;
    else {
      const alpha = alphaMode(s, server, port, []);
      // An UNSET-only namespace/mesh PA: whether 1.5 then reads PERMISSIVE or falls back to the alpha policy is not
      // pinned down (§1.9 vs §4.3); it only matters when the alpha policy says plaintext.
      if (beta.anyPa && alpha === 'DISABLE') return undefined;
      inferred = beta.anyPa ? 'PERMISSIVE' : (alpha ?? 'PERMISSIVE');
    }
  } else {
    inferred = namespaceBetaMode(s, server.namespace).mode ?? 'PERMISSIVE';
  }
  trace.push(`inferred service mode: ${inferred}`);
  if (inferred === 'DISABLE') return 'plaintext';
  // §4.2: mTLS to endpoints labelled tlsMode=istio (the injector adds it), plaintext to the rest.
  if (!serverSidecar) return 'plaintext';
  // §4.4: 1.12+ strips tlsMode from endpoints whose full policy (workload/port level included) is DISABLE.
  if (s.version === '1.30' && serverMode === 'DISABLE') return 'plaintext';
  return 'mtls';
}

// ---- §0.3 outcome matrix ------------------------------------------------------------------------------------

type Protocol = 'http' | 'tcp' | 'auto';

/** §5.1: the port's protocol from its name prefix; unnamed = auto-detected. */
function protocolOf(port: PortSpec): Protocol {
  if (port.name === undefined) return 'auto';
  const prefix = port.name.split('-')[0]!;
  if (['http', 'http2', 'grpc'].includes(prefix)) return 'http';
  return 'tcp';
}

function matrix(s: Scenario, sends: Sends, mode: ServerMode, port: PortSpec): Outcome[] {
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
