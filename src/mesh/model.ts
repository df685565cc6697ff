// The mesh model's vocabulary. Everything Istio decides (injection, server mode, DestinationRule choice,
// auto mTLS, connection outcome) is computed in src/mesh/ and nowhere else; rules only read these answers.
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type { Release } from './releases.js';
import type { IstioVersion } from './version.js';

/** A setting in a resource that decided something, so findings can point at it. */
export interface Cause {
  resource: Resource;
  path: FieldPath;
  /** "PeerAuthentication foo/default mode STRICT", for messages. */
  description: string;
}

export type SidecarState = 'sidecar' | 'none' | 'ambient';

export interface SidecarDecision {
  state: SidecarState;
  /** False when the answer rests on an assumption (a namespace the inputs do not define). */
  certain: boolean;
  /** Why, for messages: "namespace foo has istio-injection=enabled". */
  reason: string;
  cause?: Cause;
  /** The namespace whose injection state the inputs do not tell. */
  unknownNamespace?: string;
}

export interface NamespaceInfo {
  name: string;
  resource?: Resource;
  /** Labels from the Namespace resource or from config `namespaces:`. */
  labels: Record<string, string>;
  /** Where the facts come from. */
  origin: 'manifest' | 'config' | 'unknown' | 'system';
}

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: string;
}

export interface Workload {
  kind: string;
  name: string;
  namespace: string;
  resource: Resource;
  /** Path to the pod template (["spec","template"], ["spec","jobTemplate","spec","template"], [] for a Pod). */
  podPath: FieldPath;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  containerPorts: ContainerPort[];
  hostNetwork: boolean;
  sidecar: SidecarDecision;
}

export interface ServicePort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
  targetPort: number | string;
  /** Index in spec.ports, for positions. */
  index: number;
  /**
   * A ServiceEntry port: an endpoint's port of the same name (WorkloadEntry ports, named container ports) comes
   * before targetPort (conversion.go convertEndpoint).
   */
  entryPort?: true;
}

export interface Service {
  name: string;
  namespace: string;
  resource: Resource;
  selector?: Record<string, string>;
  ports: ServicePort[];
  workloads: Workload[];
  headless: boolean;
  /** spec.clusterIP when the manifest sets an address (rare: Kubernetes usually assigns it). */
  clusterIP?: string;
  /** ExternalName services are not proxied to workloads. */
  external: boolean;
  /** A host of a ServiceEntry (mesh/service-entries.ts): `workloads` are its endpoints, `resource` the entry. */
  entry?: ServiceEntryTarget;
}

/** What a ServiceEntry says about one of its hosts. */
export interface ServiceEntryTarget {
  host: string;
  /** MESH_EXTERNAL (the default) never gets auto mTLS. */
  location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  resolution: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  /** Where its endpoints come from: selected pods and WorkloadEntries, inline `endpoints`, or the host itself. */
  endpointsFrom: 'selector' | 'endpoints' | 'host';
  /** The location (or, for the default, the host), for findings and explanations. */
  cause: Cause;
  /** spec.exportTo as written (undefined: none, which is the mesh default "*"). */
  exportTo?: string[];
}

export type ServerMode =
  'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'NO_SIDECAR' | 'AMBIENT_STRICT' | 'AMBIENT_PERMISSIVE';

export type PolicyLevel =
  | 'default'
  | 'mesh'
  | 'namespace'
  | 'workload'
  | 'port'
  | 'legacy-mesh'
  | 'legacy-namespace'
  | 'legacy-service'
  | 'legacy-port';

export interface ServerModeResult {
  mode: ServerMode;
  level: PolicyLevel;
  /** The setting that decided the mode; absent for Istio's default. */
  cause?: Cause;
  /** Other policies at the deciding level: Istio keeps the oldest, which manifests do not tell. */
  ambiguousWith?: Resource[];
  explanation: string;
  /**
   * The port is excluded from the sidecar's inbound capture (mode NO_SIDECAR): what the sidecar would have enforced
   * there, which does not apply.
   */
  bypassed?: ServerModeResult;
  /**
   * NO_SIDECAR for authentication only: the sidecar still applies the AuthorizationPolicies that select the workload
   * on this port (Istio 1.4's inbound passthrough chain).
   */
  authorizes?: boolean;
}

