// Routing II (issue 17): which host a mesh VirtualService sends a call to, and for which clients.
// - A route to another host (or port) connects the client to that service's workloads, with that host's
//   DestinationRule and subsets (route.go GetDestinationCluster: the destination's port, else the destination
//   service's only port, else the port called).
// - sourceLabels in a match hold only for clients whose pod labels contain them (route.go sourceMatchHTTP,
//   tls.go matchTCP); other clients fall through to the later routes.
// - A client's Sidecar egress hosts import a VirtualService only through the VirtualService's own namespace
//   (virtualservice.go SelectVirtualServices, sidecar.go VSMatches), from 1.1.
// - meshConfig.defaultVirtualServiceExportTo: "." makes VirtualServices without exportTo private (push_context.go
//   initVirtualServices), from 1.1.
// Every case pairs the manifests with the nearest ones Istio treats differently, so ignoring the behaviour fails it.
import { describe, expect, it } from 'vitest';
import type { Edge } from '../src/graph/graph.js';
import {
  app,
  byRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
  reviewsVersions,
  declaredShapes,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

function declaredEdge(r: Run, client: string, server: string): Edge {
  const e = r.edges.find(
    (x) =>
      x.caller === 'declared' &&
      x.client.name === client &&
      `${x.server.service}.${x.server.namespace}:${x.server.port}` === server,
  );
  if (!e)
    throw new Error(`no declared edge ${client} → ${server}: ${JSON.stringify(declaredShapes(r, client))}`);
  return e;
}

function virtualService(ns: string, name: string, host: string, http: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hosts: [${host}]${extra}
  http:
${http}`;
}

/** DestinationRule for reviews in `ns`: subset v1 without tls, subset v2 with tls DISABLE. */
function reviewsSubsets(ns: string): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: ${ns}}
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {tls: {mode: DISABLE}}
`;
}

describe('a route to another host connects the client to that host’s workloads', () => {
  // productpage calls reviews.foo:8000; the VirtualService sends everything to reviews-canary (one port, 9000),
  // whose DestinationRule disables TLS while foo is STRICT.
  const mesh = docs(
    namespace('foo', INJECTED),
    peerAuthentication('foo', 'default', { mode: 'STRICT' }),
    app('foo', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
    app('foo', 'reviews'),
    app('foo', 'reviews-canary', { port: 9000 }),
    app('foo', 'details', { noService: true }),
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-canary, namespace: foo}
spec:
  host: reviews-canary
  trafficPolicy: {tls: {mode: DISABLE}}
`,
  );

  it('the redirected call gets the other host’s DestinationRule (503 toward STRICT), on that service’s only port', async () => {
    const r = await lintYaml({
      'mesh.yaml': mesh,
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews-canary}\n',
      ),
    });
    // Everything goes to reviews-canary: no connection reaches the reviews pods.
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews-canary.foo:9000': ['reviews-canary:plaintext:broken:503'],
    });
    const e = declaredEdge(r, 'productpage', 'reviews-canary.foo:9000');
    expect(e.routedFrom).toMatchObject({ namespace: 'foo', service: 'reviews', port: 8000 });
    expect(e.connections[0]!.client.explanation).toMatch(
      /a call to reviews\.foo\.svc\.cluster\.local:8000 is routed by VirtualService foo\/reviews-route \(.*vs\.yaml:\d+\) to reviews-canary\.foo\.svc\.cluster\.local:9000/,
    );
    expect(e.connections[0]!.client.explanation).toContain('DestinationRule foo/reviews-canary');
    const texts = byRule(r, 'plaintext-to-strict')
      .flatMap((f) => [f.message, ...(f.related ?? []).map((x) => x.message)])
      .join('\n');
    expect(texts).toContain('foo/productpage → reviews-canary.foo:9000');
    expect(texts).toContain('routed by VirtualService foo/reviews-route');
    // Possible callers of reviews are routed there too, but reviews-canary's own pods are not its callers.
    const routedGroups = r.edges.filter((x) => x.routedFrom && x.caller === 'possible' && x.client.members);
    expect(routedGroups.length).toBeGreaterThan(0);
    for (const g of routedGroups) {
      expect(g.client.members!.map((m) => m.name)).toContain('details');
      expect(g.client.members!.map((m) => m.name)).not.toContain('reviews-canary');
    }
  });

  it('without the route (the VirtualService keeps reviews) the call is mTLS to reviews (200)', async () => {
    const r = await lintYaml({
      'mesh.yaml': mesh,
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews}\n',
      ),
    });
    expect(declaredShapes(r, 'productpage')).toEqual({ 'reviews.foo:8000': ['reviews:mtls:mtls'] });
  });

  it('a weighted split gives each destination its own edge: 200 to reviews, 503 to a legacy host under ISTIO_MUTUAL', async () => {
    const r = await lintYaml({
      'mesh.yaml': docs(
        mesh,
        namespace('legacy'),
        app('legacy', 'ratings'),
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: legacy}
spec:
  host: ratings
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`,
      ),
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews}\n      weight: 80\n    - destination: {host: ratings.legacy.svc.cluster.local}\n      weight: 20\n',
      ),
    });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews:mtls:mtls'],
      'ratings.legacy:8000': ['ratings:mtls:broken:503'],
    });
    expect(declaredEdge(r, 'productpage', 'ratings.legacy:8000').routedFrom?.service).toBe('reviews');
    expect(declaredEdge(r, 'productpage', 'reviews.foo:8000').routedFrom).toBeUndefined();
  });

  it('a host without a sidecar reached by auto mTLS gets plaintext, which it accepts (200)', async () => {
    const r = await lintYaml({
      'mesh.yaml': docs(mesh, namespace('legacy'), app('legacy', 'ratings')),
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: ratings.legacy.svc.cluster.local, port: {number: 8000}}\n',
      ),
    });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'ratings.legacy:8000': ['ratings:plaintext:plaintext'],
    });
  });

  it('a destination port the other service does not declare is not modelled as a connection there', async () => {
    const r = await lintYaml({
      'mesh.yaml': mesh,
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews-canary, port: {number: 7777}}\n',
      ),
    });
    expect(Object.keys(declaredShapes(r, 'productpage'))).not.toContain('reviews-canary.foo:7777');
  });
});

