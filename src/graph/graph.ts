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
  kind: string;
  workload?: Workload;
  /** Possible callers that behave the same (same namespace and sidecar state) are one node with several members. */
  members?: Workload[];
  /** Sidecar state of the client (for stand-ins and named clients not in the inputs, what was assumed). */
  sidecar: 'sidecar' | 'none' | 'ambient';
  /** Stand-in description: "any new sidecar workload in payments", "any sidecar workload in the mesh". */
  standIn?: string;
  /** The sidecar state is assumed (a client the inputs do not show, e.g. Prometheus): findings go one level lower. */
  sidecarAssumed?: boolean;
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
  /** Made from another graph: the edges of servers not `recomputed` are that graph's own objects. */
  derivedFrom?: { graph: Graph; recomputed: (server: ServerNode) => boolean };
}
