// Gateway proxies: which workloads are gateways, and whom they call. An Istio gateway is a proxy with a mesh identity:
// as a client it uses DestinationRules and auto mTLS like a sidecar (from its own namespace, with Istio's lookup for
// the root namespace); as a server it is no PeerAuthentication target (its listeners' TLS comes from the Gateway
// resource). Its calls are the destinations of the routes bound to it: VirtualServices naming an Istio Gateway, and
// Gateway API routes whose parent Gateway has an Istio class. Routes of other gateway classes are called by that
// class's controller, which the inputs rarely show.
import type { Resource } from '../load/index.js';
import type { KindInput, MeshModel, Service, Workload } from '../mesh/model.js';
import { arr, get, obj, portNumber, selectorMatches, str, stringMap } from '../mesh/util.js';
import type { FieldPath } from '../types.js';
import type { Call } from './callers.js';
import type { CallerEvidence, ClientNode } from './graph.js';

const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'] as const;

export const GATEWAY_INPUTS: readonly KindInput[] = [
  {
    // One kind name for networking.istio.io and gateway.networking.k8s.io Gateways: the reach is everything anyway.
    kinds: ['VirtualService', 'Gateway', 'GatewayClass', ...ROUTE_KINDS],
    reach: 'everything',
    reader:
      'graph/gateways.ts gatewayCalls: routes bound to a gateway call their destinations in any namespace, from the gateway proxy',
  },
];

/** Gateway API classes Istio deploys a gateway proxy for (istio-waypoint is an ambient waypoint, not a gateway). */
const ISTIO_GATEWAY_CLASSES = new Set(['istio']);
const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';

/**
 * Is this workload an Istio gateway proxy? The injection template `gateway` (the istio/gateway Helm chart and the
 * documented manual deployment), the pods Istio deploys for a Gateway API Gateway, and the classic
 * `istio: ingressgateway|egressgateway` deployments whose proxy runs as `router`.
 */
export function isGatewayWorkload(w: Workload): boolean {
  let answer = gatewayAnswers.get(w);
  if (answer === undefined) gatewayAnswers.set(w, (answer = gatewayShape(w)));
  return answer;
}

const gatewayAnswers = new WeakMap<Workload, boolean>();

function gatewayShape(w: Workload): boolean {
  const templates = w.annotations['inject.istio.io/templates'];
  if (templates?.split(',').some((t) => t.trim() === 'gateway')) return true;
  // Pods Istio deploys for Gateway API Gateways (istio.io-gateway-controller, -eastwest-, -mesh- …).
  if (w.labels['gateway.istio.io/managed']?.startsWith('istio.io-')) return true;
  const istio = w.labels.istio;
  if (istio === 'ingressgateway' || istio === 'egressgateway' || w.labels['istio.io/gateway-name']) {
    const spec = obj(get(w.resource.value, ...w.podPath, 'spec'));
    return arr(spec?.containers).some((c) => {
      const args = arr(obj(c)?.args).map((a) => str(a));
      return args[0] === 'proxy' && args.includes('router');
    });
  }
  return false;
}

/** What a gateway caller is: the gateway workloads of the inputs, or a stand-in for the proxy they do not show. */
function gatewayNodes(workloads: Workload[], standIn: () => ClientNode): ClientNode[] {
  if (!workloads.length) return [standIn()];
  return workloads.map((w) => ({
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
    workload: w,
    // A gateway is a proxy whatever the injection labels say: its own container is the proxy.
    sidecar: 'sidecar' as const,
  }));
}

/**
 * The Istio ingress gateway that serves Kubernetes Ingresses of class istio: the pods mesh config ingressSelector
 * picks (istio=ingressgateway by default, pilot/pkg/config/kube/ingress), or a stand-in in the root namespace.
 */
export function istioIngressGatewayNodes(mesh: MeshModel): ClientNode[] {
  const root = mesh.settings.rootNamespace;
  const selected = mesh.workloads.filter((w) => w.labels.istio === 'ingressgateway' && isGatewayWorkload(w));
  return gatewayNodes(selected, () => ({
    namespace: root,
    name: '*',
    kind: 'Gateway',
    sidecar: 'sidecar',
    standIn: `the Istio ingress gateway (istio=ingressgateway; not in the inputs; assumed in ${root})`,
  }));
}

