// Which VirtualService routes a sidecar client's call to a service host and port, and to which subsets. A subset's
// DestinationRule trafficPolicy applies only to traffic routed to it (cluster outbound|port|subset|host), so this is
// what makes subset tls visible. Sources (istio 1.22.0):
//   pilot/pkg/model/push_context.go initVirtualServices (exportTo: private / exported to namespaces / public, "~"),
//     VirtualServicesForGateway (order: private, exported to the proxy's namespace, public);
//   pilot/pkg/model/virtualservice.go resolveVirtualServiceShortnames, mergeVirtualServicesIfNeeded (delegates,
//     sortConfigByCreationTime: creation time, then "name.namespace");
//   pilot/pkg/networking/core/route/route.go BuildSidecarVirtualHostWrapper / separateVSHostsAndServices (an exact
//     host wins over wildcards, the most specific wildcard otherwise), BuildHTTPRoutesForVirtualService (routes after
//     a catch-all are dropped; a VirtualService without a route for the port leaves the service's default route),
//     sourceMatchHTTP and translateRoute (match port, gateways, sourceLabels, sourceNamespace);
//   pilot/pkg/networking/core/tls.go buildSidecarOutboundTCPFilterChainOpts / matchTCP / matchTLS (the first
//     matching tcp route wins).
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type { Release } from './releases.js';
import {
  arr,
  exportScope,
  get,
  hostMatches,
  hostSpecificity,
  obj,
  portNumber,
  resolveIstioHost,
  selectorMatches,
  str,
  stringMap,
} from './util.js';

export interface VirtualServiceInfo {
  resource: Resource;
  namespace: string;
  /** Hosts after Istio's short-name resolution against the VirtualService's namespace. */
  hosts: string[];
  /** 'public', 'none', or the namespaces whose sidecars see it. */
  visibility: 'public' | 'none' | Set<string>;
  /** Private to its own namespace (exportTo "." or its own name): listed first for that namespace's sidecars. */
  privateOnly: boolean;
}

/** One destination a route sends the client's traffic to. */
export interface RouteDestination {
  /** Resolved destination host. */
  host: string;
  subset?: string;
  port?: number;
  /** Where the destination is written (its host field). */
  path: FieldPath;
}

export interface Routing {
  virtualService: VirtualServiceInfo;
  /** Every destination the client's traffic on this port may take (weights and match branches alike). */
  destinations: RouteDestination[];
}

/** The listener a service port gets on a sidecar: which route sections of a VirtualService apply to it. */
export type RouteProtocol = 'http' | 'tcp' | 'tls' | 'auto';

const SECTIONS: Record<RouteProtocol, readonly ('http' | 'tcp' | 'tls')[]> = {
  http: ['http'],
  tcp: ['tcp'],
  tls: ['tls'],
  // A sniffed port's listener has both an HTTP and a TCP chain.
  auto: ['http', 'tcp'],
};

/**
 * The sidecar client a route is chosen for. `labels` undefined: a client the inputs do not show (a stand-in), whose
 * pod labels nobody knows, so a sourceLabels match may or may not hold. `imports`: the client's Sidecar egress hosts
 * (undefined: no Sidecar, or one without egress, which imports every VirtualService it can see).
 */
export interface RouteClient {
  namespace: string;
  labels: Record<string, string> | undefined;
  imports?: SidecarImports;
}

/**
 * A Sidecar's egress hosts as `SelectVirtualServices` reads them: the namespace "." stands for (the client's, also
 * under a root-namespace Sidecar) and its "ns/dnsName" entries.
 */
export interface SidecarImports {
  namespace: string;
  hosts: string[];
}

/**
 * readVirtualServices with the mesh config's `defaultVirtualServiceExportTo` (undefined: not set, "*"). Istio reads
 * only "." (private) and "*" (public) there; any other value makes VirtualServices without exportTo visible to no one
 * (push_context.go initVirtualServices / initDefaultExportMaps).
 */
