// ServiceEntries II (issue 17): exportTo, wildcard hosts, and Kubernetes Services that select WorkloadEntries.
// Outcomes from Istio's source: push_context.go initServiceRegistry (exportTo; a host the client's registry lacks goes
// to the PassthroughCluster or the BlackHoleCluster), config.go MostSpecificHostMatch (a wildcard service host only
// meets wildcard DestinationRule hosts), kube/controller/controller.go serviceInstancesFromWorkloadInstances (1.7+).
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  destinationRule,
  docs,
  edge,
  calls,
  lintYaml,
  namespace,
  observed,
  peerAuthentication,
  serviceEntry,
  workloadEntry,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

const REGISTRY_ONLY = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
`;

describe('ServiceEntry exportTo', () => {
  // A MESH_INTERNAL entry for pods with sidecars in namespace vm (STRICT), called from namespace foo.
  const mesh = (exportTo: string[] | undefined, ...extra: string[]) =>
    docs(
      namespace('vm', INJECTED),
      namespace('foo', INJECTED),
      namespace('bar', INJECTED),
      namespace('istio-system'),
      peerAuthentication('vm', 'default', { mode: 'STRICT' }),
      serviceEntry('vm', 'vm-svc', ['vm.example.internal'], {
        location: 'MESH_INTERNAL',
        selector: { app: 'vm-app' },
        ...(exportTo ? { exportTo } : {}),
      }),
      app('vm', 'vm-app', { noService: true }),
      app('foo', 'sleep', { noService: true, calls: 'vm.example.internal:80' }),
      ...extra,
    );

  it('a client outside the export scope has no cluster for the host: passthrough plaintext, reset by STRICT (curl 000)', async () => {
    const hidden = await lintYaml({ 'm.yaml': mesh(['.']) });
    expect(calls(hidden, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app PLAINTEXT:broken 000']);
    const c = edge(hidden, 'foo/sleep', 'vm.example.internal.vm:80').connections[0]!;
    expect(c.client.explanation).toMatch(
      /ServiceEntry vm\/vm-svc exportTo \[\.\] does not export host vm\.example\.internal to namespace foo.*PassthroughCluster/,
    );
    expect(c.client.cause?.path).toEqual(['spec', 'exportTo']);
    expect(byRule(hidden, 'plaintext-to-strict')).toHaveLength(1);
    // Exported to everyone (or no exportTo): auto mTLS, as before.
    for (const exportTo of [['*'], undefined]) {
      const seen = await lintYaml({ 'm.yaml': mesh(exportTo) });
      expect(calls(seen, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app AUTO:mtls 200']);
    }
  });

  it('"~" hides the host from everyone; REGISTRY_ONLY sends the call to the BlackHoleCluster', async () => {
    const none = await lintYaml({ 'm.yaml': mesh(['~']) });
    expect(calls(none, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app PLAINTEXT:broken 000']);
    const blocked = await lintYaml({ 'm.yaml': mesh(['.'], REGISTRY_ONLY) });
    expect(calls(blocked, 'foo/sleep', 'vm.example.internal.vm:80')[0]).toMatch(/^vm-app BLOCKED:broken/);
  });

  it('namespace names: 1.7+ export to exactly those namespaces; 1.6 makes any entry other than "." public', async () => {
    const files = { 'm.yaml': mesh(['bar']) };
    const modern = await lintYaml(files, { istioVersion: '1.22' });
    expect(calls(modern, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app PLAINTEXT:broken 000']);
    const old = await lintYaml(files, { istioVersion: '1.6' });
    expect(calls(old, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app AUTO:mtls 200']);
    // Exported to the client's namespace by name: seen in both.
    const named = await lintYaml({ 'm.yaml': mesh(['foo']) }, { istioVersion: '1.22' });
    expect(calls(named, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app AUTO:mtls 200']);
  });

  it('of two entries for one host, the client gets the one exported to it', async () => {
    // alpha/vm-svc-alpha sorts first and would win, but it is private to alpha.
    const r = await lintYaml({
      'm.yaml': mesh(
        undefined,
        namespace('alpha'),
        serviceEntry('alpha', 'vm-svc-alpha', ['vm.example.internal'], {
          exportTo: ['.'],
          resolution: 'DNS',
        }),
      ),
    });
    expect(calls(r, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-app AUTO:mtls 200']);
  });
});

describe('wildcard ServiceEntry hosts', () => {
  const mesh = (...extra: string[]) =>
    docs(
      namespace('foo', INJECTED),
      namespace('istio-system'),
      peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
      serviceEntry('foo', 'example-wildcard', ['*.example.com'], { resolution: 'NONE' }),
      app('foo', 'sleep', { noService: true, calls: 'api.example.com:80' }),
      ...extra,
    );

  it('a host the wildcard matches gets the entry: MESH_EXTERNAL, no auto mTLS, plaintext 200', async () => {
    const r = await lintYaml({ 'm.yaml': mesh() });
    expect(calls(r, 'foo/sleep', '*.example.com.foo:80')).toEqual([
      'example-wildcard PLAINTEXT:plaintext 200',
    ]);
  });

  it("a DestinationRule for the exact host does not reach the wildcard entry's cluster; one for the wildcard does", async () => {
    // MostSpecificHostMatch with a wildcard needle looks only among wildcard rule hosts.
    const exact = await lintYaml({
      'm.yaml': mesh(destinationRule('foo', 'api', 'api.example.com', { tls: 'ISTIO_MUTUAL' })),
    });
    expect(calls(exact, 'foo/sleep', '*.example.com.foo:80')).toEqual([
      'example-wildcard PLAINTEXT:plaintext 200',
    ]);
    for (const host of ['*.example.com', '*.com']) {
      const wild = await lintYaml({
        'm.yaml': mesh(destinationRule('foo', 'wild', host, { tls: 'ISTIO_MUTUAL' })),
      });
      expect(calls(wild, 'foo/sleep', '*.example.com.foo:80')).toEqual([
        'example-wildcard ISTIO_MUTUAL:broken 503',
      ]);
    }
  });

  it('an exact entry for the host wins over the wildcard; the most specific wildcard over a shorter one', async () => {
    const r = await lintYaml({
      'm.yaml': mesh(
        serviceEntry('foo', 'api-exact', ['api.example.com'], { resolution: 'DNS' }),
        serviceEntry('foo', 'all-com', ['*.com'], { resolution: 'NONE' }),
        app('foo', 'curl', { noService: true, calls: 'www.example.com:80,shop.other.com:80' }),
      ),
    });
    expect(calls(r, 'foo/sleep', 'api.example.com.foo:80')).toEqual(['api-exact PLAINTEXT:plaintext 200']);
    expect(calls(r, 'foo/curl', '*.example.com.foo:80')).toEqual([
      'example-wildcard PLAINTEXT:plaintext 200',
    ]);
    expect(calls(r, 'foo/curl', '*.com.foo:80')).toEqual(['all-com PLAINTEXT:plaintext 200']);
  });
});

describe('Kubernetes Services that select WorkloadEntries (1.7+)', () => {
  // reviews in ns vm: one pod with a sidecar and one VM (WorkloadEntry, labels app=reviews) with tlsMode `vmMode`.
  const mesh = (vm: Record<string, string>, mode: string, ...extra: string[]) =>
    docs(
      namespace('vm', INJECTED),
      namespace('foo', INJECTED),
      peerAuthentication('vm', 'default', { mode }),
      app('vm', 'reviews', { port: 9080, containerPort: 9080 }),
      workloadEntry('vm', 'reviews-vm', { app: 'reviews', ...vm }),
      app('foo', 'sleep', { noService: true, calls: 'reviews.vm:9080' }),
      ...extra,
    );

  it('a VM without a sidecar behind the Service gets plaintext from auto mTLS, the pod mTLS', async () => {
    const files = { 'm.yaml': mesh({ 'security.istio.io/tlsMode': 'disabled' }, 'PERMISSIVE') };
    const r = await lintYaml(files, { istioVersion: '1.22' });
    expect(calls(r, 'foo/sleep', 'reviews.vm:9080')).toEqual([
      'reviews AUTO:mtls 200',
      'reviews-vm AUTO:plaintext 200',
    ]);
    // 1.6: the Kubernetes registry does not read WorkloadEntries; the Service has only its pod.
    const old = await lintYaml(files, { istioVersion: '1.6' });
    expect(calls(old, 'foo/sleep', 'reviews.vm:9080')).toEqual(['reviews AUTO:mtls 200']);
    // A headless Service does not take WorkloadEntries (only ClientSideLB Services do).
    const headless = await lintYaml({
      'm.yaml': docs(
        namespace('vm', INJECTED),
        namespace('foo', INJECTED),
        app('vm', 'reviews', { port: 9080, containerPort: 9080, headless: true }),
        workloadEntry('vm', 'reviews-vm', { app: 'reviews', 'security.istio.io/tlsMode': 'disabled' }),
        app('foo', 'sleep', { noService: true, calls: 'reviews.vm:9080' }),
      ),
    });
    expect(calls(headless, 'foo/sleep', 'reviews.vm:9080')).toEqual(['reviews AUTO:mtls 200']);
  });

  it('ISTIO_MUTUAL toward the Service fails on the VM without a sidecar (503)', async () => {
    const r = await lintYaml({
      'm.yaml': mesh(
        { 'security.istio.io/tlsMode': 'disabled' },
        'PERMISSIVE',
        destinationRule('foo', 'reviews', 'reviews.vm.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    });
    expect(calls(r, 'foo/sleep', 'reviews.vm:9080')).toEqual([
      'reviews ISTIO_MUTUAL:mtls 200',
      'reviews-vm ISTIO_MUTUAL:broken 503',
    ]);
    expect(byRule(r, 'mtls-to-plaintext-server')).toHaveLength(1);
  });

  it('a VM with a sidecar (serviceAccount, no label) is a STRICT mesh endpoint: DISABLE toward it resets', async () => {
    const vmWithProxy = workloadEntry('vm', 'reviews-vm', { app: 'reviews' }, 'reviews');
    const files = (extra: string) =>
      docs(
        namespace('vm', INJECTED),
        namespace('foo', INJECTED),
        peerAuthentication('vm', 'default', { mode: 'STRICT' }),
        app('vm', 'reviews', { port: 9080, containerPort: 9080 }),
        vmWithProxy,
        app('foo', 'sleep', { noService: true, calls: 'reviews.vm:9080' }),
        extra,
      );
    const auto = await lintYaml({ 'm.yaml': files('') });
    expect(calls(auto, 'foo/sleep', 'reviews.vm:9080')).toEqual([
      'reviews AUTO:mtls 200',
      'reviews-vm AUTO:mtls 200',
    ]);
    const disabled = await lintYaml({
      'm.yaml': files(destinationRule('foo', 'reviews', 'reviews.vm.svc.cluster.local', { tls: 'DISABLE' })),
    });
    expect(calls(disabled, 'foo/sleep', 'reviews.vm:9080')).toEqual([
      'reviews DISABLE:broken 503',
      'reviews-vm DISABLE:broken 503',
    ]);
  });
});

describe('the egress gateway pattern', () => {
  // istio.io "Egress Gateways" (HTTP traffic with mTLS to the gateway): sidecars route edition.cnn.com:80 to the
  // egress gateway's port 443, subset cnn; the Gateway server there is ISTIO_MUTUAL; the gateway goes on to the host.
  const egressGateway = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels: {istio: egressgateway}
  template:
    metadata:
      labels: {app: istio-egressgateway, istio: egressgateway}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.22.0
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports:
        - containerPort: 8080
        - containerPort: 8443
---
apiVersion: v1
kind: Service
metadata:
  name: istio-egressgateway
  namespace: istio-system
spec:
  selector: {istio: egressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
`;
  const gateway = (tls: boolean) => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 443, name: https, protocol: ${tls ? 'HTTPS' : 'HTTP'}}
    hosts: [edition.cnn.com]${tls ? '\n    tls: {mode: ISTIO_MUTUAL}' : ''}
