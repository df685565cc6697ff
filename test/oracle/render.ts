// Scenario → Kubernetes/Istio manifests (YAML text) and the .mtls-lint.yaml config that goes with them.
import { stringify } from 'yaml';
import type { Config, NamespaceFacts } from '../../src/options.js';
import {
  DEFAULT_ROOT_NAMESPACE,
  type CallSpec,
  type EgressSpec,
  type PeersForm,
  type Scenario,
  type ServiceSpec,
  type VirtualServiceSpec,
  type VsDestination,
  type SidecarIngressSpec,
  type WorkloadSpec,
} from './scenario.js';

export type Doc = Record<string, unknown>;

export interface RenderedScenario {
  docs: Doc[];
  yaml: string;
  config: Config;
}

export function renderScenario(s: Scenario): RenderedScenario {
  const docs: Doc[] = [];
  const config: Config = {};
  // The root namespace is written once: by the namespaces list when it holds it (a client there, `audit`).
  const listed = (name: string) => s.namespaces.some((n) => n.name === name);
  if (!listed(DEFAULT_ROOT_NAMESPACE))
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_ROOT_NAMESPACE } });
  if (s.rootNamespace !== DEFAULT_ROOT_NAMESPACE) {
    if (!listed(s.rootNamespace))
      docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.rootNamespace } });
    config.mesh = { rootNamespace: s.rootNamespace };
  }
  for (const ns of s.namespaces) {
    const labels: Record<string, string> = {};
    if (ns.injection) labels['istio-injection'] = ns.injection;
    if (ns.revision) labels['istio.io/rev'] = ns.revision;
    if (ns.via === 'config') {
      const facts: NamespaceFacts = {};
      if (ns.injection) facts.injection = ns.injection;
      if (ns.revision) facts.revision = ns.revision;
      config.namespaces = { ...config.namespaces, [ns.name]: facts };
    } else {
      docs.push({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: Object.keys(labels).length ? { name: ns.name, labels } : { name: ns.name },
      });
    }
  }
  let mesh = '';
  if (s.autoMtls !== undefined && s.autoMtlsVia === 'configmap') mesh += `enableAutoMtls: ${s.autoMtls}\n`;
  if (s.registryOnly) mesh += 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n';
  if (s.vsDefaultExportTo) mesh += `defaultVirtualServiceExportTo: ${JSON.stringify(s.vsDefaultExportTo)}\n`;
  if (mesh) {
    docs.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: DEFAULT_ROOT_NAMESPACE },
      data: { mesh },
    });
  }
  for (const svc of s.services) {
    const doc = service(svc);
    const ip = s.clusterIps?.[`${svc.namespace}/${svc.name}`];
    if (ip) (doc.spec as Doc).clusterIP = ip;
    docs.push(doc);
  }
  for (const w of s.workloads) {
    const calls = s.calls
      .filter((c) => c.via === 'annotation' && c.from.namespace === w.namespace && c.from.name === w.name)
      .map(target);
    docs.push(withEnvCalls(workload(w, calls), s, w));
  }
  for (const pa of s.peerAuthentications) {
    const spec: Doc = {};
    if (pa.selector) spec.selector = { matchLabels: { ...pa.selector } };
    else if (pa.emptySelector) spec.selector = { matchLabels: {} };
    if (pa.mode === 'empty-mtls') spec.mtls = {};
    else if (pa.mode !== 'no-mtls') spec.mtls = { mode: pa.mode };
    if (pa.portLevel.length)
      spec.portLevelMtls = Object.fromEntries(pa.portLevel.map((p) => [String(p.port), { mode: p.mode }]));
    docs.push({
      apiVersion: pa.apiVersion,
      kind: 'PeerAuthentication',
      metadata: { name: pa.name, namespace: pa.namespace },
      spec,
    });
  }
  for (const p of s.legacyPolicies) {
    const spec: Doc = {};
    if (p.target)
      spec.targets = [
        p.target.port ? { name: p.target.name, ports: [p.target.port] } : { name: p.target.name },
      ];
    const peers = peersOf(p.peers);
    if (peers) spec.peers = peers;
    const metadata: Doc =
      p.namespace === undefined ? { name: p.name } : { name: p.name, namespace: p.namespace };
    docs.push({ apiVersion: 'authentication.istio.io/v1alpha1', kind: p.kind, metadata, spec });
  }
  const drVersion = s.version === '1.30' ? 'networking.istio.io/v1' : 'networking.istio.io/v1alpha3';
  for (const dr of s.destinationRules) {
    const spec: Doc = { host: dr.host };
    if (dr.exportTo) spec.exportTo = dr.exportTo;
    if (!dr.noTrafficPolicy) {
      const tp: Doc = {};
      if (dr.tls !== 'none') tp.tls = { mode: dr.tls };
      if (dr.portLevel.length) {
        tp.portLevelSettings = dr.portLevel.map((pl) =>
          pl.tls === 'none'
            ? { port: { number: pl.port }, loadBalancer: { simple: 'ROUND_ROBIN' } }
            : { port: { number: pl.port }, tls: { mode: pl.tls } },
        );
      }
      if (dr.credentialName && tp.tls) (tp.tls as Doc).credentialName = `${dr.name}-credential`;
      if (dr.lbPassthrough) tp.loadBalancer = { simple: 'PASSTHROUGH' };
      if (Object.keys(tp).length === 0) tp.connectionPool = { tcp: { maxConnections: 100 } };
      spec.trafficPolicy = tp;
    }
    if (dr.subsets) spec.subsets = [{ name: 'v1', labels: { version: 'v1' } }];
    if (dr.subsetPolicies)
      spec.subsets = dr.subsetPolicies.map((sp) =>
        sp.tls === 'none'
          ? { name: sp.name, labels: { version: sp.name } }
          : { name: sp.name, labels: { version: sp.name }, trafficPolicy: { tls: { mode: sp.tls } } },
      );
    const metadata: Doc = { name: dr.name, namespace: dr.namespace };
    if (dr.createdAt) metadata.creationTimestamp = dr.createdAt;
    docs.push({ apiVersion: drVersion, kind: 'DestinationRule', metadata, spec });
  }

  docs.push(...renderSidecars(s));
  for (const se of s.serviceEntries) {
    const spec: Doc = {
      hosts: [se.host],
      ports: [{ number: se.port.port, name: se.port.name, protocol: se.port.protocol }],
      resolution: se.resolution,
    };
    if (se.location) spec.location = se.location;
    if (se.exportTo) spec.exportTo = se.exportTo;
    if (se.selector) spec.workloadSelector = { labels: { ...se.selector } };
    if (se.endpoints)
      spec.endpoints = se.endpoints.map((e, i) => {
        const ep: Doc = { address: `10.2.0.${i + 1}` };
        if (e.tlsMode) ep.labels = { 'security.istio.io/tlsMode': e.tlsMode };
        if (e.serviceAccount) ep.serviceAccount = 'vm';
        return ep;
      });
    docs.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: se.name, namespace: se.namespace },
      spec,
    });
  }
  s.workloadEntries.forEach((we, i) => {
    const labels: Record<string, string> = { app: we.app };
    if (we.tlsMode) labels['security.istio.io/tlsMode'] = we.tlsMode;
    const spec: Doc = { address: `10.3.0.${i + 1}`, labels };
    if (we.serviceAccount) spec.serviceAccount = 'vm';
    docs.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: we.name, namespace: we.namespace },
      spec,
    });
  });
  for (const vs of s.virtualServices) {
    const spec: Doc = { hosts: [vs.host] };
    if (vs.gateways) spec.gateways = vs.gateways;
    if (vs.exportTo) spec.exportTo = vs.exportTo;
    spec[vs.section] = vsRoutes(vs);
    docs.push({
      apiVersion: drVersion,
      kind: 'VirtualService',
      metadata: { name: vs.name, namespace: vs.namespace },
      spec,
    });
  }

  if (s.egress) docs.push(...egressDocs(s.egress));
  docs.push(...renderAuthz(s));
  for (const sc of s.sidecarIngress ?? []) docs.push(sidecarIngress(sc));
  for (const p of s.podAddresses ?? [])
    docs.push({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: p.service, namespace: p.namespace },
      subsets: [{ addresses: [{ ip: p.address, targetRef: { kind: 'Pod', name: p.podName } }] }],
    });

  const callers = s.calls
    .filter((c) => c.via === 'config')
    .map((c) => ({
      from: `${c.from.namespace}/${c.from.name}`,
      to: target(c),
    }));
  if (callers.length) config.callers = callers;
  if (s.autoMtls !== undefined && s.autoMtlsVia === 'config')
    config.mesh = { ...config.mesh, autoMtls: s.autoMtls };
  if (s.injectionPolicy) config.mesh = { ...config.mesh, injectionPolicy: s.injectionPolicy };
  return { docs, yaml: docsToYaml(docs), config };
}

