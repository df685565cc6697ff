// The model's answers about the configuration itself (rather than about one connection): which level each
// PeerAuthentication sits at, which workloads a selector picks, which DestinationRules Istio merges, who consults a
// DestinationRule, which ISTIO_MUTUAL rule a tls-less rule hides. buildMeshModel builds them from the same indexes
// its connection answers use (ServerPolicies, DestinationRuleIndex), once; rules and `mtls-lint convert` read them
// from the model (istio-semantics.md §1–§3). The exported functions are readers of one object, for messages.
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type {
  ClientSpec,
  DestinationRuleInfo,
  DrAudience,
  DrSubset,
  LegacyPolicy,
  MeshModel,
  MeshSettingsResolved,
  NamespaceInfo,
  PeerAuthn,
  PeerAuthnEntry,
  PeerAuthnLevel,
  PortLevelMtlsKey,
  Service,
  ServiceEntryInfo,
  ServicePort,
  ShadowHit,
  TargetPortUse,
  Workload,
} from './model.js';
import { DestinationRuleIndex, tlsFor, type TlsModeSetting } from './destination-rules.js';
import type { ServerPolicies } from './server-mode.js';
import {
  arr,
  get,
  hostMatches,
  obj,
  portNumber,
  resolveIstioHost,
  selectorMatches,
  str,
  stringMap,
  CLUSTER_DOMAIN,
} from './util.js';
import { namespaceAmbient, namespaceLabelsInject } from './workloads.js';
import { installationServiceReason } from './installation.js';

/** What buildMeshModel has read, from which the answers are made. */
export interface ConfigParts {
  settings: MeshSettingsResolved;
  namespaces: Map<string, NamespaceInfo>;
  workloads: Workload[];
  services: Service[];
  policies: ServerPolicies;
  destinationRules: DestinationRuleIndex;
  /** ServiceEntries, for the host answers below (mesh/service-entries.ts makes them servers). */
  serviceEntryResources: Resource[];
  targetPort: MeshModel['targetPort'];
}

type ConfigAnswers = Pick<
  MeshModel,
  | 'peerAuthentications'
  | 'legacyPolicies'
  | 'policies'
  | 'destinationRules'
  | 'serviceEntries'
  | 'destinationRuleFor'
  | 'mutualRuleShadowedFor'
  | 'destinationRuleVisibleTo'
  | 'destinationRuleAudience'
  | 'mergedDestinationRules'
  | 'shadowedMutualRules'
  | 'serviceEntriesFor'
  | 'serviceByFqdn'
  | 'installationService'
  | 'workloadsKnownIn'
  | 'servicesKnownIn'
  | 'workloadsSelected'
  | 'mayHaveSidecarClients'
  | 'servicesSelecting'
  | 'targetPortsOf'
  | 'namespaceAmbient'
  | 'workloadsMatching'
  | 'destinationRuleSubsets'
  | 'peerAuthnSelectorOverlaps'
  | 'portLevelMtlsKeys'
>;

/** A namespace name no Kubernetes namespace can have: "a client namespace the inputs do not show". */
export const ANY_OTHER_NAMESPACE = '(any other namespace)';

/** Per-namespace facts, computed on first use (rules ask per resource; meshes can hold thousands). */
interface NamespaceFacts {
  withWorkloads: Set<string>;
  withServices: Set<string>;
  withSidecars: Set<string>;
  workloadsByNamespace: Map<string, Workload[]>;
  servicesByWorkload: Map<Workload, Service[]>;
  /** "name.namespace" → Service (the first, if the inputs define one twice). */
  servicesByName: Map<string, Service>;
  /** Exact DestinationRule hosts → rules, and the wildcard rules (few), for "which rules can match this host". */
  drsByHost: Map<string, DestinationRuleInfo[]>;
  wildcardDrs: DestinationRuleInfo[];
}

