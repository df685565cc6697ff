// Edges: every known call (declared, inferred), every possible caller (grouped), and stand-ins for what the inputs
// do not show, each with the outcome of each connection as the mesh model decides it.
import type {
  ClientSpec,
  ClientTlsResult,
  KindInput,
  MeshModel,
  RoutedClientTls,
  ServerEndpoint,
  Service,
  ServicePort,
  StandInService,
  Workload,
} from '../mesh/model.js';
import type { Resource } from '../load/index.js';
import { isUdp, resolveTargetPort } from '../mesh/services.js';
import { KUBERNETES_SYSTEM_NAMESPACES, namespaceLabelsInject } from '../mesh/workloads.js';
import { reachesServer, type ServerScope } from './server-scope.js';
import type { ResolvedOptions } from '../options.js';
import type { CallerKind } from '../types.js';
import { authorizationPolicyCalls, declaredCalls, workloadCalls, type Call } from './callers.js';
import { observedCalls } from './observed.js';
import { GATEWAY_INPUTS, gatewayCalls, isGatewayWorkload } from './gateways.js';
import { INGRESS_INPUTS, exposedServiceCalls, ingressCalls } from './ingress.js';
import type {
  BlockedCall,
  CallerEvidence,
  ClientNode,
  Edge,
  EdgeConnection,
  Graph,
  ServerNode,
} from './graph.js';
import { NetworkPolicies, serviceVerdict, workloadsVerdict, type Endpoint } from './network-policy.js';
import { injectorSettings } from './injector-settings.js';
import { ServicesOfWorkload } from './pod-edges.js';
import { UndeclaredPortEdges } from './passthrough-edges.js';
import { probeEdges } from './probes.js';
import { routedConnections } from './routing.js';
import { scraperEdges } from './scrapers.js';

const OUTCOME_RANK = { broken: 3, plaintext: 2, tls: 1, mtls: 0 } as const;

/** Groups larger than this are not copied per server port to drop the server's own workloads and known callers. */
const SHARED_GROUP_SIZE = 64;

/** Namespace name for stand-ins that live outside every namespace of the inputs. */
const OTHER_NAMESPACE = '(other namespaces)';

/**
 * A graph to take edges from: the head's, when the base differs from it only in what reaches the servers of `scope`
 * (diff/change-scope.ts), and the mesh model was built with the head's workloads and services.
 */
export interface GraphReuse {
  graph: Graph;
  scope: ServerScope;
}

/**
 * Declared calls and calls from workloads' URLs, per graph: they depend on workloads, Services, ConfigMaps and the
 * config only, so a graph made from another (GraphReuse) takes them from it.
 */
const workloadSideCalls = new WeakMap<
  Graph,
  { observed: Call[]; declared: Call[]; fromWorkloads: Call[]; unresolved: string[] }
>();

/**
 * The kinds the graph reads itself (beyond the mesh model's), and how far a change to one reaches (mesh/model.ts
 * KindInput). The graph asks for resources only through graphInput, which refuses other kinds.
 */
export const GRAPH_INPUTS: readonly KindInput[] = [
  {
    kinds: ['AuthorizationPolicy'],
    reach: 'namespace',
    reader:
      'graph/callers.ts authorizationPolicyCalls: ALLOW sources call the services over the workloads it selects, in its namespace',
  },
  {
    kinds: ['ConfigMap'],
    reach: 'everything',
    reader:
      'graph/callers.ts workloadCalls: service URLs in ConfigMaps; graph/injector-settings.ts: istio-sidecar-injector probe rewrite, mesh config metrics merging',
  },
  {
    kinds: ['NetworkPolicy'],
    reach: 'everything',
    reader:
      'graph/network-policy.ts: ingress rules refuse callers of the servers they select, egress rules refuse calls of the clients they select, in any namespace',
  },
  {
    kinds: ['Endpoints', 'EndpointSlice'],
    reach: 'everything',
    reader:
      'graph/callers.ts workloadCalls: an IP literal in a client URL that is a pod address of an Endpoints or EndpointSlice calls that pod',
  },
  {
    kinds: ['ServiceMonitor', 'PodMonitor'],
    reach: 'everything',
    reader:
      'graph/scrapers.ts: Prometheus scrapes the Services and pods a monitor selects, in the namespaces it names',
  },
  {
    kinds: ['IstioOperator'],
    reach: 'everything',
    reader:
      'graph/injector-settings.ts: values.sidecarInjectorWebhook.rewriteAppHTTPProbe and meshConfig.enablePrometheusMerge decide whether probes and scrapes reach any pod',
  },
  ...GATEWAY_INPUTS,
  ...INGRESS_INPUTS,
];

const GRAPH_KINDS: ReadonlySet<string> = new Set(GRAPH_INPUTS.flatMap((i) => i.kinds));

function graphInput(mesh: MeshModel, kind: string): Resource[] {
  if (!GRAPH_KINDS.has(kind))
    throw new Error(`the graph reads ${kind}, which graph/build.ts GRAPH_INPUTS does not declare`);
  return mesh.resourcesOfKind(kind);
}

