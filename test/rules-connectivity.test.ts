// The connectivity rules (issue 3 "Rules"): each fires where Istio breaks or downgrades a connection and stays
// silent where it does not; one finding per root cause; severity by how we know the caller; JSON edges/related.
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
  lineOf,
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

describe('plaintext-to-strict', () => {
  const strictFoo = docs(
    namespace('foo', INJECTED),
    namespace('legacy'),
    app('foo', 'httpbin'),
    peerAuthentication('foo', 'default', { mode: 'STRICT' }),
  );
  const callers = (n: number) =>
    docs(
      ...Array.from({ length: n }, (_, i) =>
        app('legacy', `client-${i + 1}`, { noService: true, env: { URL: `http://httpbin.foo:8000/get` } }),
      ),
    );

  it('one STRICT policy breaking five callers is ONE finding with five edges, at the mode line', async () => {
    const text = strictFoo;
    const r = await lintYaml({ 'a.yaml': text, 'b.yaml': callers(5) });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      severity: 'error',
      file: 'a.yaml',
      line: lineOf(text, 'mode: STRICT'),
      column: 11,
    });
    expect(f[0]!.message).toMatch(/breaks 5 callers/);
    expect(f[0]!.edges).toHaveLength(5);
    expect(
      f[0]!.edges!.every(
        (e) => e.caller === 'inferred' && e.server.service === 'httpbin' && e.server.port === 8000,
      ),
    ).toBe(true);
    for (let i = 1; i <= 5; i++) expect(f[0]!.message).toContain(`legacy/client-${i}`);
    // Related: each victim's manifest, and where we learnt of the call (the env value).
    expect(
      f[0]!.related!.filter((x) => x.file === 'b.yaml' && x.message.startsWith('sends plaintext')),
    ).toHaveLength(5);
    expect(f[0]!.related!.some((x) => x.message.includes('env URL'))).toBe(true);
  });

  it('long victim lists are capped in the message ("and 2 more") but complete in edges', async () => {
    const r = await lintYaml({ 'a.yaml': strictFoo, 'b.yaml': callers(7) });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('and 2 more');
    expect(f[0]!.edges).toHaveLength(7);
  });

  it('only possible callers affected → warning, naming them', async () => {
    const r = await lintYaml({ 'a.yaml': strictFoo, 'b.yaml': app('legacy', 'idle', { noService: true }) });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f.map((x) => x.severity)).toEqual(['warning']);
    expect(f[0]!.message).toContain('legacy/idle');
    expect(f[0]!.edges).toEqual([
      {
        client: { namespace: 'legacy', workload: 'idle', kind: 'Deployment' },
        server: { namespace: 'foo', service: 'httpbin', port: 8000 },
        caller: 'possible',
      },
    ]);
  });

  it('a known caller among possible ones → error', async () => {
    const r = await lintYaml({
      'a.yaml': strictFoo,
      'b.yaml': docs(app('legacy', 'idle', { noService: true }), callers(1)),
    });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0]!.edges!.map((e) => e.caller).sort()).toEqual(['inferred', 'possible']);
  });

  it('silent when every caller has a sidecar (auto mTLS) or the server is only PERMISSIVE', async () => {
    const r = await lintYaml({
      'a.yaml': strictFoo,
      'b.yaml': app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
    });
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
    const permissive = await lintYaml({
      'a.yaml': strictFoo.replace('mode: STRICT', 'mode: PERMISSIVE'),
      'b.yaml': callers(2),
    });
    expect(byRule(permissive, 'plaintext-to-strict')).toEqual([]);
  });

  it('a port-level STRICT (keyed by target port 80 of service port 8000) is blamed at its portLevelMtls line', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      namespace('legacy'),
      app('foo', 'httpbin'),
      peerAuthentication('foo', 'httpbin', {
        selector: { app: 'httpbin' },
        mode: 'PERMISSIVE',
        portLevel: { 80: 'STRICT' },
      }),
    );
    const r = await lintYaml({ 'a.yaml': text, 'b.yaml': callers(1) });
    expect(cell(r, 'legacy/client-1', 'httpbin.foo:8000')).toBe('broken 000');
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]!.line).toBe(lineOf(text, 'mode: STRICT', '80:'));
    expect(f[0]!.message).toContain('port 80');
  });

  it('a sidecar client whose DestinationRule says DISABLE → 503, blamed on the STRICT policy, fix names the DR', async () => {
    const r = await lintYaml({
      'a.yaml': strictFoo,
      'b.yaml': docs(
        namespace('bar', INJECTED),
        app('bar', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
        destinationRule('bar', 'no-tls', 'httpbin.foo.svc.cluster.local', { tls: 'DISABLE' }),
      ),
    });
    expect(cell(r, 'bar/sleep', 'httpbin.foo:8000')).toBe('broken 503');
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('bar/sleep');
    expect(f[0]!.message).toContain('503');
    expect(f[0]!.message).toMatch(/DISABLE/);
  });

  it('stand-in: STRICT namespace policy, auto mTLS off, no ISTIO_MUTUAL rule → error with no concrete client', async () => {
    // The inputs show no caller at all; every sidecar workload of foo (and of the mesh) would send plaintext → 503.
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
    );
    const r = await lintYaml({ 'a.yaml': text }, { config: 'mesh:\n  autoMtls: false\n' });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', line: lineOf(text, 'mode: STRICT') });
    expect(f[0]!.message).toContain('any new sidecar workload in foo');
    // Stand-in clients (every sidecar workload of foo, and of the mesh) → httpbin, and httpbin → "any other service in foo".
    expect(f[0]!.edges).toEqual(
      expect.arrayContaining([
        {
          client: { namespace: 'foo', workload: '*', kind: 'StandIn' },
          server: { namespace: 'foo', service: 'httpbin', port: 8000 },
          caller: 'possible',
        },
        {
          client: { namespace: 'foo', workload: 'httpbin', kind: 'Deployment' },
          server: { namespace: 'foo', service: '*', port: 0 },
          caller: 'possible',
        },
      ]),
    );
    expect(f[0]!.message).toContain('503');
  });

  it('stand-in: silent when a mesh-wide ISTIO_MUTUAL rule covers every host', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      peerAuthentication('foo', 'default', { mode: 'STRICT' }),
      destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
    );
    const r = await lintYaml({ 'a.yaml': text }, { config: 'mesh:\n  autoMtls: false\n' });
    expect(notInfo(r)).toEqual([]);
  });

  it('the same STRICT at 1.4 with a legacy MeshPolicy and no client rule: error for the stand-ins (IST0113 shape)', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: default
spec:
  peers:
  - mtls: {}
`,
    );
    const r = await lintYaml({ 'a.yaml': text }, { istioVersion: '1.4' });
    const f = byRule(r, 'plaintext-to-strict');
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0]!.line).toBe(lineOf(text, '- mtls: {}'));
  });
});

describe('mtls-to-plaintext-server', () => {
  it('stand-in: a mesh-wide *.local ISTIO_MUTUAL rule + an uninjected namespace in the inputs (IST0115 shape)', async () => {
    const text = docs(
      namespace('istio-system'),
      namespace('foo', INJECTED),
      namespace('legacy'),
      app('foo', 'sleep', { noService: true }),
      destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
    );
    const r = await lintYaml({ 'a.yaml': text });
    const f = byRule(r, 'mtls-to-plaintext-server');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', line: lineOf(text, 'mode: ISTIO_MUTUAL') });
    expect(f[0]!.message).toContain('any other service in legacy');
    expect(f[0]!.message).toContain('503');
  });

  it('an ambient namespace is not "without a sidecar": ztunnel terminates the mTLS (§0.1 ambient, §6.3)', async () => {
    const r = await lintYaml({
      'a.yaml': docs(
        namespace('istio-system'),
        namespace('foo', INJECTED),
        namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
        app('foo', 'sleep', { noService: true, calls: 'httpbin.amb:8000' }),
        app('amb', 'httpbin'),
        destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    });
    expect(cell(r, 'foo/sleep', 'httpbin.amb:8000')).toBe('mtls 200');
    expect(r.edges.some((e) => e.server.standIn === 'any other service in amb (ambient)')).toBe(true);
    expect(byRule(r, 'mtls-to-plaintext-server')).toEqual([]);
  });

  it('silent for the same rule when every namespace in the inputs is injected', async () => {
    const r = await lintYaml({
      'a.yaml': docs(
        namespace('istio-system'),
        namespace('foo', INJECTED),
        app('foo', 'sleep', { noService: true }),
        destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
      ),
    });
    expect(connectivity(r)).toEqual([]);
  });

  it('auto mTLS in 1.5–1.11 ignores a workload DISABLE: error at the DISABLE line; at 1.12+ a plaintext warning instead', async () => {
    // §4.4: 1.12 added ENABLE_AUTO_MTLS_CHECK_POLICIES (EDS strips tlsMode for DISABLE endpoints).
    const pa = peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'DISABLE' });
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      pa,
    );
    const old = await lintYaml({ 'a.yaml': text }, { istioVersion: '1.11' });
    const f = byRule(old, 'mtls-to-plaintext-server');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', line: lineOf(text, 'mode: DISABLE') });
    expect(f[0]!.message).toContain('foo/sleep');
    expect(f[0]!.message).toMatch(/1\.12/);
    const now = await lintYaml({ 'a.yaml': text }, { istioVersion: '1.12' });
    expect(byRule(now, 'mtls-to-plaintext-server')).toEqual([]);
    expect(byRule(now, 'plaintext-between-sidecars').map((x) => x.line)).toEqual([
      lineOf(text, 'mode: DISABLE'),
    ]);
  });

  it('a server in a namespace the inputs do not define: the verdict rests on an assumption, one severity lower', async () => {
    // unknown-injection docs: "findings that rest on this assumption are one severity lower".
    const r = await lintYaml({
      'a.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'sleep', { noService: true, calls: 'httpbin.payments:8000' }),
        destinationRule('foo', 'payments', '*.payments.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
      ),
      'b.yaml': app('payments', 'httpbin'),
    });
    expect(cell(r, 'foo/sleep', 'httpbin.payments:8000')).toBe('broken 503');
    expect(byRule(r, 'mtls-to-plaintext-server').map((x) => x.severity)).toEqual(['warning']);
  });
});

describe('non-istio-tls-to-sidecar', () => {
  const base = (portName: string) =>
    docs(
      namespace('foo', INJECTED),
      namespace('ext'),
      app('foo', 'httpbin', { portName }),
      app('ext', 'tls-server', { portName: 'https' }),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000, tls-server.ext:8000' }),
      destinationRule('foo', 'simple', '*.local', { tls: 'SIMPLE' }),
    );

  it('SIMPLE toward a sidecar on an HTTP port: warning at the DR line, listing the broken connection', async () => {
    const text = base('http');
    const r = await lintYaml({ 'a.yaml': text });
    const f = byRule(r, 'non-istio-tls-to-sidecar');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', line: lineOf(text, 'mode: SIMPLE') });
    expect(f[0]!.message).toContain('httpbin.foo:8000');
    // The server without a sidecar is the one SIMPLE is for: not listed.
    expect(f[0]!.message).not.toContain('tls-server.ext');
  });

  it('SIMPLE toward a PERMISSIVE TCP port passes through to the app: still a warning, saying so', async () => {
    const r = await lintYaml({ 'a.yaml': base('tcp') });
    const f = byRule(r, 'non-istio-tls-to-sidecar');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/passes through/);
  });
});

describe('plaintext-between-sidecars', () => {
  it('a DestinationRule DISABLE between sidecars: warning at the tls mode line', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      destinationRule('foo', 'httpbin', 'httpbin', { tls: 'DISABLE' }),
    );
    const r = await lintYaml({ 'a.yaml': text });
    const f = byRule(r, 'plaintext-between-sidecars');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', line: lineOf(text, 'mode: DISABLE') });
    expect(f[0]!.message).toContain('foo/sleep');
    expect(notInfo(r)).toHaveLength(1);
  });

  it('a namespace PeerAuthentication DISABLE that auto mTLS honours: warning at the PA', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      peerAuthentication('foo', 'default', { mode: 'DISABLE' }),
    );
    const r = await lintYaml({ 'a.yaml': text });
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('plaintext 200');
    const f = byRule(r, 'plaintext-between-sidecars');
    expect(f.map((x) => `${x.severity} ${x.line}`)).toEqual([`warning ${lineOf(text, 'mode: DISABLE')}`]);
  });

  it('1.4: a rule without tls that shadows a mesh-wide ISTIO_MUTUAL rule downgrades to plaintext → warning at that rule', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: default
spec:
  peers:
  - mtls:
      mode: PERMISSIVE
`,
      destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
      destinationRule('foo', 'httpbin-lb', 'httpbin', { portLevel: [{ port: 8000 }] }),
    );
    const r = await lintYaml({ 'a.yaml': text }, { istioVersion: '1.4' });
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('plaintext 200');
    const f = byRule(r, 'plaintext-between-sidecars');
    expect(f).toHaveLength(1);
    expect(f[0]!.resource?.name).toBe('httpbin-lb');
  });
});

