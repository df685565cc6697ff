// Routing decides which subset settings apply (issue 17): a DestinationRule subset's trafficPolicy.tls reaches only the
// traffic a VirtualService visible to the client routes to that subset (pilot/pkg/model/push_context.go
// initVirtualServices / VirtualServicesForGateway; networking/core/route/route.go; util.go MergeSubsetTrafficPolicy).
// Each case pairs the manifests that break with the nearest ones that do not, so it fails if subsets are ignored.
import { describe, expect, it } from 'vitest';
import {
  byRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
  reviewsVersions,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** A client workload `name` in `ns` that declares calls to reviews.<reviewsNs>:9080. */
function client(ns: string, name: string, reviewsNs: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  annotations: {mtls-lint.io/calls: "reviews.${reviewsNs}:9080"}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: example/${name}:1}]
`;
}

function destinationRule(ns: string, subsets: Record<string, string | undefined>): string {
  const list = Object.entries(subsets)
    .map(
      ([name, tls]) =>
        `  - name: ${name}\n    labels: {version: ${name}}${tls ? `\n    trafficPolicy: {tls: {mode: ${tls}}}` : ''}`,
    )
    .join('\n');
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: ${ns}}
spec:
  host: reviews
  subsets:
${list}
`;
}

function virtualService(
  ns: string,
  routes: Record<string, number>,
  extra: { gateways?: string[]; exportTo?: string[] } = {},
): string {
  const lines = Object.entries(routes)
    .map(
      ([subset, weight]) => `    - destination: {host: reviews, subset: ${subset}}\n      weight: ${weight}`,
    )
    .join('\n');
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: ${ns}}
spec:
  hosts: [reviews]${extra.gateways ? `\n  gateways: [${extra.gateways.join(', ')}]` : ''}${extra.exportTo ? `\n  exportTo: [${extra.exportTo.map((e) => JSON.stringify(e)).join(', ')}]` : ''}
  http:
  - route:
${lines}
`;
}

/** "workload:sends:outcome(:failure)" for each connection of the declared call `from` → reviews. */
function outcomes(r: Run, from: string): string[] {
  const e = r.edges.find(
    (x) => x.client.name === from && x.server.service === 'reviews' && x.caller === 'declared',
  );
  if (!e) throw new Error(`no declared edge ${from} → reviews`);
  return e.connections
    .map(
      (c) =>
        `${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`,
    )
    .sort();
}

/** The plaintext-to-strict victims' texts (related locations' messages). */
function victims(r: Run, rule: string): string[] {
  return byRule(r, rule).flatMap((f) => (f.related ?? []).map((x) => x.message));
}

const strictFoo = docs(
  namespace('foo', INJECTED),
  reviewsVersions('foo', 9080, 9080),
  client('foo', 'productpage', 'foo'),
  peerAuthentication('foo', 'default', { mode: 'STRICT' }),
);

describe('a subset tls DISABLE toward a STRICT server', () => {
  it('breaks the calls routed to that subset (503), and the finding names the VirtualService and the subset', async () => {
    const r = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v2: 100 }),
    });
    expect(outcomes(r, 'productpage')).toEqual(['reviews-v2:plaintext:broken:503']);
    const texts = victims(r, 'plaintext-to-strict').filter((m) => m.includes('sends plaintext'));
    expect(texts.length).toBeGreaterThan(0);
    expect(texts[0]).toMatch(/routed by VirtualService foo\/reviews-route \(.*vs\.yaml:\d+\) to subset v2/);
    expect(texts[0]).toContain('DestinationRule foo/reviews subset v2 tls mode DISABLE');
    expect(byRule(r, 'plaintext-to-strict')[0]!.message).toContain(
      'foo/productpage → reviews.foo:9080 (HTTP 503)',
    );
  });

  it('a weighted split breaks only the subset with DISABLE: the other subset’s pods keep mTLS', async () => {
    const r = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v1: 90, v2: 10 }),
    });
    expect(outcomes(r, 'productpage')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:plaintext:broken:503']);
    const texts = victims(r, 'plaintext-to-strict').filter((m) => m.includes('sends plaintext'));
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(t).toContain('subset v2');
      expect(t).not.toContain('subset v1');
    }
  });

  it('a subset no route sends traffic to stays invisible (no finding); routing to it breaks the call', async () => {
    const unrouted = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v1: 100 }),
    });
    expect(outcomes(unrouted, 'productpage')).toEqual(['reviews-v1:mtls:mtls']);
    expect(byRule(unrouted, 'plaintext-to-strict')).toEqual([]);
    const routed = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v1: 50, v2: 50 }),
    });
    expect(byRule(routed, 'plaintext-to-strict')).toHaveLength(1);
  });
});

describe('a subset tls ISTIO_MUTUAL toward a server without a sidecar', () => {
  it('fails with 503 on the routed subset only', async () => {
    const files = (vs: string) => ({
      'mesh.yaml': docs(
        namespace('foo', INJECTED),
        namespace('legacy'),
        reviewsVersions('legacy', 9080, 9080),
        client('foo', 'productpage', 'legacy'),
      ),
      'dr.yaml': destinationRule('legacy', { v1: 'ISTIO_MUTUAL', v2: undefined }),
      'vs.yaml': vs,
    });
    const r = await lintYaml(files(virtualService('legacy', { v1: 100 })));
    expect(outcomes(r, 'productpage')).toEqual(['reviews-v1:mtls:broken:503']);
    const findings = byRule(r, 'mtls-to-plaintext-server');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('foo/productpage');
    const other = await lintYaml(files(virtualService('legacy', { v2: 100 })));
    expect(outcomes(other, 'productpage')).toEqual(['reviews-v2:plaintext:plaintext']);
    expect(byRule(other, 'mtls-to-plaintext-server')).toEqual([]);
  });
});

describe('which VirtualServices a sidecar uses', () => {
  it('one bound only to a gateway does not route sidecars; adding `mesh` does', async () => {
    const gatewayOnly = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v2: 100 }, { gateways: ['bookinfo-gateway'] }),
    });
    expect(outcomes(gatewayOnly, 'productpage')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls']);
    expect(victims(gatewayOnly, 'plaintext-to-strict').join('\n')).not.toContain('foo/productpage');
    const withMesh = await lintYaml({
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v2: 100 }, { gateways: ['bookinfo-gateway', 'mesh'] }),
    });
    expect(outcomes(withMesh, 'productpage')).toEqual(['reviews-v2:plaintext:broken:503']);
  });

  it('exportTo "." routes only its own namespace’s sidecars; another namespace named in exportTo is routed too', async () => {
    const mesh = docs(strictFoo, namespace('bar', INJECTED), client('bar', 'ratings', 'foo'));
    const dr = destinationRule('foo', { v1: undefined, v2: 'DISABLE' });
    const priv = await lintYaml({
      'mesh.yaml': mesh,
      'dr.yaml': dr,
      'vs.yaml': virtualService('foo', { v2: 100 }, { exportTo: ['.'] }),
    });
    expect(outcomes(priv, 'productpage')).toEqual(['reviews-v2:plaintext:broken:503']);
    expect(outcomes(priv, 'ratings')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls']);
    const named = await lintYaml({
      'mesh.yaml': mesh,
      'dr.yaml': dr,
      'vs.yaml': virtualService('foo', { v2: 100 }, { exportTo: ['.', 'bar'] }),
    });
    expect(outcomes(named, 'ratings')).toEqual(['reviews-v2:plaintext:broken:503']);
  });

  it('Istio 1.5 reads only exportTo[0]: a namespace name there makes the VirtualService public', async () => {
    const mesh = docs(strictFoo, namespace('bar', INJECTED), client('bar', 'ratings', 'foo'));
    const files = {
      'mesh.yaml': mesh,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
      'vs.yaml': virtualService('foo', { v2: 100 }, { exportTo: ['foo'] }),
    };
    // 1.6+: exported to foo only, so bar's sidecars are not routed; 1.5: exportTo[0] is not ".", so public.
    const now = await lintYaml(files);
    expect(outcomes(now, 'ratings')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls']);
    const old = await lintYaml(files, { istioVersion: '1.5' });
    expect(outcomes(old, 'ratings')).toEqual(['reviews-v2:plaintext:broken:503']);
  });
});

describe('the per-endpoint auto mTLS check and subsets (1.12–1.18 vs 1.19+)', () => {
  it('1.12–1.18 read a subset’s DISABLE for its pods even without a route; 1.19+ only for routed traffic', async () => {
    const files = {
      'mesh.yaml': strictFoo,
      'dr.yaml': destinationRule('foo', { v1: undefined, v2: 'DISABLE' }),
    };
    // No VirtualService: the default cluster, auto mTLS. 1.18's endpoint check takes the tls of the first subset
    // whose labels the pod has (mtls_checker.go tlsModeForDestinationRule(ep)), so reviews-v2 gets plaintext.
    const old = await lintYaml(files, { istioVersion: '1.18' });
    expect(outcomes(old, 'productpage')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:plaintext:broken:503']);
    expect(byRule(old, 'plaintext-to-strict')).toHaveLength(1);
    expect(byRule(old, 'plaintext-to-strict')[0]!.message).toContain(
      'Fix: remove DestinationRule foo/reviews subset v2 tls mode DISABLE',
    );
    const v2 = old.edges
      .find((e) => e.client.name === 'productpage' && e.server.service === 'reviews')!
      .connections.find((c) => c.serverWorkload?.name === 'reviews-v2')!;
    expect(v2.result.explanation).toContain('first DestinationRule subset whose labels this pod has');
    expect(v2.result.explanation).toContain('DestinationRule foo/reviews subset v2 tls mode DISABLE');
    const now = await lintYaml(files, { istioVersion: '1.19' });
    expect(outcomes(now, 'productpage')).toEqual(['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls']);
    expect(byRule(now, 'plaintext-to-strict')).toEqual([]);
  });
});

describe("Istio's own migration test (tests/integration/security/reachability_test.go, testdata/reachability/migration.yaml.tmpl)", () => {
  // Mesh-wide STRICT; service multiversion with a sidecar subset (vistio) and an uninjected one (vlegacy); the
  // VirtualService sends /vistio to vistio and everything else to vlegacy; the DestinationRule sets the same tls on
  // both subsets and the top level. Istio expects: no tls → both succeed (mTLS to vistio only); DISABLE → only
  // vlegacy succeeds; ISTIO_MUTUAL → only vistio succeeds.
  const pod = (version: string, inject: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: multiversion-${version}, namespace: ns1}
spec:
  selector: {matchLabels: {app: multiversion, version: ${version}}}
  template:
    metadata:
      labels: {app: multiversion, version: ${version}}${inject ? '' : `\n      annotations: {sidecar.istio.io/inject: "false"}`}
    spec:
      containers: [{name: app, image: example/echo:1, ports: [{containerPort: 8080}]}]
`;
  const mesh = docs(
    namespace('istio-system'),
    namespace('ns1', INJECTED),
    peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
    pod('vistio', true),
    pod('vlegacy', false),
    `apiVersion: v1
kind: Service
metadata: {name: multiversion, namespace: ns1}
spec:
  selector: {app: multiversion}
  ports: [{name: http, port: 80, targetPort: 8080}]
`,
    client('ns1', 'a', 'ns1').replace('reviews.ns1:9080', 'multiversion.ns1:80'),
  );
  const migration = (tls: string) => {
    const policy = tls ? `\n    trafficPolicy:\n      tls:\n        mode: ${tls}` : '';
    return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: multiversion, namespace: ns1}
spec:
  hosts: [multiversion.ns1.svc.cluster.local]
  http:
  - name: vistio-route
    match:
    - uri: {prefix: /vistio}
    route:
    - destination: {host: multiversion.ns1.svc.cluster.local, subset: vistio}
  - name: legacy-by-default
    route:
    - destination: {host: multiversion.ns1.svc.cluster.local, subset: vlegacy}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: multiversion, namespace: ns1}
