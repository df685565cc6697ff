// Known calls to a port the Service does not declare, on a pod's own address (graph/callers.ts undeclaredPort): no
// Service port stands behind them, so the edge's server is the Service's name with the called port, and each
// connection is what the mesh model says of a destination the client sidecar has no cluster for
// (mesh/passthrough.ts). NetworkPolicies are evaluated by graph/build.ts on the called pod port before.
import type { ClientSpec, MeshModel, Service, Workload } from '../mesh/model.js';
import type { CallerEvidence, ClientNode, Edge, EdgeConnection, ServerNode } from './graph.js';

const RANK = { broken: 3, plaintext: 2, tls: 1, mtls: 0 } as const;
const NO_LABELS: Record<string, string> = {};

export class UndeclaredPortEdges {
  /** client key \0 service id \0 port: one edge per known call, the first evidence wins (observed, declared, …). */
  private readonly seen = new Set<string>();
  private readonly nodes = new Map<string, ServerNode>();

  constructor(private readonly mesh: MeshModel) {}

  /** The edge for this call, or undefined when the same client already has one to this pod port. */
  edge(
    client: ClientNode,
    clientKey: string,
    service: Service,
    port: number,
    evidence: CallerEvidence,
    /** A per-pod name: only these workloads' pods are called. */
    podWorkloads?: readonly Workload[],
    /** The call names the pod's IP address. */
    address?: string,
  ): Edge | undefined {
    const key = `${clientKey}\0${service.resource.id}\0${port}`;
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    const spec: ClientSpec = {
      namespace: client.namespace,
      sidecar: client.sidecar,
      labels: client.workload?.labels ?? client.members?.[0]?.labels ?? NO_LABELS,
    };
    if (client.workload) spec.workload = client.workload;
    const connections: EdgeConnection[] = [];
    for (const w of podWorkloads ?? service.workloads) {
      const r = this.mesh.undeclaredPort(spec, service, port, w, address);
      if (!r) return undefined; // the client sends it to an egress proxy: not modelled
      connections.push({
        serverWorkload: w,
        targetPort: port,
        client: r.client,
        server: r.server,
        result: r.result,
      });
    }
    let worst = connections[0]!;
    for (const c of connections) if (RANK[c.result.outcome] > RANK[worst.result.outcome]) worst = c;
    return {
      client,
      server: this.node(service, port),
      caller: evidence.kind,
      evidence,
      connections,
      outcome: worst.result.outcome,
      clientTls: worst.result.clientTls,
      serverMode: worst.server.mode,
    };
  }

  /** One node per (service, port), shared by its edges (nodes are read-only). */
  node(service: Service, port: number): ServerNode {
    const key = `${service.resource.id}\0${port}`;
    let node = this.nodes.get(key);
    if (!node)
      this.nodes.set(
        key,
        (node = { namespace: service.namespace, service: service.name, port, serviceRef: service }),
      );
    return node;
  }
}
