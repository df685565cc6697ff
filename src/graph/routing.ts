// Connections of a call that a mesh VirtualService routes (mesh/virtual-services.ts): each route reaches the endpoints
// of its cluster — a subset's cluster only the pods with the subset's labels — with what the client sends on it.
import type { MeshModel, RoutedClientTls, ServerEndpoint, Service, ServicePort } from '../mesh/model.js';
import { selectorMatches } from '../mesh/util.js';
import type { EdgeConnection } from './graph.js';

/**
 * One connection per (route, endpoint it reaches). A subset whose labels select none of the service's workloads in
 * the inputs is assumed to stand for pods the inputs do not show that look like the ones they do: every endpoint.
 */
export function routedConnections(
  mesh: MeshModel,
  routes: RoutedClientTls[],
  service: Service,
  port: ServicePort,
  endpoints: ServerEndpoint[],
): EdgeConnection[] {
  const list: EdgeConnection[] = [];
  for (const route of routes) {
    const labels = route.endpointLabels;
    let reached = labels
      ? endpoints.filter((e) => e.workload && selectorMatches(labels, e.workload.labels))
      : endpoints;
    if (!reached.length) reached = endpoints;
    for (const endpoint of reached) {
      const r = mesh.connectWith(route.tls, service, port, endpoint);
      list.push({
        serverWorkload: endpoint.workload,
        targetPort: endpoint.targetPort,
        client: r.client,
        server: r.server,
        result: r.result,
      });
    }
  }
  return list;
}