export type ClientTlsMode =
  'ISTIO_MUTUAL' | 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'AUTO' | 'PLAINTEXT' | 'NO_SIDECAR' | 'BLOCKED';

export interface ClientTlsResult {
  mode: ClientTlsMode;
  /** The DestinationRule tls setting (or the DR without tls) that decided; absent when no DR applies. */
  cause?: Cause;
  explanation: string;
  /**
   * For AUTO from a DestinationRule: what else of that rule auto mTLS reads when it decides per endpoint — a top-level
   * loadBalancer PASSTHROUGH (one decision for every endpoint), and the tls the 1.12+ endpoint check reads (the
   * top-level tls under a portLevelSettings entry without tls).
   */
  /**
   * Traffic a VirtualService routes (mesh/virtual-services.ts): which one, and to which subset; `from` is the host the
   * client called when the route sends it to another host or port (a redirected connection).
   */
  route?: { via: Cause; subset?: string; from?: { host: string; port: number } };
  autoMtlsInputs?: {
    passthroughLb?: Cause;
    /**
     * The port's portLevelSettings entry (without loadBalancer PASSTHROUGH) keeps the cluster EDS: the top-level
     * PASSTHROUGH only feeds the all-or-nothing inference, endpoints are still matched one by one.
     */
    passthroughInferOnly?: boolean;
    endpointCheck?: { mode: string; cause: Cause };
    /**
     * 1.12–1.18: the check takes, per endpoint, the tls of the first of the rule's subsets whose labels the pod has
     * (mode undefined: that subset sets none, so endpointCheck decides); asked before endpointCheck.
     */
    endpointCheckBySubset?: { labels: Record<string, string>; mode?: string; cause?: Cause }[];
  };
  /**
   * The client sidecar has no cluster for the destination (a host outside its Sidecar egress, a port no Service
   * declares): it forwards the traffic to the PassthroughCluster (PLAINTEXT) or, under outboundTrafficPolicy
   * REGISTRY_ONLY, the BlackHoleCluster (BLOCKED). "http": an HTTP listener on the port takes it (catch-all route:
   * a 503 or the BlackHole's 502); "tcp": the virtual outbound listener's TCP proxy does (a reset).
   */
  passthrough?: 'http' | 'tcp';
}

/**
 * What a sidecar client sends on one route of a VirtualService (mesh/virtual-services.ts): the subset's (or the
 * service's) DestinationRule tls, and which endpoints that route's cluster holds.
 */
export interface RoutedClientTls {
  /** Its explanation names the VirtualService (file:line) and the subset. */
  tls: ClientTlsResult;
  /** The VirtualService destination that sends traffic here. */
  via: Cause;
  subset?: string;
  /**
   * The subset's labels: its cluster holds only the endpoints that have them. Undefined: every endpoint (no subset,
   * or one without labels).
   */
  endpointLabels?: Record<string, string>;
  /**
   * The route sends the call to another Service (or another port of the called one): the client connects to that
   * service port's endpoints, with its DestinationRule (route.go GetDestinationCluster). Undefined: the called one.
   */
  target?: { service: Service; port: ServicePort };
}

export interface ConnectionOutcome {
  /** What the client actually sends to this endpoint ("none": its sidecar blocks the call, nothing leaves the pod). */
  clientTls: 'mtls' | 'plaintext' | 'tls' | 'none';
  /** "tls": non-Istio TLS that passes through to the application (works only if the app serves TLS). */
  outcome: 'mtls' | 'plaintext' | 'broken' | 'tls';
  /**
   * What the caller sees when broken: connection reset (curl 000/56), HTTP 503 from the client sidecar, TLS error,
   * HTTP 502 from the client sidecar's BlackHole route (outboundTrafficPolicy REGISTRY_ONLY).
   */
  failure?: 'reset' | '503' | 'tls-error' | '502';
  explanation: string;
}

