// `mtls-lint plan` with a blocker of each kind: an ingress controller, clients outside the cluster, kubelet probes,
// a Prometheus scrape, an Istio gateway held back by a DestinationRule, and a port that bypasses the sidecar. Each
// plan is applied step by step as kubectl would (--out-dir), and the real CLI's graph after every step must have the
// step's counts and no declared or inferred caller worse. The blocker is named with its reason and fix, the exception
// is the narrowest one, and every other server port ends STRICT.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/mesh.js';
import { tempDir } from './helpers/tmp.js';
import {
  applyStepDir,
  countsOf,
  stateOf,
  stateYaml,
  worsened,
  type ClusterState,
  type GraphEdgeJson,
} from './helpers/plan.js';

interface PlanJson {
  before: Record<string, number>;
  steps: {
    n: number;
    title: string;
    changes: {
      action: string;
      kind: string;
      namespace?: string;
      name: string;
      manifest: Record<string, unknown>;
    }[];
    after: Record<string, number>;
  }[];
  blockers: { kind: string; client: string; server: string; reason: string; fix: string }[];
  exceptions: { namespace: string; workload: string; port?: number; level: string }[];
}

type Edge = GraphEdgeJson & { serverMode: string };

async function graphOf(state: ClusterState, version: string): Promise<Edge[]> {
  const dir = tempDir('plan-blockers-state');
  writeFileSync(path.join(dir, 'state.yaml'), stateYaml(state));
  const r = await cli(['graph', '-f', 'json', '--istio-version', version, '.'], dir);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { edges: Edge[] }).edges;
}

/** Plan the manifests, apply every step directory in order and lint each state with the CLI; the final graph. */
async function verified(
  files: Record<string, string>,
  version: string,
): Promise<{ plan: PlanJson; code: number; final: Edge[] }> {
  const dir = tempDir('plan-blockers');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const out = tempDir('plan-blockers-out');
  const r = await cli(['plan', '-f', 'json', '--istio-version', version, '--out-dir', out, '.'], dir);
  expect(r.code, r.stderr).not.toBe(2);
  const plan = JSON.parse(r.stdout) as PlanJson;
  const state = stateOf(Object.values(files));
  let edges = await graphOf(state, version);
  expect(countsOf(edges)).toEqual(plan.before);
  const dirs = readdirSync(out)
    .filter((d) => /^\d\d-/.test(d))
    .sort();
  expect(dirs.length).toBe(plan.steps.length);
  for (const [i, step] of plan.steps.entries()) {
    applyStepDir(state, path.join(out, dirs[i]!));
    const next = await graphOf(state, version);
    expect(countsOf(next), `step ${step.n} ${step.title}`).toEqual(step.after);
    expect(worsened(edges, next), `step ${step.n} ${step.title}`).toEqual([]);
    edges = next;
  }
  return { plan, code: r.code, final: edges };
}

/** The server mode of each edge of the final state, "service:port": mode, for the sidecar client's calls. */
function modes(edges: Edge[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of edges)
    if (e.client.namespace === 'bar') out[`${e.server.service}:${e.server.port}`] = e.serverMode;
  return out;
}

// foo: web (8080 behind port 80, 9090 admin) and api, both injected; bar/client (injected) calls all three ports.
const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bar, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: foo}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}, {name: http-admin, port: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: foo}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: foo}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client
  namespace: bar
  annotations: {mtls-lint.io/calls: "web.foo:80,web.foo:9090,api.foo:80"}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: client}]}
