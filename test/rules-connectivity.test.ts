// The connectivity rules together (issue 3 "Rules"): no noise on a healthy mesh, how callers become edges, and the
// findings' edges/related fields through the CLI's JSON. Each rule's own cases are in test/rules/<id>.test.ts.
// Expected outcomes come from istio-semantics.md (sections cited per test).
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  cell,
  cliJson,
  connectivity,
  destinationRule,
  docs,
  edge,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };
const notInfo = (r: Run) => connectivity(r).filter((f) => f.severity !== 'info');

describe('no noise', () => {
  it('STRICT mesh, every workload injected, auto mTLS: no findings at all', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('istio-system'),
        namespace('foo', INJECTED),
        namespace('bar', INJECTED),
        peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
        app('foo', 'frontend', { env: { BACKEND_URL: 'http://backend.bar:8080/api' } }),
        app('bar', 'backend', { port: 8080 }),
        app('foo', 'httpbin'),
        app('bar', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      ),
    });
    expect(cell(r, 'foo/frontend', 'backend.bar:8080')).toBe('mtls 200');
    expect(connectivity(r)).toEqual([]);
  });

  it('a PERMISSIVE default mesh with uninjected workloads: no errors or warnings, only the info for known callers', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        namespace('legacy'),
        app('foo', 'httpbin'),
        app('legacy', 'sleep', { noService: true, env: { TARGET: 'http://httpbin.foo:8000/ip' } }),
        app('legacy', 'idle', { noService: true }),
      ),
    });
    expect(notInfo(r)).toEqual([]);
    expect(connectivity(r).map((f) => f.rule)).toEqual(['plaintext-accepted']);
    expect(connectivity(r)[0]!.message).toContain('legacy/sleep');
    expect(connectivity(r)[0]!.message).not.toContain('legacy/idle'); // possible callers are not listed there
  });

  it('Istio 1.4 before any migration step (no policy, no rules): plaintext everywhere is the starting point, not a finding', async () => {
    const r = await lintYaml(
      {
        'm.yaml': docs(
          namespace('foo', INJECTED),
          app('foo', 'httpbin'),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          // A rule for load balancing only: without auto mTLS it sends plaintext exactly as no rule would.
          `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: httpbin-lb
  namespace: foo
spec:
  host: httpbin
  trafficPolicy:
    loadBalancer:
      simple: LEAST_CONN
`,
          // A JWT-only namespace policy: no mtls peer = plaintext only, which is what 1.4 does with no policy too.
          `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: default
  namespace: foo
spec:
  origins:
  - jwt:
      issuer: https://issuer.example.com
`,
        ),
      },
      { istioVersion: '1.4' },
    );
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('plaintext 200');
    expect(connectivity(r)).toEqual([]);
  });
});