describe('sourceLabels: a route applies only to the clients whose pod labels match', () => {
  const files = (match: string) => ({
    'mesh.yaml': docs(
      namespace('foo', INJECTED),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      reviewsVersions('foo', 8000, 80),
      app('foo', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
      app('foo', 'ratings', { noService: true, calls: 'reviews.foo:8000' }),
      reviewsSubsets('foo'),
    ),
    'vs.yaml': virtualService(
      'foo',
      'reviews-route',
      'reviews',
      `  - match:\n    - ${match}\n    route:\n    - destination: {host: reviews, subset: v2}\n  - route:\n    - destination: {host: reviews, subset: v1}\n`,
    ),
  });

  it('productpage (app: productpage) is sent to subset v2 (DISABLE → 503); ratings falls through to v1 (mTLS, 200)', async () => {
    const r = await lintYaml(files('sourceLabels: {app: productpage}'));
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v2:plaintext:broken:503'],
    });
    expect(declaredShapes(r, 'ratings')).toEqual({ 'reviews.foo:8000': ['reviews-v1:mtls:mtls'] });
    // Possible callers are grouped by the sourceLabels they meet: no group mixes the two.
    for (const e of r.edges.filter((x) => x.caller === 'possible' && x.server.service === 'reviews')) {
      const names = (e.client.members ?? []).map((m) => m.name);
      if (names.includes('productpage')) expect(names).not.toContain('ratings');
    }
    const texts = byRule(r, 'plaintext-to-strict')
      .flatMap((f) => [f.message, ...(f.related ?? []).map((x) => x.message)])
      .join('\n');
    expect(texts).toContain('foo/productpage');
    expect(texts).not.toContain('foo/ratings');
  });

  it('labels no client has send everyone to v1 (200)', async () => {
    const r = await lintYaml(files('sourceLabels: {app: nobody}'));
    expect(declaredShapes(r, 'productpage')).toEqual({ 'reviews.foo:8000': ['reviews-v1:mtls:mtls'] });
    expect(declaredShapes(r, 'ratings')).toEqual({ 'reviews.foo:8000': ['reviews-v1:mtls:mtls'] });
    // Only a new workload the inputs do not show could carry app: nobody.
    const texts = byRule(r, 'plaintext-to-strict')
      .flatMap((f) => [f.message, ...(f.related ?? []).map((x) => x.message)])
      .join('\n');
    expect(texts).not.toContain('foo/productpage');
    expect(texts).not.toContain('foo/ratings');
  });
});