export function buildGraph(mesh: MeshModel, options: ResolvedOptions, reuseArg?: GraphReuse): Graph {
  // A call a VirtualService sends to another host makes an edge of that host while its own is computed: with such
  // edges, a change that reaches one server reaches others, so nothing is reused. (VirtualServices reach everything
  // in a change scope, so base and head route alike.)
  const reuse = reuseArg?.graph.edges.some((e) => e.routedFrom) ? undefined : reuseArg;
  const edges: Edge[] = [];
  // Per edge, the node its sort key is made from: its client, or for a group's edge the group's node (the same
  // namespace and name, no stand-in), whose key is then made once rather than once per server port.
  const sortClients: ClientNode[] = [];
  const add = (edge: Edge, sortClient: ClientNode = edge.client) => {
    edges.push(edge);
    sortClients.push(sortClient);
  };
  const excluded = new Set(options.config.scope?.excludeServerNamespaces ?? KUBERNETES_SYSTEM_NAMESPACES);
  // With a graph to reuse, only the servers the change reaches get new edges.
  const recomputed = reuse && recomputedServers(reuse.scope);
  // ServiceEntry hosts are servers too, of the clients that name them (no possible callers: step 2 skips them).
  const servers = [...mesh.services, ...mesh.serviceEntryServices].filter(
    (s) => (!reuse || reachesServer(reuse.scope, s)) && isServer(s, mesh, excluded, options),
  );
  const ports = new ServerPorts(mesh);

  // 1. Known calls: observed (the mesh's own telemetry), declared, then inferred from URLs, then from
  //    AuthorizationPolicies.
  const workloadSide = (reuse && workloadSideCalls.get(reuse.graph)) ?? workloadSideCallsOf(mesh, options);
  const { unresolved } = workloadSide;
  const known = [...workloadSide.observed, ...workloadSide.declared, ...workloadSide.fromWorkloads];
  // Not push(...): spreading 100k+ calls (ALLOW from a 500-workload namespace, times many policies) overflows the stack.
  for (const call of authorizationPolicyCalls(mesh, graphInput(mesh, 'AuthorizationPolicy')))
    known.push(call);
  // Callers the inputs show only through a resource: gateway proxies (routes), ingress controllers (Ingress), and
  // clients outside the cluster (Service type and externalIPs).
  const input = (kind: string) => graphInput(mesh, kind);
  for (const call of gatewayCalls(mesh, input)) known.push(call);
  for (const call of ingressCalls(mesh, input)) known.push(call);
  for (const call of exposedServiceCalls(mesh)) known.push(call);
  // Client keys with a known edge, by server port (service id → port → client keys): one edge per (client, service
  // port), and step 2 leaves these clients out of the groups it can filter. Servers with the same id (a Service
  // given twice) share one map; it is found by the server object, which is cheaper than by its id.
  const knownClients = new Map<Service, Map<number, Set<string>>>();
  const knownById = new Map<string, Map<number, Set<string>>>();
  for (const server of servers) {
    let byPort = knownById.get(server.resource.id);
    if (!byPort) knownById.set(server.resource.id, (byPort = new Map()));
    knownClients.set(server, byPort);
  }
  // A workload's node is the same in each of its known calls (nodes are read-only).
  const workloadNodes = new Map<Workload, ClientNode>();
  const policies = new NetworkPolicies(graphInput(mesh, 'NetworkPolicy'), mesh.namespaces);
  const blocked: BlockedCall[] = [];
  const undeclared = new UndeclaredPortEdges(mesh);
  for (const call of known) {
    const byPort = knownClients.get(call.service);
    if (!byPort) continue; // not a server
    let client: ClientNode | undefined;
    const clientKey =
      'resource' in call.client
        ? call.client.resource.id
        : call.node
          ? `${call.node.kind}\0${call.node.namespace}\0${call.node.name}\0${call.node.standIn ?? ''}`
          : `${call.client.namespace}/${call.client.name}`;
    if (call.undeclaredPort !== undefined) {
      client ??= clientNodeOf(call, mesh, workloadNodes);
      // The pod's own port: a NetworkPolicy that refuses it stops the call whatever TLS would have done.
      const undeclaredPort = call.undeclaredPort;
      const verdict =
        call.evidence.kind === 'observed'
          ? undefined
          : workloadsVerdict(
              policies,
              endpointOf(call),
              call.podWorkloads ?? call.service.workloads,
              () => undeclaredPort,
            );
      if (verdict && !verdict.allowed) {
        blocked.push({
          client,
          server: undeclared.node(call.service, undeclaredPort),
          evidence: call.evidence,
          policies: verdict.policies,
        });
        continue;
      }
      const edge = undeclared.edge(
        client,
        clientKey,
        call.service,
        call.undeclaredPort,
        call.evidence,
        call.podWorkloads,
        call.podAddress,
      );
      if (edge) add(edge);
      continue;
    }
    for (const port of call.service.ports) {
      if (call.ports && !call.ports.includes(port.port)) continue;
      if (isUdp(port)) continue;
      let clients = byPort.get(port.port);
      if (!clients) byPort.set(port.port, (clients = new Set()));
      // Observed and declared calls come first, so they win over an inference of the same call.
      if (clients.has(clientKey)) continue;
      clients.add(clientKey);
      // An observed call happened: a NetworkPolicy of the inputs that refuses it is not what the cluster enforces.
      const verdict =
        call.evidence.kind === 'observed'
          ? undefined
          : call.podWorkloads
            ? workloadsVerdict(policies, endpointOf(call), call.podWorkloads, (w) =>
                resolveTargetPort(port, w),
              )
            : serviceVerdict(policies, endpointOf(call), call.service, port);
      if (verdict && !verdict.allowed) {
        const node = (client ??= clientNodeOf(call, mesh, workloadNodes));
        blocked.push({
          client: node,
          server: ports.get(call.service, port).node,
          evidence: call.evidence,
          policies: verdict.policies,
        });
        continue;
      }
      for (const edge of makeEdges(
        mesh,
        (client ??= clientNodeOf(call, mesh, workloadNodes)),
        call.service,
        port,
        call.evidence,
        ports,
        call,
      ))
        add(edge);
    }
  }

  // 2. Possible callers, grouped per service host: clients in one group get the same DestinationRule for this host
  //    and send the same thing, so the edge count is (server ports) × (a few groups), not × namespaces.
  const classes = new ClientClasses(mesh, excluded);
  const workloadsById = new Map<string, Workload[]>();
  for (const w of mesh.workloads) pushTo(workloadsById, w.resource.id, w);
  for (const service of servers) {
    if (service.entry) continue;
    const set = classes.forService(service);
    const own = new Set(service.workloads);
    const ownGroups = new Set<ClientGroup>();
    for (const w of own) {
      const group = set.groupOf(w);
      if (group) ownGroups.add(group);
    }
    const knownByPort = knownClients.get(service);
    for (const port of service.ports) {
      if (isUdp(port)) continue;
      // Only groups holding one of the service's own workloads or a known caller of this port lose members; every
      // other group's members array is shared, not copied (filtering every group cost server ports × workloads).
      const knownIds = knownByPort?.get(port.port);
      let touched = ownGroups;
      if (knownIds?.size) {
        touched = new Set(ownGroups);
        for (const id of knownIds)
          for (const w of workloadsById.get(id) ?? []) {
            const group = set.groupOf(w);
            if (group) touched.add(group);
          }
      }
      for (const group of set.groups) {
        // Large groups are shared whole (copying them per server port is what made the graph quadratic); they may
        // then also list the service's own workloads or a known caller, which the rules de-duplicate by client.
        let members =
          touched.has(group) && group.members.length <= SHARED_GROUP_SIZE
            ? group.members.filter((w) => !own.has(w) && !knownIds?.has(w.resource.id))
            : group.members;
        // A possible caller that no NetworkPolicy lets through is not a caller.
        if (policies.count)
          members = members.filter(
            (w) => serviceVerdict(policies, { kind: 'workload', workload: w }, service, port).allowed,
          );
        if (!members.length) continue;
        // A group's whole members share one node across every server port (nodes are read-only).
        const client =
          members === group.members
            ? (group.wholeNode ??= nodeWithMembers(group.node, members))
            : nodeWithMembers(group.node, members);
        for (const edge of makeEdges(mesh, client, service, port, ANY_WORKLOAD, ports))
          add(edge, edge.routedFrom ? edge.client : group.node);
      }
      // 3a. Stand-ins: sidecar workloads the inputs do not show.
      for (const standIn of set.standIns) {
        const client = policies.count ? allowedStandIn(policies, set, standIn, service, port) : standIn;
        if (!client) continue;
        for (const edge of makeEdges(mesh, client, service, port, set.standInEvidence.get(standIn)!, ports))
          add(edge);
      }
    }
  }

  // 3b. Services the inputs do not show, called by every sidecar group and stand-in.
  for (const server of standInServers(mesh, excluded)) {
    if (reuse && !reachesServer(reuse.scope, server.service)) continue;
    const set = classes.forService(server.service);
    const callers = [
      ...set.groups
        .filter((g) => g.node.sidecar !== 'none')
        .map((g) => (g.wholeNode ??= nodeWithMembers(g.node, g.members))),
      ...set.standIns,
    ];
    for (const client of callers) {
      add(makeStandInServerEdge(mesh, client, server));
    }
  }

  // 4. Callers from outside the mesh that reach pods directly: the kubelet's probes, Prometheus.
  const podServices = new ServicesOfWorkload(mesh);
  const injector = injectorSettings(graphInput(mesh, 'ConfigMap'), graphInput(mesh, 'IstioOperator'));
  for (const edge of probeEdges(mesh, injector, podServices))
    if (!recomputed || recomputed(edge.server)) add(edge);
  // Prometheus scrapes (ServiceMonitor, PodMonitor, prometheus.io annotations without metrics merging).
  const monitors = [...graphInput(mesh, 'ServiceMonitor'), ...graphInput(mesh, 'PodMonitor')];
  const scrapes = scraperEdges(mesh, monitors, injector, podServices, policies);
  for (const edge of scrapes.edges) if (!recomputed || recomputed(edge.server)) add(edge);
  for (const b of scrapes.blocked) if (!recomputed || recomputed(b.server)) blocked.push(b);

  // Known calls follow input order (config, annotations, ConfigMaps): sort, so output never depends on it. The order
  // is caller rank, then "client namespace \0 name \0 stand-in \0 server namespace \0 service \0 port"; the two
  // halves are cached per node rather than concatenated per edge.
  const clientKeys = new Map<ClientNode, string>();
  const clientKey = (c: ClientNode) => {
    let key = clientKeys.get(c);
    if (key === undefined) clientKeys.set(c, (key = `${c.namespace}\0${c.name}\0${c.standIn ?? ''}`));
    return key;
  };
  const serverKey = (s: ServerNode) => ports.sortKey(s);
  const sorted = sortEdges(edges, sortClients, clientKey, serverKey);
  const built: Graph = { edges: sorted, unresolved };
  if (options.traffic) built.observedWindow = options.traffic.window;
  if (blocked.length || reuse?.graph.blocked) built.blocked = blocked;
  workloadSideCalls.set(built, workloadSide);
  if (!reuse || !recomputed) return built;
  // The other servers' edges, as they are: the same objects, already in order. A group's edge sorts as its node
  // does (the same namespace and name, no stand-in), and edges of different servers never tie.
  const kept = reuse.graph.edges.filter((e) => !recomputed(e.server));
  const graphOrder = (a: Edge, b: Edge) =>
    CALLER_RANK[a.caller] - CALLER_RANK[b.caller] ||
    compareKeys(clientKey(a.client), serverKey(a.server), clientKey(b.client), serverKey(b.server));
  const merged: Graph = {
    edges: mergeSorted(sorted, kept, graphOrder),
    unresolved,
    derivedFrom: { graph: reuse.graph, recomputed },
  };
  if (options.traffic) merged.observedWindow = options.traffic.window;
  const keptBlocked = (reuse.graph.blocked ?? []).filter((b) => !recomputed(b.server));
  if (blocked.length || keptBlocked.length) merged.blocked = [...blocked, ...keptBlocked];
  workloadSideCalls.set(merged, workloadSide);
  return merged;
}

