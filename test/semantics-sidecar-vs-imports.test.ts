// Issue 17: which VirtualServices a root-namespace Sidecar imports. Its egress host "./*" means the client's own
// namespace, not the root namespace: getSidecarScope converts the root's Sidecar per proxy namespace
// (istio@1.22.0 pilot/pkg/model/push_context.go getSidecarScope → convertToSidecarScope(…, proxy.ConfigNamespace);
// sidecar.go convertIstioListenerToWrapper: "." → configNamespace). Found by the oracle property (vsImports).
import { describe, expect, it } from 'vitest';
import {
  app,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  reviewsVersions,
  declaredShapes,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

describe('a root-namespace Sidecar imports VirtualServices of the client’s own namespace through "./*"', () => {
  // productpage (bar) calls reviews.foo:8000 (foo STRICT). A VirtualService in bar sends everything to subset v2,
  // whose tls is DISABLE: 503 when it applies, both versions with mTLS (200) when it does not.
  const mesh = (rootHosts: string[]) =>
    docs(
      namespace('foo', INJECTED),
      namespace('bar', INJECTED),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      reviewsVersions('foo', 8000, 80),
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: foo}
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {tls: {mode: DISABLE}}
`,
      app('bar', 'productpage', { noService: true, calls: 'reviews.foo:8000' }),
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: bar}
spec:
  hosts: [reviews.foo.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews.foo.svc.cluster.local, subset: v2}
`,
      `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec:
  egress:
  - hosts: [${rootHosts.map((h) => JSON.stringify(h)).join(', ')}]
`,
    );

  it('"./*" in istio-system imports bar\'s VirtualService for a client in bar: subset v2 DISABLE toward STRICT (503)', async () => {
    const r = await lintYaml({ 'mesh.yaml': mesh(['./*', 'foo/*']) });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v2:plaintext:broken:503'],
    });
  });

  it('without "./*" (only foo/* and istio-system/*) it is not imported: the default route (200)', async () => {
    const r = await lintYaml({ 'mesh.yaml': mesh(['foo/*', 'istio-system/*']) });
    expect(declaredShapes(r, 'productpage')).toEqual({
      'reviews.foo:8000': ['reviews-v1:mtls:mtls', 'reviews-v2:mtls:mtls'],
    });
  });
});