export function readVirtualServices(
  resources: Resource[],
  release: Release,
  defaultExportTo?: string[],
): VirtualServiceInfo[] {
  const out: VirtualServiceInfo[] = [];
  for (const r of resources) {
    if (r.kind !== 'VirtualService' || r.group !== 'networking.istio.io' || r.namespace === undefined)
      continue;
    const ns = r.namespace;
    // Bound to gateways only: not a sidecar's routing (getGatewayNames: no gateways means "mesh").
    const gateways = arr(get(r.value, 'spec', 'gateways')).map((g) => str(g));
    if (gateways.length && !gateways.includes('mesh')) continue;
    // A VirtualService without hosts is a delegate: only a root's `delegate` reads it.
    const hosts = arr(get(r.value, 'spec', 'hosts'))
      .map((h) => str(h)?.toLowerCase())
      .filter((h): h is string => !!h)
      .map((h) => resolveIstioHost(h, ns));
    if (!hosts.length) continue;
    const exportTo = arr(get(r.value, 'spec', 'exportTo')).filter((e): e is string => typeof e === 'string');
    out.push({
      resource: r,
      namespace: ns,
      hosts,
      ...(exportTo.length || !defaultExportTo || !release.has('virtual-service-default-export-to')
        ? visibilityOf(exportTo, ns, release)
        : defaultVisibility(defaultExportTo, ns)),
    });
  }
  // sortConfigByCreationTime: creation time (when every one says), then "name.namespace".
  const stamp = (v: VirtualServiceInfo) => str(get(v.resource.value, 'metadata', 'creationTimestamp'));
  const stamped = out.every((v) => stamp(v) !== undefined && !Number.isNaN(Date.parse(stamp(v)!)));
  const key = (v: VirtualServiceInfo) => `${v.resource.name}.${v.namespace}`;
  return out.sort(
    (a, b) =>
      (stamped ? Date.parse(stamp(a)!) - Date.parse(stamp(b)!) : 0) ||
      (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
}

function defaultVisibility(
  defaults: string[],
  ns: string,
): Pick<VirtualServiceInfo, 'visibility' | 'privateOnly'> {
  if (defaults.includes('.')) return { visibility: new Set([ns]), privateOnly: true };
  if (defaults.includes('*')) return { visibility: 'public', privateOnly: false };
  return { visibility: 'none', privateOnly: false };
}

/**
 * Does a Sidecar's egress import this VirtualService (SelectVirtualServices, sidecar.go VSMatches)? Its namespace
 * must be the host entry's namespace ("." the client's own, "*" any), and one of its hosts equal the entry's dnsName
 * or, when either is a wildcard, match it either way. The service's namespace does not count, the VirtualService's does.
 */
function sidecarImports(imports: SidecarImports, vs: VirtualServiceInfo): boolean {
  for (const entry of imports.hosts) {
    const slash = entry.indexOf('/');
    if (slash < 0) continue; // validation rejects a host without "namespace/"
    const ns = entry.slice(0, slash);
    const dns = entry.slice(slash + 1).toLowerCase();
    if (ns !== '*' && (ns === '.' ? imports.namespace : ns) !== vs.namespace) continue;
    for (const h of vs.hosts) {
      if (h === dns) return true;
      if ((dns.startsWith('*') || h.startsWith('*')) && (hostMatches(dns, h) || hostMatches(h, dns)))
        return true;
    }
  }
  return false;
}

function visibilityOf(
  exportTo: string[],
  ns: string,
  release: Release,
): Pick<VirtualServiceInfo, 'visibility' | 'privateOnly'> {
  // No exportTo: the mesh default (defaultVirtualServiceExportTo, "*" unless the mesh config says otherwise).
  if (!exportTo.length) return { visibility: 'public', privateOnly: false };
  if (!release.has('virtual-service-export-to-namespaces'))
    // 1.1–1.5: only exportTo[0], "." private and anything else public.
    return exportTo[0] === '.'
      ? { visibility: new Set([ns]), privateOnly: true }
      : { visibility: 'public', privateOnly: false };
  const scope = exportScope(exportTo, ns);
  return typeof scope === 'string'
    ? { visibility: scope, privateOnly: false }
    : { visibility: scope, privateOnly: scope.size === 1 && scope.has(ns) };
}

export class VirtualServiceIndex {
  private readonly distinct = new Map<string, Set<string>>();

  constructor(readonly virtualServices: VirtualServiceInfo[]) {}

  get size(): number {
    return this.virtualServices.length;
  }

  /**
   * Namespaces whose sidecars may be routed differently for `fqdn` than a sidecar anywhere else: those a matching
   * VirtualService is exported to by name (or private to), and those a route's match names as sourceNamespace.
   * Every other namespace sees the public VirtualServices only.
   */
  namespacesDistinctFor(fqdn: string): Set<string> {
    let out = this.distinct.get(fqdn);
    if (out) return out;
    out = new Set();
    for (const vs of this.virtualServices) {
      if (!vs.hosts.some((h) => hostMatches(h, fqdn))) continue;
      if (vs.visibility instanceof Set) for (const ns of vs.visibility) out.add(ns);
      for (const section of ['http', 'tcp', 'tls'] as const)
        for (const r of arr(get(vs.resource.value, 'spec', section)))
          for (const m of arr(obj(r)?.match)) {
            const ns = str(obj(m)?.sourceNamespace);
            if (ns) out.add(ns);
          }
    }
    this.distinct.set(fqdn, out);
    return out;
  }

  /**
   * What tells clients of `fqdn` apart beyond their namespace: the sourceLabels selectors of the VirtualServices
   * for it, and the other hosts their routes send traffic to (whose DestinationRules then decide).
   */
  clientSplitsFor(fqdn: string): { selectors: Record<string, string>[]; targets: Set<string> } {
    let out = this.splits.get(fqdn);
    if (out) return out;
    const matching = this.virtualServices.filter((vs) => vs.hosts.some((h) => hostMatches(h, fqdn)));
    const targets = new Set<string>();
    for (const vs of matching)
      for (const section of ['http', 'tcp', 'tls'] as const)
        arr(get(vs.resource.value, 'spec', section)).forEach((_, ri) => {
          for (const d of destinationsOf(vs, ['spec', section, ri])) if (d.host !== fqdn) targets.add(d.host);
        });
    out = { selectors: sourceLabelSelectors(matching), targets };
    this.splits.set(fqdn, out);
    return out;
  }

  private readonly splits = new Map<string, { selectors: Record<string, string>[]; targets: Set<string> }>();

  /** VirtualServicesForGateway(proxyNamespace, "mesh"): private, exported to the namespace, public; each oldest first. */
  private visibleTo(clientNamespace: string, imports: SidecarImports | undefined): VirtualServiceInfo[] {
    const privateOnes: VirtualServiceInfo[] = [];
    const exported: VirtualServiceInfo[] = [];
    const publicOnes: VirtualServiceInfo[] = [];
    for (const vs of this.virtualServices) {
      if (imports && !sidecarImports(imports, vs)) continue;
      if (vs.visibility === 'public') publicOnes.push(vs);
      else if (vs.visibility !== 'none' && vs.visibility.has(clientNamespace))
        (vs.namespace === clientNamespace ? privateOnes : exported).push(vs);
    }
    return [...privateOnes, ...exported, ...publicOnes];
  }

  /**
   * The VirtualService that routes a sidecar in `clientNamespace` calling `fqdn` on `port`, and every destination
   * its applicable routes take; undefined when none does (the service's own cluster, no subset).
   */
  route(client: RouteClient, fqdn: string, port: number, protocol: RouteProtocol): Routing | undefined {
    if (!this.virtualServices.length) return undefined;
    const visible = this.visibleTo(client.namespace, client.imports).filter((vs) =>
      vs.hosts.some((h) => hostMatches(h, fqdn)),
    );
    if (!visible.length) return undefined;
    const destinations: RouteDestination[] = [];
    let chosen: VirtualServiceInfo | undefined;
    for (const section of SECTIONS[protocol]) {
      const found =
        section === 'http'
          ? this.httpRouting(visible, fqdn, port, client)
          : this.l4Routing(visible, section, port, client);
      if (!found) continue;
      chosen ??= found.virtualService;
      for (const d of found.destinations)
        if (!destinations.some((x) => x.host === d.host && x.subset === d.subset && x.port === d.port))
          destinations.push(d);
    }
    return chosen ? { virtualService: chosen, destinations } : undefined;
  }

  /** HTTP: a VirtualService naming the host exactly wins over wildcards; the first with a route for the port. */
  private httpRouting(
    visible: VirtualServiceInfo[],
    fqdn: string,
    port: number,
    client: RouteClient,
  ): Routing | undefined {
    const exact = visible.filter((vs) => vs.hosts.includes(fqdn));
    let candidates = exact;
    if (!exact.length) {
      // computeWildcardHostVirtualServiceIndex: the most specific wildcard host, the oldest among equals.
      let best: VirtualServiceInfo | undefined;
      let bestScore = -1;
      for (const vs of visible)
        for (const h of vs.hosts)
          if (hostMatches(h, fqdn) && hostSpecificity(h) > bestScore) {
            best = vs;
            bestScore = hostSpecificity(h);
          }
      candidates = best ? [best] : [];
    }
    for (const vs of candidates) {
      const destinations = this.httpDestinations(vs, port, client);
      if (destinations.length) return { virtualService: vs, destinations };
    }
    return undefined;
  }

  private httpDestinations(vs: VirtualServiceInfo, port: number, client: RouteClient): RouteDestination[] {
    const out: RouteDestination[] = [];
    const routes = arr(get(vs.resource.value, 'spec', 'http'));
    for (let ri = 0; ri < routes.length; ri++) {
      const route = obj(routes[ri]);
      if (!route) continue;
      const matches = arr(route.match);
      let applies = matches.length === 0;
      let catchAll = matches.length === 0;
      for (const m of matches) {
        const verdict = httpMatch(obj(m) ?? {}, port, client);
        if (verdict === 'no') continue;
        applies = true;
        if (verdict === 'yes' && isCatchAll(obj(m) ?? {})) {
          catchAll = true;
          break;
        }
      }
      if (!applies) continue;
      const delegate = obj(route.delegate);
      if (delegate) out.push(...this.delegateDestinations(vs, delegate, port, client));
      else out.push(...destinationsOf(vs, ['spec', 'http', ri]));
      if (catchAll) break;
    }
    return out;
  }

  /** A root's `delegate` route: the delegate's own routes (mergeVirtualServicesIfNeeded), if it is exported to the root. */
  private delegateDestinations(
    root: VirtualServiceInfo,
    delegate: Record<string, unknown>,
    port: number,
    client: RouteClient,
  ): RouteDestination[] {
    const name = str(delegate.name);
    const ns = str(delegate.namespace) ?? root.namespace;
    const r = this.delegates?.find((d) => d.name === name && d.namespace === ns);
    if (!r) return [];
    const info: VirtualServiceInfo = {
      resource: r,
      namespace: ns,
      hosts: [],
      visibility: 'public',
      privateOnly: false,
    };
    return this.httpDestinations(info, port, client);
  }

  /** Delegate VirtualServices (no hosts), set by the model when the inputs hold any. */
  delegates: Resource[] | undefined;

  /** TCP and TLS: every VirtualService matching the host in order, the first applicable route wins. */
  private l4Routing(
    visible: VirtualServiceInfo[],
    section: 'tcp' | 'tls',
    port: number,
    client: RouteClient,
  ): Routing | undefined {
    for (const vs of visible) {
      const routes = arr(get(vs.resource.value, 'spec', section));
      const out: RouteDestination[] = [];
      for (let ri = 0; ri < routes.length; ri++) {
        const route = obj(routes[ri]);
        if (!route) continue;
        const matches = arr(route.match);
        let applies = matches.length === 0;
        let terminal = matches.length === 0;
        for (const m of matches) {
          const match = obj(m) ?? {};
          // Runtime subnet matches are for other addresses than the service's.
          if (section === 'tcp' && arr(match.destinationSubnets).length) continue;
          const verdict = l4Match(match, port, client);
          if (verdict === 'no') continue;
          applies = true;
          // A TLS route's SNI match is runtime; a TCP match without subnets is the catch-all.
          if (verdict === 'yes' && section === 'tcp') terminal = true;
        }
        if (!applies) continue;
        out.push(...destinationsOf(vs, ['spec', section, ri]));
        if (terminal) break;
      }
      if (out.length) return { virtualService: vs, destinations: out };
    }
    return undefined;
  }
}

/**
 * Does an HTTP match apply to this sidecar and port (sourceMatchHTTP, translateRoute)? A match naming gateways
 * ignores sourceLabels and sourceNamespace; otherwise sourceLabels must be a subset of the client's pod labels and
 * sourceNamespace its namespace. 'maybe': sourceLabels of a client whose labels are unknown (the route counts, but is
 * never the catch-all).
 */
function httpMatch(m: Record<string, unknown>, port: number, client: RouteClient): 'yes' | 'no' | 'maybe' {
  const p = portNumber(m.port);
  if (p !== undefined && p !== port) return 'no';
  const gateways = arr(m.gateways).map((g) => str(g));
  if (gateways.length) return gateways.includes('mesh') ? 'yes' : 'no';
  return sourceMatch(m, client);
}

/** matchTCP / matchTLS: gateways, port, sourceLabels and sourceNamespace all hold. */
function l4Match(m: Record<string, unknown>, port: number, client: RouteClient): 'yes' | 'no' | 'maybe' {
  const p = portNumber(m.port);
  if (p !== undefined && p !== port) return 'no';
  const gateways = arr(m.gateways).map((g) => str(g));
  if (gateways.length && !gateways.includes('mesh')) return 'no';
  return sourceMatch(m, client);
}

function sourceMatch(m: Record<string, unknown>, client: RouteClient): 'yes' | 'no' | 'maybe' {
  const ns = str(m.sourceNamespace);
  if (ns && ns !== client.namespace) return 'no';
  const labels = stringMap(m.sourceLabels);
  if (!Object.keys(labels).length) return 'yes';
  if (!client.labels) return 'maybe';
  return selectorMatches(labels, client.labels) ? 'yes' : 'no';
}

/** Every sourceLabels selector a VirtualService route match names (clients are told apart by which they meet). */
export function sourceLabelSelectors(virtualServices: VirtualServiceInfo[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const vs of virtualServices)
    for (const section of ['http', 'tcp', 'tls'] as const)
      for (const r of arr(get(vs.resource.value, 'spec', section)))
        for (const m of arr(obj(r)?.match)) {
          const labels = stringMap(obj(m)?.sourceLabels);
          if (Object.keys(labels).length) out.push(labels);
        }
  return out;
}

/** IsCatchAllRoute: no request condition but a "/" prefix (or a match-all regex). */
function isCatchAll(m: Record<string, unknown>): boolean {
  const conditions = ['headers', 'queryParams', 'method', 'authority', 'scheme', 'withoutHeaders'];
  if (conditions.some((k) => m[k] !== undefined)) return false;
  const uri = obj(m.uri);
  if (!uri) return true;
  return str(uri.prefix) === '/' || ['*', '.*'].includes(str(uri.regex) ?? '');
}

function destinationsOf(vs: VirtualServiceInfo, routePath: FieldPath): RouteDestination[] {
  const out: RouteDestination[] = [];
  arr(obj(get(vs.resource.value, ...routePath))?.route).forEach((d, di) => {
    const dest = obj(obj(d)?.destination);
    const host = str(dest?.host)?.toLowerCase();
    if (!dest || !host) return;
    const rd: RouteDestination = {
      host: resolveIstioHost(host, vs.namespace),
      path: [...routePath, 'route', di, 'destination', 'host'],
    };
    const subset = str(dest.subset);
    if (subset) rd.subset = subset;
    const port = portNumber(get(dest, 'port', 'number'));
    if (port !== undefined) rd.port = port;
    out.push(rd);
  });
  return out;
}

/** The route sections that apply to a service port: its declared protocol (name prefix or appProtocol), else sniffed. */
export function routeProtocol(port: {
  name?: string;
  appProtocol?: string;
  protocol: string;
}): RouteProtocol {
  const declared = (port.appProtocol ?? port.name?.split('-')[0] ?? '').toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c', 'http-proxy'].includes(declared))
    return 'http';
  if (declared === 'https' || declared === 'tls') return 'tls';
  if (['tcp', 'mongo', 'redis', 'mysql'].includes(declared)) return 'tcp';
  return 'auto';
}