const CALLER_RANK = { observed: 0, declared: 1, inferred: 2, possible: 3 } as const;

/** Whether a server node's edges are recomputed for `scope`; asked per edge, answered once per node. */
function recomputedServers(scope: ServerScope): (server: ServerNode) => boolean {
  const answers = new WeakMap<ServerNode, boolean>();
  return (server) => {
    let answer = answers.get(server);
    if (answer === undefined) {
      const service = server.serviceRef ?? standInService(server.namespace);
      answers.set(server, (answer = reachesServer(scope, service)));
    }
    return answer;
  };
}

/** The service a stand-in server node stands for: "any other service" of a namespace (or of the others). */
function standInService(namespace: string): StandInService {
  return { standIn: true, name: '(any)', namespace };
}

function workloadSideCallsOf(mesh: MeshModel, options: ResolvedOptions) {
  const unresolved: string[] = [];
  const declared = declaredCalls(mesh, options, unresolved);
  const observed = observedCalls(mesh, options.traffic);
  return {
    observed,
    declared,
    fromWorkloads: workloadCalls(
      mesh,
      graphInput(mesh, 'ConfigMap'),
      [...graphInput(mesh, 'Endpoints'), ...graphInput(mesh, 'EndpointSlice')],
      unresolved,
    ),
    unresolved,
  };
}

