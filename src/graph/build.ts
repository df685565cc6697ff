// Edges: every known call (declared, inferred), every possible caller (grouped), and stand-ins for what the inputs
// do not show, each with the outcome of each connection as the mesh model decides it.
import type { ClientSpec, MeshModel, ServerEndpoint, Service, ServicePort, StandInService, Workload } from '../mesh/model.js';
import { portProtocol, resolveTargetPort } from '../mesh/services.js';
import { KUBERNETES_SYSTEM_NAMESPACES, namespaceLabelsInject } from '../mesh/workloads.js';
import { toAmbient } from '../mesh/build.js';
import { atLeast } from '../mesh/version.js';
import type { ResolvedOptions } from '../options.js';
import type { CallerKind } from '../types.js';
import { declaredCalls, inferredCalls, type Call } from './callers.js';
import type { CallerEvidence, ClientNode, Edge, EdgeConnection, Graph, ServerNode } from './graph.js';

const OUTCOME_RANK = { broken: 3, plaintext: 2, tls: 1, mtls: 0 } as const;

/** Groups larger than this are not copied per server port to drop the server's own workloads and known callers. */
const SHARED_GROUP_SIZE = 64;

/** Namespace name for stand-ins that live outside every namespace of the inputs. */
export const OTHER_NAMESPACE = '(other namespaces)';

export function buildGraph(mesh: MeshModel, options: ResolvedOptions): Graph {
  const unresolved: string[] = [];
  const edges: Edge[] = [];
  const excluded = new Set(options.config.scope?.excludeServerNamespaces ?? KUBERNETES_SYSTEM_NAMESPACES);
  const servers = mesh.services.filter((s) => isServer(s, mesh, excluded, options));
  const serverSet = new Set(servers);

  // 1. Known calls.
  const known = [...declaredCalls(mesh, options, unresolved), ...inferredCalls(mesh, mesh.resources)];
  const knownPairs = new Set<string>();
  // The same pairs by server port ("<service id>|<port>" → client keys), so that step 2 finds the groups to filter.
  const knownClientsByServerPort = new Map<string, string[]>();
  for (const call of known) {
    if (!serverSet.has(call.service)) continue;
    const client = clientNodeOf(call, mesh);
    for (const port of call.service.ports) {
      if (call.ports && !call.ports.includes(port.port)) continue;
      if (portProtocol(port) === 'udp') continue;
      const clientKey = 'resource' in call.client ? call.client.resource.id : `${call.client.namespace}/${call.client.name}`;
      // One edge per (client, service port): declared calls come first, so they win over an inference of the same call.
      const pair = `${clientKey}|${call.service.resource.id}|${port.port}`;
      if (knownPairs.has(pair)) continue;
      knownPairs.add(pair);
      pushTo(knownClientsByServerPort, `${call.service.resource.id}|${port.port}`, clientKey);
      edges.push(makeEdge(mesh, client, call.service, port, call.evidence));
    }
  }

  // 2. Possible callers, grouped per service host: clients in one group get the same DestinationRule for this host
  //    and send the same thing, so the edge count is (server ports) × (a few groups), not × namespaces.
  const classes = new ClientClasses(mesh, excluded);
  const workloadsById = new Map<string, Workload[]>();
  for (const w of mesh.workloads) pushTo(workloadsById, w.resource.id, w);
  for (const service of servers) {
    const set = classes.forService(service);
    for (const port of service.ports) {
      if (portProtocol(port) === 'udp') continue;
      // Only groups holding one of the service's own workloads or a known caller of this port lose members; every
      // other group's members array is shared, not copied (filtering every group cost server ports × workloads).
      const own = new Set(service.workloads);
      const knownIds = new Set(knownClientsByServerPort.get(`${service.resource.id}|${port.port}`));
      const touched = new Set<ClientGroup>();
      for (const w of own) {
        const group = set.groupOf.get(w);
        if (group) touched.add(group);
      }
      for (const id of knownIds) for (const w of workloadsById.get(id) ?? []) {
        const group = set.groupOf.get(w);
        if (group) touched.add(group);
      }
      for (const group of set.groups) {
        // Large groups are shared whole (copying them per server port is what made the graph quadratic); they may
        // then also list the service's own workloads or a known caller, which the rules de-duplicate by client.
        const members =
          touched.has(group) && group.members.length <= SHARED_GROUP_SIZE
            ? group.members.filter((w) => !own.has(w) && !knownIds.has(w.resource.id))
            : group.members;
        if (!members.length) continue;
        const client: ClientNode = { ...group.node, members };
        edges.push(makeEdge(mesh, client, service, port, { kind: 'possible', description: 'any workload in the inputs could call this service' }));
      }
      // 3a. Stand-ins: sidecar workloads the inputs do not show.
      for (const client of set.standIns) {
        edges.push(makeEdge(mesh, client, service, port, { kind: 'possible', description: client.standIn! }));
      }
    }
  }

  // 3b. Services the inputs do not show, called by every sidecar group and stand-in.
  for (const server of standInServers(mesh, excluded)) {
    const set = classes.forService(server.service);
    const callers = [...set.groups.filter((g) => g.node.sidecar !== 'none').map((g) => ({ ...g.node, members: g.members })), ...set.standIns];
    for (const client of callers) {
      edges.push(makeStandInServerEdge(mesh, client, server));
    }
  }

  // Known calls follow input order (config, annotations, ConfigMaps): sort, so output never depends on it.
  const rank = { declared: 0, inferred: 1, possible: 2 } as const;
  const edgeKey = (e: Edge) => `${e.client.namespace}\0${e.client.name}\0${e.client.standIn ?? ''}\0${e.server.namespace}\0${e.server.service}\0${String(e.server.port).padStart(5, '0')}`;
  const keyed = edges.map((e) => [rank[e.caller], edgeKey(e), e] as const);
  keyed.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return { edges: keyed.map((k) => k[2]), unresolved };
}

