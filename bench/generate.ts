// Synthetic meshes for the benchmark and the stress test: a repository of Kubernetes/Istio manifests of a given size,
// the same bytes for the same (workloads, seed) on every machine. Everything random comes from one small PRNG.
//
// Shape (per namespace, one directory, a few files each — like a platform team's repository):
//   namespace.yaml   Namespace (unless the namespace is "missing" from the inputs), namespace-level PeerAuthentication,
//                    sometimes a wildcard DestinationRule for the namespace's hosts
//   apps-NN.yaml     4 apps per file: Deployment | StatefulSet | CronJob, Service (several ports, named target ports),
//                    ServiceAccount, ConfigMap with service URLs, sometimes a PodDisruptionBudget (a kind we skip)
//   security.yaml    workload- and port-level PeerAuthentications, AuthorizationPolicies, legacy Policies
//   traffic.yaml     DestinationRules: exact and short hosts, subsets, port-level tls
// plus istio-system/mesh.yaml with the mesh-level PeerAuthentication.
//
// Namespace profiles cycle through PROFILES in order (not at random), so every mesh of ≥ 10 namespaces has each
// kind of namespace; the random choices are per app (kind, ports, references, policies).

export interface MeshOptions {
  /** Number of workloads (Deployments + StatefulSets + CronJobs). */
  workloads: number;
  seed: number;
  /** Apps per namespace (default 50). */
  perNamespace?: number;
}

export interface GeneratedFile {
  /** Relative path, forward slashes. */
  path: string;
  text: string;
}

export interface NamespaceProfile {
  /** enabled: istio-injection=enabled; rev: istio.io/rev=canary; none: a Namespace without labels; disabled:
   *  istio-injection=disabled; missing: no Namespace manifest at all; ambient: istio.io/dataplane-mode=ambient. */
  injection: 'enabled' | 'rev' | 'none' | 'disabled' | 'missing' | 'ambient';
  /** Namespace-level PeerAuthentication mode, if any. */
  mode?: 'STRICT' | 'PERMISSIVE';
  /** A `*.<ns>.svc.cluster.local` ISTIO_MUTUAL DestinationRule exported only to its own namespace. */
  wildcardDr?: boolean;
}

export const PROFILES: readonly NamespaceProfile[] = [
  { injection: 'enabled', mode: 'STRICT' },
  { injection: 'enabled', mode: 'PERMISSIVE' },
  { injection: 'none' },
  { injection: 'enabled', wildcardDr: true },
  { injection: 'rev', mode: 'STRICT' },
  { injection: 'missing' },
  { injection: 'enabled', mode: 'PERMISSIVE', wildcardDr: true },
  { injection: 'ambient', mode: 'STRICT' },
  { injection: 'disabled' },
  { injection: 'enabled' },
];

export interface AppInfo {
  name: string;
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'CronJob';
  /** Service ports (none for CronJobs, which are clients only). */
  ports: { name: string; port: number; targetPort: number | string; containerPort: number }[];
  serviceAccount: string;
  /** The pod opts out of injection with the label sidecar.istio.io/inject=false. */
  optOut: boolean;
  /** Hosts this app's env, args and ConfigMap name ("svc.ns:port" as written). */
  references: string[];
  /** The pod's `version` label (DestinationRule subsets select v1 and v2). */
  version: 'v1' | 'v2';
}