export interface MeshSettingsResolved {
  version: IstioVersion;
  /** What this release of Istio does (src/mesh/releases.ts): ask it, never compare version numbers. */
  release: Release;
  rootNamespace: string;
  rootNamespaceCause?: Cause;
  autoMtls: boolean;
  /** "default for Istio 1.30", "mesh config istio-system/istio", ".mtls-lint.yaml mesh.autoMtls". */
  autoMtlsSource: string;
  autoMtlsCause?: Cause;
  /** meshConfig.outboundTrafficPolicy.mode when the inputs set REGISTRY_ONLY (default ALLOW_ANY). */
  outboundTrafficPolicy?: 'REGISTRY_ONLY';
  /** Where the inputs set REGISTRY_ONLY mesh-wide. */
  outboundTrafficPolicyCause?: Cause;
  /** meshConfig.defaultVirtualServiceExportTo when the inputs set it (Istio's default: "*"). */
  defaultVirtualServiceExportTo?: string[];
}

/** A client as the semantics see it: where it runs and whether it has a sidecar. */
export interface ClientSpec {
  namespace: string;
  sidecar: SidecarState;
  labels: Record<string, string>;
  /**
   * The client workload, when the caller is one concrete workload: its pod annotations can send some outbound
   * traffic past the sidecar (traffic.sidecar.istio.io/excludeOutbound…). Absent for grouped and stand-in callers.
   */
  workload?: Workload;
  /** A client the inputs do not show (a stand-in): its pod labels are unknown, so a sourceLabels match may hold or not. */
  labelsUnknown?: true;
}

/** What a PeerAuthentication (or its port entry) sets; UNSET inherits from the level above. */
export type PeerAuthnMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthn {
  resource: Resource;
  namespace: string;
  /** undefined or empty = namespace/mesh-wide. */
  selector?: Record<string, string>;
  mode: PeerAuthnMode;
  portLevel: Map<number, PeerAuthnMode>;
}

/**
 * Where a PeerAuthentication sits (§1.2): mesh = root namespace without selector; namespace = elsewhere without
 * selector; workload = selector outside the root namespace; root-selector = selector in the root namespace, which
 * Istio ignores (ComposePeerAuthentication).
 */
export type PeerAuthnLevel = 'mesh' | 'namespace' | 'workload' | 'root-selector';

export interface PeerAuthnEntry extends PeerAuthn {
  level: PeerAuthnLevel;
}

export interface LegacyPolicy {
  resource: Resource;
  namespace: string | undefined; // undefined for MeshPolicy
  targets: { name: string; ports: { number?: number; name?: string }[]; index: number }[];
  /** STRICT/PERMISSIVE from the first mtls peer; DISABLE when no peer has mtls (plaintext only). */
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  modePath: FieldPath;
}

/** The policies at each level, as Istio composes them (mesh/server-mode.ts ServerPolicies). */
export interface PolicyLevels {
  /** Root namespace, no selector. */
  meshLevel(): PeerAuthn[];
  namespaceLevel(namespace: string): PeerAuthn[];
  workloadLevel(namespace: string, labels: Record<string, string>): PeerAuthn[];
  /** Namespace-wide legacy Policies (no targets) of a namespace; Istio uses the oldest. */
  legacyNamespaceWide(namespace: string): LegacyPolicy[];
  /** MeshPolicies named `default`, the only ones Istio reads. */
  legacyMesh(): LegacyPolicy[];
  /** The legacy policy for (service, service port) in 1.1–1.5. */
  legacyPolicyFor(
    service: Service,
    port: ServicePort | undefined,
  ): { policy: LegacyPolicy; level: PolicyLevel; ambiguous: LegacyPolicy[] } | undefined;
}

export interface DestinationRuleInfo {
  resource: Resource;
  namespace: string;
  /** Host after Istio's short-name resolution against the DR's namespace. */
  host: string;
  exportTo: string[] | undefined;
  workloadSelector?: Record<string, string>;
}

export interface DrAudience {
  /** Namespaces of the inputs (and ANY_OTHER_NAMESPACE) whose sidecars consult this rule for its host. */
  namespaces: string[];
  /** Why the rule reaches only those. */
  reason: string;
}

export interface ShadowHit {
  /** The rule without tls that a client picks. */
  rule: DestinationRuleInfo;
  /** The ISTIO_MUTUAL rule it would have used without `rule` (may be `rule` itself: a port entry without tls). */
  shadowed: DestinationRuleInfo;
  shadowedPath: FieldPath;
  /** Service ports affected; undefined = every port without its own entry. */
  port: number | undefined;
  /** Where the missing tls is (trafficPolicy or a portLevelSettings entry). */
  path: FieldPath;
  clientNamespace: string;
}