/** Edges in graph order; `sortClients[i]` is the node edge i sorts as. */
function sortEdges(
  edges: Edge[],
  sortClients: ClientNode[],
  clientKey: (c: ClientNode) => string,
  serverKey: (s: ServerNode) => string,
): Edge[] {
  const ranks = edges.map((e) => CALLER_RANK[e.caller]);
  const order = numericOrder(
    ranks,
    sortClients,
    clientKey,
    edges.map((e) => e.server),
    serverKey,
  );
  if (order) return Array.from(order, (i) => edges[i]!);
  const clientHalf = sortClients.map(clientKey);
  const serverHalf = edges.map((e) => serverKey(e.server));
  const fallback = edges.map((_, i) => i);
  fallback.sort(
    (i, j) =>
      ranks[i]! - ranks[j]! || compareKeys(clientHalf[i]!, serverHalf[i]!, clientHalf[j]!, serverHalf[j]!),
  );
  return fallback.map((i) => edges[i]!);
}

/**
 * Two sorted lists as one, where no element of one equals one of the other: each of `few` is placed by binary search
 * among `many`, from where the one before it went.
 */
function mergeSorted<T>(few: T[], many: T[], compare: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  let next = 0;
  for (const x of few) {
    let lo = next;
    let hi = many.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(many[mid]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    while (next < lo) out.push(many[next++]!);
    out.push(x);
  }
  while (next < many.length) out.push(many[next++]!);
  return out;
}

/**
 * The edge order as a sort of numbers: each distinct client half and server half is ranked once, and an edge's key
 * is (caller rank, client rank, server rank, index), so the sort is stable and compares no strings. That equals the
 * string order unless a client half is a prefix of another followed by "\0" (only with "\0" in names): then the
 * concatenation decides, and this returns undefined for the comparison sort.
 */
function numericOrder(
  ranks: number[],
  clients: ClientNode[],
  clientKey: (c: ClientNode) => string,
  servers: ServerNode[],
  serverKey: (s: ServerNode) => string,
): Float64Array | undefined {
  const clientRanks = rankNodes(clients, clientKey);
  // Among sorted distinct strings, those starting with `k + "\0"` follow `k` directly.
  const sortedClients = clientRanks.sorted;
  for (let i = 1; i < sortedClients.length; i++)
    if (sortedClients[i]!.startsWith(`${sortedClients[i - 1]!}\0`)) return undefined;
  const serverRanks = rankNodes(servers, serverKey);
  const n = ranks.length;
  const nClients = sortedClients.length;
  const nServers = serverRanks.sorted.length;
  // Exact in a double while the product stays below 2^53.
  if (4 * nClients * nServers * n >= Number.MAX_SAFE_INTEGER) return undefined;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++)
    keys[i] =
      ((ranks[i]! * nClients + clientRanks.of.get(clients[i]!)!) * nServers +
        serverRanks.of.get(servers[i]!)!) *
        n +
      i;
  keys.sort();
  for (let i = 0; i < n; i++) keys[i] = keys[i]! % n;
  return keys;
}

