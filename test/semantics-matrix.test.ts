// The outcome matrix of istio-semantics.md §0.3, cell by cell, for a legacy release (1.4), 1.5 and the newest
// (1.30, the default). Each client kind lives in its own namespace (its DestinationRule `*.local` there applies to
// every host, §3.2 namespace order) and calls a server of each kind, declared with mtls-lint.io/calls.
// Expected values are Istio's documented outcomes: 200, 503 from the client sidecar, 000 (reset, curl exit 56).
import { describe, expect, it } from 'vitest';
import {
  app,
  cell,
  connection,
  destinationRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  type Run,
} from './helpers/mesh.js';

const SERVERS = ['nosidecar', 'disable', 'permissive', 'strict'] as const;
type ServerKind = (typeof SERVERS)[number];
const CALLS = SERVERS.map((s) => `httpbin.s-${s}:8000`).join(', ');
const INJECTED = { 'istio-injection': 'enabled' };

/** Server namespaces; `legacy` expresses the modes with authentication.istio.io Policies (1.4). */
function servers(legacy: boolean, portName = 'http'): string {
  const out: string[] = [namespace('s-nosidecar'), app('s-nosidecar', 'httpbin', { portName })];
  for (const s of ['disable', 'permissive', 'strict'] as const) {
    out.push(namespace(`s-${s}`, INJECTED), app(`s-${s}`, 'httpbin', { portName }));
  }
  if (legacy) {
    // §0.1 1.0–1.4: no policy → plaintext only (DISABLE); `mtls: {}` → STRICT (§2.3).
    out.push(`apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: default
  namespace: s-permissive
spec:
  peers:
  - mtls:
      mode: PERMISSIVE
`);
    out.push(`apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: default
  namespace: s-strict
spec:
  peers:
  - mtls: {}
`);
  } else {
    out.push(peerAuthentication('s-disable', 'default', { mode: 'DISABLE' }));
    out.push(peerAuthentication('s-permissive', 'default', { mode: 'PERMISSIVE' }));
    out.push(peerAuthentication('s-strict', 'default', { mode: 'STRICT' }));
  }
  return docs(...out);
}

function clients(): string {
  const client = (ns: string) => app(ns, 'client', { noService: true, calls: CALLS });
  return docs(
    namespace('c-none'),
    client('c-none'),
    ...(['mutual', 'disable', 'simple'] as const).flatMap((k) => [
      namespace(`c-${k}`, INJECTED),
      client(`c-${k}`),
      destinationRule(`c-${k}`, 'all', '*.local', { tls: k === 'mutual' ? 'ISTIO_MUTUAL' : k.toUpperCase() }),
    ]),
    namespace('c-auto', INJECTED),
    client('c-auto'),
  );
}

async function matrix(version: string, autoMtls?: boolean, portName = 'http'): Promise<Run> {
  const legacy = version === '1.4';
  return lintYaml(
    { 'servers.yaml': servers(legacy, portName), 'clients.yaml': clients() },
    {
      istioVersion: version,
      ...(autoMtls === undefined ? {} : { config: `mesh:\n  autoMtls: ${autoMtls}\n` }),
    },
  );
}

function row(r: Run, client: string): Record<ServerKind, string> {
  const out = {} as Record<ServerKind, string>;
  for (const s of SERVERS) out[s] = cell(r, `${client}/client`, `httpbin.s-${s}:8000`);
  return out;
}

