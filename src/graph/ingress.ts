// Callers from outside the mesh: the ingress controller behind each Ingress, and clients outside the cluster of
// Services exposed as LoadBalancer, NodePort or externalIPs. The controller is the workload of the inputs that
// serves the Ingress's class, with its own sidecar state; otherwise a stand-in assumed without a sidecar. Outside
// clients have no sidecar by definition.
import type { Resource } from '../load/index.js';
import type { ClientTlsResult, KindInput, MeshModel, Service, ServicePort, Workload } from '../mesh/model.js';
import { portProtocol, resolveTargetPort } from '../mesh/services.js';
import { arr, get, obj, portNumber, str } from '../mesh/util.js';
import type { FieldPath } from '../types.js';
import type { Call } from './callers.js';
import type { CallerEvidence, ClientNode } from './graph.js';
import { isGatewayWorkload, istioIngressGatewayNodes } from './gateways.js';

export const INGRESS_INPUTS: readonly KindInput[] = [
  {
    // An Ingress's backends are Services of its own namespace.
    kinds: ['Ingress'],
    reach: 'namespace',
    reader:
      'graph/ingress.ts ingressCalls: the ingress controller calls the backend Services of its namespace',
  },
  {
    kinds: ['IngressClass'],
    reach: 'everything',
    reader: 'graph/ingress.ts ingressCalls: which controller serves an Ingress, in any namespace',
  },
];

const NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
/** Istio serves Ingresses itself: class istio (mesh config ingressClass), or an IngressClass with this controller. */
const ISTIO_CONTROLLER = 'istio.io/ingress-controller';
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const SERVICE_UPSTREAM = 'nginx.ingress.kubernetes.io/service-upstream';

/** The containers' command and args of a workload, as one list of strings. */
function commandLine(w: Workload): string[] {
  const spec = obj(get(w.resource.value, ...w.podPath, 'spec'));
  return arr(spec?.containers).flatMap((c) =>
    [...arr(obj(c)?.command), ...arr(obj(c)?.args)].map((a) => str(a) ?? ''),
  );
}

/** ingress-nginx's controller: its binary, or the labels its Helm chart and static manifests set. */
function isIngressNginx(w: Workload): boolean {
  if (commandLine(w).some((a) => a.endsWith('/nginx-ingress-controller'))) return true;
  return (
    w.labels['app.kubernetes.io/name'] === 'ingress-nginx' &&
    w.labels['app.kubernetes.io/component'] === 'controller'
  );
}

function flag(w: Workload, name: string): string | undefined {
  for (const a of commandLine(w)) if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  return undefined;
}

interface IngressClassInfo {
  name: string;
  controller: string;
  isDefault: boolean;
}

/** What serves an Ingress: the controller string (from its IngressClass) and the class name. */
interface Served {
  className: string | undefined;
  controller: string | undefined;
  /** Where the class comes from, for evidence. */
  how: string;
}

function classOf(ingress: Resource, classes: Map<string, IngressClassInfo>): Served {
  const byField = str(get(ingress.value, 'spec', 'ingressClassName'));
  const byAnnotation = str(get(ingress.value, 'metadata', 'annotations', CLASS_ANNOTATION));
  const name = byField ?? byAnnotation;
  if (name)
    return {
      className: name,
      controller: classes.get(name)?.controller,
      how: byField ? `ingressClassName ${name}` : `annotation ${CLASS_ANNOTATION}: ${name}`,
    };
  const defaults = [...classes.values()].filter((c) => c.isDefault);
  if (defaults.length === 1)
    return {
      className: defaults[0]!.name,
      controller: defaults[0]!.controller,
      how: `default IngressClass ${defaults[0]!.name}`,
    };
  return { className: undefined, controller: undefined, how: 'no ingress class' };
}

/** The controller workloads of the inputs that serve a class. */
function controllersOf(served: Served, candidates: Workload[]): Workload[] {
  return candidates.filter((w) => {
    const controllerClass = flag(w, 'controller-class');
    const ingressClass = flag(w, 'ingress-class');
    if (served.controller !== undefined && controllerClass !== undefined)
      return controllerClass === served.controller;
    if (served.className !== undefined && ingressClass !== undefined)
      return ingressClass === served.className;
    // ingress-nginx's defaults: controller class k8s.io/ingress-nginx, ingress class "nginx".
    if (!isIngressNginx(w)) return false;
    return served.controller !== undefined
      ? served.controller === NGINX_CONTROLLER
      : served.className === 'nginx';
  });
}