/** What the generator decided for each Istio policy, so that tests can reason about the expected findings. */
export type PolicyFact =
  | {
      kind: 'PeerAuthentication';
      namespace: string;
      name: string;
      level: 'mesh' | 'namespace';
      mode: 'STRICT' | 'PERMISSIVE';
    }
  | {
      kind: 'PeerAuthentication';
      namespace: string;
      name: string;
      level: 'workload';
      app: AppInfo;
      variant: WorkloadPaVariant;
    }
  | { kind: 'DestinationRule'; namespace: string; name: string; host: 'wildcard' }
  | {
      kind: 'DestinationRule';
      namespace: string;
      name: string;
      app: AppInfo;
      host: 'fqdn' | 'short';
      mode: DrMode;
      subsets: boolean;
      /** portLevelSettings: port 9102 tls DISABLE. */
      metricsDisable: boolean;
    }
  | {
      kind: 'AuthorizationPolicy';
      namespace: string;
      name: string;
      app: AppInfo;
      /** ALLOW: from principals of `callers` (or from the app's own namespace when it has none);
       *  DENY: from notNamespaces [own namespace, istio-system] on /admin/*. */
      action: 'ALLOW' | 'DENY';
      callers: AppInfo[];
    }
  | { kind: 'Policy'; namespace: string; name: string; app: AppInfo };

/** strict: mode STRICT; permissive-metrics-disable: PERMISSIVE with portLevelMtls 9102 DISABLE (a no-op for an app
 *  without the metrics port); port-strict: no mode, portLevelMtls 8080 STRICT. */
export type WorkloadPaVariant = 'strict' | 'permissive-metrics-disable' | 'port-strict';
type DrMode = 'ISTIO_MUTUAL' | 'DISABLE' | 'SIMPLE';

export interface GeneratedMesh {
  files: GeneratedFile[];
  namespaces: { name: string; profile: NamespaceProfile }[];
  apps: AppInfo[];
  policies: PolicyFact[];
  /** Resources per kind (what a reader of the table wants to know about the input). */
  kinds: Record<string, number>;
  resources: number;
  bytes: number;
  /** A file whose namespace PeerAuthentication is PERMISSIVE, and its text with STRICT: the PR-mode change. */
  change: { path: string; before: string; after: string } | undefined;
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG; enough for test data, and the same everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'api',
  'auth',
  'billing',
  'cart',
  'catalog',
  'checkout',
  'events',
  'gateway',
  'inventory',
  'ledger',
  'mailer',
  'notify',
  'orders',
  'payments',
  'pricing',
  'profile',
  'quotes',
  'ratings',
  'reports',
  'search',
  'session',
  'shipping',
  'stock',
  'users',
];
const TEAMS = ['core', 'shop', 'data', 'risk', 'growth', 'infra', 'media', 'ops', 'fin', 'ml'];

const APPS_PER_FILE = 4;

