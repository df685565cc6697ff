// Assemble the mesh model from resources. All Istio decisions are delegated to the modules beside this one.
import type { Resource } from '../load/index.js';
import type { ResolvedOptions } from '../options.js';
import type {
  ClientSpec,
  ClientTlsResult,
  EdgeConnectionResult,
  MeshModel,
  ServerEndpoint,
  ServerModeResult,
  Service,
  ServicePort,
  StandInService,
  Workload,
} from './model.js';
import { readAuthorizationPolicies } from './authz.js';
import { connectionOutcome } from './connection.js';
import { DestinationRuleIndex, clientModeFromTls, readDestinationRules, tlsFor } from './destination-rules.js';
import { ServerPolicies, readLegacyPolicies, readPeerAuthentications } from './server-mode.js';
import { extractServices, portProtocol, resolveTargetPort } from './services.js';
import { resolveMeshSettings } from './settings.js';
import { collectNamespaces, decideSidecar, extractWorkloads } from './workloads.js';
import { CLUSTER_DOMAIN, serviceFqdn } from './util.js';
import { atLeast } from './version.js';

export function buildMeshModel(allResources: Resource[], options: ResolvedOptions, invalid: Set<string>): MeshModel {
  // Resources with schema errors are left out: Istio's validation would refuse them (they are reported anyway).
  const resources = invalid.size ? allResources.filter((r) => !invalid.has(r.id)) : allResources;
  const settings = resolveMeshSettings(resources, options);
  const v = settings.version;
  // Sorted once here, so that groups, victim lists and tie-breaks never depend on file order.
  const bare = extractWorkloads(resources).sort(byPlace);
  const namespaces = collectNamespaces(resources, bare.map((w) => w.namespace), options);
  const workloads: Workload[] = bare.map((w) => ({ ...w, sidecar: decideSidecar(w, namespaces.get(w.namespace), settings, options) }));
  const services = extractServices(resources, workloads).sort(byPlace);
  const policies = new ServerPolicies(readPeerAuthentications(resources), readLegacyPolicies(resources), settings.rootNamespace, v);
  const drs = new DestinationRuleIndex(readDestinationRules(resources), settings.rootNamespace, v);

  const hostIndex = new Map<string, Service>();
  for (const s of services) hostIndex.set(`${s.name}.${s.namespace}`, s);

  const serverModeCache = new Map<string, ServerModeResult>();

  const serverMode: MeshModel['serverMode'] = (workload, targetPort, via) => {
    const key = `${workload.resource.id}|${targetPort ?? ''}|${via ? `${via.service.resource.id}:${via.port.port}` : ''}`;
    const hit = serverModeCache.get(key);
    if (hit) return hit;
    let result: ServerModeResult;
    if (workload.sidecar.state === 'none') {
      result = { mode: 'NO_SIDECAR', level: 'default', explanation: `${workload.kind} ${workload.namespace}/${workload.name} has no sidecar (${workload.sidecar.reason})` };
      if (workload.sidecar.cause) result.cause = workload.sidecar.cause;
    } else {
      result = policies.sidecarServerMode(workload, workload.namespace, targetPort, via);
      if (workload.sidecar.state === 'ambient') result = toAmbient(result, v.text);
    }
    serverModeCache.set(key, result);
    return result;
  };

  /** What the client sidecar infers about the service for auto mTLS (BestEffortInferServiceMTLSMode, §4.3). */
  const inferredMode = (service: Service | StandInService, port: ServicePort | undefined): ServerModeResult['mode'] => {
    if (!atLeast(v, 1, 6)) {
      if (!atLeast(v, 1, 5) || !policies.anyPeerAuthenticationApplies(service.namespace, {})) {
        // A service the inputs do not show has no service-level Policy: its namespace's or the mesh's decides.
        if (!('resource' in service)) return policies.sidecarServerMode(undefined, service.namespace, undefined, undefined).mode;
        const legacy = policies.legacyPolicyFor(service, port);
        if (legacy) return legacy.policy.mode;
        if (!atLeast(v, 1, 5)) return 'DISABLE';
      }
    }
    return policies.composePeerAuthentication(service.namespace, undefined, undefined).mode;
  };

  const clientTls: MeshModel['clientTls'] = (client, service, port) => clientTlsFor(client, service, port, undefined);

  const clientTlsFor = (client: ClientSpec, service: Service | StandInService, port: number, subset: string | undefined): ClientTlsResult => {
    if (client.sidecar === 'none') return { mode: 'NO_SIDECAR', explanation: 'the client has no sidecar and sends plaintext' };
    if (client.sidecar === 'ambient') {
      // ztunnel does not apply DestinationRule tls: it sends HBONE to mesh endpoints, plaintext to the rest.
      return { mode: 'AUTO', explanation: 'the client is in ambient mode: ztunnel ignores DestinationRule tls and sends HBONE (mTLS) to mesh endpoints' };
    }
    const fqdn = 'standIn' in service ? `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}` : serviceFqdn(service.name, service.namespace);
    const found = drs.lookup(client.namespace, client.labels, fqdn, service.namespace);
    const auto = settings.autoMtls;
    if (!found.length) {
      return auto
        ? { mode: 'AUTO', explanation: `no DestinationRule sets tls, so auto mTLS decides (${settings.autoMtlsSource})` }
        : { mode: 'PLAINTEXT', explanation: `no DestinationRule sets tls and auto mTLS is off (${settings.autoMtlsSource}), so the client sidecar sends plaintext` };
    }
    const choice = tlsFor(found[0]!, port, subset);
    const mode = clientModeFromTls(choice.mode, auto);
    const explanation = choice.mode
      ? `${choice.cause.description}`
      : auto
        ? `${choice.cause.description}, so auto mTLS decides`
        : `${choice.cause.description} and auto mTLS is off, so the client sidecar sends plaintext`;
    return { mode, cause: choice.cause, explanation };
  };

  const connect: MeshModel['connect'] = (client, service, portArg, server) => {
    const servicePort = typeof portArg === 'number' ? undefined : portArg;
    const port = typeof portArg === 'number' ? portArg : portArg.port;
    const c = clientTlsFor(client, service, port, undefined);
    const real = 'resource' in service ? service : undefined;
    const sidecar = server.workload?.sidecar.state ?? server.sidecar ?? 'sidecar';
    const result = connectionOutcome(
      c,
      {
        sidecar,
        mode: server.mode,
        inferredMode: inferredMode(service, servicePort),
        headless: real?.headless ?? false,
        headlessMixed: real ? real.headless && real.workloads.some((w) => w.sidecar.state !== 'sidecar') : false,
        portProtocol: portProtocol(servicePort),
      },
      v,
    );
    const out: EdgeConnectionResult = { client: c, server: server.mode, result };
    return out;
  };

  return {
    settings,
    resources,
    namespaces,
    workloads,
    services,
    authorizationPolicies: readAuthorizationPolicies(resources),
    serviceByHost: (host, fromNamespace) => lookupHost(hostIndex, host, fromNamespace),
    targetPort: (_service, port, workload) => resolveTargetPort(port, workload),
    serverMode,
    namespaceServerMode: (namespace) => {
      const mode = policies.sidecarServerMode(undefined, namespace, undefined, undefined);
      return mode;
    },
    namespacesDistinctFor: (service) =>
      drs.namespacesDistinctFor('standIn' in service ? `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}` : serviceFqdn(service.name, service.namespace)),
    clientClassKey: (client) => (client.sidecar === 'none' ? 'none' : `${client.sidecar}|${drs.clientClassKey(client.namespace, client.labels)}`),
    clientTls,
    connect,
  };
}

