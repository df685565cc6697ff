// A generated mesh, as plain data: what the oracle reasons about and what render.ts turns into manifests.
// Restricted to what the oracle covers (see oracle.ts): declared namespaces, one Service per workload with
// numeric targetPorts, PeerAuthentications at mesh/namespace/workload/port level, DestinationRules with exact,
// short or wildcard hosts and no exportTo, legacy Policy/MeshPolicy, auto mTLS on or off.
// Uniqueness rules below avoid the cases Istio decides by creation time (oldest wins), which manifests do not tell.
import fc from 'fast-check';

export type Version = '1.4' | '1.5' | '1.30';
export const ROOT_NAMESPACE = 'istio-system';

export type PaMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
/** How a PA's top-level mode is written: 'no-mtls' (no `mtls` key) and 'empty-mtls' (`mtls: {}`) both mean UNSET. */
export type PaModeForm = PaMode | 'no-mtls' | 'empty-mtls';
export type InjectWhere = 'pod-label' | 'pod-annotation' | 'workload-label' | 'workload-annotation';

export interface NamespaceSpec {
  name: string;
  /** `istio-injection` label; undefined = no label. */
  injection: 'enabled' | 'disabled' | undefined;
}

export interface PortSpec {
  port: number;
  targetPort: number;
  name?: string;
}

export interface WorkloadSpec {
  namespace: string;
  name: string;
  kind: 'Deployment' | 'CronJob';
  /** sidecar.istio.io/inject, on the pod template (counts) or on the workload's own metadata (does not). */
  inject: { where: InjectWhere; value: 'true' | 'false' }[];
  /** The Service named like the workload, selecting app=<name>. */
  ports: PortSpec[];
}

export interface PeerAuthSpec {
  namespace: string;
  name: string;
  /** 'root-selector': a selector PA in the root namespace, which Istio ignores (istio-semantics.md §1.2). */
  scope: 'mesh' | 'namespace' | 'workload' | 'root-selector';
  /** matchLabels app=<selectorApp> (workload, root-selector). */
  selectorApp?: string;
  /** Namespace/mesh level written as `selector: {matchLabels: {}}` instead of no selector. */
  emptySelector?: boolean;
  mode: PaModeForm;
  /** portLevelMtls keyed by number (workload level only). */
  portLevel: { port: number; mode: PaMode }[];
  apiVersion: 'security.istio.io/v1beta1' | 'security.istio.io/v1';
}

export type PeersForm = 'strict-empty' | 'strict-null' | 'strict-mode' | 'permissive' | 'none';

export interface LegacyPolicySpec {
  kind: 'MeshPolicy' | 'Policy';
  /** Undefined for MeshPolicy (cluster-scoped). */
  namespace?: string;
  name: string;
  /** A service-level Policy: one target, short service name, optional port selector (service port). */
  target?: { name: string; port?: { number: number } | { name: string } };
  peers: PeersForm;
}

export type DrTls = 'ISTIO_MUTUAL' | 'DISABLE' | 'SIMPLE' | 'none';

export interface DestinationRuleSpec {
  namespace: string;
  name: string;
  /** As written: FQDN, short name, `*.ns.svc.cluster.local`, `*.svc.cluster.local`, `*.local`. */
  host: string;
  /** Top-level tls; 'none' = a trafficPolicy without tls (or none at all when noTrafficPolicy). */
  tls: DrTls;
  noTrafficPolicy: boolean;
  /** portLevelSettings keyed by port number; 'none' = an entry without tls (another field instead). */
  portLevel: { port: number; tls: DrTls }[];
}

export interface CallSpec {
  from: { namespace: string; name: string };
  to: { namespace: string; name: string };
  port: number;
  /** How the caller is declared: the workload annotation mtls-lint.io/calls or config `callers`. */
  via: 'annotation' | 'config';
}

export interface Scenario {
  version: Version;
  /** undefined = the version's default (not generated for 1.5, where the default is an install choice). */
  autoMtls: boolean | undefined;
  /** Where an explicit autoMtls is set: .mtls-lint.yaml mesh.autoMtls, or the `istio` mesh ConfigMap. */
  autoMtlsVia: 'config' | 'configmap';
  namespaces: NamespaceSpec[];
  workloads: WorkloadSpec[];
  peerAuthentications: PeerAuthSpec[];
  legacyPolicies: LegacyPolicySpec[];
  destinationRules: DestinationRuleSpec[];
  calls: CallSpec[];
}