export function generateMesh(options: MeshOptions): GeneratedMesh {
  const rand = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const perNs = options.perNamespace ?? 50;
  const nsCount = Math.max(1, Math.ceil(options.workloads / perNs));

  // Pass 1: names, kinds and ports, so that references can point at any service of the mesh.
  const namespaces = Array.from({ length: nsCount }, (_, i) => ({
    name: `${TEAMS[i % TEAMS.length]}-${String(i).padStart(3, '0')}`,
    profile: PROFILES[i % PROFILES.length]!,
  }));
  const apps: AppInfo[] = [];
  for (let i = 0; i < options.workloads; i++) {
    const ns = namespaces[Math.floor(i / perNs)]!;
    const name = `${pick(WORDS)}-${i}`;
    const r = rand();
    const kind: AppInfo['kind'] = r < 0.1 ? 'CronJob' : r < 0.3 ? 'StatefulSet' : 'Deployment';
    const ports: AppInfo['ports'] = [];
    if (kind !== 'CronJob') {
      ports.push({ name: 'http', port: 80, targetPort: 'http', containerPort: 8080 });
      if (chance(0.5)) ports.push({ name: 'grpc', port: 9090, targetPort: 9090, containerPort: 9090 });
      if (chance(0.4))
        ports.push({ name: 'http-metrics', port: 9102, targetPort: 'metrics', containerPort: 9102 });
      if (kind === 'StatefulSet' && chance(0.3))
        ports.push({ name: 'tcp-postgres', port: 5432, targetPort: 5432, containerPort: 5432 });
    }
    const optOut = (ns.profile.injection === 'enabled' || ns.profile.injection === 'rev') && chance(0.03);
    apps.push({
      name,
      namespace: ns.name,
      kind,
      ports,
      serviceAccount: name,
      optOut,
      references: [],
      version: 'v1',
    });
  }
  const servers = apps.filter((a) => a.ports.length > 0);
  const serversByNs = new Map<string, AppInfo[]>();
  for (const s of servers) push(serversByNs, s.namespace, s);

  const callersOf = new Map<AppInfo, AppInfo[]>();
  const nsIndex = new Map(namespaces.map((n, i) => [n.name, i]));
  /** A service another app calls: mostly its own namespace, often a neighbour, sometimes anywhere. */
  const target = (from: AppInfo): AppInfo | undefined => {
    const r = rand();
    const local = serversByNs.get(from.namespace) ?? [];
    let pool: AppInfo[];
    if (r < 0.5 && local.length) pool = local;
    else if (r < 0.8) {
      const i = nsIndex.get(from.namespace)!;
      pool = serversByNs.get(namespaces[(i + 1) % namespaces.length]!.name) ?? servers;
    } else pool = servers;
    const t = pool.length ? pick(pool) : undefined;
    return t === from ? undefined : t;
  };
  const url = (from: AppInfo, t: AppInfo): string => {
    const port = pick(t.ports);
    const ref =
      t.namespace === from.namespace && chance(0.5)
        ? `${t.name}:${port.port}`
        : chance(0.5)
          ? `${t.name}.${t.namespace}:${port.port}`
          : `${t.name}.${t.namespace}.svc.cluster.local:${port.port}`;
    from.references.push(ref);
    push(callersOf, t, from);
    return `${port.name.startsWith('grpc') ? 'grpc' : 'http'}://${ref}${port.name.startsWith('grpc') ? '' : '/v1'}`;
  };

  const appsByNs = new Map<string, AppInfo[]>();
  for (const a of apps) push(appsByNs, a.namespace, a);
  const kinds: Record<string, number> = {};
  const count = (kind: string) => (kinds[kind] = (kinds[kind] ?? 0) + 1);
  const files: GeneratedFile[] = [];
  const policies: PolicyFact[] = [
    {
      kind: 'PeerAuthentication',
      namespace: 'istio-system',
      name: 'default',
      level: 'mesh',
      mode: 'PERMISSIVE',
    },
  ];
  let change: GeneratedMesh['change'];

  files.push({ path: 'istio-system/mesh.yaml', text: meshFile(count) });

  for (const ns of namespaces) {
    const dir = `${ns.name}`;
    const nsApps = appsByNs.get(ns.name) ?? [];
    const nsText = namespaceFile(ns.name, ns.profile, count);
    files.push({ path: `${dir}/namespace.yaml`, text: nsText });
    if (!change && ns.profile.mode === 'PERMISSIVE') {
      change = {
        path: `${dir}/namespace.yaml`,
        before: nsText,
        after: nsText.replace('mode: PERMISSIVE', 'mode: STRICT'),
      };
    }
    const security: string[] = [];
    const traffic: string[] = [];
    for (let k = 0; k < nsApps.length; k += APPS_PER_FILE) {
      const docs: string[] = [];
      for (const app of nsApps.slice(k, k + APPS_PER_FILE)) {
        const calls: string[] = [];
        const nUrls = 1 + Math.floor(rand() * 3);
        for (let u = 0; u < nUrls; u++) {
          const t = target(app);
          if (t) calls.push(url(app, t));
        }
        const cmTarget = target(app);
        const cmUrl = cmTarget ? url(app, cmTarget) : 'https://api.example.com/v2';
        const declared = chance(0.03) ? target(app) : undefined;
        if (declared)
          app.references.push(`${declared.name}.${declared.namespace}:${declared.ports[0]!.port}`);
        const argTarget = chance(0.1) ? target(app) : undefined;
        const argRef = argTarget
          ? `${argTarget.name}.${argTarget.namespace}:${argTarget.ports[0]!.port}`
          : undefined;
        if (argRef) app.references.push(argRef);
        docs.push(
          workloadDoc(app, calls, {
            envFrom: chance(0.3),
            declared: declared
              ? `${declared.name}.${declared.namespace}:${declared.ports[0]!.port}`
              : undefined,
            arg: argRef,
            version: (app.version = chance(0.8) ? 'v1' : 'v2'),
          }),
        );
        count(app.kind);
        docs.push(serviceAccountDoc(app));
        count('ServiceAccount');
        docs.push(configMapDoc(app, cmUrl, chance(0.2) ? 'https://api.example.com/v2' : undefined));
        count('ConfigMap');
        if (app.ports.length) {
          docs.push(serviceDoc(app));
          count('Service');
          if (chance(0.3)) {
            docs.push(pdbDoc(app));
            count('PodDisruptionBudget');
          }
          if (app.kind === 'Deployment' && chance(0.4)) {
            docs.push(hpaDoc(app));
            count('HorizontalPodAutoscaler');
          }
        }
        const hasSidecars = ns.profile.injection === 'enabled' || ns.profile.injection === 'rev';
        if (app.ports.length && hasSidecars && chance(0.1)) {
          const variant = pick(['strict', 'permissive-metrics-disable', 'port-strict'] as const);
          security.push(workloadPeerAuthentication(app, variant));
          policies.push({
            kind: 'PeerAuthentication',
            namespace: app.namespace,
            name: app.name,
            level: 'workload',
            app,
            variant,
          });
          count('PeerAuthentication');
        }
        if (app.ports.length && chance(0.2)) {
          const callers = [...new Set(callersOf.get(app) ?? [])].slice(0, 3);
          const action = chance(0.15) ? 'DENY' : 'ALLOW';
          security.push(authorizationPolicy(app, callers, action));
          policies.push({
            kind: 'AuthorizationPolicy',
            namespace: app.namespace,
            name: `${app.name}-${action.toLowerCase()}`,
            app,
            action,
            callers,
          });
          count('AuthorizationPolicy');
        }
        if (app.ports.length && chance(0.05)) {
          security.push(legacyPolicy(app));
          policies.push({ kind: 'Policy', namespace: app.namespace, name: `${app.name}-legacy`, app });
          count('Policy');
        }
        if (app.ports.length && chance(0.25)) {
          const r = rand();
          const fact = {
            kind: 'DestinationRule' as const,
            namespace: app.namespace,
            name: app.name,
            app,
            mode: (r < 0.02 ? 'DISABLE' : r < 0.03 ? 'SIMPLE' : 'ISTIO_MUTUAL') as DrMode,
            host: rand() < 0.6 ? ('fqdn' as const) : ('short' as const),
            metricsDisable: app.ports.some((p) => p.port === 9102) && chance(0.3),
            subsets: chance(0.5),
          };
          traffic.push(destinationRule(fact));
          policies.push(fact);
          count('DestinationRule');
        }
      }
      files.push({
        path: `${dir}/apps-${String(k / APPS_PER_FILE).padStart(2, '0')}.yaml`,
        text: docs.join('---\n'),
      });
    }
    if (security.length) files.push({ path: `${dir}/security.yaml`, text: security.join('---\n') });
    if (traffic.length) files.push({ path: `${dir}/traffic.yaml`, text: traffic.join('---\n') });
  }

  let bytes = 0;
  for (const f of files) bytes += Buffer.byteLength(f.text);
  const resources = Object.values(kinds).reduce((a, b) => a + b, 0);
  return { files, namespaces, apps, policies, kinds, resources, bytes, change };

  function namespaceFile(name: string, profile: NamespaceProfile, count: (k: string) => void): string {
    const docs: string[] = [];
    const labels: Record<NamespaceProfile['injection'], string | undefined> = {
      enabled: 'istio-injection: enabled',
      rev: 'istio.io/rev: canary',
      none: undefined,
      disabled: 'istio-injection: disabled',
      missing: undefined,
      ambient: 'istio.io/dataplane-mode: ambient',
    };
    if (profile.injection !== 'missing') {
      const label = labels[profile.injection];
      docs.push(
        `# Namespace of team ${name.split('-')[0]}.\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n` +
          (label ? `  labels:\n    ${label}\n    team: ${name.split('-')[0]}\n` : ''),
      );
      count('Namespace');
    }
    if (profile.mode) {
      policies.push({
        kind: 'PeerAuthentication',
        namespace: name,
        name: 'default',
        level: 'namespace',
        mode: profile.mode,
      });
      docs.push(
        `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: ${name}\nspec:\n  mtls:\n    mode: ${profile.mode}\n`,
      );
      count('PeerAuthentication');
    }
    if (profile.wildcardDr) {
      policies.push({ kind: 'DestinationRule', namespace: name, name: `${name}-default`, host: 'wildcard' });
      docs.push(
        `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: ${name}-default\n  namespace: ${name}\nspec:\n  host: "*.${name}.svc.cluster.local"\n  exportTo: ["."]\n  trafficPolicy:\n    tls:\n      mode: ISTIO_MUTUAL\n`,
      );
      count('DestinationRule');
    }
    return docs.join('---\n');
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function meshFile(count: (k: string) => void): string {
  count('Namespace');
  count('PeerAuthentication');
  return `# Mesh-wide defaults: PERMISSIVE until every team has migrated.
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: PERMISSIVE
`;
}

function workloadDoc(
  app: AppInfo,
  urls: string[],
  opts: { envFrom: boolean; declared: string | undefined; arg: string | undefined; version: string },
): string {
  const podLabels =
    `        app: ${app.name}\n        version: ${opts.version}\n` +
    (app.optOut ? `        sidecar.istio.io/inject: "false"\n` : '');
  const annotations = opts.declared ? `  annotations:\n    mtls-lint.io/calls: "${opts.declared}"\n` : '';
  const lines = [
    `- name: main`,
    `  image: registry.example.com/${app.namespace}/${app.name}:1.${app.name.length}.0`,
    ...(opts.arg ? [`  args: ["--peer=${opts.arg}", "--verbose"]`] : []),
    ...(app.ports.length ? [`  ports:`] : []),
    ...app.ports.flatMap((p) => [
      `  - name: ${typeof p.targetPort === 'string' ? p.targetPort : `p${p.containerPort}`}`,
      `    containerPort: ${p.containerPort}`,
    ]),
    `  env:`,
    `  - name: LOG_LEVEL`,
    `    value: info`,
    ...urls.flatMap((u, i) => [`  - name: UPSTREAM_${i}_URL`, `    value: "${u}"`]),
    `  - name: UPSTREAM_FROM_CONFIG`,
    `    valueFrom:`,
    `      configMapKeyRef:`,
    `        name: ${app.name}-config`,
    `        key: upstream`,
    ...(opts.envFrom ? [`  envFrom:`, `  - configMapRef:`, `      name: ${app.name}-config`] : []),
    `  resources:`,
    `    requests: {cpu: 100m, memory: 128Mi}`,
    `    limits: {memory: 256Mi}`,
  ];
  const container = (indent: string) => lines.map((l) => indent + l).join('\n') + '\n';
  if (app.kind === 'CronJob') {
    return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${app.name}
  namespace: ${app.namespace}
${annotations}spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
${podLabels.replace(/^ {8}/gm, '            ')}        spec:
          serviceAccountName: ${app.serviceAccount}
          restartPolicy: OnFailure
          containers:
${container('          ')}`;
  }
  return `apiVersion: apps/v1
kind: ${app.kind}
metadata:
  name: ${app.name}
  namespace: ${app.namespace}
  labels:
    app: ${app.name}
${annotations}spec:
  replicas: 2
${app.kind === 'StatefulSet' ? `  serviceName: ${app.name}\n` : ''}  selector:
    matchLabels:
      app: ${app.name}
  template:
    metadata:
      labels:
${podLabels}    spec:
      serviceAccountName: ${app.serviceAccount}
      containers:
${container('      ')}`;
}

function serviceAccountDoc(app: AppInfo): string {
  return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${app.serviceAccount}\n  namespace: ${app.namespace}\n`;
}

function configMapDoc(app: AppInfo, upstream: string, external: string | undefined): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app.name}-config
  namespace: ${app.namespace}
data:
  upstream: "${upstream}"
  log_format: json
  application.properties: |
    server.port=8080
    feature.flags=search,checkout
${external ? `    payments.provider=${external}\n` : ''}`;
}

function serviceDoc(app: AppInfo): string {
  const ports = app.ports
    .map(
      (p) =>
        `  - name: ${p.name}\n    port: ${p.port}\n    targetPort: ${typeof p.targetPort === 'string' ? p.targetPort : p.targetPort}\n`,
    )
    .join('');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${app.name}
  namespace: ${app.namespace}
  labels:
    app: ${app.name}
spec:
${app.kind === 'StatefulSet' && app.ports.some((p) => p.name === 'tcp-postgres') ? '  clusterIP: None\n' : ''}  selector:
    app: ${app.name}
  ports:
${ports}`;
}

function pdbDoc(app: AppInfo): string {
  return `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: ${app.name}\n`;
}

function hpaDoc(app: AppInfo): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app.name}
  namespace: ${app.namespace}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app.name}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
