// ignored-setting: a setting Istio reads but does not apply (service port as portLevelMtls key, selector in the
// root namespace, a DestinationRule no sidecar consults, a legacy Policy on 1.6+ …).
import { expect, describe, it } from 'vitest';
import { ruleTests } from './harness.js';
import { FIXTURES, hygiene, only, pos } from './hygiene.js';

const legacyStrict = 'examples/migration-legacy/3-strict';

ruleTests('ignored-setting', {
  valid: [
    {
      name: 'stays quiet about missing tls when auto mTLS is on',
      fixture: `${FIXTURES}/ignored-shadow`,
      configFile: `${FIXTURES}/auto-mtls-on.mtls-lint.yaml`,
    },
    {
      name: 'a legacy Policy on Istio 1.5 is still read',
      fixture: legacyStrict,
      istioVersion: '1.5',
    },
  ],
  invalid: [
    {
      name: 'says what applies instead of a legacy Policy on Istio ≥ 1.6',
      fixture: legacyStrict,
      findings: [
        {
          file: `${legacyStrict}/policy.yaml`,
          severity: 'warning',
          ...pos(`${legacyStrict}/policy.yaml`, 'STRICT'),
          message:
            "Istio 1.30 ignores authentication.istio.io Policy (read only up to 1.5), so Policy foo/example-httpbin-permissive's STRICT does nothing: httpbin.foo:8000 gets PERMISSIVE instead",
        },
      ],
    },
    {
      name: 'a legacy PERMISSIVE Policy on 1.6+ is an info: the port gets PERMISSIVE anyway',
      fixture: 'examples/migration-legacy/1-permissive',
      findings: [{ severity: 'info', message: 'gets PERMISSIVE anyway' }],
    },
  ],
});

describe('ignored-setting', () => {
  const ports = `${FIXTURES}/ignored-ports`;
  const pa = `${ports}/peer-authentication.yaml`;

  it('asks "did you mean target port 80?" for a portLevelMtls keyed by the service port', async () => {
    const f = await hygiene(ports);
    const hit = only(f, 'ignored-setting', pa, pos(pa, '8000:'));
    expect(hit.message).toContain('portLevelMtls key 8000 is the service port of httpbin.foo');
    expect(hit.message).toContain('did you mean target port 80?');
    // 9090 is the named target port "metrics": fine. 8081 is a container port: honoured from 1.9.
    expect(f.some((x) => x.rule === 'ignored-setting' && x.line === pos(pa, '9090:').line)).toBe(false);
    expect(f.some((x) => x.rule === 'ignored-setting' && x.line === pos(pa, '8081:').line)).toBe(false);
    const unknown = only(f, 'ignored-setting', pa, pos(pa, '7777:'));
    expect(unknown.message).toContain('unless the app listens on an undeclared port 7777');
  });

  it('knows 1.5–1.8 honour port-level mTLS only on ports behind a Service', async () => {
    const f = await hygiene(ports, '1.8');
    const hit = only(f, 'ignored-setting', pa, pos(pa, '8081:'));
    expect(hit.message).toContain(
      'container port of httpbin that no Service routes to; Istio 1.8 applies port-level mTLS only to ports behind a Service',
    );
    expect(only(f, 'ignored-setting', pa, pos(pa, '7777:')).message).toContain('so this entry does nothing.');
  });

  it('flags a selector PeerAuthentication in the root namespace', async () => {
    const f = await hygiene(ports);
    const selector = pos(pa, 'selector:', 1);
    const hit = only(f, 'ignored-setting', pa, { line: selector.line + 1, column: 5 });
    expect(hit.message).toContain(
      'istio-system/httpbin-mesh has a selector in the root namespace istio-system: Istio ignores selector policies there',
    );
  });

  it('flags a DestinationRule only sidecar-less namespaces consult, and exportTo that hides it on 1.6', async () => {
    const dir = `${FIXTURES}/ignored-dr`;
    const file = `${dir}/destination-rules.yaml`;
    const f = await hygiene(dir);
    const legacy = only(f, 'ignored-setting', file, pos(file, 'legacy', 1));
    expect(legacy.message).toContain(
      'DestinationRule legacy/httpbin is consulted only by sidecars in legacy',
    );
    expect(legacy.message).toContain('no sidecar workloads');
    // Exported to bar: 1.7+ honours namespace names, and bar (not in the inputs) may have sidecars.
    expect(f.some((x) => x.message.includes('httpbin-for-bar'))).toBe(false);
    // A private rule in the root namespace serves its gateways, which need not be in the inputs.
    expect(f.some((x) => x.message.includes('httpbin-gateways'))).toBe(false);
    const old = await hygiene(dir, '1.6');
    const hidden = only(old, 'ignored-setting', file, pos(file, '- bar'));
    expect(hidden.message).toContain(
      'exportTo ["bar"] hides it from every namespace (Istio 1.6 reads only the first entry',
    );
  });

  it('flags a DestinationRule without tls that shadows the mesh-wide ISTIO_MUTUAL rule when auto mTLS is off (KIA0204)', async () => {
    const dir = `${FIXTURES}/ignored-shadow`;
    const file = `${dir}/destination-rules.yaml`;
    const f = await hygiene(dir);
    const lb = only(f, 'ignored-setting', file, pos(file, 'httpbin.foo.svc.cluster.local'));
    expect(lb.message).toContain(
      'it replaces DestinationRule istio-system/default (host *.local, ISTIO_MUTUAL)',
    );
    expect(lb.message).toContain('with auto mTLS off (enableAutoMtls in ConfigMap istio-system/istio)');
    expect(lb.message).toContain('port 8000');
    expect(lb.related?.[0]).toMatchObject({
      file: `${dir}/mesh.yaml`,
      line: pos(`${dir}/mesh.yaml`, 'mode: ISTIO_MUTUAL').line,
    });
    const entry = pos(file, '- port:');
    const port = only(f, 'ignored-setting', file, { line: entry.line, column: entry.column + 2 });
    expect(port.message).toContain(
      'a port entry replaces the top-level trafficPolicy instead of inheriting it',
    );
  });
});
