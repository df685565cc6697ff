// Gateway proxies (issue 16 "Gateways", issue 17 item 1): recognised wherever they run, no PeerAuthentication target
// as servers, proxies with a mesh identity as clients (DestinationRules with Istio's root-namespace lookup), calling
// the destinations of the routes bound to them. Each case runs at three releases: 1.5, a middle one, the newest.
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  cli,
  destinationRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';
import type { Edge } from '../src/graph/graph.js';
import { releaseOf } from '../src/mesh/releases.js';

const INJECTED = { 'istio-injection': 'enabled' };
const RELEASES = ['1.5', '1.12', '1.30'];

/** The istio/gateway Helm chart's Deployment and LoadBalancer Service, in its own namespace. */
function chartGateway(ns: string, name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${name}
      istio: ingressgateway
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels:
        app: ${name}
        istio: ingressgateway
        sidecar.istio.io/inject: "true"
    spec:
      containers:
      - name: istio-proxy
        image: auto
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  type: LoadBalancer
  selector:
    app: ${name}
    istio: ingressgateway
  ports:
  - name: http2
    port: 80
    targetPort: 80
`;
}

/** The classic istio-ingressgateway of istioctl installs: the proxy image running as router, in istio-system. */
const CLASSIC_GATEWAY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  template:
    metadata:
      labels:
        app: istio-ingressgateway
        istio: ingressgateway
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.12.0
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
`;

function istioGateway(ns: string, name: string, selector = 'ingressgateway'): string {
  return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    istio: ${selector}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
`;
}

function virtualService(ns: string, gateway: string, host: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
  namespace: ${ns}
spec:
  hosts: ["shop.example.com"]
  gateways: [${gateway}]
  http:
  - route:
    - destination:
        host: ${host}
        port: {number: 8000}${extra}
`;
}

const gatewayEdges = (r: Run, service: string): Edge[] =>
  r.edges.filter(
    (e) =>
      e.caller === 'inferred' &&
      `${e.server.service}.${e.server.namespace}` === service &&
      e.evidence.resource?.kind !== 'Service',
  );

describe('gateway proxies as servers: not PeerAuthentication targets', () => {
  for (const v of RELEASES)
    it(`${v}: a chart-installed gateway in its own namespace under mesh STRICT breaks nobody`, async () => {
      const r = await lintYaml(
        {
          'ns.yaml': docs(namespace('istio-system'), namespace('istio-ingress'), namespace('legacy')),
          'gw.yaml': chartGateway('istio-ingress', 'ingress'),
          'client.yaml': app('legacy', 'curl', { noService: true }),
          'pa.yaml': peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
        },
        { istioVersion: v },
      );
      // No edge reaches the gateway's Service: its listeners take their TLS from Gateway resources.
      expect(r.edges.filter((e) => e.server.service === 'ingress')).toEqual([]);
      expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
      expect(r.result.summary.errors).toBe(0);
    });
});

describe('VirtualServices bound to a Gateway: the gateway calls their destinations', () => {
  const base = (extra: string[] = []) => ({
    'ns.yaml': docs(namespace('istio-system'), namespace('shop', INJECTED)),
    'gw.yaml': docs(CLASSIC_GATEWAY, istioGateway('shop', 'shop-gateway')),
    'web.yaml': app('shop', 'web', { podLabels: { version: 'v1' } }),
    'pa.yaml': peerAuthentication('shop', 'default', { mode: 'STRICT' }),
    'more.yaml': docs(...(extra.length ? extra : ['{}\n'])),
  });

  for (const v of RELEASES)
    it(`${v}: the gateway workload is an inferred caller of the route's destination, named by the VirtualService`, async () => {
      const r = await lintYaml(
        { ...base(), 'vs.yaml': virtualService('shop', 'shop-gateway', 'web') },
        { istioVersion: v },
      );
      const edges = gatewayEdges(r, 'web.shop');
      expect(edges.map((e) => `${e.client.namespace}/${e.client.name} ${e.outcome}`)).toEqual([
        'istio-system/istio-ingressgateway mtls',
      ]);
      expect(edges[0]!.evidence.description).toBe(
        'VirtualService shop/web routes to web:8000 (gateway shop/shop-gateway)',
      );
      expect(r.result.summary.errors).toBe(0);
    });

  for (const v of RELEASES)
    it(`${v}: a DISABLE rule for the host breaks the gateway's calls under STRICT, and the finding names the gateway`, async () => {
      const r = await lintYaml(
        {
          ...base([destinationRule('shop', 'web', 'web', { tls: 'DISABLE' })]),
          'vs.yaml': virtualService('shop', 'shop-gateway', 'web'),
        },
        { istioVersion: v },
      );
      const [f, ...rest] = byRule(r, 'plaintext-to-strict');
      expect(rest).toEqual([]);
      expect(f!.severity).toBe('error');
      expect(f!.message).toContain('istio-system/istio-ingressgateway → web.shop:8000 (HTTP 503)');
      expect(f!.related?.map((x) => `${x.file}:${x.line} ${x.message}`)).toContain(
        'vs.yaml:12 inferred caller: VirtualService shop/web routes to web:8000 (gateway shop/shop-gateway)',
      );
    });

  for (const v of RELEASES)
    it(`${v}: a route to a subset uses the subset's tls (subset DISABLE under STRICT: 503)`, async () => {
      const subsetRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: web
  namespace: shop
spec:
  host: web
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      tls: {mode: DISABLE}
`;
      const routed = await lintYaml(
        {
          ...base([subsetRule]),
          'vs.yaml': virtualService('shop', 'shop-gateway', 'web', '\n        subset: v1'),
        },
        { istioVersion: v },
      );
      expect(gatewayEdges(routed, 'web.shop').map((e) => e.outcome)).toEqual(['broken']);
      const unrouted = await lintYaml(
        { ...base([subsetRule]), 'vs.yaml': virtualService('shop', 'shop-gateway', 'web') },
        { istioVersion: v },
      );
      // 1.12–1.18 the per-endpoint auto mTLS check of the service's default cluster takes the tls of the first
      // subset whose labels the pod has (1.12.0 xds/endpoint_builder.go mtlsModeForDestinationRule): web's pods carry
      // version: v1, so subset v1's DISABLE reaches them without a route. 1.19+ reads the cluster's own subset only.
      const release = releaseOf(v);
      const defaultClusterReadsSubsets =
        release.has('auto-mtls-honours-workload-disable') &&
        !release.has('subset-endpoint-check-reads-cluster-subset');
      expect(gatewayEdges(unrouted, 'web.shop').map((e) => e.outcome)).toEqual([
        defaultClusterReadsSubsets ? 'broken' : 'mtls',
      ]);
    });

  it('a destination without a port: the single port of its service; a multi-port service gets no call (Istio has no cluster for it)', async () => {
    const twoPorts = app('shop', 'api').replace(
      '  - port: 8000\n    name: http\n    targetPort: 80\n',
      '  - port: 8000\n    name: http\n    targetPort: 80\n  - port: 9000\n    name: http-admin\n    targetPort: 80\n',
    );
    const vs = (host: string) =>
      virtualService('shop', 'shop-gateway', host).replace('\n        port: {number: 8000}', '');
    const r = await lintYaml({
      ...base([twoPorts]),
      'vs.yaml': docs(vs('web'), vs('api').replace('name: web', 'name: api')),
    });
    expect(gatewayEdges(r, 'web.shop').map((e) => e.server.port)).toEqual([8000]);
    expect(
      r.result
        .mesh()
        .services.find((x) => x.name === 'api')!
        .ports.map((p) => p.port),
    ).toEqual([8000, 9000]);
    expect(gatewayEdges(r, 'api.shop')).toEqual([]);
  });

  it('a Gateway whose gateway pods are not in the inputs: a stand-in gateway proxy in the root namespace', async () => {
    const r = await lintYaml({
      'ns.yaml': docs(namespace('istio-system'), namespace('shop', INJECTED)),
      'gw.yaml': istioGateway('shop', 'shop-gateway'),
      'web.yaml': app('shop', 'web'),
      'vs.yaml': virtualService('shop', 'shop-gateway', 'web.shop.svc.cluster.local'),
    });
    const [e, ...rest] = gatewayEdges(r, 'web.shop');
    expect(rest).toEqual([]);
    expect(e!.client).toMatchObject({ kind: 'Gateway', namespace: 'istio-system', sidecar: 'sidecar' });
    expect(e!.client.standIn).toBe(
      'the Istio gateway of Gateway shop/shop-gateway (istio=ingressgateway) (not in the inputs; assumed in istio-system)',
    );
    expect(e!.outcome).toBe('mtls');
  });
});

describe('Gateway API routes: reached from their parent Gateway', () => {
  const gateway = (className: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: shop
spec:
  gatewayClassName: ${className}
  listeners:
  - name: http
    port: 80
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: shop
spec:
  parentRefs:
  - name: edge
  rules:
  - backendRefs:
    - name: web
      port: 8000
`;
  const files = (className: string) => ({
    'ns.yaml': docs(namespace('istio-system'), namespace('shop', INJECTED)),
    'web.yaml': app('shop', 'web'),
    'pa.yaml': peerAuthentication('shop', 'default', { mode: 'STRICT' }),
    'gw.yaml': gateway(className),
  });

  for (const v of RELEASES)
    it(`${v}: class istio — Istio's gateway proxy in the Gateway's namespace sends mTLS`, async () => {
      const r = await lintYaml(files('istio'), { istioVersion: v });
      const [e, ...rest] = gatewayEdges(r, 'web.shop');
      expect(rest).toEqual([]);
      expect(e!.client).toMatchObject({ kind: 'Gateway', namespace: 'shop', sidecar: 'sidecar' });
      expect(e!.outcome).toBe('mtls');
      expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
    });

  for (const v of RELEASES)
    it(`${v}: another class — its controller, assumed without a sidecar, breaks under STRICT: a warning`, async () => {
      const r = await lintYaml(files('nginx'), { istioVersion: v });
      const [f, ...rest] = byRule(r, 'plaintext-to-strict');
      expect(rest).toEqual([]);
      expect(f!.severity).toBe('warning');
      expect(f!.message).toContain(
        'the nginx gateway controller of Gateway shop/edge (not in the inputs; assumed without a sidecar) → web.shop:8000 (connection reset, curl 000)',
      );
    });

  it('istio-waypoint is not a gateway: no caller from it', async () => {
    const r = await lintYaml(files('istio-waypoint'));
    expect(gatewayEdges(r, 'web.shop')).toEqual([]);
  });
});

describe('proxies in the root namespace: Istio skips the root namespace’s public catch-all rules (push_context.go destinationRule)', () => {
  // A mesh-wide ISTIO_MUTUAL in istio-system, and legacy's own rule that disables TLS toward its uninjected web.
  const files = (extra: string[] = []) => ({
    'ns.yaml': docs(namespace('istio-system'), namespace('legacy'), namespace('shop', INJECTED)),
    'gw.yaml': docs(CLASSIC_GATEWAY, istioGateway('legacy', 'legacy-gateway')),
    'web.yaml': app('legacy', 'web'),
    'vs.yaml': virtualService('legacy', 'legacy-gateway', 'web'),
    'client.yaml': app('shop', 'curl', { noService: true, calls: 'web.legacy:8000' }),
    'dr.yaml': docs(
      destinationRule('istio-system', 'mesh-wide', '*.local', { tls: 'ISTIO_MUTUAL' }),
      destinationRule('legacy', 'web', 'web', { tls: 'DISABLE' }),
      ...extra,
    ),
  });
  const outcome = (r: Run, client: string) =>
    r.edges.find((e) => `${e.client.namespace}/${e.client.name}` === client && e.server.service === 'web')!;

  for (const v of RELEASES)
    it(`${v}: the gateway in istio-system uses legacy's DISABLE rule, not the root catch-all (no false 503)`, async () => {
      const r = await lintYaml(files(), { istioVersion: v });
      const gw = outcome(r, 'istio-system/istio-ingressgateway');
      expect(gw.clientTls).toBe('plaintext');
      expect(gw.outcome).toBe('plaintext');
      expect(gw.connections[0]!.client.cause?.resource.name).toBe('web');
      // The catch-all still breaks other services of legacy (nothing overrides it there), not web.
      expect(byRule(r, 'mtls-to-plaintext-server').filter((f) => f.message.includes('web.legacy'))).toEqual(
        [],
      );
    });

  it.each([
    ['1.5', 'web', 'plaintext'],
    ['1.12', 'root-private', 'broken'],
    ['1.30', 'root-private', 'broken'],
  ])(
    '%s: a private (exportTo ".") rule of the root namespace comes first for its proxies from 1.8 → %s decides',
    async (v, rule, result) => {
      const r = await lintYaml(
        files([
          destinationRule('istio-system', 'root-private', 'web.legacy.svc.cluster.local', {
            tls: 'ISTIO_MUTUAL',
            exportTo: ['.'],
          }),
        ]),
        { istioVersion: v },
      );
      const gw = outcome(r, 'istio-system/istio-ingressgateway');
      expect(gw.connections[0]!.client.cause?.resource.name).toBe(rule);
      expect(gw.outcome).toBe(result);
      // A sidecar elsewhere never sees the private rule.
      expect(outcome(r, 'shop/curl').connections[0]!.client.cause?.resource.name).toBe('web');
    },
  );
});

describe('graph shows gateway callers in every format', () => {
  it('table, json, mermaid and dot name the stand-in gateway', async () => {
    const r = await lintYaml({
      'ns.yaml': docs(namespace('istio-system'), namespace('shop', INJECTED)),
      'gw.yaml': istioGateway('shop', 'shop-gateway'),
      'web.yaml': app('shop', 'web'),
      'vs.yaml': virtualService('shop', 'shop-gateway', 'web'),
    });
    const name = 'the Istio gateway of Gateway shop/shop-gateway';
    for (const format of ['table', 'mermaid', 'dot']) {
      const out = await cli(['graph', '-f', format, '.'], r.dir);
      expect(out.stdout, format).toContain(name);
    }
    const json = JSON.parse((await cli(['graph', '-f', 'json', '.'], r.dir)).stdout) as {
      edges: { client: { kind: string; standIn?: string }; caller: string; evidence: string }[];
    };
    const e = json.edges.find((x) => x.client.standIn?.startsWith(name));
    expect(e).toMatchObject({ caller: 'inferred', client: { kind: 'Gateway' } });
    expect(e!.evidence).toContain('VirtualService shop/web');
  });
});
