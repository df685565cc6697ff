// Answers about the configuration itself (rather than about one connection): which level each PeerAuthentication
// sits at, which workloads a selector picks, which DestinationRules Istio merges, who consults a DestinationRule,
// which wildcard ISTIO_MUTUAL rule a tls-less rule shadows. Used by the hygiene rules and by `mtls-lint convert`,
// so that Istio's semantics stay in src/mesh/ (istio-semantics.md §1–§3).
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type { MeshModel, Service, ServicePort, Workload } from './model.js';
import {
  DestinationRuleIndex,
  readDestinationRules,
  tlsFor,
  type DestinationRuleInfo,
  type TlsModeSetting,
} from './destination-rules.js';
import {
  ServerPolicies,
  readLegacyPolicies,
  readPeerAuthentications,
  type LegacyPolicy,
  type PeerAuthn,
} from './server-mode.js';
import {
  arr,
  get,
  hostMatches,
  obj,
  portNumber,
  resolveIstioHost,
  selectorMatches,
  str,
  CLUSTER_DOMAIN,
} from './util.js';
import { namespaceLabelsInject } from './workloads.js';

/**
 * Where a PeerAuthentication sits (§1.2): mesh = root namespace without selector; namespace = elsewhere without
 * selector; workload = selector outside the root namespace; root-selector = selector in the root namespace, which
 * Istio ignores (ComposePeerAuthentication).
 */
type PeerAuthnLevel = 'mesh' | 'namespace' | 'workload' | 'root-selector';

interface PeerAuthnEntry extends PeerAuthn {
  level: PeerAuthnLevel;
}

export interface ServiceEntryInfo {
  resource: Resource;
  namespace: string;
  hosts: string[];
}

export interface MeshInventory {
  peerAuthentications: PeerAuthnEntry[];
  legacy: LegacyPolicy[];
  policies: ServerPolicies;
  destinationRules: DestinationRuleInfo[];
  drIndex: DestinationRuleIndex;
  serviceEntries: ServiceEntryInfo[];
}

const inventories = new WeakMap<MeshModel, MeshInventory>();

