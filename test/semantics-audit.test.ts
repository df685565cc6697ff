// Issue 17 audit: fixtures for what the other semantics tests left open, each with the outcome Istio's source gives
// at the releases where it differs (src/mesh/releases.ts cites file and function).
// - a sidecar (not a gateway) in the root namespace: the root's public catch-all is skipped, both ways round;
// - the DestinationRule lookup for a headless Service with a wildcard rule in its namespace and a root catch-all,
//   from clients in the service's, another and the root namespace (the suspected engine bug: not one);
// - 1.0–1.2 capture only the inbound ports the pod's containers declare.
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  destinationRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** "sends:outcome(:failure) via <DestinationRule>" of the declared call from `ns/client` to `service`. */
function call(r: Run, client: string, service: string): string {
  const [ns, name] = client.split('/') as [string, string];
  const e = r.edges.find(
    (x) =>
      x.client.namespace === ns &&
      x.client.name === name &&
      x.server.service === service &&
      x.caller === 'declared',
  );
  if (!e) throw new Error(`no declared edge ${client} → ${service}`);
  const c = e.connections[0]!;
  const rule =
    c.client.cause?.resource.kind === 'DestinationRule'
      ? ` via ${c.client.cause.resource.namespace}/${c.client.cause.resource.name}`
      : '';
  return `${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}${rule}`;
}

describe('a sidecar in the root namespace skips its public catch-all rules (push_context.go destinationRule)', () => {
  // A job in istio-system with a sidecar calls web.legacy; every other namespace's sidecars use legacy's own rule too.
  const files = (rootTls: string, webTls: string, webInjected: boolean, strict: boolean) => ({
    'm.yaml': docs(
      namespace('istio-system', INJECTED),
      namespace('legacy', webInjected ? INJECTED : {}),
      app('legacy', 'web'),
      app('istio-system', 'probe', { noService: true, calls: 'web.legacy:8000' }),
      destinationRule('istio-system', 'mesh-wide', '*.local', { tls: rootTls }),
      destinationRule('legacy', 'web', 'web', { tls: webTls }),
      ...(strict ? [peerAuthentication('legacy', 'default', { mode: 'STRICT' })] : []),
    ),
  });

  for (const v of ['1.5', '1.12', '1.30'])
    it(`${v}: mesh-wide ISTIO_MUTUAL toward an uninjected web whose own rule says DISABLE: plaintext, 200 (no false reset)`, async () => {
      const r = await lintYaml(files('ISTIO_MUTUAL', 'DISABLE', false, false), { istioVersion: v });
      expect(call(r, 'istio-system/probe', 'web')).toBe('plaintext:plaintext via legacy/web');
      // The catch-all still breaks the other (stand-in) services of legacy; web is not among them.
      expect(byRule(r, 'mtls-to-plaintext-server').filter((f) => f.message.includes('web.legacy'))).toEqual(
        [],
      );
    });

  for (const v of ['1.5', '1.12', '1.30'])
    it(`${v}: the mirror — web's own DISABLE toward a STRICT web is a real 503, not hidden by the mesh-wide ISTIO_MUTUAL`, async () => {
      const r = await lintYaml(files('ISTIO_MUTUAL', 'DISABLE', true, true), { istioVersion: v });
      expect(call(r, 'istio-system/probe', 'web')).toBe('plaintext:broken:503 via legacy/web');
      expect(byRule(r, 'plaintext-to-strict').map((f) => f.message)).toEqual([
        expect.stringContaining('istio-system/probe'),
      ]);
    });
});

