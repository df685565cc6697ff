// ServiceEntries as servers (issue 17): each host of a ServiceEntry is a service whose endpoints are the pods and
// WorkloadEntries its workloadSelector selects, its inline `endpoints`, or the host itself. Istio does the same
// (pilot/pkg/serviceregistry/serviceentry/conversion.go convertServices: one model.Service per host, MeshExternal =
// location == MESH_EXTERNAL, the proto default; convertEndpoint / convertWorkloadEntryToServiceInstances: endpoints
// with TLSMode from getTLSModeFromWorkloadEntry). Messages name entries by kind and name (places would make them
// depend on the file layout); findings list each entry endpoint's file:line as a related location.
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type { Cause, Service, ServicePort, ServiceEntryTarget, Workload } from './model.js';
import type { Release } from './releases.js';
import { arr, exportScope, get, obj, portNumber, selectorMatches, str, stringMap } from './util.js';

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const RESOLUTIONS = new Set(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']);

/**
 * One Service per exact host of each ServiceEntry (wildcard hosts name no one host a caller can be matched to), with
 * its endpoints. `workloads` are the pods of the inputs (a workloadSelector selects pods of its namespace).
 */
export function serviceEntryServices(
  entries: Resource[],
  weEndpoints: Workload[],
  workloads: Workload[],
  release: Release,
): Service[] {
  const out: Service[] = [];
  const weByNamespace = new Map<string, Workload[]>();
  for (const we of weEndpoints) {
    const list = weByNamespace.get(we.namespace) ?? [];
    list.push(we);
    weByNamespace.set(we.namespace, list);
  }
  for (const r of [...entries].sort(byName)) {
    if (r.kind !== 'ServiceEntry' || r.group !== 'networking.istio.io' || r.namespace === undefined) continue;
    const spec = obj(r.value.spec) ?? {};
    const namespace = r.namespace;
    const locationValue = str(spec.location);
    const location = locationValue === 'MESH_INTERNAL' ? 'MESH_INTERNAL' : 'MESH_EXTERNAL';
    const resolutionValue = str(spec.resolution) ?? 'NONE';
    const resolution = (
      RESOLUTIONS.has(resolutionValue) ? resolutionValue : 'NONE'
    ) as ServiceEntryTarget['resolution'];
    const ports: ServicePort[] = [];
    arr(spec.ports).forEach((p, index) => {
      const po = obj(p);
      const port = portNumber(po?.number);
      if (!po || port === undefined) return;
      const sp: ServicePort = {
        port,
        // SE protocols are Istio protocol names (HTTP, TLS, TCP …): the same prefixes as port names.
        protocol: 'TCP',
        targetPort: portNumber(po.targetPort) ?? port,
        index,
        entryPort: true,
      };
      const name = str(po.name);
      if (name) sp.name = name;
      const protocol = str(po.protocol);
      if (protocol) sp.appProtocol = protocol.toLowerCase();
      ports.push(sp);
    });
    const selectorLabels = obj(get(spec, 'workloadSelector'))
      ? stringMap(get(spec, 'workloadSelector', 'labels'))
      : undefined;
    // Before 1.6 the field does not exist: an entry with it has no endpoints of its own.
    const selector =
      selectorLabels && release.has('service-entry-workload-selector') ? selectorLabels : undefined;
    const endpoints: Workload[] = [];
    let endpointsFrom: ServiceEntryTarget['endpointsFrom'];
    if (selector) {
      endpointsFrom = 'selector';
      for (const w of workloads)
        if (w.namespace === namespace && selectorMatches(selector, w.labels)) endpoints.push(w);
      for (const we of weByNamespace.get(namespace) ?? [])
        if (selectorMatches(selector, we.labels)) endpoints.push(we);
    } else if (arr(spec.endpoints).length) {
      endpointsFrom = 'endpoints';
      arr(spec.endpoints).forEach((_e, i) => {
        const labels = stringMap(get(spec, 'endpoints', i, 'labels'));
        endpoints.push(
          workloadEntryEndpoint(
            r,
            ['spec', 'endpoints', i],
            labels,
            release.has('service-entry-endpoint-service-account-tls-mode'),
          ),
        );
      });
    } else {
      // DNS: the host itself is the endpoint, with TLSMode disabled (convertServiceEntryToInstances); NONE: the
      // address the client dialled; STATIC without endpoints has none (503 no healthy upstream, not an mTLS matter).
      endpointsFrom = 'host';
      if (resolution !== 'STATIC') endpoints.push(hostEndpoint(r, namespace));
    }
    const exportTo = arr(spec.exportTo).filter((e): e is string => typeof e === 'string');
    arr(spec.hosts).forEach((h, hi) => {
      const host = str(h)?.toLowerCase();
      // "*" alone is rejected by validation, and so is a wildcard host that DNS would have to resolve itself
      // (validation.go ValidateServiceEntry: "hosts must be FQDN if no endpoints are provided").
      if (!host || host === '*' || (host.includes('*') && !wildcardAllowed(resolution, endpointsFrom)))
        return;
      const cause: Cause = {
        resource: r,
        path: locationValue ? ['spec', 'location'] : ['spec', 'hosts', hi],
        description: `ServiceEntry ${namespace}/${r.name} ${location}${locationValue ? '' : ' (the default location)'}`,
      };
      const entry: ServiceEntryTarget = { host, location, resolution, endpointsFrom, cause };
      if (exportTo.length) entry.exportTo = exportTo;
      out.push({
        name: host,
        namespace,
        resource: r,
        ports,
        workloads: endpoints,
        // NONE resolution is an ORIGINAL_DST cluster, as a headless Service's (cluster_builder.go convertResolution).
        headless: resolution === 'NONE',
        external: false,
        entry,
      });
    });
  }
  return out;
}

/** Can a host with a `*` stand in this entry? Not where the sidecar resolves the host itself by DNS. */
function wildcardAllowed(
  resolution: ServiceEntryTarget['resolution'],
  endpointsFrom: ServiceEntryTarget['endpointsFrom'],
): boolean {
  return (resolution !== 'DNS' && resolution !== 'DNS_ROUND_ROBIN') || endpointsFrom === 'endpoints';
}

/**
 * Every WorkloadEntry as an endpoint, in namespace and name order (as workloads and Services are sorted: input order
 * must not change the answers).
 */
export function workloadEntryEndpoints(workloadEntries: Resource[]): Workload[] {
  const out: Workload[] = [];
  for (const r of [...workloadEntries].sort(byName)) {
    if (r.kind !== 'WorkloadEntry' || r.group !== 'networking.istio.io' || r.namespace === undefined)
      continue;
    out.push(workloadEntryEndpoint(r, ['spec'], stringMap(get(r.value, 'spec', 'labels')), true));
  }
  return out;
}

function byName(a: Resource, b: Resource): number {
  const ka = `${a.namespace ?? ''}\0${a.name}\0${a.file}`;
  const kb = `${b.namespace ?? ''}\0${b.name}\0${b.file}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * A WorkloadEntry (or an inline `endpoints` item, same fields) as an endpoint. Its TLS mode is its
 * security.istio.io/tlsMode label, else "istio" when it names a serviceAccount, else disabled
 * (conversion.go getTLSModeFromWorkloadEntry): the label says whether a sidecar runs there.
 */
function workloadEntryEndpoint(
  resource: Resource,
  specPath: FieldPath,
  labels: Record<string, string>,
  serviceAccountMeansSidecar: boolean,
): Workload {
  const spec = obj(get(resource.value, ...specPath)) ?? {};
  const serviceAccount = str(spec.serviceAccount) ?? '';
  const label = labels[TLS_MODE_LABEL];
  const inline = specPath.length > 1;
  const name = inline ? `${resource.name} endpoints[${String(specPath[2])}]` : resource.name;
  const what = inline
    ? `ServiceEntry ${resource.namespace}/${name}`
    : `WorkloadEntry ${resource.namespace}/${name}`;
  let sidecar: boolean;
  let reason: string;
  let path: FieldPath;
  if (label !== undefined) {
    sidecar = label === 'istio';
    reason = `label ${TLS_MODE_LABEL}=${label}${sidecar ? '' : ': Istio treats it as an endpoint without a sidecar'}`;
    path = [...specPath, 'labels', TLS_MODE_LABEL];
  } else if (serviceAccount && serviceAccountMeansSidecar) {
    sidecar = true;
    reason = `serviceAccount ${serviceAccount} and no ${TLS_MODE_LABEL} label: Istio gives it tlsMode istio (a sidecar)`;
    path = [...specPath, 'serviceAccount'];
  } else {
    sidecar = false;
    reason = `no ${TLS_MODE_LABEL}=istio label: Istio treats it as an endpoint without a sidecar`;
    path = specPath;
  }
  const containerPorts = Object.entries(obj(spec.ports) ?? {}).flatMap(([portName, v]) => {
    const port = portNumber(v);
    return port === undefined ? [] : [{ name: portName, port, protocol: 'TCP' }];
  });
  return {
    kind: inline ? 'ServiceEntry endpoint' : 'WorkloadEntry',
    name,
    namespace: resource.namespace!,
    resource,
    podPath: specPath,
    labels,
    annotations: {},
    serviceAccount,
    containerPorts,
    hostNetwork: false,
    sidecar: {
      state: sidecar ? 'sidecar' : 'none',
      certain: true,
      reason,
      cause: { resource, path, description: `${what}: ${reason}` },
    },
  };
}

/** The host (or dialled address) of an entry without endpoints: whatever answers there is outside the inputs. */
function hostEndpoint(resource: Resource, namespace: string): Workload {
  const reason = "reached at the host's own address, where no sidecar the inputs show answers";
  return {
    kind: 'ServiceEntry host',
    name: resource.name,
    namespace,
    resource,
    podPath: ['spec'],
    labels: {},
    annotations: {},
    serviceAccount: '',
    containerPorts: [],
    hostNetwork: false,
    sidecar: {
      state: 'none',
      certain: true,
      reason,
      cause: {
        resource,
        path: ['spec', 'hosts'],
        description: `the hosts of ServiceEntry ${namespace}/${resource.name}: ${reason}`,
      },
    },
  };
}

/** Is this endpoint one that a ServiceEntry stands for rather than a pod (no pod annotations, no injection)? */
export function isEntryEndpoint(w: Workload): boolean {
  return w.kind === 'WorkloadEntry' || w.kind === 'ServiceEntry endpoint' || w.kind === 'ServiceEntry host';
}

/**
 * Is this entry's host in the registry of sidecars in `clientNamespace`? push_context.go initServiceRegistry: no
 * exportTo is meshConfig defaultServiceExportTo, taken as "*" (its default; the mesh config is not read for it, as
 * for the VirtualService and DestinationRule defaults); 1.7+ "*" public, "~" nobody, "." or its own namespace
 * private, other names those namespaces; 1.1–1.6 "." anywhere private, anything else public.
 */
export function entryVisibleTo(
  entry: ServiceEntryTarget,
  entryNamespace: string,
  clientNamespace: string,
  release: Release,
): boolean {
  const exportTo = entry.exportTo;
  if (!exportTo?.length) return true;
  if (!release.has('service-entry-export-to-namespaces'))
    return !exportTo.includes('.') || clientNamespace === entryNamespace;
  const scope = exportScope(exportTo, entryNamespace);
  return scope === 'public' || (scope !== 'none' && scope.has(clientNamespace));
}

/**
 * Resolve a host a client names against ServiceEntry hosts (case-insensitive; no short names): an exact host, else
 * the most specific wildcard host (`*.example.com` for `api.example.com`), as the client sidecar's route domains and
 * SNI chains pick. Among entries for one host the first wins (Istio keeps the oldest; manifests do not tell which).
 * A client only has the entries exported to its namespace; when none is, the first entry is returned with
 * `visible: false` (the client then has no cluster for the host).
 */
export class EntryHosts {
  private readonly exact = new Map<string, Service[]>();
  private readonly wildcards: { suffix: string; services: Service[] }[] = [];

  constructor(
    services: Service[],
    private readonly release: Release,
  ) {
    const bySuffix = new Map<string, Service[]>();
    for (const s of services) {
      const host = s.entry?.host;
      if (!host) continue;
      const map = host.startsWith('*.') ? bySuffix : this.exact;
      const key = host.startsWith('*.') ? host.slice(1) : host;
      const list = map.get(key) ?? [];
      list.push(s);
      map.set(key, list);
    }
    for (const [suffix, list] of bySuffix) this.wildcards.push({ suffix, services: list });
    // Longest suffix first: the most specific wildcard wins.
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  lookup(rawHost: string, fromNamespace?: string): { service: Service; visible: boolean } | undefined {
    const host = rawHost.toLowerCase().replace(/\.$/, '');
    const candidates = [
      ...(this.exact.get(host) ?? []),
      ...this.wildcards.filter((w) => host.endsWith(w.suffix)).flatMap((w) => w.services),
    ];
    if (!candidates.length) return undefined;
    if (fromNamespace === undefined) return { service: candidates[0]!, visible: true };
    const visible = candidates.find((s) =>
      entryVisibleTo(s.entry!, s.namespace, fromNamespace, this.release),
    );
    return visible ? { service: visible, visible: true } : { service: candidates[0]!, visible: false };
  }
}