/** The configuration objects of a mesh model, read once per model. */
export function meshInventory(mesh: MeshModel): MeshInventory {
  const hit = inventories.get(mesh);
  if (hit) return hit;
  const root = mesh.settings.rootNamespace;
  const pas = readPeerAuthentications(mesh.resourcesOfKind('PeerAuthentication'));
  const legacy = readLegacyPolicies(mesh.resourcesOfKind('Policy', 'MeshPolicy'));
  const destinationRules = readDestinationRules(mesh.resourcesOfKind('DestinationRule'));
  const inv: MeshInventory = {
    peerAuthentications: pas.map((pa) => ({ ...pa, level: peerAuthnLevel(pa, root) })),
    legacy,
    policies: new ServerPolicies(pas, legacy, root, mesh.settings.release),
    destinationRules,
    drIndex: new DestinationRuleIndex(destinationRules, root, mesh.settings.release),
    serviceEntries: readServiceEntries(mesh.resourcesOfKind('ServiceEntry')),
  };
  inventories.set(mesh, inv);
  return inv;
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
// What the inputs tell about a namespace

/** True when the inputs contain at least one workload in `namespace`: only then can "selects nothing" be said. */
export function workloadsKnownIn(mesh: MeshModel, namespace: string): boolean {
  return namespaceFacts(mesh).withWorkloads.has(namespace);
}

/** True when the inputs contain a Service or a workload in `namespace`. */
export function servicesKnownIn(mesh: MeshModel, namespace: string): boolean {
  return namespaceFacts(mesh).withServices.has(namespace) || workloadsKnownIn(mesh, namespace);
}

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
const namespaceFactsCache = new WeakMap<MeshModel, NamespaceFacts>();

/** Per-namespace facts, computed once per model (rules ask per resource; meshes can hold thousands). */
function namespaceFacts(mesh: MeshModel): NamespaceFacts {
  let facts = namespaceFactsCache.get(mesh);
  if (!facts) {
    facts = {
      withWorkloads: new Set(mesh.workloads.map((w) => w.namespace)),
      withServices: new Set(mesh.services.map((s) => s.namespace)),
      withSidecars: new Set(
        mesh.workloads.filter((w) => w.sidecar.state === 'sidecar').map((w) => w.namespace),
      ),
      workloadsByNamespace: new Map(),
      servicesByWorkload: new Map(),
      servicesByName: new Map(),
      drsByHost: new Map(),
      wildcardDrs: [],
    };
    for (const w of mesh.workloads) push(facts.workloadsByNamespace, w.namespace, w);
    for (const s of mesh.services) {
      const key = `${s.name}.${s.namespace}`;
      if (!facts.servicesByName.has(key)) facts.servicesByName.set(key, s);
      for (const w of s.workloads) push(facts.servicesByWorkload, w, s);
    }
    for (const dr of meshInventory(mesh).destinationRules) {
      if (dr.host.startsWith('*')) facts.wildcardDrs.push(dr);
      else push(facts.drsByHost, dr.host, dr);
    }
    namespaceFactsCache.set(mesh, facts);
  }
  return facts;
}

/** Workloads of `namespace` whose pod labels match a `matchLabels` selector. */
export function workloadsSelected(
  mesh: MeshModel,
  namespace: string,
  selector: Record<string, string>,
): Workload[] {
  return (namespaceFacts(mesh).workloadsByNamespace.get(namespace) ?? []).filter((w) =>
    selectorMatches(selector, w.labels),
  );
}

/** Could a sidecar client run in this namespace? False only when the inputs say it has no injection and no sidecar pods. */
export function mayHaveSidecarClients(mesh: MeshModel, namespace: string): boolean {
  const ns = mesh.namespaces.get(namespace);
  if (!ns || ns.origin === 'unknown') return true;
  // The root namespace runs the gateways, which are clients too (and often not in the inputs).
  if (namespace === mesh.settings.rootNamespace) return true;
  if (namespaceFacts(mesh).withSidecars.has(namespace)) return true;
  if (ns.origin === 'system') return false;
  if (namespaceLabelsInject(ns.labels)) return true;
  // Ambient namespaces can run waypoints, which do read DestinationRules: do not call them client-free.
  return ns.labels['istio.io/dataplane-mode'] === 'ambient';
}

/** Services that select a workload (the ones whose ports become inbound listeners on it). */
export function servicesSelecting(mesh: MeshModel, workload: Workload): Service[] {
  return namespaceFacts(mesh).servicesByWorkload.get(workload) ?? [];
}

export interface TargetPortUse {
  service: Service;
  port: ServicePort;
  workload: Workload;
}

/** Target (container) ports that Services route to on these workloads, each with the service ports that reach it. */
export function targetPortsOf(mesh: MeshModel, workloads: Workload[]): Map<number, TargetPortUse[]> {
  const out = new Map<number, TargetPortUse[]>();
  for (const w of workloads) {
    for (const s of servicesSelecting(mesh, w)) {
      for (const p of s.ports) {
        const tp = mesh.targetPort(s, p, w);
        if (tp === undefined) continue;
        const list = out.get(tp) ?? [];
        list.push({ service: s, port: p, workload: w });
        out.set(tp, list);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Hosts

/** The namespace of `name.ns.svc.cluster.local`, or undefined for any other host. */
export function kubernetesHostNamespace(fqdn: string): string | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  return parts.length === 2 && parts[0] !== '*' ? parts[1] : undefined;
}

/** The Service with exactly this FQDN in the inputs. */
export function serviceByFqdn(mesh: MeshModel, fqdn: string): Service | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  return namespaceFacts(mesh).servicesByName.get(`${parts[0]}.${parts[1]}`);
}

/** ServiceEntries declaring a host that the (resolved) pattern matches, or whose wildcard host covers it. */
export function serviceEntriesFor(mesh: MeshModel, host: string): ServiceEntryInfo[] {
  return meshInventory(mesh).serviceEntries.filter((se) =>
    se.hosts.some((h) => hostMatches(host, h) || hostMatches(h, host)),
  );
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

// ---------------------------------------------------------------------------------------------------------------
// DestinationRules

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

/**
 * Groups of DestinationRules that Istio merges: same resolved host, same namespace (and, with the enhanced merge of
 * current releases, same exportTo and workloadSelector). Only the oldest top-level trafficPolicy survives (§3.3).
 * Istio 1.0 had one mesh-wide list where the newest rule for a host string won.
 */
export function mergedDestinationRuleGroups(
  mesh: MeshModel,
): { key: string; rules: DestinationRuleInfo[]; newestWins: boolean }[] {
  const newestWins = mesh.settings.release.has('destination-rule-newest-wins');
  const groups = new Map<string, DestinationRuleInfo[]>();
  for (const dr of meshInventory(mesh).destinationRules) {
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
}

/** A namespace name no Kubernetes namespace can have: "a client namespace the inputs do not show". */
export const ANY_OTHER_NAMESPACE = '(any other namespace)';

export interface DrAudience {
  /** Namespaces of the inputs (and ANY_OTHER_NAMESPACE) whose sidecars consult this rule for its host. */
  namespaces: string[];
  /** Why the rule reaches only those. */
  reason: string;
}

/**
 * Which client namespaces consult a DestinationRule (§3.2): its own namespace (if visible there), and — only when
 * it lives in the host's service namespace or the root namespace — every namespace it is exported to.
 */
export function drAudience(mesh: MeshModel, dr: DestinationRuleInfo): DrAudience {
  const inv = meshInventory(mesh);
  const root = mesh.settings.rootNamespace;
  const out: string[] = [];
  if (inv.drIndex.visibleTo(dr, dr.namespace)) out.push(dr.namespace);
  const serviceNamespace = drServesNamespace(mesh, dr);
  const remote = dr.namespace === root || serviceNamespace;
  if (remote && !dr.workloadSelector) {
    const named = (dr.exportTo ?? []).filter((e) => e !== '.' && e !== '*' && e !== '~');
    for (const ns of new Set([...mesh.namespaces.keys(), ...named, ANY_OTHER_NAMESPACE])) {
      if (ns !== dr.namespace && inv.drIndex.visibleTo(dr, ns)) out.push(ns);
    }
  }
  const reason = remote
    ? dr.namespace === root
      ? `it is in the root namespace ${root}`
      : `it is in the namespace of the service it configures`
    : `it is neither in the namespace of ${dr.host} nor in the root namespace ${root}`;
  return { namespaces: out, reason };
}

/** Is the DR in the namespace of a service its host can match (a Service or a ServiceEntry's namespace)? */
function drServesNamespace(mesh: MeshModel, dr: DestinationRuleInfo): boolean {
  if (kubernetesHostNamespace(dr.host) === dr.namespace) return true;
  // Wildcards can match services of the rule's own namespace (`*.local` in foo applies to foo's services).
  if (dr.host.startsWith('*') && hostMatches(dr.host, `x.${dr.namespace}.svc.${CLUSTER_DOMAIN}`)) return true;
  return serviceEntriesFor(mesh, dr.host).some((se) => se.namespace === dr.namespace);
}

export interface ShadowHit {
  /** The rule without tls that a client picks. */
  rule: DestinationRuleInfo;
  /** The ISTIO_MUTUAL rule it would have used without `rule` (may be `rule` itself: a port entry without tls). */
  shadowed: DestinationRuleInfo;
  shadowedPath: FieldPath;
  /** Service ports affected; undefined = every port without its own entry. */
  port: number | undefined;
  /** Where the missing tls is (trafficPolicy or a portLevelSettings entry). */
  path: FieldPath;
  clientNamespace: string;
}

/**
 * KIA0204, precisely: a DestinationRule that a client picks for a host, that sets no tls for a port, where the
 * client would otherwise have used ISTIO_MUTUAL (from a less specific or farther rule, or from the same rule's
 * top level when a portLevelSettings entry omits tls: port entries replace, they do not inherit, §3.5).
 * Only meaningful with auto mTLS off: then "no tls" means plaintext.
 */
export function shadowedMutualRules(mesh: MeshModel): ShadowHit[] {
  const inv = meshInventory(mesh);
  const root = mesh.settings.rootNamespace;
  const v = mesh.settings.release;
  const hits: ShadowHit[] = [];
  for (const dr of inv.destinationRules) {
    if (dr.host === '*') continue;
    const fqdn = dr.host.startsWith('*') ? `x${dr.host.slice(1)}` : dr.host;
    const serviceNamespace =
      kubernetesHostNamespace(fqdn) ?? serviceEntriesFor(mesh, dr.host)[0]?.namespace ?? dr.namespace;
    const service = serviceByFqdn(mesh, fqdn);
    const summary = drTlsSummary(dr);
    const ports: (number | undefined)[] = service
      ? service.ports.map((p) => p.port)
      : [undefined, ...summary.ports.keys()];
    // Only rules whose host matches can be chosen instead; a small index keeps this linear per rule.
    const facts = namespaceFacts(mesh);
    const others = [...(facts.drsByHost.get(fqdn) ?? []), ...facts.wildcardDrs].filter(
      (d) => d !== dr && hostMatches(d.host, fqdn),
    );
    const without = new DestinationRuleIndex(others, root, v);
    const audience = drAudience(mesh, dr).namespaces;
    const clientNamespaces = audience
      .filter((ns) => ns === dr.namespace || ns === ANY_OTHER_NAMESPACE)
      .slice(0, 2);
    const labels = dr.workloadSelector ?? {};
    for (const clientNamespace of clientNamespaces) {
      const chosen = inv.drIndex.lookup(clientNamespace, labels, fqdn, serviceNamespace)[0];
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
}

// ---------------------------------------------------------------------------------------------------------------
// PeerAuthentication summaries for messages

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

export type { LegacyPolicy, PeerAuthn, DestinationRuleInfo };

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