export const NAMESPACE_POOL = ['foo', 'bar', 'legacy'] as const;
const WORKLOAD_NAMES = ['httpbin', 'sleep', 'reviews', 'db'] as const;
/** Service ports and target ports overlap on purpose: a port-level setting keyed by the wrong one is a classic trap. */
const SERVICE_PORTS = [80, 8000, 9080] as const;
const TARGET_PORTS = [80, 8080, 9000, 3306] as const;
const ANY_PORT = [80, 8000, 8080, 9000, 9080, 3306] as const;
const PORT_NAMES = [undefined, 'http', 'http-web', 'grpc', 'tcp', 'tcp-db', 'mysql'] as const;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;

const injectionArb = fc.constantFrom<NamespaceSpec['injection']>('enabled', 'enabled', 'enabled', 'enabled', 'disabled', undefined);
const paModeArb = fc.constantFrom<PaMode>('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET');
const paModeFormArb = fc.constantFrom<PaModeForm>('STRICT', 'PERMISSIVE', 'DISABLE', 'STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET', 'no-mtls', 'empty-mtls');
const drTlsArb = fc.constantFrom<DrTls>('ISTIO_MUTUAL', 'DISABLE', 'SIMPLE', 'none');

const rawWorkload = fc.record({
  ns: fc.nat(),
  name: fc.nat(),
  kind: fc.constantFrom<'Deployment' | 'CronJob'>('Deployment', 'Deployment', 'CronJob'),
  inject: fc.array(
    fc.record({
      where: fc.constantFrom<InjectWhere>('pod-label', 'pod-annotation', 'workload-label', 'workload-annotation'),
      value: fc.constantFrom<'true' | 'false'>('true', 'false'),
    }),
    { maxLength: 2 },
  ).map((list) => (list.length && list[0]!.value === 'false' && list[0]!.where.startsWith('pod') ? list.slice(0, 1) : list)),
  ports: fc.array(
    fc.record({ port: fc.constantFrom(...SERVICE_PORTS), targetPort: fc.constantFrom(...TARGET_PORTS), name: fc.constantFrom(...PORT_NAMES) }),
    { minLength: 1, maxLength: 2 },
  ),
});

const rawPeerAuth = fc.record({
  scope: fc.constantFrom<PeerAuthSpec['scope']>('mesh', 'namespace', 'namespace', 'workload', 'workload', 'workload', 'root-selector'),
  ns: fc.nat(),
  target: fc.nat(),
  /** Selector that matches no workload. */
  miss: fc.nat({ max: 7 }).map((n) => n === 0),
  emptySelector: fc.boolean(),
  mode: paModeFormArb,
  portLevel: fc.array(fc.record({ port: fc.constantFrom(...ANY_PORT), mode: paModeArb }), { maxLength: 2 }),
  v1: fc.boolean(),
});

const rawLegacy = fc.record({
  scope: fc.constantFrom<'mesh' | 'namespace' | 'service'>('mesh', 'namespace', 'service', 'service'),
  ns: fc.nat(),
  target: fc.nat(),
  /** Put the service policy in another namespace than the service's (then it targets svc.<that ns>). */
  elsewhere: fc.nat({ max: 5 }).map((n) => n === 0),
  port: fc.constantFrom<'none' | 'number' | 'name' | 'other-number'>('none', 'none', 'number', 'name', 'other-number'),
  portIndex: fc.nat(),
  peers: fc.constantFrom<PeersForm>('strict-empty', 'strict-null', 'strict-mode', 'permissive', 'none'),
  meshName: fc.constantFrom('default', 'default', 'default', 'mesh-wide'),
});

const rawDestinationRule = fc.record({
  /** Index into namespaces + root namespace. */
  ns: fc.nat(),
  hostKind: fc.constantFrom<'fqdn' | 'short' | 'ns-wildcard' | 'svc-wildcard' | 'local-wildcard'>(
    'fqdn',
    'fqdn',
    'short',
    'ns-wildcard',
    'svc-wildcard',
    'local-wildcard',
  ),
  target: fc.nat(),
  tls: drTlsArb,
  noTrafficPolicy: fc.boolean(),
  portLevel: fc.array(fc.record({ port: fc.constantFrom(...ANY_PORT), tls: drTlsArb }), { maxLength: 2 }),
});

const rawCall = fc.record({
  from: fc.nat(),
  to: fc.nat(),
  port: fc.nat(),
  via: fc.constantFrom<'annotation' | 'config'>('annotation', 'config'),
});