describe('callers: how edges are known (issue 3 "Callers")', () => {
  const server = docs(
    namespace('foo', INJECTED),
    namespace('legacy'),
    app('foo', 'httpbin'),
    peerAuthentication('foo', 'default', { mode: 'STRICT' }),
  );

  it('inferred from an env URL with scheme and port (http://httpbin.foo:8000/ip)', async () => {
    const r = await lintYaml({
      'a.yaml': server,
      'b.yaml': app('legacy', 'curl', { noService: true, env: { TARGET: 'http://httpbin.foo:8000/ip' } }),
    });
    const e = edge(r, 'legacy/curl', 'httpbin.foo:8000');
    expect(e.caller).toBe('inferred');
    expect(e.evidence.description).toBe('env TARGET');
    expect(byRule(r, 'plaintext-to-strict').map((f) => f.severity)).toEqual(['error']);
  });

  it('inferred from ConfigMap values: envFrom, valueFrom.configMapKeyRef and a mounted volume', async () => {
    const cm = (name: string, key: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: legacy
data:
  ${key}: ${JSON.stringify(value)}
`;
    const pod = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: legacy
spec:
  selector: {matchLabels: {app: NAME}}
  template:
    metadata:
      labels: {app: NAME}
    spec:
      containers:
      - name: c
        image: x
SPEC
`;
    const r = await lintYaml({
      'a.yaml': server,
      'b.yaml': docs(
        cm('env-all', 'UPSTREAM', 'httpbin.foo.svc.cluster.local:8000'),
        cm('one-key', 'url', 'http://httpbin.foo:8000/'),
        cm('files', 'app.properties', 'upstream.host=httpbin.foo.svc\nupstream.port=8000\n'),
        pod
          .replace(/NAME/g, 'from-envfrom')
          .replace('SPEC', '        envFrom:\n        - configMapRef:\n            name: env-all'),
        pod
          .replace(/NAME/g, 'from-keyref')
          .replace(
            'SPEC',
            '        env:\n        - name: U\n          valueFrom:\n            configMapKeyRef:\n              name: one-key\n              key: url',
          ),
        pod
          .replace(/NAME/g, 'from-volume')
          .replace('SPEC', '      volumes:\n      - name: cfg\n        configMap:\n          name: files'),
      ),
    });
    expect(edge(r, 'legacy/from-envfrom', 'httpbin.foo:8000').evidence.description).toBe(
      'ConfigMap env-all key UPSTREAM',
    );
    expect(edge(r, 'legacy/from-keyref', 'httpbin.foo:8000').evidence.description).toBe(
      'ConfigMap one-key key url (env U)',
    );
    expect(edge(r, 'legacy/from-volume', 'httpbin.foo:8000').caller).toBe('inferred');
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]!.edges!.map((e) => e.caller)).toEqual(['inferred', 'inferred', 'inferred']);
    // The ConfigMap line that names the service is a related location.
    expect(f[0]!.related!.some((x) => x.message.includes('ConfigMap env-all key UPSTREAM'))).toBe(true);
  });

  it('inferred from an AuthorizationPolicy ALLOW principal (cluster.local/ns/X/sa/Y) and namespace', async () => {
    const ap = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/legacy/sa/reporter"]
    - source:
        namespaces: ["other"]
`;
    const r = await lintYaml({
      'a.yaml': docs(server.replace('mode: STRICT', 'mode: PERMISSIVE'), ap),
      'b.yaml': docs(
        app('legacy', 'reporter', { noService: true }),
        app('legacy', 'unrelated', { noService: true, serviceAccount: 'default' }),
        namespace('other', INJECTED),
        app('other', 'batch', { noService: true }),
      ),
    });
    const e = edge(r, 'legacy/reporter', 'httpbin.foo:8000');
    expect(e.caller).toBe('inferred');
    expect(e.evidence.description).toContain('principal cluster.local/ns/legacy/sa/reporter');
    expect(edge(r, 'other/batch', 'httpbin.foo:8000').caller).toBe('inferred');
    expect(edge(r, 'legacy/unrelated', 'httpbin.foo:8000').caller).toBe('possible');
  });

  it('declared by .mtls-lint.yaml callers and by the mtls-lint.io/calls annotation (on the pod template too)', async () => {
    const r = await lintYaml(
      {
        'a.yaml': server,
        'b.yaml': docs(
          app('legacy', 'by-config', { noService: true }),
          app('legacy', 'by-annotation', {
            noService: true,
            podAnnotations: { 'mtls-lint.io/calls': 'httpbin.foo.svc.cluster.local:8000' },
          }),
        ),
      },
      { config: 'callers:\n- from: legacy/by-config\n  to: httpbin.foo:8000\n' },
    );
    expect(edge(r, 'legacy/by-config', 'httpbin.foo:8000')).toMatchObject({ caller: 'declared' });
    expect(edge(r, 'legacy/by-annotation', 'httpbin.foo:8000')).toMatchObject({ caller: 'declared' });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]!.edges!.map((e) => `${e.client.workload}:${e.caller}`).sort()).toEqual([
      'by-annotation:declared',
      'by-config:declared',
    ]);
  });

  it('a declared call to a service the inputs do not contain is reported as unresolved, not an edge', async () => {
    const r = await lintYaml({
      'a.yaml': server,
      'b.yaml': app('legacy', 'x', { noService: true, calls: 'nowhere.foo:80' }),
    });
    expect(r.result.graph().unresolved.join('\n')).toContain('nowhere.foo:80');
  });
});

describe('through the CLI JSON (-f json)', () => {
  it('plaintext-to-strict: edges and related fields, exit code 1', async () => {
    const { code, json } = await cliJson({
      'a.yaml': docs(
        namespace('foo', INJECTED),
        namespace('legacy'),
        app('foo', 'httpbin'),
        peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      ),
      'b.yaml': app('legacy', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
    });
    expect(code).toBe(1);
    const f = json.findings.filter((x) => x.rule === 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', file: 'a.yaml' });
    expect(f[0]!.edges).toEqual([
      {
        client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
        server: { namespace: 'foo', service: 'httpbin', port: 8000 },
        caller: 'declared',
      },
    ]);
    for (const rel of f[0]!.related!) {
      expect(Object.keys(rel).sort()).toEqual(['column', 'file', 'line', 'message']);
      expect(rel.file).toBe('b.yaml');
    }
    expect(json.summary.errors).toBe(1);
  });

  it('mtls-to-plaintext-server at --istio-version 1.4 (ISTIO_MUTUAL before any policy): edges name both sleeps', async () => {
    const { code, json } = await cliJson(
      {
        'a.yaml': docs(
          namespace('foo', INJECTED),
          namespace('bar', INJECTED),
          app('foo', 'httpbin'),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          app('bar', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          destinationRule('foo', 'httpbin', 'httpbin.foo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
        ),
      },
      ['--istio-version', '1.4'],
    );
    expect(code).toBe(1);
    const f = json.findings.filter((x) => x.rule === 'mtls-to-plaintext-server');
    expect(f).toHaveLength(1);
    const declared = f[0]!
      .edges!.filter((e) => e.caller === 'declared')
      .map((e) => `${e.client.namespace}/${e.client.workload}`);
    expect(declared.sort()).toEqual(['bar/sleep', 'foo/sleep']);
  });
});