function isServer(s: Service, mesh: MeshModel, excluded: Set<string>, options: ResolvedOptions): boolean {
  if (s.external || excluded.has(s.namespace) || s.workloads.length === 0) return false;
  if (!options.config.scope?.includeControlPlane && s.namespace === mesh.settings.rootNamespace) {
    // istiod and the gateways have their own TLS setup (istio-semantics.md §1.10).
    const controlPlane = /^(istiod|istio-|istio$)/.test(s.name) || s.workloads.some((w) => w.labels.istio !== undefined || w.labels.app === 'istiod');
    if (controlPlane) return false;
  }
  return true;
}

function clientNodeOf(call: Call, mesh: MeshModel): ClientNode {
  if ('resource' in call.client) {
    const w = call.client;
    return { namespace: w.namespace, name: w.name, kind: w.kind, workload: w, sidecar: w.sidecar.state };
  }
  // A declared caller the inputs do not contain: its sidecar state follows its namespace, as far as we know it.
  const ns = mesh.namespaces.get(call.client.namespace);
  const injected = ns !== undefined && namespaceLabelsInject(ns.labels);
  return {
    namespace: call.client.namespace,
    name: call.client.name,
    kind: 'Workload',
    sidecar: injected ? 'sidecar' : 'none',
    standIn: `${call.client.namespace}/${call.client.name} (not in the inputs; ${injected ? 'assumed injected, as its namespace is' : 'assumed without a sidecar'})`,
  };
}

interface ClientGroup {
  node: ClientNode;
  members: Workload[];
}

interface ClientSet {
  groups: ClientGroup[];
  groupOf: Map<Workload, ClientGroup>;
  standIns: ClientNode[];
}

/**
 * Client groups as a given service host sees them. Clients without a sidecar all send plaintext; ambient clients
 * ignore DestinationRules; sidecar clients differ only if their namespace is one of the few that can pick a
 * different DestinationRule for this host (MeshModel.namespacesDistinctFor) — everyone else is one group. Sets are
 * cached by those namespaces, which most services share.
 */
