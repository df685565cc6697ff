// A generated mesh, as plain data: what the oracle reasons about and what render.ts turns into manifests.
// Restricted to what the oracle covers (see oracle.ts), with `routing` mesh VirtualServices and DestinationRule
// subsets: namespaces the inputs describe (Namespace manifests or
// config `namespaces:`), Services selecting one or two workloads (numeric or named targetPorts), injection by
// namespace label, revision, pod label/annotation and injector policy, PeerAuthentications at mesh/namespace/
// workload/port level, DestinationRules with exact, short or wildcard hosts and exportTo, legacy Policy/MeshPolicy,
// auto mTLS on or off, a default or custom root namespace.
// Uniqueness rules below avoid what Istio decides by creation time (oldest wins), which manifests do not tell.
import fc from 'fast-check';

export type Version = '1.4' | '1.5' | '1.30';
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

export type PaMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
/** How a PA's top-level mode is written: 'no-mtls' (no `mtls` key) and 'empty-mtls' (`mtls: {}`) both mean UNSET. */
type PaModeForm = PaMode | 'no-mtls' | 'empty-mtls';
type InjectWhere = 'pod-label' | 'pod-annotation' | 'workload-label' | 'workload-annotation';

interface NamespaceSpec {
  name: string;
  /** `istio-injection` label; undefined = no label. */
  injection: 'enabled' | 'disabled' | undefined;
  /** `istio.io/rev` label. */
  revision?: string;
  /** A Namespace manifest, or facts in .mtls-lint.yaml `namespaces:`. */
  via: 'manifest' | 'config';
}

export interface ServicePortSpec {
  port: number;
  /** A number, or the name of a container port (resolved per workload). */
  targetPort: number | string;
  name?: string;
}

export interface ServiceSpec {
  namespace: string;
  /** Also the `app` label it selects. */
  name: string;
  ports: ServicePortSpec[];
  /** clusterIP: None (ORIGINAL_DST clusters: auto mTLS is all-or-nothing, §4.3). */
  headless?: boolean;
}

export interface WorkloadSpec {
  namespace: string;
  name: string;
  /** Pod labels app=<app>, version=<version>; the Service named <app> selects it. */
  app: string;
  version: 'v1' | 'v2';
  kind: 'Deployment' | 'CronJob';
  /** sidecar.istio.io/inject, on the pod template (counts) or on the workload's own metadata (does not). */
  inject: { where: InjectWhere; value: string }[];
  hostNetwork: boolean;
  /** Container ports; named ones back named targetPorts. */
  containerPorts: { name?: string; port: number }[];
  /**
   * Pod spec hostname (the workload's name) and subdomain (this headless Service): DNS then answers
   * `<name>.<subdomain>.<ns>.svc.cluster.local` with the pod's address.
   */
  subdomain?: string;
  /** Pod annotations and labels that take traffic past the sidecar (scenarioArb({ audit: true }) only). */
  bypass?: BypassSpec;
}

/**
 * Traffic the sidecar never sees (issue 17): istio-iptables is fed the pod annotations by the injector, and auto mTLS
 * reads the pod's security.istio.io/tlsMode label, which the injector leaves as the user set it.
 */
interface BypassSpec {
  /** security.istio.io/tlsMode on the pod template. */
  tlsModeLabel?: 'disabled' | 'istio';
  /** traffic.sidecar.istio.io/excludeInboundPorts: container ports. */
  excludeInbound?: number[];
  /** traffic.sidecar.istio.io/includeInboundPorts: "" (nothing captured), "*", or container ports. */
  includeInbound?: number[] | '' | '*';
  /** traffic.sidecar.istio.io/excludeOutboundPorts: ports the workload dials. */
  excludeOutbound?: number[];
  /** traffic.sidecar.istio.io/includeOutboundIPRanges: "" (nothing captured) or "*" (everything). */
  includeOutboundRanges?: '' | '*';
  /**
   * An istio-proxy container written in the manifest (inject "false"): 'captured' with istio-init beside it (what
   * istioctl kube-inject writes, tlsMode label included), 'uncaptured' without (nothing redirects traffic to it).
   */
  manualProxy?: 'captured' | 'uncaptured';
}

export interface PeerAuthSpec {
  namespace: string;
  name: string;
  /** 'root-selector': a selector PA in the root namespace, which Istio ignores (istio-semantics.md §1.2). */
  scope: 'mesh' | 'namespace' | 'workload' | 'root-selector';
  /** matchLabels (workload, root-selector). */
  selector?: { app: string; version?: string };
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
  /** undefined = no exportTo (public). */
  exportTo?: string[];
  /** Top-level tls; 'none' = a trafficPolicy without tls (or none at all when noTrafficPolicy). */
  tls: DrTls;
  noTrafficPolicy: boolean;
  /** portLevelSettings keyed by port number; 'none' = an entry without tls (another field instead). */
  portLevel: { port: number; tls: DrTls }[];
  /** Top-level `loadBalancer.simple: PASSTHROUGH` (entries without tls carry ROUND_ROBIN). */
  lbPassthrough?: boolean;
  /** A `credentialName` beside a top-level tls SIMPLE. */
  credentialName?: boolean;
  /** metadata.creationTimestamp: set on every rule of a host that has two in one namespace (Istio merges them). */
  createdAt?: string;
  /** Subsets only, no trafficPolicy (noTrafficPolicy is then true). */
  subsets?: boolean;
  /** Subsets named after the version label they select (rules without a twin only), each with its own tls. */
  subsetPolicies?: { name: 'v1' | 'v2'; tls: DrTls }[];
}

/** A VirtualService for one Service host, with one route of one or two destinations (subsets or none). */
export interface VirtualServiceSpec {
  namespace: string;
  name: string;
  /** As written: a short name (resolved in the VirtualService's namespace) or the FQDN. */
  host: string;
  /** undefined = none (mesh only); names "mesh" or a gateway. */
  gateways?: string[];
  exportTo?: string[];
  section: 'http' | 'tcp';
  destinations: VsDestination[];
  /**
   * Routing II: the route with `destinations` matches `sourceLabels: {app: sourceApp}` only; the clients it does not
   * match take a second route to `fallback`.
   */
  sourceApp?: string;
  fallback?: VsDestination[];
}

/** A route destination: the VirtualService's host or (routing II) another Service's FQDN, maybe with a port. */
export interface VsDestination {
  host: string;
  subset?: 'v1' | 'v2';
  port?: number;
}

/**
 * A ServiceEntry with one host (`<name>.mesh.local`, which a `*.local` DestinationRule matches) and one port. Its
 * endpoints: the pods and WorkloadEntries its workloadSelector selects, its inline endpoints, or the host itself.
 */
interface ServiceEntrySpec {
  namespace: string;
  name: string;
  host: string;
  /** undefined: not written (MESH_EXTERNAL is the default). */
  location: 'MESH_EXTERNAL' | 'MESH_INTERNAL' | undefined;
  resolution: 'STATIC' | 'DNS' | 'NONE';
  port: ServicePortSpec & { name: string; protocol: string };
  /** Selects pods (app=<a workload's app>) and WorkloadEntries (app=vm-…) of its namespace. */
  selector?: { app: string };
  /** Inline endpoints: tlsMode label (absent, istio, disabled) and whether a serviceAccount is named. */
  endpoints?: { tlsMode: 'istio' | 'disabled' | undefined; serviceAccount: boolean }[];
  /** spec.exportTo (entries2); undefined: none. */
  exportTo?: string[];
}

/** A WorkloadEntry; its app label (vm-a, vm-b) is never a Service's, so only ServiceEntries select it. */
interface WorkloadEntrySpec {
  namespace: string;
  name: string;
  app: string;
  tlsMode: 'istio' | 'disabled' | undefined;
  serviceAccount: boolean;
}

export interface CallSpec {
  /** A workload. */
  from: { namespace: string; name: string };
  /** A Service, or with `entry` a ServiceEntry (name = its host). */
  to: { namespace: string; name: string };
  entry?: true;
  port: number;
  /** How the caller is declared: the workload annotation mtls-lint.io/calls or config `callers`. */
  via: 'annotation' | 'config' | 'env';
  /**
   * With via 'env': the client's env names an IP literal (bypass2ScenarioArb): the Service's clusterIP (`port` a
   * Service port), or a pod's address from an Endpoints object (`port` the pod port, `pod` the workload's name).
   */
  ip?: { address: string; pod?: string };
  /**
   * The call names one pod of a headless Service (`<pod hostname>.<svc>.<ns>[.svc.cluster.local]`) instead of the
   * Service: `pod` is the hostname, `fqdn` the long form.
   */
  podHost?: { pod: string; fqdn: boolean };
  /** `port` is one the (headless) Service does not declare: the call reaches a pod's own address on it. */
  undeclared?: boolean;
  /** With `entry`: the host the caller names when it is not the entry's own (one a wildcard host matches). */
  callHost?: string;
}

