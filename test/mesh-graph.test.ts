// The graph (issue 3 "Callers"): which client → service:port edges exist, how each is known, how possible callers
// are grouped, the stand-ins for what the inputs do not show, and what is out of scope as a server.
import { describe, expect, it } from 'vitest';
import {
  app,
  docs,
  edge,
  edgesBetween,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

function possibleEdgesTo(r: Run, server: string) {
  return r.edges.filter(
    (e) => e.caller === 'possible' && `${e.server.service}.${e.server.namespace}:${e.server.port}` === server,
  );
}

describe('known callers: host forms and ports', () => {
  it.each([
    ['httpbin', 'foo'], // short name: the caller's own namespace
    ['httpbin.foo', 'bar'],
    ['httpbin.foo.svc', 'bar'],
    ['httpbin.foo.svc.cluster.local', 'bar'],
    ['httpbin.foo.svc.cluster.local.', 'bar'],
  ])('annotation host %j from namespace %s resolves to httpbin.foo', async (host, ns) => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        namespace('bar', INJECTED),
        app('foo', 'httpbin'),
        app(ns, 'caller', { noService: true, calls: host }),
      ),
    });
    expect(edge(r, `${ns}/caller`, 'httpbin.foo:8000').caller).toBe('declared');
  });

  it('a port in the reference restricts the edge to that service port; without one, every port', async () => {
    const twoPorts = `apiVersion: v1
kind: Service
metadata:
  name: multi
  namespace: foo
spec:
  selector:
    app: httpbin
  ports:
  - {name: http, port: 8000, targetPort: 80}
  - {name: http-admin, port: 9000, targetPort: 80}
`;
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'httpbin'),
        twoPorts,
        app('foo', 'one', { noService: true, calls: 'multi.foo:9000' }),
        app('foo', 'all', { noService: true, calls: 'multi.foo' }),
      ),
    });
    expect(edgesBetween(r, 'foo/one', 'multi.foo:9000').map((e) => e.caller)).toEqual(['declared']);
    expect(edgesBetween(r, 'foo/one', 'multi.foo:8000').map((e) => e.caller)).toEqual(['possible']);
    expect(edgesBetween(r, 'foo/all', 'multi.foo:8000').map((e) => e.caller)).toEqual(['declared']);
    expect(edgesBetween(r, 'foo/all', 'multi.foo:9000').map((e) => e.caller)).toEqual(['declared']);
  });

  it('env values: a bare word counts only as the whole value; URLs and host:port anywhere in the text', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'httpbin'),
        app('foo', 'info', { port: 8080 }),
        app('foo', 'a', { noService: true, env: { LOG: 'level info and more' } }),
        app('foo', 'b', { noService: true, env: { TARGET: 'httpbin' } }),
        app('foo', 'c', { noService: true, env: { OPTS: '--upstream=httpbin.foo:8000 --verbose' } }),
      ),
    });
    expect(edgesBetween(r, 'foo/a', 'info.foo:8080').map((e) => e.caller)).toEqual(['possible']);
    expect(edge(r, 'foo/b', 'httpbin.foo:8000').caller).toBe('inferred');
    expect(edge(r, 'foo/c', 'httpbin.foo:8000').caller).toBe('inferred');
  });

  it('one edge per client and service port: a declared call is not repeated by an inference of the same call', async () => {
    const ap = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/foo/sa/sleep"]}
`;
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'httpbin'),
        app('foo', 'sleep', {
          noService: true,
          calls: 'httpbin.foo:8000',
          env: { URL: 'http://httpbin.foo:8000/' },
        }),
        ap,
      ),
    });
    expect(edgesBetween(r, 'foo/sleep', 'httpbin.foo:8000').map((e) => e.caller)).toEqual(['declared']);
  });

  it('a workload never calls its own service', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'httpbin', { env: { SELF: 'http://httpbin.foo:8000' } }),
      ),
    });
    expect(edgesBetween(r, 'foo/httpbin', 'httpbin.foo:8000')).toEqual([]);
  });
});

describe('possible callers are grouped, not materialised per pair', () => {
  it('every uninjected workload is one client node; sidecar workloads one node per namespace; known pairs left out', async () => {
    const many = Array.from({ length: 40 }, (_, i) => app('legacy', `job-${i}`, { noService: true }));
    const services = Array.from({ length: 10 }, (_, i) => app('foo', `svc-${i}`));
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        namespace('bar', INJECTED),
        namespace('legacy'),
        ...services,
        ...many,
        app('bar', 'client-1', { noService: true }),
        app('bar', 'client-2', { noService: true, calls: 'svc-0.foo:8000' }),
      ),
    });
    const toSvc0 = possibleEdgesTo(r, 'svc-0.foo:8000').filter((e) => !e.client.standIn);
    const groups = toSvc0.map((e) => `${e.client.sidecar}:${e.client.members!.length}`).sort();
    // legacy's 40 (no sidecar: one group whatever the namespace), and one group of sidecar clients that pick
    // DestinationRules alike (no rule in foo or bar): foo's nine other workloads and bar/client-1 (client-2 is a
    // declared caller, svc-0 does not call itself).
    expect(groups).toEqual(['none:40', 'sidecar:10']);
    const sidecarGroup = toSvc0.find((e) => e.client.sidecar === 'sidecar')!;
    expect(sidecarGroup.client.members!.map((m) => `${m.namespace}/${m.name}`)).toContain('bar/client-1');
    expect(sidecarGroup.client.members!.map((m) => `${m.namespace}/${m.name}`)).not.toContain('bar/client-2');
    // Edge count grows with services × groups, not services × workloads.
    const nonStandIn = r.edges.filter((e) => !e.client.standIn && !e.server.standIn);
    expect(nonStandIn.length).toBeLessThan(60);
  });
});

describe('stand-ins for what the inputs do not show', () => {
  it('"any new sidecar workload" per injected (or unknown) namespace and for the mesh; "any other service" per known namespace', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        namespace('legacy'),
        app('foo', 'httpbin'),
        app('legacy', 'sleep', { noService: true }),
        app('unknown-ns', 'thing', { noService: true }),
      ),
    });
    const clients = [
      ...new Set(
        r.edges.filter((e) => e.client.standIn && e.client.name === '*').map((e) => e.client.standIn!),
      ),
    ].sort();
    // Namespaces whose sidecars pick DestinationRules alike share one stand-in; legacy (not injected) has none.
    expect(clients).toEqual([
      'any new sidecar workload in foo, unknown-ns',
      'any sidecar workload in a namespace not in the inputs',
    ]);
    const servers = [
      ...new Set(r.edges.filter((e) => e.server.standIn).map((e) => e.server.standIn!)),
    ].sort();
    expect(servers).toEqual([
      'any other service in foo',
      'any other service in legacy (no sidecar injection there)',
      'any sidecar service in a namespace not in the inputs',
    ]);
  });
});

describe('what is not a server', () => {
  it('kube-system services, the Istio control plane in the root namespace, selector-less and ExternalName services, UDP ports', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('istio-system'),
        namespace('foo', INJECTED),
        app('kube-system', 'kube-dns', { port: 53, portName: 'dns-tcp' }),
        app('istio-system', 'istiod', { port: 15012, portName: 'grpc-xds' }),
        app('foo', 'caller', { noService: true }),
        `apiVersion: v1
kind: Service
metadata: {name: manual, namespace: foo}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: foo}
spec:
  type: ExternalName
  externalName: example.com
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: foo}
spec:
  selector: {app: caller}
  ports:
  - {name: dns-udp, port: 53, protocol: UDP}
  - {name: tcp-dns, port: 5353}
`,
        peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
      ),
    });
    const servers = [
      ...new Set(
        r.edges
          .filter((e) => !e.server.standIn)
          .map((e) => `${e.server.service}.${e.server.namespace}:${e.server.port}`),
      ),
    ];
    expect(servers).toEqual(['dns.foo:5353']);
  });

  it('scope.includeControlPlane and scope.excludeServerNamespaces change that', async () => {
    const files = {
      'm.yaml': docs(
        namespace('istio-system'),
        namespace('foo', INJECTED),
        app('istio-system', 'istiod', { port: 15012 }),
        app('foo', 'httpbin'),
        app('foo', 'c', { noService: true }),
      ),
    };
    const r = await lintYaml(files, {
      config: 'scope:\n  includeControlPlane: true\n  excludeServerNamespaces: [foo]\n',
    });
    const servers = [
      ...new Set(
        r.edges.filter((e) => !e.server.standIn).map((e) => `${e.server.service}.${e.server.namespace}`),
      ),
    ];
    expect(servers).toEqual(['istiod.istio-system']);
  });
});