export function configAnswers(parts: ConfigParts): ConfigAnswers {
  const { settings, namespaces, workloads, services, policies, destinationRules: drs } = parts;
  const root = settings.rootNamespace;
  const release = settings.release;

  let facts: NamespaceFacts | undefined;
  const namespaceFacts = (): NamespaceFacts => {
    if (facts) return facts;
    facts = {
      withWorkloads: new Set(workloads.map((w) => w.namespace)),
      withServices: new Set(services.map((s) => s.namespace)),
      withSidecars: new Set(workloads.filter((w) => w.sidecar.state === 'sidecar').map((w) => w.namespace)),
      workloadsByNamespace: new Map(),
      servicesByWorkload: new Map(),
      servicesByName: new Map(),
      drsByHost: new Map(),
      wildcardDrs: [],
    };
    for (const w of workloads) push(facts.workloadsByNamespace, w.namespace, w);
    for (const s of services) {
      const key = `${s.name}.${s.namespace}`;
      if (!facts.servicesByName.has(key)) facts.servicesByName.set(key, s);
      for (const w of s.workloads) push(facts.servicesByWorkload, w, s);
    }
    for (const dr of drs.rules) {
      if (dr.host.startsWith('*')) facts.wildcardDrs.push(dr);
      else push(facts.drsByHost, dr.host, dr);
    }
    return facts;
  };

  const serviceEntries = readServiceEntries(parts.serviceEntryResources);

  const workloadsKnownIn = (namespace: string) => namespaceFacts().withWorkloads.has(namespace);

  const ambient = (namespace: string) => namespaceAmbient(namespaces.get(namespace)?.labels ?? {}, release);

  const serviceEntriesFor = (host: string) =>
    serviceEntries.filter((se) => se.hosts.some((h) => hostMatches(host, h) || hostMatches(h, host)));

  const serviceByFqdn = (fqdn: string): Service | undefined => {
    const suffix = `.svc.${CLUSTER_DOMAIN}`;
    if (!fqdn.endsWith(suffix)) return undefined;
    const nameParts = fqdn.slice(0, -suffix.length).split('.');
    if (nameParts.length !== 2) return undefined;
    return namespaceFacts().servicesByName.get(`${nameParts[0]}.${nameParts[1]}`);
  };

  const servicesSelecting = (workload: Workload) => namespaceFacts().servicesByWorkload.get(workload) ?? [];

  /** Is the DR in the namespace of a service its host can match (a Service or a ServiceEntry's namespace)? */
  const drServesNamespace = (dr: DestinationRuleInfo): boolean => {
    if (kubernetesHostNamespace(dr.host) === dr.namespace) return true;
    // Wildcards can match services of the rule's own namespace (`*.local` in foo applies to foo's services).
    if (dr.host.startsWith('*') && hostMatches(dr.host, `x.${dr.namespace}.svc.${CLUSTER_DOMAIN}`))
      return true;
    return serviceEntriesFor(dr.host).some((se) => se.namespace === dr.namespace);
  };

  /**
   * Which client namespaces consult a DestinationRule (§3.2): its own namespace (if visible there), and — only when
   * it lives in the host's service namespace or the root namespace — every namespace it is exported to.
   */
  const destinationRuleAudience = (dr: DestinationRuleInfo): DrAudience => {
    const out: string[] = [];
    if (drs.visibleTo(dr, dr.namespace)) out.push(dr.namespace);
    const serviceNamespace = drServesNamespace(dr);
    const remote = dr.namespace === root || serviceNamespace;
    if (remote && !dr.workloadSelector) {
      const named = (dr.exportTo ?? []).filter((e) => e !== '.' && e !== '*' && e !== '~');
      for (const ns of new Set([...namespaces.keys(), ...named, ANY_OTHER_NAMESPACE])) {
        if (ns !== dr.namespace && drs.visibleTo(dr, ns)) out.push(ns);
      }
    }
    const reason = remote
      ? dr.namespace === root
        ? `it is in the root namespace ${root}`
        : `it is in the namespace of the service it configures`
      : `it is neither in the namespace of ${dr.host} nor in the root namespace ${root}`;
    return { namespaces: out, reason };
  };

  /** The rules a client could pick for `fqdn` if `dr` were not there (only rules whose host matches: few). */
  const withoutCache = new Map<DestinationRuleInfo, Map<string, DestinationRuleIndex>>();
  const indexWithout = (dr: DestinationRuleInfo, fqdn: string): DestinationRuleIndex => {
    let byHost = withoutCache.get(dr);
    if (!byHost) withoutCache.set(dr, (byHost = new Map()));
    let index = byHost.get(fqdn);
    if (!index) {
      const f = namespaceFacts();
      const others = [...(f.drsByHost.get(fqdn) ?? []), ...f.wildcardDrs].filter(
        (d) => d !== dr && hostMatches(d.host, fqdn),
      );
      byHost.set(fqdn, (index = new DestinationRuleIndex(others, root, release)));
    }
    return index;
  };

  const mutualRuleShadowedFor = (
    client: ClientSpec,
    host: string,
    serviceNamespace: string,
    port: number,
  ): DestinationRuleInfo | undefined => {
    const chosen = drs.lookup(client.namespace, client.labels, host, serviceNamespace)[0];
    if (!chosen) return undefined;
    const alt = indexWithout(chosen, host).lookup(client.namespace, client.labels, host, serviceNamespace)[0];
    return alt && tlsFor(alt, port).mode === 'ISTIO_MUTUAL' ? alt : undefined;
  };

  /**
   * KIA0204, precisely: a DestinationRule that a client picks for a host, that sets no tls for a port, where the
   * client would otherwise have used ISTIO_MUTUAL (from a less specific or farther rule, or from the same rule's
   * top level when a portLevelSettings entry omits tls: port entries replace, they do not inherit, §3.5).
   * Only meaningful with auto mTLS off: then "no tls" means plaintext.
   */
  const shadowedMutualRules = (): ShadowHit[] => {
    const hits: ShadowHit[] = [];
    for (const dr of drs.rules) {
      if (dr.host === '*') continue;
      const fqdn = dr.host.startsWith('*') ? `x${dr.host.slice(1)}` : dr.host;
      const serviceNamespace =
        kubernetesHostNamespace(fqdn) ?? serviceEntriesFor(dr.host)[0]?.namespace ?? dr.namespace;
      const service = serviceByFqdn(fqdn);
      const summary = drTlsSummary(dr);
      const ports: (number | undefined)[] = service
        ? service.ports.map((p) => p.port)
        : [undefined, ...summary.ports.keys()];
      const without = indexWithout(dr, fqdn);
      const audience = destinationRuleAudience(dr).namespaces;
      const clientNamespaces = audience
        .filter((ns) => ns === dr.namespace || ns === ANY_OTHER_NAMESPACE)
        .slice(0, 2);
      const labels = dr.workloadSelector ?? {};
      for (const clientNamespace of clientNamespaces) {
        const chosen = drs.lookup(clientNamespace, labels, fqdn, serviceNamespace)[0];
        if (chosen !== dr) continue;
        for (const port of ports) {
          const mine = tlsFor(dr, port ?? 0);
          if (mine.mode !== undefined) continue;
          const fromPortEntry = port !== undefined && summary.ports.has(port);
          let shadowed: DestinationRuleInfo | undefined;
          let shadowedPath: FieldPath | undefined;
          if (fromPortEntry && summary.top === 'ISTIO_MUTUAL') {
            shadowed = dr;
            shadowedPath = ['spec', 'trafficPolicy', 'tls', 'mode'];
          } else {
            const alt = without.lookup(clientNamespace, labels, fqdn, serviceNamespace)[0];
            const altTls = alt ? tlsFor(alt, port ?? 0) : undefined;
            if (alt && altTls?.mode === 'ISTIO_MUTUAL') {
              shadowed = alt;
              shadowedPath = altTls.cause.path;
            }
          }
          if (!shadowed || !shadowedPath) continue;
          hits.push({ rule: dr, shadowed, shadowedPath, port, path: mine.cause.path, clientNamespace });
        }
      }
    }
    return hits;
  };

  /**
   * Groups of DestinationRules that Istio merges: same resolved host, same namespace (and, with the enhanced merge of
   * current releases, same exportTo and workloadSelector). Only the oldest top-level trafficPolicy survives (§3.3).
   * Istio 1.0 had one mesh-wide list where the newest rule for a host string won.
   */
  const mergedDestinationRules = () => {
    const newestWins = release.has('destination-rule-newest-wins');
    const groups = new Map<string, DestinationRuleInfo[]>();
    for (const dr of drs.rules) {
      const key = newestWins
        ? dr.host
        : [
            dr.namespace,
            dr.host,
            JSON.stringify(dr.workloadSelector ?? {}),
            JSON.stringify([...(dr.exportTo ?? [])].sort()),
          ].join('|');
      const list = groups.get(key) ?? [];
      list.push(dr);
      groups.set(key, list);
    }
    return [...groups]
      .filter(([, rules]) => rules.length > 1)
      .map(([key, rules]) => ({ key, rules, newestWins }));
  };

  const peerAuthentications: PeerAuthnEntry[] = policies.peerAuthentications.map((pa) => ({
    ...pa,
    level: peerAuthnLevel(pa, root),
  }));

  const workloadsSelected = (namespace: string, selector: Record<string, string>) =>
    (namespaceFacts().workloadsByNamespace.get(namespace) ?? []).filter((w) =>
      selectorMatches(selector, w.labels),
    );

  const targetPortsOf = (ws: Workload[]) => {
    const out = new Map<number, TargetPortUse[]>();
    for (const w of ws) {
      for (const s of servicesSelecting(w)) {
        for (const p of s.ports) {
          const tp = parts.targetPort(s, p, w);
          if (tp === undefined) continue;
          const list = out.get(tp) ?? [];
          list.push({ service: s, port: p, workload: w });
          out.set(tp, list);
        }
      }
    }
    return out;
  };

  /** A subset's endpoints are the pods behind the host's Service that carry its labels (IST0173). */
  const destinationRuleSubsets = (dr: DestinationRuleInfo): DrSubset[] => {
    const service = dr.host.startsWith('*') ? undefined : serviceByFqdn(dr.host);
    if (!service) return [];
    return arr(get(dr.resource.value, 'spec', 'subsets')).flatMap((s, index): DrSubset[] => {
      const labels = stringMap(obj(s)?.labels);
      if (!Object.keys(labels).length) return [];
      const subset = { index, name: str(obj(s)?.name), labels, service };
      if (!service.selector) return [{ ...subset, workloads: undefined, unknown: 'no-selector' }];
      if (!service.workloads.length) return [{ ...subset, workloads: undefined, unknown: 'no-workloads' }];
      return [{ ...subset, workloads: service.workloads.filter((w) => selectorMatches(labels, w.labels)) }];
    });
  };

  /**
   * portLevelMtls is keyed by target port (listener_inbound.go ForPort(TargetPort)); a key applies where a chain
   * exists for it: a port a Service routes to, and on 1.9+ a declared container port too (a passthrough chain per
   * portLevelMtls port, needPerPortPassthroughFilterChain).
   */
  const portLevelMtlsKeys = (pa: PeerAuthn): PortLevelMtlsKey[] => {
    if (!pa.selector || !pa.portLevel.size) return [];
    const ws = workloadsSelected(pa.namespace, pa.selector);
    if (!ws.length) return [];
    const targets = targetPortsOf(ws);
    const containerPorts = new Set(ws.flatMap((w) => w.containerPorts.map((c) => c.port)));
    const passthrough = release.has('port-level-mtls-passthrough-chains');
    const knownPorts = [...new Set([...targets.keys(), ...(passthrough ? containerPorts : [])])].sort(
      (a, b) => a - b,
    );
    return [...pa.portLevel.keys()].map((port): PortLevelMtlsKey => {
      const key = { port, knownPorts, undeclaredApplies: passthrough };
      if (targets.has(port) || (passthrough && containerPorts.has(port)))
        return { ...key, verdict: 'applies' };
      for (const w of ws)
        for (const service of servicesSelecting(w))
          for (const p of service.ports) {
            if (p.port !== port) continue;
            const targetPort = parts.targetPort(service, p, w);
            if (targetPort !== undefined)
              return { ...key, verdict: 'service-port', asServicePort: { service, port: p, targetPort } };
          }
      if (containerPorts.has(port)) return { ...key, verdict: 'unrouted' };
      return { ...key, verdict: !passthrough || containerPorts.size ? 'no-port' : 'maybe' };
    });
  };

  return {
    peerAuthentications,
    legacyPolicies: policies.legacy,
    policies,
    destinationRules: drs.rules,
    serviceEntries,
    destinationRuleFor: (clientNamespace, clientLabels, host, serviceNamespace) =>
      drs.lookup(clientNamespace, clientLabels, host, serviceNamespace),
    mutualRuleShadowedFor,
    destinationRuleVisibleTo: (dr, clientNamespace) => drs.visibleTo(dr, clientNamespace),
    destinationRuleAudience,
    mergedDestinationRules,
    shadowedMutualRules,
    serviceEntriesFor,
    serviceByFqdn,
    installationService: (fqdn) => installationServiceReason(fqdn, root, workloads, services),
    workloadsKnownIn,
    servicesKnownIn: (namespace) =>
      namespaceFacts().withServices.has(namespace) || workloadsKnownIn(namespace),
    workloadsSelected,
    mayHaveSidecarClients: (namespace) => {
      const ns = namespaces.get(namespace);
      if (!ns || ns.origin === 'unknown') return true;
      // The root namespace runs the gateways, which are clients too (and often not in the inputs).
      if (namespace === root) return true;
      if (namespaceFacts().withSidecars.has(namespace)) return true;
      if (ns.origin === 'system') return false;
      if (namespaceLabelsInject(ns.labels)) return true;
      // Ambient namespaces can run waypoints, which do read DestinationRules: do not call them client-free.
      return ambient(namespace);
    },
    servicesSelecting,
    targetPortsOf,
    namespaceAmbient: ambient,
    workloadsMatching: (selector) => workloads.filter((w) => selectorMatches(selector, w.labels)),
    destinationRuleSubsets,
    peerAuthnSelectorOverlaps: () => selectorOverlaps(peerAuthentications),
    portLevelMtlsKeys,
  };
}

