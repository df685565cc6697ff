// Callers the mesh itself observed (load/traffic.ts): each source workload that called a Service is a known call,
// with the counts and security as evidence; traffic from `unknown` sources (no sidecar, or outside the cluster)
// becomes one stand-in client per Service.
import type { MeshModel, Service, Workload } from '../mesh/model.js';
import type { Observation, ObservedSource, ObservedTraffic } from '../load/traffic.js';
import type { Call } from './callers.js';
import type { ClientNode, ObservedAmounts } from './graph.js';

/** The namespace stand-ins for unknown observed sources sort and print under. */
const UNKNOWN_SOURCE_NAMESPACE = '(observed, no sidecar)';

export function observedCalls(mesh: MeshModel, traffic: ObservedTraffic | undefined): Call[] {
  if (!traffic?.observations.length) return [];
  const services = new Map<string, Service>();
  for (const s of mesh.services) services.set(`${s.namespace}/${s.name}`, s);
  const workloads = new Map<string, Workload[]>();
  for (const w of mesh.workloads) {
    const key = `${w.namespace}/${w.name}`;
    const list = workloads.get(key);
    if (list) list.push(w);
    else workloads.set(key, [w]);
  }
  // (source, service) → amounts by security; sources keyed "ns/workload", or "" for unknown ones.
  const calls = new Map<
    string,
    { source: Observation['source']; service: Service; amounts: ObservedAmounts }
  >();
  for (const o of traffic.observations) {
    for (const service of destinations(o, services, mesh)) {
      const key = `${o.source ? sourceKey(o.source) : ''}\0${service.namespace}/${service.name}`;
      let call = calls.get(key);
      if (!call) {
        call = {
          source: o.source,
          service,
          amounts: { mtls: 0, plaintext: 0, unknown: 0, unit: o.unit, window: traffic.window, origins: [] },
        };
        calls.set(key, call);
      }
      call.amounts[o.security] += o.amount;
      if (!call.amounts.origins.includes(o.origin)) call.amounts.origins.push(o.origin);
    }
  }
  const out: Call[] = [];
  for (const { source, service, amounts } of calls.values()) {
    const description = `${describeAmounts(amounts)} (${amounts.origins.join(', ')})`;
    const evidence = { kind: 'observed' as const, description, observed: amounts };
    if (!source) {
      const node: ClientNode = {
        namespace: UNKNOWN_SOURCE_NAMESPACE,
        name: '*',
        kind: 'ObservedUnknownSource',
        sidecar: 'none',
        standIn: `callers without a sidecar (observed: ${describeAmounts(amounts)})`,
      };
      out.push({
        client: { namespace: UNKNOWN_SOURCE_NAMESPACE, name: '*' },
        node,
        service,
        ports: undefined,
        evidence,
      });
      continue;
    }
    const clients = sourceWorkloads(source, workloads, mesh);
    // Istio's metrics carry no destination port: every port of the service, unless it has one.
    for (const client of clients) out.push({ client, service, ports: undefined, evidence });
  }
  return out;
}

function sourceKey(s: ObservedSource): string {
  return s.workload
    ? `${s.namespace}/${s.workload}`
    : `${s.namespace}/app=${s.app ?? ''},version=${s.version ?? ''}`;
}

/** The label selector an app node of a Kiali app graph stands for. */
function byApp(w: Workload, namespace: string, app: string, version: string | undefined): boolean {
  return (
    w.namespace === namespace &&
    w.labels.app === app &&
    (version === undefined || w.labels.version === version)
  );
}

/** The workloads of the inputs a source names, or a client the inputs do not contain. */
function sourceWorkloads(
  source: ObservedSource,
  workloads: Map<string, Workload[]>,
  mesh: MeshModel,
): Array<Workload | { namespace: string; name: string }> {
  if (source.workload)
    return (
      workloads.get(`${source.namespace}/${source.workload}`) ?? [
        { namespace: source.namespace, name: source.workload },
      ]
    );
  const app = source.app ?? '';
  const found = mesh.workloads.filter((w) => byApp(w, source.namespace, app, source.version));
  return found.length
    ? found
    : [{ namespace: source.namespace, name: source.version ? `${app}-${source.version}` : app }];
}

function destinations(o: Observation, services: Map<string, Service>, mesh: MeshModel): Service[] {
  const { namespace, service, workload, app, version } = o.destination;
  if (service) {
    const s = services.get(`${namespace}/${service}`);
    return s ? [s] : [];
  }
  if (workload)
    return mesh.services.filter(
      (s) =>
        s.namespace === namespace &&
        s.workloads.some((w) => w.name === workload && w.namespace === namespace),
    );
  if (app)
    return mesh.services.filter(
      (s) => s.namespace === namespace && s.workloads.some((w) => byApp(w, namespace, app, version)),
    );
  return [];
}

const rates = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
// Prometheus' increase() extrapolates to the window's edges: counts come back fractional.
const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "1,234 requests in 7d (1,200 plaintext, 34 mTLS)". */
export function describeAmounts(a: ObservedAmounts): string {
  const total = a.mtls + a.plaintext + a.unknown;
  const number = a.unit === 'req/s' || a.unit === 'bytes/s' ? rates : counts;
  const parts: string[] = [];
  if (a.plaintext) parts.push(`${number.format(a.plaintext)} plaintext`);
  if (a.mtls) parts.push(`${number.format(a.mtls)} mTLS`);
  if (a.unknown) parts.push(`${number.format(a.unknown)} with security not reported`);
  const rate = a.unit === 'req/s' || a.unit === 'bytes/s';
  const amount = `${number.format(total)} ${a.unit}${rate ? ` over ${a.window}` : ` in ${a.window}`}`;
  if (parts.length !== 1) return `${amount} (${parts.join(', ')})`;
  if (a.unknown) return `${amount}, security not reported`;
  return `${amount}, all ${a.plaintext ? 'plaintext' : 'mTLS'}`;
}
