// The Istio installation's own Services (istiod, istio-ingressgateway, istio-eastwestgateway, and up to 1.4
// istio-pilot, istio-citadel …) are created by istioctl or the Helm charts in istiod's namespace (the root namespace
// by default, meshConfig.rootNamespace = the istiod namespace: pilot/pkg/features/pilot.go). Application repositories
// reference them (a DestinationRule for istiod behind an east-west gateway, a Policy for the ingress gateway) without
// holding the installation; addons (Prometheus, Kiali) in the same namespace do not make its Services "known".
import type { Service, Workload } from './model.js';
import { CLUSTER_DOMAIN } from './util.js';

/** Names the installation gives its Services: the same shapes the graph treats as control plane (graph/build.ts). */
const INSTALLATION_NAME = /^(istiod(-[a-z0-9-]+)?|istio-[a-z0-9-]+)$/;

/** istiod (or 1.4's pilot) in `namespace`: the inputs hold the installation itself. */
function holdsInstallation(namespace: string, workloads: Workload[], services: Service[]): boolean {
  return (
    services.some(
      (s) => s.namespace === namespace && (/^istiod(-|$)/.test(s.name) || s.name === 'istio-pilot'),
    ) ||
    workloads.some(
      (w) => w.namespace === namespace && (w.labels.app === 'istiod' || w.labels.istio === 'pilot'),
    )
  );
}

/**
 * For a host that no Service of the inputs has: why it may exist all the same because Istio's installation creates
 * it, or undefined. Only in the installation's namespace, and only while the inputs do not hold the installation.
 */
export function installationServiceReason(
  fqdn: string,
  installationNamespace: string,
  workloads: Workload[],
  services: Service[],
): string | undefined {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2 || parts[1] !== installationNamespace || !INSTALLATION_NAME.test(parts[0]!))
    return undefined;
  if (holdsInstallation(installationNamespace, workloads, services)) return undefined;
  return `${parts[0]} is a Service of the Istio installation in ${installationNamespace}, which istioctl or Helm create and the inputs do not hold`;
}