interface Destination {
  service: Service;
  ports: number[];
  subset?: string;
  path: FieldPath;
  what: string;
}

export function gatewayCalls(mesh: MeshModel, input: (kind: string) => Resource[]): Call[] {
  const calls: Call[] = [];
  const root = mesh.settings.rootNamespace;
  const gatewayWorkloads = mesh.workloads.filter(isGatewayWorkload);
  const emit = (nodes: ClientNode[], destinations: Destination[], resource: Resource, via: string): void => {
    for (const d of destinations) {
      const evidence: CallerEvidence = {
        kind: 'inferred',
        description: `${resource.kind} ${resource.namespace}/${resource.name} ${d.what}${via}`,
        resource,
        path: d.path,
      };
      for (const node of nodes) {
        if (node.workload && d.service.workloads.includes(node.workload)) continue;
        const call: Call = {
          client: node.workload ?? { namespace: node.namespace, name: node.name },
          service: d.service,
          ports: d.ports,
          evidence,
          node,
        };
        if (d.subset !== undefined) call.subset = d.subset;
        calls.push(call);
      }
    }
  };

  // Istio VirtualServices bound to Istio Gateways.
  const istioGateways = new Map<string, Resource>();
  for (const g of input('Gateway'))
    if (g.group === 'networking.istio.io' && g.namespace !== undefined)
      istioGateways.set(`${g.namespace}/${g.name}`, g);
  for (const vs of input('VirtualService')) {
    if (vs.group !== 'networking.istio.io' || vs.namespace === undefined) continue;
    const namespace = vs.namespace;
    const bound = arr(get(vs.value, 'spec', 'gateways'))
      .map((g) => str(g))
      .filter((g): g is string => !!g && g !== 'mesh');
    if (!bound.length) continue;
    const destinations = virtualServiceDestinations(mesh, vs, namespace);
    if (!destinations.length) continue;
    for (const ref of bound) {
      const key = ref.includes('/') ? ref : `${namespace}/${ref}`;
      const gateway = istioGateways.get(key);
      const selector = gateway ? stringMap(get(gateway.value, 'spec', 'selector')) : undefined;
      // Istio matches a Gateway's selector against gateway pods in every namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE
      // is off by default).
      const selected =
        selector && Object.keys(selector).length
          ? gatewayWorkloads.filter((w) => selectorMatches(selector, w.labels))
          : [];
      const shown = selector
        ? Object.entries(selector)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')
        : undefined;
      // Istio's own gateways run in the root namespace unless the inputs show otherwise; a custom selector's
      // gateway is assumed beside its Gateway resource.
      const classic = !selector || ['ingressgateway', 'egressgateway'].includes(selector.istio ?? '');
      const ns = classic ? root : (gateway?.namespace ?? root);
      const nodes = gatewayNodes(selected, () => ({
        namespace: ns,
        name: '*',
        kind: 'Gateway',
        sidecar: 'sidecar',
        standIn: `the Istio gateway of Gateway ${key}${shown ? ` (${shown})` : ''} (not in the inputs; assumed in ${ns})`,
      }));
      emit(nodes, destinations, vs, ` (gateway ${key})`);
    }
  }

  // Gateway API routes, from their parent Gateways.
  const classControllers = new Map<string, string>();
  for (const c of input('GatewayClass'))
    if (c.group === 'gateway.networking.k8s.io')
      classControllers.set(c.name, str(get(c.value, 'spec', 'controllerName')) ?? '');
  const k8sGateways = new Map<string, Resource>();
  for (const g of input('Gateway'))
    if (g.group === 'gateway.networking.k8s.io' && g.namespace !== undefined)
      k8sGateways.set(`${g.namespace}/${g.name}`, g);
  for (const kind of ROUTE_KINDS) {
    for (const route of input(kind)) {
      if (route.group !== 'gateway.networking.k8s.io' || route.namespace === undefined) continue;
      const destinations = routeBackends(mesh, route, route.namespace);
      if (!destinations.length) continue;
      arr(get(route.value, 'spec', 'parentRefs')).forEach((p) => {
        const parent = obj(p);
        const kindRef = str(parent?.kind) ?? 'Gateway';
        const name = str(parent?.name);
        // A Service parent is a mesh (GAMMA) route: sidecars' routing, not a gateway's caller.
        if (kindRef !== 'Gateway' || !name) return;
        const key = `${str(parent?.namespace) ?? route.namespace}/${name}`;
        const gateway = k8sGateways.get(key);
        // A parent the inputs do not show has a class nobody can tell: no caller is made up for it.
        if (!gateway) return;
        const className = str(get(gateway.value, 'spec', 'gatewayClassName')) ?? '';
        const controller = classControllers.get(className);
        // A waypoint is the mesh's own proxy for ambient traffic, not a gateway caller.
        if (className === 'istio-waypoint') return;
        const istio =
          controller !== undefined
            ? controller === ISTIO_GATEWAY_CONTROLLER
            : ISTIO_GATEWAY_CLASSES.has(className);
        let nodes: ClientNode[];
        if (istio) {
          // Istio deploys the proxy in the Gateway's namespace, labelled with the Gateway's name.
          const deployed = gatewayWorkloads.filter(
            (w) =>
              w.namespace === gateway.namespace &&
              (w.labels['gateway.networking.k8s.io/gateway-name'] === gateway.name ||
                w.labels['istio.io/gateway-name'] === gateway.name),
          );
          nodes = gatewayNodes(deployed, () => ({
            namespace: gateway.namespace!,
            name: '*',
            kind: 'Gateway',
            sidecar: 'sidecar',
            standIn: `the Istio gateway proxy of Gateway ${key} (deployed by Istio, not in the inputs)`,
          }));
        } else {
          nodes = [
            {
              namespace: gateway.namespace!,
              name: '*',
              kind: 'IngressController',
              sidecar: 'none',
              sidecarAssumed: true,
              standIn: `the ${className || 'unnamed'} gateway controller of Gateway ${key} (not in the inputs; assumed without a sidecar)`,
            },
          ];
        }
        emit(nodes, destinations, route, ` (parent Gateway ${key}, class ${className || 'none'})`);
      });
    }
  }
  return calls;
}

