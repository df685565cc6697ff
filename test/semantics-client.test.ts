// Client side (istio-semantics.md §0.2, §3, §4): which DestinationRule a sidecar uses, which tls block applies to
// a port, and auto mTLS — per Istio version and mesh settings.
import { describe, expect, it } from 'vitest';
import {
  app,
  cell,
  clientMode,
  connectivity,
  destinationRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

/** httpbin in foo (8000 → 80 and 9000 → 90), clients in foo and bar; rules added per test. */
const BASE = docs(
  namespace('foo', INJECTED),
  namespace('bar', INJECTED),
  namespace('istio-system'),
  app('foo', 'httpbin', { port: 8000 }),
  `apiVersion: v1
kind: Service
metadata:
  name: httpbin-admin
  namespace: foo
spec:
  selector:
    app: httpbin
  ports:
  - name: http-a
    port: 8000
    targetPort: 80
  - name: http-b
    port: 9000
    targetPort: 80
`,
);

function run(rules: string, opts: { istioVersion?: string; config?: string } = {}): Promise<Run> {
  return lintYaml({ 'base.yaml': BASE, 'rules.yaml': rules || '{}\n' }, opts);
}

describe('DestinationRule lookup order: client namespace → service namespace → root namespace (§3.2)', () => {
  it('the service namespace beats the root namespace', async () => {
    const r = await run(
      docs(
        destinationRule('istio-system', 'mesh-wide', '*.local', { tls: 'ISTIO_MUTUAL' }),
        destinationRule('foo', 'httpbin', 'httpbin.foo.svc.cluster.local', { tls: 'DISABLE' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('DISABLE foo/httpbin');
    // Other hosts fall through to the root namespace rule.
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:8000')).toBe('ISTIO_MUTUAL istio-system/mesh-wide');
  });

  it('the client namespace beats the service namespace, even with a less specific host', async () => {
    const r = await run(
      docs(
        destinationRule('bar', 'everything', '*.local', { tls: 'SIMPLE' }),
        destinationRule('foo', 'httpbin', 'httpbin.foo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('SIMPLE bar/everything');
    expect(clientMode(r, 'foo', 'httpbin.foo:8000')).toBe('ISTIO_MUTUAL foo/httpbin');
  });

  it('with no rule anywhere: AUTO with auto mTLS, PLAINTEXT without', async () => {
    expect(clientMode(await run(''), 'bar', 'httpbin.foo:8000')).toBe('AUTO');
    expect(clientMode(await run('', { istioVersion: '1.4' }), 'bar', 'httpbin.foo:8000')).toBe('PLAINTEXT');
  });
});

describe('exportTo (§3.2)', () => {
  it('"." hides a service-namespace rule from other namespaces but not from its own', async () => {
    const r = await run(
      destinationRule('foo', 'private', 'httpbin.foo.svc.cluster.local', { tls: 'DISABLE', exportTo: ['.'] }),
    );
    expect(clientMode(r, 'foo', 'httpbin.foo:8000')).toBe('DISABLE foo/private');
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('AUTO');
  });

  it('a root-namespace rule exported only to "." is not seen by other namespaces', async () => {
    const r = await run(
      destinationRule('istio-system', 'mesh-wide', '*.local', { tls: 'ISTIO_MUTUAL', exportTo: ['.'] }),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('AUTO');
  });

  it('1.7+: a namespace name in exportTo exports to that namespace only', async () => {
    const r = await run(
      destinationRule('foo', 'to-bar', 'httpbin.foo.svc.cluster.local', {
        tls: 'ISTIO_MUTUAL',
        exportTo: ['bar'],
      }),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('ISTIO_MUTUAL foo/to-bar');
    expect(clientMode(r, 'other', 'httpbin.foo:8000')).toBe('AUTO');
  });

  it('no fallback inside a namespace: when its most specific exported match is not exported to the client, the search moves on', async () => {
    // §3.2 [I from push_context.go getExportedDestinationRuleFromNamespace]: the exact-host rule is exported (to
    // "other"), so it is foo's most specific exported match; it is not exported to bar, so foo yields nothing for
    // bar and the root namespace's rule applies — the public wildcard in foo is not a fallback.
    const r = await run(
      docs(
        destinationRule('foo', 'exact-to-other', 'httpbin.foo.svc.cluster.local', {
          tls: 'DISABLE',
          exportTo: ['other'],
        }),
        destinationRule('foo', 'wildcard-public', '*.foo.svc.cluster.local', { tls: 'SIMPLE' }),
        destinationRule('istio-system', 'mesh-wide', '*.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('ISTIO_MUTUAL istio-system/mesh-wide');
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:8000')).toBe('SIMPLE foo/wildcard-public');
  });

  it('private (exportTo ".") rules are not exported at all, so they hide nothing from other namespaces', async () => {
    // push_context.go SetDestinationRules: isPrivateOnly rules go to namespaceLocalDestRules only, never to
    // exportedDestRulesByNamespace, so bar's lookup in foo sees just the public wildcard.
    const r = await run(
      docs(
        destinationRule('foo', 'exact-private', 'httpbin.foo.svc.cluster.local', {
          tls: 'DISABLE',
          exportTo: ['.'],
        }),
        destinationRule('foo', 'wildcard-public', '*.foo.svc.cluster.local', { tls: 'SIMPLE' }),
        destinationRule('istio-system', 'mesh-wide', '*.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('SIMPLE foo/wildcard-public');
  });
});

describe('host matching within a namespace (§3.1, §3.2)', () => {
  it('the most specific host wins: exact over *.foo.svc.cluster.local over *.local', async () => {
    const r = await run(
      docs(
        destinationRule('foo', 'all', '*.local', { tls: 'ISTIO_MUTUAL' }),
        destinationRule('foo', 'ns', '*.foo.svc.cluster.local', { tls: 'SIMPLE' }),
        destinationRule('foo', 'exact', 'httpbin.foo.svc.cluster.local', { tls: 'DISABLE' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('DISABLE foo/exact');
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:8000')).toBe('SIMPLE foo/ns');
  });

  it('a short host is resolved against the DestinationRule namespace: "httpbin" in bar does NOT cover httpbin.foo', async () => {
    const r = await run(destinationRule('bar', 'httpbin', 'httpbin', { tls: 'DISABLE' }));
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('AUTO');
    const inFoo = await run(destinationRule('foo', 'httpbin', 'httpbin', { tls: 'DISABLE' }));
    expect(clientMode(inFoo, 'bar', 'httpbin.foo:8000')).toBe('DISABLE foo/httpbin');
  });

  it('a dotted host is taken verbatim: "httpbin.foo" is not expanded and matches nothing', async () => {
    // §3.1 ResolveShortnameToFQDN: only names without a dot get the namespace suffix.
    const r = await run(destinationRule('foo', 'httpbin', 'httpbin.foo', { tls: 'DISABLE' }));
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('AUTO');
  });
});

describe('portLevelSettings replace the top-level policy (§3.5)', () => {
  it('a matching port entry without tls means no tls (AUTO), not inheritance of ISTIO_MUTUAL', async () => {
    const rules = destinationRule('foo', 'httpbin-admin', 'httpbin-admin.foo.svc.cluster.local', {
      tls: 'ISTIO_MUTUAL',
      portLevel: [{ port: 9000 }],
    });
    const r = await run(rules);
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:8000')).toBe('ISTIO_MUTUAL foo/httpbin-admin');
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:9000')).toBe('AUTO foo/httpbin-admin');
    // Without auto mTLS the same entry means plaintext, which STRICT rejects (io network-issues "503 after DR").
    const off = await run(rules, { config: 'mesh:\n  autoMtls: false\n' });
    expect(clientMode(off, 'bar', 'httpbin-admin.foo:9000')).toBe('PLAINTEXT foo/httpbin-admin');
  });

  it('a port entry with its own tls applies to that service port only (service port, not target port)', async () => {
    const r = await run(
      destinationRule('foo', 'httpbin-admin', 'httpbin-admin.foo.svc.cluster.local', {
        tls: 'ISTIO_MUTUAL',
        portLevel: [{ port: 8000, tls: 'DISABLE' }],
      }),
    );
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:8000')).toBe('DISABLE foo/httpbin-admin');
    expect(clientMode(r, 'bar', 'httpbin-admin.foo:9000')).toBe('ISTIO_MUTUAL foo/httpbin-admin');
    const byTarget = await run(
      destinationRule('foo', 'httpbin-admin', 'httpbin-admin.foo.svc.cluster.local', {
        tls: 'ISTIO_MUTUAL',
        portLevel: [{ port: 80, tls: 'DISABLE' }],
      }),
    );
    expect(clientMode(byTarget, 'bar', 'httpbin-admin.foo:8000')).toBe('ISTIO_MUTUAL foo/httpbin-admin');
  });
});

describe('workloadSelector DestinationRules (1.14+, §3.4)', () => {
  it('apply only to matching proxies of their own namespace', async () => {
    const r = await run(
      docs(
        destinationRule('bar', 'special', 'httpbin.foo.svc.cluster.local', {
          tls: 'DISABLE',
          selector: { app: 'special' },
        }),
        destinationRule('foo', 'httpbin', 'httpbin.foo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    );
    expect(clientMode(r, 'bar', 'httpbin.foo:8000', { app: 'special' })).toBe('DISABLE bar/special');
    expect(clientMode(r, 'foo', 'httpbin.foo:8000', { app: 'special' })).toBe('ISTIO_MUTUAL foo/httpbin');
  });
});

describe('auto mTLS settings (§4.1)', () => {
  const cm = (auto: boolean) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    enableAutoMtls: ${auto}
    trustDomain: cluster.local
`;
  const iop = (meshConfig: string) => `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: installed-state
  namespace: istio-system
spec:
${meshConfig}`;

  it.each([
    ['1.4', 'PLAINTEXT'],
    ['1.5', 'AUTO'],
    ['1.6', 'AUTO'],
    ['1.30', 'AUTO'],
  ])('default at %s → %s', async (version, expected) => {
    expect(clientMode(await run('', { istioVersion: version }), 'bar', 'httpbin.foo:8000')).toBe(expected);
  });

  it('enableAutoMtls from ConfigMap istio-system/istio turns it off (1.30) or on (1.4)', async () => {
    expect(clientMode(await run(cm(false)), 'bar', 'httpbin.foo:8000')).toBe('PLAINTEXT');
    expect(clientMode(await run(cm(true), { istioVersion: '1.4' }), 'bar', 'httpbin.foo:8000')).toBe('AUTO');
  });

  it('enableAutoMtls from an IstioOperator (meshConfig, or 1.4/1.5 values.global.mtls.auto)', async () => {
    expect(
      clientMode(await run(iop('  meshConfig:\n    enableAutoMtls: false\n')), 'bar', 'httpbin.foo:8000'),
    ).toBe('PLAINTEXT');
    const legacy = iop('  values:\n    global:\n      mtls:\n        auto: true\n');
    expect(clientMode(await run(legacy, { istioVersion: '1.4' }), 'bar', 'httpbin.foo:8000')).toBe('AUTO');
  });

  it('.mtls-lint.yaml mesh.autoMtls wins over the ConfigMap', async () => {
    const r = await run(cm(false), { config: 'mesh:\n  autoMtls: true\n' });
    expect(clientMode(r, 'bar', 'httpbin.foo:8000')).toBe('AUTO');
    expect(r.result.mesh().settings.autoMtlsSource).toContain('.mtls-lint.yaml');
  });

  it('auto mTLS did not exist before 1.4, whatever the config says', async () => {
    expect(
      clientMode(
        await run('', { istioVersion: '1.3', config: 'mesh:\n  autoMtls: true\n' }),
        'bar',
        'httpbin.foo:8000',
      ),
    ).toBe('PLAINTEXT');
  });
});

describe('the classic shadowing trap (§4.5): a DestinationRule without tls hides a mesh-wide ISTIO_MUTUAL rule', () => {
  const files = (version: string) =>
    lintYaml(
      {
        'm.yaml': docs(
          namespace('foo', INJECTED),
          app('foo', 'httpbin'),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: default
spec:
  peers:
  - mtls: {}
`,
          peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
          destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
          // A rule for load balancing only: no tls.
          `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: httpbin-lb
  namespace: foo
spec:
  host: httpbin
  trafficPolicy:
    loadBalancer:
      simple: LEAST_REQUEST
`,
        ),
      },
      { istioVersion: version },
    );

  it('1.4 (auto mTLS off): the client sidecar sends plaintext to the STRICT server → 503, blamed on the rule without tls', async () => {
    const r = await files('1.4');
    expect(clientMode(r, 'foo', 'httpbin.foo:8000')).toBe('PLAINTEXT foo/httpbin-lb');
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('broken 503');
    const f = r.findings.filter((x) => x.rule === 'plaintext-to-strict');
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0]!.message).toContain('foo/sleep');
    expect(f[0]!.message).toMatch(/ISTIO_MUTUAL/); // the fix names the missing tls
  });

  it('1.30 (auto mTLS on): no tls means AUTO, so the trap is gone', async () => {
    const r = await files('1.30');
    expect(clientMode(r, 'foo', 'httpbin.foo:8000')).toBe('AUTO foo/httpbin-lb');
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('mtls 200');
    expect(connectivity(r).filter((x) => x.severity !== 'info')).toEqual([]);
  });
});

describe('clients without a sidecar ignore DestinationRules (§0.2 step 1)', () => {
  it('an uninjected client sends plaintext even with an ISTIO_MUTUAL rule in its namespace', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('legacy'),
        app('legacy', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
        destinationRule('legacy', 'all', '*.local', { tls: 'ISTIO_MUTUAL' }),
        namespace('foo', INJECTED),
        app('foo', 'httpbin'),
      ),
    });
    expect(cell(r, 'legacy/sleep', 'httpbin.foo:8000')).toBe('plaintext 200');
  });
});

describe('ambient clients (§6.4)', () => {
  it('ztunnel ignores DestinationRule tls: DISABLE does not make an ambient client send plaintext to STRICT', async () => {
    const { lintYaml, docs, namespace, app, destinationRule, peerAuthentication, cell } =
      await import('./helpers/mesh.js');
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
        namespace('srv', { 'istio-injection': 'enabled' }),
        app('amb', 'client', { noService: true, calls: 'web.srv:8000' }),
        app('srv', 'web'),
        destinationRule('amb', 'plain', 'web.srv.svc.cluster.local', { tls: 'DISABLE' }),
        peerAuthentication('srv', 'default', { mode: 'STRICT' }),
      ),
    });
    expect(cell(r, 'amb/client', 'web.srv:8000')).toBe('mtls 200');
  });
});
