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
}

export type ClientTlsMode =
  'ISTIO_MUTUAL' | 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'AUTO' | 'PLAINTEXT' | 'NO_SIDECAR';

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
  autoMtlsInputs?: {
    passthroughLb?: Cause;
    /**
     * The port's portLevelSettings entry (without loadBalancer PASSTHROUGH) keeps the cluster EDS: the top-level
     * PASSTHROUGH only feeds the all-or-nothing inference, endpoints are still matched one by one.
     */
    passthroughInferOnly?: boolean;
    endpointCheck?: { mode: string; cause: Cause };
  };
}

export interface ConnectionOutcome {
  /** What the client actually sends to this endpoint. */
  clientTls: 'mtls' | 'plaintext' | 'tls';
  /** "tls": non-Istio TLS that passes through to the application (works only if the app serves TLS). */
  outcome: 'mtls' | 'plaintext' | 'broken' | 'tls';
  /** What the caller sees when broken: connection reset (curl 000/56), HTTP 503 from the client sidecar, TLS error. */
  failure?: 'reset' | '503' | 'tls-error';
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
  /** The mode a sidecar workload that the inputs do not show would get in `namespace` (stand-in servers). */
  namespaceServerMode(namespace: string): ServerModeResult;
  /** Clients with the same key get the same DestinationRule for every host (for grouping possible callers). */
  clientClassKey(client: ClientSpec): string;
  /**
   * Namespaces whose sidecars may choose differently for this service host; sidecars in all other namespaces pick
   * the same DestinationRule for it (so, as callers of this service, they are one group). A shared set: do not modify it.
   */
  namespacesDistinctFor(service: Service | StandInService): Set<string>;
  /** What a client sends to a service port, before looking at the endpoint (DestinationRule, auto mTLS). */
  clientTls(client: ClientSpec, service: Service | StandInService, port: number): ClientTlsResult;
  /** The whole connection: client TLS against what the endpoint accepts, the way this Istio version does it. */
  connect(
    client: ClientSpec,
    service: Service | StandInService,
    port: ServicePort | number,
    server: ServerEndpoint,
  ): EdgeConnectionResult;
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