describe('the DestinationRule of a headless Service: wildcard rule in its namespace, catch-all in the root', () => {
  // httpbin.legacy is headless (pods with hostname/subdomain), STRICT, every pod injected. legacy/dr-1 matches it with
  // `*.svc.cluster.local` and a portLevelSettings entry without tls (so auto mTLS decides: mTLS to all); the root's
  // istio-system/dr-0 `*.local` says DISABLE (plaintext: reset by STRICT).
  const files = (clientNs: string, exportTo?: string[]) => ({
    'm.yaml': docs(
      namespace('legacy', INJECTED),
      namespace('foo', INJECTED),
      namespace('istio-system', INJECTED),
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: httpbin, namespace: legacy}
spec:
  serviceName: httpbin
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      subdomain: httpbin
      containers: [{name: httpbin, image: example/httpbin:1, ports: [{containerPort: 80}]}]
`,
      `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: legacy}
spec:
  clusterIP: None
  selector: {app: httpbin}
  ports: [{port: 8000, name: http, targetPort: 80}]
`,
      app(clientNs, 'sleep', { noService: true, calls: 'httpbin.legacy:8000' }),
      destinationRule('legacy', 'dr-1', '*.svc.cluster.local', {
        portLevel: [{ port: 8000 }],
        ...(exportTo ? { exportTo } : {}),
      }),
      destinationRule('istio-system', 'dr-0', '*.local', { tls: 'DISABLE' }),
      peerAuthentication('legacy', 'default', { mode: 'STRICT' }),
    ),
  });

  it.each(['foo', 'legacy', 'istio-system'])(
    'a client in %s uses legacy/dr-1 (client namespace, then the service namespace, then the root): mTLS, 200',
    async (clientNs) => {
      const r = await lintYaml(files(clientNs));
      expect(call(r, `${clientNs}/sleep`, 'httpbin')).toBe('mtls:mtls via legacy/dr-1');
    },
  );

  it('dr-1 exported only to foo: a client in legacy itself falls through to the root dr-0 (plaintext, 503), as Istio does', async () => {
    // SetDestinationRules puts a rule in its own namespace's local index only for exportTo ".", "*" or its namespace;
    // the exported index has it, but getExportedDestinationRuleFromNamespace checks exportTo against the client.
    const r = await lintYaml(files('legacy', ['foo']));
    expect(call(r, 'legacy/sleep', 'httpbin')).toBe('plaintext:broken:503 via istio-system/dr-0');
    const foo = await lintYaml(files('foo', ['foo']));
    expect(call(foo, 'foo/sleep', 'httpbin')).toBe('mtls:mtls via legacy/dr-1');
  });
});

describe('1.0–1.2 capture only the inbound ports the pod’s containers declare (inbound-capture-all-ports)', () => {
  // web's container declares port 80, but its Service sends to 8080. A STRICT legacy Policy (1.0–1.4) in shop.
  const strictPolicy = `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: shop}
spec:
  peers:
  - mtls: {}
`;
  const files = () => ({
    'm.yaml': docs(
      namespace('shop', INJECTED),
      namespace('legacy'),
      app('shop', 'web', { containerPort: 80, targetPort: 8080 }),
      strictPolicy,
      destinationRule('shop', 'web', 'web', { tls: 'ISTIO_MUTUAL' }),
      app('legacy', 'curl', { noService: true, calls: 'web.shop:8000' }),
      app('shop', 'client', { noService: true, calls: 'web:8000' }),
    ),
  });

  it('1.2: port 8080 bypasses the sidecar — the plaintext caller gets through, the mTLS caller gets 503', async () => {
    const r = await lintYaml(files(), { istioVersion: '1.2' });
    expect(call(r, 'legacy/curl', 'web')).toBe('plaintext:plaintext');
    expect(call(r, 'shop/client', 'web')).toBe('mtls:broken:503 via shop/web');
    const e = r.edges.find((x) => x.client.name === 'curl')!;
    expect(e.connections[0]!.server.explanation).toContain('captures only declared container ports');
  });

  it('1.3: every inbound port is captured — STRICT resets the plaintext caller, the mTLS caller works', async () => {
    const r = await lintYaml(files(), { istioVersion: '1.3' });
    expect(call(r, 'legacy/curl', 'web')).toBe('plaintext:broken:reset');
    expect(call(r, 'shop/client', 'web')).toBe('mtls:mtls via shop/web');
  });

  it('1.2 with the port declared by the container: captured as in 1.3', async () => {
    const r = await lintYaml(
      {
        'm.yaml': docs(
          namespace('shop', INJECTED),
          namespace('legacy'),
          app('shop', 'web', { containerPort: 8080 }),
          strictPolicy,
          app('legacy', 'curl', { noService: true, calls: 'web.shop:8000' }),
        ),
      },
      { istioVersion: '1.2' },
    );
    expect(call(r, 'legacy/curl', 'web')).toBe('plaintext:broken:reset');
  });
});

describe('a root-namespace Sidecar’s "./*" means each proxy’s own namespace (sidecar.go convertIstioListenerToWrapper)', () => {
  // Istio's documented default: one Sidecar in the root namespace, egress "./*" and "istio-system/*". getSidecarScope
  // converts it per proxy with configNamespace = the proxy's namespace, which "." stands for.
  const rootSidecar = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
`;
  const files = (target: string) => ({
    'm.yaml': docs(
      namespace('istio-system'),
      namespace('foo', INJECTED),
      namespace('bar', INJECTED),
      app('foo', 'httpbin'),
      app('bar', 'httpbin'),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      peerAuthentication('bar', 'default', { mode: 'STRICT' }),
      app('foo', 'sleep', { noService: true, calls: target }),
      rootSidecar,
    ),
  });

  it('a service of the client’s own namespace is imported: auto mTLS, 200 (no false reset)', async () => {
    const r = await lintYaml(files('httpbin.foo:8000'));
    expect(call(r, 'foo/sleep', 'httpbin')).toBe('mtls:mtls');
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
  });

  it('a service of another namespace is not: PassthroughCluster, plaintext, 503 at STRICT', async () => {
    const r = await lintYaml(files('httpbin.bar:8000'));
    expect(call(r, 'foo/sleep', 'httpbin')).toBe('plaintext:broken:503');
  });
});

