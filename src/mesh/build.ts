// Assemble the mesh model from resources. All Istio decisions are delegated to the modules beside this one.
import type { Resource } from '../load/index.js';
import type { ResolvedOptions } from '../options.js';
import type {
  Cause,
  ClientSpec,
  ClientTlsResult,
  DestinationRuleInfo,
  RoutedClientTls,
  EdgeConnectionResult,
  MeshModel,
  ServerModeResult,
  Service,
  ServicePort,
  StandInService,
  Workload,
  KindInput,
} from './model.js';
import { readAuthorizationPolicies } from './authz.js';
import { connectionOutcome } from './connection.js';
import { configAnswers } from './config.js';
import {
  DestinationRuleIndex,
  clientModeFromTls,
  destinationRuleHosts,
  endpointCheckTls,
  findSubset,
  mergedPolicyRule,
  passthroughLoadBalancer,
  readDestinationRules,
  subsetEndpointCheckTls,
  subsetEndpointChecks,
  subsetLabels,
  tlsFor,
} from './destination-rules.js';
import {
  VirtualServiceIndex,
  readVirtualServices,
  routeProtocol,
  sourceLabelSelectors,
  type RouteClient,
  type RouteDestination,
} from './virtual-services.js';
import { ServerPolicies, readLegacyPolicies, readPeerAuthentications } from './server-mode.js';
import { extractServices, portProtocol, resolveTargetPort } from './services.js';
import { resolveMeshSettings } from './settings.js';
import {
  WORKLOAD_KINDS,
  collectNamespaces,
  decideSidecar,
  extractWorkloads,
  inboundBypass,
  outboundBypass,
} from './workloads.js';
import { ResourcesByKind } from './resources.js';
import { GatewayServers, gatewayWithoutTlsMode } from './gateway-servers.js';
import { httpListenerOn, passthroughServerMode, unknownDestinationTls } from './passthrough.js';
import {
  egressMisses,
  outboundPolicyFor,
  readSidecars,
  sidecarFor,
  type SidecarInfo,
  type SidecarIngressListener,
} from './sidecars.js';
import { CLUSTER_DOMAIN, arr, get, selectorMatches, serviceFqdn } from './util.js';
import {
  EntryHosts,
  entryVisibleTo,
  isEntryEndpoint,
  serviceEntryServices,
  workloadEntryEndpoints,
} from './service-entries.js';

/**
 * Every kind the mesh model reads, and how far a change to one reaches (mesh/model.ts KindInput). The model asks
 * for resources only through a ResourcesByKind that refuses other kinds.
 */
export const MODEL_INPUTS: readonly KindInput[] = [
  {
    kinds: [...WORKLOAD_KINDS],
    reach: 'everything',
    reader: 'mesh/workloads.ts extractWorkloads: any workload is a possible caller of every service',
  },
  {
    kinds: ['Namespace'],
    reach: 'everything',
    reader: 'mesh/workloads.ts collectNamespaces: injection labels',
  },
  {
    kinds: ['Service'],
    reach: 'everything',
    reader: 'mesh/services.ts extractServices: servers, and hosts for every client',
  },
  {
    kinds: ['ConfigMap', 'IstioOperator'],
    reach: 'everything',
    reader: 'mesh/settings.ts: mesh config (root namespace, auto mTLS)',
  },
  {
    kinds: ['PeerAuthentication', 'Policy'],
    reach: 'namespace',
    reader:
      "mesh/server-mode.ts: a namespace's policies set what its servers accept (istio-semantics.md §1.2, §2.1)",
  },
  { kinds: ['MeshPolicy'], reach: 'everything', reader: 'mesh/server-mode.ts: the mesh-wide legacy policy' },
  {
    kinds: ['DestinationRule'],
    reach: 'hosts',
    hostsOf: destinationRuleHosts,
    reader: 'mesh/destination-rules.ts: what sidecars send to the hosts a rule matches',
  },
  {
    kinds: ['AuthorizationPolicy'],
    reach: 'namespace',
    reader: 'mesh/authz.ts: policies over the workloads of their namespace',
  },
  {
    kinds: ['VirtualService'],
    reach: 'everything',
    reader:
      "mesh/virtual-services.ts: a mesh VirtualService's routes decide which subset's DestinationRule tls a sidecar client uses, and which other host's workloads it reaches (its hosts, exportTo, sourceNamespace and sourceLabels decide for whom)",
  },
  {
    kinds: ['Sidecar'],
    reach: 'everything',
    reader:
      "mesh/sidecars.ts: a client's egress hosts decide whether it has a cluster for a service (a root-namespace Sidecar reaches every namespace)",
  },
  {
    kinds: ['ServiceEntry', 'WorkloadEntry'],
    reach: 'everything',
    reader:
      'mesh/service-entries.ts: ServiceEntry hosts are servers of the clients that name them; their endpoints are pods and WorkloadEntries of any label set',
  },
  {
    kinds: ['Gateway'],
    reach: 'everything',
    reader:
      'mesh/gateway-servers.ts: the Istio Gateway servers that select a gateway proxy decide what it accepts as a server (ISTIO_MUTUAL: mTLS only)',
  },
];

const MODEL_KINDS: ReadonlySet<string> = new Set(MODEL_INPUTS.flatMap((i) => i.kinds));

/**
 * The parts of a model that only workloads, Services, Namespaces and mesh settings decide. PR mode passes the head's
 * to build the base's model when the change cannot reach them (diff/change-scope.ts): the base's edges outside the change
 * are then the head's own objects, with the same workloads and services in them.
 */