function virtualServiceDestinations(mesh: MeshModel, vs: Resource, namespace: string): Destination[] {
  const out: Destination[] = [];
  for (const section of ['http', 'tcp', 'tls'] as const) {
    arr(get(vs.value, 'spec', section)).forEach((r, ri) => {
      arr(obj(r)?.route).forEach((d, di) => {
        const dest = obj(obj(d)?.destination);
        const host = str(dest?.host)?.toLowerCase();
        if (!dest || !host) return;
        // Short hosts are resolved in the VirtualService's namespace; other hosts may be ServiceEntry hosts (the
        // egress gateway's own leg to an external host).
        const service = mesh.serviceByHost(host, namespace) ?? mesh.serviceEntryByHost(host);
        if (!service) return;
        const port = portNumber(get(dest, 'port', 'number'));
        // Without a port, Istio routes only to a single-port service (a multi-port one gets no cluster): no call.
        if (port === undefined && service.ports.length !== 1) return;
        const subset = str(dest.subset);
        const d2: Destination = {
          service,
          ports: [port ?? service.ports[0]!.port],
          path: ['spec', section, ri, 'route', di, 'destination', 'host'],
          what: `routes to ${host}${port !== undefined ? `:${port}` : ''}${subset ? ` subset ${subset}` : ''}`,
        };
        if (subset) d2.subset = subset;
        out.push(d2);
      });
    });
  }
  return out;
}

function routeBackends(mesh: MeshModel, route: Resource, namespace: string): Destination[] {
  const out: Destination[] = [];
  arr(get(route.value, 'spec', 'rules')).forEach((rule, ri) => {
    arr(obj(rule)?.backendRefs).forEach((b, bi) => {
      const ref = obj(b);
      const name = str(ref?.name);
      if (!ref || !name) return;
      const group = str(ref.group) ?? '';
      const kind = str(ref.kind) ?? 'Service';
      if (group !== '' || kind !== 'Service') return;
      const ns = str(ref.namespace) ?? namespace;
      const service = mesh.serviceByHost(`${name}.${ns}`, namespace);
      if (!service) return;
      const port = portNumber(ref.port);
      // A Service backendRef without a port is invalid (Gateway API requires one): no call.
      if (port === undefined) return;
      out.push({
        service,
        ports: [port],
        path: ['spec', 'rules', ri, 'backendRefs', bi, 'name'],
        what: `backendRef ${name}.${ns}:${port}`,
      });
    });
  });
  return out;
}
