// What an Istio gateway proxy accepts as a server (issue 17, the egress gateway pattern). A gateway is no
// PeerAuthentication target: its listeners come from the networking.istio.io Gateways whose selector picks its pods
// (pilot/pkg/networking/core/gateway.go buildGatewayListeners; the selector matches pods in every namespace while
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off, its default). A server with `tls.mode: ISTIO_MUTUAL` terminates Istio mTLS
// only (gateway.go buildGatewayListenerTLSContext: requireClientCertificate with the mesh's root), so a client that
// sends plaintext is reset; a server without tls serves plaintext HTTP or TCP, where Istio mTLS cannot be read.
// Other TLS modes (SIMPLE, MUTUAL with a credential, PASSTHROUGH) depend on certificates the manifests do not hold:
// not modelled (the caller keeps its previous answer).
import type { Resource } from '../load/index.js';
import type { ServerModeResult, Workload } from './model.js';
import { arr, get, obj, portNumber, selectorMatches, str, stringMap } from './util.js';

interface GatewayServer {
  resource: Resource;
  index: number;
  selector: Record<string, string>;
  port: number;
  tlsMode: string | undefined;
  protocol: string;
}

export class GatewayServers {
  private readonly servers: GatewayServer[] = [];

  constructor(gateways: Resource[]) {
    for (const g of gateways) {
      if (g.group !== 'networking.istio.io' || g.kind !== 'Gateway') continue;
      const selector = stringMap(get(g.value, 'spec', 'selector'));
      // An empty selector selects every proxy of the kind it is applied to: nothing the inputs can pin down.
      if (!Object.keys(selector).length) continue;
      arr(get(g.value, 'spec', 'servers')).forEach((s, index) => {
        const server = obj(s);
        const port = portNumber(get(server, 'port', 'number'));
        if (port === undefined) return;
        this.servers.push({
          resource: g,
          index,
          selector,
          port,
          tlsMode: str(get(server, 'tls', 'mode'))?.toUpperCase(),
          protocol: (str(get(server, 'port', 'protocol')) ?? '').toUpperCase(),
        });
      });
    }
  }

  get size(): number {
    return this.servers.length;
  }

  /**
   * What the gateway proxy `w` accepts on a port a Service reaches it through (`servicePort`, or the pod's
   * `targetPort`: Gateways name either), or undefined where no Gateway server decides it.
   */
  listenerMode(
    w: Workload,
    servicePort: number | undefined,
    targetPort: number | undefined,
  ): ServerModeResult | undefined {
    if (!this.servers.length || !isGatewayProxy(w)) return undefined;
    const found = this.servers.filter(
      (s) => (s.port === servicePort || s.port === targetPort) && selectorMatches(s.selector, w.labels),
    );
    if (!found.length) return undefined;
    // Several servers on one port are filter chains by SNI or host: decided only when they all agree.
    const modes = new Set(found.map((s) => s.tlsMode ?? 'NONE'));
    if (modes.size !== 1) return undefined;
    const s = found[0]!;
    const where = `Gateway ${s.resource.namespace}/${s.resource.name} server port ${s.port}`;
    if (s.tlsMode === 'ISTIO_MUTUAL')
      return {
        mode: 'STRICT',
        level: 'workload',
        cause: {
          resource: s.resource,
          path: ['spec', 'servers', s.index, 'tls', 'mode'],
          description: `${where} tls ISTIO_MUTUAL`,
        },
        explanation: `${w.kind} ${w.namespace}/${w.name} is a gateway proxy whose ${where} has tls mode ISTIO_MUTUAL: it accepts Istio mTLS only`,
      };
    if (
      s.tlsMode === undefined &&
      ['HTTP', 'HTTP2', 'GRPC', 'TCP', 'MONGO', 'REDIS', 'MYSQL'].includes(s.protocol)
    )
      return {
        mode: 'NO_SIDECAR',
        level: 'workload',
        cause: {
          resource: s.resource,
          path: ['spec', 'servers', s.index, 'port'],
          description: `${where} (${s.protocol}, no tls)`,
        },
        explanation: `${w.kind} ${w.namespace}/${w.name} is a gateway proxy whose ${where} is ${s.protocol} without tls: it reads plaintext and cannot terminate Istio mTLS`,
      };
    return undefined;
  }
}

/**
 * Does auto mTLS see this gateway proxy as a mesh endpoint? Only with a security.istio.io/tlsMode=istio label of its
 * own: the endpoint's TLS mode is that pod label (kube/controller PodTLSMode → GetTLSModeFromEndpointLabels), which
 * only the sidecar injection template adds, and neither the gateway charts nor the `gateway` template set.
 */
export function gatewayWithoutTlsMode(w: Workload): boolean {
  return w.labels['security.istio.io/tlsMode'] !== 'istio' && isGatewayProxy(w);
}

const gatewayProxies = new WeakMap<Workload, boolean>();

/**
 * Is `w` a gateway proxy (istio-proxy run as `proxy router`, the `gateway` injection template, or a pod Istio
 * deploys for a Gateway API Gateway)? Only those get Gateway servers; a sidecar never does.
 */
function isGatewayProxy(w: Workload): boolean {
  let answer = gatewayProxies.get(w);
  if (answer === undefined) gatewayProxies.set(w, (answer = gatewayShape(w)));
  return answer;
}

function gatewayShape(w: Workload): boolean {
  const templates = w.annotations['inject.istio.io/templates'];
  if (templates?.split(',').some((t) => t.trim() === 'gateway')) return true;
  if (w.labels['gateway.istio.io/managed']?.startsWith('istio.io-')) return true;
  const spec = obj(get(w.resource.value, ...w.podPath, 'spec'));
  return arr(spec?.containers).some((c) => {
    const args = arr(obj(c)?.args).map((a) => str(a));
    return args[0] === 'proxy' && args.includes('router');
  });
}