describe('which VirtualServices a client sees', () => {
  // The VirtualService for reviews.foo lives in namespace routes; the client runs in bar.
  const mesh = (sidecarHosts: string[] | undefined) =>
    docs(
      namespace('foo', INJECTED),
      namespace('bar', INJECTED),
      namespace('routes'),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      reviewsVersions('foo', 8000, 80),
      reviewsSubsets('foo'),
      app('bar', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
      virtualService(
        'routes',
        'reviews-route',
        'reviews.foo.svc.cluster.local',
        '  - route:\n    - destination: {host: reviews.foo.svc.cluster.local, subset: v2}\n',
      ),
      ...(sidecarHosts
        ? [
            `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: bar}
spec:
  egress:
  - hosts: [${sidecarHosts.map((h) => JSON.stringify(h)).join(', ')}]
`,
          ]
        : []),
    );

  it('a Sidecar importing foo/* does not import a VirtualService of namespace routes: the default route (200)', async () => {
    const r = await lintYaml({ 'mesh.yaml': mesh(['foo/*', 'istio-system/*']) });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls'],
    });
  });

  it('importing routes/* too (or no Sidecar) applies it: subset v2 DISABLE toward STRICT (503)', async () => {
    for (const hosts of [['foo/*', 'routes/*'], ['foo/*', '*/reviews.foo.svc.cluster.local'], undefined]) {
      const r = await lintYaml({ 'mesh.yaml': mesh(hosts) });
      expect(declaredShapes(r, 'productpage'), JSON.stringify(hosts)).toEqual({
        'reviews.foo:8000': ['reviews-v2:plaintext:broken:503'],
      });
    }
  });

  const withDefault = (exportTo: string) =>
    docs(
      namespace('foo', INJECTED),
      namespace('bar', INJECTED),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      reviewsVersions('foo', 8000, 80),
      reviewsSubsets('foo'),
      app('foo', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
      app('bar', 'ratings', { noService: true, calls: 'reviews.foo:8000' }),
      virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews, subset: v2}\n',
      ),
      `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    defaultVirtualServiceExportTo: [${JSON.stringify(exportTo)}]
`,
    );

  it('defaultVirtualServiceExportTo ["."]: only foo’s clients are routed to v2 (503); bar’s keep the default (200)', async () => {
    const r = await lintYaml({ 'mesh.yaml': withDefault('.') });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v2:plaintext:broken:503'],
    });
    expect(declaredShapes(r, 'ratings')).toEqual({
      'reviews.foo:8000': ['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls'],
    });
  });

  it('defaultVirtualServiceExportTo ["~"]: no client sees it (200); ["*"]: every client (503)', async () => {
    const hidden = await lintYaml({ 'mesh.yaml': withDefault('~') });
    expect(declaredShapes(hidden, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls'],
    });
    const everyone = await lintYaml({ 'mesh.yaml': withDefault('*') });
    expect(declaredShapes(everyone, 'ratings')).toEqual({
      'reviews.foo:8000': ['reviews-v2:plaintext:broken:503'],
    });
  });

  it('Istio 1.0 has no exportTo: the mesh default is not read and bar’s client is routed to v2 too (plaintext, which 1.0’s policy-less servers accept)', async () => {
    const r = await lintYaml({ 'mesh.yaml': withDefault('.') }, { istioVersion: '1.0' });
    expect(declaredShapes(r, 'ratings')).toEqual({ 'reviews.foo:8000': ['reviews-v2:plaintext:plaintext'] });
    const later = await lintYaml({ 'mesh.yaml': withDefault('.') }, { istioVersion: '1.1' });
    expect(declaredShapes(later, 'ratings')['reviews.foo:8000']).toHaveLength(2);
  });

  it('a VirtualService bound only to a gateway routes no sidecar, even to another host', async () => {
    const r = await lintYaml({
      'mesh.yaml': docs(
        namespace('foo', INJECTED),
        peerAuthentication('foo', 'default', { mode: 'STRICT' }),
        app('foo', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
        app('foo', 'reviews'),
        app('foo', 'reviews-canary'),
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-canary, namespace: foo}
spec:
  host: reviews-canary
  trafficPolicy: {tls: {mode: DISABLE}}
`,
      ),
      'vs.yaml': virtualService(
        'foo',
        'reviews-route',
        'reviews',
        '  - route:\n    - destination: {host: reviews-canary}\n',
        '\n  gateways: [ingress-gateway]',
      ),
    });
    expect(declaredShapes(r, 'productpage')).toEqual({ 'reviews.foo:8000': ['reviews:mtls:mtls'] });
  });
});