class ClientClasses {
  private readonly cache = new Map<string, ClientSet>();
  private readonly none: Workload[] = [];
  private readonly ambient: Workload[] = [];
  private readonly sidecar: Workload[] = [];
  private readonly sidecarByNamespace = new Map<string, Workload[]>();
  private readonly injectedNamespaces: { name: string; unknown: boolean }[] = [];

  constructor(
    private readonly mesh: MeshModel,
    excluded: Set<string>,
  ) {
    for (const w of mesh.workloads) {
      if (w.sidecar.state === 'none') this.none.push(w);
      else if (w.sidecar.state === 'ambient') this.ambient.push(w);
      else {
        this.sidecar.push(w);
        pushTo(this.sidecarByNamespace, w.namespace, w);
      }
    }
    for (const ns of mesh.namespaces.values()) {
      if (excluded.has(ns.name) || ns.origin === 'system') continue;
      if (namespaceLabelsInject(ns.labels) || ns.origin === 'unknown') this.injectedNamespaces.push({ name: ns.name, unknown: ns.origin === 'unknown' });
    }
  }

  forService(service: Service | StandInService): ClientSet {
    const distinct = this.mesh.namespacesDistinctFor(service);
    const key = [...distinct].sort().join('\0');
    let set = this.cache.get(key);
    if (!set) this.cache.set(key, (set = this.build(distinct)));
    return set;
  }

  private build(distinct: Set<string>): ClientSet {
    const groups: ClientGroup[] = [];
    const group = (node: ClientNode, members: Workload[]) => {
      if (members.length) groups.push({ node, members });
    };
    group({ namespace: '*', name: '*', kind: 'Workload', sidecar: 'none' }, this.none);
    group({ namespace: this.ambient[0]?.namespace ?? '*', name: '*', kind: 'Workload', sidecar: 'ambient' }, this.ambient);
    const touchesDistinct = [...distinct].some((ns) => this.sidecarByNamespace.has(ns));
    const generic = touchesDistinct ? this.sidecar.filter((w) => !distinct.has(w.namespace)) : this.sidecar;
    group({ namespace: generic[0]?.namespace ?? '*', name: '*', kind: 'Workload', sidecar: 'sidecar' }, generic);
    for (const ns of [...distinct].sort()) {
      // Inside a namespace with its own rules, workloadSelector rules can still split clients by labels.
      const byClass = new Map<string, Workload[]>();
      for (const w of this.sidecarByNamespace.get(ns) ?? []) pushTo(byClass, this.mesh.clientClassKey({ namespace: ns, sidecar: 'sidecar', labels: w.labels }), w);
      for (const members of byClass.values()) group({ namespace: ns, name: '*', kind: 'Workload', sidecar: 'sidecar' }, members);
    }
    const groupOf = new Map<Workload, ClientGroup>();
    for (const g of groups) for (const w of g.members) groupOf.set(w, g);

    const standIns: ClientNode[] = [];
    const plain = this.injectedNamespaces.filter((ns) => !distinct.has(ns.name));
    if (plain.length) {
      const names = plain.map((ns) => ns.name);
      const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
      standIns.push({ namespace: names[0]!, name: '*', kind: 'Workload', sidecar: 'sidecar', standIn: `any new sidecar workload in ${shown}` });
    }
    for (const ns of this.injectedNamespaces.filter((n) => distinct.has(n.name))) {
      standIns.push({
        namespace: ns.name,
        name: '*',
        kind: 'Workload',
        sidecar: 'sidecar',
        standIn: `any new sidecar workload in ${ns.name}${ns.unknown ? ' (namespace not in the inputs)' : ''}`,
      });
    }
    standIns.push({ namespace: OTHER_NAMESPACE, name: '*', kind: 'Workload', sidecar: 'sidecar', standIn: 'any sidecar workload in a namespace not in the inputs' });
    return { groups, groupOf, standIns };
  }
}

interface StandInServer {
  service: StandInService;
  sidecar: 'sidecar' | 'none' | 'ambient';
  node: ServerNode;
}