describe('plaintext-accepted', () => {
  it('lists declared and inferred callers without a sidecar at a PERMISSIVE server, at the policy', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      namespace('legacy'),
      app('foo', 'httpbin'),
      peerAuthentication('foo', 'default', { mode: 'PERMISSIVE' }),
    );
    const r = await lintYaml({
      'a.yaml': text,
      'b.yaml': docs(
        app('legacy', 'a', { noService: true, calls: 'httpbin.foo:8000' }),
        app('legacy', 'b', { noService: true, env: { U: 'httpbin.foo.svc.cluster.local:8000' } }),
        app('legacy', 'c', { noService: true }),
      ),
    });
    const f = byRule(r, 'plaintext-accepted');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'info', file: 'a.yaml', line: lineOf(text, 'mode: PERMISSIVE') });
    expect(f[0]!.message).toContain('legacy/a');
    expect(f[0]!.message).toContain('legacy/b');
    expect(f[0]!.message).not.toContain('legacy/c');
    expect(f[0]!.edges!.map((e) => e.caller).sort()).toEqual(['declared', 'inferred']);
  });
});

describe('authz-requires-mtls (§7)', () => {
  const world = (ap: string, mode = 'PERMISSIVE') =>
    docs(
      namespace('foo', INJECTED),
      namespace('legacy'),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      app('legacy', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      peerAuthentication('foo', 'default', { mode }),
      ap,
    );
  const authz = (action: string, source: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
  action: ${action}
  rules:
  - from:
    - source:
${source}`;

  it('ALLOW on principals with a plaintext caller → error 403 at the principals key, naming the caller', async () => {
    const text = world(
      authz(
        'ALLOW',
        '        principals: ["cluster.local/ns/foo/sa/sleep", "cluster.local/ns/legacy/sa/sleep"]\n',
      ),
    );
    const r = await lintYaml({ 'a.yaml': text });
    const f = byRule(r, 'authz-requires-mtls');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', line: lineOf(text, 'principals:'), column: 9 });
    expect(f[0]!.message).toContain('legacy/sleep');
    expect(f[0]!.message).toContain('403');
    expect(f[0]!.message).not.toContain('foo/sleep'); // it sends mTLS (auto)
  });

  it('DENY on namespaces: the plaintext caller slips past', async () => {
    const r = await lintYaml({ 'a.yaml': world(authz('DENY', '        namespaces: ["legacy"]\n')) });
    const f = byRule(r, 'authz-requires-mtls');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/slip past/);
    expect(f[0]!.message).toContain('legacy/sleep');
  });

  it('ALLOW with notNamespaces: plaintext from that namespace is let in, not denied', async () => {
    // §7.2: "ALLOW with notNamespaces: [foo] → allows plaintext from foo (empty ≠ foo)".
    const r = await lintYaml({ 'a.yaml': world(authz('ALLOW', '        notNamespaces: ["legacy"]\n')) });
    const f = byRule(r, 'authz-requires-mtls');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).not.toContain('403');
    expect(f[0]!.message).toMatch(/slip past|let in|allow/i);
  });

  it('DENY notPrincipals ["*"] is the documented way to refuse plaintext: no finding', async () => {
    // §7.2 recommended fix: "a DENY rule notNamespaces: ["*"]" (ISTIO-SECURITY-2021-004).
    const r = await lintYaml({ 'a.yaml': world(authz('DENY', '        notPrincipals: ["*"]\n')) });
    expect(byRule(r, 'authz-requires-mtls')).toEqual([]);
  });

  it('silent when the server is STRICT (plaintext never reaches it; plaintext-to-strict reports the caller)', async () => {
    const r = await lintYaml({
      'a.yaml': world(authz('ALLOW', '        principals: ["cluster.local/ns/foo/sa/sleep"]\n'), 'STRICT'),
    });
    expect(byRule(r, 'authz-requires-mtls')).toEqual([]);
    expect(byRule(r, 'plaintext-to-strict')).toHaveLength(1);
  });

  it('silent when every caller sends mTLS', async () => {
    const text = docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      peerAuthentication('foo', 'default', { mode: 'PERMISSIVE' }),
      authz('ALLOW', '        principals: ["cluster.local/ns/foo/sa/sleep"]\n'),
    );
    const r = await lintYaml({ 'a.yaml': text });
    expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('mtls 200');
    expect(byRule(r, 'authz-requires-mtls')).toEqual([]);
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
