// Prometheus as a caller: monitoring.coreos.com ServiceMonitor/PodMonitor endpoints, and pods that ask to be
// scraped with prometheus.io/* annotations. With Istio's metrics merging (on by default from 1.7,
// pkg/kube/inject/webhook.go enablePrometheusMerge) the injector points those annotations at the agent's port 15020,
// which STRICT does not cover; monitors name the app's ports themselves, so merging does not help them.
import type { Resource } from '../load/index.js';
import type { MeshModel, Service, Workload } from '../mesh/model.js';
import { resolveTargetPort } from '../mesh/services.js';
import { arr, get, obj, portNumber, str } from '../mesh/util.js';
import type { FieldPath } from '../types.js';
import type { BlockedCall, CallerEvidence, ClientNode, Edge } from './graph.js';
import { parseGoBool, type InjectorSettings } from './injector-settings.js';
import {
  matches,
  selectorOf,
  serviceVerdict,
  type Endpoint,
  type NetworkPolicies,
} from './network-policy.js';
import { podPortEdge, type ServicesOfWorkload } from './pod-edges.js';
import { captured } from './probes.js';

/** The Prometheus server of the inputs: the workload labelled as Prometheus itself (not its operator or exporters). */
function prometheusWorkload(mesh: MeshModel): Workload | undefined {
  return mesh.workloads.find(
    (w) =>
      w.labels['app.kubernetes.io/name'] === 'prometheus' ||
      w.labels.app === 'prometheus' ||
      (w.kind === 'StatefulSet' && w.name.startsWith('prometheus-') && w.labels.prometheus !== undefined),
  );
}

/** The scraper's node: the Prometheus workload, or a stand-in assumed without a sidecar. */
function scraperNode(mesh: MeshModel): { node: ClientNode; endpoint: Endpoint } {
  const w = prometheusWorkload(mesh);
  if (w) {
    // Prometheus scrapes pod IPs, which a sidecar passes through as they are: application metrics under STRICT need
    // Istio's certificates in the scrape config whatever Prometheus runs with (istio.io/latest/docs/ops/integrations/
    // prometheus/#tls-settings), so the scrape is plaintext unless the monitor uses them.
    return {
      node: { namespace: w.namespace, name: w.name, kind: w.kind, workload: w, sidecar: 'none' },
      endpoint: { kind: 'workload', workload: w },
    };
  }
  return {
    node: {
      namespace: '(monitoring)',
      name: 'prometheus',
      kind: 'Scraper',
      sidecar: 'none',
      standIn: 'Prometheus (not in the inputs; assumed without a sidecar)',
      sidecarAssumed: true,
    },
    endpoint: { kind: 'new-pod', namespace: undefined },
  };
}

export interface ScraperCalls {
  edges: Edge[];
  blocked: BlockedCall[];
}