// §0.3, 1.10+ listener semantics; the rows are the same for 1.5 and 1.4 (legacy notes: 1.4 PERMISSIVE hands
// non-Istio TLS to the plaintext chain, which fails on an HTTP port as 1.10+ does).
const EXPECTED: Record<string, Record<ServerKind, string>> = {
  // "no sidecar, plaintext": STRICT resets (curl exit 56, 000) [D].
  'c-none': {
    nosidecar: 'plaintext 200',
    disable: 'plaintext 200',
    permissive: 'plaintext 200',
    strict: 'broken 000',
  },
  // "sidecar, DR ISTIO_MUTUAL": no sidecar / DISABLE → 503 [D].
  'c-mutual': { nosidecar: 'broken 503', disable: 'broken 503', permissive: 'mtls 200', strict: 'mtls 200' },
  // "sidecar, DR DISABLE": PERMISSIVE works in plaintext (downgrade), STRICT → 503 [D].
  'c-disable': {
    nosidecar: 'plaintext 200',
    disable: 'plaintext 200',
    permissive: 'plaintext 200',
    strict: 'broken 503',
  },
  // "sidecar, DR SIMPLE": only an app serving TLS works; DISABLE, PERMISSIVE on an HTTP port and STRICT fail.
  'c-simple': {
    nosidecar: 'tls tls',
    disable: 'broken tls-error',
    permissive: 'broken tls-error',
    strict: 'broken tls-error',
  },
};
const AUTO_ON = {
  nosidecar: 'plaintext 200',
  disable: 'plaintext 200',
  permissive: 'mtls 200',
  strict: 'mtls 200',
};
const AUTO_OFF = {
  nosidecar: 'plaintext 200',
  disable: 'plaintext 200',
  permissive: 'plaintext 200',
  strict: 'broken 503',
};

describe.each(['1.4', '1.5', '1.30'])('outcome matrix §0.3 at Istio %s', (version) => {
  const autoDefault = version !== '1.4'; // §4.1: off in 1.4, on in 1.5 installs and 1.6+ defaults.

  it('explicit client modes (no sidecar, ISTIO_MUTUAL, DISABLE, SIMPLE) × NO-SIDECAR/DISABLE/PERMISSIVE/STRICT', async () => {
    const r = await matrix(version);
    for (const [client, expected] of Object.entries(EXPECTED))
      expect(row(r, client), client).toEqual(expected);
    // The server side of the matrix is what the model says it is.
    const modes = SERVERS.map((s) => connection(r, 'c-auto/client', `httpbin.s-${s}:8000`).server.mode);
    expect(modes).toEqual(['NO_SIDECAR', 'DISABLE', 'PERMISSIVE', 'STRICT']);
  });

  it(`no DestinationRule tls, auto mTLS ${autoDefault ? 'on' : 'off'} by default`, async () => {
    const r = await matrix(version);
    expect(row(r, 'c-auto')).toEqual(autoDefault ? AUTO_ON : AUTO_OFF);
    expect(connection(r, 'c-auto/client', 'httpbin.s-strict:8000').client.mode).toBe(
      autoDefault ? 'AUTO' : 'PLAINTEXT',
    );
  });

  it(`no DestinationRule tls, auto mTLS turned ${autoDefault ? 'off' : 'on'} by .mtls-lint.yaml mesh.autoMtls`, async () => {
    const r = await matrix(version, !autoDefault);
    expect(row(r, 'c-auto')).toEqual(autoDefault ? AUTO_OFF : AUTO_ON);
    // The explicit modes do not depend on auto mTLS.
    expect(row(r, 'c-mutual')).toEqual(EXPECTED['c-mutual']);
  });

  it('SIMPLE to a PERMISSIVE TCP port passes through to the application; to STRICT it still fails', async () => {
    // §5.1 PERMISSIVE TCP-declared port: "any other TLS → TCP proxy, bytes go to the app"; §0.3 note for 1.0–1.4.
    const r = await matrix(version, undefined, 'tcp');
    expect(cell(r, 'c-simple/client', 'httpbin.s-permissive:8000')).toBe('tls tls');
    expect(cell(r, 'c-simple/client', 'httpbin.s-strict:8000')).toBe('broken tls-error');
    // An unnamed port (protocol sniffing) behaves like TCP for non-Istio TLS.
    const sniffed = await matrix(version, undefined, '');
    expect(cell(sniffed, 'c-simple/client', 'httpbin.s-permissive:8000')).toBe('tls tls');
  });
});