`;
}

function workloadPeerAuthentication(
  app: AppInfo,
  variant: 'strict' | 'permissive-metrics-disable' | 'port-strict',
): string {
  const head = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${app.name}\n  namespace: ${app.namespace}\nspec:\n  selector:\n    matchLabels:\n      app: ${app.name}\n`;
  if (variant === 'strict') return `${head}  mtls:\n    mode: STRICT\n`;
  if (variant === 'permissive-metrics-disable') {
    // Port-level keys are target (container) ports; 9102 is the metrics port when the app has one.
    return `${head}  mtls:\n    mode: PERMISSIVE\n  portLevelMtls:\n    9102:\n      mode: DISABLE\n`;
  }
  return `${head}  portLevelMtls:\n    8080:\n      mode: STRICT\n`;
}

function authorizationPolicy(app: AppInfo, callers: AppInfo[], action: 'ALLOW' | 'DENY'): string {
  const head = `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ${app.name}-${action.toLowerCase()}\n  namespace: ${app.namespace}\nspec:\n  selector:\n    matchLabels:\n      app: ${app.name}\n  action: ${action}\n  rules:\n`;
  if (action === 'DENY')
    return `${head}  - from:\n    - source:\n        notNamespaces: ["${app.namespace}", "istio-system"]\n    to:\n    - operation:\n        paths: ["/admin/*"]\n`;
  const principals = callers.map((c) => `"cluster.local/ns/${c.namespace}/sa/${c.serviceAccount}"`);
  const from = principals.length
    ? `  - from:\n    - source:\n        principals: [${principals.join(', ')}]\n`
    : `  - from:\n    - source:\n        namespaces: ["${app.namespace}"]\n`;
  return `${head}${from}    to:\n    - operation:\n        methods: ["GET", "POST"]\n`;
}

