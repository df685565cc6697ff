// Traffic the sidecar never sees, part II (issue 17): Sidecar ingress listeners, calls to IP literals, per-pod names
// of headless Services reaching one pod, and NetworkPolicies on ports no Service declares. Outcomes per release from
// src/mesh/releases.ts (sidecar-ingress-replaces-service-inbound-chains, sidecar-ingress-tls-setting,
// inbound-passthrough-enforces-peer-authentication, port-level-mtls-passthrough-chains).
import { describe, expect, it } from 'vitest';
import { byRule, cli, docs, lintYaml, namespace, type Run, urlClient } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** The known edges from `from`, as "server:port client-mode:outcome[:failure] @workload,…" per connection. */
function calls(r: Run, from: string): string[] {
  return r.edges
    .filter((e) => e.client.name === from && e.caller !== 'possible')
    .flatMap((e) =>
      e.connections.map(
        (c) =>
          `${e.server.service}:${e.server.port} ${c.client.mode}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''} @${c.serverWorkload?.name}`,
      ),
    );
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Sidecar ingress listeners
// ---------------------------------------------------------------------------------------------------------------

/** api in `shop`: Service ports http 8080 and tcp-admin 9090, a workload STRICT with port-level PERMISSIVE on 9090. */
function shop(extra: { sidecar?: string; paPorts?: string; legacyPolicy?: boolean } = {}): string {
  const pa = extra.legacyPolicy
    ? `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: shop}
spec:
  peers: [{mtls: {mode: STRICT}}]
`
    : `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  mtls: {mode: STRICT}
  portLevelMtls: {${extra.paPorts ?? '9090: {mode: PERMISSIVE}'}}
`;
  return docs(
    namespace('shop', INJECTED),
    namespace('legacy'),
    pa,
    `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  clusterIP: 10.96.0.50
  selector: {app: api}
  ports: [{name: http, port: 8080}, {name: tcp-admin, port: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: c, image: api, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
`,
    urlClient('legacy', 'ops', 'api.shop:9090'),
    ...(extra.sidecar ? [extra.sidecar] : []),
  );
}

const ingressSidecar = (listeners: string) => `apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: {name: api, namespace: shop}
spec:
  workloadSelector: {labels: {app: api}}
  ingress:
${listeners}
`;
const only8080 = ingressSidecar(
  '  - port: {number: 8080, protocol: HTTP, name: http}\n    defaultEndpoint: 127.0.0.1:8080',
);

describe('Sidecar ingress listeners', () => {
  it('1.5–1.8: a Service port the ingress leaves out falls to the passthrough chain, which ignores port-level settings: reset', async () => {
    // Without the Sidecar, the port-level PERMISSIVE on Service port 9090 lets the plaintext caller in.
    const without = await lintYaml({ 'm.yaml': shop() }, { istioVersion: '1.8' });
    expect(calls(without, 'ops')).toEqual(['api:9090 NO_SIDECAR:plaintext @api']);
    const m = { 'm.yaml': shop({ sidecar: only8080 }) };
    const r = await lintYaml(m, { istioVersion: '1.8' });
    expect(calls(r, 'ops')).toEqual(['api:9090 NO_SIDECAR:broken:reset @api']);
    const c = r.edges.find((e) => e.client.name === 'ops')!.connections[0]!;
    expect(c.server.explanation).toContain('port 9090 is not among the ingress ports of Sidecar shop/api');
    expect(byRule(r, 'plaintext-to-strict').map((f) => f.message)).toEqual([
      expect.stringContaining('legacy/ops → api.shop:9090'),
    ]);
    // 1.9+: per-port passthrough chains carry the port-level PERMISSIVE again.
    expect(calls(await lintYaml(m, { istioVersion: '1.9' }), 'ops')).toEqual([
      'api:9090 NO_SIDECAR:plaintext @api',
    ]);
  });

  it('1.4: the passthrough chain is a plain TCP proxy, so a STRICT Policy does not cover a port the ingress leaves out', async () => {
    const strict = await lintYaml({ 'm.yaml': shop({ legacyPolicy: true }) }, { istioVersion: '1.4' });
    expect(calls(strict, 'ops')).toEqual(['api:9090 NO_SIDECAR:broken:reset @api']);
    const r = await lintYaml(
      { 'm.yaml': shop({ legacyPolicy: true, sidecar: only8080 }) },
      { istioVersion: '1.4' },
    );
    expect(calls(r, 'ops')).toEqual(['api:9090 NO_SIDECAR:plaintext @api']);
    const [f] = byRule(r, 'plaintext-accepted');
    expect(f?.message).toContain(
      'STRICT does not cover port 9090 of shop/api (Sidecar shop/api lists only port 8080 in its ingress listeners): its traffic bypasses the sidecar',
    );
    expect(f?.message).toContain(
      "Fix: add port 9090 to that Sidecar's ingress listeners, or upgrade to Istio 1.5+",
    );
    // The plan lists it as a blocker whose fix is the Sidecar, not an annotation.
    const plan = await cli(['plan', '--istio-version', '1.4', '.'], r.dir);
    expect(plan.stdout).toContain(
      'Fix: add port 9090 to the ingress listeners of Sidecar shop/api (this Istio release enforces no policy on the ports they leave out)',
    );
  });

  it('a listed port keeps its own chain: the port-level setting applies at 1.8, with defaultEndpoint, captureMode and tls said in the explanation', async () => {
    const listed = ingressSidecar(
      [
        '  - port: {number: 9090, protocol: TCP, name: tcp-admin}',
        '    defaultEndpoint: unix:///var/run/admin.sock',
        '    captureMode: NONE',
        '    tls: {mode: SIMPLE, credentialName: admin-cert}',
      ].join('\n'),
    );
    const r = await lintYaml({ 'm.yaml': shop({ sidecar: listed }) }, { istioVersion: '1.8' });
    expect(calls(r, 'ops')).toEqual(['api:9090 NO_SIDECAR:plaintext @api']);
    const text = r.edges.find((e) => e.client.name === 'ops')!.connections[0]!.server.explanation;
    expect(text).toContain('forwards plaintext to unix:///var/run/admin.sock');
    expect(text).toContain('captureMode NONE');
    expect(text).toContain('ingress tls is ignored by Istio 1.8');
    const now = await lintYaml({ 'm.yaml': shop({ sidecar: listed }) });
    expect(now.edges.find((e) => e.client.name === 'ops')!.connections[0]!.server.explanation).toContain(
      'ENABLE_TLS_ON_SIDECAR_INGRESS=true (default false)',
    );
  });

  it('a port only the ingress declares gets its own chain: port-level PERMISSIVE applies at 1.8 (passthrough would ignore it)', async () => {
    const headless = `apiVersion: v1
kind: Service
metadata: {name: kafka, namespace: data}
spec:
  clusterIP: None
  selector: {app: kafka}
  ports: [{name: tcp-kafka, port: 9092}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka, namespace: data}
spec:
  serviceName: kafka
  selector: {matchLabels: {app: kafka}}
  template:
    metadata: {labels: {app: kafka}}
    spec:
      containers: [{name: kafka, image: kafka}]
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: kafka, namespace: data}
spec:
  selector: {matchLabels: {app: kafka}}
  mtls: {mode: STRICT}
  portLevelMtls: {9999: {mode: PERMISSIVE}}
`;
    const sidecar = `apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: {name: default, namespace: data}
spec:
  ingress:
  - port: {number: 9092, protocol: TCP, name: tcp-kafka}
    defaultEndpoint: 127.0.0.1:9092
  - port: {number: 9999, protocol: TCP, name: tcp-jmx}
    defaultEndpoint: 127.0.0.1:9999
`;
    const base = [
      namespace('data', INJECTED),
      namespace('legacy'),
      headless,
      urlClient('legacy', 'jmx', 'kafka-0.kafka.data:9999'),
    ];
    const without = await lintYaml({ 'm.yaml': docs(...base) }, { istioVersion: '1.8' });
    expect(calls(without, 'jmx')).toEqual(['kafka:9999 NO_SIDECAR:broken:reset @kafka']);
    const r = await lintYaml({ 'm.yaml': docs(...base, sidecar) }, { istioVersion: '1.8' });
    expect(calls(r, 'jmx')).toEqual(['kafka:9999 NO_SIDECAR:plaintext @kafka']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. IP literals
// ---------------------------------------------------------------------------------------------------------------

const endpoints = `apiVersion: v1
kind: Endpoints
metadata: {name: api, namespace: shop}
subsets:
- addresses:
  - ip: 10.244.1.7
    targetRef: {kind: Pod, name: api-7d9c8b6f5-x2k4q, namespace: shop}
  - ip: 10.244.1.8
  ports: [{name: http, port: 8080}]
`;

describe('calls to IP literals', () => {
  it("an IP equal to a Service's explicit clusterIP is a call to that Service (plaintext to STRICT: reset)", async () => {
    const r = await lintYaml({
      'm.yaml': shop({ paPorts: '9090: {mode: STRICT}' }).replace('api.shop:9090', 'http://10.96.0.50:8080/'),
    });
    expect(calls(r, 'ops')).toEqual(['api:8080 NO_SIDECAR:broken:reset @api']);
  });

  it('a pod address from Endpoints (targetRef to a pod) is a call to that pod: a sidecar client sends it through passthrough, in plaintext', async () => {
    const text = docs(
      shop({ paPorts: '9090: {mode: STRICT}' }),
      endpoints,
      namespace('web', INJECTED),
      urlClient('web', 'front', '10.244.1.7:8080'),
    );
    const r = await lintYaml({ 'm.yaml': text });
    // The client sidecar has no cluster for a pod IP: PassthroughCluster, plaintext; the pod's 8080 chain is STRICT.
    expect(calls(r, 'front')).toEqual(['api:8080 PLAINTEXT:broken:503 @api']);
    const c = r.edges.find((e) => e.client.name === 'front')!.connections[0]!;
    expect(c.client.explanation).toContain('10.244.1.7:8080 is the address of a pod of Service shop/api');
    // Through the Service name, auto mTLS: fine.
    const byName = await lintYaml({ 'm.yaml': text.replace('10.244.1.7:8080', 'api.shop:8080') });
    expect(calls(byName, 'front')).toEqual(['api:8080 AUTO:mtls @api']);
  });

  it('the same call from an EndpointSlice; before 1.1 (no PassthroughCluster) the sidecar client cannot reach it', async () => {
    const slice = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-abc12, namespace: shop, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
endpoints:
- addresses: [10.244.1.7]
  targetRef: {kind: Pod, name: api-7d9c8b6f5-x2k4q}
ports: [{name: http, port: 8080}]
`;
    const text = docs(
      shop({ paPorts: '9090: {mode: STRICT}' }),
      slice,
      namespace('web', INJECTED),
      urlClient('web', 'front', 'tcp://10.244.1.7:9090'),
    );
    expect(calls(await lintYaml({ 'm.yaml': text }), 'front')).toEqual([
      'api:9090 PLAINTEXT:broken:reset @api',
    ]);
    expect(calls(await lintYaml({ 'm.yaml': text }, { istioVersion: '1.0' }), 'front')).toEqual([
      'api:9090 BLOCKED:broken:reset @api',
    ]);
  });

  it('an address the inputs do not place (no targetRef, or no object at all) is no call; the graph says what is assumed', async () => {
    const text = docs(
      shop(),
      endpoints,
      urlClient('legacy', 'a', 'http://10.244.1.8:8080'),
      urlClient('legacy', 'b', '192.168.0.9:5432'),
      urlClient('legacy', 'v', '1.2.3'),
      urlClient('legacy', 'l', 'http://127.0.0.1:15000/'),
    );
    const r = await lintYaml({ 'm.yaml': text });
    expect([...calls(r, 'a'), ...calls(r, 'b'), ...calls(r, 'v')]).toEqual([]);
    const { unresolved } = r.result.graph();
    expect(unresolved).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Deployment legacy/a calls 10.244.1.8:8080, which is no Service clusterIP'),
        expect.stringContaining('legacy/b calls 192.168.0.9:5432'),
      ]),
    );
    // Version numbers and loopback listen addresses are no calls and need no note.
    expect(unresolved.filter((u) => u.includes('1.2.3') || u.includes('127.0.0.1'))).toEqual([]);
    expect(r.findings.filter((f) => f.severity === 'error' && f.message.includes('10.244'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Per-pod names of a headless Service reach one pod
// ---------------------------------------------------------------------------------------------------------------

/** Headless Service db selecting two StatefulSets: db (injected, STRICT) and db-replica (no sidecar). */
const twoSets = docs(
  namespace('data', INJECTED),
  namespace('legacy'),
  `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: data}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  selector: {matchLabels: {app: db, role: primary}}
  template:
    metadata: {labels: {app: db, role: primary}}
    spec:
      containers: [{name: pg, image: pg, ports: [{containerPort: 5432}, {containerPort: 9187}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db-replica, namespace: data}
spec:
  serviceName: db
  selector: {matchLabels: {app: db, role: replica}}
  template:
    metadata:
      labels: {app: db, role: replica}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers: [{name: pg, image: pg, ports: [{containerPort: 5432}, {containerPort: 9187}]}]
`,
);

describe('per-pod names of a headless Service', () => {
  it('db-replica-0.db reaches only the replica (no sidecar: plaintext answered), not the STRICT primary', async () => {
    const r = await lintYaml({
      'm.yaml': docs(twoSets, urlClient('legacy', 'backup', 'db-replica-0.db.data:5432')),
    });
    expect(calls(r, 'backup')).toEqual(['db:5432 NO_SIDECAR:plaintext @db-replica']);
    // STRICT on the primary breaks possible callers, never this one.
    expect(byRule(r, 'plaintext-to-strict').filter((f) => f.message.includes('legacy/backup'))).toEqual([]);
  });

  it('db-0.db reaches only the primary (STRICT: reset), also on a port the Service does not declare', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        twoSets,
        urlClient('legacy', 'backup', 'db-0.db.data:5432'),
        urlClient('legacy', 'metrics', 'db-0.db.data.svc.cluster.local:9187'),
      ),
    });
    expect(calls(r, 'backup')).toEqual(['db:5432 NO_SIDECAR:broken:reset @db']);
    expect(calls(r, 'metrics')).toEqual(['db:9187 NO_SIDECAR:broken:reset @db']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4. NetworkPolicies on passthrough / undeclared ports
// ---------------------------------------------------------------------------------------------------------------

const denyMetrics = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: pg-only, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress:
  - ports: [{protocol: TCP, port: 5432}]
`;

describe('NetworkPolicies on ports no Service declares', () => {
  it('a policy that admits only 5432 refuses a call to 9187 on the pod, whatever TLS would do', async () => {
    const text = docs(twoSets, urlClient('legacy', 'metrics', 'db-replica-0.db.data:9187'));
    // Without the policy: plaintext to a pod without sidecar, answered.
    expect(calls(await lintYaml({ 'm.yaml': text }), 'metrics')).toEqual([
      'db:9187 NO_SIDECAR:plaintext @db-replica',
    ]);
    const r = await lintYaml({ 'm.yaml': docs(text, denyMetrics) });
    expect(calls(r, 'metrics')).toEqual([]);
    const [f] = byRule(r, 'call-blocked-by-network-policy');
    expect(f?.message).toContain('legacy/metrics');
    expect(f?.message).toContain('db.data:9187');
    expect(f?.message).toContain('NetworkPolicy pg-only in data');
  });

  it('a per-pod name is judged by that pod alone: a policy on the primary does not block the replica', async () => {
    const primaryOnly = denyMetrics
      .replace('{app: db}', '{app: db, role: primary}')
      .replace('port: 5432', 'port: 9187');
    const r = await lintYaml({
      'm.yaml': docs(twoSets, primaryOnly, urlClient('legacy', 'backup', 'db-0.db.data:5432')),
    });
    expect(calls(r, 'backup')).toEqual([]);
    expect(byRule(r, 'call-blocked-by-network-policy')[0]?.message).toContain('legacy/backup');
    const replica = await lintYaml({
      'm.yaml': docs(twoSets, primaryOnly, urlClient('legacy', 'backup', 'db-replica-0.db.data:5432')),
    });
    expect(calls(replica, 'backup')).toEqual(['db:5432 NO_SIDECAR:plaintext @db-replica']);
  });
});