/**
 * Workload-level PeerAuthentications whose selectors select the same pods whatever the pods are: classes of equal
 * selectors (one class with several policies), and pairs of classes where one selector's labels are a subset of the
 * other's ([container, contained]). Indexed by one label per selector, the rarest: with thousands of policies the
 * work is per policy, not per pair.
 */
function selectorOverlaps<T extends PeerAuthn & { level: string }>(all: readonly T[]): [T[], T[]][] {
  const classes = new Map<string, T[]>();
  for (const p of all) {
    if (p.level !== 'workload' || !p.selector) continue;
    const key = `${p.namespace}\0${Object.entries(p.selector)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('\0')}`;
    const list = classes.get(key);
    if (list) list.push(p);
    else classes.set(key, [p]);
  }
  const label = (ns: string, k: string, v: string) => `${ns}\0${k}\0${v}`;
  const postings = new Map<string, number>();
  for (const [first] of classes.values())
    for (const [k, v] of Object.entries(first!.selector!)) {
      const l = label(first!.namespace, k, v);
      postings.set(l, (postings.get(l) ?? 0) + 1);
    }
  // Each class under its rarest label: a container must have every label of the contained one, that one included.
  const byRarest = new Map<string, T[][]>();
  for (const list of classes.values()) {
    const p = list[0]!;
    let best: string | undefined;
    for (const [k, v] of Object.entries(p.selector!)) {
      const l = label(p.namespace, k, v);
      if (best === undefined || postings.get(l)! < postings.get(best)!) best = l;
    }
    if (best === undefined) continue;
    const at = byRarest.get(best);
    if (at) at.push(list);
    else byRarest.set(best, [list]);
  }
  // Does selector `a` contain selector `b`'s requirements, i.e. every pod `b` selects is selected by `a`?
  const contains = (a: Record<string, string>, b: Record<string, string>) =>
    Object.entries(a).every(([k, v]) => b[k] === v);
  const out: [T[], T[]][] = [];
  for (const list of classes.values()) {
    if (list.length > 1) out.push([list, list]);
    const b = list[0]!;
    for (const [k, v] of Object.entries(b.selector!)) {
      for (const other of byRarest.get(label(b.namespace, k, v)) ?? []) {
        if (other === list) continue;
        if (contains(other[0]!.selector!, b.selector!)) out.push([other, list]);
      }
    }
  }
  return out;
}