/**
 * Each distinct node's rank among the distinct keys of all nodes (nodes are shared by many edges, so a key is made
 * and hashed once per node, not once per edge).
 */
function rankNodes<T extends object>(
  nodes: T[],
  keyOf: (node: T) => string,
): { of: Map<T, number>; sorted: string[] } {
  const keys = new Map<T, string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (!keys.has(node)) keys.set(node, keyOf(node));
  }
  const sorted = [...new Set(keys.values())].sort();
  const rankOfKey = new Map<string, number>();
  sorted.forEach((key, i) => rankOfKey.set(key, i));
  const of = new Map<T, number>();
  keys.forEach((key, node) => of.set(node, rankOfKey.get(key)!));
  return { of, sorted };
}

/** Compares `${ac}\0${as}` with `${bc}\0${bs}` without building them (they are built only if a client half is a prefix of the other). */
function compareKeys(ac: string, as: string, bc: string, bs: string): number {
  if (ac === bc) return as < bs ? -1 : as > bs ? 1 : 0;
  if (ac.length < bc.length ? bc.startsWith(ac) : ac.startsWith(bc)) {
    const a = `${ac}\0${as}`;
    const b = `${bc}\0${bs}`;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return ac < bc ? -1 : 1;
}

/** Labels of a client without a workload (stand-ins): one object, so that lookups keyed by labels can be cached. */
const NO_LABELS: Record<string, string> = {};

/** Evidence of every possible-caller edge of a group: one shared object (there is one such edge per group and port). */
const ANY_WORKLOAD: CallerEvidence = {
  kind: 'possible',
  description: 'any workload in the inputs could call this service',
};

/**
 * What a server port looks like from any client, computed once per port rather than once per edge: its node, each
 * backing workload's target port and server mode, and the connections for each distinct answer of clientTls (every
 * group and stand-in calls every server port, and most of them send the same thing).
 */
class ServerPorts {
  private readonly ports = new Map<ServicePort, ServerPort>();
  private readonly sortKeys = new Map<ServerNode, string>();

  constructor(private readonly mesh: MeshModel) {}

  get(service: Service, port: ServicePort): ServerPort {
    let entry = this.ports.get(port);
    if (!entry) {
      const endpoints = service.workloads.map((workload): ServerEndpoint => {
        const targetPort = resolveTargetPort(port, workload);
        return { workload, targetPort, mode: this.mesh.serverMode(workload, targetPort, { service, port }) };
      });
      const node: ServerNode = {
        namespace: service.namespace,
        service: service.name,
        port: port.port,
        serviceRef: service,
        servicePort: port,
      };
      this.ports.set(port, (entry = { node, endpoints, connections: new Map() }));
    }
    return entry;
  }

  /** The server half of the edge order: namespace, service, port (zero-padded so that 80 sorts before 443). */
  /** A call's routes split into those to the port called and those sent elsewhere, once per (shared) routes array. */
  splitRoutes(routes: RoutedClientTls[]): { own: RoutedClientTls[]; other: RoutedClientTls[] } {
    let split = this.splits.get(routes);
    if (!split) {
      split = { own: routes.filter((r) => !r.target), other: routes.filter((r) => r.target) };
      // The common case keeps the array itself, so the connections cached for it are found again.
      if (!split.other.length) split.own = routes;
      this.splits.set(routes, split);
    }
    return split;
  }

  private readonly splits = new WeakMap<
    RoutedClientTls[],
    { own: RoutedClientTls[]; other: RoutedClientTls[] }
  >();

  sortKey(server: ServerNode): string {
    let key = this.sortKeys.get(server);
    if (key === undefined)
      this.sortKeys.set(
        server,
        (key = `${server.namespace}\0${server.service}\0${String(server.port).padStart(5, '0')}`),
      );
    return key;
  }
}

interface ServerPort {
  node: ServerNode;
  endpoints: ServerEndpoint[];
  /** One per backing workload, by what the client sends; shared by the edges whose clients send the same. */
  connections: Map<ClientTlsResult | RoutedClientTls[] | RoutedClientTls, Connections>;
}

/** An edge's connections and what follows from them alone (the worst of them), computed once per array. */
interface Connections {
  list: EdgeConnection[];
  worst: Pick<Edge, 'outcome' | 'clientTls' | 'serverMode'>;
}

function isServer(s: Service, mesh: MeshModel, excluded: Set<string>, options: ResolvedOptions): boolean {
  if (s.external || excluded.has(s.namespace) || s.workloads.length === 0) return false;
  // Gateway proxies are not PeerAuthentication targets: their listeners' TLS comes from the Gateway resource.
  if (s.workloads.every(isGatewayWorkload)) return false;
  if (!options.config.scope?.includeControlPlane && s.namespace === mesh.settings.rootNamespace) {
    // istiod and the gateways have their own TLS setup (istio-semantics.md §1.10).
    const controlPlane =
      /^(istiod|istio-|istio$)/.test(s.name) ||
      s.workloads.some((w) => w.labels.istio !== undefined || w.labels.app === 'istiod');
    if (controlPlane) return false;
  }
  return true;
}

/**
 * The end a known call's client is, for NetworkPolicies: a workload, or a pod the inputs do not show. Stand-ins are
 * not pods of their placeholder namespace: clients outside the cluster match ipBlock peers only, and a controller the
 * inputs do not show runs in a namespace they do not name.
 */
function endpointOf(call: Call): Endpoint {
  const client = call.client;
  if ('resource' in client) return { kind: 'workload', workload: client };
  if (call.node?.kind === 'ExternalClient') return { kind: 'outside' };
  if (call.node?.standIn && call.node.namespace.startsWith('('))
    return { kind: 'new-pod', namespace: undefined };
  return { kind: 'new-pod', namespace: client.namespace };
}

/**
 * A stand-in as a possible caller of a Service port under NetworkPolicies: undefined when no policy lets a new pod of
 * any of its namespaces through; the node itself when one does; a node that states the assumption when a policy
 * lets it through only if namespace labels the inputs do not show match.
 */
function allowedStandIn(
  policies: NetworkPolicies,
  set: ClientSet,
  standIn: ClientNode,
  service: Service,
  port: ServicePort,
): ClientNode | undefined {
  let assumption: string | undefined;
  for (const namespace of set.standInNamespaces.get(standIn) ?? [standIn.namespace]) {
    const v = serviceVerdict(policies, { kind: 'new-pod', namespace }, service, port);
    if (v.allowed && !v.assumption) return standIn;
    if (v.allowed) assumption ??= v.assumption;
  }
  if (!assumption) return undefined;
  const text = `${standIn.standIn!} (assumed: ${assumption})`;
  let node = set.assumedStandIns.get(text);
  if (!node) set.assumedStandIns.set(text, (node = { ...standIn, standIn: text }));
  return node;
}

function clientNodeOf(call: Call, mesh: MeshModel, workloadNodes: Map<Workload, ClientNode>): ClientNode {
  if (call.node) return call.node;
  if ('resource' in call.client) {
    const w = call.client;
    let node = workloadNodes.get(w);
    if (!node)
      workloadNodes.set(
        w,
        (node = {
          namespace: w.namespace,
          name: w.name,
          kind: w.kind,
          workload: w,
          sidecar: w.sidecar.state,
        }),
      );
    return node;
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
  /** The node of edges that list every member (made on first use). */
  wholeNode?: ClientNode;
}

function nodeWithMembers(node: ClientNode, members: Workload[]): ClientNode {
  const { namespace, name, kind, sidecar } = node;
  return { namespace, name, kind, sidecar, members };
}

interface ClientSet {
  groups: ClientGroup[];
  /** The group a workload of the inputs belongs to. */
  groupOf(w: Workload): ClientGroup | undefined;
  standIns: ClientNode[];
  /** The evidence of each stand-in's edges (shared by all of them). */
  standInEvidence: Map<ClientNode, CallerEvidence>;
  /** The namespaces each stand-in stands for (undefined: namespaces not in the inputs), for NetworkPolicies. */
  standInNamespaces: Map<ClientNode, (string | undefined)[]>;
  /** Stand-in nodes that state the assumption a NetworkPolicy verdict rests on, made once per text. */
  assumedStandIns: Map<string, ClientNode>;
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
  /** `sidecar` as runs of consecutive workloads of one namespace (one run per namespace, as workloads are sorted). */
  private readonly sidecarRuns: { namespace: string; workloads: Workload[] }[] = [];
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
        const run = this.sidecarRuns[this.sidecarRuns.length - 1];
        if (run?.namespace === w.namespace) run.workloads.push(w);
        else this.sidecarRuns.push({ namespace: w.namespace, workloads: [w] });
      }
    }
    for (const ns of mesh.namespaces.values()) {
      if (excluded.has(ns.name) || ns.origin === 'system') continue;
      if (namespaceLabelsInject(ns.labels) || ns.origin === 'unknown')
        this.injectedNamespaces.push({ name: ns.name, unknown: ns.origin === 'unknown' });
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
    const group = (node: ClientNode, members: Workload[]): ClientGroup | undefined => {
      if (!members.length) return undefined;
      const g = { node, members };
      groups.push(g);
      return g;
    };
    const none = group({ namespace: '*', name: '*', kind: 'Workload', sidecar: 'none' }, this.none);
    const ambient = group(
      { namespace: this.ambient[0]?.namespace ?? '*', name: '*', kind: 'Workload', sidecar: 'ambient' },
      this.ambient,
    );
    const touchesDistinct = [...distinct].some((ns) => this.sidecarByNamespace.has(ns));
    let generic = this.sidecar;
    if (touchesDistinct) {
      // `sidecar` without the distinct namespaces, a run at a time: the same as filtering it workload by workload.
      generic = [];
      for (const run of this.sidecarRuns) {
        if (distinct.has(run.namespace)) continue;
        // Indexed: this runs once per client set, too few times to be optimised, and for-of allocates per item then.
        const workloads = run.workloads;
        for (let i = 0; i < workloads.length; i++) generic.push(workloads[i]!);
      }
    }
    const genericGroup = group(
      { namespace: generic[0]?.namespace ?? '*', name: '*', kind: 'Workload', sidecar: 'sidecar' },
      generic,
    );
    // Only the sidecar workloads of the distinct namespaces (few) need a map; everyone else's group follows from
    // the sidecar state (a map of every workload per set made the graph's memory sets × workloads).
    const inDistinct = new Map<Workload, ClientGroup>();
    for (const ns of [...distinct].sort()) {
      // Inside a namespace with its own rules, workloadSelector rules can still split clients by labels.
      const byClass = new Map<string, Workload[]>();
      for (const w of this.sidecarByNamespace.get(ns) ?? [])
        pushTo(byClass, this.mesh.clientClassKey({ namespace: ns, sidecar: 'sidecar', labels: w.labels }), w);
      for (const members of byClass.values()) {
        const g = group({ namespace: ns, name: '*', kind: 'Workload', sidecar: 'sidecar' }, members)!;
        for (const w of members) inDistinct.set(w, g);
      }
    }
    const groupOf = (w: Workload): ClientGroup | undefined =>
      w.sidecar.state === 'none'
        ? none
        : w.sidecar.state === 'ambient'
          ? ambient
          : distinct.has(w.namespace)
            ? inDistinct.get(w)
            : genericGroup;

    const standIns: ClientNode[] = [];
    const standInNamespaces = new Map<ClientNode, (string | undefined)[]>();
    const plain = this.injectedNamespaces.filter((ns) => !distinct.has(ns.name));
    if (plain.length) {
      const names = plain.map((ns) => ns.name);
      const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
      standIns.push({
        namespace: names[0]!,
        name: '*',
        kind: 'Workload',
        sidecar: 'sidecar',
        standIn: `any new sidecar workload in ${shown}`,
      });
      standInNamespaces.set(standIns[standIns.length - 1]!, names);
    }
    for (const ns of this.injectedNamespaces.filter((n) => distinct.has(n.name))) {
      standIns.push({
        namespace: ns.name,
        name: '*',
        kind: 'Workload',
        sidecar: 'sidecar',
        standIn: `any new sidecar workload in ${ns.name}${ns.unknown ? ' (namespace not in the inputs)' : ''}`,
      });
      standInNamespaces.set(standIns[standIns.length - 1]!, [ns.name]);
    }
    standIns.push({
      namespace: OTHER_NAMESPACE,
      name: '*',
      kind: 'Workload',
      sidecar: 'sidecar',
      standIn: 'any sidecar workload in a namespace not in the inputs',
    });
    standInNamespaces.set(standIns[standIns.length - 1]!, [undefined]);
    const standInEvidence = new Map(
      standIns.map((c): [ClientNode, CallerEvidence] => [c, { kind: 'possible', description: c.standIn! }]),
    );
    return { groups, groupOf, standIns, standInEvidence, standInNamespaces, assumedStandIns: new Map() };
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
    if (
      excluded.has(ns.name) ||
      ns.origin === 'system' ||
      ns.origin === 'unknown' ||
      ns.name === mesh.settings.rootNamespace
    )
      continue;
    const injected = namespaceLabelsInject(ns.labels);
    // An ambient namespace's services are reached through ztunnel, not raw (istio-semantics.md §0.1, §6.3).
    const ambient = !injected && mesh.namespaceAmbient(ns.name);
    const standIn = `any other service in ${ns.name}${injected ? '' : ambient ? ' (ambient)' : ' (no sidecar injection there)'}`;
    out.push({
      service: standInService(ns.name),
      sidecar: injected ? 'sidecar' : ambient ? 'ambient' : 'none',
      node: { namespace: ns.name, service: '*', port: 0, standIn },
    });
  }
  out.push({
    service: standInService(OTHER_NAMESPACE),
    sidecar: 'sidecar',
    node: {
      namespace: OTHER_NAMESPACE,
      service: '*',
      port: 0,
      standIn: 'any sidecar service in a namespace not in the inputs',
    },
  });
  return out;
}

