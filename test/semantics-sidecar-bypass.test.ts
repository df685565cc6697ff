// Traffic the sidecar never sees (issue 17): inbound ports left out of the capture, the pod label
// security.istio.io/tlsMode, and an istio-proxy container that nothing redirects traffic to.
import { describe, expect, it } from 'vitest';
import { app, byRule, docs, lintYaml, namespace, peerAuthentication, type Run } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** "sends:outcome(:failure)" of the declared call from `client` to httpbin.foo:8000 (one backing workload). */
function call(r: Run, client: string, service = 'httpbin'): string {
  const e = r.edges.find(
    (x) => x.client.name === client && x.server.service === service && x.caller === 'declared',
  );
  if (!e) throw new Error(`no declared edge ${client} → ${service}`);
  const c = e.connections[0]!;
  return `${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`;
}

function mesh(serverAnnotations: Record<string, string>, serverLabels: Record<string, string> = {}): string {
  return docs(
    namespace('foo', INJECTED),
    namespace('legacy'),
    app('foo', 'httpbin', { port: 8000, podAnnotations: serverAnnotations, podLabels: serverLabels }),
    peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'STRICT' }),
    app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
    app('legacy', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
  );
}

describe('inbound ports that bypass the sidecar', () => {
  it('excludeInboundPorts: STRICT does not cover the port — plaintext gets through, mTLS from sidecars breaks', async () => {
    const r = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/excludeInboundPorts': '9090, 80' }),
    });
    // The caller without a sidecar reaches the application directly (200), past STRICT.
    const legacy = r.edges.find((x) => x.client.namespace === 'legacy' && x.caller === 'declared')!;
    expect(`${legacy.connections[0]!.result.clientTls}:${legacy.connections[0]!.result.outcome}`).toBe(
      'plaintext:plaintext',
    );
    // Auto mTLS goes by the pod (tlsMode=istio), so a sidecar client still sends mTLS the application cannot read.
    const inMesh = r.edges.find((x) => x.client.namespace === 'foo' && x.caller === 'declared')!;
    expect(inMesh.connections[0]!.result.outcome).toBe('broken');
    expect(inMesh.connections[0]!.result.failure).toBe('503');
    const accepted = byRule(r, 'plaintext-accepted').filter((f) =>
      f.message.includes('STRICT does not cover'),
    );
    expect(accepted.map((f) => f.severity)).toEqual(['warning']);
    expect(accepted[0]!.message).toContain('traffic.sidecar.istio.io/excludeInboundPorts');
    expect(accepted[0]!.message).toContain('legacy/sleep');
  });

  it('a DestinationRule with tls DISABLE for the port makes the sidecar callers work again', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        mesh({ 'traffic.sidecar.istio.io/excludeInboundPorts': '80' }),
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin
  trafficPolicy:
    portLevelSettings:
    - port: {number: 8000}
      tls: {mode: DISABLE}
`,
      ),
    });
    expect(call(r, 'sleep')).toBe('plaintext:plaintext');
  });

  it('includeInboundPorts: "" captures nothing, a list captures only its ports', async () => {
    const none = await lintYaml({ 'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeInboundPorts': '' }) });
    const legacyNone = none.edges.find((x) => x.client.namespace === 'legacy' && x.caller === 'declared')!;
    expect(legacyNone.connections[0]!.result.outcome).toBe('plaintext');
    const other = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeInboundPorts': '8080' }),
    });
    const legacyOther = other.edges.find((x) => x.client.namespace === 'legacy' && x.caller === 'declared')!;
    expect(legacyOther.connections[0]!.result.outcome).toBe('plaintext');
    const listed = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeInboundPorts': '80' }),
    });
    const legacyListed = listed.edges.find(
      (x) => x.client.namespace === 'legacy' && x.caller === 'declared',
    )!;
    expect(legacyListed.connections[0]!.result.failure).toBe('reset');
  });
});

describe('the pod label security.istio.io/tlsMode', () => {
  it('a user-set tlsMode=disabled survives injection: auto mTLS sends plaintext, and STRICT answers 503', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({}, { 'security.istio.io/tlsMode': 'disabled' }) });
    expect(call(r, 'sleep')).toBe('plaintext:broken:503');
    expect(byRule(r, 'plaintext-to-strict')).toHaveLength(1);
  });

  it('tlsMode=istio (what the injector sets) changes nothing', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({}, { 'security.istio.io/tlsMode': 'istio' }) });
    expect(call(r, 'sleep')).toBe('mtls:mtls');
  });
});

describe('an istio-proxy container that captures no traffic', () => {
  // Istio 1.5's Prometheus addon: istio-proxy only to mount certificates, no istio-init, inject "false".
  const prometheus = (initContainer: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: istio-system}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata:
      labels: {app: prometheus}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:${initContainer ? '\n      initContainers:\n      - name: istio-init\n        image: istio/proxyv2' : ''}
      containers:
      - name: prometheus
        image: prom/prometheus
        ports: [{containerPort: 9090}]
      - name: istio-proxy
        image: istio/proxyv2
        args: [proxy, sidecar, --domain, $(POD_NAMESPACE).svc.cluster.local]
---
apiVersion: v1
kind: Service
metadata: {name: prometheus, namespace: istio-system}
spec:
  selector: {app: prometheus}
  ports: [{name: http-prometheus, port: 9090}]
`;
  const meshFor = (initContainer: boolean) =>
    docs(
      namespace('istio-system'),
      peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
      prometheus(initContainer),
      app('istio-system', 'grafana', { noService: true, calls: 'prometheus.istio-system:9090' }),
    );

  it('is not a sidecar for traffic: grafana → prometheus is plaintext and works (the false "reset")', async () => {
    const r = await lintYaml({ 'm.yaml': meshFor(false) }, { istioVersion: '1.5' });
    expect(call(r, 'grafana', 'prometheus')).toBe('plaintext:plaintext');
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
  });

  it('with istio-init beside it, it is a sidecar: STRICT resets the plaintext caller', async () => {
    const r = await lintYaml({ 'm.yaml': meshFor(true) }, { istioVersion: '1.5' });
    expect(call(r, 'grafana', 'prometheus')).toBe('plaintext:broken:reset');
  });

  it('a gateway (istio-proxy as `proxy router`, no istio-init) stays a proxy', async () => {
    const r = await lintYaml({
      'm.yaml': meshFor(false).replace('args: [proxy, sidecar,', 'args: [proxy, router,'),
    });
    expect(r.result.mesh().workloads.find((w) => w.name === 'prometheus')!.sidecar.state).toBe('sidecar');
  });

  it('sidecar.istio.io/interceptionMode: NONE also turns the proxy into a bystander', async () => {
    const r = await lintYaml({
      'm.yaml': meshFor(true).replace(
        'sidecar.istio.io/inject: "false"',
        'sidecar.istio.io/inject: "false", sidecar.istio.io/interceptionMode: NONE',
      ),
    });
    expect(call(r, 'grafana', 'prometheus')).toBe('plaintext:plaintext');
  });
});