function peerAuthnLevel(
  pa: Pick<PeerAuthn, 'namespace' | 'selector'>,
  rootNamespace: string,
): PeerAuthnLevel {
  if (pa.namespace === rootNamespace) return pa.selector ? 'root-selector' : 'mesh';
  return pa.selector ? 'workload' : 'namespace';
}

function readServiceEntries(resources: Resource[]): ServiceEntryInfo[] {
  const out: ServiceEntryInfo[] = [];
  for (const r of resources) {
    if (r.kind !== 'ServiceEntry' || r.group !== 'networking.istio.io' || r.namespace === undefined) continue;
    const hosts = arr(get(r.value, 'spec', 'hosts'))
      .map((h) => str(h)?.toLowerCase())
      .filter((h): h is string => !!h);
    out.push({ resource: r, namespace: r.namespace, hosts });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Readers of one object, for messages and for comparing objects

/** The namespace of `name.ns.svc.cluster.local`, or undefined for any other host. */
export function kubernetesHostNamespace(fqdn: string): string | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const nameParts = fqdn.slice(0, -suffix.length).split('.');
  return nameParts.length === 2 && nameParts[0] !== '*' ? nameParts[1] : undefined;
}

/** Does a legacy Policy port selector (service port by number or name, §2.2) pick this service port? */
export function legacyPortMatches(selector: { number?: number; name?: string }, port: ServicePort): boolean {
  return (
    (selector.number !== undefined && selector.number === port.port) ||
    (selector.name !== undefined && selector.name === port.name)
  );
}

export interface LegacyTargetRef {
  policy: LegacyPolicy;
  /** Index in spec.targets. */
  index: number;
  name: string;
  /** The host Istio keys the target by (short names resolved against the Policy's namespace, §2.2). */
  fqdn: string;
  ports: { number?: number; name?: string; path: FieldPath }[];
  path: FieldPath;
}

/** Every named target of every legacy Policy, with positions for its ports. */
export function legacyTargets(policy: LegacyPolicy): LegacyTargetRef[] {
  const raw = arr(get(policy.resource.value, 'spec', 'targets'));
  return policy.targets.map((t) => {
    const rawPorts = arr(obj(raw[t.index])?.ports);
    const ports = rawPorts.flatMap((p, j) => {
      const po = obj(p);
      const sel: { number?: number; name?: string; path: FieldPath } = {
        path: ['spec', 'targets', t.index, 'ports', j],
      };
      const n = portNumber(po?.number);
      if (n !== undefined) sel.number = n;
      const nm = str(po?.name);
      if (nm) sel.name = nm;
      return sel.number !== undefined || sel.name !== undefined ? [sel] : [];
    });
    return {
      policy,
      index: t.index,
      name: t.name,
      fqdn: resolveIstioHost(t.name.toLowerCase(), policy.namespace ?? ''),
      ports,
      path: ['spec', 'targets', t.index, 'name'],
    };
  });
}

/** Do two legacy Policies target `host` on a common port (a target without ports covers every port, §2.2)? */
export function legacyTargetsOverlap(a: LegacyPolicy, b: LegacyPolicy, host: string): boolean {
  const portsOf = (p: LegacyPolicy) => legacyTargets(p).filter((t) => t.fqdn === host);
  for (const ta of portsOf(a)) {
    for (const tb of portsOf(b)) {
      if (!ta.ports.length || !tb.ports.length) return true;
      if (
        ta.ports.some((x) =>
          tb.ports.some(
            (y) =>
              (x.number !== undefined && x.number === y.number) ||
              (x.name !== undefined && x.name === y.name),
          ),
        )
      )
        return true;
    }
  }
  return false;
}

/** The tls a DestinationRule's top-level trafficPolicy sets, at the top and per port (what Istio keeps whole, §3.3). */
export interface DrTlsSummary {
  hasTrafficPolicy: boolean;
  top: TlsModeSetting | undefined;
  ports: Map<number, TlsModeSetting | undefined>;
}

export function drTlsSummary(dr: DestinationRuleInfo): DrTlsSummary {
  const tp = obj(get(dr.resource.value, 'spec', 'trafficPolicy'));
  const ports = new Map<number, TlsModeSetting | undefined>();
  for (const s of arr(tp?.portLevelSettings)) {
    const n = portNumber(get(s, 'port', 'number'));
    if (n !== undefined && !ports.has(n)) ports.set(n, tlsFor(dr, n).mode);
  }
  return { hasTrafficPolicy: !!tp, top: tp ? tlsFor(dr, 0).mode : undefined, ports };
}

export function describeTls(s: DrTlsSummary): string {
  const top = s.top ?? 'no tls';
  const ports = [...s.ports].map(([p, m]) => `port ${p}: ${m ?? 'no tls'}`);
  return ports.length ? `${top} (${ports.join(', ')})` : top;
}

export function describePeerAuthnSettings(pa: PeerAuthn): string {
  const top = pa.mode === 'UNSET' ? 'no mode (inherits)' : pa.mode;
  const ports = [...pa.portLevel].map(([p, m]) => `port ${p}: ${m === 'UNSET' ? 'inherits' : m}`);
  return ports.length ? `${top}, ${ports.join(', ')}` : top;
}

export function samePeerAuthnSettings(a: PeerAuthn, b: PeerAuthn): boolean {
  if (a.mode !== b.mode || a.portLevel.size !== b.portLevel.size) return false;
  for (const [p, m] of a.portLevel) if (b.portLevel.get(p) !== m) return false;
  return true;
}

/** `creationTimestamp` of a resource, when the manifest carries one (exported objects do). */
export function creationTimestamp(r: Resource): string | undefined {
  return str(get(r.value, 'metadata', 'creationTimestamp'));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