`;

/** BASE with annotations on web's pod template. */
function webAnnotated(annotations: string, containerExtra = ''): string {
  return BASE.replace(
    'metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: web, ',
    `metadata: {labels: {app: web}, annotations: {${annotations}}}\n    spec: {containers: [{name: web, image: web, ${containerExtra}`,
  );
}

const INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: foo}
spec:
  ingressClassName: nginx
  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

const LOAD_BALANCER = `
apiVersion: v1
kind: Service
metadata: {name: web-public, namespace: foo}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
`;

const GATEWAY = `
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: public, namespace: foo}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: web, namespace: foo}
spec:
  hosts: ["*"]
  gateways: [public]
  http: [{route: [{destination: {host: web.foo.svc.cluster.local, port: {number: 80}}}]}]
`;

// web has a second version without a sidecar, and a DestinationRule for its host pins plaintext: ISTIO_MUTUAL for
// the whole host would break the gateway's calls to web-v2.
const WEB_V2_PLAINTEXT = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v2, namespace: foo}
spec:
  selector: {matchLabels: {app: web, version: v2}}
  template:
    metadata: {labels: {app: web, version: v2}, annotations: {sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}, {containerPort: 9090}]}]}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: web, namespace: foo}
spec:
  host: web.foo.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
`;

const VERSIONS = ['1.4', '1.30'];

describe('plan blockers: stand-in callers without a sidecar keep a port-level exception, the rest goes STRICT', () => {
  it.each(VERSIONS)(
    'IngressController (nginx Ingress, controller not in the inputs), Istio %s',
    async (v) => {
      const { plan, code, final } = await verified({ 'mesh.yaml': BASE, 'ingress.yaml': INGRESS }, v);
      expect(code).toBe(1);
      expect(plan.blockers).toEqual([
        {
          kind: 'ingress-controller',
          client: 'the nginx ingress controller (not in the inputs; assumed without a sidecar)',
          server: 'web.foo:80',
          reason: expect.stringMatching(
            /^an ingress controller without a sidecar sends plaintext \(Ingress foo\/web .*; ingress\.yaml:\d+\)$/,
          ),
          fix: expect.stringContaining('route this traffic through an Istio ingress gateway'),
        },
      ]);
      expect(plan.exceptions).toEqual([
        expect.objectContaining({ namespace: 'foo', workload: 'web', port: 8080, level: 'port' }),
      ]);
      expect(modes(final)).toEqual({ 'web:80': 'PERMISSIVE', 'web:9090': 'STRICT', 'api:80': 'STRICT' });
    },
  );

  it.each(VERSIONS)('ExternalClient (a LoadBalancer Service), Istio %s', async (v) => {
    const { plan, final } = await verified({ 'mesh.yaml': BASE, 'lb.yaml': LOAD_BALANCER }, v);
    expect(plan.blockers).toEqual([
      expect.objectContaining({
        kind: 'external-client',
        server: 'web-public.foo:80',
        reason: expect.stringMatching(/Service foo\/web-public type: LoadBalancer.*; lb\.yaml:\d+\)$/),
        fix: expect.stringContaining('expose the service through an Istio ingress gateway'),
      }),
    ]);
    // The LoadBalancer reaches web's port 8080: that port, not the workload, keeps PERMISSIVE.
    expect(plan.exceptions).toEqual([
      expect.objectContaining({ namespace: 'foo', workload: 'web', port: 8080, level: 'port' }),
    ]);
    // Istio 1.4's Policy targets the Service web-public (port 80) only: web.foo:80 itself is STRICT there.
    expect(modes(final)).toEqual({
      'web:80': v === '1.4' ? 'STRICT' : 'PERMISSIVE',
      'web:9090': 'STRICT',
      'api:80': 'STRICT',
    });
  });

  it('Kubelet (httpGet probe, rewrite turned off; the tcpSocket probe is no blocker), newest Istio', async () => {
    const mesh = webAnnotated(
      'sidecar.istio.io/rewriteAppHTTPProbers: "false"',
      'readinessProbe: {httpGet: {path: /ready, port: 8080}}, livenessProbe: {tcpSocket: {port: 9090}}, ',
    );
    const { plan, final } = await verified({ 'mesh.yaml': mesh }, '1.30');
    expect(plan.blockers).toEqual([
      {
        kind: 'kubelet',
        client: 'the kubelet (readinessProbe of Deployment foo/web)',
        server: 'web.foo:80',
        reason: expect.stringContaining(
          'readinessProbe httpGet port 8080, not rewritten: sidecar.istio.io/rewriteAppHTTPProbers: "false"',
        ),
        fix: expect.stringContaining(
          'enable probe rewriting on Deployment foo/web (mesh.yaml): Istio 1.30 rewrites httpGet probes unless told not to, so remove sidecar.istio.io/rewriteAppHTTPProbers: "false"',
        ),
      },
    ]);
    expect(plan.exceptions).toEqual([
      expect.objectContaining({ namespace: 'foo', workload: 'web', port: 8080, level: 'port' }),
    ]);
    expect(modes(final)).toEqual({ 'web:80': 'PERMISSIVE', 'web:9090': 'STRICT', 'api:80': 'STRICT' });
  });

  it('Kubelet, Istio 1.4 (no probe rewriting by default): the fix is to turn it on', async () => {
    const mesh = BASE.replace(
      'spec: {containers: [{name: web, image: web, ',
      'spec: {containers: [{name: web, image: web, livenessProbe: {httpGet: {path: /live, port: 8080}}, ',
    );
    const { plan, final } = await verified({ 'mesh.yaml': mesh }, '1.4');
    expect(plan.blockers.map((b) => [b.kind, b.server])).toEqual([['kubelet', 'web.foo:80']]);
    expect(plan.blockers[0]!.fix).toContain(
      'set the pod template annotation sidecar.istio.io/rewriteAppHTTPProbers: "true" (Istio 1.4 does not rewrite probes by default); grpc probes are rewritten only from Istio 1.13',
    );
    expect(modes(final)).toEqual({ 'web:80': 'PERMISSIVE', 'web:9090': 'STRICT', 'api:80': 'STRICT' });
  });

  it.each(VERSIONS)('Scraper (prometheus.io annotations, metrics not merged), Istio %s', async (v) => {
    const mesh = webAnnotated(
      'prometheus.io/scrape: "true", prometheus.io/port: "9090", prometheus.istio.io/merge-metrics: "false"',
    );
    const { plan, final } = await verified({ 'mesh.yaml': mesh }, v);
    expect(plan.blockers).toEqual([
      expect.objectContaining({
        kind: 'scraper',
        client: 'Prometheus (not in the inputs; assumed without a sidecar)',
        server: 'web.foo:9090',
        reason: expect.stringContaining('annotation prometheus.io/port: "9090"'),
        fix: expect.stringContaining(
          v === '1.4'
            ? "scrape with Istio's certificates (scheme https"
            : 'merge the application metrics into the agent port 15020',
        ),
      }),
    ]);
    expect(plan.exceptions).toEqual([
      expect.objectContaining({ namespace: 'foo', workload: 'web', port: 9090, level: 'port' }),
    ]);
    expect(modes(final)).toEqual({ 'web:80': 'STRICT', 'web:9090': 'PERMISSIVE', 'api:80': 'STRICT' });
  });

  it('Scraper: a Prometheus of the inputs without a sidecar is a scraper, not a caller to inject', async () => {
    const mesh = webAnnotated(
      'prometheus.io/scrape: "true", prometheus.io/port: "9090", prometheus.istio.io/merge-metrics: "false"',
    );
    const prometheus = `
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec: {containers: [{name: prometheus, image: prom/prometheus}]}
`;
    const { plan } = await verified({ 'mesh.yaml': mesh, 'prometheus.yaml': prometheus }, '1.30');
    expect(plan.blockers.map((b) => `${b.kind} ${b.client} → ${b.server}`)).toEqual([
      'scraper monitoring/prometheus → web.foo:9090',
    ]);
  });
});