export function toAmbient(result: ServerModeResult, version: string): ServerModeResult {
  // ztunnel: STRICT rejects plaintext; PERMISSIVE and DISABLE both accept it (pilot/pkg/serviceregistry/ambient/authorization.go).
  return {
    ...result,
    mode: result.mode === 'STRICT' ? 'AMBIENT_STRICT' : 'AMBIENT_PERMISSIVE',
    explanation: `${result.explanation} (ambient, Istio ${version}: ztunnel ${result.mode === 'STRICT' ? 'rejects' : 'accepts'} plaintext)`,
  };
}

/** svc (in the caller's namespace), svc.ns, svc.ns.svc, svc.ns.svc.cluster.local. */
export function lookupHost(index: Map<string, Service>, rawHost: string, fromNamespace: string): Service | undefined {
  const host = rawHost.toLowerCase().replace(/\.$/, '');
  const parts = host.split('.');
  if (parts.length === 1) return index.get(`${parts[0]}.${fromNamespace}`);
  if (parts.length === 2) return index.get(host);
  if (parts.length === 3 && parts[2] === 'svc') return index.get(`${parts[0]}.${parts[1]}`);
  if (host.endsWith(`.svc.${CLUSTER_DOMAIN}`) && parts.length === 5) return index.get(`${parts[0]}.${parts[1]}`);
  return undefined;
}

export type { ServerEndpoint };

function byPlace(a: { namespace: string; name: string; resource: Resource }, b: { namespace: string; name: string; resource: Resource }): number {
  const ka = `${a.namespace}\0${a.name}\0${a.resource.kind}\0${a.resource.file}`;
  const kb = `${b.namespace}\0${b.name}\0${b.resource.kind}\0${b.resource.file}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
