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
import { VirtualServiceIndex, readVirtualServices, routeProtocol } from './virtual-services.js';
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
import { httpListenerOn, passthroughServerMode, unknownDestinationTls } from './passthrough.js';
import { egressMisses, outboundPolicyFor, readSidecars, sidecarFor, type SidecarInfo } from './sidecars.js';
import { CLUSTER_DOMAIN, arr, get, selectorMatches, serviceFqdn } from './util.js';
import { entryHostIndex, isEntryEndpoint, serviceEntryServices } from './service-entries.js';

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
      "mesh/virtual-services.ts: a mesh VirtualService's routes decide which subset's DestinationRule tls a sidecar client uses (its hosts, exportTo and sourceNamespace decide for whom)",
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
];

const MODEL_KINDS: ReadonlySet<string> = new Set(MODEL_INPUTS.flatMap((i) => i.kinds));

/**
 * The parts of a model that only workloads, Services, Namespaces and mesh settings decide. PR mode passes the head's
 * to build the base's model when the change cannot reach them (diff/change-scope.ts): the base's edges outside the change
 * are then the head's own objects, with the same workloads and services in them.
 */
export type ReusableModelParts = Pick<MeshModel, 'settings' | 'namespaces' | 'workloads' | 'services'>;

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
  const { settings, namespaces, workloads, services } = reuse ?? modelParts(byKind, options);
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
  const vss = new VirtualServiceIndex(readVirtualServices(virtualServices, v));
  // VirtualServices without hosts are delegates, read only through a root's `delegate` route.
  const delegates = virtualServices.filter((r) => arr(get(r.value, 'spec', 'hosts')).length === 0);
  if (delegates.length) vss.delegates = delegates;

  const targetPort: MeshModel['targetPort'] = (_service, port, workload) => resolveTargetPort(port, workload);
  const sidecars = readSidecars(byKind.of('Sidecar'));

  const hostIndex = new Map<string, Service>();
  for (const s of services) hostIndex.set(`${s.name}.${s.namespace}`, s);
  const { services: entryServices, workloadEntries } = serviceEntryServices(
    byKind.of('ServiceEntry'),
    byKind.of('WorkloadEntry'),
    workloads,
    v,
  );
  const entryIndex = entryHostIndex(entryServices);

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
    if (base.mode === 'NO_SIDECAR' || base.cause?.resource.kind === 'Sidecar') return undefined;
    let byClass = routed.get(port);
    if (!byClass) routed.set(port, (byClass = new Map()));
    const key = `${namespacesDistinctFor(service).has(client.namespace) ? client.namespace : '*'}\0${drs.labelsMatterIn(client.namespace) ? drs.clientClassKey(client.namespace, client.labels) : ''}`;
    let answer = byClass.get(key);
    if (answer === undefined) byClass.set(key, (answer = routesOf(client, service, port) ?? null));
    return answer ?? undefined;
  };

  const routesOf = (
    client: ClientSpec,
    service: Service,
    port: ServicePort,
  ): RoutedClientTls[] | undefined => {
    const fqdn = hostOf(service);
    const routing = vss.route(client.namespace, fqdn, port.port, routeProtocol(port));
    // Assumed: destinations on another host or port are that service's traffic, not this edge's; a call routed
    // only there keeps the service's own answer.
    const own = routing?.destinations.filter(
      (d) => d.host === fqdn && (d.port === undefined || d.port === port.port),
    );
    if (!routing || !own?.length) return undefined;
    const vs = routing.virtualService;
    const found = drs.lookup(client.namespace, client.labels, fqdn, service.namespace);
    const rules = v.has('destination-rule-merge-first-traffic-policy') ? found : found.slice(0, 1);
    const rule = ruleFor(client, service);
    return own.map((d): RoutedClientTls => {
      const tls = rule ? ruleTls(rule, port.port, d.subset, rules) : noDestinationRule;
      const at = `${vs.resource.file}:${vs.resource.span(d.path).line}`;
      const via = {
        resource: vs.resource,
        path: d.path,
        description: `VirtualService ${vs.namespace}/${vs.resource.name} (${at})${d.subset !== undefined ? ` subset ${d.subset}` : ''}`,
      };
      const out: RoutedClientTls = {
        tls: {
          ...tls,
          explanation: `routed by VirtualService ${vs.namespace}/${vs.resource.name} (${at}) to ${d.subset !== undefined ? `subset ${d.subset}` : 'the service without a subset'}: ${tls.explanation}`,
          route: d.subset !== undefined ? { via, subset: d.subset } : { via },
        },
        via,
      };
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
      // Namespaces a VirtualService for the host is exported to by name, or a route's sourceNamespace names.
      if ('resource' in service && vss.size) {
        const routedFor = vss.namespacesDistinctFor(hostOf(service));
        if (routedFor.size) distinct = new Set([...distinct, ...routedFor]);
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
    const sidecar = server.workload?.sidecar.state ?? server.sidecar ?? 'sidecar';
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

  /** A port no Service declares, reached on the pod's address: the sidecar's inbound passthrough chains. */
  const undeclaredPortServerMode = (workload: Workload, service: Service, port: number): ServerModeResult => {
    if (workload.sidecar.state !== 'sidecar' || inboundBypass(workload, port, v))
      return serverMode(workload, port);
    return passthroughServerMode(
      v,
      (targetPort) => policies.composePeerAuthentication(workload.namespace, workload.labels, targetPort),
      () => serverMode(workload, port),
      port,
      `${workload.kind} ${workload.namespace}/${workload.name}`,
      undeclaredCause(service, port),
    );
  };

  const undeclaredPort: MeshModel['undeclaredPort'] = (client, service, port, workload) => {
    let c = withoutSidecar(client, service, port, undefined);
    if (!c) {
      const scope = sidecars.length ? sidecarFor(sidecars, client, settings.rootNamespace) : undefined;
      const policy = outboundPolicyFor(scope, settings);
      if (policy.egressProxy) return undefined; // sent to the egress proxy: not modelled
      const cause = undeclaredCause(service, port);
      c = unknownDestinationTls(
        policy,
        httpListener(scope, port, client.namespace),
        `${cause.description} (the call goes to a pod's own address on that port)`,
        cause,
      );
    }
    const server = undeclaredPortServerMode(workload, service, port);
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
    serviceEntryByHost: (host) => entryIndex.get(host.toLowerCase().replace(/\.$/, '')),
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
        : `${client.sidecar}|${drs.clientClassKey(client.namespace, client.labels)}`,
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
  return w.sidecar.state === 'sidecar' && tlsModeLabel(w) === undefined;
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
  const services = byPlace(extractServices(byKind.of('Service'), workloads));
  return { settings, namespaces, workloads, services };
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
