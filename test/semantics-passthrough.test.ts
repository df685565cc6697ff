// Calls that bypass a Service's own cluster (issue 17): per-pod names of a headless Service, ports no Service declares,
// and destinations outside a client's Sidecar egress under outboundTrafficPolicy REGISTRY_ONLY. Outcomes per release
// come from src/mesh/releases.ts (outbound-passthrough-cluster, sidecar-outbound-traffic-policy,
// headless-per-pod-host-routes, inbound-passthrough-enforces-peer-authentication).
import { describe, expect, it } from 'vitest';
import { byRule, docs, lineOf, lintYaml, namespace, type Run, urlClient } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** A StatefulSet kafka behind the headless Service kafka-headless (tcp 9092) in `data`, with a PeerAuthentication. */
function kafka(mode: string, o: { serviceName?: string; portName?: string } = {}): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: data}
spec: {mtls: {mode: ${mode}}}
---
apiVersion: v1
kind: Service
metadata: {name: kafka-headless, namespace: data}
spec:
  clusterIP: None
  selector: {app: kafka}
  ports: [{name: ${o.portName ?? 'tcp-kafka'}, port: 9092}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka, namespace: data}
spec:
  serviceName: ${o.serviceName ?? 'kafka-headless'}
  selector: {matchLabels: {app: kafka}}
  template:
    metadata: {labels: {app: kafka}}
    spec:
      containers: [{name: kafka, image: kafka, ports: [{containerPort: 9092}, {containerPort: 9999}]}]
`;
}

const meshConfig = (mode: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: ${mode}
`;

function world(mode: string, ...extra: string[]): string {
  return docs(
    namespace('data', INJECTED),
    namespace('app', INJECTED),
    namespace('legacy'),
    namespace('istio-system'),
    kafka(mode),
    ...extra,
  );
}

/** "client mode:outcome[:failure]" of the one edge from `from` (a workload name). */
function call(r: Run, from: string, port?: number): string {
  const edges = r.edges.filter(
    (e) =>
      e.client.name === from && e.caller !== 'possible' && (port === undefined || e.server.port === port),
  );
  if (edges.length !== 1) throw new Error(`${edges.length} known edges from ${from}`);
  const c = edges[0]!.connections[0]!;
  return `${c.client.mode}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`;
}

describe('per-pod names of a headless Service', () => {
  it('an uninjected caller of kafka-0.kafka-headless:9092 under STRICT is reset, and plaintext-to-strict says so', async () => {
    const r = await lintYaml({
      'm.yaml': world('STRICT', urlClient('legacy', 'producer', 'kafka-0.kafka-headless.data:9092')),
    });
    expect(call(r, 'producer')).toBe('NO_SIDECAR:broken:reset');
    const e = r.edges.find((x) => x.client.name === 'producer')!;
    expect(`${e.server.service}.${e.server.namespace}:${e.server.port}`).toBe('kafka-headless.data:9092');
    expect(byRule(r, 'plaintext-to-strict').map((f) => f.message)).toEqual([
      expect.stringContaining('legacy/producer → kafka-headless.data:9092 (connection reset, curl 000)'),
    ]);
  });

  it('every spelling of the pod name resolves: short (same namespace), .ns, .ns.svc and the FQDN', async () => {
    for (const host of [
      'kafka-0.kafka-headless:9092',
      'kafka-2.kafka-headless.data:9092',
      'kafka-1.kafka-headless.data.svc:9092',
      'kafka-0.kafka-headless.data.svc.cluster.local:9092',
    ]) {
      const ns = host.split('.').length === 2 ? 'data' : 'app';
      const r = await lintYaml({ 'm.yaml': world('STRICT', urlClient(ns, 'peer', host)) });
      expect(call(r, 'peer'), host).toBe('AUTO:mtls');
    }
  });

  it('only names of the StatefulSet pods count (its serviceName is the Service, an ordinal after its name)', async () => {
    const known = (r: Run) => r.edges.filter((e) => e.caller !== 'possible').length;
    const right = world('STRICT', urlClient('legacy', 'producer', 'kafka-3.kafka-headless.data:9092'));
    expect(known(await lintYaml({ 'm.yaml': right }))).toBe(1);
    const wrongService = docs(
      namespace('data', INJECTED),
      namespace('legacy'),
      kafka('STRICT', { serviceName: 'kafka' }),
      urlClient('legacy', 'producer', 'kafka-0.kafka-headless.data:9092'),
    );
    expect((await lintYaml({ 'm.yaml': wrongService })).edges.filter((e) => e.caller !== 'possible')).toEqual(
      [],
    );
    const notOrdinal = world('STRICT', urlClient('legacy', 'producer', 'kafka-x.kafka-headless.data:9092'));
    expect((await lintYaml({ 'm.yaml': notOrdinal })).edges.filter((e) => e.caller !== 'possible')).toEqual(
      [],
    );
  });
});

