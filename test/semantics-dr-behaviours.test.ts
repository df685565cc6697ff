// DestinationRule behaviours the model used to get wrong (issue 17, "The model is wrong" 2–6), each checked against
// Istio's source at the releases where it differs (src/mesh/releases.ts cites file and function):
// merging several rules for one host, headless services with a workload-level DISABLE, loadBalancer PASSTHROUGH,
// portLevelSettings without tls under a top-level tls, and SIMPLE/MUTUAL with credentialName.
import { describe, expect, it } from 'vitest';
import { app, byRule, docs, lintYaml, namespace, peerAuthentication, type Run } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** Outcome per backing workload of the declared call client → svc.foo:port: "workload:sends:outcome(:failure)". */
function outcomes(r: Run, service: string): string[] {
  const e = r.edges.find(
    (x) => x.client.name === 'client' && x.server.service === service && x.caller === 'declared',
  );
  if (!e) throw new Error(`no declared edge client → ${service}`);
  return e.connections
    .map(
      (c) =>
        `${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`,
    )
    .sort();
}

const rule = (name: string, spec: string, extraMeta = '') => `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: foo${extraMeta}
spec:
${spec}`;

describe('several DestinationRules for one host are merged (mergeDestinationRule)', () => {
  const base = docs(
    namespace('foo', INJECTED),
    app('foo', 'httpbin', { port: 8000 }),
    app('foo', 'client', { noService: true, calls: 'httpbin.foo:8000' }),
    peerAuthentication('foo', 'strict', { selector: { app: 'httpbin' }, mode: 'STRICT' }),
  );
  // The older rule has subsets only; the newer one disables TLS. Istio keeps the first top-level trafficPolicy that
  // exists, so DISABLE applies: plaintext to a STRICT server, 503.
  const subsetsOnly = rule(
    'a-subsets',
    `  host: httpbin
  subsets:
  - name: v1
    labels: {version: v1}
`,
    '\n  creationTimestamp: "2024-01-01T00:00:00Z"',
  );
  const disable = rule(
    'b-disable',
    `  host: httpbin
  trafficPolicy:
    tls:
      mode: DISABLE
`,
    '\n  creationTimestamp: "2024-02-01T00:00:00Z"',
  );

  it('a subsets-only rule does not hide a newer rule’s tls: DISABLE (the missed 503)', async () => {
    const r = await lintYaml({ 'm.yaml': docs(base, subsetsOnly, disable) });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:plaintext:broken:503']);
    expect(byRule(r, 'plaintext-to-strict').map((f) => f.message)).toEqual([
      expect.stringContaining('remove tls mode DISABLE from the DestinationRule'),
    ]);
  });

  it('the oldest rule that has a trafficPolicy wins, even one without tls', async () => {
    const older = rule(
      'a-pool',
      `  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 10}
`,
      '\n  creationTimestamp: "2024-01-01T00:00:00Z"',
    );
    const r = await lintYaml({ 'm.yaml': docs(base, older, disable) });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:mtls:mtls']);
  });
});

describe('headless service, every pod injected, one with a workload-level DISABLE', () => {
  const mesh = docs(
    namespace('foo', INJECTED),
    app('foo', 'db-a', { podLabels: { role: 'db' }, noService: true }),
    app('foo', 'db-b', { podLabels: { role: 'db' }, noService: true }),
    `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: foo
spec:
  clusterIP: None
  selector:
    role: db
  ports:
  - name: tcp-db
    port: 5432
    targetPort: 80
`,
    app('foo', 'client', { noService: true, calls: 'db.foo:5432' }),
    peerAuthentication('foo', 'db-b-off', { selector: { app: 'db-b' }, mode: 'DISABLE' }),
  );

  it('1.12+: the ORIGINAL_DST cluster has no per-endpoint check, so the DISABLE pod gets mTLS and fails', async () => {
    const r = await lintYaml({ 'm.yaml': mesh }, { istioVersion: '1.22' });
    expect(outcomes(r, 'db')).toEqual(['db-a:mtls:mtls', 'db-b:mtls:broken:503']);
  });

  it('a ClusterIP service does run the check (1.12+): plaintext to the DISABLE pod', async () => {
    const r = await lintYaml({ 'm.yaml': mesh.replace('  clusterIP: None\n', '') }, { istioVersion: '1.22' });
    expect(outcomes(r, 'db')).toEqual(['db-a:mtls:mtls', 'db-b:plaintext:plaintext']);
  });
});