export type ReusableModelParts = Pick<
  MeshModel,
  'settings' | 'namespaces' | 'workloads' | 'services' | 'workloadEntries'
>;

export function buildMeshModel(
  allResources: Resource[],
  options: ResolvedOptions,
  invalid: Set<string>,
  reuse?: ReusableModelParts,
): MeshModel {
  // Resources with schema errors are left out: Istio's validation would refuse them (they are reported anyway).
  const resources = invalid.size ? allResources.filter((r) => !invalid.has(r.id)) : allResources;
  const anyKind = new ResourcesByKind(resources);
  const byKind = anyKind.declaredOnly(MODEL_KINDS, 'mesh/build.ts MODEL_INPUTS');
  const { settings, namespaces, workloads, services, workloadEntries } = reuse ?? modelParts(byKind, options);
  const v = settings.release;
  const policies = new ServerPolicies(
    readPeerAuthentications(byKind.of('PeerAuthentication')),
    readLegacyPolicies(byKind.of('Policy', 'MeshPolicy')),
    settings.rootNamespace,
    v,
  );
  const drs = new DestinationRuleIndex(
    readDestinationRules(byKind.of('DestinationRule')),
    settings.rootNamespace,
    v,
  );

  const virtualServices = byKind.of('VirtualService');
  const vss = new VirtualServiceIndex(
    readVirtualServices(virtualServices, v, settings.defaultVirtualServiceExportTo),
  );
  // Clients whose pod labels meet different route sourceLabels are routed differently (sourceMatchHTTP).
  const sourceSelectors = sourceLabelSelectors(vss.virtualServices);
  const sourceKey = (client: ClientSpec): string =>
    sourceSelectors.length
      ? sourceSelectors
          .map((sel) => (client.labelsUnknown ? '?' : selectorMatches(sel, client.labels) ? '1' : '0'))
          .join('')
      : '';
  // VirtualServices without hosts are delegates, read only through a root's `delegate` route.
  const delegates = virtualServices.filter((r) => arr(get(r.value, 'spec', 'hosts')).length === 0);
  if (delegates.length) vss.delegates = delegates;

  const targetPort: MeshModel['targetPort'] = (_service, port, workload) => resolveTargetPort(port, workload);
  const sidecars = readSidecars(byKind.of('Sidecar'));
  const gatewayServers = new GatewayServers(byKind.of('Gateway'));

  const hostIndex = new Map<string, Service>();
  for (const s of services) hostIndex.set(`${s.name}.${s.namespace}`, s);
  const entryServices = serviceEntryServices(byKind.of('ServiceEntry'), workloadEntries, workloads, v);
  const entryIndex = new EntryHosts(entryServices, v);

  // Keyed by workload resource id, target port, then the service resource id and port it is reached through ("" for
  // none): nested maps, as building one key string per call cost more than the lookup it saves.
  const serverModeCache = new Map<
    string,
    Map<number | undefined, Map<string, Map<number | undefined, ServerModeResult>>>
  >();

  const serverMode: MeshModel['serverMode'] = (workload, targetPort, via) => {
    // ServiceEntry endpoints share their entry's resource id: not cached (few, and the id does not tell them apart).
    if (isEntryEndpoint(workload)) return serverModeOf(workload, targetPort, via);
    let byTarget = serverModeCache.get(workload.resource.id);
    if (!byTarget) serverModeCache.set(workload.resource.id, (byTarget = new Map()));
    let byService = byTarget.get(targetPort);
    if (!byService) byTarget.set(targetPort, (byService = new Map()));
    const viaService = via ? via.service.resource.id : '';
    let byPort = byService.get(viaService);
    if (!byPort) byService.set(viaService, (byPort = new Map()));
    const viaPort = via?.port.port;
    const hit = byPort.get(viaPort);
    if (hit) return hit;
    const result = serverModeOf(workload, targetPort, via);
    byPort.set(viaPort, result);
    return result;
  };

  const serverModeOf: MeshModel['serverMode'] = (workload, targetPort, via) => {
    let result: ServerModeResult;
    const listener =
      gatewayServers.size && !isEntryEndpoint(workload)
        ? gatewayServers.listenerMode(workload, via?.port.port, targetPort)
        : undefined;
    if (listener) return listener;
    if (workload.sidecar.state === 'none') {
      result = {
        mode: 'NO_SIDECAR',
        level: 'default',
        explanation: `${workload.kind} ${workload.namespace}/${workload.name} has no sidecar (${workload.sidecar.reason})`,
      };
      if (workload.sidecar.cause) result.cause = workload.sidecar.cause;
    } else {
      result = policies.sidecarServerMode(workload, workload.namespace, targetPort, via);
      if (workload.sidecar.state === 'ambient') result = toAmbient(result, v.text);
      else if (targetPort !== undefined) result = withSidecarIngress(workload, targetPort, result);
      const bypass =
        workload.sidecar.state === 'sidecar' && targetPort !== undefined
          ? inboundBypass(workload, targetPort, v)
          : undefined;
      if (bypass)
        result = {
          mode: 'NO_SIDECAR',
          level: 'default',
          cause: bypass,
          explanation: `port ${targetPort} of ${workload.kind} ${workload.namespace}/${workload.name} bypasses its sidecar (${bypass.description}), so the application answers it directly and ${result.explanation} does not apply there`,
          bypassed: result,
        };
    }
    return result;
  };

  // The same for every client of a service port (and asked once per edge): keyed by the port, or the service.
  const inferredModes = new WeakMap<ServicePort | Service | StandInService, ServerModeResult['mode']>();
  const inferredMode = (
    service: Service | StandInService,
    port: ServicePort | undefined,
  ): ServerModeResult['mode'] => {
    const key = port ?? service;
    let mode = inferredModes.get(key);
    if (mode === undefined) inferredModes.set(key, (mode = inferServiceMode(service, port)));
    return mode;
  };

  /** What the client sidecar infers about the service for auto mTLS (BestEffortInferServiceMTLSMode, §4.3). */
  const inferServiceMode = (
    service: Service | StandInService,
    port: ServicePort | undefined,
  ): ServerModeResult['mode'] => {
    if (v.has('legacy-authentication-policy')) {
      if (!v.has('peer-authentication') || !policies.anyPeerAuthenticationApplies(service.namespace, {})) {
        // A service the inputs do not show has no service-level Policy: its namespace's or the mesh's decides.
        if (!('resource' in service))
          return policies.sidecarServerMode(undefined, service.namespace, undefined, undefined).mode;
        const legacy = policies.legacyPolicyFor(service, port);
        if (legacy) return legacy.policy.mode;
        if (v.has('no-policy-plaintext-only')) return 'DISABLE';
      }
    }
    return policies.composePeerAuthentication(service.namespace, undefined, undefined).mode;
  };

  const clientTls: MeshModel['clientTls'] = (client, service, port, subset) =>
    meshExternal(clientTlsFor(client, service, port, subset), service);

  // cluster_tls.go buildUpstreamTLSSettings (and push_context.go BestEffortInferServiceMTLSMode): a MESH_EXTERNAL
  // service never gets auto mTLS; only an explicit DestinationRule tls applies to it.
  const externalAnswers = new WeakMap<ClientTlsResult, WeakMap<Service, ClientTlsResult>>();
  const meshExternal = (result: ClientTlsResult, service: Service | StandInService): ClientTlsResult => {
    const entry = 'resource' in service ? service.entry : undefined;
    if (result.mode !== 'AUTO' || entry?.location !== 'MESH_EXTERNAL') return result;
    let byService = externalAnswers.get(result);
    if (!byService) externalAnswers.set(result, (byService = new WeakMap()));
    let answer = byService.get(service as Service);
    if (!answer)
      byService.set(
        service as Service,
        (answer = {
          mode: 'PLAINTEXT',
          // The location decides, whatever DestinationRule without tls the client also has.
          cause: entry.cause,
          explanation: `${entry.cause.description}: Istio never applies auto mTLS to a mesh-external host, so the client sidecar sends plaintext (${result.cause ? `${result.cause.description} sets no tls` : 'no DestinationRule sets tls'})`,
        }),
      );
    return answer;
  };

  // Answers that do not depend on the client beyond its sidecar state are shared objects, and a DestinationRule's
  // answer for a port is computed once: the graph asks this once per edge, and most edges get one of a few answers.
  const noSidecar: ClientTlsResult = {
    mode: 'NO_SIDECAR',
    explanation: 'the client has no sidecar and sends plaintext',
  };
  // ztunnel does not apply DestinationRule tls: it sends HBONE to mesh endpoints, plaintext to the rest.
  const ambientClient: ClientTlsResult = {
    mode: 'AUTO',
    explanation:
      'the client is in ambient mode: ztunnel ignores DestinationRule tls and sends HBONE (mTLS) to mesh endpoints',
  };
  const noDestinationRule: ClientTlsResult = settings.autoMtls
    ? {
        mode: 'AUTO',
        explanation: `no DestinationRule sets tls, so auto mTLS decides (${settings.autoMtlsSource})`,
      }
    : {
        mode: 'PLAINTEXT',
        explanation: `no DestinationRule sets tls and auto mTLS is off (${settings.autoMtlsSource}), so the client sidecar sends plaintext`,
      };
  const byRuleAndPort = new Map<DestinationRuleInfo, Map<number, ClientTlsResult>>();

  /** What a client without a sidecar of its own for this traffic sends (none, ambient, or traffic that bypasses it). */
  const withoutSidecar = (
    client: ClientSpec,
    service: Service | StandInService,
    port: number,
    ip: string | undefined,
  ): ClientTlsResult | undefined => {
    if (client.sidecar === 'none') return noSidecar;
    if (client.sidecar === 'ambient') return ambientClient;
    if (client.workload) {
      const bypass = outboundBypass(client.workload, port, ip);
      if (bypass)
        return {
          mode: 'NO_SIDECAR',
          cause: bypass,
          explanation: `${client.workload.kind} ${client.workload.namespace}/${client.workload.name} sends its traffic to port ${port}${ip ? ` of ${ip}` : ''} past its sidecar (${bypass.description}), in plaintext`,
        };
    }
    return undefined;
  };

  // Whether a client sidecar configured by a Sidecar (or none) has an HTTP listener on a port: once per pair.
  // Keyed by the client's namespace too: a root-namespace Sidecar's "./*" means each client's own namespace.
  const httpListeners = new Map<SidecarInfo | undefined, Map<string, boolean>>();
  const httpListener = (scope: SidecarInfo | undefined, port: number, clientNamespace: string): boolean => {
    let byPort = httpListeners.get(scope);
    if (!byPort) httpListeners.set(scope, (byPort = new Map()));
    const key = `${scope ? clientNamespace : ''}\0${port}`;
    let found = byPort.get(key);
    if (found === undefined)
      byPort.set(
        key,
        (found = httpListenerOn(
          services,
          port,
          (s) => !scope || !egressMisses(scope, hostOf(s), s.namespace, clientNamespace),
        )),
      );
    return found;
  };

  /**
   * A ServiceEntry host not exported to the client's namespace is not in its sidecar's registry: its calls take the
   * passthrough (or blackhole) cluster, as for any unknown host. Undefined when the client sees it, or when its
   * Sidecar sends unknown destinations to an egressProxy (not modelled).
   */
  const hiddenEntry = (
    client: ClientSpec,
    service: Service | StandInService,
    port: number,
  ): ClientTlsResult | undefined => {
    const entry = 'resource' in service ? service.entry : undefined;
    if (!entry || !v.has('service-entry-export-to')) return undefined;
    if (entryVisibleTo(entry, service.namespace, client.namespace, v)) return undefined;
    const scope =
      client.workload && sidecars.length
        ? sidecarFor(sidecars, client.workload, settings.rootNamespace)
        : undefined;
    const policy = outboundPolicyFor(scope, settings);
    if (policy.egressProxy) return undefined;
    const cause: Cause = {
      resource: (service as Service).resource,
      path: ['spec', 'exportTo'],
      description: `ServiceEntry ${service.namespace}/${(service as Service).resource.name} exportTo [${entry.exportTo!.join(', ')}]`,
    };
    return unknownDestinationTls(
      policy,
      httpListener(scope, port, client.namespace),
      `${cause.description} does not export host ${entry.host} to namespace ${client.namespace}`,
      cause,
    );
  };

  const clientTlsFor = (
    client: ClientSpec,
    service: Service | StandInService,
    port: number,
    subset: string | undefined,
  ): ClientTlsResult => {
    const early = withoutSidecar(
      client,
      service,
      port,
      'resource' in service ? service.clusterIP : undefined,
    );
    if (early) return early;
    const hidden = hiddenEntry(client, service, port);
    if (hidden) return hidden;
    if (client.workload && sidecars.length) {
      const scope = sidecarFor(sidecars, client.workload, settings.rootNamespace);
      const miss = scope && egressMisses(scope, hostOf(service), service.namespace, client.namespace);
      const policy = miss && outboundPolicyFor(scope, settings);
      // With an egressProxy the traffic goes to that proxy, and what it does is not in the manifests: not modelled.
      if (miss && policy && !policy.egressProxy)
        return unknownDestinationTls(
          policy,
          httpListener(scope, port, client.namespace),
          miss.description,
          miss,
        );
    }
    const rule = ruleFor(client, service);
    if (!rule) return noDestinationRule;
    if (subset !== undefined) return ruleTls(rule, port, subset);
    let byPort = byRuleAndPort.get(rule);
    if (!byPort) byRuleAndPort.set(rule, (byPort = new Map()));
    let result = byPort.get(port);
    if (!result) byPort.set(port, (result = ruleTls(rule, port, undefined)));
    return result;
  };

  // The DestinationRule a sidecar client uses for a service does not depend on the port: looked up once per
  // (service, client labels, client namespace), as the graph asks for every port of every service.
  // Where no rule of the client's namespace has a workloadSelector, labels do not change the answer: all its
  // clients share one entry (keyed by `anyLabels`) instead of one per labels object.
  const rulesFor = new WeakMap<
    Service | StandInService,
    WeakMap<Record<string, string>, Map<string | symbol, DestinationRuleInfo | null>>
  >();
  const anyLabels: Record<string, string> = {};
  const anyOtherNamespace = Symbol('any other namespace');
  const ruleFor = (
    client: ClientSpec,
    service: Service | StandInService,
  ): DestinationRuleInfo | undefined => {
    let byLabels = rulesFor.get(service);
    if (!byLabels) rulesFor.set(service, (byLabels = new WeakMap()));
    const labelsKey = drs.labelsMatterIn(client.namespace) ? client.labels : anyLabels;
    let byNamespace = byLabels.get(labelsKey);
    if (!byNamespace) byLabels.set(labelsKey, (byNamespace = new Map()));
    // Sidecars outside the namespaces that may choose differently for this host all get the same rule (the fact
    // the graph's grouping rests on): they share one entry.
    const namespaceKey = namespacesDistinctFor(service).has(client.namespace)
      ? client.namespace
      : anyOtherNamespace;
    let rule = byNamespace.get(namespaceKey);
    if (rule === undefined) {
      const found = drs.lookup(client.namespace, client.labels, hostOf(service), service.namespace);
      // Rules for one host in one namespace are merged: the oldest top-level trafficPolicy applies (1.1+); Istio 1.0
      // kept one rule per host.
      rule =
        (v.has('destination-rule-merge-first-traffic-policy') ? mergedPolicyRule(found) : found[0]) ?? null;
      byNamespace.set(namespaceKey, rule);
    }
    return rule ?? undefined;
  };

  /** What a client sends when `rule` is the DestinationRule it uses for the host. */
  const ruleTls = (
    rule: DestinationRuleInfo,
    port: number,
    subset: string | undefined,
    subsetRules: DestinationRuleInfo[] = [rule],
  ): ClientTlsResult => {
    const auto = settings.autoMtls;
    const choice = tlsFor(rule, port, subset, subsetRules);
    if (choice.credentialName && v.has('sidecar-skips-credential-name-tls') && !rule.workloadSelector) {
      // cluster_tls.go buildUpstreamClusterTLSContext: no TLS context at all for sidecars, and no auto mTLS either.
      return {
        mode: 'PLAINTEXT',
        cause: {
          resource: choice.cause.resource,
          path: [...choice.cause.path.slice(0, -1), 'credentialName'],
          description: `${choice.cause.description} with credentialName`,
        },
        explanation: `${choice.cause.description} with a credentialName and no workloadSelector: Istio ${v.text} sidecars originate no TLS for it and send plaintext (only gateways, or rules with a workloadSelector, use credentialName)`,
      };
    }
    const mode = clientModeFromTls(choice.mode, auto);
    const explanation = choice.mode
      ? `${choice.cause.description}`
      : auto
        ? `${choice.cause.description}, so auto mTLS decides`
        : `${choice.cause.description} and auto mTLS is off, so the client sidecar sends plaintext`;
    const result: ClientTlsResult = { mode, cause: choice.cause, explanation };
    if (mode === 'AUTO') {
      const passthroughLb = passthroughLoadBalancer(rule);
      // 1.19+ the check reads the cluster's own subset (or the top level without one); 1.12–1.18 the top level,
      // after the first subset whose labels an endpoint has.
      const ownSubset = v.has('subset-endpoint-check-reads-cluster-subset');
      const found = subset === undefined ? undefined : findSubset(subsetRules, subset);
      const check =
        subset === undefined || !ownSubset
          ? endpointCheckTls(rule, port)
          : found
            ? subsetEndpointCheckTls(found, port)
            : undefined;
      const bySubset = ownSubset ? undefined : subsetEndpointChecks(subsetRules, port);
      if (passthroughLb || check || bySubset) {
        result.autoMtlsInputs = {};
        if (passthroughLb) {
          result.autoMtlsInputs.passthroughLb = passthroughLb;
          if (choice.cause.path.includes('portLevelSettings'))
            result.autoMtlsInputs.passthroughInferOnly = true;
        }
        if (check?.mode) result.autoMtlsInputs.endpointCheck = { mode: check.mode, cause: check.cause };
        if (bySubset) result.autoMtlsInputs.endpointCheckBySubset = bySubset;
      }
    }
    return result;
  };

  // What each route of a mesh VirtualService sends: cached per service port and client class (the namespaces that
  // may be routed or pick rules differently, and the workloadSelector rules a client's labels select).
  const routed = new WeakMap<ServicePort, Map<string, RoutedClientTls[] | null>>();
  const routedClientTls: MeshModel['routedClientTls'] = (client, service, port) => {
    if (client.sidecar !== 'sidecar' || !vss.size) return undefined;
    // Traffic past the sidecar, or through the passthrough cluster (a Sidecar's egress), meets no route.
    const base = clientTlsFor(client, service, port.port, undefined);
    if (
      base.mode === 'NO_SIDECAR' ||
      base.cause?.resource.kind === 'Sidecar' ||
      hiddenEntry(client, service, port.port)
    )
      return undefined;
    let byClass = routed.get(port);
    if (!byClass) routed.set(port, (byClass = new Map()));
    const rc = routeClient(client);
    const key = `${namespacesDistinctFor(service).has(client.namespace) ? client.namespace : '*'}\0${drs.labelsMatterIn(client.namespace) ? drs.clientClassKey(client.namespace, client.labels) : ''}\0${sourceKey(client)}\0${rc.imports ? `${rc.imports.namespace}\0${rc.imports.hosts.join(' ')}` : ''}`;
    let answer = byClass.get(key);
    if (answer === undefined) byClass.set(key, (answer = routesOf(client, rc, service, port) ?? null));
    return answer ?? undefined;
  };

  /** The client as routing sees it: its labels (unknown for stand-ins) and its Sidecar's egress imports. */
  const routeClient = (client: ClientSpec): RouteClient => {
    const out: RouteClient = {
      namespace: client.namespace,
      labels: client.labelsUnknown ? undefined : client.labels,
    };
    if (client.workload && sidecars.length && v.has('sidecar-imports-virtual-services')) {
      const scope = sidecarFor(sidecars, client.workload, settings.rootNamespace);
      // "." is the client's namespace, under a root-namespace Sidecar too: getSidecarScope converts the root's
      // Sidecar per proxy namespace (sidecar.go convertIstioListenerToWrapper: "." → configNamespace).
      if (scope?.hosts) out.imports = { namespace: client.namespace, hosts: scope.hosts.map((h) => h.text) };
    }
    return out;
  };

  /** A Service or ServiceEntry host of the inputs, for a route destination's host. */
  const serviceOfHost = (fqdn: string): Service | undefined =>
    hostIndex.get(fqdn.replace(/\.svc\.cluster\.local$/, '')) ?? entryIndex.lookup(fqdn)?.service;

  const routesOf = (
    client: ClientSpec,
    rc: RouteClient,
    service: Service,
    port: ServicePort,
  ): RoutedClientTls[] | undefined => {
    const fqdn = hostOf(service);
    const routing = vss.route(rc, fqdn, port.port, routeProtocol(port));
    if (!routing) return undefined;
    // route.go GetDestinationCluster: the destination's port, else the destination service's only port, else the
    // port called. A destination the inputs hold no Service (or port) for is not modelled; if no route is left, the
    // call keeps the service's own answer.
    const legs: { d: RouteDestination; target: Service; targetPort: ServicePort }[] = [];
    for (const d of routing.destinations) {
      const target = d.host === fqdn ? service : serviceOfHost(d.host);
      if (!target) continue;
      const number = d.port ?? (target.ports.length === 1 ? target.ports[0]!.port : port.port);
      const targetPort =
        target === service && number === port.port ? port : target.ports.find((p) => p.port === number);
      if (targetPort) legs.push({ d, target, targetPort });
    }
    if (!legs.length) return undefined;
    const vs = routing.virtualService;
    return legs.map(({ d, target, targetPort }): RoutedClientTls => {
      const targetFqdn = hostOf(target);
      const found = drs.lookup(client.namespace, client.labels, targetFqdn, target.namespace);
      const rules = v.has('destination-rule-merge-first-traffic-policy') ? found : found.slice(0, 1);
      const rule = ruleFor(client, target);
      const tls = rule ? ruleTls(rule, targetPort.port, d.subset, rules) : noDestinationRule;
      const at = `${vs.resource.file}:${vs.resource.span(d.path).line}`;
      const redirected = target !== service || targetPort !== port;
      const where = redirected
        ? `${targetFqdn}:${targetPort.port}${d.subset !== undefined ? ` subset ${d.subset}` : ''}`
        : d.subset !== undefined
          ? `subset ${d.subset}`
          : 'the service without a subset';
      const via = {
        resource: vs.resource,
        path: d.path,
        description: `VirtualService ${vs.namespace}/${vs.resource.name} (${at})${d.subset !== undefined ? ` subset ${d.subset}` : ''}`,
      };
      const route: NonNullable<ClientTlsResult['route']> = { via };
      if (d.subset !== undefined) route.subset = d.subset;
      if (redirected) route.from = { host: fqdn, port: port.port };
      const out: RoutedClientTls = {
        tls: {
          ...tls,
          explanation: `${redirected ? `a call to ${fqdn}:${port.port} is ` : ''}routed by VirtualService ${vs.namespace}/${vs.resource.name} (${at}) to ${where}: ${tls.explanation}`,
          route,
        },
        via,
      };
      if (redirected) out.target = { service: target, port: targetPort };
      if (d.subset !== undefined) {
        out.subset = d.subset;
        const def = findSubset(rules, d.subset);
        const labels = def && subsetLabels(def);
        if (labels) out.endpointLabels = labels;
      }
      return out;
    });
  };

  // A stand-in's host is made the same way, from its name "(any)": wildcard rules of its namespace match it.
  const hostOf = (service: Service | StandInService): string =>
    'resource' in service && service.entry
      ? service.entry.host
      : serviceFqdn(service.name, service.namespace);

  // Asked once per service by the graph and on every DestinationRule lookup: computed once per service object.
  const distinctNamespaces = new WeakMap<Service | StandInService, Set<string>>();
  const namespacesDistinctFor = (service: Service | StandInService): Set<string> => {
    let distinct = distinctNamespaces.get(service);
    if (!distinct) {
      distinct = drs.namespacesDistinctFor(hostOf(service));
      // Namespaces a VirtualService for the host is exported to by name, or a route's sourceNamespace names; those
      // of the clients a route's sourceLabels select; and those that pick their own rule for a host the routes
      // send the call to.
      if ('resource' in service && vss.size) {
        const routedFor = vss.namespacesDistinctFor(hostOf(service));
        const { selectors, targets } = vss.clientSplitsFor(hostOf(service));
        const more = new Set(routedFor);
        if (selectors.length)
          for (const w of workloads)
            if (w.sidecar.state === 'sidecar' && selectors.some((sel) => selectorMatches(sel, w.labels)))
              more.add(w.namespace);
        for (const t of targets) for (const ns of drs.namespacesDistinctFor(t)) more.add(ns);
        if (more.size) distinct = new Set([...distinct, ...more]);
      }
      distinctNamespaces.set(service, distinct);
    }
    return distinct;
  };

  const connect: MeshModel['connect'] = (client, service, portArg, server) =>
    connectWith(
      meshExternal(
        clientTlsFor(client, service, typeof portArg === 'number' ? portArg : portArg.port, undefined),
        service,
      ),
      service,
      portArg,
      server,
    );

  const connectWith: MeshModel['connectWith'] = (c, service, portArg, server) => {
    const servicePort = typeof portArg === 'number' ? undefined : portArg;
    const real = 'resource' in service ? service : undefined;
    // A gateway proxy without a tlsMode=istio label gets plaintext from auto mTLS, like a pod without a sidecar.
    const sidecar =
      server.workload && gatewayWithoutTlsMode(server.workload)
        ? 'none'
        : (server.workload?.sidecar.state ?? server.sidecar ?? 'sidecar');
    const result = connectionOutcome(
      c,
      {
        sidecar,
        mode: server.mode,
        inferredMode: inferredMode(service, servicePort),
        headless: real?.headless ?? false,
        headlessMixed: real ? real.headless && real.workloads.some((w) => !tlsModeIstio(w)) : false,
        anyEndpointWithoutSidecar: real ? real.workloads.some((w) => !tlsModeIstio(w)) : false,
        labels: server.workload?.labels,
        tlsModeLabel: server.workload ? tlsModeLabel(server.workload) : undefined,
        portProtocol: portProtocol(servicePort),
      },
      v,
    );
    const out: EdgeConnectionResult = { client: c, server: server.mode, result };
    return out;
  };

  const undeclaredCause = (service: Service, port: number): Cause => ({
    resource: service.resource,
    path: ['spec', 'ports'],
    description: `Service ${service.namespace}/${service.name} declares no port ${port}`,
  });

  /**
   * A workload whose Sidecar has ingress listeners: a port they list has its own chain (as a Service port would), a
   * port they leave out falls to the inbound passthrough chains (releases.ts sidecar-ingress-replaces-service-inbound-chains).
   */
  const withSidecarIngress = (
    workload: Workload,
    targetPort: number,
    result: ServerModeResult,
  ): ServerModeResult => {
    const scope = ingressScope(workload);
    if (!scope) return result;
    const listener = scope.ingress.find((l) => l.port === targetPort);
    const name = `Sidecar ${scope.sidecar.namespace}/${scope.sidecar.resource.name}`;
    if (listener) {
      const notes = ingressNotes(listener);
      return notes
        ? { ...result, explanation: `${result.explanation} (${name} ingress port ${targetPort}: ${notes})` }
        : result;
    }
    return passthroughServerMode(
      v,
      (port) => policies.composePeerAuthentication(workload.namespace, workload.labels, port),
      () => result,
      targetPort,
      `${workload.kind} ${workload.namespace}/${workload.name}`,
      {
        resource: scope.sidecar.resource,
        path: ['spec', 'ingress'],
        description: `${name} lists only port${scope.ingress.length === 1 ? '' : 's'} ${scope.ingress.map((l) => l.port).join(', ')} in its ingress listeners`,
      },
      `is not among the ingress ports of ${name}`,
    );
  };

  const ingressScope = (workload: Workload) => {
    if (!sidecars.length || !v.has('sidecar-ingress-replaces-service-inbound-chains')) return undefined;
    const sidecar = sidecarFor(sidecars, workload, settings.rootNamespace);
    return sidecar?.ingress ? { sidecar, ingress: sidecar.ingress } : undefined;
  };

  /** What an ingress listener's other settings do to the port's TLS, said where the model assumes it. */
  const ingressNotes = (l: SidecarIngressListener): string => {
    const notes: string[] = [];
    if (l.defaultEndpoint)
      notes.push(
        `the sidecar terminates mTLS and forwards plaintext to ${l.defaultEndpoint}, which the application must serve`,
      );
    if (l.captureMode === 'NONE')
      notes.push(
        'captureMode NONE binds a listener on the port; with iptables capture still on, mtls-lint assumes the port is enforced as without it',
      );
    if (l.tls)
      notes.push(
        v.has('sidecar-ingress-tls-setting')
          ? 'ingress tls is taken as ignored: it applies only when istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS=true (default false) and the port is DISABLE, which the manifests cannot show'
          : `ingress tls is ignored by Istio ${v.text}`,
      );
    return notes.join('; ');
  };

  /** A port no Service declares, reached on the pod's address: the sidecar's inbound passthrough chains. */
  const undeclaredPortServerMode = (workload: Workload, service: Service, port: number): ServerModeResult => {
    if (workload.sidecar.state !== 'sidecar' || inboundBypass(workload, port, v))
      return serverMode(workload, port);
    // A port the workload's Sidecar ingress lists has its own chain, port-level settings included.
    if (ingressScope(workload)?.ingress.some((l) => l.port === port)) return serverMode(workload, port);
    return passthroughServerMode(
      v,
      (targetPort) => policies.composePeerAuthentication(workload.namespace, workload.labels, targetPort),
      () => serverMode(workload, port),
      port,
      `${workload.kind} ${workload.namespace}/${workload.name}`,
      undeclaredCause(service, port),
    );
  };

  /**
   * The Service port that routes to this pod port (the called Service's first): the pod has an inbound chain of its
   * own for it, built from that service instance (legacy Policies target services).
   */
  const servedBy = (
    workload: Workload,
    service: Service,
    port: number,
  ): { service: Service; port: ServicePort } | undefined => {
    for (const s of [service, ...services]) {
      if (!s.workloads.includes(workload)) continue;
      const p = s.ports.find((x) => resolveTargetPort(x, workload) === port);
      if (p) return { service: s, port: p };
    }
    return undefined;
  };

  const undeclaredPort: MeshModel['undeclaredPort'] = (client, service, port, workload, address) => {
    let c = withoutSidecar(client, service, port, undefined);
    if (!c) {
      const scope = sidecars.length ? sidecarFor(sidecars, client, settings.rootNamespace) : undefined;
      const policy = outboundPolicyFor(scope, settings);
      if (policy.egressProxy) return undefined; // sent to the egress proxy: not modelled
      const cause = undeclaredCause(service, port);
      c = unknownDestinationTls(
        policy,
        httpListener(scope, port, client.namespace),
        address
          ? `${address}:${port} is the address of a pod of Service ${service.namespace}/${service.name} (from its endpoints), which no Service host or VIP of the client sidecar matches`
          : `${cause.description} (the call goes to a pod's own address on that port)`,
        address ? undefined : cause,
      );
    }
    const served =
      address && workload.sidecar.state === 'sidecar' ? servedBy(workload, service, port) : undefined;
    const server = served
      ? serverMode(workload, port, served)
      : undeclaredPortServerMode(workload, service, port);
    const result = connectionOutcome(
      c,
      {
        sidecar: workload.sidecar.state,
        mode: server,
        inferredMode: server.mode,
        headless: false,
        headlessMixed: false,
        anyEndpointWithoutSidecar: false,
        tlsModeLabel: tlsModeLabel(workload),
        portProtocol: c.passthrough === 'http' ? 'http' : 'tcp',
      },
      v,
    );
    return { client: c, server, result };
  };

  return {
    settings,
    resources,
    namespaces,
    workloads,
    services,
    authorizationPolicies: readAuthorizationPolicies(byKind.of('AuthorizationPolicy')),
    resourcesOfKind: (...kinds) => anyKind.of(...kinds),
    serviceByHost: (host, fromNamespace) => lookupHost(hostIndex, host, fromNamespace),
    serviceEntryServices: entryServices,
    workloadEntries,
    workloadEntriesSelected: (namespace, selector) =>
      workloadEntries.filter((w) => w.namespace === namespace && selectorMatches(selector, w.labels)),
    serviceEntryByHost: (host, fromNamespace) => entryIndex.lookup(host, fromNamespace)?.service,
    targetPort,
    serverMode,
    namespaceServerMode: (namespace, sidecar = 'sidecar') => {
      if (sidecar === 'none')
        return {
          mode: 'NO_SIDECAR',
          level: 'default',
          explanation: `services in ${namespace} have no sidecar`,
        };
      const mode = policies.sidecarServerMode(undefined, namespace, undefined, undefined);
      return sidecar === 'ambient' ? toAmbient(mode, v.text) : mode;
    },
    namespacesDistinctFor,
    clientClassKey: (client) =>
      client.sidecar === 'none'
        ? 'none'
        : `${client.sidecar}|${drs.clientClassKey(client.namespace, client.labels)}|${sourceKey(client)}`,
    clientTls,
    routedClientTls,
    connect,
    connectWith,
    undeclaredPort,
    ...configAnswers({
      settings,
      namespaces,
      workloads,
      services,
      policies,
      destinationRules: drs,
      serviceEntryResources: anyKind.of('ServiceEntry'),
      targetPort,
    }),
  };
}

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';

