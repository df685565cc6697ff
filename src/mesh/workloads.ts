// Workloads (pod templates), namespaces, and whether each pod gets a sidecar, per Istio version.
import type { Resource } from '../load/index.js';
import type { NamespaceFacts, ResolvedOptions } from '../options.js';
import type { FieldPath } from '../types.js';
import type {
  Cause,
  ContainerPort,
  MeshSettingsResolved,
  NamespaceInfo,
  SidecarDecision,
  Workload,
} from './model.js';
import { arr, get, obj, portNumber, str, stringMap } from './util.js';
import type { Release } from './releases.js';

/** Where each workload kind keeps its pod template. */
const POD_TEMPLATE_PATHS: Record<string, FieldPath> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'], // argoproj.io Rollout
  Pod: [],
};

export const WORKLOAD_KINDS = new Set(Object.keys(POD_TEMPLATE_PATHS));
const EXTENSIONS_KINDS = new Set(['Deployment', 'DaemonSet', 'ReplicaSet']);

/**
 * Namespaces the injector never touches (istio pkg/kube/inject/initializer.go IgnoredNamespaces; 1.4 had only
 * kube-system and kube-public). Also out of scope as servers by default.
 */
function injectorIgnoredNamespaces(v: Release): Set<string> {
  return v.has('injector-ignores-node-lease-namespaces')
    ? new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'])
    : new Set(['kube-system', 'kube-public']);
}