describe('the matrix through the rules (declared callers only)', () => {
  /** rule → "client ns → server ns" for every declared edge the rule lists. */
  function declaredByRule(r: Run): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const f of r.findings) {
      for (const e of f.edges ?? []) {
        if (e.caller !== 'declared') continue;
        (out[f.rule] ??= []).push(`${e.client.namespace} → ${e.server.namespace}`);
      }
    }
    for (const k of Object.keys(out)) out[k]!.sort();
    return out;
  }

  it.each(['1.5', '1.30'])(
    'at %s each broken or downgraded cell is reported by the rule for it',
    async (version) => {
      const r = await matrix(version);
      expect(declaredByRule(r)).toEqual({
        // §0.3 STRICT column: no sidecar → reset, DR DISABLE → 503.
        'plaintext-to-strict': ['c-disable → s-strict', 'c-none → s-strict'],
        // §0.3 ISTIO_MUTUAL row: no sidecar and DISABLE servers → 503.
        'mtls-to-plaintext-server': ['c-mutual → s-disable', 'c-mutual → s-nosidecar'],
        // §0.3 SIMPLE row, toward sidecars.
        'non-istio-tls-to-sidecar': [
          'c-simple → s-disable',
          'c-simple → s-permissive',
          'c-simple → s-strict',
        ],
        // Plaintext between two sidecars: DR DISABLE (to DISABLE and PERMISSIVE servers) and auto mTLS honouring the
        // namespace DISABLE.
        'plaintext-between-sidecars': [
          'c-auto → s-disable',
          'c-disable → s-disable',
          'c-disable → s-permissive',
        ],
        // The uninjected client at the PERMISSIVE server.
        'plaintext-accepted': ['c-none → s-permissive'],
      });
      const severities = Object.fromEntries(
        r.findings
          .filter((f) => f.rule === 'plaintext-to-strict' || f.rule === 'mtls-to-plaintext-server')
          .map((f) => [f.rule, f.severity]),
      );
      expect(severities).toEqual({ 'plaintext-to-strict': 'error', 'mtls-to-plaintext-server': 'error' });
    },
  );

  it('at 1.4 (auto mTLS off) the sidecar client without a rule also breaks at STRICT; the DISABLE server is not a downgrade', async () => {
    const r = await matrix('1.4');
    const got = declaredByRule(r);
    expect(got['plaintext-to-strict']).toEqual([
      'c-auto → s-strict',
      'c-disable → s-strict',
      'c-none → s-strict',
    ]);
    expect(got['mtls-to-plaintext-server']).toEqual(['c-mutual → s-disable', 'c-mutual → s-nosidecar']);
    // No policy at 1.4 is plaintext-only by default, and c-auto sends plaintext anyway: only the DR DISABLE counts.
    expect(got['plaintext-between-sidecars']).toEqual(['c-disable → s-disable', 'c-disable → s-permissive']);
  });
});

describe('auto mTLS against a DISABLE below namespace level (§4.4)', () => {
  const files = (portLevel: boolean): Record<string, string> => ({
    'm.yaml': docs(
      namespace('foo', INJECTED),
      app('foo', 'httpbin'),
      app('foo', 'client', { noService: true, calls: 'httpbin.foo:8000' }),
      portLevel
        ? peerAuthentication('foo', 'httpbin', {
            selector: { app: 'httpbin' },
            mode: 'STRICT',
            portLevel: { 80: 'DISABLE' },
          })
        : peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'DISABLE' }),
    ),
  });

  it.each([
    ['1.5', 'broken 503'],
    ['1.11', 'broken 503'],
    ['1.12', 'plaintext 200'],
    ['1.30', 'plaintext 200'],
  ])('workload-level DISABLE at %s: %s', async (version, expected) => {
    const r = await lintYaml(files(false), { istioVersion: version });
    expect(cell(r, 'foo/client', 'httpbin.foo:8000')).toBe(expected);
  });

  it.each([
    ['1.11', 'broken 503'],
    ['1.12', 'plaintext 200'],
  ])('port-level DISABLE (target port 80) at %s: %s', async (version, expected) => {
    const r = await lintYaml(files(true), { istioVersion: version });
    const c = connection(r, 'foo/client', 'httpbin.foo:8000');
    expect(c.server).toMatchObject({ mode: 'DISABLE', level: 'port' });
    expect(`${c.result.outcome} ${c.result.failure === '503' ? '503' : '200'}`).toBe(expected);
  });

  it('an explicit DestinationRule tls short-circuits the check: ISTIO_MUTUAL to a workload DISABLE fails at 1.30', async () => {
    const f = files(false);
    f['dr.yaml'] = destinationRule('foo', 'httpbin', 'httpbin', { tls: 'ISTIO_MUTUAL' });
    const r = await lintYaml(f);
    expect(cell(r, 'foo/client', 'httpbin.foo:8000')).toBe('broken 503');
  });

  it('namespace DISABLE with a workload STRICT: auto mTLS infers DISABLE for the service and sends plaintext → 503', async () => {
    // BestEffortInferServiceMTLSMode uses only mesh/namespace PeerAuthentication (§4.3; istio pilot/pkg/model/push_context.go).
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('foo', INJECTED),
        app('foo', 'httpbin'),
        app('foo', 'client', { noService: true, calls: 'httpbin.foo:8000' }),
        peerAuthentication('foo', 'default', { mode: 'DISABLE' }),
        peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'STRICT' }),
      ),
    });
    expect(cell(r, 'foo/client', 'httpbin.foo:8000')).toBe('broken 503');
  });
});