function legacyPolicy(app: AppInfo): string {
  return `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: ${app.name}-legacy
  namespace: ${app.namespace}
spec:
  targets:
  - name: ${app.name}
    ports:
    - number: ${app.ports[0]!.port}
  peers:
  - mtls:
      mode: PERMISSIVE
`;
}

function destinationRule(
  dr: Extract<PolicyFact, { kind: 'DestinationRule'; host: 'fqdn' | 'short' }>,
): string {
  const app = dr.app;
  // A short host resolves against the DestinationRule's own namespace, which is the service's.
  const host = dr.host === 'fqdn' ? `${app.name}.${app.namespace}.svc.cluster.local` : app.name;
  const mode = dr.mode;
  const portLevel = dr.metricsDisable
    ? `    portLevelSettings:\n    - port:\n        number: 9102\n      tls:\n        mode: DISABLE\n`
    : '';
  const subsets = dr.subsets
    ? `  subsets:\n  - name: v1\n    labels:\n      version: v1\n  - name: v2\n    labels:\n      version: v2\n    trafficPolicy:\n      tls:\n        mode: ISTIO_MUTUAL\n`
    : '';
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${app.name}
  namespace: ${app.namespace}
spec:
  host: ${host}
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
    tls:
      mode: ${mode}
${portLevel}${subsets}`;
}

/** Write a generated mesh under `dir` (created). */
export async function writeMesh(
  dir: string,
  mesh: Pick<GeneratedMesh, 'files'>,
  override?: { path: string; text: string },
): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const dirs = new Set(mesh.files.map((f) => path.dirname(path.join(dir, f.path))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  for (const f of mesh.files) {
    await writeFile(path.join(dir, f.path), override && override.path === f.path ? override.text : f.text);
  }
}

/**
 * A ConfigMap-heavy input (issue 15): a Grafana-like Deployment that mounts `dashboards` ConfigMaps, each holding a
 * large JSON dashboard (panels with queries, titles and URLs: thousands of host-like words per value), as
 * samples/addons/grafana.yaml does. Every value is scanned for service references; the cost must stay linear.
 */
export function generateConfigMapHeavy(options: { dashboards: number; panels?: number; seed: number }): {
  files: GeneratedFile[];
  resources: number;
  bytes: number;
} {
  const rand = prng(options.seed);
  const panels = options.panels ?? 400;
  const files: GeneratedFile[] = [];
  const volumes: string[] = [];
  const mounts: string[] = [];
  for (let d = 0; d < options.dashboards; d++) {
    const list = Array.from({ length: panels }, (_, p) => ({
      id: p,
      title: `Request rate ${WORDS[Math.floor(rand() * WORDS.length)]} ${p}`,
      type: 'timeseries',
      datasource: { type: 'prometheus', uid: 'prometheus' },
      targets: [
        {
          expr: `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace=~"$namespace",destination_service=~"$service"}[5m])) by (response_code)`,
          legendFormat: '{{ response_code }}',
        },
      ],
      links: [{ title: 'Kiali', url: 'http://kiali.istio-system:20001/kiali/console/graph' }],
      description: 'Incoming requests per second by response code, for the selected service and namespace.',
    }));
    const json = JSON.stringify({ title: `Dashboard ${d}`, uid: `dash-${d}`, panels: list }, null, 2);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard-${d}\n  namespace: monitoring\ndata:\n  dashboard.json: |\n${json
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`;
    files.push({ path: `dashboards/dashboard-${d}.yaml`, text });
    volumes.push(`      - name: dashboard-${d}\n        configMap:\n          name: dashboard-${d}`);
    mounts.push(`        - name: dashboard-${d}\n          mountPath: /var/lib/grafana/dashboards/${d}`);
  }
  files.push({
    path: 'grafana.yaml',
    text: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n  labels:\n    istio-injection: enabled\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  selector:\n    app: grafana\n  ports:\n  - name: http\n    port: 3000\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: grafana\n  namespace: monitoring\nspec:\n  selector:\n    matchLabels:\n      app: grafana\n  template:\n    metadata:\n      labels:\n        app: grafana\n    spec:\n      containers:\n      - name: grafana\n        image: grafana/grafana:11.0.0\n        volumeMounts:\n${mounts.join('\n')}\n      volumes:\n${volumes.join('\n')}\n`,
  });
  return {
    files,
    resources: options.dashboards + 3,
    bytes: files.reduce((n, f) => n + Buffer.byteLength(f.text), 0),
  };
}