/** How a caller names its target: svc.ns:port, or a ServiceEntry's host:port. */
function docsToYaml(docs: Doc[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0, version: '1.1' })).join('---\n');
}

function peersOf(form: PeersForm): Doc[] | undefined {
  switch (form) {
    case 'strict-empty':
      return [{ mtls: {} }];
    case 'strict-null':
      return [{ mtls: null }];
    case 'strict-mode':
      return [{ mtls: { mode: 'STRICT' } }];
    case 'permissive':
      return [{ mtls: { mode: 'PERMISSIVE' } }];
    case 'none':
      return undefined;
  }
}

/** How a call names its server: the Service, or one pod of a headless Service by its own DNS name. */
function target(c: CallSpec): string {
  if (c.entry) return `${c.callHost ?? c.to.name}:${c.port}`;
  const host = `${c.to.name}.${c.to.namespace}`;
  if (!c.podHost) return `${host}:${c.port}`;
  return `${c.podHost.pod}.${host}${c.podHost.fqdn ? '.svc.cluster.local' : ''}:${c.port}`;
}

function service(s: ServiceSpec): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      ...(s.headless ? { clusterIP: 'None' } : {}),
      selector: { app: s.name },
      ports: s.ports.map((p) =>
        p.name === undefined
          ? { port: p.port, targetPort: p.targetPort }
          : { name: p.name, port: p.port, targetPort: p.targetPort },
      ),
    },
  };
}