describe('loadBalancer.simple: PASSTHROUGH (an ORIGINAL_DST cluster)', () => {
  const mesh = (passthrough: boolean) =>
    docs(
      namespace('foo', INJECTED),
      app('foo', 'web-a', { podLabels: { role: 'web' }, noService: true }),
      app('foo', 'web-b', {
        podLabels: { role: 'web' },
        podAnnotations: { 'sidecar.istio.io/inject': 'false' },
        noService: true,
      }),
      `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: foo
spec:
  selector:
    role: web
  ports:
  - name: http
    port: 8000
    targetPort: 80
`,
      app('foo', 'client', { noService: true, calls: 'web.foo:8000' }),
      peerAuthentication('foo', 'web-a-strict', { selector: { app: 'web-a' }, mode: 'STRICT' }),
      rule(
        'web',
        `  host: web
  trafficPolicy:
    loadBalancer:
      simple: ${passthrough ? 'PASSTHROUGH' : 'ROUND_ROBIN'}
`,
      ),
    );

  it('1.10+: one endpoint without a sidecar → plaintext to every endpoint, so the STRICT pod answers 503', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true) }, { istioVersion: '1.10' });
    expect(outcomes(r, 'web')).toEqual(['web-a:plaintext:broken:503', 'web-b:plaintext:plaintext']);
    expect(byRule(r, 'plaintext-to-strict')).toHaveLength(1);
  });

  it('without PASSTHROUGH each endpoint gets what it accepts', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(false) }, { istioVersion: '1.10' });
    expect(outcomes(r, 'web')).toEqual(['web-a:mtls:mtls', 'web-b:plaintext:plaintext']);
  });

  it('1.9: the namespace mode alone decides for the whole cluster → mTLS to the pod without a sidecar (503)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true) }, { istioVersion: '1.9' });
    expect(outcomes(r, 'web')).toEqual(['web-a:mtls:mtls', 'web-b:mtls:broken:503']);
  });
});

describe('a portLevelSettings entry without tls under a top-level tls', () => {
  const mesh = (topTls: string, serverMode: string) =>
    docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin', { port: 8000 }),
      app('foo', 'client', { noService: true, calls: 'httpbin.foo:8000' }),
      peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: serverMode }),
      rule(
        'httpbin',
        `  host: httpbin
  trafficPolicy:
    tls:
      mode: ${topTls}
    portLevelSettings:
    - port: {number: 8000}
      connectionPool:
        tcp: {maxConnections: 100}
`,
      ),
    );

  it('1.12+: top-level DISABLE still reaches the endpoint check → plaintext to a STRICT server (503)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh('DISABLE', 'STRICT') }, { istioVersion: '1.12' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:plaintext:broken:503']);
  });

  it('1.11: the port entry replaces the policy and auto mTLS sends mTLS (200)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh('DISABLE', 'STRICT') }, { istioVersion: '1.11' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:mtls:mtls']);
  });

  it('1.12+: top-level ISTIO_MUTUAL sends mTLS to a workload-level DISABLE server (503)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh('ISTIO_MUTUAL', 'DISABLE') }, { istioVersion: '1.22' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:mtls:broken:503']);
  });

  it('top-level SIMPLE: 1.12–1.19 fall through to the endpoint (mTLS); 1.20+ read it as "not mTLS" (plaintext)', async () => {
    const old = await lintYaml({ 'm.yaml': mesh('SIMPLE', 'PERMISSIVE') }, { istioVersion: '1.19' });
    expect(outcomes(old, 'httpbin')).toEqual(['httpbin:mtls:mtls']);
    const now = await lintYaml({ 'm.yaml': mesh('SIMPLE', 'STRICT') }, { istioVersion: '1.20' });
    expect(outcomes(now, 'httpbin')).toEqual(['httpbin:plaintext:broken:503']);
  });
});

describe('tls SIMPLE/MUTUAL with credentialName', () => {
  const mesh = (selector: boolean) =>
    docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin', { port: 8000 }),
      app('foo', 'client', { noService: true, calls: 'httpbin.foo:8000' }),
      rule(
        'httpbin',
        `  host: httpbin${selector ? '\n  workloadSelector:\n    matchLabels: {app: client}' : ''}
  trafficPolicy:
    tls:
      mode: SIMPLE
      credentialName: httpbin-ca
`,
      ),
    );

  it('1.7+ without a workloadSelector: the sidecar originates no TLS at all — silent plaintext to PERMISSIVE', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(false) }, { istioVersion: '1.22' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:plaintext:plaintext']);
    expect(byRule(r, 'non-istio-tls-to-sidecar')).toEqual([]);
    expect(byRule(r, 'plaintext-between-sidecars').map((f) => f.message)).toEqual([
      expect.stringContaining('credentialName'),
    ]);
  });

  it('1.6: the sidecar still originates TLS (a TLS error against a sidecar on an HTTP port)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(false) }, { istioVersion: '1.6' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:tls:broken:tls-error']);
  });

  it('1.14+ with a workloadSelector that selects the client: the credential is used (TLS)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true) }, { istioVersion: '1.22' });
    expect(outcomes(r, 'httpbin')).toEqual(['httpbin:tls:broken:tls-error']);
  });
});