describe('a port the headless Service does not declare (passthrough)', () => {
  const jmx = (ns: string) => urlClient(ns, 'exporter', 'kafka-0.kafka-headless.data.svc.cluster.local:9999');

  it('an injected caller sends plaintext through the PassthroughCluster: reset by STRICT, fix names the Service port', async () => {
    const r = await lintYaml({ 'm.yaml': world('STRICT', jmx('app')) });
    expect(call(r, 'exporter')).toBe('PLAINTEXT:broken:reset');
    const [f] = byRule(r, 'plaintext-to-strict');
    expect(f?.message).toContain('app/exporter → kafka-headless.data:9999 (connection reset, curl 000)');
    expect(f?.message).toContain('declare the port they call in the Service (spec.ports)');
    expect(f?.related?.[0]?.message).toContain('Service data/kafka-headless declares no port 9999');
  });

  it('toward PERMISSIVE the call is silently plaintext between two sidecars, reported at the Service ports', async () => {
    const text = world('PERMISSIVE', jmx('app'));
    const r = await lintYaml({ 'm.yaml': text });
    expect(call(r, 'exporter')).toBe('PLAINTEXT:plaintext');
    const [f] = byRule(r, 'plaintext-between-sidecars');
    expect(f?.message).toContain('Service data/kafka-headless declares no port 9999');
    expect(f?.line).toBe(lineOf(text, 'ports: [{name: tcp-kafka')); // the Service's spec.ports
  });

  it('Istio 1.4: the inbound passthrough is a plain TCP proxy, so a STRICT Policy does not cover the port', async () => {
    const policy = `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: data}
spec:
  peers: [{mtls: {mode: STRICT}}]
`;
    const text = world('STRICT', jmx('app'), policy);
    const r = await lintYaml({ 'm.yaml': text }, { istioVersion: '1.4' });
    expect(call(r, 'exporter')).toBe('PLAINTEXT:plaintext');
    const c = r.edges.find((e) => e.client.name === 'exporter')!.connections[0]!;
    expect(c.server.mode).toBe('NO_SIDECAR');
    expect(c.server.explanation).toContain('inbound passthrough chain is a plain TCP proxy');
    const [f] = byRule(r, 'plaintext-accepted');
    expect(f?.line).toBe(lineOf(text, 'ports: [{name: tcp-kafka'));
    expect(f?.message).toContain('but STRICT does not cover port 9999 of data/kafka');
    expect(f?.message).toContain('declare the port in that Service (spec.ports), or upgrade to Istio 1.5+');
  });

  it('at 1.5 and 1.8 a port-level PERMISSIVE does not reach the passthrough chain; from 1.9 it does', async () => {
    const portLevel = `apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: kafka, namespace: data}
spec:
  selector: {matchLabels: {app: kafka}}
  mtls: {mode: STRICT}
  portLevelMtls: {9999: {mode: PERMISSIVE}}
`;
    const m = { 'm.yaml': world('STRICT', jmx('app'), portLevel) };
    expect(call(await lintYaml(m, { istioVersion: '1.8' }), 'exporter')).toBe('PLAINTEXT:broken:reset');
    expect(call(await lintYaml(m, { istioVersion: '1.9' }), 'exporter')).toBe('PLAINTEXT:plaintext');
  });

  it('an HTTP listener on the port (another service with http 9999 in scope) makes it a 503', async () => {
    const other = `apiVersion: v1
kind: Service
metadata: {name: admin, namespace: app}
spec:
  selector: {app: admin}
  ports: [{name: http-admin, port: 9999}]
`;
    const r = await lintYaml({ 'm.yaml': world('STRICT', jmx('app'), other) });
    expect(call(r, 'exporter', 9999)).toBe('PLAINTEXT:broken:503');
  });

  it('an uninjected caller is reset as on any STRICT port', async () => {
    const r = await lintYaml({ 'm.yaml': world('STRICT', jmx('legacy')) });
    expect(call(r, 'exporter')).toBe('NO_SIDECAR:broken:reset');
  });

  it('under mesh-wide REGISTRY_ONLY the injected caller is blocked (call-blocked-by-outbound-policy at the Service)', async () => {
    const r = await lintYaml({ 'm.yaml': world('PERMISSIVE', jmx('app'), meshConfig('REGISTRY_ONLY')) });
    expect(call(r, 'exporter')).toBe('BLOCKED:broken:reset');
    const [f] = byRule(r, 'call-blocked-by-outbound-policy');
    expect(f?.message).toContain('app/exporter → kafka-headless.data:9999');
    expect(f?.message).toContain('outboundTrafficPolicy REGISTRY_ONLY in ConfigMap istio-system/istio');
    expect(f?.message).toContain('declare the port in that Service');
    expect(byRule(r, 'plaintext-between-sidecars')).toEqual([]);
  });

  it('only a headless Service takes an undeclared port; through a ClusterIP kube-proxy has no rule for it', async () => {
    const headless = world('STRICT', urlClient('app', 'x', 'kafka-headless.data:9999'));
    const known = (r: Run) => r.edges.filter((e) => e.client.name === 'x' && e.caller !== 'possible');
    expect(known(await lintYaml({ 'm.yaml': headless })).map((e) => e.server.port)).toEqual([9999]);
    const clusterIp = headless
      .replace(
        'metadata: {name: kafka-headless, namespace: data}\nspec:\n  clusterIP: None',
        'metadata: {name: kafka, namespace: data}\nspec:',
      )
      .replace('kafka-headless.data:9999', 'kafka.data:9999');
    expect(known(await lintYaml({ 'm.yaml': clusterIp }))).toEqual([]);
  });
});

