// Edges from callers outside the mesh that reach a pod's port directly (the kubelet's probes, Prometheus scrapes):
// the server is the Service port that fronts that container port when there is one, else the pod port itself.
import type { MeshModel, Service, ServicePort, StandInService, Workload } from '../mesh/model.js';
import { resolveTargetPort } from '../mesh/services.js';
import type { CallerEvidence, ClientNode, Edge, EdgeConnection, ServerNode } from './graph.js';

const NO_LABELS: Record<string, string> = {};

/** The Services over each workload, found once per graph. */
export class ServicesOfWorkload {
  private readonly byWorkload = new Map<Workload, Service[]>();

  constructor(mesh: MeshModel) {
    for (const s of mesh.services)
      for (const w of s.workloads) {
        const list = this.byWorkload.get(w);
        if (list) list.push(s);
        else this.byWorkload.set(w, [s]);
      }
  }

  /** The first Service port whose target port is `port` on `w`. */
  fronting(w: Workload, port: number): { service: Service; port: ServicePort } | undefined {
    for (const service of this.byWorkload.get(w) ?? [])
      for (const p of service.ports) if (resolveTargetPort(p, w) === port) return { service, port: p };
    return undefined;
  }
}

/** A server node for a pod port that no Service fronts. */
function podPortNode(w: Workload, port: number): ServerNode {
  return {
    namespace: w.namespace,
    service: w.name,
    port,
    standIn: `${w.kind} ${w.namespace}/${w.name} port ${port} (no Service)`,
  };
}

/** The edge from `client` (no sidecar, or the sidecar state it has) to container port `port` of `w`. */
export function podPortEdge(
  mesh: MeshModel,
  client: ClientNode,
  w: Workload,
  port: number,
  evidence: CallerEvidence,
  services: ServicesOfWorkload,
  via?: { service: Service; port: ServicePort },
): Edge {
  const front = via ?? services.fronting(w, port);
  const target: Service | StandInService = front?.service ?? {
    standIn: true,
    name: w.name,
    namespace: w.namespace,
  };
  const server: ServerNode = front
    ? {
        namespace: front.service.namespace,
        service: front.service.name,
        port: front.port.port,
        serviceRef: front.service,
        servicePort: front.port,
      }
    : podPortNode(w, port);
  const spec = {
    namespace: client.namespace,
    sidecar: client.sidecar,
    labels: client.workload?.labels ?? NO_LABELS,
  };
  const tls = mesh.clientTls(spec, target, front?.port.port ?? port);
  const mode = mesh.serverMode(w, port, front);
  const r = mesh.connectWith(tls, target, front?.port ?? port, { workload: w, targetPort: port, mode });
  const connection: EdgeConnection = {
    serverWorkload: w,
    targetPort: port,
    client: r.client,
    server: r.server,
    result: r.result,
  };
  return {
    client,
    server,
    caller: evidence.kind,
    evidence,
    connections: [connection],
    outcome: r.result.outcome,
    clientTls: r.result.clientTls,
    serverMode: r.server.mode,
  };
}