/**
 * The edges of one call of `client` to a service port: the edge to that port, and one more per service port a mesh
 * VirtualService sends the call to instead (route.go GetDestinationCluster: another host, or another port), with
 * that service's DestinationRule and endpoints. A call whose routes all go elsewhere has no edge to the port called.
 */
function makeEdges(
  mesh: MeshModel,
  client: ClientNode,
  service: Service,
  port: ServicePort,
  evidence: CallerEvidence,
  ports: ServerPorts,
  route?: Pick<Call, 'subset' | 'sends' | 'podWorkloads'>,
): Edge[] {
  const spec: ClientSpec = {
    namespace: client.namespace,
    sidecar: client.sidecar,
    labels: client.workload?.labels ?? client.members?.[0]?.labels ?? NO_LABELS,
  };
  if (client.workload) spec.workload = client.workload;
  else if (!client.members?.length) spec.labelsUnknown = true;
  // A mesh VirtualService's routes decide per subset for sidecars; a gateway proxy follows its own routes (the call's
  // subset), and observed traffic says what was sent.
  const gateway = client.kind === 'Gateway' || (client.workload && isGatewayWorkload(client.workload));
  const routes =
    route?.subset !== undefined || route?.sends || gateway
      ? undefined
      : mesh.routedClientTls(spec, service, port);
  if (!routes) return [makeEdge(mesh, client, service, port, evidence, ports, spec, route)];
  const split = ports.splitRoutes(routes);
  const out: Edge[] = [];
  if (split.own.length)
    out.push(makeEdge(mesh, client, service, port, evidence, ports, spec, route, split.own));
  for (const r of split.other) {
    let caller = client;
    // A group's members that are the other service's own workloads are left out, as from its own possible callers.
    if (client.members?.length) {
      const own = new Set(r.target!.service.workloads);
      if (client.members.some((w) => own.has(w))) {
        const members = client.members.filter((w) => !own.has(w));
        if (!members.length) continue;
        caller = nodeWithMembers(client, members);
      }
    }
    const edge = makeEdge(mesh, caller, r.target!.service, r.target!.port, evidence, ports, spec, route, r);
    edge.routedFrom = ports.get(service, port).node;
    out.push(edge);
  }
  return out;
}