export interface ServiceEntryInfo {
  resource: Resource;
  namespace: string;
  hosts: string[];
}

export interface TargetPortUse {
  service: Service;
  port: ServicePort;
  workload: Workload;
}

/** A DestinationRule subset of a Service host, and the workloads behind the Service that its labels select. */
export interface DrSubset {
  /** Index in spec.subsets. */
  index: number;
  name: string | undefined;
  labels: Record<string, string>;
  service: Service;
  /** Workloads behind the Service whose pod labels the subset selects; undefined when the inputs cannot tell. */
  workloads: Workload[] | undefined;
  /** Why the inputs cannot tell: the Service has no selector, or no workload of the inputs is behind it. */
  unknown?: 'no-selector' | 'no-workloads';
}

/**
 * What Istio makes of one portLevelMtls key of a workload-level PeerAuthentication: Istio keys it by target
 * (container) port and builds a chain only for ports a Service routes to (1.9+: also declared container ports,
 * needPerPortPassthroughFilterChain).
 */
export interface PortLevelMtlsKey {
  port: number;
  /**
   * applies: a chain carries it; maybe: 1.9+ and the workloads declare no container port, so the app may listen
   * there; service-port: the key is a service port (asServicePort says which), ignored; unrouted: a declared
   * container port no Service routes to, ignored before 1.9; no-port: none of the workloads' ports, ignored.
   */
  verdict: 'applies' | 'maybe' | 'service-port' | 'unrouted' | 'no-port';
  asServicePort?: { service: Service; port: ServicePort; targetPort: number };
  /** The ports an entry would apply to (target ports, and declared container ports where Istio honours them). */
  knownPorts: number[];
  /** Istio would also honour the key if the app listened on it undeclared (1.9+). */
  undeclaredApplies: boolean;
}