export interface Scenario {
  version: Version;
  /** undefined = the version's default (not generated for 1.5, where the default is an install choice). */
  autoMtls: boolean | undefined;
  /** Where an explicit autoMtls is set: .mtls-lint.yaml mesh.autoMtls, or the `istio` mesh ConfigMap. */
  autoMtlsVia: 'config' | 'configmap';
  rootNamespace: string;
  /** The injector's default policy (global.proxy.autoInject); undefined = enabled, not written. */
  injectionPolicy: 'enabled' | 'disabled' | undefined;
  /** meshConfig.outboundTrafficPolicy.mode REGISTRY_ONLY in the `istio` mesh ConfigMap (default ALLOW_ANY). */
  registryOnly?: boolean;
  namespaces: NamespaceSpec[];
  services: ServiceSpec[];
  workloads: WorkloadSpec[];
  peerAuthentications: PeerAuthSpec[];
  legacyPolicies: LegacyPolicySpec[];
  destinationRules: DestinationRuleSpec[];
  serviceEntries: ServiceEntrySpec[];
  workloadEntries: WorkloadEntrySpec[];
  virtualServices: VirtualServiceSpec[];
  /** meshConfig.defaultVirtualServiceExportTo in the `istio` mesh ConfigMap (undefined: not set, "*"). */
  vsDefaultExportTo?: string[];
  calls: CallSpec[];
  /** entries2: the egress gateway pattern for one external host. */
  egress?: EgressSpec;
  /** Sidecar resources with ingress listeners (bypass2ScenarioArb). */
  sidecarIngress?: SidecarIngressSpec[];
  /** Explicit spec.clusterIP per Service ("namespace/name"), and Endpoints pod addresses (bypass2ScenarioArb). */
  clusterIps?: Record<string, string>;
  podAddresses?: { namespace: string; service: string; workload: string; address: string; podName: string }[];
  /** Sidecar resources without workloadSelector (scenarioArb({ audit: true }) only). */
  sidecars?: SidecarSpec[];
  /** ALLOW AuthorizationPolicies on source.principals/namespaces (scenarioArb({ authz: true }) only). */
  authorizationPolicies?: AuthzPolicySpec[];
}

/**
 * The egress gateway pattern (entries2): a MESH_EXTERNAL entry `ext.example.org` (in `serviceEntries`) whose mesh
 * VirtualService (in the entry's namespace) routes port 80 to `istio-egressgateway.istio-system` port 443, subset
 * `ext`; a DestinationRule for the gateway host defines that subset (no labels) with `ruleTls` (none: no tls); the
 * gateway proxy (istio=egressgateway, `proxy router`, in istio-system) serves port 443 by a Gateway with tls
 * ISTIO_MUTUAL, or plain HTTP. `clients` call the entry host.
 */
export interface EgressSpec {
  namespace: string;
  ruleNamespace: string;
  ruleTls: 'ISTIO_MUTUAL' | 'DISABLE' | 'none';
  gatewayTls: boolean;
  clients: { namespace: string; name: string }[];
}

/** A Sidecar in `namespace` selecting one workload (labels app, version) whose ingress lists `ports`. */
export interface SidecarIngressSpec {
  namespace: string;
  /** The workload it selects (its name). */
  workload: string;
  app: string;
  version: 'v1' | 'v2';
  ports: number[];
}