export const KUBERNETES_SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Every namespace the inputs name: Namespace resources (`resources`; other kinds are skipped), config, workloads and
 * `resourceNamespaces` (every resource's namespace; by default those of `resources`).
 */
export function collectNamespaces(
  resources: Resource[],
  workloadNamespaces: Iterable<string>,
  options: ResolvedOptions,
  resourceNamespaces: Iterable<string> = resources.flatMap((r) =>
    r.namespace === undefined ? [] : [r.namespace],
  ),
): Map<string, NamespaceInfo> {
  const map = new Map<string, NamespaceInfo>();
  for (const r of resources) {
    if (r.kind !== 'Namespace' || r.group !== '' || !r.name) continue;
    map.set(r.name, {
      name: r.name,
      resource: r,
      labels: stringMap(get(r.value, 'metadata', 'labels')),
      origin: 'manifest',
    });
  }
  const configured = options.config.namespaces ?? {};
  const ensure = (name: string) => {
    if (map.has(name)) return;
    const facts = configured[name];
    if (facts) map.set(name, { name, labels: labelsFromFacts(facts), origin: 'config' });
    else if (KUBERNETES_SYSTEM_NAMESPACES.includes(name))
      map.set(name, { name, labels: {}, origin: 'system' });
    else map.set(name, { name, labels: {}, origin: 'unknown' });
  };
  for (const name of Object.keys(configured)) ensure(name);
  for (const name of workloadNamespaces) ensure(name);
  for (const name of resourceNamespaces) ensure(name);
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function labelsFromFacts(facts: NamespaceFacts): Record<string, string> {
  const labels = { ...(facts.labels ?? {}) };
  if (facts.injection) labels['istio-injection'] = facts.injection;
  if (facts.revision) labels['istio.io/rev'] = facts.revision;
  if (facts.ambient) labels['istio.io/dataplane-mode'] = 'ambient';
  return labels;
}

export function extractWorkloads(resources: Resource[]): Omit<Workload, 'sidecar'>[] {
  const out: Omit<Workload, 'sidecar'>[] = [];
  // An extensions and an apps Deployment of one name are one object in a cluster (the same resource served by two
  // groups): the apps one stands for it.
  const inApps = new Set(
    resources.filter((r) => r.group === 'apps').map((r) => `${r.kind}|${r.namespace}|${r.name}`),
  );
  for (const r of resources) {
    const podPath = Object.hasOwn(POD_TEMPLATE_PATHS, r.kind) ? POD_TEMPLATE_PATHS[r.kind] : undefined;
    if (!podPath || r.namespace === undefined) continue;
    if (r.kind === 'Rollout' && r.group !== 'argoproj.io') continue;
    // extensions/v1beta1 served Deployments, DaemonSets and ReplicaSets until Kubernetes 1.16; manifests of that
    // era (istio-tutorial's recommendation-v4…v7) still run their pods, with the same pod template.
    const legacyGroup =
      r.group === 'extensions' &&
      EXTENSIONS_KINDS.has(r.kind) &&
      !inApps.has(`${r.kind}|${r.namespace}|${r.name}`);
    if (r.kind !== 'Rollout' && r.group !== '' && r.group !== 'apps' && r.group !== 'batch' && !legacyGroup)
      continue;
    const pod = obj(get(r.value, ...podPath));
    if (!pod) continue;
    const podSpec = obj(pod.spec) ?? {};
    const containerPorts: ContainerPort[] = [];
    for (const c of [...arr(podSpec.containers), ...arr(podSpec.initContainers)]) {
      for (const p of arr(obj(c)?.ports)) {
        const po = obj(p);
        const port = portNumber(po?.containerPort);
        if (port === undefined) continue;
        const cp: ContainerPort = { port, protocol: (str(po?.protocol) ?? 'TCP').toUpperCase() };
        const name = str(po?.name);
        if (name) cp.name = name;
        containerPorts.push(cp);
      }
    }
    out.push({
      kind: r.kind,
      name: r.name,
      namespace: r.namespace,
      resource: r,
      podPath,
      labels: stringMap(get(pod, 'metadata', 'labels')),
      annotations: stringMap(get(pod, 'metadata', 'annotations')),
      serviceAccount: str(podSpec.serviceAccountName) ?? str(podSpec.serviceAccount) ?? 'default',
      containerPorts,
      hostNetwork: podSpec.hostNetwork === true,
    });
  }
  return out;
}

const INJECT_KEY = 'sidecar.istio.io/inject';

/**
 * Do the namespace's labels call the injector for its pods (istio-injection=enabled, or istio.io/rev without an
 * istio-injection label, which wins)? Pod-level opt-outs aside, that is a namespace with sidecars.
 */
export function namespaceLabelsInject(labels: Record<string, string>): boolean {
  const injection = labels['istio-injection'];
  return injection === 'enabled' || (injection === undefined && labels['istio.io/rev'] !== undefined);
}

/** Pod-level inject value: true / false / undefined (use the default), per version's parser. */
function podInjectValue(
  w: Omit<Workload, 'sidecar'>,
  v: Release,
): { value: boolean | undefined; from?: 'label' | 'annotation'; raw?: string } {
  // Label wins from 1.12; 1.4–1.11 read the annotation only (pkg/kube/inject/inject.go injectRequired).
  const label = w.labels[INJECT_KEY];
  const annotation = w.annotations[INJECT_KEY];
  const useLabel = v.has('inject-label-wins') && label !== undefined;
  const raw = useLabel ? label : annotation;
  const from = useLabel ? 'label' : 'annotation';
  if (raw === undefined || raw === '') return { value: undefined };
  if (v.has('inject-value-exact-true-false')) {
    // 1.27+: exactly "true"/"false"; anything else falls back to the default policy.
    return raw === 'true'
      ? { value: true, from, raw }
      : raw === 'false'
        ? { value: false, from, raw }
        : { value: undefined, from, raw };
  }
  // 1.4–1.26: y|yes|true|on (any case) inject; any other non-empty value means "do not inject".
  return { value: /^(y|yes|true|on)$/i.test(raw), from, raw };
}

function alreadyInjected(w: Omit<Workload, 'sidecar'>): boolean {
  if (w.annotations['sidecar.istio.io/status']) return true;
  return containerNames(w, 'containers').includes('istio-proxy') || nativeSidecarProxy(w);
}

function containerNames(w: Omit<Workload, 'sidecar'>, list: 'containers' | 'initContainers'): string[] {
  return arr(get(w.resource.value, ...w.podPath, 'spec', list)).flatMap((c) => str(obj(c)?.name) ?? []);
}

function proxyArgs(w: Omit<Workload, 'sidecar'>): string[] {
  const path = proxyPath(w);
  return arr(get(w.resource.value, ...w.podPath, ...path, 'args')).flatMap((a) => str(a) ?? []);
}

function proxyPath(w: Omit<Workload, 'sidecar'>): FieldPath {
  const i = containerNames(w, 'containers').indexOf('istio-proxy');
  if (i >= 0) return ['spec', 'containers', i];
  const j = containerNames(w, 'initContainers').indexOf('istio-proxy');
  return j >= 0 ? ['spec', 'initContainers', j] : ['metadata'];
}

/** 1.19+ native sidecars: istio-proxy as an init container (restartPolicy Always). */
function nativeSidecarProxy(w: Omit<Workload, 'sidecar'>): boolean {
  return containerNames(w, 'initContainers').includes('istio-proxy');
}

/**
 * Why an istio-proxy container in the manifest does not see the pod's traffic, or undefined when it does. Traffic is
 * redirected by the istio-init container (istio-iptables) or, with the CNI plugin, by the node (the injector then adds
 * istio-validation instead); `sidecar.istio.io/interceptionMode: NONE` turns redirection off. A proxy without either
 * is only a certificate holder — Istio 1.5's Prometheus addon (inject "false", no istio-init) is this shape.
 */
function proxyWithoutCapture(w: Omit<Workload, 'sidecar'>): { reason: string; path: FieldPath } | undefined {
  const mode = w.annotations['sidecar.istio.io/interceptionMode'];
  if (mode !== undefined && mode.toUpperCase() === 'NONE')
    return {
      reason: 'its sidecar.istio.io/interceptionMode is NONE, so no traffic is redirected to its istio-proxy',
      path: ['metadata', 'annotations', 'sidecar.istio.io/interceptionMode'],
    };
  // Only a proxy started as a sidecar (`proxy sidecar`) is judged: gateways run istio-proxy as `proxy router`, without
  // redirection, and are proxies in their own right; a container left for the injector to fill (image: auto) says
  // nothing yet.
  if (!proxyArgs(w).includes('sidecar')) return undefined;
  const inits = containerNames(w, 'initContainers');
  if (inits.includes('istio-init') || inits.includes('istio-validation')) return undefined;
  // The injector's own mark: it added the redirection too, even where a manifest leaves the init containers out.
  if (w.annotations['sidecar.istio.io/status']) return undefined;
  if (w.annotations['k8s.v1.cni.cncf.io/networks']?.includes('istio-cni')) return undefined;
  return {
    reason:
      "its istio-proxy container has no istio-init (or CNI istio-validation) beside it, so nothing redirects the pod's traffic through it",
    path: proxyPath(w),
  };
}

/**
 * Does this pod get a sidecar (or ztunnel)? The webhook's selectors decide whether the injector is called at all
 * (istio-semantics.md §6.2, manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml), then
 * injectRequired decides (§6.1). Namespaces the inputs do not define are assumed to have no injection labels.
 */
export function decideSidecar(
  w: Omit<Workload, 'sidecar'>,
  ns: NamespaceInfo | undefined,
  settings: MeshSettingsResolved,
  options: ResolvedOptions,
): SidecarDecision {
  const v = settings.release;
  const r = w.resource;
  const at = (path: FieldPath, description: string) => ({
    resource: r,
    path: [...w.podPath, ...path],
    description,
  });
  if (w.hostNetwork) {
    return {
      state: 'none',
      certain: true,
      reason: 'it uses hostNetwork, which Istio never injects',
      cause: at(['spec', 'hostNetwork'], 'hostNetwork: true'),
    };
  }
  if (alreadyInjected(w)) {
    const uncaptured = proxyWithoutCapture(w);
    if (uncaptured)
      return {
        state: 'none',
        certain: true,
        reason: uncaptured.reason,
        cause: at(uncaptured.path, uncaptured.reason.split(',')[0]!),
      };
    return {
      state: 'sidecar',
      certain: true,
      reason: 'the manifest already contains the istio-proxy sidecar (istioctl kube-inject output)',
    };
  }
  if (injectorIgnoredNamespaces(v).has(w.namespace)) {
    return { state: 'none', certain: true, reason: `Istio never injects into ${w.namespace}` };
  }
  const nsLabels = ns?.labels ?? {};
  const nsUnknown = !ns || ns.origin === 'unknown';
  const nsRes = ns?.resource;
  const nsCause = (key: string) =>
    nsRes
      ? {
          resource: nsRes,
          path: ['metadata', 'labels', key],
          description: `namespace ${ns!.name} label ${key}=${nsLabels[key]}`,
        }
      : undefined;

  const ambient = ambientEnrolled(w, nsLabels, v);
  const pod = podInjectValue(w, v);
  const podCause = pod.from
    ? at(
        ['metadata', pod.from === 'label' ? 'labels' : 'annotations', INJECT_KEY],
        `${INJECT_KEY}=${pod.raw}`,
      )
    : undefined;
  const meshMesh = options.config.mesh ?? {};
  const policyEnabled = (meshMesh.injectionPolicy ?? 'enabled') === 'enabled';

  const decide = (webhookCalled: boolean, why: string, cause?: SidecarDecision['cause']): SidecarDecision => {
    const certain = !nsUnknown;
    const assumed = nsUnknown ? { unknownNamespace: w.namespace } : {};
    if (!webhookCalled) {
      if (ambient) return { state: 'ambient', certain, reason: ambient, ...assumed };
      return withCause({ state: 'none', certain, reason: why, ...assumed }, cause);
    }
    if (pod.value === true)
      return withCause(
        { state: 'sidecar', certain, reason: `${why} and the pod sets ${INJECT_KEY}=${pod.raw}`, ...assumed },
        podCause ?? cause,
      );
    if (pod.value === false) {
      if (ambient) return { state: 'ambient', certain, reason: ambient, ...assumed };
      return withCause(
        { state: 'none', certain, reason: `the pod opts out with ${INJECT_KEY}=${pod.raw}`, ...assumed },
        podCause,
      );
    }
    if (!policyEnabled) {
      return withCause(
        {
          state: 'none',
          certain,
          reason: `${why}, but the injector policy is disabled and the pod does not set ${INJECT_KEY}=true`,
          ...assumed,
        },
        cause,
      );
    }
    return withCause({ state: 'sidecar', certain, reason: why, ...assumed }, cause);
  };

  const injection = nsLabels['istio-injection'];
  const rev = nsLabels['istio.io/rev'];
  if (injection !== undefined) {
    // Any value other than "enabled" blocks every webhook; istio-injection wins over istio.io/rev.
    if (injection === 'enabled') {
      if (v.has('injection-object-selectors') && w.labels[INJECT_KEY] === 'false')
        return decide(
          false,
          `the pod label ${INJECT_KEY}=false excludes it from the webhook`,
          at(['metadata', 'labels', INJECT_KEY], `${INJECT_KEY}=false`),
        );
      return decide(true, `namespace ${w.namespace} has istio-injection=enabled`, nsCause('istio-injection'));
    }
    return decide(
      false,
      `namespace ${w.namespace} has istio-injection=${injection}`,
      nsCause('istio-injection'),
    );
  }
  if (rev !== undefined && v.has('injection-revisions')) {
    return decide(true, `namespace ${w.namespace} has istio.io/rev=${rev}`, nsCause('istio.io/rev'));
  }
  if (meshMesh.enableNamespacesByDefault) {
    return decide(true, `the injector is enabled for every namespace (mesh.enableNamespacesByDefault)`);
  }
  if (v.has('injection-object-selectors') && w.labels[INJECT_KEY] === 'true') {
    // 1.10+: a pod *label* true in an unlabelled namespace triggers the webhook (objectSelector); an annotation does not.
    return decide(
      true,
      `the pod label ${INJECT_KEY}=true asks for injection`,
      at(['metadata', 'labels', INJECT_KEY], `${INJECT_KEY}=true`),
    );
  }
  const podRev = w.labels['istio.io/rev'];
  if (v.has('injection-object-selectors') && podRev !== undefined && w.labels[INJECT_KEY] !== 'false') {
    // 1.10+ webhook "rev.object.sidecar-injector.istio.io": namespace without istio-injection/istio.io/rev, pod label
    // istio.io/rev=<revision> and inject label not "false" (mutatingwebhook.yaml; istio-semantics.md §6.2 (c)).
    return decide(
      true,
      `the pod label istio.io/rev=${podRev} asks that revision to inject it`,
      at(['metadata', 'labels', 'istio.io/rev'], `istio.io/rev=${podRev}`),
    );
  }
  const why = nsUnknown
    ? `namespace ${w.namespace} is not in the inputs, so it was assumed to have no istio-injection or istio.io/rev label`
    : `namespace ${w.namespace} has no istio-injection or istio.io/rev label`;
  return decide(
    false,
    why,
    nsUnknown
      ? undefined
      : nsRes
        ? { resource: nsRes, path: ['metadata'], description: `namespace ${w.namespace}` }
        : undefined,
  );
}

function withCause(d: SidecarDecision, cause: SidecarDecision['cause'] | undefined): SidecarDecision {
  if (cause) d.cause = cause;
  return d;
}

/** Ambient enrolment (istio-cni ambient.enablementSelectors; PeerAuthentication support from 1.19). */
function ambientEnrolled(
  w: Omit<Workload, 'sidecar'>,
  nsLabels: Record<string, string>,
  v: Release,
): string | undefined {
  if (!v.has('ambient')) return undefined;
  // istio-cni marks the pods it redirects to ztunnel; istiod reads the mark (ambient/workloads.go setTunnelProtocol).
  if (w.annotations['ambient.istio.io/redirection'] === 'enabled')
    return 'the pod carries ambient.istio.io/redirection=enabled: istio-cni redirects it to ztunnel';
  const pod = w.labels['istio.io/dataplane-mode'];
  if (pod === 'ambient') return 'the pod is enrolled in ambient mode (istio.io/dataplane-mode=ambient)';
  if (pod === 'none') return undefined;
  if (namespaceAmbient(nsLabels, v)) return `namespace ${w.namespace} is enrolled in ambient mode`;
  return undefined;
}

/**
 * Is a namespace enrolled in ambient mode (its pods go through ztunnel unless they opt out)? The one place this is
 * decided: workloads here, stand-in servers in the graph and the model's answers ask it.
 */
export function namespaceAmbient(nsLabels: Record<string, string>, v: Release): boolean {
  return v.has('ambient') && nsLabels['istio.io/dataplane-mode'] === 'ambient';
}

const INCLUDE_INBOUND = 'traffic.sidecar.istio.io/includeInboundPorts';
const EXCLUDE_INBOUND = 'traffic.sidecar.istio.io/excludeInboundPorts';

function portList(v: string): Set<string> {
  return new Set(
    v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/**
 * Is inbound traffic to this container port left out of the sidecar's capture? The injector passes the pod
 * annotations to istio-iptables (injection-template.yaml: includeInboundPorts, default "*"; excludeInboundPorts),
 * which redirects only included, not excluded ports: the application answers the others directly, in plaintext,
 * whatever PeerAuthentication says. The answer names the annotation that decides, or undefined when captured.
 */
export function inboundBypass(w: Workload, port: number, v: Release): Cause | undefined {
  const at = (key: string, why: string): Cause => ({
    resource: w.resource,
    path: [...w.podPath, 'metadata', 'annotations', key],
    description: `${key}: "${w.annotations[key]}" (${why})`,
  });
  const exclude = w.annotations[EXCLUDE_INBOUND];
  if (exclude !== undefined && portList(exclude).has(String(port)))
    return at(EXCLUDE_INBOUND, `port ${port} excluded`);
  const include = w.annotations[INCLUDE_INBOUND];
  if (include === undefined) {
    // 1.0–1.2: the default list is the ports the pod's containers declare (injection template).
    if (v.has('inbound-capture-all-ports') || w.containerPorts.some((c) => c.port === port)) return undefined;
    return {
      resource: w.resource,
      path: [...w.podPath, 'spec', 'containers'],
      description: `no container declares port ${port}, and Istio ${v.text} captures only declared container ports unless ${INCLUDE_INBOUND} says otherwise`,
    };
  }
  if (include.trim() === '*') return undefined;
  const included = portList(include);
  if (included.has('*') || included.has(String(port))) return undefined;
  return at(INCLUDE_INBOUND, included.size ? `port ${port} not included` : 'no inbound port captured');
}

const EXCLUDE_OUTBOUND_PORTS = 'traffic.sidecar.istio.io/excludeOutboundPorts';
const INCLUDE_OUTBOUND_RANGES = 'traffic.sidecar.istio.io/includeOutboundIPRanges';
const EXCLUDE_OUTBOUND_RANGES = 'traffic.sidecar.istio.io/excludeOutboundIPRanges';

/**
 * Does this pod's traffic to (destination IP, port) leave without its sidecar? istio-iptables (fed by the injector
 * from these annotations: injection-template.yaml) redirects outbound traffic to ranges in includeOutboundIPRanges
 * ("*" all, default; "" none) that are not in excludeOutboundIPRanges, except to excludeOutboundPorts. A Service's
 * ClusterIP is rarely in manifests: `ip` undefined means "not known", and then only what does not depend on it
 * decides (ports, "" and "*"); an unknown ClusterIP is assumed inside an include list (that is what such lists are
 * written for) and outside an exclude list.
 */
export function outboundBypass(w: Workload, port: number, ip: string | undefined): Cause | undefined {
  const at = (key: string, why: string): Cause => ({
    resource: w.resource,
    path: [...w.podPath, 'metadata', 'annotations', key],
    description: `${key}: "${w.annotations[key]}" (${why})`,
  });
  const ports = w.annotations[EXCLUDE_OUTBOUND_PORTS];
  if (ports !== undefined && portList(ports).has(String(port)))
    return at(EXCLUDE_OUTBOUND_PORTS, `port ${port} excluded`);
  const include = w.annotations[INCLUDE_OUTBOUND_RANGES];
  if (include !== undefined) {
    const ranges = portList(include);
    if (ranges.size === 0) return at(INCLUDE_OUTBOUND_RANGES, 'no outbound traffic captured');
    if (ip !== undefined && !ranges.has('*') && ![...ranges].some((r) => inRange(ip, r)))
      return at(INCLUDE_OUTBOUND_RANGES, `${ip} not included`);
  }
  const exclude = w.annotations[EXCLUDE_OUTBOUND_RANGES];
  if (exclude !== undefined) {
    const ranges = portList(exclude);
    if (ip !== undefined && [...ranges].some((r) => inRange(ip, r)))
      return at(EXCLUDE_OUTBOUND_RANGES, `${ip} excluded`);
  }
  return undefined;
}

/** IPv4 address in CIDR (an address alone is a /32); anything unparsable matches nothing. */
function inRange(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const a = ipv4(ip);
  const b = ipv4(base ?? '');
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}