spec:
  host: multiversion.ns1.svc.cluster.local
  subsets:
  - name: vistio
    labels: {version: vistio}${policy}
  - name: vlegacy
    labels: {version: vlegacy}${policy}${tls ? `\n  trafficPolicy:\n    tls:\n      mode: ${tls}` : ''}
`;
  };
  const run = async (tls: string) => {
    const r = await lintYaml({ 'mesh.yaml': mesh, 'migration.yaml': migration(tls) });
    const e = r.edges.find((x) => x.client.name === 'a' && x.server.service === 'multiversion')!;
    return e.connections
      .map(
        (c) =>
          `${c.client.route?.subset}→${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}`,
      )
      .sort();
  };
  it.each([
    ['', ['vistio→multiversion-vistio:mtls:mtls', 'vlegacy→multiversion-vlegacy:plaintext:plaintext']],
    [
      'DISABLE',
      ['vistio→multiversion-vistio:plaintext:broken', 'vlegacy→multiversion-vlegacy:plaintext:plaintext'],
    ],
    ['ISTIO_MUTUAL', ['vistio→multiversion-vistio:mtls:mtls', 'vlegacy→multiversion-vlegacy:mtls:broken']],
  ])('tls %j: the outcome Istio’s test expects, per routed subset', async (tls, expected) => {
    expect(await run(tls)).toEqual(expected);
  });
});
