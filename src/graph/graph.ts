// Graph types: who calls whom, and what happens on each connection.
import type { Resource } from '../load/index.js';
import type {
  ClientTlsResult,
  ConnectionOutcome,
  ServerModeResult,
  Service,
  ServicePort,
  Workload,
} from '../mesh/model.js';
import type { CallerKind, FieldPath } from '../types.js';

/** A client: a concrete workload, or a stand-in for workloads the inputs do not show. */
export interface ClientNode {
  namespace: string;
  /** Workload name, or "*" for a stand-in. */
  name: string;
  /**
   * The workload's kind; for a stand-in, what it stands for: "Workload" (workloads the inputs do not show), or a
   * caller the graph infers from a resource — "Gateway" (an Istio gateway proxy), "IngressController",
   * "ExternalClient" (clients outside the cluster). New kinds of caller add a name here, nothing else.
   */
  kind: string;
  workload?: Workload;
  /** Possible callers that behave the same (same namespace and sidecar state) are one node with several members. */
  members?: Workload[];
  /** Sidecar state of the client (for stand-ins and named clients not in the inputs, what was assumed). */
  sidecar: 'sidecar' | 'none' | 'ambient';
  /** Stand-in description: "any new sidecar workload in payments", "any sidecar workload in the mesh". */
  standIn?: string;
  /**
   * The sidecar state is an assumption about a client the inputs do not show (an ingress controller that is not in
   * them): findings about it are one severity lower.
   */
  sidecarAssumed?: boolean;
  /**
   * The client is a reverse proxy in front of users (an ingress controller that is not an Envoy): when its upstream
   * connection fails, its users see its answer (HTTP 502), not the reset. What it is, for messages.
   */
  reverseProxy?: string;
}

/** A server: a Service port, reached on the target port of one or more backing workloads. */
export interface ServerNode {
  namespace: string;
  service: string;
  port: number;
  serviceRef?: Service;
  servicePort?: ServicePort;
  /** Stand-in: "any other service in foo". */
  standIn?: string;
}

/** How we know the client calls the server, and where it says so. */
export interface CallerEvidence {
  kind: CallerKind;
  /** "config callers[2]", "annotation mtls-lint.io/calls", "env HTTPBIN_URL", "AuthorizationPolicy foo/allow principals". */
  description: string;
  resource?: Resource;
  path?: FieldPath;
  /** Observed calls: what the mesh's telemetry counted, by the security the destination saw. */
  observed?: ObservedAmounts;
}

/** Requests or connections (or rates, from Kiali) of one observed call, by security, over the traffic window. */
export interface ObservedAmounts {
  mtls: number;
  plaintext: number;
  /** Reported by the source only: the destination has no sidecar to say. */
  unknown: number;
  unit: 'requests' | 'connections' | 'req/s' | 'bytes/s';
  window: string;
  origins: string[];
}

export interface Edge {
  client: ClientNode;
  server: ServerNode;
  caller: CallerKind;
  evidence: CallerEvidence;
  /** One per backing workload (or one for a stand-in server). */
  connections: EdgeConnection[];
  /** The worst outcome over connections: broken > plaintext > mtls. */
  outcome: ConnectionOutcome['outcome'];
  clientTls: ConnectionOutcome['clientTls'];
  serverMode: ServerModeResult['mode'];
  /**
   * The service port the client called, when a mesh VirtualService sends that call to this edge's service port
   * instead (another host or port): the connections then say "routed by VirtualService …".
   */
  routedFrom?: ServerNode;
}

export interface EdgeConnection {
  serverWorkload?: Workload;
  targetPort: number | undefined;
  client: ClientTlsResult;
  server: ServerModeResult;
  result: ConnectionOutcome;
}

/** A declared or inferred call that NetworkPolicies refuse (graph/network-policy.ts): it cannot happen. */
export interface BlockedCall {
  client: ClientNode;
  server: ServerNode;
  evidence: CallerEvidence;
  /** The NetworkPolicies that isolate the end that refuses it. */
  policies: Resource[];
}

export interface Graph {
  edges: Edge[];
  /** Known calls that NetworkPolicies refuse; not edges. */
  blocked?: BlockedCall[];
  /** Declared callers that name a service or workload the inputs do not contain. */
  unresolved: string[];
  /** The window of the observed traffic the run was given (--traffic, --prometheus); absent without any. */
  observedWindow?: string;
  /** Made from another graph: the edges of servers not `recomputed` are that graph's own objects. */
  derivedFrom?: { graph: Graph; recomputed: (server: ServerNode) => boolean };
}
