// The egress gateway pattern (issue 17): a mesh VirtualService for a ServiceEntry host routes sidecar clients to the
// egress gateway's Service (usually a DestinationRule subset with tls ISTIO_MUTUAL), and a second route, bound to the
// Gateway, takes the gateway on to the external host. This module adds only the first hop: each sidecar client that
// calls the entry host also calls the egress gateway Service on the routed port, with the route's subset, so the
// client's DestinationRule toward the gateway Service decides what it sends and the gateway's Gateway server
// decides what it accepts (mesh/gateway-servers.ts). The gateway's own call to the host comes from its Gateway-bound
// route (graph/gateways.ts). The client's edge to the entry host itself is kept as it is: redirecting a call's edge
// to another host is the general routing model's matter (graph/routing.ts), not this one's.
// Sources: pilot/pkg/networking/core/httproute.go (BuildSidecarOutboundVirtualHosts: a virtual host per VirtualService
// host, its routes to the destination's cluster, subset included), pilot/pkg/model/virtualservice.go (match.gateways
// narrows a route to the named gateways; "mesh" is the sidecars).
import type { Resource } from '../load/index.js';
import type { MeshModel, Service } from '../mesh/model.js';
import { arr, get, hostMatches, obj, portNumber, str } from '../mesh/util.js';
import type { Call } from './callers.js';
import { isGatewayWorkload } from './gateways.js';

/** Calls from sidecar clients of ServiceEntry hosts to the egress gateway Services their mesh routes send them to. */
export function egressGatewayHops(
  mesh: MeshModel,
  virtualServices: Resource[],
  known: readonly Call[],
): Call[] {
  const out: Call[] = [];
  const routed = virtualServices.filter(
    (vs) => vs.group === 'networking.istio.io' && vs.namespace !== undefined && appliesToMesh(vs),
  );
  if (!routed.length) return out;
  for (const call of known) {
    const entry = call.service.entry;
    // Stand-ins and gateway proxies follow their own routes; clients without a sidecar meet no route.
    if (!entry || call.node || !('resource' in call.client) || call.client.sidecar.state !== 'sidecar')
      continue;
    const client = call.client;
    for (const vs of routed) {
      if (!visibleTo(vs, client.namespace)) continue;
      const hosts = arr(get(vs.value, 'spec', 'hosts')).map((h) => str(h)?.toLowerCase() ?? '');
      if (!hosts.some((h) => h === entry.host || hostMatches(h, entry.host))) continue;
      for (const hop of gatewayDestinations(mesh, vs, call.service)) {
        if (call.ports && !call.ports.some((p) => hop.from.includes(p))) continue;
        const c: Call = {
          client,
          service: hop.service,
          ports: [hop.port],
          evidence: {
            kind: 'inferred',
            description: `VirtualService ${vs.namespace}/${vs.name} routes ${entry.host} (which ${call.evidence.description} calls) to the egress gateway ${hop.service.name}.${hop.service.namespace}:${hop.port}${hop.subset !== undefined ? ` subset ${hop.subset}` : ''}`,
            resource: vs,
            path: hop.path,
          },
        };
        if (hop.subset !== undefined) c.subset = hop.subset;
        out.push(c);
      }
    }
  }
  return out;
}

/** Bound to sidecars: no gateways (mesh only), or "mesh" among them. */
function appliesToMesh(vs: Resource): boolean {
  const gateways = arr(get(vs.value, 'spec', 'gateways')).map((g) => str(g));
  return gateways.length === 0 || gateways.includes('mesh');
}

/** exportTo as sidecars see it: none or "*" everyone, "." its own namespace, names those namespaces. */
function visibleTo(vs: Resource, namespace: string): boolean {
  const exportTo = arr(get(vs.value, 'spec', 'exportTo')).map((e) => str(e));
  if (!exportTo.length || exportTo.includes('*')) return true;
  return exportTo.some((e) => e === namespace || (e === '.' && vs.namespace === namespace));
}

interface Hop {
  service: Service;
  port: number;
  /** The entry ports this route takes (its match port, else every port of the entry). */
  from: number[];
  subset?: string;
  path: (string | number)[];
}

/** Route destinations of `vs` for sidecars that are egress gateway Services of the inputs. */
function gatewayDestinations(mesh: MeshModel, vs: Resource, entry: Service): Hop[] {
  const out: Hop[] = [];
  for (const section of ['http', 'tcp', 'tls'] as const) {
    arr(get(vs.value, 'spec', section)).forEach((r, ri) => {
      const route = obj(r);
      const matches = arr(route?.match).map((m) => obj(m));
      // A route whose every match names gateways without "mesh" is the gateway's, not the sidecars'.
      const forMesh =
        !matches.length ||
        matches.some((m) => {
          const gateways = arr(m?.gateways).map((g) => str(g));
          return gateways.length === 0 || gateways.includes('mesh');
        });
      if (!forMesh) return;
      const matchPorts = matches.map((m) => portNumber(m?.port)).filter((p): p is number => p !== undefined);
      const from = matchPorts.length ? matchPorts : entry.ports.map((p) => p.port);
      arr(route?.route).forEach((d, di) => {
        const dest = obj(obj(d)?.destination);
        const host = str(dest?.host)?.toLowerCase();
        if (!dest || !host) return;
        const service = mesh.serviceByHost(host, vs.namespace!);
        if (!service || !isEgressGateway(service)) return;
        const port =
          portNumber(get(dest, 'port', 'number')) ??
          (service.ports.length === 1 ? service.ports[0]!.port : undefined);
        if (port === undefined) return;
        const hop: Hop = {
          service,
          port,
          from,
          path: ['spec', section, ri, 'route', di, 'destination', 'host'],
        };
        const subset = str(dest.subset);
        if (subset) hop.subset = subset;
        out.push(hop);
      });
    });
  }
  return out;
}

/** A Service whose pods are Istio gateway proxies (or, without pods in the inputs, Istio's egress gateway name). */
function isEgressGateway(service: Service): boolean {
  if (service.workloads.length) return service.workloads.some((w) => 'resource' in w && isGatewayWorkload(w));
  return service.name.includes('egressgateway');
}
