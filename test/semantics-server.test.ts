// Server side (istio-semantics.md §0.1, §1, §2): what a sidecar accepts on a target port, per Istio version.
// Legacy authentication.istio.io Policy/MeshPolicy (≤ 1.5), PeerAuthentication (1.5+), and the rules between them.
import { describe, expect, it } from 'vitest';
import {
  app,
  cell,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  serverModeVia,
  type Run,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** httpbin in foo (service port 8000 → target port 80, plus 9000 "grpc-alt" → 90) and in bar. */
const BASE = docs(
  namespace('foo', INJECTED),
  namespace('bar', INJECTED),
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
  template:
    metadata:
      labels:
        app: httpbin
    spec:
      containers:
      - name: httpbin
        image: example/httpbin
        ports:
        - containerPort: 80
          name: web
        - containerPort: 90
---
apiVersion: v1
kind: Service
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    app: httpbin
  ports:
  - name: http
    port: 8000
    targetPort: web
  - name: grpc-alt
    port: 9000
    targetPort: 90
`,
  app('bar', 'httpbin'),
);

async function modes(
  extra: string,
  version: string,
  config?: string,
): Promise<{ r: Run; foo8000: string; foo9000: string; bar: string }> {
  const r = await lintYaml(
    { 'base.yaml': BASE, 'policy.yaml': extra || '{}\n' },
    { istioVersion: version, ...(config ? { config } : {}) },
  );
  return {
    r,
    foo8000: serverModeVia(r, 'foo/httpbin', 'httpbin.foo:8000').mode,
    foo9000: serverModeVia(r, 'foo/httpbin', 'httpbin.foo:9000').mode,
    bar: serverModeVia(r, 'bar/httpbin', 'httpbin.bar:8000').mode,
  };
}

const legacyPolicy = (ns: string, name: string, body: string) => `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${body}`;

const meshPolicy = (name: string, body: string) => `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: ${name}
spec:
${body}`;

describe('no policy at all (§0.1, §2.5, §1.6)', () => {
  it.each([
    ['1.4', 'DISABLE'],
    ['1.5', 'PERMISSIVE'],
    ['1.30', 'PERMISSIVE'],
  ])('Istio %s: %s', async (version, expected) => {
    const m = await modes('', version);
    expect([m.foo8000, m.foo9000, m.bar]).toEqual([expected, expected, expected]);
  });
});

describe('legacy Policy / MeshPolicy at Istio 1.4 (§2)', () => {
  it('targets by service name apply to every port of that service only, in the Policy namespace', async () => {
    const m = await modes(
      legacyPolicy(
        'foo',
        'httpbin-strict',
        '  targets:\n  - name: httpbin\n  peers:\n  - mtls:\n      mode: STRICT\n',
      ),
      '1.4',
    );
    expect(m).toMatchObject({ foo8000: 'STRICT', foo9000: 'STRICT', bar: 'DISABLE' });
    expect(serverModeVia(m.r, 'foo/httpbin', 'httpbin.foo:8000').level).toBe('legacy-service');
  });

  it('target ports match the service port by number (not the target port)', async () => {
    const byNumber = await modes(
      legacyPolicy(
        'foo',
        'p',
        '  targets:\n  - name: httpbin\n    ports:\n    - number: 8000\n  peers:\n  - mtls:\n      mode: STRICT\n',
      ),
      '1.4',
    );
    expect(byNumber).toMatchObject({ foo8000: 'STRICT', foo9000: 'DISABLE' });
    // 80 is the target port of 8000: a Policy port is a service port (§2.2), so this matches nothing.
    const byTarget = await modes(
      legacyPolicy(
        'foo',
        'p',
        '  targets:\n  - name: httpbin\n    ports:\n    - number: 80\n  peers:\n  - mtls:\n      mode: STRICT\n',
      ),
      '1.4',
    );
    expect(byTarget).toMatchObject({ foo8000: 'DISABLE', foo9000: 'DISABLE' });
  });

  it('target ports match the service port by name', async () => {
    const m = await modes(
      legacyPolicy(
        'foo',
        'p',
        '  targets:\n  - name: httpbin\n    ports:\n    - name: grpc-alt\n  peers:\n  - mtls:\n      mode: STRICT\n',
      ),
      '1.4',
    );
    expect(m).toMatchObject({ foo8000: 'DISABLE', foo9000: 'STRICT' });
    expect(serverModeVia(m.r, 'foo/httpbin', 'httpbin.foo:9000').level).toBe('legacy-port');
  });

  it('a short target name resolves against the Policy namespace; an FQDN target is taken verbatim', async () => {
    const other = await modes(
      legacyPolicy('bar', 'p', '  targets:\n  - name: httpbin\n  peers:\n  - mtls: {}\n'),
      '1.4',
    );
    expect(other).toMatchObject({ foo8000: 'DISABLE', bar: 'STRICT' });
    const fqdn = await modes(
      legacyPolicy(
        'foo',
        'p',
        '  targets:\n  - name: httpbin.foo.svc.cluster.local\n  peers:\n  - mtls: {}\n',
      ),
      '1.4',
    );
    expect(fqdn).toMatchObject({ foo8000: 'STRICT', bar: 'DISABLE' });
  });

  it.each([
    ['mtls: {}', '  peers:\n  - mtls: {}\n', 'STRICT'],
    ['mtls: (null)', '  peers:\n  - mtls:\n', 'STRICT'],
    ['mode: STRICT', '  peers:\n  - mtls:\n      mode: STRICT\n', 'STRICT'],
    ['mode: PERMISSIVE', '  peers:\n  - mtls:\n      mode: PERMISSIVE\n', 'PERMISSIVE'],
    ['a JWT origin but no peers', '  origins:\n  - jwt:\n      issuer: https://example.com\n', 'DISABLE'],
    ['only principalBinding (no peers)', '  principalBinding: USE_PEER\n', 'DISABLE'],
  ])('namespace-wide Policy named default with %s → %s (§2.3)', async (_label, body, expected) => {
    const m = await modes(legacyPolicy('foo', 'default', body), '1.4');
    expect(m).toMatchObject({ foo8000: expected, foo9000: expected, bar: 'DISABLE' });
  });

  it('the mis-indented Policy of the seed (peers beside spec) gives no mtls peer: plaintext only', async () => {
    // The seed's Policy YAML puts `peers:` at the top level; Istio ignores it (not under spec) → no TLS chain.
    const seed = `apiVersion: "authentication.istio.io/v1alpha1"
kind: "Policy"
metadata:
  name: "example-httpbin-permissive"
  namespace: foo
spec:
  targets:
  - name: httpbin
peers:
- mtls:
    mode: PERMISSIVE
`;
    const r = await lintYaml(
      { 'base.yaml': BASE, 'policy.yaml': seed },
      { istioVersion: '1.4', allowInvalid: true },
    );
    expect(serverModeVia(r, 'foo/httpbin', 'httpbin.foo:8000').mode).toBe('DISABLE');
  });

  it('MeshPolicy default applies to every namespace; a MeshPolicy with another name is ignored', async () => {
    const m = await modes(meshPolicy('default', '  peers:\n  - mtls: {}\n'), '1.4');
    expect(m).toMatchObject({ foo8000: 'STRICT', foo9000: 'STRICT', bar: 'STRICT' });
    expect(serverModeVia(m.r, 'bar/httpbin', 'httpbin.bar:8000').level).toBe('legacy-mesh');
    // Validation rejects a MeshPolicy not named default, and push_context only looks up "default" (§2.4).
    const misnamed = await lintYaml(
      { 'base.yaml': BASE, 'p.yaml': meshPolicy('strict-everything', '  peers:\n  - mtls: {}\n') },
      { istioVersion: '1.4', allowInvalid: true },
    );
    expect(serverModeVia(misnamed, 'foo/httpbin', 'httpbin.foo:8000').mode).toBe('DISABLE');
  });

  it('service Policy replaces namespace and mesh policies entirely (a targets-only Policy disables mTLS)', async () => {
    // io authn-policy (1.1–1.4): "the service-specific policy will override the mesh-wide (or namespace-wide) policy completely".
    const m = await modes(
      docs(
        meshPolicy('default', '  peers:\n  - mtls: {}\n'),
        legacyPolicy('foo', 'httpbin-off', '  targets:\n  - name: httpbin\n'),
      ),
      '1.4',
    );
    expect(m).toMatchObject({ foo8000: 'DISABLE', foo9000: 'DISABLE', bar: 'STRICT' });
  });

  it('namespace Policy wins over MeshPolicy', async () => {
    const m = await modes(
      docs(
        meshPolicy('default', '  peers:\n  - mtls: {}\n'),
        legacyPolicy('foo', 'default', '  peers:\n  - mtls:\n      mode: PERMISSIVE\n'),
      ),
      '1.4',
    );
    expect(m).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'STRICT' });
  });
});

describe('Istio 1.5: alpha Policy only where no PeerAuthentication applies (§0.1, §2.1)', () => {
  const strictPolicy = legacyPolicy('foo', 'default', '  peers:\n  - mtls: {}\n');

  it('the alpha Policy decides when no PeerAuthentication applies to the pod', async () => {
    const m = await modes(strictPolicy, '1.5');
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'PERMISSIVE' });
  });

  it('a namespace PeerAuthentication in foo wins over the alpha Policy', async () => {
    const m = await modes(
      docs(
        strictPolicy,
        peerAuthentication('foo', 'default', { mode: 'PERMISSIVE', apiVersion: 'security.istio.io/v1beta1' }),
      ),
      '1.5',
    );
    expect(m.foo8000).toBe('PERMISSIVE');
  });

  it('a mesh-level PeerAuthentication (even UNSET) applies to every pod, so the alpha Policy is never used', async () => {
    const m = await modes(
      docs(
        strictPolicy,
        peerAuthentication('istio-system', 'default', { apiVersion: 'security.istio.io/v1beta1' }),
      ),
      '1.5',
    );
    expect(m.foo8000).toBe('PERMISSIVE');
  });

  it('a PeerAuthentication elsewhere or with a non-matching selector does not displace the alpha Policy', async () => {
    const m = await modes(
      docs(
        strictPolicy,
        peerAuthentication('bar', 'default', { mode: 'DISABLE' }),
        peerAuthentication('foo', 'other', { selector: { app: 'other' }, mode: 'DISABLE' }),
      ),
      '1.5',
    );
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'DISABLE' });
  });

  it('1.6+ ignores the alpha Policy and MeshPolicy completely', async () => {
    for (const version of ['1.6', '1.30']) {
      const m = await modes(docs(strictPolicy, meshPolicy('default', '  peers:\n  - mtls: {}\n')), version);
      expect(m, version).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'PERMISSIVE' });
    }
  });
});

describe('PeerAuthentication scopes and precedence (§1.2–§1.7)', () => {
  it('mesh (root namespace) → namespace → workload; UNSET inherits', async () => {
    const m = await modes(
      docs(
        peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
        peerAuthentication('bar', 'default', { mode: 'PERMISSIVE' }),
        peerAuthentication('foo', 'default', {}), // UNSET: inherits the mesh STRICT
      ),
      '1.30',
    );
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'PERMISSIVE' });
    expect(serverModeVia(m.r, 'foo/httpbin', 'httpbin.foo:8000').level).toBe('mesh');
  });

  it('a workload-level PeerAuthentication overrides the namespace one; an UNSET workload PA inherits it', async () => {
    const m = await modes(
      docs(
        peerAuthentication('foo', 'default', { mode: 'STRICT' }),
        peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'PERMISSIVE' }),
        peerAuthentication('bar', 'default', { mode: 'STRICT' }),
        peerAuthentication('bar', 'httpbin', { selector: { app: 'httpbin' } }),
      ),
      '1.30',
    );
    expect(m).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'STRICT' });
    expect(serverModeVia(m.r, 'foo/httpbin', 'httpbin.foo:8000').level).toBe('workload');
  });

  it('a mesh-level UNSET PeerAuthentication means PERMISSIVE (§1.5)', async () => {
    const m = await modes(peerAuthentication('istio-system', 'default', {}), '1.30');
    expect(m).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'PERMISSIVE' });
  });

  it('portLevelMtls is keyed by the TARGET port: service 8000 → target 80 (named "web")', async () => {
    // §1.7: inbound chains use authnBuilder.ForPort(TargetPort). 80 applies to service port 8000; 8000 applies to nothing.
    const byTarget = await modes(
      peerAuthentication('foo', 'httpbin', {
        selector: { app: 'httpbin' },
        mode: 'STRICT',
        portLevel: { 80: 'PERMISSIVE' },
      }),
      '1.30',
    );
    expect(byTarget).toMatchObject({ foo8000: 'PERMISSIVE', foo9000: 'STRICT' });
    expect(serverModeVia(byTarget.r, 'foo/httpbin', 'httpbin.foo:8000').level).toBe('port');
    const byServicePort = await modes(
      peerAuthentication('foo', 'httpbin', {
        selector: { app: 'httpbin' },
        mode: 'STRICT',
        portLevel: { 8000: 'PERMISSIVE' },
      }),
      '1.30',
    );
    expect(byServicePort).toMatchObject({ foo8000: 'STRICT', foo9000: 'STRICT' });
  });

  it('port-level UNSET keeps the workload mode; port-level on a namespace-wide PA is not honoured', async () => {
    const unset = await modes(
      peerAuthentication('foo', 'httpbin', {
        selector: { app: 'httpbin' },
        mode: 'STRICT',
        portLevel: { 80: 'UNSET' },
      }),
      '1.30',
    );
    expect(unset.foo8000).toBe('STRICT');
    // Validation rejects it ("mesh/namespace peer authentication cannot have port level mTLS", validation.go
    // ValidatePeerAuthentication; CRD CEL "portLevelMtls requires selector"): the PA never reaches istiod, so the
    // namespace keeps the default PERMISSIVE, and the schema pass says why.
    const nsWide = await lintYaml(
      {
        'base.yaml': BASE,
        'pa.yaml': peerAuthentication('foo', 'default', { mode: 'STRICT', portLevel: { 80: 'DISABLE' } }),
      },
      { allowInvalid: true },
    );
    expect(serverModeVia(nsWide, 'foo/httpbin', 'httpbin.foo:8000').mode).toBe('PERMISSIVE');
    expect(nsWide.findings.filter((f) => f.rule === 'invalid-resource').map((f) => f.file)).toEqual([
      'pa.yaml',
    ]);
  });

  it('a root-namespace PeerAuthentication with a selector is ignored (§1.2)', async () => {
    const m = await modes(
      peerAuthentication('istio-system', 'httpbin', { selector: { app: 'httpbin' }, mode: 'STRICT' }),
      '1.30',
    );
    expect(m).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'PERMISSIVE' });
  });

  it('several namespace-wide PeerAuthentications: ambiguous without timestamps, the oldest wins with them (§1.4)', async () => {
    const noStamps = await modes(
      docs(
        peerAuthentication('foo', 'a-strict', { mode: 'STRICT' }),
        peerAuthentication('foo', 'b-disable', { mode: 'DISABLE' }),
      ),
      '1.30',
    );
    const result = serverModeVia(noStamps.r, 'foo/httpbin', 'httpbin.foo:8000');
    expect(result.ambiguousWith?.map((r) => r.name)).toEqual(['b-disable']);
    const stamped = await modes(
      docs(
        peerAuthentication('foo', 'a-strict', { mode: 'STRICT' }).replace(
          '  namespace: foo',
          '  namespace: foo\n  creationTimestamp: "2024-05-02T00:00:00Z"',
        ),
        peerAuthentication('foo', 'b-disable', { mode: 'DISABLE' }).replace(
          '  namespace: foo',
          '  namespace: foo\n  creationTimestamp: "2024-05-01T00:00:00Z"',
        ),
      ),
      '1.30',
    );
    expect(stamped.foo8000).toBe('DISABLE');
    expect(serverModeVia(stamped.r, 'foo/httpbin', 'httpbin.foo:8000').ambiguousWith).toBeUndefined();
  });

  it('a pod without a sidecar receives raw bytes whatever the policy says', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('legacy'),
        app('legacy', 'httpbin'),
        peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
      ),
    });
    expect(serverModeVia(r, 'legacy/httpbin', 'httpbin.legacy:8000').mode).toBe('NO_SIDECAR');
  });
});

describe('root namespace (§1.8): config, istio ConfigMap, IstioOperator', () => {
  const strictInMeshRoot = peerAuthentication('mesh-root', 'default', { mode: 'STRICT' });

  it('by default istio-system is the root: a PA in mesh-root is only namespace-level there', async () => {
    const m = await modes(strictInMeshRoot, '1.30');
    expect(m).toMatchObject({ foo8000: 'PERMISSIVE', bar: 'PERMISSIVE' });
  });

  it('mesh.rootNamespace in .mtls-lint.yaml makes it mesh-wide', async () => {
    const m = await modes(strictInMeshRoot, '1.30', 'mesh:\n  rootNamespace: mesh-root\n');
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'STRICT' });
  });

  it('rootNamespace from the mesh config in ConfigMap istio-system/istio', async () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    rootNamespace: mesh-root
    enableAutoMtls: true
`;
    const m = await modes(docs(strictInMeshRoot, cm), '1.30');
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'STRICT' });
    expect(m.r.result.mesh().settings.rootNamespace).toBe('mesh-root');
  });

  it('rootNamespace from an IstioOperator meshConfig', async () => {
    const iop = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: control-plane
  namespace: istio-system
spec:
  meshConfig:
    rootNamespace: mesh-root
`;
    const m = await modes(docs(strictInMeshRoot, iop), '1.30');
    expect(m).toMatchObject({ foo8000: 'STRICT', bar: 'STRICT' });
  });

  it('the config wins over the ConfigMap', async () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: "rootNamespace: elsewhere"
`;
    const m = await modes(docs(strictInMeshRoot, cm), '1.30', 'mesh:\n  rootNamespace: mesh-root\n');
    expect(m.r.result.mesh().settings.rootNamespace).toBe('mesh-root');
    expect(m.foo8000).toBe('STRICT');
  });
});

describe('ambient servers (§0.1, §6.4)', () => {
  const ambient = (mode: string) =>
    docs(
      namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
      app('amb', 'httpbin'),
      namespace('legacy'),
      app('legacy', 'sleep', { noService: true, calls: 'httpbin.amb:8000' }),
      peerAuthentication('amb', 'default', { mode }),
    );

  it('STRICT rejects plaintext from a client without a sidecar', async () => {
    const r = await lintYaml({ 'm.yaml': ambient('STRICT') });
    expect(serverModeVia(r, 'amb/httpbin', 'httpbin.amb:8000').mode).toBe('AMBIENT_STRICT');
    expect(cell(r, 'legacy/sleep', 'httpbin.amb:8000')).toBe('broken 000');
  });

  it('DISABLE does not turn ztunnel mTLS off: it accepts plaintext like PERMISSIVE', async () => {
    const r = await lintYaml({ 'm.yaml': ambient('DISABLE') });
    expect(serverModeVia(r, 'amb/httpbin', 'httpbin.amb:8000').mode).toBe('AMBIENT_PERMISSIVE');
    expect(cell(r, 'legacy/sleep', 'httpbin.amb:8000')).toBe('plaintext 200');
  });
});