describe('an excluded inbound port under a workload-level DISABLE (endpoint_builder.go mtlsChecker, 1.12+)', () => {
  // web's port 80 bypasses its sidecar; its PeerAuthentication says DISABLE. The per-endpoint auto mTLS check reads
  // the PeerAuthentication, not iptables: from 1.12 it strips tlsMode and the client sends plaintext, which the
  // application reads; before, auto mTLS sends mTLS to the application, which cannot read it.
  const files = () => ({
    'm.yaml': docs(
      namespace('shop', INJECTED),
      app('shop', 'web', {
        podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '80' },
        portName: 'tcp',
      }),
      peerAuthentication('shop', 'web', { selector: { app: 'web' }, mode: 'DISABLE' }),
      app('shop', 'client', { noService: true, calls: 'web:8000' }),
    ),
  });

  it('1.12+: plaintext, 200', async () => {
    for (const v of ['1.12', '1.30'])
      expect(call(await lintYaml(files(), { istioVersion: v }), 'shop/client', 'web'), v).toBe(
        'plaintext:plaintext',
      );
  });

  it('1.11: mTLS to the application, which cannot read it (broken)', async () => {
    const r = await lintYaml(files(), { istioVersion: '1.11' });
    expect(call(r, 'shop/client', 'web')).toBe('mtls:broken:503');
  });
});

describe('headless service, every pod injected, one with a workload-level DISABLE, release by release', () => {
  // db-b's PeerAuthentication says DISABLE. Headless: ≤1.6 mTLS to every endpoint (cluster.go applyUpstreamTLSSettings
  // leaves the socket on the ORIGINAL_DST cluster), 1.7 no auto mTLS there at all, 1.8+ all-or-nothing over the
  // endpoints' tlsMode (all "istio" here) and no EDS, so the 1.12 per-endpoint check never sees the DISABLE.
  // ClusterIP: the 1.12+ check sends db-b plaintext; before, auto mTLS ignores workload-level DISABLE.
  const mesh = (headless: boolean) =>
    docs(
      namespace('foo', INJECTED),
      app('foo', 'db-a', { podLabels: { role: 'db' }, noService: true }),
      app('foo', 'db-b', { podLabels: { role: 'db' }, noService: true }),
      `apiVersion: v1
kind: Service
metadata: {name: db, namespace: foo}
spec:${headless ? '\n  clusterIP: None' : ''}
  selector: {role: db}
  ports: [{name: tcp-db, port: 5432, targetPort: 80}]
`,
      app('foo', 'client', { noService: true, calls: 'db.foo:5432' }),
      peerAuthentication('foo', 'db-b-off', { selector: { app: 'db-b' }, mode: 'DISABLE' }),
    );
  const outcomes = (r: Run) =>
    r.edges
      .find((e) => e.client.name === 'client' && e.caller === 'declared')!
      .connections.map((c) => `${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}`)
      .sort();

  it.each([
    ['1.6', true, ['db-a:mtls:mtls', 'db-b:mtls:broken']],
    ['1.7', true, ['db-a:plaintext:plaintext', 'db-b:plaintext:plaintext']],
    ['1.11', true, ['db-a:mtls:mtls', 'db-b:mtls:broken']],
    ['1.12', true, ['db-a:mtls:mtls', 'db-b:mtls:broken']],
    ['1.11', false, ['db-a:mtls:mtls', 'db-b:mtls:broken']],
    ['1.12', false, ['db-a:mtls:mtls', 'db-b:plaintext:plaintext']],
  ] as const)('%s headless=%s → %j', async (v, headless, want) => {
    const r = await lintYaml({ 'm.yaml': mesh(headless) }, { istioVersion: v });
    expect(outcomes(r)).toEqual(want);
  });
});