export interface MeshModel {
  settings: MeshSettingsResolved;
  /** The resources the model was built from (schema-invalid ones left out). */
  resources: Resource[];
  /** Those of the given kinds, in input order (a shared array: do not modify it). */
  resourcesOfKind(...kinds: string[]): Resource[];
  namespaces: Map<string, NamespaceInfo>;
  workloads: Workload[];
  services: Service[];
  authorizationPolicies: AuthzPolicy[];
  /** Resolve a host as a client in `fromNamespace` would write it (svc, svc.ns, svc.ns.svc, FQDN). */
  serviceByHost(host: string, fromNamespace: string): Service | undefined;
  /** The container port that a service port reaches on one workload (named targetPorts resolved). */
  targetPort(service: Service, port: ServicePort, workload: Workload): number | undefined;
  /** What the server sidecar (or ztunnel, or the bare app) accepts on a target port. */
  serverMode(
    workload: Workload,
    targetPort: number | undefined,
    via?: { service: Service; port: ServicePort },
  ): ServerModeResult;
  /**
   * The mode a workload that the inputs do not show would get in `namespace` (stand-in servers): with a sidecar
   * (the default), in ambient mode, or without either.
   */
  namespaceServerMode(namespace: string, sidecar?: SidecarState): ServerModeResult;
  /** Is the namespace enrolled in ambient mode (istio.io/dataplane-mode=ambient, on a release that has it)? */
  namespaceAmbient(namespace: string): boolean;
  /** Clients with the same key get the same DestinationRule for every host (for grouping possible callers). */
  clientClassKey(client: ClientSpec): string;
  /**
   * Namespaces whose sidecars may choose differently for this service host; sidecars in all other namespaces pick
   * the same DestinationRule for it (so, as callers of this service, they are one group). A shared set: do not modify it.
   */
  namespacesDistinctFor(service: Service | StandInService): Set<string>;
  /**
   * What a client sends to a service port, before looking at the endpoint (DestinationRule, auto mTLS); with a
   * subset, for traffic routed to that subset.
   */
  clientTls(
    client: ClientSpec,
    service: Service | StandInService,
    port: number,
    subset?: string,
  ): ClientTlsResult;
  /**
   * The routes of the VirtualService a sidecar client's call to a service port takes, each with what the client
   * sends on it (a subset's tls applies only to traffic routed to that subset); undefined when no VirtualService
   * routes it (clientTls without a subset then answers). A shared array: do not modify it.
   */
  routedClientTls(client: ClientSpec, service: Service, port: ServicePort): RoutedClientTls[] | undefined;
  /** The whole connection: client TLS against what the endpoint accepts, the way this Istio version does it. */
  connect(
    client: ClientSpec,
    service: Service | StandInService,
    port: ServicePort | number,
    server: ServerEndpoint,
  ): EdgeConnectionResult;
  /**
   * A call to a port that `service` does not declare, on the address of one of its pods (a headless Service's name or
   * a pod's own name): what the client sidecar does with a destination it has no cluster for, against what the pod's
   * inbound passthrough chain accepts. Undefined when the client's Sidecar sends such traffic to an egressProxy, whose
   * handling the manifests do not show. `address`: the call names the pod's IP (Endpoints, EndpointSlice), so the
   * port may be one a Service routes to the pod; then the pod's own chain for it answers.
   */
  undeclaredPort(
    client: ClientSpec,
    service: Service,
    port: number,
    workload: Workload,
    address?: string,
  ): EdgeConnectionResult | undefined;
  // The configuration itself, read once with the model (the same indexes the connection answers use).
  /** Every PeerAuthentication, with the level Istio gives it. */
  peerAuthentications: PeerAuthnEntry[];
  /** authentication.istio.io Policies and MeshPolicies (≤ 1.5). */
  legacyPolicies: LegacyPolicy[];
  policies: PolicyLevels;
  destinationRules: DestinationRuleInfo[];
  serviceEntries: ServiceEntryInfo[];
  /** One service per exact host of each ServiceEntry, with its endpoints (mesh/service-entries.ts). */
  serviceEntryServices: Service[];
  /** Every WorkloadEntry as an endpoint (labels, sidecar state from its tlsMode), whether an entry selects it or not. */
  workloadEntries: Workload[];
  /** WorkloadEntries of `namespace` whose labels a policy's `matchLabels` selector selects. */
  workloadEntriesSelected(namespace: string, selector: Record<string, string>): Workload[];
  /**
   * The ServiceEntry service of a host a client names (exact host, else the most specific wildcard host), or
   * undefined; with `fromNamespace`, one exported to that namespace if any (else one the client does not see).
   */
  serviceEntryByHost(host: string, fromNamespace?: string): Service | undefined;
  /**
   * The DestinationRule(s) a sidecar in `clientNamespace` uses for `host` (a service in `serviceNamespace`): the
   * first is the one whose tls counts, the rest are merged into it (§3.2, §3.3). Empty: no rule.
   */
  destinationRuleFor(
    clientNamespace: string,
    clientLabels: Record<string, string>,
    host: string,
    serviceNamespace: string,
  ): DestinationRuleInfo[];
  /**
   * The ISTIO_MUTUAL DestinationRule that a sidecar client would use for `host` on `port` if the rule it does use
   * were not there (a rule without tls that hides it: istio-semantics.md §4.5); undefined when there is none.
   */
  mutualRuleShadowedFor(
    client: ClientSpec,
    host: string,
    serviceNamespace: string,
    port: number,
  ): DestinationRuleInfo | undefined;
  /** Does a sidecar in `clientNamespace` see this rule at all (exportTo and its release rules)? */
  destinationRuleVisibleTo(rule: DestinationRuleInfo, clientNamespace: string): boolean;
  /** Which client namespaces consult a DestinationRule for its host (§3.2), and why only those. */
  destinationRuleAudience(rule: DestinationRuleInfo): DrAudience;
  /** Groups of DestinationRules that Istio merges (same host and namespace …); only groups of two or more. */
  mergedDestinationRules(): { key: string; rules: DestinationRuleInfo[]; newestWins: boolean }[];
  /** Rules without tls that hide an ISTIO_MUTUAL setting from the clients that pick them (KIA0204, precisely). */
  shadowedMutualRules(): ShadowHit[];
  /** ServiceEntries declaring a host that the (resolved) pattern matches, or whose wildcard host covers it. */
  serviceEntriesFor(host: string): ServiceEntryInfo[];
  /** The Service with exactly this FQDN in the inputs. */
  serviceByFqdn(fqdn: string): Service | undefined;
  /**
   * For an FQDN no Service of the inputs has: why it exists all the same (a Service Istio's installation creates in
   * the root namespace, while the inputs do not hold the installation), or undefined.
   */
  installationService(fqdn: string): string | undefined;
  /** The inputs hold at least one workload in `namespace`: only then can "selects nothing" be said. */
  workloadsKnownIn(namespace: string): boolean;
  /** The inputs hold a Service or a workload in `namespace`. */
  servicesKnownIn(namespace: string): boolean;
  /** Workloads of `namespace` whose pod labels match a `matchLabels` selector. */
  workloadsSelected(namespace: string, selector: Record<string, string>): Workload[];
  /** Could a sidecar client run in this namespace? False only when the inputs say it has no injection and no sidecar pods. */
  mayHaveSidecarClients(namespace: string): boolean;
  /** Services that select a workload (the ones whose ports become inbound listeners on it). */
  servicesSelecting(workload: Workload): Service[];
  /** Target (container) ports that Services route to on these workloads, each with the service ports that reach it. */
  targetPortsOf(workloads: Workload[]): Map<number, TargetPortUse[]>;
  /** Workloads of every namespace whose pod labels match a `matchLabels` selector. */
  workloadsMatching(selector: Record<string, string>): Workload[];
  /** The labelled subsets of a DestinationRule whose host is a Service of the inputs, with the workloads they select. */
  destinationRuleSubsets(rule: DestinationRuleInfo): DrSubset[];
  /**
   * Workload-level PeerAuthentications whose selectors select the same pods whatever the pods are, per namespace:
   * [container, contained] classes of equal selectors, where every label of the container's selector is in the
   * contained one's (a class with several policies comes as [class, class]).
   */
  peerAuthnSelectorOverlaps(): [PeerAuthnEntry[], PeerAuthnEntry[]][];
  /** What Istio makes of each portLevelMtls key of a workload-level PeerAuthentication (empty: it selects nothing). */
  portLevelMtlsKeys(pa: PeerAuthn): PortLevelMtlsKey[];
  /** connect() for what a client sends as clientTls() answered it (the graph asks that once per edge, not per endpoint). */
  connectWith(
    clientTls: ClientTlsResult,
    service: Service | StandInService,
    port: ServicePort | number,
    server: ServerEndpoint,
  ): EdgeConnectionResult;
}