function makeEdge(
  mesh: MeshModel,
  client: ClientNode,
  service: Service,
  port: ServicePort,
  evidence: CallerEvidence,
  ports: ServerPorts,
  spec: ClientSpec,
  route?: Pick<Call, 'subset' | 'sends' | 'podWorkloads'>,
  routes?: RoutedClientTls[] | RoutedClientTls,
): Edge {
  const server = ports.get(service, port);
  // The outcome depends on the client only through what it sends (mesh.connect is clientTls, then connectWith).
  const tls = routes ?? route?.sends ?? mesh.clientTls(spec, service, port.port, route?.subset);
  let connections = server.connections.get(tls);
  if (!connections) {
    const list =
      'tls' in tls || Array.isArray(tls)
        ? routedConnections(mesh, Array.isArray(tls) ? tls : [tls], service, port, server.endpoints)
        : server.endpoints.map((endpoint): EdgeConnection => {
            const r = mesh.connectWith(tls, service, port, endpoint);
            return {
              serverWorkload: endpoint.workload,
              targetPort: endpoint.targetPort,
              client: r.client,
              server: r.server,
              result: r.result,
            };
          });
    connections = { list, worst: worstOf(list) };
    server.connections.set(tls, connections);
  }
  // A per-pod name (kafka-0.kafka-headless) resolves to that pod's address alone: only its workload is called.
  const pods = route?.podWorkloads;
  if (pods) {
    const list = connections.list.filter((c) => c.serverWorkload && pods.includes(c.serverWorkload));
    if (list.length) connections = { list, worst: worstOf(list) };
  }
  const { outcome, clientTls, serverMode } = connections.worst;
  return {
    client,
    server: server.node,
    caller: evidence.kind,
    evidence,
    connections: connections.list,
    outcome,
    clientTls,
    serverMode,
  };
}

