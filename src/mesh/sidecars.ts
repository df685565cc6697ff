// Sidecar resources: which hosts a client sidecar has configuration for (egress). A host outside a client's egress
// hosts has no outbound cluster of its own: with outboundTrafficPolicy ALLOW_ANY (the default) its traffic goes out
// through the PassthroughCluster, plaintext, without auto mTLS. Sources: istio pilot/pkg/model/sidecar.go
// (SidecarScope, egress hosts "namespace/dnsName" with ".", "*", "~"), push_context.go (getSidecarScope: a
// workloadSelector Sidecar of the proxy's namespace, else the namespace's selector-less one, else the root
// namespace's), networking/core/listener.go (PassthroughCluster for unknown destinations under ALLOW_ANY).
import type { Resource } from '../load/index.js';
import type { Cause, MeshSettingsResolved, Workload } from './model.js';
import { oldestFirst } from './server-mode.js';
import { arr, get, hostMatches, obj, selectorMatches, str, stringMap } from './util.js';

export interface SidecarInfo {
  resource: Resource;
  namespace: string;
  selector?: Record<string, string>;
  /** Every egress listener's hosts ("ns/dnsName"), each with its path; undefined = no egress section (all hosts). */
  hosts: { text: string; path: (string | number)[] }[] | undefined;
  /** spec.outboundTrafficPolicy.mode as Istio reads it (a policy without mode is REGISTRY_ONLY, the enum's zero). */
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** spec.outboundTrafficPolicy.egressProxy.host: under ALLOW_ANY, unknown traffic goes to this proxy instead. */
  egressProxy?: string;
  /** spec.ingress listeners; undefined when there are none (the workload's Service ports get inbound chains). */
  ingress?: SidecarIngressListener[];
}

/** One spec.ingress entry: an inbound chain for its port in place of the Service ports' chains. */
export interface SidecarIngressListener {
  port: number;
  path: (string | number)[];
  captureMode?: string;
  defaultEndpoint?: string;
  /** ingress[].tls is set (server TLS at the sidecar, only with ENABLE_TLS_ON_SIDECAR_INGRESS). */
  tls: boolean;
}

export function readSidecars(resources: Resource[]): SidecarInfo[] {
  const out: SidecarInfo[] = [];
  for (const r of resources) {
    if (r.kind !== 'Sidecar' || r.group !== 'networking.istio.io' || r.namespace === undefined) continue;
    const selector = obj(get(r.value, 'spec', 'workloadSelector', 'labels'));
    const egress = get(r.value, 'spec', 'egress');
    const info: SidecarInfo = {
      resource: r,
      namespace: r.namespace,
      // An empty egress list gets the default "*/*" listener (1.9+, sidecar.go ConvertToSidecarScope: "If egress not
      // set, setup a default listener"); before 1.9 validation rejected such a Sidecar ("sidecar: missing egress").
      hosts:
        Array.isArray(egress) && egress.length
          ? egress.flatMap((listener, i) =>
              arr(obj(listener)?.hosts).flatMap((h, j) =>
                typeof h === 'string' ? [{ text: h, path: ['spec', 'egress', i, 'hosts', j] }] : [],
              ),
            )
          : undefined,
    };
    if (selector && Object.keys(selector).length) info.selector = stringMap(selector);
    const outbound = obj(get(r.value, 'spec', 'outboundTrafficPolicy'));
    if (outbound) info.outboundTrafficPolicy = outbound.mode === 'ALLOW_ANY' ? 'ALLOW_ANY' : 'REGISTRY_ONLY';
    const egressProxy = str(get(outbound, 'egressProxy', 'host'));
    if (egressProxy) info.egressProxy = egressProxy;
    const ingress = readIngressListeners(get(r.value, 'spec', 'ingress'));
    if (ingress.length) info.ingress = ingress;
    out.push(info);
  }
  return out;
}

/** The Sidecar that configures this workload's proxy, if any (getSidecarScope). */
export function sidecarFor(
  sidecars: SidecarInfo[],
  w: Pick<Workload, 'namespace' | 'labels'>,
  rootNamespace: string,
): SidecarInfo | undefined {
  const own = sidecars.filter((s) => s.namespace === w.namespace);
  const selected = own.filter((s) => s.selector && selectorMatches(s.selector, w.labels));
  if (selected.length) return oldestFirst(selected).chosen;
  const namespaceWide = own.filter((s) => !s.selector);
  if (namespaceWide.length) return oldestFirst(namespaceWide).chosen;
  const root = sidecars.filter((s) => s.namespace === rootNamespace && !s.selector);
  return root.length ? oldestFirst(root).chosen : undefined;
}

/**
 * Why a client configured by `sidecar` has no cluster for the service `fqdn` in `serviceNamespace`, or undefined when
 * one of its egress hosts covers it. "." is the client's own namespace — for a root-namespace Sidecar too, which
 * getSidecarScope converts per proxy namespace (sidecar.go convertIstioListenerToWrapper: "." → configNamespace) —,
 * "*" any namespace, "~" none.
 */