export function ingressCalls(mesh: MeshModel, input: (kind: string) => Resource[]): Call[] {
  const ingresses = input('Ingress').filter(
    (r) => r.group === 'networking.k8s.io' && r.namespace !== undefined,
  );
  if (!ingresses.length) return [];
  const classes = new Map<string, IngressClassInfo>();
  for (const c of input('IngressClass'))
    if (c.group === 'networking.k8s.io')
      classes.set(c.name, {
        name: c.name,
        controller: str(get(c.value, 'spec', 'controller')) ?? '',
        isDefault:
          str(get(c.value, 'metadata', 'annotations', 'ingressclass.kubernetes.io/is-default-class')) ===
          'true',
      });
  // Controllers: workloads that say which class they serve, and ingress-nginx by its shape.
  const candidates = mesh.workloads.filter(
    (w) =>
      !isGatewayWorkload(w) &&
      (isIngressNginx(w) ||
        flag(w, 'controller-class') !== undefined ||
        flag(w, 'ingress-class') !== undefined),
  );
  const calls: Call[] = [];
  for (const ingress of ingresses) {
    const namespace = ingress.namespace!;
    const served = classOf(ingress, classes);
    const istio =
      served.controller !== undefined ? served.controller === ISTIO_CONTROLLER : served.className === 'istio';
    const controllers = istio ? [] : controllersOf(served, candidates);
    const nginx =
      !istio &&
      (served.controller === NGINX_CONTROLLER ||
        (served.controller === undefined && (served.className ?? 'nginx') === 'nginx') ||
        controllers.some(isIngressNginx));
    const serviceUpstream =
      str(get(ingress.value, 'metadata', 'annotations', SERVICE_UPSTREAM))?.toLowerCase() === 'true';
    // Its users see what the controller answers when its upstream connection fails (an Istio gateway is an Envoy,
    // whose own 503 is what the model already says).
    const reverseProxy = `the ${served.className ?? (nginx ? 'nginx' : 'default')} ingress controller`;
    const nodes: ClientNode[] = istio
      ? istioIngressGatewayNodes(mesh)
      : controllers.length
        ? controllers.map((w) => ({
            namespace: w.namespace,
            name: w.name,
            kind: w.kind,
            workload: w,
            sidecar: w.sidecar.state,
            reverseProxy,
          }))
        : [
            {
              namespace: '(not in the inputs)',
              name: '*',
              kind: 'IngressController',
              sidecar: 'none',
              sidecarAssumed: true,
              standIn: `${reverseProxy} (not in the inputs; assumed without a sidecar)`,
              reverseProxy,
            },
          ];
    for (const backend of ingressBackends(ingress)) {
      const service = mesh.serviceByHost(`${backend.name}.${namespace}`, namespace);
      if (!service) continue;
      const ports =
        backend.port !== undefined
          ? [backend.port]
          : backend.portName !== undefined
            ? service.ports.filter((p) => p.name === backend.portName).map((p) => p.port)
            : undefined;
      if (ports?.length === 0) continue;
      const evidence: CallerEvidence = {
        kind: 'inferred',
        description: `Ingress ${namespace}/${ingress.name} backend ${backend.name}:${backend.port ?? backend.portName ?? '?'} (${served.how})`,
        resource: ingress,
        path: backend.path,
      };
      for (const node of nodes) {
        if (node.workload && service.workloads.includes(node.workload)) continue;
        const call: Call = {
          client: node.workload ?? { namespace: node.namespace, name: node.name },
          service,
          ports,
          evidence,
          node,
        };
        if (node.sidecar !== 'sidecar' || !nginx || serviceUpstream) {
          calls.push(call);
          continue;
        }
        // To pod IPs, what the sidecar does depends on whether it has a listener on the pod's port: one call per kind.
        const byListener = new Map<ClientTlsResult, number[]>();
        for (const p of service.ports) {
          if (ports && !ports.includes(p.port)) continue;
          const sends = podPortListener(mesh, service, p) ? NGINX_POD_IPS : NGINX_POD_IPS_TCP;
          byListener.set(sends, [...(byListener.get(sends) ?? []), p.port]);
        }
        for (const [sends, list] of byListener) calls.push({ ...call, ports: list, sends });
      }
    }
  }
  return calls;
}

/**
 * ingress-nginx balances over the Service's endpoints itself and connects to pod IPs; a sidecar in the controller
 * has no service listener for a pod IP and passes the connection through untouched. Istio's integration notes and
 * ingress-nginx's docs: set `nginx.ingress.kubernetes.io/service-upstream: "true"` (and `upstream-vhost`) so that
 * the controller calls the Service and its sidecar originates mTLS (istio/istio#7776).
 */
const NGINX_POD_IPS: ClientTlsResult = {
  mode: 'PLAINTEXT',
  explanation: `ingress-nginx connects to pod IPs, which its sidecar's HTTP listener for that port has no route for and forwards through its passthrough cluster without mTLS (the Ingress does not set ${SERVICE_UPSTREAM}: "true")`,
};

