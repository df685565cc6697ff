// The kubelet as a caller: httpGet and grpc probes reach the pod's port from the node, without a sidecar. Istio
// rewrites them to the agent (port 15020, outside mTLS) when the injector's probe rewrite is on; otherwise they hit
// the sidecar's inbound listener like any plaintext client (pkg/kube/inject/app_probe.go).
import type { MeshModel, Workload } from '../mesh/model.js';
import type { Release } from '../mesh/releases.js';
import { inboundBypass } from '../mesh/workloads.js';
import { arr, get, obj, portNumber, str } from '../mesh/util.js';
import type { FieldPath } from '../types.js';
import type { ClientNode, Edge } from './graph.js';
import { parseGoBool, type InjectorSettings } from './injector-settings.js';
import { podPortEdge, type ServicesOfWorkload } from './pod-edges.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

const REWRITE_ANNOTATION = 'sidecar.istio.io/rewriteAppHTTPProbers';

/** The kubelet's edges: one per httpGet/grpc probe that reaches a sidecar's captured port unrewritten. */
export function probeEdges(
  mesh: MeshModel,
  settings: InjectorSettings,
  services: ServicesOfWorkload,
): Edge[] {
  const edges: Edge[] = [];
  const release = mesh.settings.release;
  for (const w of mesh.workloads) {
    // Without a sidecar the kubelet reaches the app itself; ambient pods' probes are exempt from ztunnel.
    if (w.sidecar.state !== 'sidecar') continue;
    const annotated = parseGoBool(w.annotations[REWRITE_ANNOTATION]);
    const rewrite =
      annotated ?? settings.rewriteAppHTTPProbe?.value ?? release.has('probe-rewrite-by-default');
    const spec = obj(get(w.resource.value, ...w.podPath, 'spec')) ?? {};
    arr(spec.containers).forEach((c, ci) => {
      const container = obj(c);
      if (!container || str(container.name) === 'istio-proxy') return;
      for (const field of PROBES) {
        const probe = obj(container[field]);
        if (!probe) continue;
        const handler = obj(probe.httpGet) ? 'httpGet' : obj(probe.grpc) ? 'grpc' : undefined;
        if (!handler) continue; // tcpSocket: the sidecar accepts the connection itself; exec: no network
        // A probe to another host (httpGet.host) does not reach this pod's sidecar.
        if (handler === 'httpGet' && str(get(probe, 'httpGet', 'host'))) continue;
        const rewritten = rewrite && (handler === 'httpGet' || release.has('grpc-probe-rewrite'));
        if (rewritten) continue;
        const portPath: FieldPath = [...w.podPath, 'spec', 'containers', ci, field, handler, 'port'];
        const port = probePort(get(probe, handler, 'port'), container);
        if (port === undefined || !captured(w, port, release)) continue;
        const why =
          annotated === false
            ? `${REWRITE_ANNOTATION}: "false"`
            : annotated === undefined && settings.rewriteAppHTTPProbe?.value === false
              ? settings.rewriteAppHTTPProbe.description
              : handler === 'grpc' && rewrite
                ? `Istio ${release.text} rewrites httpGet probes only (grpc from 1.13)`
                : `Istio ${release.text} does not rewrite probes by default`;
        const client: ClientNode = {
          namespace: w.namespace,
          name: 'kubelet',
          kind: 'Kubelet',
          sidecar: 'none',
          standIn: `the kubelet (${field} of ${w.kind} ${w.namespace}/${w.name})`,
        };
        edges.push(
          podPortEdge(
            mesh,
            client,
            w,
            port,
            {
              kind: 'inferred',
              description: `${w.kind} ${w.namespace}/${w.name} container ${str(container.name) ?? ci} ${field} ${handler} port ${port}, not rewritten: ${why}`,
              resource: w.resource,
              path: portPath,
            },
            services,
          ),
        );
      }
    });
  }
  return edges;
}

/** A probe's port: a number, or the name of one of the container's ports (grpc takes numbers only). */
function probePort(value: unknown, container: Record<string, unknown>): number | undefined {
  const n = portNumber(value);
  if (n !== undefined) return n;
  const name = str(value);
  if (!name) return undefined;
  for (const p of arr(container.ports))
    if (str(obj(p)?.name) === name) return portNumber(obj(p)?.containerPort);
  return undefined;
}

/** Whether the sidecar captures inbound traffic to `port` (traffic.sidecar.istio.io annotations; per release). */
export function captured(w: Workload, port: number, release: Release): boolean {
  // The agent's and Envoy's own ports are never captured (tools/istio-iptables: 15020 merged metrics, 15021
  // health, 15090 Envoy stats).
  if (port === 15020 || port === 15021 || port === 15090) return false;
  return inboundBypass(w, port, release) === undefined;
}