const rawScenario = (versions: readonly Version[]) =>
  fc.record({
    version: fc.constantFrom(...versions),
    auto: fc.constantFrom<boolean | undefined>(true, false, undefined),
    autoVia: fc.constantFrom<'config' | 'configmap'>('config', 'configmap'),
    nsNames: fc.subarray([...NAMESPACE_POOL], { minLength: 1 }),
    injection: fc.tuple(injectionArb, injectionArb, injectionArb),
    workloads: fc.array(rawWorkload, { minLength: 2, maxLength: 4 }),
    peerAuthentications: fc.array(rawPeerAuth, { maxLength: 6 }),
    legacy: fc.array(rawLegacy, { maxLength: 4 }),
    destinationRules: fc.array(rawDestinationRule, { maxLength: 4 }),
    calls: fc.array(rawCall, { minLength: 1, maxLength: 6 }),
    /** Declare every client → service port pair instead: more connections checked per generated mesh. */
    allPairs: fc.boolean(),
  });

type Raw = ReturnType<typeof rawScenario> extends fc.Arbitrary<infer T> ? T : never;

/** Scenarios the oracle covers. Raw indices are resolved and duplicates dropped in `normalize`, so shrinking works. */
export function scenarioArb(versions: readonly Version[] = ['1.4', '1.5', '1.30']): fc.Arbitrary<Scenario> {
  return rawScenario(versions).map(normalize);
}