export function egressMisses(
  sidecar: SidecarInfo,
  fqdn: string,
  serviceNamespace: string,
  clientNamespace: string,
): Cause | undefined {
  if (!sidecar.hosts) return undefined;
  for (const h of sidecar.hosts) {
    const slash = h.text.indexOf('/');
    const ns = slash < 0 ? '*' : h.text.slice(0, slash);
    const dns = slash < 0 ? h.text : h.text.slice(slash + 1);
    const nsOk = ns === '*' || (ns === '.' ? clientNamespace : ns) === serviceNamespace;
    if (nsOk && (dns === '*' || hostMatches(dns.toLowerCase(), fqdn))) return undefined;
  }
  const name = `Sidecar ${sidecar.namespace}/${sidecar.resource.name}`;
  return {
    resource: sidecar.resource,
    path: sidecar.hosts.length ? ['spec', 'egress'] : ['spec'],
    description: `${name} egress hosts (${sidecar.hosts.map((h) => h.text).join(', ') || 'none'}) do not include ${fqdn}`,
  };
}

export interface OutboundPolicy {
  mode: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The setting that decided it; absent for the mesh default. */
  cause?: Cause;
  /** "outboundTrafficPolicy ALLOW_ANY (the default)", for messages. */
  description: string;
  /**
   * ALLOW_ANY with an egressProxy: unknown traffic goes to that proxy's cluster (buildOutboundCatchAllNetworkFiltersOnly),
   * and what reaches the server then is the proxy's doing, which the manifests do not tell.
   */
  egressProxy?: string;
}

/**
 * What a client sidecar does with traffic it has no cluster for (util.go IsAllowAnyOutbound over the SidecarScope):
 * its Sidecar's outboundTrafficPolicy (1.3+), else the mesh config's; Istio 1.0 has no PassthroughCluster at all.
 */
export function outboundPolicyFor(
  scope: SidecarInfo | undefined,
  settings: MeshSettingsResolved,
): OutboundPolicy {
  const v = settings.release;
  if (!v.has('outbound-passthrough-cluster'))
    return {
      mode: 'REGISTRY_ONLY',
      description: `Istio ${v.text}, which has no PassthroughCluster (only known services are reachable)`,
    };
  if (scope?.outboundTrafficPolicy && v.has('sidecar-outbound-traffic-policy')) {
    const name = `Sidecar ${scope.namespace}/${scope.resource.name}`;
    const explicit = get(scope.resource.value, 'spec', 'outboundTrafficPolicy', 'mode') !== undefined;
    const policy: OutboundPolicy = {
      mode: scope.outboundTrafficPolicy,
      cause: {
        resource: scope.resource,
        path: ['spec', 'outboundTrafficPolicy', ...(explicit ? ['mode'] : [])],
        description: `${name} outboundTrafficPolicy ${scope.outboundTrafficPolicy}${explicit ? '' : ' (no mode: REGISTRY_ONLY, the default of the field)'}`,
      },
      description: `${name} outboundTrafficPolicy ${scope.outboundTrafficPolicy}`,
    };
    if (scope.egressProxy && policy.mode === 'ALLOW_ANY') policy.egressProxy = scope.egressProxy;
    return policy;
  }
  if (settings.outboundTrafficPolicy === 'REGISTRY_ONLY') {
    const result: OutboundPolicy = {
      mode: 'REGISTRY_ONLY',
      description: settings.outboundTrafficPolicyCause?.description ?? 'outboundTrafficPolicy REGISTRY_ONLY',
    };
    if (settings.outboundTrafficPolicyCause) result.cause = settings.outboundTrafficPolicyCause;
    return result;
  }
  return { mode: 'ALLOW_ANY', description: 'outboundTrafficPolicy ALLOW_ANY (the default)' };
}

/** spec.ingress entries with a port number (HasIngressListener: any entry counts; one without a port is invalid). */
function readIngressListeners(value: unknown): SidecarIngressListener[] {
  const out: SidecarIngressListener[] = [];
  arr(value).forEach((entry, i) => {
    const e = obj(entry);
    const number = get(e, 'port', 'number');
    const port = typeof number === 'number' ? number : typeof number === 'string' ? Number(number) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return;
    const listener: SidecarIngressListener = {
      port,
      path: ['spec', 'ingress', i],
      tls: obj(get(e, 'tls')) !== undefined,
    };
    const captureMode = str(get(e, 'captureMode'));
    if (captureMode) listener.captureMode = captureMode;
    const defaultEndpoint = str(get(e, 'defaultEndpoint'));
    if (defaultEndpoint) listener.defaultEndpoint = defaultEndpoint;
    out.push(listener);
  });
  return out;
}