function makeStandInServerEdge(mesh: MeshModel, client: ClientNode, server: StandInServer): Edge {
  const spec: ClientSpec = {
    namespace: client.namespace,
    sidecar: client.sidecar,
    labels: client.members?.[0]?.labels ?? NO_LABELS,
  };
  const mode = mesh.namespaceServerMode(server.service.namespace, server.sidecar);
  // Port 0: a stand-in service has no known port; only port-independent DestinationRule settings apply.
  const r = mesh.connect(spec, server.service, 0, { sidecar: server.sidecar, targetPort: undefined, mode });
  const connection: EdgeConnection = {
    targetPort: undefined,
    client: r.client,
    server: r.server,
    result: r.result,
  };
  return finishEdge(
    client,
    server.node,
    'possible',
    { kind: 'possible', description: server.node.standIn! },
    [connection],
  );
}

function finishEdge(
  client: ClientNode,
  server: ServerNode,
  caller: CallerKind,
  evidence: CallerEvidence,
  connections: EdgeConnection[],
): Edge {
  const { outcome, clientTls, serverMode } = worstOf(connections);
  return { client, server, caller, evidence, connections, outcome, clientTls, serverMode };
}

/** The first connection with the worst outcome decides the edge's outcome, client TLS and server mode. */
function worstOf(connections: EdgeConnection[]): Pick<Edge, 'outcome' | 'clientTls' | 'serverMode'> {
  let worst = connections[0];
  for (const c of connections)
    if (worst && OUTCOME_RANK[c.result.outcome] > OUTCOME_RANK[worst.result.outcome]) worst = c;
  return {
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