/**
 * The same on a pod port for which the sidecar has no HTTP listener (no Service of the mesh declares that port as
 * HTTP): the virtual outbound listener's TCP proxy passes the connection through untouched, so for this connection the
 * sidecar is not there — a STRICT server's reset reaches nginx, which answers 502 (pilot/pkg/networking/core
 * listener.go buildSidecarOutboundListeners: listeners per service port; the rest falls to the passthrough chain).
 */
const NGINX_POD_IPS_TCP: ClientTlsResult = {
  mode: 'NO_SIDECAR',
  explanation: `ingress-nginx connects to pod IPs on a port its sidecar has no listener for, so the sidecar passes the connection through untouched, without mTLS (the Ingress does not set ${SERVICE_UPSTREAM}: "true")`,
};

/** What ingress-nginx sends with a sidecar when it targets pod IPs, whichever listener takes it. */
export function isNginxPodIps(c: ClientTlsResult): boolean {
  return c === NGINX_POD_IPS || c === NGINX_POD_IPS_TCP;
}

/**
 * Does a client sidecar have an HTTP (or protocol-sniffing) outbound listener on the pod port behind `port`? Outbound
 * listeners are made per service port number across the mesh, so some Service must declare that number as HTTP.
 */
function podPortListener(mesh: MeshModel, service: Service, port: ServicePort): boolean {
  const targets = new Set<number>();
  for (const w of service.workloads) {
    const t = resolveTargetPort(port, w);
    if (t !== undefined) targets.add(t);
  }
  if (!targets.size) return portProtocol(port) === 'http' || portProtocol(port) === 'auto';
  return [...targets].every((t) =>
    mesh.services.some((s) =>
      s.ports.some((p) => p.port === t && (portProtocol(p) === 'http' || portProtocol(p) === 'auto')),
    ),
  );
}

interface Backend {
  name: string;
  port?: number;
  portName?: string;
  path: FieldPath;
}

function ingressBackends(ingress: Resource): Backend[] {
  const out: Backend[] = [];
  const add = (b: unknown, path: FieldPath) => {
    const svc = obj(obj(b)?.service);
    const name = str(svc?.name);
    if (!svc || !name) return;
    const port = portNumber(get(svc, 'port', 'number'));
    const portName = str(get(svc, 'port', 'name'));
    const backend: Backend = { name, path: [...path, 'service', 'name'] };
    if (port !== undefined) backend.port = port;
    if (portName !== undefined) backend.portName = portName;
    out.push(backend);
  };
  const spec = obj(get(ingress.value, 'spec'));
  if (spec?.defaultBackend) add(spec.defaultBackend, ['spec', 'defaultBackend']);
  arr(spec?.rules).forEach((rule, ri) => {
    arr(get(rule, 'http', 'paths')).forEach((p, pi) => {
      add(obj(p)?.backend, ['spec', 'rules', ri, 'http', 'paths', pi, 'backend']);
    });
  });
  return out;
}

/** What the graph reads of a Service beyond the model (for PR mode's change scope): how it is exposed. */
export function serviceExposure(resource: Resource): unknown {
  const spec = obj(resource.value.spec);
  return [spec?.type, spec?.externalIPs];
}

/** Clients outside the cluster: every port of a LoadBalancer or NodePort Service, or one with externalIPs. */
export function exposedServiceCalls(mesh: MeshModel): Call[] {
  const calls: Call[] = [];
  for (const service of mesh.services) {
    const spec = obj(service.resource.value.spec);
    const type = str(spec?.type);
    const exposed =
      type === 'LoadBalancer' || type === 'NodePort'
        ? { how: `type: ${type}`, path: ['spec', 'type'] }
        : arr(spec?.externalIPs).length
          ? { how: 'externalIPs', path: ['spec', 'externalIPs'] }
          : undefined;
    // A Service in front of a gateway is the gateway's own business (its listeners' TLS, not mTLS).
    if (!exposed || !service.workloads.length || service.workloads.every(isGatewayWorkload)) continue;
    const who = `Service ${service.namespace}/${service.name}`;
    const node: ClientNode = {
      namespace: '(outside the cluster)',
      name: '*',
      kind: 'ExternalClient',
      sidecar: 'none',
      standIn: `clients outside the cluster (${who} ${exposed.how})`,
    };
    calls.push({
      client: { namespace: node.namespace, name: node.name },
      service,
      ports: undefined,
      evidence: {
        kind: 'inferred',
        description: `${who} ${exposed.how}: reachable from outside the cluster`,
        resource: service.resource,
        path: exposed.path,
      },
      node,
    });
  }
  return calls;
}