/**
 * A pod's own security.istio.io/tlsMode label, when it is not "istio": the injector keeps a user-set value
 * (injection-template.yaml: `index .ObjectMeta.Labels "security.istio.io/tlsMode" | default "istio"`), and auto mTLS
 * matches endpoints on it (cluster_tls.go istioMtlsTransportSocketMatch; push_context.go for ORIGINAL_DST).
 */
function tlsModeLabel(w: Workload): string | undefined {
  const label = w.labels[TLS_MODE_LABEL];
  return label !== undefined && label !== 'istio' ? label : undefined;
}

/** Does auto mTLS see this endpoint as a sidecar endpoint (tlsMode=istio)? */
function tlsModeIstio(w: Workload): boolean {
  return w.sidecar.state === 'sidecar' && tlsModeLabel(w) === undefined && !gatewayWithoutTlsMode(w);
}

/** Settings, namespaces, workloads (with their sidecar decisions) and services (with the workloads they select). */
function modelParts(
  byKind: Pick<ResourcesByKind, 'of' | 'namespaces'>,
  options: ResolvedOptions,
): ReusableModelParts {
  const settings = resolveMeshSettings(byKind.of('ConfigMap', 'IstioOperator'), options);
  // Sorted once here, so that groups, victim lists and tie-breaks never depend on file order.
  const bare = byPlace(extractWorkloads(byKind.of(...WORKLOAD_KINDS)));
  const namespaces = collectNamespaces(
    byKind.of('Namespace'),
    bare.map((w) => w.namespace),
    options,
    byKind.namespaces,
  );
  // Written out rather than spread: a spread copy got a hidden class of its own per workload, which made every
  // workload field read in the graph and the rules a megamorphic lookup.
  const workloads: Workload[] = bare.map((w) => ({
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    resource: w.resource,
    podPath: w.podPath,
    labels: w.labels,
    annotations: w.annotations,
    serviceAccount: w.serviceAccount,
    containerPorts: w.containerPorts,
    hostNetwork: w.hostNetwork,
    sidecar: decideSidecar(w, namespaces.get(w.namespace), settings, options),
  }));
  const workloadEntries = workloadEntryEndpoints(byKind.of('WorkloadEntry'));
  const services = byPlace(
    extractServices(
      byKind.of('Service'),
      workloads,
      settings.release.has('k8s-service-selects-workload-entries') ? workloadEntries : [],
    ),
  );
  return { settings, namespaces, workloads, services, workloadEntries };
}