function workload(w: WorkloadSpec, calls: string[]): Doc {
  const value = (where: string) => w.inject.find((i) => i.where === where)?.value;
  const metadata: Doc = { name: w.name, namespace: w.namespace };
  const topLabels: Record<string, string> = {};
  const topAnnotations: Record<string, string> = {};
  if (value('workload-label') !== undefined) topLabels['sidecar.istio.io/inject'] = value('workload-label')!;
  if (value('workload-annotation') !== undefined)
    topAnnotations['sidecar.istio.io/inject'] = value('workload-annotation')!;
  if (calls.length) topAnnotations['mtls-lint.io/calls'] = calls.join(',');
  if (Object.keys(topLabels).length) metadata.labels = topLabels;
  if (Object.keys(topAnnotations).length) metadata.annotations = topAnnotations;

  const podLabels: Record<string, string> = { app: w.app, version: w.version };
  if (value('pod-label') !== undefined) podLabels['sidecar.istio.io/inject'] = value('pod-label')!;
  const podMeta: Doc = { labels: podLabels };
  const podAnnotations: Record<string, string> = {};
  if (value('pod-annotation') !== undefined)
    podAnnotations['sidecar.istio.io/inject'] = value('pod-annotation')!;
  if (w.bypass) renderBypass(w.bypass, podLabels, podAnnotations);
  if (Object.keys(podAnnotations).length) podMeta.annotations = podAnnotations;
  const containers = [
    {
      name: 'app',
      image: 'example.com/app:1',
      ports: w.containerPorts.map((p) =>
        p.name ? { name: p.name, containerPort: p.port } : { containerPort: p.port },
      ),
    },
  ];
  const podSpec: Doc = w.kind === 'CronJob' ? { restartPolicy: 'OnFailure', containers } : { containers };
  if (w.bypass?.manualProxy) renderManualProxy(w.bypass.manualProxy, containers, podSpec, podLabels);
  if (w.hostNetwork) podSpec.hostNetwork = true;
  if (w.subdomain) {
    podSpec.hostname = w.name;
    podSpec.subdomain = w.subdomain;
  }
  const selector = { matchLabels: { app: w.app, version: w.version } };
  if (w.kind === 'Deployment') {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: { replicas: 1, selector, template: { metadata: podMeta, spec: podSpec } },
    };
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { metadata: podMeta, spec: podSpec } } },
    },
  };
}

