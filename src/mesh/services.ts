// Services, the workloads they select, and service port → container (target) port.
import type { Resource } from '../load/index.js';
import type { Service, ServicePort, Workload } from './model.js';
import { arr, obj, portNumber, selectorMatches, str, stringMap } from './util.js';

/**
 * `workloadEntries`: WorkloadEntries a Service's selector also selects (1.7+, PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES;
 * kube/controller/controller.go serviceInstancesFromWorkloadInstances: same namespace, Services with a selector that
 * are not headless, entries with labels), each an endpoint with its own tlsMode.
 */
export function extractServices(
  resources: Resource[],
  workloads: Workload[],
  workloadEntries: readonly Workload[] = [],
): Service[] {
  // Index workloads by namespace so selection is linear in services × workloads-of-that-namespace.
  const byNamespace = new Map<string, Workload[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.namespace, list);
  }
  const entriesByNamespace = new Map<string, Workload[]>();
  for (const w of workloadEntries) {
    if (!Object.keys(w.labels).length) continue; // WorkloadInstanceHandler: no labels, nothing selects it
    const list = entriesByNamespace.get(w.namespace) ?? [];
    list.push(w);
    entriesByNamespace.set(w.namespace, list);
  }
  const out: Service[] = [];
  for (const r of resources) {
    if (r.kind !== 'Service' || r.group !== '' || r.namespace === undefined || !r.name) continue;
    const spec = obj(r.value.spec) ?? {};
    const selectorValue = obj(spec.selector);
    const selector =
      selectorValue && Object.keys(selectorValue).length ? stringMap(selectorValue) : undefined;
    const ports: ServicePort[] = [];
    arr(spec.ports).forEach((p, index) => {
      const po = obj(p);
      const port = portNumber(po?.port);
      if (!po || port === undefined) return;
      const target = po.targetPort;
      const sp: ServicePort = {
        port,
        protocol: (str(po.protocol) ?? 'TCP').toUpperCase(),
        targetPort:
          typeof target === 'string' && !/^\d+$/.test(target) ? target : (portNumber(target) ?? port),
        index,
      };
      const name = str(po.name);
      if (name) sp.name = name;
      const appProtocol = str(po.appProtocol);
      if (appProtocol) sp.appProtocol = appProtocol;
      ports.push(sp);
    });
    const type = str(spec.type);
    const headless = spec.clusterIP === 'None';
    // A Service without a selector has manually managed Endpoints: its backends are not in the inputs.
    const selected = selector
      ? (byNamespace.get(r.namespace) ?? []).filter((w) => selectorMatches(selector, w.labels))
      : [];
    if (selector && !headless && type !== 'ExternalName')
      for (const we of entriesByNamespace.get(r.namespace) ?? [])
        if (selectorMatches(selector, we.labels)) selected.push(we);
    out.push({
      name: r.name,
      namespace: r.namespace,
      resource: r,
      ...(selector ? { selector } : {}),
      ports,
      workloads: selected,
      headless,
      ...(str(spec.clusterIP) && spec.clusterIP !== 'None' ? { clusterIP: str(spec.clusterIP)! } : {}),
      external: type === 'ExternalName',
    });
  }
  return out;
}

/** A named targetPort resolves against each pod's container port names, so it can differ per workload. */
export function resolveTargetPort(port: ServicePort, workload: Workload): number | undefined {
  if (port.entryPort && port.name !== undefined) {
    const named = workload.containerPorts.find((c) => c.name === port.name);
    if (named) return named.port;
  }
  if (typeof port.targetPort === 'number') return port.targetPort;
  return workload.containerPorts.find((c) => c.name === port.targetPort)?.port;
}

/**
 * Is the port declared HTTP to Istio (name prefix or appProtocol)? Unnamed ports are sniffed ("auto").
 * istio pilot/pkg/networking/networking.go ModelProtocolToListenerProtocol; protocol selection docs.
 */
export function portProtocol(port: ServicePort | undefined): 'http' | 'tcp' | 'auto' | 'udp' {
  if (!port) return 'auto';
  // Asked for every connection to the port: worked out once per port object (ports are not modified).
  let protocol = portProtocols.get(port);
  if (protocol === undefined) portProtocols.set(port, (protocol = protocolOf(port)));
  return protocol;
}

const portProtocols = new WeakMap<ServicePort, 'http' | 'tcp' | 'auto' | 'udp'>();

/** portProtocol(port) === 'udp', without working out the rest of the protocol. */
export function isUdp(port: ServicePort): boolean {
  return port.protocol === 'UDP' || port.protocol === 'SCTP';
}

function protocolOf(port: ServicePort): 'http' | 'tcp' | 'auto' | 'udp' {
  if (isUdp(port)) return 'udp';
  const declared = (port.appProtocol ?? port.name?.split('-')[0] ?? '').toLowerCase();
  if (!declared) return 'auto';
  if (HTTP_PROTOCOLS.has(declared)) return 'http';
  if (TCP_PROTOCOLS.has(declared)) return 'tcp';
  return 'auto';
}

const HTTP_PROTOCOLS = new Set([
  'http',
  'http2',
  'grpc',
  'grpc-web',
  'http-proxy',
  'h2c',
  'kubernetes.io/h2c',
]);
const TCP_PROTOCOLS = new Set(['https', 'tls', 'tcp', 'mongo', 'redis', 'mysql']);