describe('outboundTrafficPolicy REGISTRY_ONLY and Sidecar egress', () => {
  const httpbin = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: data}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: data}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      containers: [{name: c, image: httpbin, ports: [{containerPort: 8000}]}]
`;
  const sidecar = (policy: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: app}
spec:${policy}
  egress:
  - hosts: ["./*"]
`;
  const sleep = urlClient('app', 'sleep', 'http://httpbin.data:8000');

  it("the Sidecar's own REGISTRY_ONLY blocks it (1.3+); before 1.3 the mesh's ALLOW_ANY applies", async () => {
    const m = {
      'm.yaml': world(
        'PERMISSIVE',
        httpbin,
        sleep,
        sidecar('\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}'),
      ),
    };
    expect(call(await lintYaml(m), 'sleep')).toBe('BLOCKED:broken:reset');
    expect(call(await lintYaml(m, { istioVersion: '1.2' }), 'sleep')).toBe('PLAINTEXT:plaintext');
  });

  it('an empty egress list is the default "*/*" listener (1.9+; rejected by validation before): nothing is blocked', async () => {
    const empty = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: app}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress: []
`;
    const r = await lintYaml({ 'm.yaml': world('PERMISSIVE', httpbin, sleep, empty) });
    expect(call(r, 'sleep')).not.toContain('BLOCKED');
    expect(byRule(r, 'call-blocked-by-outbound-policy')).toEqual([]);
  });

  it('an outboundTrafficPolicy without mode is REGISTRY_ONLY (the enum zero value)', async () => {
    const r = await lintYaml({
      'm.yaml': world('PERMISSIVE', httpbin, sleep, sidecar('\n  outboundTrafficPolicy: {}')),
    });
    expect(call(r, 'sleep')).toBe('BLOCKED:broken:reset');
    expect(byRule(r, 'call-blocked-by-outbound-policy')[0]?.message).toContain(
      "add the service's host to that Sidecar's egress hosts",
    );
  });

  it("the Sidecar's ALLOW_ANY overrides a mesh-wide REGISTRY_ONLY", async () => {
    const r = await lintYaml({
      'm.yaml': world(
        'PERMISSIVE',
        httpbin,
        sleep,
        meshConfig('REGISTRY_ONLY'),
        sidecar('\n  outboundTrafficPolicy: {mode: ALLOW_ANY}'),
      ),
    });
    expect(call(r, 'sleep')).toBe('PLAINTEXT:plaintext');
  });

  it('ALLOW_ANY with an egressProxy sends unknown traffic to that proxy: no passthrough prediction, no edge', async () => {
    const proxied = sidecar(
      '\n  outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: egress.example, port: {number: 80}}}',
    );
    const plain = sidecar('\n  outboundTrafficPolicy: {mode: ALLOW_ANY}');
    const jmx = urlClient('app', 'exporter', 'kafka-0.kafka-headless.data:9999');
    const without = await lintYaml({ 'm.yaml': world('PERMISSIVE', httpbin, sleep, jmx, plain) });
    expect([call(without, 'sleep'), call(without, 'exporter')]).toEqual([
      'PLAINTEXT:plaintext',
      'PLAINTEXT:plaintext',
    ]);
    const r = await lintYaml({ 'm.yaml': world('PERMISSIVE', httpbin, sleep, jmx, proxied) });
    expect(call(r, 'sleep')).not.toContain('PLAINTEXT');
    expect(r.edges.filter((e) => e.client.name === 'exporter' && e.caller !== 'possible')).toEqual([]);
  });

  it('with an HTTP listener on the port in the client (an in-scope http 8000 service) the BlackHole route answers 502', async () => {
    const local = `apiVersion: v1
kind: Service
metadata: {name: local, namespace: app}
spec:
  selector: {app: local}
  ports: [{name: http, port: 8000}]
`;
    const r = await lintYaml({
      'm.yaml': world('PERMISSIVE', httpbin, sleep, local, meshConfig('REGISTRY_ONLY'), sidecar('')),
    });
    expect(call(r, 'sleep', 8000)).toBe('BLOCKED:broken:502');
    expect(byRule(r, 'call-blocked-by-outbound-policy')[0]?.message).toContain(
      'app/sleep → httpbin.data:8000 (HTTP 502 from the client sidecar)',
    );
  });

  it('Istio 1.0 has no PassthroughCluster: a port no Service declares is unreachable for a sidecar client', async () => {
    const r = await lintYaml(
      { 'm.yaml': world('PERMISSIVE', urlClient('app', 'exporter', 'kafka-0.kafka-headless.data:9999')) },
      { istioVersion: '1.0' },
    );
    expect(call(r, 'exporter')).toBe('BLOCKED:broken:reset');
  });
});