describe('plan blockers: gateways and DestinationRules', () => {
  it('Gateway, Istio 1.4: a DestinationRule that pins plaintext for a host with an endpoint without a sidecar stays; only the sidecar endpoint port keeps PERMISSIVE', async () => {
    const { plan, final } = await verified(
      { 'mesh.yaml': BASE, 'gateway.yaml': GATEWAY, 'web-v2.yaml': WEB_V2_PLAINTEXT },
      '1.4',
    );
    const gateway = plan.blockers.find((b) => b.kind === 'gateway')!;
    expect(gateway).toEqual({
      kind: 'gateway',
      client: expect.stringContaining('the Istio gateway of Gateway foo/public'),
      server: 'web.foo:80',
      reason: expect.stringMatching(
        /^the gateway does not send Istio mTLS to this port: DestinationRule foo\/web tls mode DISABLE makes it send plaintext \(VirtualService foo\/web routes to web\.foo\.svc\.cluster\.local:80 \(gateway foo\/public\); gateway\.yaml:\d+\)$/,
      ),
      fix: expect.stringContaining(
        'in DestinationRule foo/web (web-v2.yaml), once the hosts it covers all have sidecars',
      ),
    });
    // The step that would have changed the DestinationRule does not touch it.
    expect(
      plan.steps.flatMap((s) => s.changes.map((c) => `${c.kind} ${c.namespace}/${c.name}`)),
    ).not.toContain('DestinationRule foo/web');
    // The DestinationRule makes bar/client send plaintext to both of web's ports too: each keeps PERMISSIVE, not
    // the workload, and not web-v2, which has no sidecar.
    expect(plan.exceptions).toEqual([
      expect.objectContaining({ namespace: 'foo', workload: 'web', port: 8080, level: 'port' }),
      expect.objectContaining({ namespace: 'foo', workload: 'web', port: 9090, level: 'port' }),
    ]);
    expect(plan.blockers.map((b) => `${b.kind} ${b.client} → ${b.server}`)).toContain(
      'client-destination-rule bar/client → web.foo:9090',
    );
    expect(modes(final)).toEqual({ 'web:80': 'PERMISSIVE', 'web:9090': 'PERMISSIVE', 'api:80': 'STRICT' });
  });

  it('Gateway, newest Istio: auto mTLS lets the DISABLE go (plaintext only to web-v2), nothing is blocked', async () => {
    const { plan, code } = await verified(
      { 'mesh.yaml': BASE, 'gateway.yaml': GATEWAY, 'web-v2.yaml': WEB_V2_PLAINTEXT },
      '1.30',
    );
    expect(code).toBe(0);
    expect(plan.blockers).toEqual([]);
    expect(plan.exceptions).toEqual([]);
    expect(plan.steps[0]!.changes).toEqual([
      expect.objectContaining({ action: 'modify', kind: 'DestinationRule', namespace: 'foo', name: 'web' }),
    ]);
  });

  it('Istio 1.4: a wildcard DestinationRule over servers with and without a sidecar stays; host rules beside it send mTLS', async () => {
    const wildcard = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: foo}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}, annotations: {sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: foo}
spec: {selector: {app: db}, ports: [{name: tcp, port: 5432}]}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: foo-plaintext, namespace: foo}
spec:
  host: "*.foo.svc.cluster.local"
  trafficPolicy: {tls: {mode: DISABLE}}
`;
    const mesh = BASE.replace('web.foo:80,web.foo:9090,api.foo:80', 'web.foo:80,api.foo:80,db.foo:5432');
    const { plan, code, final } = await verified(
      { 'mesh.yaml': mesh, 'gateway.yaml': GATEWAY, 'wildcard.yaml': wildcard },
      '1.4',
    );
    expect(code).toBe(0);
    expect(plan.blockers).toEqual([]);
    expect(plan.exceptions).toEqual([]);
    const step = plan.steps.find((s) => s.title === 'Clients with a sidecar send mTLS')!;
    expect(step.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`)).toEqual([
      'add DestinationRule foo/api-mtls',
      'add DestinationRule foo/web-mtls',
    ]);
    expect(step.changes[1]!.manifest).toMatchObject({
      spec: { host: 'web.foo.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    expect(modes(final)).toMatchObject({ 'web:80': 'STRICT', 'api:80': 'STRICT' });
  });
});