function toAmbient(result: ServerModeResult, version: string): ServerModeResult {
  // ztunnel: STRICT rejects plaintext; PERMISSIVE and DISABLE both accept it (pilot/pkg/serviceregistry/ambient/authorization.go).
  return {
    ...result,
    mode: result.mode === 'STRICT' ? 'AMBIENT_STRICT' : 'AMBIENT_PERMISSIVE',
    explanation: `${result.explanation} (ambient, Istio ${version}: ztunnel ${result.mode === 'STRICT' ? 'rejects' : 'accepts'} plaintext)`,
  };
}

/** svc (in the caller's namespace), svc.ns, svc.ns.svc, svc.ns.svc.cluster.local. */
function lookupHost(
  index: Map<string, Service>,
  rawHost: string,
  fromNamespace: string,
): Service | undefined {
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  const parts = host.split('.');
  if (parts.length === 1) return index.get(`${parts[0]}.${fromNamespace}`);
  if (parts.length === 2) return index.get(host);
  if (parts.length === 3 && parts[2] === 'svc') return index.get(`${parts[0]}.${parts[1]}`);
  if (host.endsWith(`.svc.${CLUSTER_DOMAIN}`) && parts.length === 5)
    return index.get(`${parts[0]}.${parts[1]}`);
  return undefined;
}

/** Sorted by namespace, name, kind and file (stable); each item's key is built once, not once per comparison. */
function byPlace<T extends { namespace: string; name: string; resource: Resource }>(items: T[]): T[] {
  const keyed = items.map((item) => ({
    item,
    key: `${item.namespace}\0${item.name}\0${item.resource.kind}\0${item.resource.file}`,
  }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}
