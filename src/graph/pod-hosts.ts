// Hosts that name one pod of a headless Service: `kafka-0.kafka-headless`, `kafka-0.kafka-headless.data.svc.cluster.local`
// (a StatefulSet pod, whose spec.serviceName is that Service), or `<hostname>.<subdomain>…` of a Pod. Kubernetes DNS
// answers them with the pod's own address; Istio 1.3+ routes them like the Service itself (HTTP "*." domains, a
// listener per pod address for TCP ports: releases.ts headless-per-pod-host-routes).
import type { MeshModel, Service, Workload } from '../mesh/model.js';
import { get, str } from '../mesh/util.js';

export interface CallTarget {
  service: Service;
  /** The pod's own DNS label when the host names one pod of a headless Service ("kafka-0"). */
  pod?: string;
  /** The workloads that run that pod: DNS answers with its address only, so no other endpoint is called. */
  podWorkloads?: Workload[];
}

/**
 * The Service a host names as a client in `fromNamespace` writes it, else the ServiceEntry host it names, else the
 * headless Service of a per-pod name.
 */
export function resolveCallHost(
  mesh: MeshModel,
  host: string,
  fromNamespace: string,
): CallTarget | undefined {
  const service = mesh.serviceByHost(host, fromNamespace) ?? mesh.serviceEntryByHost(host, fromNamespace);
  if (service) return { service };
  const dot = host.indexOf('.');
  if (dot <= 0) return undefined;
  const pod = host.slice(0, dot);
  const headless = mesh.serviceByHost(host.slice(dot + 1), fromNamespace);
  if (!headless?.headless) return undefined;
  const podWorkloads = headless.workloads.filter((w) => podNamed(w, pod, headless.name));
  if (!podWorkloads.length) return undefined;
  return { service: headless, pod, podWorkloads };
}

/** Does `w` run a pod whose DNS name under the headless Service `serviceName` starts with `label`? */
function podNamed(w: Workload, label: string, serviceName: string): boolean {
  const spec = get(w.resource.value, ...w.podPath, 'spec');
  if (w.kind === 'StatefulSet') {
    // Pods <name>-<ordinal>, with DNS records only under the Service the StatefulSet names as its serviceName.
    if (str(get(w.resource.value, 'spec', 'serviceName')) !== serviceName) return false;
    return label.startsWith(`${w.name}-`) && /^\d+$/.test(label.slice(w.name.length + 1));
  }
  // A pod with both hostname and subdomain (DNS has no record by pod name without a hostname).
  return str(get(spec, 'subdomain')) === serviceName && str(get(spec, 'hostname')) === label;
}