/** A namespace-wide Sidecar: egress hosts "namespace/dnsName", and maybe its own outboundTrafficPolicy. */
interface SidecarSpec {
  namespace: string;
  hosts: string[];
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

const NAMESPACE_POOL = ['foo', 'bar', 'legacy'] as const;
const APPS = ['httpbin', 'sleep', 'reviews', 'db'] as const;
/** Service ports and target ports overlap on purpose: a port-level setting keyed by the wrong one is a classic trap. */
const SERVICE_PORTS = [80, 8000, 9080] as const;
const TARGET_PORTS = [80, 8080, 9000, 3306] as const;
const ANY_PORT = [80, 8000, 8080, 9000, 9080, 3306] as const;
/** Ports called on a headless Service's pods that no Service declares (container ports, or none). */
const UNDECLARED_PORTS = [8080, 9000, 9999] as const;
const PORT_NAMES = [undefined, 'http', 'http-web', 'grpc', 'tcp', 'tcp-db', 'mysql'] as const;
/** Values of sidecar.istio.io/inject: parsed differently before and after 1.27 (§6.1). */
const INJECT_VALUES = ['true', 'false', 'true', 'false', 'yes', 'True', 'no', 'on', 'enabled'] as const;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
const chance = (oneIn: number) => fc.nat({ max: oneIn - 1 }).map((n) => n === 0);

const injectionArb = fc.constantFrom<NamespaceSpec['injection']>(
  'enabled',
  'enabled',
  'enabled',
  'enabled',
  'disabled',
  undefined,
);
const paModeArb = fc.constantFrom<PaMode>('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET');
const paModeFormArb = fc.constantFrom<PaModeForm>(
  'STRICT',
  'PERMISSIVE',
  'DISABLE',
  'STRICT',
  'PERMISSIVE',
  'DISABLE',
  'UNSET',
  'no-mtls',
  'empty-mtls',
);
const drTlsArb = fc.constantFrom<DrTls>('ISTIO_MUTUAL', 'DISABLE', 'SIMPLE', 'none');

const rawNamespace = fc.record({
  injection: injectionArb,
  revision: fc.option(fc.constantFrom('canary', 'default'), { freq: 5 }),
  viaConfig: chance(5),
});

const rawWorkload = fc.record({
  ns: fc.nat(),
  app: fc.nat(),
  v2: chance(4),
  kind: fc.constantFrom<'Deployment' | 'CronJob'>('Deployment', 'Deployment', 'CronJob'),
  inject: fc
    .array(
      fc.record({
        where: fc.constantFrom<InjectWhere>(
          'pod-label',
          'pod-annotation',
          'workload-label',
          'workload-annotation',
        ),
        value: fc.constantFrom(...INJECT_VALUES),
      }),
      {
        maxLength: 2,
      },
    )
    // Mostly injected meshes: an opt-out usually comes alone.
    .map((list) =>
      list.length && list[0]!.value === 'false' && list[0]!.where.startsWith('pod') ? list.slice(0, 1) : list,
    ),
  hostNetwork: chance(12),
  /** Container port numbers for named targetPorts, per service port. */
  namedPorts: fc.array(fc.constantFrom(...TARGET_PORTS), { minLength: 2, maxLength: 2 }),
});

const rawServicePorts = fc.array(
  fc.record({
    port: fc.constantFrom(...SERVICE_PORTS),
    targetPort: fc.constantFrom(...TARGET_PORTS),
    named: chance(4),
    name: fc.constantFrom(...PORT_NAMES),
  }),
  { minLength: 1, maxLength: 2 },
);

const rawPeerAuth = fc.record({
  scope: fc.constantFrom<PeerAuthSpec['scope'] | 'old-root'>(
    'mesh',
    'namespace',
    'namespace',
    'workload',
    'workload',
    'workload',
    'root-selector',
    'old-root',
  ),
  ns: fc.nat(),
  target: fc.nat(),
  /** Select by app and version (one workload) instead of app (every workload of the service). */
  byVersion: chance(3),
  /** Selector that matches no workload. */
  miss: chance(8),
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
  elsewhere: chance(6),
  port: fc.constantFrom<'none' | 'number' | 'name' | 'other-number'>(
    'none',
    'none',
    'number',
    'name',
    'other-number',
  ),
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
  exportTo: fc.option(
    fc.array(fc.constantFrom('.', '*', 'foo', 'bar', 'legacy'), { minLength: 1, maxLength: 2 }),
    { freq: 3 },
  ),
  tls: drTlsArb,
  noTrafficPolicy: fc.boolean(),
  portLevel: fc.array(fc.record({ port: fc.constantFrom(...ANY_PORT), tls: drTlsArb }), { maxLength: 2 }),
  lbPassthrough: chance(5),
  credentialName: chance(3),
  /** A second rule for the same host and namespace, created later (merged by Istio). */
  twin: fc.option(
    fc.record({
      tls: drTlsArb,
      noTrafficPolicy: fc.boolean(),
      subsets: fc.boolean(),
      olderThanFirst: fc.boolean(),
    }),
    { freq: 4 },
  ),
});

const rawServiceEntry = fc.record({
  ns: fc.nat(),
  location: fc.constantFrom<ServiceEntrySpec['location']>(
    undefined,
    'MESH_EXTERNAL',
    'MESH_INTERNAL',
    'MESH_INTERNAL',
  ),
  resolution: fc.constantFrom<ServiceEntrySpec['resolution']>('STATIC', 'STATIC', 'DNS', 'NONE'),
  port: fc.constantFrom(...SERVICE_PORTS),
  portName: fc.constantFrom('http', 'http-web', 'grpc', 'tcp', 'tcp-db', 'mysql'),
  endpointsFrom: fc.constantFrom<'selector-pods' | 'selector-vms' | 'endpoints' | 'host'>(
    'selector-pods',
    'selector-vms',
    'endpoints',
    'host',
  ),
  target: fc.nat(),
  endpoints: fc.array(
    fc.record({
      tlsMode: fc.constantFrom<'istio' | 'disabled' | undefined>('istio', undefined, 'disabled'),
      serviceAccount: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

const rawWorkloadEntry = fc.record({
  ns: fc.nat(),
  app: fc.constantFrom('vm-a', 'vm-b'),
  tlsMode: fc.constantFrom<'istio' | 'disabled' | undefined>('istio', 'istio', undefined, 'disabled'),
  serviceAccount: fc.boolean(),
});

const rawVirtualService = fc.record({
  target: fc.nat(),
  /** Route a Service that a rule with subsets names (else subsets would rarely meet a route). */
  followRule: fc.boolean(),
  /** Index into namespaces: the VirtualService's namespace (often not the service's). */
  ns: fc.nat(),
  inServiceNamespace: fc.constantFrom(true, true, true, false),
  fqdn: fc.boolean(),
  gateways: fc.constantFrom<'none' | 'mesh' | 'gateway' | 'gateway+mesh'>(
    'none',
    'none',
    'mesh',
    'gateway',
    'gateway+mesh',
  ),
  exportTo: fc.option(
    fc.oneof(
      fc.constant<string[]>(['*']),
      fc.subarray<string>(['.', 'foo', 'bar', 'legacy'], { minLength: 1, maxLength: 2 }),
    ),
    { freq: 3 },
  ),
  /** 'fit': the section that serves the Service's first port (mostly); else a given one, which may not. */
  section: fc.constantFrom<'fit' | 'http' | 'tcp'>('fit', 'fit', 'fit', 'http', 'tcp'),
  destinations: fc.array(fc.constantFrom<'v1' | 'v2' | undefined>('v1', 'v2', 'v2', undefined), {
    minLength: 1,
    maxLength: 2,
  }),
});

const rawCall = fc.record({
  from: fc.nat(),
  to: fc.nat(),
  port: fc.nat(),
  via: fc.constantFrom<'annotation' | 'config'>('annotation', 'config'),
  /** To a headless Service: by a pod's own name (short or FQDN form). */
  podHost: fc.constantFrom<'no' | 'short' | 'fqdn'>('no', 'no', 'short', 'fqdn'),
  /** To a headless Service: a port it does not declare. */
  undeclared: chance(2),
});

const rawScenario = (versions: readonly Version[]) =>
  fc.record({
    version: fc.constantFrom(...versions),
    auto: fc.constantFrom<boolean | undefined>(true, false, undefined),
    autoVia: fc.constantFrom<'config' | 'configmap'>('config', 'configmap'),
    customRoot: chance(5),
    injectionPolicy: fc.constantFrom<'enabled' | 'disabled' | undefined>(
      undefined,
      undefined,
      undefined,
      'enabled',
      'disabled',
    ),
    nsNames: fc.subarray([...NAMESPACE_POOL], { minLength: 1 }),
    namespaces: fc.tuple(rawNamespace, rawNamespace, rawNamespace),
    workloads: fc.array(rawWorkload, { minLength: 2, maxLength: 5 }),
    servicePorts: fc.array(rawServicePorts, { minLength: 5, maxLength: 5 }),
    headless: fc.array(chance(6), { minLength: 5, maxLength: 5 }),
    registryOnly: chance(3),
    peerAuthentications: fc.array(rawPeerAuth, { maxLength: 6 }),
    legacy: fc.array(rawLegacy, { maxLength: 4 }),
    destinationRules: fc.array(rawDestinationRule, { maxLength: 4 }),
    calls: fc.array(rawCall, { minLength: 1, maxLength: 6 }),
    serviceEntries: fc.array(rawServiceEntry, { maxLength: 2 }),
    workloadEntries: fc.array(rawWorkloadEntry, { maxLength: 3 }),
    /** A workload-level PeerAuthentication selecting WorkloadEntries (app=vm-a), with this mode. */
    vmPeerAuth: fc.option(paModeArb, { freq: 2 }),
    entryCalls: fc.array(rawCall, { maxLength: 4 }),
    /** Declare every workload → service port pair instead: more connections checked per generated mesh. */
    allPairs: fc.boolean(),
  });

type Raw = ReturnType<typeof rawScenario> extends fc.Arbitrary<infer T> ? T : never;

/**
 * Scenarios the oracle covers. Raw indices are resolved and duplicates dropped in `normalize`, so shrinking works.
 * `twins`: also generate pairs of DestinationRules for one host (merged by creation time). `entries`: also generate ServiceEntries, WorkloadEntries and calls to the entries' hosts. `routing`: also generate
 * DestinationRule subsets with their own tls and mesh VirtualServices routing to them. Routing is drawn separately,
 * so that the properties without it keep their scenarios (and their seeds) as they were.
 */
export function scenarioArb(
  versions: readonly Version[] = ['1.4', '1.5', '1.30'],
  opts: {
    twins?: boolean;
    entries?: boolean;
    routing?: boolean;
    entries2?: boolean;
    audit?: boolean;
    vsImports?: boolean;
    authz?: boolean;
  } = {},
): fc.Arbitrary<Scenario> {
  const twins = opts.twins ?? false;
  const entries = opts.entries ?? false;
  const base = !opts.routing
    ? rawScenario(versions).map((raw) => normalize(raw, twins, entries, NO_ROUTING))
    : fc
        .tuple(rawScenario(versions), rawRouting)
        .map(([raw, routing]) => normalize(raw, twins, entries, routing));
  // Drawn separately, like routing: the properties without them keep their scenarios and seeds.
  const withE2 = opts.entries2
    ? fc.tuple(base, rawEntries2).map(([scenario, raw]) => withEntries2(scenario, raw))
    : base;
  const withA = opts.audit ? fc.tuple(withE2, rawAudit).map(([s, audit]) => withAudit(s, audit)) : withE2;
  const withZ = opts.authz ? fc.tuple(withA, rawAuthz).map(([s, raw]) => withAuthz(s, raw)) : withA;
  if (!opts.vsImports) return withZ;
  return fc.tuple(withZ, rawVsImports).map(([s, raw]) => withVsImports(s, raw));
}

// ---- audit (issue 17): proxies in the root namespace, traffic past the sidecar ---------------------------------

const portsOf = (ports: readonly number[]) => fc.subarray([...ports], { minLength: 1, maxLength: 2 });

const rawBypass = fc.record({
  tlsModeLabel: fc.constantFrom<BypassSpec['tlsModeLabel'] | undefined>(
    undefined,
    undefined,
    undefined,
    'disabled',
    'istio',
  ),
  excludeInbound: fc.option(portsOf(TARGET_PORTS), { freq: 4 }),
  includeInbound: fc.option(fc.oneof(fc.constantFrom<'' | '*'>('', '*'), portsOf(TARGET_PORTS)), { freq: 5 }),
  excludeOutbound: fc.option(portsOf(SERVICE_PORTS), { freq: 4 }),
  includeOutboundRanges: fc.option(fc.constantFrom<'' | '*'>('', '*'), { freq: 5 }),
  manualProxy: fc.option(fc.constantFrom<'captured' | 'uncaptured'>('captured', 'uncaptured'), { freq: 6 }),
});

const rawAudit = fc.record({
  /** Per workload (by index): what its pod template says about capture and tlsMode. */
  bypass: fc.array(fc.option(rawBypass, { freq: 2 }), { minLength: 5, maxLength: 5 }),
  /** Namespace-wide Sidecars (a namespace of the scenario, or the root namespace) with egress hosts. */
  sidecars: fc.array(
    fc.record({
      ns: fc.nat(),
      root: chance(3),
      hosts: fc.array(
        fc.record({
          // "./*" is the documented default (and "." is the proxy's namespace even in a root Sidecar): drawn often.
          form: fc.constantFrom(
            './*',
            './*',
            './*',
            '*/*',
            '~/*',
            'ns/*',
            '*/fqdn',
            'ns/fqdn',
            '*/wildcard',
            'istio-system/*',
          ),
          target: fc.nat(),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      outbound: fc.constantFrom<SidecarSpec['outboundTrafficPolicy'] | undefined>(
        undefined,
        undefined,
        'ALLOW_ANY',
        'REGISTRY_ONLY',
      ),
    }),
    { maxLength: 2 },
  ),
  /** An injected client in the root namespace (a proxy there skips the root's public DestinationRules). */
  rootClient: fc.option(
    fc.record({
      to: fc.nat(),
      port: fc.nat(),
      via: fc.constantFrom<'annotation' | 'config'>('annotation', 'config'),
    }),
    { freq: 2 },
  ),
});

type RawAudit = typeof rawAudit extends fc.Arbitrary<infer T> ? T : never;

function withAudit(s: Scenario, audit: RawAudit): Scenario {
  s.workloads.forEach((w, i) => {
    const b = audit.bypass[i];
    if (!b) return;
    const spec: BypassSpec = {};
    if (b.tlsModeLabel) spec.tlsModeLabel = b.tlsModeLabel;
    if (b.excludeInbound) spec.excludeInbound = b.excludeInbound;
    if (b.includeInbound !== null) spec.includeInbound = b.includeInbound;
    if (b.excludeOutbound) spec.excludeOutbound = b.excludeOutbound;
    if (b.includeOutboundRanges !== null) spec.includeOutboundRanges = b.includeOutboundRanges;
    if (b.manualProxy !== null && !w.hostNetwork) {
      // A pre-injected pod: its istio-init args were fixed at injection time, so the capture annotations and the
      // tlsMode label are not generated for it; inject "false" keeps the injector away.
      w.bypass = { manualProxy: b.manualProxy };
      w.inject = [{ where: 'pod-annotation', value: 'false' }];
      return;
    }
    if (Object.keys(spec).length) w.bypass = spec;
  });
  // Sidecars only without VirtualServices: which VirtualServices a Sidecar imports is another matter.
  if (!s.virtualServices.length && s.services.length) {
    const sidecars: SidecarSpec[] = [];
    for (const raw of audit.sidecars) {
      const namespace = raw.root ? s.rootNamespace : pick(s.namespaces, raw.ns).name;
      if (sidecars.some((x) => x.namespace === namespace)) continue;
      const hosts = raw.hosts.map(({ form, target }) => {
        const svc = pick(s.services, target);
        const fqdn = `${svc.name}.${svc.namespace}.svc.cluster.local`;
        return form
          .replace('ns/', `${svc.namespace}/`)
          .replace('fqdn', fqdn)
          .replace('wildcard', `*.${svc.namespace}.svc.cluster.local`);
      });
      const spec: SidecarSpec = { namespace, hosts: [...new Set(hosts)] };
      if (raw.outbound) spec.outboundTrafficPolicy = raw.outbound;
      sidecars.push(spec);
    }
    if (sidecars.length) s.sidecars = sidecars;
  }
  const r = audit.rootClient;
  const plain = s.services.filter((x) => x.ports.length);
  if (r && plain.length) {
    if (!s.namespaces.some((n) => n.name === s.rootNamespace))
      s.namespaces.push({ name: s.rootNamespace, injection: 'enabled', via: 'manifest' });
    const to = pick(plain, r.to);
    s.workloads.push({
      namespace: s.rootNamespace,
      name: 'root-client',
      app: 'root-client',
      version: 'v1',
      kind: 'Deployment',
      inject: [],
      hostNetwork: false,
      containerPorts: [],
    });
    s.calls.push({
      from: { namespace: s.rootNamespace, name: 'root-client' },
      to: { namespace: to.namespace, name: to.name },
      port: pick(to.ports, r.port).port,
      via: r.via,
    });
  }
  return s;
}

// Routing II knobs (routes to other hosts, sourceLabels, the mesh's default exportTo, calls that meet routes).
const rawRouting2 = {
  /** Per VirtualService (by index): what routing II adds to it. */
  routing2: fc.array(
    fc.record({
      /** Index into services: a destination on another host (a Service with subsets when `redirectFollow`). */
      redirect: fc.option(fc.nat(), { freq: 2 }),
      redirectFollow: fc.boolean(),
      /** Keep the VirtualService's own destinations beside the redirect (a weighted split over hosts). */
      keepOwn: fc.boolean(),
      /** Index into workloads: the first route matches only pods with that workload's app label. */
      sourceApp: fc.option(fc.nat(), { freq: 3 }),
      fallbackSubset: fc.boolean(),
      /** Route to a subset of the service's own rule when it has subsets and the route names none. */
      subsetize: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  /** Inject every namespace (most scenarios): only sidecar clients are routed, so routes are met far more often. */
  injectAll: fc.constantFrom(true, true, true, false),
  vsDefaultExportTo: fc.option(fc.constantFrom<string[]>(['.'], ['~'], ['*'], ['.', '*']), { freq: 5 }),
  /** Extra declared calls to a host a VirtualService routes: workload, VirtualService and port indices. */
  routedCalls: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 4, maxLength: 10 }),
};

const rawRouting = fc.record({
  /** Per DestinationRule (by index): its subsets with their own tls. */
  subsetPolicies: fc.array(
    fc.array(fc.record({ name: fc.constantFrom<'v1' | 'v2'>('v1', 'v2'), tls: drTlsArb }), {
      minLength: 1,
      maxLength: 2,
    }),
    { minLength: 4, maxLength: 4 },
  ),
  virtualServices: fc.array(rawVirtualService, { minLength: 2, maxLength: 5 }),
  ...rawRouting2,
});

type RawRouting = typeof rawRouting extends fc.Arbitrary<infer T> ? T : never;
const NO_ROUTING: RawRouting = {
  subsetPolicies: [],
  virtualServices: [],
  routing2: [],
  injectAll: false,
  vsDefaultExportTo: null,
  routedCalls: [],
};

function normalize(raw: Raw, twins: boolean, withEntries: boolean, routing: RawRouting): Scenario {
  const version = raw.version;
  const rootNamespace = raw.customRoot ? 'istio-config' : DEFAULT_ROOT_NAMESPACE;
  const namespaces: NamespaceSpec[] = raw.nsNames.map((name) => {
    const r = raw.namespaces[NAMESPACE_POOL.indexOf(name as (typeof NAMESPACE_POOL)[number])]!;
    const spec: NamespaceSpec = { name, injection: r.injection, via: r.viaConfig ? 'config' : 'manifest' };
    if (r.revision !== null) spec.revision = r.revision;
    return spec;
  });

  // Workloads first; then one Service per (namespace, app) that has workloads.
  const workloads: WorkloadSpec[] = [];
  const services: ServiceSpec[] = [];
  for (const w of raw.workloads) {
    const namespace = pick(namespaces, w.ns).name;
    const app = pick(APPS, w.app);
    const version: WorkloadSpec['version'] = w.v2 ? 'v2' : 'v1';
    const name = version === 'v1' ? app : `${app}-v2`;
    if (workloads.some((x) => x.namespace === namespace && x.name === name)) continue;
    let service = services.find((s) => s.namespace === namespace && s.name === app);
    if (!service) {
      service = {
        namespace,
        name: app,
        ports: servicePorts(raw.servicePorts[services.length % raw.servicePorts.length]!),
      };
      if (raw.headless[services.length % raw.headless.length]) service.headless = true;
      services.push(service);
    }
    const inject: WorkloadSpec['inject'] = [];
    for (const i of w.inject) if (!inject.some((x) => x.where === i.where)) inject.push(i);
    const containerPorts: WorkloadSpec['containerPorts'] = [];
    for (const p of service.ports)
      if (typeof p.targetPort === 'number') containerPorts.push({ port: p.targetPort });
    service.ports.forEach((p, i) => {
      if (typeof p.targetPort === 'number') return;
      // A named targetPort: each workload picks its own number for the name (Kubernetes resolves it per pod).
      const wanted = w.namedPorts[i] ?? TARGET_PORTS[0];
      const port = containerPorts.some((c) => c.port === wanted)
        ? TARGET_PORTS.find((t) => !containerPorts.some((c) => c.port === t))!
        : wanted;
      containerPorts.push({ name: p.targetPort, port });
    });
    workloads.push({
      namespace,
      name,
      app,
      version,
      kind: w.kind,
      inject,
      hostNetwork: w.hostNetwork,
      containerPorts,
    });
  }

  const peerAuthentications: PeerAuthSpec[] = [];
  if (version !== '1.4') {
    for (const p of raw.peerAuthentications) {
      if (p.scope === 'root-selector' && version === '1.5') continue; // whether it counts as "a beta PA applies" in 1.5 is not known
      if (p.scope === 'old-root' && rootNamespace === DEFAULT_ROOT_NAMESPACE) continue;
      const apiVersion = version === '1.30' && p.v1 ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
      let spec: PeerAuthSpec;
      if (p.scope === 'mesh' || p.scope === 'old-root') {
        // old-root: a "mesh" policy left in istio-system after the root namespace moved: namespace-level for an
        // empty namespace, so no effect.
        spec = {
          namespace: p.scope === 'mesh' ? rootNamespace : DEFAULT_ROOT_NAMESPACE,
          name: 'default',
          scope: p.scope === 'mesh' ? 'mesh' : 'namespace',
          mode: p.mode,
          portLevel: [],
          apiVersion,
        };
        if (p.emptySelector) spec.emptySelector = true;
      } else if (p.scope === 'namespace') {
        spec = {
          namespace: pick(namespaces, p.ns).name,
          name: 'default',
          scope: 'namespace',
          mode: p.mode,
          portLevel: [],
          apiVersion,
        };
        if (p.emptySelector) spec.emptySelector = true;
      } else {
        const w = pick(workloads, p.target);
        const selector: NonNullable<PeerAuthSpec['selector']> = p.miss
          ? { app: 'nothing' }
          : p.byVersion
            ? { app: w.app, version: w.version }
            : { app: w.app };
        const namespace = p.scope === 'root-selector' ? rootNamespace : w.namespace;
        const portLevel: PeerAuthSpec['portLevel'] = [];
        if (p.scope === 'workload')
          for (const pl of p.portLevel) if (!portLevel.some((x) => x.port === pl.port)) portLevel.push(pl);
        const name = `${selector.app}${selector.version ? `-${selector.version}` : ''}-peers`;
        spec = { namespace, name, scope: p.scope, selector, mode: p.mode, portLevel, apiVersion };
      }
      const key = (s: PeerAuthSpec) =>
        `${s.namespace}|${s.scope === 'workload' || s.scope === 'root-selector' ? JSON.stringify(s.selector) : s.scope}`;
      if (
        peerAuthentications.some(
          (x) => key(x) === key(spec) || (x.namespace === spec.namespace && x.name === spec.name),
        )
      )
        continue;
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
      const s = pick(services, l.target);
      const namespace = l.elsewhere ? pick(namespaces, l.ns).name : s.namespace;
      const sp = pick(s.ports, l.portIndex);
      const target: LegacyPolicySpec['target'] = { name: s.name };
      if (l.port === 'number') target.port = { number: sp.port };
      else if (l.port === 'other-number')
        target.port = { number: SERVICE_PORTS.find((p) => !s.ports.some((x) => x.port === p))! };
      else if (l.port === 'name' && sp.name !== undefined) target.port = { name: sp.name };
      spec = { kind: 'Policy', namespace, name: `${s.name}-mtls`, target, peers: l.peers };
    }
    const key = (s: LegacyPolicySpec) =>
      s.kind === 'MeshPolicy'
        ? `mesh|${s.name}`
        : s.target
          ? `svc|${s.namespace}|${s.target.name}`
          : `ns|${s.namespace}`;
    if (legacyPolicies.some((x) => key(x) === key(spec))) continue;
    legacyPolicies.push(spec);
  }

  // ServiceEntries and WorkloadEntries. Endpoints with sidecars (WorkloadEntries, selectors) only in 1.30: both
  // are 1.6+, and 1.4/1.5 legacy Policies for entry endpoints are not what the oracle describes.
  const serviceEntries: ServiceEntrySpec[] = [];
  const workloadEntries: WorkloadEntrySpec[] = [];
  if (withEntries) {
    if (version === '1.30')
      for (const w of raw.workloadEntries) {
        const namespace = pick(namespaces, w.ns).name;
        const name = `we-${workloadEntries.length}`;
        workloadEntries.push({
          namespace,
          name,
          app: w.app,
          tlsMode: w.tlsMode,
          serviceAccount: w.serviceAccount,
        });
      }
    for (const e of raw.serviceEntries) {
      const namespace = pick(namespaces, e.ns).name;
      const name = `se-${serviceEntries.length}`;
      const protocol = e.portName.startsWith('http')
        ? 'HTTP'
        : e.portName === 'grpc'
          ? 'GRPC'
          : e.portName === 'mysql'
            ? 'MYSQL'
            : 'TCP';
      const spec: ServiceEntrySpec = {
        namespace,
        name,
        host: `${name}.mesh.local`,
        location: e.location,
        resolution: e.resolution,
        port: { port: e.port, targetPort: e.port, name: e.portName, protocol },
      };
      if (e.endpointsFrom === 'selector-pods' && version === '1.30' && workloads.length)
        spec.selector = { app: pick(workloads, e.target).app };
      else if (e.endpointsFrom === 'selector-vms' && version === '1.30')
        spec.selector = { app: e.target % 2 ? 'vm-a' : 'vm-b' };
      else if (e.endpointsFrom === 'endpoints' || e.endpointsFrom.startsWith('selector'))
        // Before 1.30 (here): no endpoint with a sidecar label; a serviceAccount alone counts from 1.7 only.
        spec.endpoints = e.endpoints.map((x) =>
          version === '1.30'
            ? { ...x }
            : { tlsMode: x.tlsMode === 'istio' ? undefined : x.tlsMode, serviceAccount: x.serviceAccount },
        );
      serviceEntries.push(spec);
    }
  }

  const destinationRules: DestinationRuleSpec[] = [];
  const drNamespaces = [...namespaces.map((n) => n.name), rootNamespace];
  for (const [di, d] of raw.destinationRules.entries()) {
    const subsetPolicies = routing.subsetPolicies[di] ?? [];
    const namespace = pick(drNamespaces, d.ns);
    const s = pick(services, d.target);
    // Some rules are for a ServiceEntry host (exact, or the `*.local` wildcard that also matches it).
    const entry = serviceEntries.length && d.target % 3 === 2 ? pick(serviceEntries, d.target) : undefined;
    const host = entry
      ? d.hostKind === 'local-wildcard'
        ? '*.local'
        : entry.host
      : d.hostKind === 'fqdn'
        ? `${s.name}.${s.namespace}.svc.cluster.local`
        : d.hostKind === 'short'
          ? s.name
          : d.hostKind === 'ns-wildcard'
            ? `*.${s.namespace}.svc.cluster.local`
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
    if (d.exportTo) {
      // Before 1.7 only `.` and `*` are honoured, and only the first entry (§3.2 history).
      const exportTo = version === '1.30' ? [...new Set(d.exportTo)] : [d.exportTo.includes('.') ? '.' : '*'];
      // `.` with other entries is rejected by validation.
      spec.exportTo = exportTo.includes('.') && exportTo.length > 1 ? ['.'] : exportTo;
    }
    if (d.lbPassthrough && !spec.noTrafficPolicy) spec.lbPassthrough = true;
    if (d.credentialName && spec.tls === 'SIMPLE') spec.credentialName = true;
    // Two DRs for one host in one namespace are merged by creation time, which only timestamps tell: generated as
    // a pair with timestamps (and no exportTo, whose merge is another matter), never by accident.
    const resolved = (x: DestinationRuleSpec) =>
      x.host.includes('.') ? x.host : `${x.host}.${x.namespace}.svc.cluster.local`;
    if (destinationRules.some((x) => x.namespace === namespace && resolved(x) === resolved(spec))) continue;
    // Subsets with their own tls, on rules without a twin (merged subsets are another matter).
    if (subsetPolicies.length && !(twins && d.twin && !spec.exportTo)) {
      const unique: NonNullable<DestinationRuleSpec['subsetPolicies']> = [];
      for (const sp of subsetPolicies) if (!unique.some((x) => x.name === sp.name)) unique.push(sp);
      spec.subsetPolicies = unique;
    }
    destinationRules.push(spec);
    if (twins && d.twin && !spec.exportTo) {
      const twin: DestinationRuleSpec = {
        namespace,
        name: `dr-${destinationRules.length}`,
        host,
        tls: d.twin.noTrafficPolicy ? 'none' : d.twin.tls,
        noTrafficPolicy: d.twin.noTrafficPolicy,
        portLevel: [],
      };
      if (d.twin.noTrafficPolicy && d.twin.subsets) twin.subsets = true;
      spec.createdAt = d.twin.olderThanFirst ? '2024-02-01T00:00:00Z' : '2024-01-01T00:00:00Z';
      twin.createdAt = d.twin.olderThanFirst ? '2024-01-01T00:00:00Z' : '2024-02-01T00:00:00Z';
      destinationRules.push(twin);
    }
  }

  // One VirtualService per Service; a short host written in another namespace names another host (maybe another
  // Service's, which then has two: the oracle orders them as Istio does).
  const virtualServices: VirtualServiceSpec[] = [];
  const withSubsets = destinationRules
    .filter((d) => d.subsetPolicies && !d.host.startsWith('*'))
    .map((d) => {
      const [name, ns] = d.host.includes('.') ? d.host.split('.') : [d.host, d.namespace];
      const service = services.find((x) => x.name === name && x.namespace === ns);
      return service && { service, names: d.subsetPolicies!.map((x) => x.name) };
    })
    .filter((x) => x !== undefined);
  for (const v of routing.virtualServices) {
    const followed = v.followRule && withSubsets.length ? pick(withSubsets, v.target) : undefined;
    const s = followed?.service ?? pick(services, v.target);
    const namespace = v.inServiceNamespace ? s.namespace : pick(namespaces, v.ns).name;
    const host = v.fqdn ? `${s.name}.${s.namespace}.svc.cluster.local` : s.name;
    const spec: VirtualServiceSpec = {
      namespace,
      name: `${s.name}-route-${s.namespace}`,
      host,
      section:
        v.section !== 'fit' ? v.section : /^(http|grpc)/.test(s.ports[0]!.name ?? 'http') ? 'http' : 'tcp',
      destinations: [],
    };
    for (const raw of v.destinations) {
      const d: VirtualServiceSpec['destinations'][number] = { host };
      // Following a rule: the subsets it defines (the others have no cluster, which the oracle does not decide).
      const subset = raw && followed ? pick(followed.names, raw === 'v1' ? 0 : 1) : raw;
      if (subset) d.subset = subset;
      if (!spec.destinations.some((x) => x.subset === d.subset)) spec.destinations.push(d);
    }
    if (v.gateways === 'mesh') spec.gateways = ['mesh'];
    else if (v.gateways === 'gateway') spec.gateways = ['some-gateway'];
    else if (v.gateways === 'gateway+mesh') spec.gateways = ['some-gateway', 'mesh'];
    // Only 1.6+ reads namespace names in exportTo; older releases are generated without it.
    if (v.exportTo && version === '1.30') {
      const entries = v.exportTo.map((e) => (e === namespace ? '.' : e));
      spec.exportTo = [...new Set(entries)];
    }
    if (virtualServices.some((x) => x.name === spec.name)) continue;
    virtualServices.push(spec);
  }

  const calls: CallSpec[] = [];
  const rawCalls = raw.allPairs
    ? workloads.flatMap((_, from) =>
        services.flatMap((s, to) => s.ports.map((_p, port) => ({ from, to, port, via: raw.calls[0]!.via }))),
      )
    : raw.calls;
  for (const c of rawCalls) {
    const from = pick(workloads, c.from);
    const wantsUndeclared = 'undeclared' in c && c.undeclared;
    // Headless Services are rare: a call to an undeclared port goes to one if there is any.
    const to: ServiceSpec =
      (wantsUndeclared ? services.find((x) => x.headless) : undefined) ?? pick(services, c.to);
    if (from.namespace === to.namespace && from.app === to.name) continue; // a service's own workloads
    const undeclared = to.headless === true && wantsUndeclared;
    const port = undeclared
      ? pick(
          UNDECLARED_PORTS.filter((p) => !to.ports.some((x) => x.port === p)),
          c.port,
        )
      : pick(to.ports, c.port).port;
    const call: CallSpec = {
      from: { namespace: from.namespace, name: from.name },
      to: { namespace: to.namespace, name: to.name },
      port,
      via: c.via,
    };
    if (undeclared) call.undeclared = true;
    const pod = workloads.find((w) => w.namespace === to.namespace && w.app === to.name);
    if (to.headless && pod && 'podHost' in c && c.podHost !== 'no')
      call.podHost = { pod: pod.name, fqdn: c.podHost === 'fqdn' };
    if (calls.some((x) => sameCall(x, call))) continue;
    calls.push(call);
  }

  if (routing.injectAll) for (const n of namespaces) n.injection = 'enabled';
  const vsDefaultExportTo = routingTwo(
    routing,
    virtualServices,
    services,
    workloads.filter(
      (w) =>
        namespaces.find((n) => n.name === w.namespace)?.injection === 'enabled' &&
        !w.hostNetwork &&
        !w.inject.some((i) => i.value === 'false'),
    ),
    workloads,
    withSubsets,
    calls,
  );

  // Pods of headless Services get a hostname and subdomain, so that per-pod names resolve.
  for (const w of workloads) {
    if (services.some((x) => x.headless && x.namespace === w.namespace && x.name === w.app))
      w.subdomain = w.app;
  }
  // Calls to ServiceEntry hosts.
  for (const c of withEntries && serviceEntries.length ? raw.entryCalls : []) {
    const from = pick(workloads, c.from);
    const to = pick(serviceEntries, c.to);
    const call: CallSpec = {
      from: { namespace: from.namespace, name: from.name },
      to: { namespace: to.namespace, name: to.host },
      port: to.port.port,
      via: c.via,
      entry: true,
    };
    if (calls.some((x) => sameCall(x, call))) continue;
    calls.push(call);
  }
  // A workload-level PeerAuthentication for the WorkloadEntries labelled app=vm-a of one namespace.
  const vmEntry = workloadEntries.find((w) => w.app === 'vm-a');
  if (raw.vmPeerAuth !== null && vmEntry)
    peerAuthentications.push({
      namespace: vmEntry.namespace,
      name: 'vm-a-peers',
      scope: 'workload',
      selector: { app: 'vm-a' },
      mode: raw.vmPeerAuth,
      portLevel: [],
      apiVersion: 'security.istio.io/v1',
    });

  const autoMtls = version === '1.5' && raw.auto === undefined ? true : raw.auto;
  return {
    version,
    autoMtls,
    autoMtlsVia: raw.autoVia,
    rootNamespace,
    injectionPolicy: raw.injectionPolicy,
    ...(raw.registryOnly ? { registryOnly: true } : {}),
    namespaces,
    services,
    workloads,
    peerAuthentications,
    legacyPolicies,
    destinationRules,
    serviceEntries,
    workloadEntries,
    virtualServices,
    ...(vsDefaultExportTo ? { vsDefaultExportTo } : {}),
    calls,
  };
}

function servicePorts(
  raw: { port: number; targetPort: number; named: boolean; name: (typeof PORT_NAMES)[number] }[],
): ServicePortSpec[] {
  const ports: ServicePortSpec[] = [];
  for (const p of raw) {
    if (
      ports.some(
        (x) => x.port === p.port || x.targetPort === p.targetPort || x.targetPort === `tp-${p.targetPort}`,
      )
    )
      continue;
    const spec: ServicePortSpec = { port: p.port, targetPort: p.named ? `tp-${p.targetPort}` : p.targetPort };
    if (p.name !== undefined) spec.name = p.name;
    ports.push(spec);
  }
  if (ports.length > 1) {
    // Kubernetes requires distinct names on multi-port Services.
    ports.forEach((p, i) => {
      if (p.name === undefined || ports.findIndex((x) => x.name === p.name) !== i) p.name = `tcp-p${p.port}`;
    });
  }
  return ports;
}

function sameCall(a: CallSpec, b: CallSpec): boolean {
  return (
    a.from.namespace === b.from.namespace &&
    a.from.name === b.from.name &&
    a.to.namespace === b.to.namespace &&
    a.to.name === b.to.name &&
    a.port === b.port
  );
}

// ---- entries2: ServiceEntry exportTo and wildcard hosts, Services that select WorkloadEntries ----------------------

const rawEntries2 = fc.record({
  /** Per ServiceEntry (by index): its exportTo. */
  exportTo: fc.array(
    fc.option(fc.constantFrom<string[]>(['*'], ['~'], ['.'], ['foo'], ['bar', 'legacy'], ['foo', 'bar']), {
      freq: 2,
    }),
    { minLength: 2, maxLength: 2 },
  ),
  /** Per ServiceEntry: its host becomes `*.<name>.mesh.local`, called as `api.<name>.mesh.local`. */
  wildcard: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  /** Per DestinationRule for an entry's own host: when the host becomes a wildcard, the rule names the called host. */
  drForCalledHost: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  /** The egress gateway pattern (1.30 only). */
  egress: fc.option(
    fc.record({
      ns: fc.nat(),
      ruleInClientNs: fc.boolean(),
      ruleTls: fc.constantFrom<EgressSpec['ruleTls']>('ISTIO_MUTUAL', 'ISTIO_MUTUAL', 'DISABLE', 'none'),
      gatewayTls: fc.constantFrom(true, true, false),
      clients: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
      via: fc.constantFrom<'annotation' | 'config'>('annotation', 'config'),
    }),
    { freq: 2 },
  ),
  /** WorkloadEntries labelled like a Service's pods (app=<service>), in its namespace. */
  serviceEntries: fc.array(
    fc.record({
      service: fc.nat(),
      tlsMode: fc.constantFrom<'istio' | 'disabled' | undefined>('istio', undefined, 'disabled'),
      serviceAccount: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
});

type RawEntries2 = typeof rawEntries2 extends fc.Arbitrary<infer T> ? T : never;

function withEntries2(s: Scenario, raw: RawEntries2): Scenario {
  const modern = s.version === '1.30';
  const serviceEntries = s.serviceEntries.map((se, i) => {
    const out: ServiceEntrySpec = { ...se };
    const exportTo = raw.exportTo[i];
    // Before 1.7 only "." (private) and "*" mean anything: older releases get one of those.
    if (exportTo) out.exportTo = modern ? exportTo : [exportTo.includes('.') ? '.' : '*'];
    // A wildcard host the sidecar would resolve by DNS is rejected by validation: not for DNS without endpoints.
    if (raw.wildcard[i] && !(se.resolution === 'DNS' && !se.endpoints)) out.host = `*.${se.name}.mesh.local`;
    return out;
  });
  const renamed = new Map<string, ServiceEntrySpec>();
  s.serviceEntries.forEach((se, i) => {
    if (serviceEntries[i]!.host !== se.host) renamed.set(se.host, serviceEntries[i]!);
  });
  const called = (se: ServiceEntrySpec) => se.host.replace('*', 'api');
  const destinationRules = s.destinationRules.map((d, i) => {
    const se = renamed.get(d.host);
    if (!se) return d;
    return { ...d, host: raw.drForCalledHost[i % 4] ? called(se) : se.host };
  });
  const calls = s.calls.map((c) => {
    const se = c.entry ? renamed.get(c.to.name) : undefined;
    if (!se) return c;
    return { ...c, to: { ...c.to, name: se.host }, callHost: called(se) };
  });
  const workloadEntries = [...s.workloadEntries];
  if (modern && s.services.length)
    for (const e of raw.serviceEntries) {
      const svc = pick(s.services, e.service);
      workloadEntries.push({
        namespace: svc.namespace,
        name: `we-${svc.name}-${workloadEntries.length}`,
        app: svc.name,
        tlsMode: e.tlsMode,
        serviceAccount: e.serviceAccount,
      });
    }
  const out: Scenario = { ...s, serviceEntries, destinationRules, calls, workloadEntries };
  if (modern && raw.egress && s.workloads.length) withEgress(out, raw.egress);
  return out;
}

function withEgress(s: Scenario, raw: NonNullable<RawEntries2['egress']>): void {
  const namespace = pick(s.namespaces, raw.ns).name;
  const host = 'ext.example.org';
  const clients: EgressSpec['clients'] = [];
  for (const i of raw.clients) {
    const w = pick(s.workloads, i);
    if (clients.some((c) => c.namespace === w.namespace && c.name === w.name)) continue;
    clients.push({ namespace: w.namespace, name: w.name });
  }
  s.serviceEntries = [
    ...s.serviceEntries,
    {
      namespace,
      name: 'ext',
      host,
      location: undefined,
      resolution: 'DNS',
      port: { port: 80, targetPort: 80, name: 'http', protocol: 'HTTP' },
    },
  ];
  s.calls = [
    ...s.calls,
    ...clients.map((c): CallSpec => ({
      from: c,
      to: { namespace, name: host },
      port: 80,
      via: raw.via,
      entry: true,
    })),
  ];
  s.egress = {
    namespace,
    ruleNamespace: raw.ruleInClientNs ? clients[0]!.namespace : DEFAULT_ROOT_NAMESPACE,
    ruleTls: raw.ruleTls,
    gatewayTls: raw.gatewayTls,
    clients,
  };
}

// ---- routing II: routes to other hosts, sourceLabels, the mesh's default exportTo, calls that meet routes ----------

/** Applies routing II to the VirtualServices and calls made so far; returns the mesh's defaultVirtualServiceExportTo. */
function routingTwo(
  routing: RawRouting,
  virtualServices: VirtualServiceSpec[],
  services: ServiceSpec[],
  injected: WorkloadSpec[],
  workloads: WorkloadSpec[],
  withSubsets: { service: ServiceSpec; names: ('v1' | 'v2')[] }[],
  calls: CallSpec[],
): string[] | undefined {
  const fqdn = (x: ServiceSpec) => `${x.name}.${x.namespace}.svc.cluster.local`;
  const serviceOf = (vs: VirtualServiceSpec) => {
    const host = vs.host.includes('.') ? vs.host : `${vs.host}.${vs.namespace}.svc.cluster.local`;
    return services.find((x) => fqdn(x) === host);
  };
  virtualServices.forEach((vs, i) => {
    const r = routing.routing2[i];
    if (!r) return;
    const own = serviceOf(vs);
    const ownSubsets = withSubsets.find((w) => w.service === own)?.names;
    if (r.subsetize && ownSubsets)
      vs.destinations = vs.destinations.map((d, j) =>
        d.subset || d.host !== vs.host ? d : { ...d, subset: pick(ownSubsets, i + j) },
      );
    if (r.redirect !== null) {
      const followed = r.redirectFollow ? withSubsets.filter((w) => w.service !== own) : [];
      const pool = followed.length ? followed.map((w) => w.service) : services.filter((x) => x !== own);
      if (pool.length) {
        const target = pick(pool, r.redirect);
        const d: VsDestination = { host: fqdn(target) };
        // A Service with several ports is named with one (else the port called decides, which it may not have).
        if (target.ports.length > 1) d.port = pick(target.ports, r.redirect).port;
        const names = followed.find((w) => w.service === target)?.names;
        if (names) d.subset = pick(names, r.redirect);
        vs.destinations = r.keepOwn ? [...vs.destinations, d] : [d];
      }
    }
    if (r.sourceApp !== null) {
      vs.sourceApp = pick(workloads, r.sourceApp).app;
      const subsets = vs.destinations.flatMap((d) => (d.subset && d.host === vs.host ? [d.subset] : []));
      const back: VsDestination = { host: vs.host };
      if (r.fallbackSubset && subsets.length) back.subset = subsets[0]!;
      vs.fallback = [back];
    }
  });
  for (const [from, v, p] of virtualServices.length ? routing.routedCalls : []) {
    // Mostly clients in injected namespaces: only sidecars are routed.
    const client = pick(injected.length && from % 8 ? injected : workloads, from);
    const target = serviceOf(pick(virtualServices, v));
    if (!target || (client.namespace === target.namespace && client.app === target.name)) continue;
    const call: CallSpec = {
      from: { namespace: client.namespace, name: client.name },
      to: { namespace: target.namespace, name: target.name },
      port: pick(target.ports, p).port,
      via: 'config',
    };
    if (!calls.some((x) => sameCall(x, call))) calls.push(call);
  }
  return routing.vsDefaultExportTo ?? undefined;
}

// ---- Sidecar ingress listeners (issue 17, bypass2) ---------------------------------------------------------------

const rawIpCalls = fc.array(fc.record({ call: fc.nat(), pod: fc.boolean(), endpoint: fc.nat() }), {
  maxLength: 3,
});

const rawSidecarIngress = fc.array(
  fc.record({
    workload: fc.nat(),
    /** Ports the ingress lists: target ports of Services, and ports no Service declares. */
    ports: fc.subarray([...TARGET_PORTS, ...UNDECLARED_PORTS], { minLength: 1, maxLength: 3 }),
  }),
  { maxLength: 2 },
);

/**
 * Scenarios with Sidecar ingress listeners on top of the usual ones (one Sidecar per namespace at most, selecting one
 * workload, so which Sidecar applies is never a matter of creation time). Drawn separately, so the other
 * properties keep their seeds.
 */
export function bypass2ScenarioArb(
  versions: readonly Version[] = ['1.4', '1.5', '1.30'],
): fc.Arbitrary<Scenario> {
  return fc
    .tuple(scenarioArb(versions, { routing: true }), rawSidecarIngress, rawIpCalls)
    .map(([s, raw, ips]) => {
      const sidecarIngress: SidecarIngressSpec[] = [];
      for (const r of raw) {
        const w = pick(s.workloads, r.workload);
        if (sidecarIngress.some((x) => x.namespace === w.namespace)) continue;
        const ports = [...new Set(r.ports)].sort((a, b) => a - b);
        sidecarIngress.push({
          namespace: w.namespace,
          workload: w.name,
          app: w.app,
          version: w.version,
          ports,
        });
      }
      return withIpCalls(sidecarIngress.length ? { ...s, sidecarIngress } : s, ips);
    });
}

/**
 * Calls to IP literals in a client's env: copies of declared calls to ClusterIP Services, naming the Service's
 * explicit clusterIP, or one pod's address from an Endpoints object (its targetRef names a pod of the workload).
 */
function withIpCalls(s: Scenario, raw: { call: number; pod: boolean; endpoint: number }[]): Scenario {
  const candidates = s.calls.filter((c) => !c.entry && !c.undeclared && !c.podHost);
  if (!raw.length || !candidates.length) return s;
  const clusterIps: Record<string, string> = {};
  s.services.forEach((svc, i) => {
    if (!svc.headless) clusterIps[`${svc.namespace}/${svc.name}`] = `10.96.${i}.10`;
  });
  const podAddresses: NonNullable<Scenario['podAddresses']> = [];
  const calls = [...s.calls];
  for (const r of raw) {
    const base = pick(candidates, r.call);
    const svc = s.services.find((x) => x.namespace === base.to.namespace && x.name === base.to.name);
    if (!svc || svc.headless) continue;
    let call: CallSpec;
    if (!r.pod) {
      call = { ...base, via: 'env', ip: { address: clusterIps[`${svc.namespace}/${svc.name}`]! } };
    } else {
      const endpoints = s.workloads.filter((w) => w.namespace === svc.namespace && w.app === svc.name);
      const w = pick(endpoints, r.endpoint);
      const port = svc.ports.find((p) => p.port === base.port)!;
      const podPort =
        typeof port.targetPort === 'number'
          ? port.targetPort
          : w.containerPorts.find((c) => c.name === port.targetPort)?.port;
      if (podPort === undefined) continue;
      const address = `10.244.${s.workloads.indexOf(w)}.7`;
      if (
        podAddresses.some(
          (p) => p.namespace === svc.namespace && p.service === svc.name && p.address !== address,
        )
      )
        continue; // one Endpoints object per Service here
      if (!podAddresses.some((p) => p.address === address))
        podAddresses.push({
          namespace: svc.namespace,
          service: svc.name,
          workload: w.name,
          address,
          podName: w.kind === 'CronJob' ? `${w.name}-28391040-k8x2p` : `${w.name}-5d8f7c6b9-k8x2p`,
        });
      call = { ...base, port: podPort, via: 'env', ip: { address, pod: w.name } };
    }
    // The IP literal replaces the declared call: the only way this client names the server.
    const at = calls.indexOf(base);
    if (at < 0 || calls.some((x) => x.via === 'env' && sameCall(x, call))) continue;
    calls.splice(at, 1, call);
  }
  return { ...s, calls, clusterIps, podAddresses };
}

// ---- issue 17: Sidecar egress hosts import VirtualServices (scenarioArb({ routing: true, vsImports: true })) ----

const rawVsSidecar = fc.record({
  hosts: fc.array(
    fc.record({
      // vsns: a VirtualService's namespace; svcns: its Service's; host: its host as an FQDN.
      // The Service's namespace without the VirtualService's is the case that tells imports apart: drawn often.
      form: fc.constantFrom(
        './*',
        './*',
        '*/*',
        'vsns/*',
        'vsns/host',
        'svcns/host',
        'svcns/host',
        'svcns/*',
        'svcns/*',
        'svcns/*',
        '*/host',
        'istio-system/*',
      ),
      vs: fc.nat(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  outbound: fc.constantFrom<SidecarSpec['outboundTrafficPolicy'] | undefined>(
    undefined,
    undefined,
    'ALLOW_ANY',
    'REGISTRY_ONLY',
  ),
});

const rawVsImports = fc.record({
  /** Per namespace of the clients (in order): its Sidecar, mostly present. */
  sidecars: fc.array(fc.option(rawVsSidecar, { freq: 5 }), { minLength: 3, maxLength: 3 }),
  /** The root namespace's Sidecar (the clients' namespaces without one take it). */
  root: fc.option(rawVsSidecar, { freq: 2 }),
  /**
   * Per VirtualService (by index): move it to another namespace (host and destinations written as FQDNs), so that an
   * egress host importing its Service's namespace does not import it.
   */
  moves: fc.array(fc.option(fc.nat(), { freq: 2 }), { minLength: 5, maxLength: 5 }),
});

type RawVsImports = typeof rawVsImports extends fc.Arbitrary<infer T> ? T : never;

/**
 * Namespace-wide Sidecars (and maybe the root namespace's) whose egress hosts name the VirtualServices' namespaces and
 * hosts, so that a VirtualService is sometimes imported by a client's Sidecar and sometimes not, and its Service
 * sometimes outside egress. A scenario without VirtualServices (or with Sidecars already) is left as it is.
 */
function withVsImports(s: Scenario, raw: RawVsImports): Scenario {
  if (!s.virtualServices.length || s.sidecars?.length) return s;
  const clientNamespaces = [...new Set(s.calls.map((c) => c.from.namespace))];
  if (!clientNamespaces.length) return s;
  s.virtualServices.forEach((vs, i) => {
    const to = raw.moves[i];
    const others = s.namespaces.map((n) => n.name).filter((n) => n !== vs.namespace);
    if (to === undefined || to === null || !others.length) return;
    const namespace = pick(others, to);
    const fqdn = (h: string) => (h.includes('.') ? h : `${h}.${vs.namespace}.svc.cluster.local`);
    vs.host = fqdn(vs.host);
    for (const d of [...vs.destinations, ...(vs.fallback ?? [])]) d.host = fqdn(d.host);
    // exportTo "." meant the old namespace: name it (only 1.30 generates exportTo with names).
    if (vs.exportTo) vs.exportTo = [...new Set(vs.exportTo.map((e) => (e === '.' ? vs.namespace : e)))];
    vs.namespace = namespace;
    if (vs.exportTo) vs.exportTo = [...new Set(vs.exportTo.map((e) => (e === namespace ? '.' : e)))];
  });
  const sidecar = (namespace: string, r: NonNullable<RawVsImports['root']>): SidecarSpec => {
    const hosts = r.hosts.map(({ form, vs: i }) => {
      const vs = pick(s.virtualServices, i);
      const fqdn = vs.host.includes('.') ? vs.host : `${vs.host}.${vs.namespace}.svc.cluster.local`;
      const svcNamespace = fqdn.split('.')[1]!;
      return form
        .replace('vsns/', `${vs.namespace}/`)
        .replace('svcns/', `${svcNamespace}/`)
        .replace('host', fqdn);
    });
    const spec: SidecarSpec = { namespace, hosts: [...new Set(hosts)] };
    if (r.outbound) spec.outboundTrafficPolicy = r.outbound;
    return spec;
  };
  const sidecars: SidecarSpec[] = [];
  clientNamespaces.forEach((ns, i) => {
    const r = raw.sidecars[i];
    if (r && ns !== s.rootNamespace) sidecars.push(sidecar(ns, r));
  });
  if (raw.root) sidecars.push(sidecar(s.rootNamespace, raw.root));
  s.sidecars = sidecars;
  return s;
}

// ---- authz (issue 17): AuthorizationPolicies that need a peer identity, enforced only by a proxy ------------------

/**
 * An ALLOW AuthorizationPolicy with one rule `from: [{source: {<field>: [...]}}]`. In the root namespace it selects
 * across namespaces (no selector: every workload of the mesh); elsewhere only its own namespace's workloads.
 */
export interface AuthzPolicySpec {
  namespace: string;
  name: string;
  /** matchLabels; undefined: no selector (the whole namespace, or the mesh from the root namespace). */
  selector?: { app: string; version?: 'v1' | 'v2' };
  field: 'principals' | 'namespaces';
  /** `action: ALLOW` written, or left to the default (ALLOW). */
  actionWritten: boolean;
}

const rawAuthz = fc.array(
  fc.record({
    /** Index into workloads: the policy's namespace is that workload's (or the root namespace). */
    workload: fc.nat(),
    root: chance(5),
    selector: fc.constantFrom<'app' | 'app-version' | 'none'>('app', 'app', 'app-version', 'none'),
    field: fc.constantFrom<AuthzPolicySpec['field']>('principals', 'namespaces'),
    actionWritten: fc.boolean(),
  }),
  { minLength: 1, maxLength: 3 },
);

type RawAuthz = typeof rawAuthz extends fc.Arbitrary<infer T> ? T : never;

function withAuthz(s: Scenario, raw: RawAuthz): Scenario {
  if (!s.workloads.length) return s;
  const authorizationPolicies: AuthzPolicySpec[] = raw.map((r, i) => {
    const w = pick(s.workloads, r.workload);
    const spec: AuthzPolicySpec = {
      namespace: r.root ? s.rootNamespace : w.namespace,
      name: `allow-${i}`,
      field: r.field,
      actionWritten: r.actionWritten,
    };
    if (r.selector !== 'none')
      spec.selector = r.selector === 'app' ? { app: w.app } : { app: w.app, version: w.version };
    return spec;
  });
  return { ...s, authorizationPolicies };
}
