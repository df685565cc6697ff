// Callers from outside the mesh (issue 16): the ingress controller behind an Ingress, and clients outside the cluster
// of LoadBalancer, NodePort and externalIPs Services. Each case runs at three releases (1.4 with the legacy Policy
// API, a middle one, the newest), plus the walk-through in examples/ingress.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  cli,
  destinationRule,
  docs,
  lintPaths,
  lintYaml,
  lineOf,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';
import { makeRepo, runGit } from './diff.helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const INJECTED = { 'istio-injection': 'enabled' };

/**
 * STRICT for namespace shop in the API of each release: in 1.4 the legacy Policy, with the mesh-wide ISTIO_MUTUAL
 * rule the migration task adds (auto mTLS is off there), PeerAuthentication after.
 */
const STRICT: Record<string, string> = {
  '1.4': docs(
    `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: default
  namespace: shop
spec:
  peers:
  - mtls: {}
`,
    destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
  ),
  '1.12': peerAuthentication('shop', 'default', { mode: 'STRICT' }),
  '1.30': peerAuthentication('shop', 'default', { mode: 'STRICT' }),
};
const RELEASES = Object.keys(STRICT);

function ingress(o: { className?: string; annotation?: string; serviceUpstream?: boolean } = {}): string {
  const annotations = [
    ...(o.annotation ? [`kubernetes.io/ingress.class: ${o.annotation}`] : []),
    ...(o.serviceUpstream ? ['nginx.ingress.kubernetes.io/service-upstream: "true"'] : []),
  ];
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop${annotations.length ? `\n  annotations:\n${annotations.map((a) => `    ${a}`).join('\n')}` : ''}
spec:${o.className ? `\n  ingressClassName: ${o.className}` : ''}
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 8000
`;
}

const NGINX_CONTROLLER = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}
  template:
    metadata:
      labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.11.2
        args: [/nginx-ingress-controller, --ingress-class=nginx]
`;

function shop(v: string, ...extra: string[]): Record<string, string> {
  return {
    'ns.yaml': docs(namespace('istio-system'), namespace('shop', INJECTED)),
    'web.yaml': app('shop', 'web'),
    'strict.yaml': STRICT[v]!,
    'more.yaml': docs(...extra),
  };
}

const ptsMessages = (r: Run) => byRule(r, 'plaintext-to-strict').map((f) => `${f.severity} ${f.message}`);

describe('Ingress: the controller calls each backend Service port', () => {
  for (const v of RELEASES)
    it(`${v}: no controller in the inputs — a stand-in without a sidecar breaks under STRICT, one severity lower`, async () => {
      const r = await lintYaml(shop(v, ingress({ className: 'nginx' })), { istioVersion: v });
      const [f, ...rest] = byRule(r, 'plaintext-to-strict');
      expect(rest).toEqual([]);
      expect(f!.severity).toBe('warning');
      expect(f!.message).toContain(
        'the nginx ingress controller (not in the inputs; assumed without a sidecar) → web.shop:8000 (HTTP 502 Bad Gateway from the nginx ingress controller: its upstream connection is reset)',
      );
      expect(f!.message).toContain('set nginx.ingress.kubernetes.io/service-upstream: "true" on the Ingress');
      expect(f!.related?.map((x) => `${x.file}:${x.line} ${x.message}`)).toEqual([
        'more.yaml:15 inferred caller: Ingress shop/web backend web:8000 (ingressClassName nginx)',
      ]);
      expect(f!.edges?.[0]?.client).toEqual({
        namespace: '(not in the inputs)',
        workload: '*',
        kind: 'IngressController',
      });
    });

  for (const v of RELEASES)
    it(`${v}: the controller in the inputs without a sidecar is the client: an error naming it`, async () => {
      const r = await lintYaml(
        shop(v, namespace('ingress-nginx'), NGINX_CONTROLLER, ingress({ className: 'nginx' })),
        {
          istioVersion: v,
        },
      );
      expect(ptsMessages(r)).toEqual([
        expect.stringMatching(
          /^error .*breaks 1 caller that sends plaintext: ingress-nginx\/ingress-nginx-controller → web\.shop:8000 \(HTTP 502 Bad Gateway from the nginx ingress controller: its upstream connection is reset\)/,
        ),
      ]);
    });

  for (const v of RELEASES)
    it(`${v}: a controller with a sidecar sends plaintext to pod IPs unless the Ingress sets service-upstream`, async () => {
      const injected = [namespace('ingress-nginx', INJECTED), NGINX_CONTROLLER];
      const podIps = await lintYaml(shop(v, ...injected, ingress({ className: 'nginx' })), {
        istioVersion: v,
      });
      const [f] = byRule(podIps, 'plaintext-to-strict');
      expect(f!.severity).toBe('error');
      expect(f!.message).toContain('ingress-nginx/ingress-nginx-controller → web.shop:8000');
      expect(f!.related?.[0]?.message).toContain('ingress-nginx connects to pod IPs');
      const viaService = await lintYaml(
        shop(v, ...injected, ingress({ className: 'nginx', serviceUpstream: true })),
        { istioVersion: v },
      );
      expect(byRule(viaService, 'plaintext-to-strict')).toEqual([]);
      const e = viaService.edges.find((x) => x.evidence.resource?.kind === 'Ingress')!;
      expect(`${e.client.namespace}/${e.client.name} ${e.outcome}`).toBe(
        'ingress-nginx/ingress-nginx-controller mtls',
      );
    });

  for (const v of RELEASES)
    it(`${v}: class istio is served by Istio's ingress gateway, a proxy sending mTLS: no finding`, async () => {
      const r = await lintYaml(shop(v, ingress({ annotation: 'istio' })), { istioVersion: v });
      const e = r.edges.find((x) => x.evidence.resource?.kind === 'Ingress')!;
      expect(e.client).toMatchObject({ kind: 'Gateway', namespace: 'istio-system', sidecar: 'sidecar' });
      expect(e.client.standIn).toBe(
        'the Istio ingress gateway (istio=ingressgateway; not in the inputs; assumed in istio-system)',
      );
      expect(e.outcome).toBe('mtls');
      expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
    });

  it('the class from the kubernetes.io/ingress.class annotation, or from the default IngressClass', async () => {
    const byAnnotation = await lintYaml(shop('1.30', ingress({ annotation: 'traefik' })));
    expect(ptsMessages(byAnnotation)[0]).toContain('the traefik ingress controller (not in the inputs');
    const defaultClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: public
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
`;
    const byDefault = await lintYaml(
      shop(
        '1.30',
        defaultClass,
        namespace('ingress-nginx'),
        NGINX_CONTROLLER.replace('--ingress-class=nginx', '--controller-class=k8s.io/ingress-nginx'),
        ingress(),
      ),
    );
    const e = byDefault.edges.find((x) => x.evidence.resource?.kind === 'Ingress')!;
    expect(`${e.client.namespace}/${e.client.name}`).toBe('ingress-nginx/ingress-nginx-controller');
    expect(e.evidence.description).toBe('Ingress shop/web backend web:8000 (default IngressClass public)');
  });
});

/** shop/web with its Service exposed: `how` is a line of the Service's spec. */
const exposed = (how: string) =>
  app('shop', 'web').replace(
    'kind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:',
    `kind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ${how}`,
  );

describe('LoadBalancer, NodePort and externalIPs: clients outside the cluster', () => {
  for (const v of RELEASES)
    for (const how of ['type: LoadBalancer', 'type: NodePort', 'externalIPs: [203.0.113.10]'])
      it(`${v}: ${how} under STRICT breaks them: an error naming the Service`, async () => {
        const files = shop(v, '{}\n');
        files['web.yaml'] = exposed(how);
        const r = await lintYaml(files, { istioVersion: v });
        const label = how.startsWith('type') ? how : 'externalIPs';
        expect(ptsMessages(r)).toEqual([
          expect.stringContaining(
            `breaks 1 caller that sends plaintext: clients outside the cluster (Service shop/web ${label}) → web.shop:8000 (connection reset, curl 000). Fix: send clients outside the cluster through an Istio ingress gateway`,
          ),
        ]);
        expect(byRule(r, 'plaintext-to-strict')[0]!.severity).toBe('error');
      });

  it('under PERMISSIVE they are on the to-do list, with the fix that fits them (info)', async () => {
    const files = shop('1.30', '{}\n');
    files['strict.yaml'] = peerAuthentication('shop', 'default', { mode: 'PERMISSIVE' });
    files['web.yaml'] = exposed('type: LoadBalancer');
    const r = await lintYaml(files);
    const [f, ...rest] = byRule(r, 'plaintext-accepted');
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('info');
    expect(f!.message).toContain(
      'clients outside the cluster (Service shop/web type: LoadBalancer) → web.shop:8000. They are unauthenticated and would break under STRICT; send clients outside the cluster through an Istio ingress gateway',
    );
    expect(f!.related?.map((x) => `${x.file}:${x.line} ${x.message}`)).toEqual([
      `web.yaml:${lineOf(files['web.yaml']!, 'type: LoadBalancer')} inferred caller: Service shop/web type: LoadBalancer: reachable from outside the cluster`,
    ]);
  });

  it('a ClusterIP Service has no outside clients, and a Service in front of a gateway is not a server', async () => {
    const files = shop('1.30', '{}\n');
    const r = await lintYaml(files);
    expect(r.edges.filter((e) => e.client.kind === 'ExternalClient')).toEqual([]);
    const gateway = `apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: shop}
spec:
  selector: {matchLabels: {app: gw}}
  template:
    metadata:
      labels: {app: gw, istio: ingressgateway}
      annotations: {inject.istio.io/templates: gateway}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: gw}
  ports: [{name: http2, port: 80}]
`;
    const withGateway = await lintYaml({ ...files, 'more.yaml': gateway });
    expect(withGateway.edges.filter((e) => e.server.service === 'gw')).toEqual([]);
    expect(byRule(withGateway, 'plaintext-to-strict')).toEqual([]);
  });
});

describe('graph and PR mode', () => {
  it('graph shows ingress controllers and outside clients in every format, with kind and evidence in JSON', async () => {
    const files = shop('1.30', ingress({ className: 'nginx' }));
    files['web.yaml'] = exposed('type: NodePort');
    const r = await lintYaml(files);
    for (const format of ['table', 'mermaid', 'dot']) {
      const out = (await cli(['graph', '-f', format, '.'], r.dir)).stdout;
      expect(out, format).toContain(
        'the nginx ingress controller (not in the inputs; assumed without a sidecar)',
      );
      expect(out, format).toContain('clients outside the cluster (Service shop/web type: NodePort)');
    }
    const json = JSON.parse((await cli(['graph', '-f', 'json', '.'], r.dir)).stdout) as {
      edges: {
        client: { kind: string; standIn?: string };
        caller: string;
        evidence: string;
        evidenceAt?: string;
        outcome: string;
      }[];
    };
    const kinds = json.edges
      .filter((e) => e.caller === 'inferred')
      .map((e) => `${e.client.kind} ${e.outcome} ${e.evidence}`);
    expect(kinds.sort()).toEqual([
      'ExternalClient broken Service shop/web type: NodePort: reachable from outside the cluster',
      'IngressController broken Ingress shop/web backend web:8000 (ingressClassName nginx)',
    ]);
    // The evidence's place, file:line, for each inferred caller: the Ingress backend and the Service's type.
    for (const e of json.edges.filter((x) => x.caller === 'inferred'))
      expect(e.evidenceAt, e.evidence).toMatch(/^[\w./-]+\.yaml:\d+$/);
  });
});

describe('examples/ingress: an ingress-fronted service going STRICT', () => {
  const example = (step: string) => lintPaths(ROOT, [`examples/ingress/${step}`]);

  it('1-permissive: the controller calls web in plaintext; the to-do list names it; exit 0', async () => {
    const r = await example('1-permissive');
    expect(r.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['info plaintext-accepted']);
    expect(r.findings[0]!.message).toContain('ingress-nginx/ingress-nginx-controller → web.shop:80');
  });

  it('2-strict: STRICT too early breaks the controller: an error, exit 1', async () => {
    const out = await cli(['examples/ingress/2-strict'], ROOT);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'mode STRICT breaks 1 caller that sends plaintext: ingress-nginx/ingress-nginx-controller → web.shop:80 (HTTP 502 Bad Gateway from the nginx ingress controller: its upstream connection is reset)',
    );
  });

  it('3-controller-in-mesh: an injected controller calling the Service sends mTLS: no problems, exit 0', async () => {
    const out = await cli(['examples/ingress/3-controller-in-mesh'], ROOT);
    expect(out.stdout).toContain('no problems');
    expect(out.code).toBe(0);
  });
});

describe('PR mode: a change that adds an outside caller is a new finding', () => {
  it('a Service turned LoadBalancer, and an Ingress added, under STRICT: new findings against the base', async () => {
    const files = shop('1.30', '{}\n');
    const repo = makeRepo('ingress-pr', [
      files,
      { 'web.yaml': exposed('type: LoadBalancer') },
      { 'more.yaml': ingress({ className: 'nginx' }) },
    ]);
    const run = async (base: string) => {
      runGit(repo.dir, ['checkout', '-q', repo.commits[repo.commits.indexOf(base) + 1]!]);
      const out = await cli(['-f', 'json', '--base', base, '.'], repo.dir);
      return JSON.parse(out.stdout) as { findings: { rule: string; new?: boolean; message: string }[] };
    };
    const lb = await run(repo.commits[0]!);
    expect(lb.findings.filter((f) => f.new).map((f) => f.message)).toEqual([
      expect.stringContaining(
        'clients outside the cluster (Service shop/web type: LoadBalancer) → web.shop:8000',
      ),
    ]);
    const ing = await run(repo.commits[1]!);
    expect(ing.findings.filter((f) => f.new).map((f) => f.message)).toEqual([
      expect.stringContaining(
        'the nginx ingress controller (not in the inputs; assumed without a sidecar) → web.shop:8000',
      ),
    ]);
  });
});