describe('headless services under auto mTLS (§0.3 overlay, §4.3)', () => {
  // Two pods behind one headless service: one with a sidecar, one opted out.
  const mixed = docs(
    namespace('foo', INJECTED),
    app('foo', 'db-a', { podLabels: { role: 'db' }, noService: true }),
    app('foo', 'db-b', {
      podLabels: { role: 'db' },
      podAnnotations: { 'sidecar.istio.io/inject': 'false' },
      noService: true,
    }),
    `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: foo
spec:
  clusterIP: None
  selector:
    role: db
  ports:
  - name: tcp-db
    port: 5432
    targetPort: 80
`,
    app('foo', 'client', { noService: true, calls: 'db.foo:5432' }),
  );

  function outcomes(r: Run): string[] {
    const e = r.edges.find(
      (x) => x.client.name === 'client' && x.server.service === 'db' && x.caller === 'declared',
    )!;
    return e.connections
      .map((c) => `${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}`)
      .sort();
  }

  it('1.8+: any endpoint without a sidecar → plaintext to every endpoint', async () => {
    const r = await lintYaml({ 'm.yaml': mixed });
    expect(outcomes(r)).toEqual(['db-a:plaintext:plaintext', 'db-b:plaintext:plaintext']);
  });

  it('1.8+: STRICT on the injected endpoint then breaks (auto mTLS sent plaintext to all)', async () => {
    const r = await lintYaml({
      'm.yaml':
        mixed + '---\n' + peerAuthentication('foo', 'db', { selector: { app: 'db-a' }, mode: 'STRICT' }),
    });
    expect(outcomes(r)).toEqual(['db-a:plaintext:broken', 'db-b:plaintext:plaintext']);
  });

  it('1.8+: a headless service whose endpoints all have sidecars gets mTLS', async () => {
    const r = await lintYaml({ 'm.yaml': mixed.replace('sidecar.istio.io/inject: "false"', 'x: "y"') });
    expect(outcomes(r)).toEqual(['db-a:mtls:mtls', 'db-b:mtls:mtls']);
  });

  it('1.7: auto mTLS is off for headless services (plaintext even when all endpoints are injected)', async () => {
    const allInjected = mixed.replace('sidecar.istio.io/inject: "false"', 'x: "y"');
    const r = await lintYaml({ 'm.yaml': allInjected }, { istioVersion: '1.7' });
    expect(outcomes(r)).toEqual(['db-a:plaintext:plaintext', 'db-b:plaintext:plaintext']);
  });

  // §4.3 [I]: 1.5–1.6 leave the auto-detected ISTIO_MUTUAL socket on the whole ORIGINAL_DST cluster, i.e. mTLS to
  // every endpoint, including the one without a sidecar (503). Inferred in the spec, followed by the model.
  it('1.6: mTLS to every endpoint, so the endpoint without a sidecar fails (inferred, §4.3)', async () => {
    const r = await lintYaml({ 'm.yaml': mixed }, { istioVersion: '1.6' });
    expect(outcomes(r)).toEqual(['db-a:mtls:mtls', 'db-b:mtls:broken']);
  });
});