describe('plan blockers: a server port that bypasses the sidecar (excludeInboundPorts)', () => {
  const mesh = webAnnotated('traffic.sidecar.istio.io/excludeInboundPorts: "9090"');

  it('newest Istio: the call auto mTLS breaks today gets tls DISABLE first; the port is a blocker, the rest STRICT', async () => {
    const { plan, final } = await verified({ 'mesh.yaml': mesh }, '1.30');
    expect(plan.before.broken).toBe(1);
    expect(plan.steps[0]!.title).toBe(
      'Clients with a sidecar send plaintext to ports that bypass the server sidecar',
    );
    expect(plan.steps[0]!.changes).toEqual([
      expect.objectContaining({
        action: 'add',
        kind: 'DestinationRule',
        namespace: 'foo',
        manifest: expect.objectContaining({
          spec: {
            host: 'web.foo.svc.cluster.local',
            trafficPolicy: { portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }] },
          },
        }),
      }),
    ]);
    expect(plan.steps[0]!.after.broken).toBe(0);
    expect(plan.blockers).toEqual([
      {
        kind: 'server-port',
        client: 'bar/client',
        server: 'web.foo:9090',
        reason: expect.stringMatching(
          /^port 9090 of Deployment foo\/web bypasses its sidecar \(traffic\.sidecar\.istio\.io\/excludeInboundPorts: "9090".*: no mTLS policy can make this port STRICT, so plaintext stays possible there$/,
        ),
        fix: expect.stringContaining(
          'let the sidecar capture port 9090 of Deployment foo/web (mesh.yaml): remove it from traffic.sidecar.istio.io/excludeInboundPorts',
        ),
      },
    ]);
    // STRICT does not apply to a port the sidecar never sees: no exception is needed for it.
    expect(plan.exceptions).toEqual([]);
    expect(modes(final)).toEqual({ 'web:80': 'STRICT', 'web:9090': 'NO_SIDECAR', 'api:80': 'STRICT' });
  });

  it('Istio 1.4: the DestinationRule for the host sends ISTIO_MUTUAL except to the bypassed port', async () => {
    const { plan, final } = await verified({ 'mesh.yaml': mesh }, '1.4');
    const dr = plan.steps
      .flatMap((s) => s.changes)
      .find((c) => c.kind === 'DestinationRule' && c.name === 'web-mtls')!;
    expect(dr.manifest).toMatchObject({
      spec: {
        trafficPolicy: {
          tls: { mode: 'ISTIO_MUTUAL' },
          portLevelSettings: [{ port: { number: 9090 }, tls: { mode: 'DISABLE' } }],
        },
      },
    });
    expect(plan.blockers.map((b) => `${b.kind} ${b.server}`)).toEqual(['server-port web.foo:9090']);
    expect(plan.exceptions).toEqual([]);
    expect(modes(final)).toEqual({ 'web:80': 'STRICT', 'web:9090': 'NO_SIDECAR', 'api:80': 'STRICT' });
  });
});