/** entries2: the egress gateway (Deployment, Service, Gateway), the mesh route to it and its DestinationRule. */
function egressDocs(e: EgressSpec): Doc[] {
  const ns = DEFAULT_ROOT_NAMESPACE;
  const labels = { app: 'istio-egressgateway', istio: 'egressgateway' };
  const subset: Doc = { name: 'ext' };
  if (e.ruleTls !== 'none') subset.trafficPolicy = { tls: { mode: e.ruleTls } };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-egressgateway', namespace: ns },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { 'sidecar.istio.io/inject': 'false' } },
          spec: {
            containers: [
              {
                name: 'istio-proxy',
                image: 'docker.io/istio/proxyv2:1.22.0',
                args: ['proxy', 'router'],
                ports: [{ containerPort: 8080 }, { containerPort: 8443 }],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace: ns },
      spec: {
        selector: { istio: 'egressgateway' },
        ports: [
          { name: 'http2', port: 80, targetPort: 8080 },
          { name: 'https', port: 443, targetPort: 8443 },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'egress', namespace: ns },
      spec: {
        selector: { istio: 'egressgateway' },
        servers: [
          e.gatewayTls
            ? {
                port: { number: 443, name: 'https', protocol: 'HTTPS' },
                hosts: ['ext.example.org'],
                tls: { mode: 'ISTIO_MUTUAL' },
              }
            : { port: { number: 443, name: 'http', protocol: 'HTTP' }, hosts: ['ext.example.org'] },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ext-through-egress', namespace: e.namespace },
      spec: {
        hosts: ['ext.example.org'],
        http: [
          {
            match: [{ port: 80 }],
            route: [
              {
                destination: {
                  host: 'istio-egressgateway.istio-system.svc.cluster.local',
                  subset: 'ext',
                  port: { number: 443 },
                },
              },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'egress-for-ext', namespace: e.ruleNamespace },
      spec: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subsets: [subset] },
    },
  ];
}

// ---- routing II: routes with sourceLabels, destinations on other hosts and ports ------------------------------

function weighted(destinations: VsDestination[]): Doc[] {
  const weight = destinations.length > 1 ? Math.floor(100 / destinations.length) : undefined;
  return destinations.map((d, i) => {
    const destination: Doc = d.subset ? { host: d.host, subset: d.subset } : { host: d.host };
    if (d.port !== undefined) destination.port = { number: d.port };
    if (weight === undefined) return { destination };
    return { destination, weight: i === 0 ? 100 - weight * (destinations.length - 1) : weight };
  });
}

/** The route list of a VirtualService section: one route, or a sourceLabels route followed by the fallback. */
function vsRoutes(vs: VirtualServiceSpec): Doc[] {
  if (vs.sourceApp === undefined) return [{ route: weighted(vs.destinations) }];
  const routes: Doc[] = [
    { match: [{ sourceLabels: { app: vs.sourceApp } }], route: weighted(vs.destinations) },
  ];
  if (vs.fallback?.length) routes.push({ route: weighted(vs.fallback) });
  return routes;
}

/** A Sidecar selecting one workload, with an ingress listener per port (forwarded to the same port on localhost). */
function sidecarIngress(sc: SidecarIngressSpec): Doc {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'Sidecar',
    metadata: { name: `${sc.workload}-ingress`, namespace: sc.namespace },
    spec: {
      workloadSelector: { labels: { app: sc.app, version: sc.version } },
      ingress: sc.ports.map((port) => ({
        port: { number: port, protocol: 'TCP', name: `tcp-${port}` },
        defaultEndpoint: `127.0.0.1:${port}`,
      })),
    },
  };
}

/** Calls to IP literals, as env values of the workload's container ("10.96.0.10:8000"). */
function withEnvCalls(doc: Doc, s: Scenario, w: WorkloadSpec): Doc {
  const env = s.calls
    .filter((c) => c.via === 'env' && c.ip && c.from.namespace === w.namespace && c.from.name === w.name)
    .map((c, i) => ({ name: `TARGET_${i}`, value: `${c.ip!.address}:${c.port}` }));
  if (!env.length) return doc;
  const spec = doc.spec as Doc;
  const template = (w.kind === 'CronJob' ? (spec.jobTemplate as Doc).spec : spec) as Doc;
  const podSpec = (template.template as Doc).spec as { containers: Doc[] };
  podSpec.containers[0]!.env = env;
  return doc;
}

/** Issue 17 (scenarioArb({ audit: true })): the pod annotations istio-iptables reads, and the tlsMode label. */
function renderSidecars(s: Scenario): Doc[] {
  const apiVersion = s.version === '1.30' ? 'networking.istio.io/v1' : 'networking.istio.io/v1alpha3';
  return (s.sidecars ?? []).map((sc) => {
    const spec: Doc = { egress: [{ hosts: sc.hosts }] };
    if (sc.outboundTrafficPolicy) spec.outboundTrafficPolicy = { mode: sc.outboundTrafficPolicy };
    return { apiVersion, kind: 'Sidecar', metadata: { name: 'default', namespace: sc.namespace }, spec };
  });
}

/** A pre-injected istio-proxy (istioctl kube-inject output, reduced): with istio-init when it captures traffic. */
function renderManualProxy(
  kind: 'captured' | 'uncaptured',
  containers: Doc[],
  podSpec: Doc,
  labels: Record<string, string>,
): void {
  containers.push({
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.22.0',
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local'],
  });
  if (kind !== 'captured') return;
  labels['security.istio.io/tlsMode'] = 'istio';
  podSpec.initContainers = [
    {
      name: 'istio-init',
      image: 'docker.io/istio/proxyv2:1.22.0',
      args: [
        'istio-iptables',
        '-p',
        '15001',
        '-z',
        '15006',
        '-u',
        '1337',
        '-m',
        'REDIRECT',
        '-i',
        '*',
        '-b',
        '*',
      ],
    },
  ];
}

function renderBypass(
  b: NonNullable<WorkloadSpec['bypass']>,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): void {
  const list = (v: number[] | string) => (Array.isArray(v) ? v.join(',') : v);
  if (b.tlsModeLabel) labels['security.istio.io/tlsMode'] = b.tlsModeLabel;
  if (b.excludeInbound) annotations['traffic.sidecar.istio.io/excludeInboundPorts'] = list(b.excludeInbound);
  if (b.includeInbound !== undefined)
    annotations['traffic.sidecar.istio.io/includeInboundPorts'] = list(b.includeInbound);
  if (b.excludeOutbound)
    annotations['traffic.sidecar.istio.io/excludeOutboundPorts'] = list(b.excludeOutbound);
  if (b.includeOutboundRanges !== undefined)
    annotations['traffic.sidecar.istio.io/includeOutboundIPRanges'] = b.includeOutboundRanges;
}

/** Issue 17 (scenarioArb({ authz: true })): ALLOW AuthorizationPolicies naming principals or namespaces. */
function renderAuthz(s: Scenario): Doc[] {
  // v1 exists from 1.22 on; v1beta1 from 1.4.
  const apiVersion = s.version === '1.30' ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
  return (s.authorizationPolicies ?? []).map((ap) => {
    const spec: Doc = {};
    if (ap.selector) spec.selector = { matchLabels: { ...ap.selector } };
    if (ap.actionWritten) spec.action = 'ALLOW';
    const values = ap.field === 'principals' ? ['cluster.local/ns/foo/sa/default'] : ['foo'];
    spec.rules = [{ from: [{ source: { [ap.field]: values } }] }];
    return {
      apiVersion,
      kind: 'AuthorizationPolicy',
      metadata: { name: ap.name, namespace: ap.namespace },
      spec,
    };
  });
}