/** A service the inputs do not show ("any other service in foo"), used by stand-in edges. */
export interface StandInService {
  standIn: true;
  name: string;
  namespace: string;
}

export interface ServerEndpoint {
  workload?: Workload;
  /** For stand-ins: the endpoint's sidecar state and mode without a concrete workload. */
  sidecar?: SidecarState;
  targetPort: number | undefined;
  mode: ServerModeResult;
}

export interface EdgeConnectionResult {
  client: ClientTlsResult;
  server: ServerModeResult;
  result: ConnectionOutcome;
}

/** An AuthorizationPolicy's fields that only match mTLS traffic (mesh/authz.ts reads them). */
export interface MtlsOnlyField {
  path: FieldPath;
  /** "principals", "notNamespaces", "when source.principal" … */
  field: string;
  /**
   * principals/namespaces/when keys match only mTLS peers (plaintext never matches them); the not* forms match
   * plaintext, since an empty identity is "not" anything (istio-semantics.md §7.2).
   */
  positive: boolean;
}

export interface AuthzPolicy {
  resource: Resource;
  namespace: string;
  selector: Record<string, string>;
  action: string;
  mtlsFields: MtlsOnlyField[];
}

/**
 * A kind the mesh model or the graph reads, declared beside its reader (mesh/build.ts MODEL_INPUTS, graph/build.ts
 * GRAPH_INPUTS), and how far a change to one reaches in them. PR mode computes its change scope from these
 * declarations (diff/change-scope.ts); the model and the graph refuse to read a kind not declared.
 */
export interface KindInput {
  kinds: readonly string[];
  /**
   * "everything": any edge (workloads, Services, mesh settings); "namespace": the servers of the resource's namespace
   * (all of them for the root namespace); "hosts": the servers whose host one of `hostsOf` matches (undefined from
   * hostsOf: everything).
   */
  reach: 'everything' | 'namespace' | 'hosts';
  hostsOf?: (resource: Resource) => string[] | undefined;
  /** Who reads it, and why the reach is what it is. */
  reader: string;
}
