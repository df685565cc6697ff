// The seed task ("Mutual TLS migration", Istio 1.0–1.5 docs; the PeerAuthentication version for 1.5+) as the
// examples/ folders walk through it. Expected outcomes are Istio's documented ones (istio-semantics.md §9):
// 200 while migrating, curl 000 (reset, exit 56) for the uninjected legacy/sleep once httpbin.foo is STRICT,
// 503 for sidecar clients sending ISTIO_MUTUAL to a server that accepts plaintext only (1.4 without a policy).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  byRule,
  cell,
  cli,
  connection,
  connectivity,
  lintPaths,
  observed,
  type Run,
} from './helpers/mesh.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLEEPS = ['foo/sleep', 'bar/sleep', 'legacy/sleep'];
const HTTPBIN = 'httpbin.foo:8000';

function example(dir: string, istioVersion?: string): Promise<Run> {
  return lintPaths(ROOT, [`examples/${dir}`], istioVersion ? { istioVersion } : {});
}

/** Errors and warnings of the connectivity rules (other rules, e.g. deprecated-api on the legacy Policies, are not under test here). */
function errorsAndWarnings(r: Run) {
  return connectivity(r).filter((f) => f.severity !== 'info');
}

describe('examples/migration (PeerAuthentication, Istio 1.30 default)', () => {
  it('0-plaintext: every sleep gets 200; sidecars already speak mTLS through auto mTLS, legacy plaintext', async () => {
    const r = await example('migration/0-plaintext');
    for (const s of SLEEPS) expect(observed(connection(r, s, HTTPBIN)), s).toBe('200');
    // §0.1 1.6+: nothing applies → PERMISSIVE; §0.2 auto mTLS (default on since 1.6) → mTLS to sidecar endpoints.
    expect(cell(r, 'foo/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'bar/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('plaintext 200');
    expect(errorsAndWarnings(r)).toEqual([]);
  });

  it('1-permissive and 2-client-mtls: all callers keep working, no errors or warnings', async () => {
    for (const step of ['1-permissive', '2-client-mtls']) {
      const r = await example(`migration/${step}`);
      for (const s of SLEEPS) expect(observed(connection(r, s, HTTPBIN)), `${step} ${s}`).toBe('200');
      expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('plaintext 200');
      expect(errorsAndWarnings(r), step).toEqual([]);
      // The one caller that blocks STRICT is listed (plaintext-accepted, info).
      const accepted = byRule(r, 'plaintext-accepted');
      expect(accepted).toHaveLength(1);
      expect(accepted[0]!.message).toContain('legacy/sleep');
    }
  });

  it('2-client-mtls: sidecar clients send ISTIO_MUTUAL because of the DestinationRule', async () => {
    const r = await example('migration/2-client-mtls');
    for (const s of ['foo/sleep', 'bar/sleep']) {
      const c = connection(r, s, HTTPBIN);
      expect(c.client.mode).toBe('ISTIO_MUTUAL');
      expect(c.client.cause?.resource.name).toBe('example-httpbin-istio-client-mtls');
      expect(c.result.outcome).toBe('mtls');
    }
  });

  it('3-strict: legacy/sleep is reset (curl 000), one plaintext-to-strict error at the mode: STRICT line', async () => {
    const r = await example('migration/3-strict');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('broken 000');
    expect(cell(r, 'foo/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'bar/sleep', HTTPBIN)).toBe('mtls 200');
    const errors = errorsAndWarnings(r);
    expect(errors).toHaveLength(1);
    const f = errors[0]!;
    expect(f).toMatchObject({
      rule: 'plaintext-to-strict',
      severity: 'error',
      file: 'examples/migration/3-strict/peer-authentication.yaml',
      line: 13,
      column: 11,
    });
    expect(f.message).toContain('legacy/sleep');
    expect(f.message).toContain('httpbin.foo:8000');
    expect(f.message).toMatch(/000|reset/);
    expect(f.edges).toEqual([
      {
        client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
        server: { namespace: 'foo', service: 'httpbin', port: 8000 },
        caller: 'declared',
      },
    ]);
  });

  it('the same folders at Istio 1.4: PeerAuthentication does not exist, servers accept plaintext only', async () => {
    // §0.1 1.0–1.4: no alpha policy → plaintext-only; §0.3 ISTIO_MUTUAL → no mTLS server = 503 (io authn-policy).
    const plain = await example('migration/0-plaintext', '1.4');
    for (const s of SLEEPS) expect(cell(plain, s, HTTPBIN), s).toBe('plaintext 200');
    expect(errorsAndWarnings(plain)).toEqual([]);
    const mtlsFirst = await example('migration/2-client-mtls', '1.4');
    expect(cell(mtlsFirst, 'foo/sleep', HTTPBIN)).toBe('broken 503');
    expect(byRule(mtlsFirst, 'mtls-to-plaintext-server')).toHaveLength(1);
  });
});

describe('examples/migration-legacy (Policy/MeshPolicy, --istio-version 1.4)', () => {
  it('1-permissive: all 200; sidecar clients still send plaintext (no DR, auto mTLS off in 1.4)', async () => {
    const r = await example('migration-legacy/1-permissive', '1.4');
    for (const s of SLEEPS) expect(cell(r, s, HTTPBIN), s).toBe('plaintext 200');
    expect(connection(r, 'foo/sleep', HTTPBIN).server.mode).toBe('PERMISSIVE');
    expect(errorsAndWarnings(r)).toEqual([]);
  });

  it('2-client-mtls: foo/sleep and bar/sleep send mTLS, legacy/sleep plaintext, all 200', async () => {
    const r = await example('migration-legacy/2-client-mtls', '1.4');
    expect(cell(r, 'foo/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'bar/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('plaintext 200');
    expect(errorsAndWarnings(r)).toEqual([]);
  });

  it('3-strict: exactly one plaintext-to-strict error at the Policy mode: STRICT line, naming legacy/sleep', async () => {
    const r = await example('migration-legacy/3-strict', '1.4');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('broken 000');
    expect(connection(r, 'legacy/sleep', HTTPBIN).result.failure).toBe('reset');
    expect(cell(r, 'foo/sleep', HTTPBIN)).toBe('mtls 200');
    expect(cell(r, 'bar/sleep', HTTPBIN)).toBe('mtls 200');
    const errors = errorsAndWarnings(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      rule: 'plaintext-to-strict',
      severity: 'error',
      file: 'examples/migration-legacy/3-strict/policy.yaml',
      line: 12,
      column: 13,
    });
    expect(errors[0]!.message).toContain('legacy/sleep');
    expect(errors[0]!.message).not.toContain('foo/sleep');
  });

  it('unsafe-mtls-first: ISTIO_MUTUAL before any Policy → 503 for foo/sleep and bar/sleep, error at the tls mode line', async () => {
    // §2.5: 1.0–1.4 without a policy the sidecar has no TLS chain; §9: "sleep.foo to httpbin.legacy: 503".
    const r = await example('migration-legacy/unsafe-mtls-first', '1.4');
    expect(cell(r, 'foo/sleep', HTTPBIN)).toBe('broken 503');
    expect(cell(r, 'bar/sleep', HTTPBIN)).toBe('broken 503');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('plaintext 200');
    const errors = errorsAndWarnings(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      rule: 'mtls-to-plaintext-server',
      severity: 'error',
      file: 'examples/migration-legacy/unsafe-mtls-first/destination-rule.yaml',
      line: 10,
      column: 13,
    });
    expect(errors[0]!.message).toContain('foo/sleep');
    expect(errors[0]!.message).toContain('bar/sleep');
    expect(errors[0]!.message).toContain('503');
    const clients = errors[0]!
      .edges!.filter((e) => e.caller === 'declared')
      .map((e) => `${e.client.namespace}/${e.client.workload}`);
    expect(clients.sort()).toEqual(['bar/sleep', 'foo/sleep']);
  });

  it('at 1.5 the alpha Policy still decides (no PeerAuthentication applies), with auto mTLS on', async () => {
    // §0.1 1.5: alpha policy when no v1beta1 PA applies to the pod; §4.1 1.5 installs had auto mTLS on.
    const r = await example('migration-legacy/3-strict', '1.5');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('broken 000');
    expect(connection(r, 'legacy/sleep', HTTPBIN).server.level).toBe('legacy-service');
    const errors = errorsAndWarnings(r);
    expect(errors.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      'plaintext-to-strict examples/migration-legacy/3-strict/policy.yaml:12',
    ]);
  });

  it('at 1.6+ the alpha Policy is ignored: everything is PERMISSIVE and nothing breaks', async () => {
    // §0.1 1.6+: PeerAuthentication only, alpha kinds ignored.
    const r = await example('migration-legacy/3-strict', '1.6');
    expect(cell(r, 'legacy/sleep', HTTPBIN)).toBe('plaintext 200');
    expect(connection(r, 'legacy/sleep', HTTPBIN).server).toMatchObject({
      mode: 'PERMISSIVE',
      level: 'default',
    });
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
  });
});

describe('the CLI on the examples', () => {
  it('lint -f json on migration-legacy/3-strict: exit 1, the finding with edges and related locations', async () => {
    const r = await cli(['--istio-version', '1.4', '-f', 'json', 'examples/migration-legacy/3-strict'], ROOT);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      findings: {
        rule: string;
        line: number;
        column: number;
        file: string;
        edges?: unknown[];
        related?: { file: string; line: number; message: string }[];
      }[];
    };
    const strict = json.findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict).toHaveLength(1);
    expect(json.findings.filter((f) => f.rule === 'mtls-to-plaintext-server')).toEqual([]);
    expect(strict[0]).toMatchObject({
      file: 'examples/migration-legacy/3-strict/policy.yaml',
      line: 12,
      column: 13,
    });
    expect(strict[0]!.edges).toEqual([
      {
        client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
        server: { namespace: 'foo', service: 'httpbin', port: 8000 },
        caller: 'declared',
      },
    ]);
    // Related: the victim's Deployment (metadata.name, line 112) and the annotation declaring the call (line 116).
    expect(strict[0]!.related).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'examples/migration-legacy/3-strict/sleep.yaml', line: 112 }),
        expect.objectContaining({ file: 'examples/migration-legacy/3-strict/sleep.yaml', line: 116 }),
      ]),
    );
  });

  it('lint on migration/2-client-mtls exits 0 (no error)', async () => {
    const r = await cli(['-f', 'json', 'examples/migration/2-client-mtls'], ROOT);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { summary: { errors: number } }).summary.errors).toBe(0);
  });

  it('graph -f json on migration/3-strict: the three declared edges with their outcomes', async () => {
    const r = await cli(['graph', '-f', 'json', 'examples/migration/3-strict'], ROOT);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      edges: {
        client: { namespace: string; workload: string };
        server: { service: string; namespace: string; port: number };
        caller: string;
        clientTls: string;
        serverMode: string;
        outcome: string;
        failure?: string;
      }[];
    };
    const rows = json.edges
      .filter((e) => e.server.service === 'httpbin' && e.server.namespace === 'foo')
      .map(
        (e) =>
          `${e.client.namespace}/${e.client.workload} ${e.caller} ${e.clientTls}→${e.serverMode} ${e.outcome}${e.failure ? ` ${e.failure}` : ''}`,
      )
      .sort();
    expect(rows).toEqual([
      'bar/sleep declared mtls→STRICT mtls',
      'foo/sleep declared mtls→STRICT mtls',
      'legacy/sleep declared plaintext→STRICT broken reset',
    ]);
    // Possible callers are left out without --possible.
    expect(json.edges.every((e) => e.caller !== 'possible')).toBe(true);
  });
});