function standInServers(mesh: MeshModel, excluded: Set<string>): StandInServer[] {
  const out: StandInServer[] = [];
  for (const ns of mesh.namespaces.values()) {
    if (excluded.has(ns.name) || ns.origin === 'system' || ns.origin === 'unknown' || ns.name === mesh.settings.rootNamespace) continue;
    const injected = namespaceLabelsInject(ns.labels);
    // An ambient namespace's services are reached through ztunnel, not raw (istio-semantics.md §0.1, §6.3).
    const ambient = !injected && ns.labels['istio.io/dataplane-mode'] === 'ambient' && atLeast(mesh.settings.version, 1, 18);
    const standIn = `any other service in ${ns.name}${injected ? '' : ambient ? ' (ambient)' : ' (no sidecar injection there)'}`;
    out.push({
      service: { standIn: true, name: '(any)', namespace: ns.name },
      sidecar: injected ? 'sidecar' : ambient ? 'ambient' : 'none',
      node: { namespace: ns.name, service: '*', port: 0, standIn },
    });
  }
  out.push({
    service: { standIn: true, name: '(any)', namespace: OTHER_NAMESPACE },
    sidecar: 'sidecar',
    node: { namespace: OTHER_NAMESPACE, service: '*', port: 0, standIn: 'any sidecar service in a namespace not in the inputs' },
  });
  return out;
}

function makeEdge(mesh: MeshModel, client: ClientNode, service: Service, port: ServicePort, evidence: CallerEvidence): Edge {
  const spec: ClientSpec = { namespace: client.namespace, sidecar: client.sidecar, labels: client.workload?.labels ?? client.members?.[0]?.labels ?? {} };
  const connections: EdgeConnection[] = [];
  for (const w of service.workloads) {
    const targetPort = resolveTargetPort(port, w);
    const mode = mesh.serverMode(w, targetPort, { service, port });
    const endpoint: ServerEndpoint = { workload: w, targetPort, mode };
    const r = mesh.connect(spec, service, port, endpoint);
    connections.push({ serverWorkload: w, targetPort, client: r.client, server: r.server, result: r.result });
  }
  const server: ServerNode = { namespace: service.namespace, service: service.name, port: port.port, serviceRef: service, servicePort: port };
  return finishEdge(client, server, evidence.kind, evidence, connections);
}

function makeStandInServerEdge(mesh: MeshModel, client: ClientNode, server: StandInServer): Edge {
  const spec: ClientSpec = { namespace: client.namespace, sidecar: client.sidecar, labels: client.members?.[0]?.labels ?? {} };
  const mode =
    server.sidecar === 'none'
      ? { mode: 'NO_SIDECAR' as const, level: 'default' as const, explanation: `services in ${server.service.namespace} have no sidecar` }
      : server.sidecar === 'ambient'
        ? toAmbient(mesh.namespaceServerMode(server.service.namespace), mesh.settings.version.text)
        : mesh.namespaceServerMode(server.service.namespace);
  // Port 0: a stand-in service has no known port; only port-independent DestinationRule settings apply.
  const r = mesh.connect(spec, server.service, 0, { sidecar: server.sidecar, targetPort: undefined, mode });
  const connection: EdgeConnection = { targetPort: undefined, client: r.client, server: r.server, result: r.result };
  return finishEdge(client, server.node, 'possible', { kind: 'possible', description: server.node.standIn! }, [connection]);
}

function finishEdge(client: ClientNode, server: ServerNode, caller: CallerKind, evidence: CallerEvidence, connections: EdgeConnection[]): Edge {
  let worst = connections[0];
  for (const c of connections) if (worst && OUTCOME_RANK[c.result.outcome] > OUTCOME_RANK[worst.result.outcome]) worst = c;
  return {
    client,
    server,
    caller,
    evidence,
    connections,
    outcome: worst?.result.outcome ?? 'plaintext',
    clientTls: worst?.result.clientTls ?? 'plaintext',
    serverMode: worst?.server.mode ?? 'NO_SIDECAR',
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