`;
  const rule = (tls: string | undefined) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-cnn
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: cnn${
    tls
      ? `
    trafficPolicy:
      portLevelSettings:
      - port: {number: 443}
        tls: {mode: ${tls}, sni: edition.cnn.com}`
      : ''
  }
`;
  const mesh = (gatewayTls: boolean, ruleTls: string | undefined) =>
    docs(
      namespace('default', INJECTED),
      namespace('istio-system'),
      egressGateway,
      gateway(gatewayTls),
      rule(ruleTls),
      serviceEntry('default', 'cnn', ['edition.cnn.com'], { resolution: 'DNS' }),
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-cnn-through-egress-gateway
  namespace: default
spec:
  hosts: [edition.cnn.com]
  gateways: [istio-egressgateway, mesh]
  http:
  - match:
    - {gateways: [mesh], port: 80}
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: cnn
        port: {number: 443}
  - match:
    - {gateways: [istio-egressgateway], port: 443}
    route:
    - destination:
        host: edition.cnn.com
        port: {number: 80}
`,
      app('default', 'sleep', { noService: true, calls: 'edition.cnn.com:80' }),
    );
  const HOP = 'istio-egressgateway.istio-system:443';

  it("the sidecar's hop to an ISTIO_MUTUAL egress gateway uses the subset's DestinationRule: ISTIO_MUTUAL works", async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true, 'ISTIO_MUTUAL') });
    expect(calls(r, 'default/sleep', HOP)).toEqual(['istio-egressgateway ISTIO_MUTUAL:mtls 200']);
    const c = edge(r, 'default/sleep', HOP);
    // The call to the external host is the route's: redirected to the gateway's subset (graph/routing.ts).
    expect(c.routedFrom).toMatchObject({ service: 'edition.cnn.com', port: 80 });
    expect(c.connections[0]!.client.explanation).toMatch(
      /routed by VirtualService default\/direct-cnn-through-egress-gateway .* to istio-egressgateway\.istio-system\.svc\.cluster\.local:443 subset cnn: DestinationRule default\/egressgateway-for-cnn subset cnn port 443 tls mode ISTIO_MUTUAL/,
    );
    expect(c.connections[0]!.server.explanation).toMatch(
      /Gateway default\/istio-egressgateway server port 443 has tls mode ISTIO_MUTUAL: it accepts Istio mTLS only/,
    );
  });

  it('without ISTIO_MUTUAL toward the gateway, auto mTLS sends plaintext (the gateway pod has no sidecar): 503', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true, undefined) });
    expect(calls(r, 'default/sleep', HOP)).toEqual(['istio-egressgateway AUTO:broken 503']);
    expect(byRule(r, 'plaintext-to-strict').length).toBeGreaterThan(0);
  });

  it('ISTIO_MUTUAL toward a gateway server without tls: the gateway cannot read it (503)', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(false, 'ISTIO_MUTUAL') });
    expect(calls(r, 'default/sleep', HOP)).toEqual(['istio-egressgateway ISTIO_MUTUAL:broken 503']);
  });

  it('the gateway goes on to the MESH_EXTERNAL host in plaintext: no auto mTLS from the gateway either', async () => {
    const r = await lintYaml({ 'm.yaml': mesh(true, 'ISTIO_MUTUAL') });
    const leg = edge(r, 'istio-system/istio-egressgateway', 'edition.cnn.com.default:80');
    expect(leg.connections.map((c) => `${c.client.mode}:${c.result.outcome} ${observed(c)}`)).toEqual([
      'PLAINTEXT:plaintext 200',
    ]);
    expect(leg.connections[0]!.client.explanation).toMatch(
      /Istio never applies auto mTLS to a mesh-external host/,
    );
  });
});
