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
import { arr, get, obj, portNumber, selectorMatches, str, stringMap } from './util.js';

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
const RESOLUTIONS = new Set(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN']);

/**
 * One Service per exact host of each ServiceEntry (wildcard hosts name no one host a caller can be matched to), with
 * its endpoints. `workloads` are the pods of the inputs (a workloadSelector selects pods of its namespace).
 */
export function serviceEntryServices(
  entries: Resource[],
  workloadEntries: Resource[],
  workloads: Workload[],
  release: Release,
): { services: Service[]; workloadEntries: Workload[] } {
  const out: Service[] = [];
  // Namespace and name order (as workloads and Services are sorted): input order must not change the answers.
  const weEndpoints: Workload[] = [];
  const weByNamespace = new Map<string, Workload[]>();
  for (const r of [...workloadEntries].sort(byName)) {
    if (r.kind !== 'WorkloadEntry' || r.group !== 'networking.istio.io' || r.namespace === undefined)
      continue;
    const we = workloadEntryEndpoint(r, ['spec'], stringMap(get(r.value, 'spec', 'labels')), true);
    weEndpoints.push(we);
    const list = weByNamespace.get(r.namespace) ?? [];
    list.push(we);
    weByNamespace.set(r.namespace, list);
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
    arr(spec.hosts).forEach((h, hi) => {
      const host = str(h)?.toLowerCase();
      if (!host || host.includes('*')) return;
      const cause: Cause = {
        resource: r,
        path: locationValue ? ['spec', 'location'] : ['spec', 'hosts', hi],
        description: `ServiceEntry ${namespace}/${r.name} ${location}${locationValue ? '' : ' (the default location)'}`,
      };
      const entry: ServiceEntryTarget = { host, location, resolution, endpointsFrom, cause };
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
  return { services: out, workloadEntries: weEndpoints };
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

/** Resolve a host a client names against ServiceEntry hosts (exact, case-insensitive; no short names). */
export function entryHostIndex(services: Service[]): Map<string, Service> {
  const index = new Map<string, Service>();
  // The first entry of a host wins (Istio keeps the oldest; manifests do not tell which that is).
  for (const s of services) if (s.entry && !index.has(s.entry.host)) index.set(s.entry.host, s);
  return index;
}