export function scraperEdges(
  mesh: MeshModel,
  monitors: Resource[],
  settings: InjectorSettings,
  services: ServicesOfWorkload,
  policies: NetworkPolicies,
): ScraperCalls {
  const out: ScraperCalls = { edges: [], blocked: [] };
  const release = mesh.settings.release;
  let scraper: ReturnType<typeof scraperNode> | undefined;
  const client = () => (scraper ??= scraperNode(mesh));
  const call = (
    w: Workload,
    port: number,
    evidence: CallerEvidence,
    via?: Parameters<typeof podPortEdge>[6],
  ) => {
    if (w.sidecar.state !== 'sidecar' || !captured(w, port, release)) return; // only a capturing sidecar applies STRICT
    const { node, endpoint } = client();
    if (node.workload === w) return;
    const verdict = via
      ? serviceVerdict(policies, endpoint, via.service, via.port)
      : policies.verdict(endpoint, w, port);
    const edge = podPortEdge(mesh, node, w, port, evidence, services, via);
    if (!verdict.allowed)
      out.blocked.push({ client: node, server: edge.server, evidence, policies: verdict.policies });
    else out.edges.push(edge);
  };

  for (const m of monitors) {
    if (m.group !== 'monitoring.coreos.com' || m.namespace === undefined) continue;
    const spec = obj(get(m.value, 'spec')) ?? {};
    const selector = selectorOf(spec.selector);
    const nsSel = obj(spec.namespaceSelector);
    const inNamespace = (ns: string) =>
      nsSel?.any === true
        ? true
        : nsSel?.matchNames !== undefined
          ? arr(nsSel.matchNames).map(String).includes(ns)
          : ns === m.namespace;
    const what = `${m.kind} ${m.namespace}/${m.name}`;
    if (m.kind === 'ServiceMonitor') {
      const selected = mesh.services.filter(
        (s) => inNamespace(s.namespace) && matches(selector, serviceLabels(s)),
      );
      arr(spec.endpoints).forEach((e, i) => {
        const eo = obj(e) ?? {};
        if (usesIstioCertificates(eo)) return;
        const portName = str(eo.port);
        const target = eo.targetPort;
        const path: FieldPath = ['spec', 'endpoints', i, portName !== undefined ? 'port' : 'targetPort'];
        for (const s of selected)
          for (const p of s.ports) {
            if (portName !== undefined ? p.name !== portName : target === undefined) continue;
            for (const w of s.workloads) {
              const port = resolveTargetPort(p, w);
              if (port === undefined) continue;
              if (portName === undefined && !samePort(target, w, port)) continue;
              call(
                w,
                port,
                {
                  kind: 'inferred',
                  description: `${what} endpoints[${i}] scrapes ${s.name}.${s.namespace}:${p.port}`,
                  resource: m,
                  path,
                },
                { service: s, port: p },
              );
            }
          }
      });
    } else if (m.kind === 'PodMonitor') {
      const pods = mesh.workloads.filter((w) => inNamespace(w.namespace) && matches(selector, w.labels));
      arr(spec.podMetricsEndpoints).forEach((e, i) => {
        const eo = obj(e) ?? {};
        if (usesIstioCertificates(eo)) return;
        const value = eo.port ?? eo.targetPort;
        const path: FieldPath = [
          'spec',
          'podMetricsEndpoints',
          i,
          eo.port !== undefined ? 'port' : 'targetPort',
        ];
        for (const w of pods) {
          const port = portNumber(value) ?? w.containerPorts.find((c) => c.name === str(value))?.port;
          if (port === undefined) continue;
          call(w, port, {
            kind: 'inferred',
            description: `${what} podMetricsEndpoints[${i}] scrapes ${w.kind} ${w.namespace}/${w.name} port ${port}`,
            resource: m,
            path,
          });
        }
      });
    }
  }

  // prometheus.io annotations: the scrape goes to the agent when metrics are merged, else to the app's port.
  for (const w of mesh.workloads) {
    if (w.annotations['prometheus.io/scrape'] !== 'true' || w.sidecar.state !== 'sidecar') continue;
    const merged =
      parseGoBool(w.annotations['prometheus.istio.io/merge-metrics']) ??
      settings.enablePrometheusMerge?.value ??
      release.has('prometheus-merge-by-default');
    if (merged) continue;
    const port = portNumber(w.annotations['prometheus.io/port']);
    if (port === undefined) continue;
    call(w, port, {
      kind: 'inferred',
      description: `annotation prometheus.io/port: "${port}" (metrics not merged into the agent's)`,
      resource: w.resource,
      path: [...w.podPath, 'metadata', 'annotations', 'prometheus.io/port'],
    });
  }
  return out;
}

function serviceLabels(s: Service): Record<string, string> {
  const labels = obj(get(s.resource.value, 'metadata', 'labels')) ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

function samePort(target: unknown, w: Workload, port: number): boolean {
  const n = portNumber(target);
  return n !== undefined
    ? n === port
    : w.containerPorts.some((c) => c.name === str(target) && c.port === port);
}

/**
 * Istio's documented STRICT setup for Prometheus: https with a client certificate, the one its sidecar writes to
 * /etc/prom-certs (istio.io/latest/docs/ops/integrations/prometheus/#tls-settings). Any client certificate is taken
 * to be that one.
 */
function usesIstioCertificates(endpoint: Record<string, unknown>): boolean {
  return str(endpoint.scheme) === 'https' && str(get(endpoint, 'tlsConfig', 'certFile')) !== undefined;
}