function normalize(raw: Raw): Scenario {
  const version = raw.version;
  const namespaces: NamespaceSpec[] = raw.nsNames.map((name) => ({
    name,
    injection: raw.injection[NAMESPACE_POOL.indexOf(name as (typeof NAMESPACE_POOL)[number])],
  }));

  const workloads: WorkloadSpec[] = [];
  for (const w of raw.workloads) {
    const namespace = pick(namespaces, w.ns).name;
    const name = pick(WORKLOAD_NAMES, w.name);
    if (workloads.some((x) => x.namespace === namespace && x.name === name)) continue;
    const inject: WorkloadSpec['inject'] = [];
    for (const i of w.inject) if (!inject.some((x) => x.where === i.where)) inject.push(i);
    const ports: PortSpec[] = [];
    for (const p of w.ports) {
      if (ports.some((x) => x.port === p.port || x.targetPort === p.targetPort)) continue;
      ports.push(p.name === undefined ? { port: p.port, targetPort: p.targetPort } : { ...p, name: p.name });
    }
    if (ports.length > 1) {
      // Kubernetes requires distinct names on multi-port Services.
      ports.forEach((p, i) => {
        if (p.name === undefined || ports.findIndex((x) => x.name === p.name) !== i) p.name = `tcp-p${p.port}`;
      });
    }
    workloads.push({ namespace, name, kind: w.kind, inject, ports });
  }

  const peerAuthentications: PeerAuthSpec[] = [];
  if (version !== '1.4') {
    for (const p of raw.peerAuthentications) {
      if (p.scope === 'root-selector' && version === '1.5') continue; // whether it counts as "a beta PA applies" in 1.5 is not known
      const apiVersion = version === '1.30' && p.v1 ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
      let spec: PeerAuthSpec;
      if (p.scope === 'mesh') {
        spec = { namespace: ROOT_NAMESPACE, name: 'default', scope: 'mesh', mode: p.mode, portLevel: [], apiVersion };
        if (p.emptySelector) spec.emptySelector = true;
      } else if (p.scope === 'namespace') {
        const ns = pick(namespaces, p.ns).name;
        spec = { namespace: ns, name: 'default', scope: 'namespace', mode: p.mode, portLevel: [], apiVersion };
        if (p.emptySelector) spec.emptySelector = true;
      } else {
        const w = pick(workloads, p.target);
        const app = p.miss ? 'nothing' : w.name;
        const ns = p.scope === 'root-selector' ? ROOT_NAMESPACE : w.namespace;
        const portLevel: PeerAuthSpec['portLevel'] = [];
        if (p.scope === 'workload') for (const pl of p.portLevel) if (!portLevel.some((x) => x.port === pl.port)) portLevel.push(pl);
        spec = { namespace: ns, name: `${app}-peers`, scope: p.scope, selectorApp: app, mode: p.mode, portLevel, apiVersion };
      }
      const key = (s: PeerAuthSpec) => `${s.namespace}|${s.scope === 'workload' || s.scope === 'root-selector' ? s.selectorApp : s.scope}`;
      if (peerAuthentications.some((x) => key(x) === key(spec) || (x.namespace === spec.namespace && x.name === spec.name))) continue;
      peerAuthentications.push(spec);
    }
  }

  const legacyPolicies: LegacyPolicySpec[] = [];
  for (const l of version === '1.30' ? raw.legacy.slice(0, 1) : raw.legacy) {
    let spec: LegacyPolicySpec;
    if (l.scope === 'mesh') {
      spec = { kind: 'MeshPolicy', name: l.meshName, peers: l.peers };
    } else if (l.scope === 'namespace') {
      spec = { kind: 'Policy', namespace: pick(namespaces, l.ns).name, name: 'default', peers: l.peers };
    } else {
      const w = pick(workloads, l.target);
      const namespace = l.elsewhere ? pick(namespaces, l.ns).name : w.namespace;
      const sp = pick(w.ports, l.portIndex);
      const target: LegacyPolicySpec['target'] = { name: w.name };
      if (l.port === 'number') target.port = { number: sp.port };
      else if (l.port === 'other-number') target.port = { number: SERVICE_PORTS.find((p) => !w.ports.some((x) => x.port === p))! };
      else if (l.port === 'name' && sp.name !== undefined) target.port = { name: sp.name };
      spec = { kind: 'Policy', namespace, name: `${w.name}-mtls`, target, peers: l.peers };
    }
    const key = (s: LegacyPolicySpec) => (s.kind === 'MeshPolicy' ? `mesh|${s.name}` : s.target ? `svc|${s.namespace}|${s.target.name}` : `ns|${s.namespace}`);
    if (legacyPolicies.some((x) => key(x) === key(spec))) continue;
    legacyPolicies.push(spec);
  }

  const destinationRules: DestinationRuleSpec[] = [];
  const drNamespaces = [...namespaces.map((n) => n.name), ROOT_NAMESPACE];
  for (const d of raw.destinationRules) {
    const namespace = pick(drNamespaces, d.ns);
    const w = pick(workloads, d.target);
    const host =
      d.hostKind === 'fqdn'
        ? `${w.name}.${w.namespace}.svc.cluster.local`
        : d.hostKind === 'short'
          ? w.name
          : d.hostKind === 'ns-wildcard'
            ? `*.${w.namespace}.svc.cluster.local`
            : d.hostKind === 'svc-wildcard'
              ? '*.svc.cluster.local'
              : '*.local';
    const portLevel: DestinationRuleSpec['portLevel'] = [];
    for (const pl of d.portLevel) if (!portLevel.some((x) => x.port === pl.port)) portLevel.push(pl);
    const spec: DestinationRuleSpec = {
      namespace,
      name: `dr-${destinationRules.length}`,
      host,
      tls: d.tls,
      noTrafficPolicy: d.noTrafficPolicy && d.tls === 'none' && portLevel.length === 0,
      portLevel,
    };
    // Two DRs for one host in one namespace are merged by creation time: not decidable from manifests.
    const resolved = (s: DestinationRuleSpec) => (s.host.includes('.') ? s.host : `${s.host}.${s.namespace}.svc.cluster.local`);
    if (destinationRules.some((x) => x.namespace === namespace && resolved(x) === resolved(spec))) continue;
    destinationRules.push(spec);
  }

  const calls: CallSpec[] = [];
  const rawCalls = raw.allPairs
    ? workloads.flatMap((_, from) => workloads.flatMap((to, toIndex) => to.ports.map((_p, port) => ({ from, to: toIndex, port, via: raw.calls[0]!.via }))))
    : raw.calls;
  for (const c of rawCalls) {
    const from = pick(workloads, c.from);
    const to = pick(workloads, c.to);
    if (from === to) continue;
    const port = pick(to.ports, c.port).port;
    const call: CallSpec = { from: { namespace: from.namespace, name: from.name }, to: { namespace: to.namespace, name: to.name }, port, via: c.via };
    if (calls.some((x) => sameCall(x, call))) continue;
    calls.push(call);
  }

  const autoMtls = version === '1.5' && raw.auto === undefined ? true : raw.auto;
  return {
    version,
    autoMtls,
    autoMtlsVia: raw.autoVia,
    namespaces,
    workloads,
    peerAuthentications,
    legacyPolicies,
    destinationRules,
    calls,
  };
}

export function sameCall(a: CallSpec, b: CallSpec): boolean {
  return a.from.namespace === b.from.namespace && a.from.name === b.from.name && a.to.namespace === b.to.namespace && a.to.name === b.to.name && a.port === b.port;
}
