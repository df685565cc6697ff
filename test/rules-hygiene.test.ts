// Configuration hygiene rules (issue 7): unmatched-target, ambiguous-policy, ignored-setting, deprecated-api.
// Real manifests under test/fixtures/hygiene/, linted through the whole pipeline; assertions on rule, file, line,
// column and what the message tells the reader.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from './helpers/mesh.js';
import { runCli } from './helpers/cli.js';
import type { Finding } from '../src/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = 'test/fixtures/hygiene';
const HYGIENE = new Set(['unmatched-target', 'ambiguous-policy', 'ignored-setting', 'deprecated-api']);

async function hygiene(dir: string, istioVersion?: string, configPath?: string): Promise<Finding[]> {
  const run = await lintPaths(ROOT, [dir], { istioVersion, configPath });
  return run.findings.filter((f) => HYGIENE.has(f.rule));
}

/** 1-based line and column of the `nth` occurrence of `needle` in a fixture file. */
function pos(file: string, needle: string, nth = 0): { line: number; column: number } {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0 && seen++ === nth) return { line: i + 1, column: col + 1 };
  }
  throw new Error(`${needle} not in ${file}`);
}

function only(
  findings: Finding[],
  rule: string,
  file: string,
  at: { line: number; column: number },
): Finding {
  const hits = findings.filter(
    (f) => f.rule === rule && f.file === file && f.line === at.line && f.column === at.column,
  );
  expect(
    hits,
    `${rule} at ${file}:${at.line}:${at.column} in\n${findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`).join('\n')}`,
  ).toHaveLength(1);
  return hits[0]!;
}

describe('unmatched-target', () => {
  it('a selector that matches workloads written without metadata.namespace is an info naming -n, not a warning', async () => {
    const dir = `${FIXTURES}/unmatched-defaulted`;
    const pol = `${dir}/policies.yaml`;
    const lintJson = async (args: string[]) => {
      const { stdout } = await runCli(['-f', 'json', '--fail-on', 'never', ...args, dir], { cwd: ROOT });
      return (JSON.parse(stdout) as { findings: Finding[] }).findings.filter(
        (f) => f.rule === 'unmatched-target',
      );
    };
    const placed = await lintJson([]);
    expect(placed.map((f) => [f.line, f.severity])).toEqual([
      [pos(pol, 'app: orders').line, 'info'],
      [pos(pol, 'app: orders', 1).line, 'info'],
    ]);
    for (const f of placed) {
      expect(f.message).toContain('matches no workload in shop (workloads there: auth app=auth)');
      expect(f.message).toContain(
        'unless orders, which matches it but has no metadata.namespace (this run placed it in default)',
      );
      expect(f.message).toContain('run mtls-lint with -n shop');
    }
    // Told where the manifests go, the policies select them: nothing to report.
    expect(await lintJson(['-n', 'shop'])).toEqual([]);
  });

  const dir = `${FIXTURES}/unmatched`;
  const pol = `${dir}/policies.yaml`;
  const drs = `${dir}/destination-rules.yaml`;

  it('flags PeerAuthentication and AuthorizationPolicy selectors that match no pod template, listing the labels there', async () => {
    const f = await hygiene(dir);
    const pa = only(f, 'unmatched-target', pol, pos(pol, 'app: http-bin'));
    expect(pa.severity).toBe('warning');
    expect(pa.message).toContain(
      'PeerAuthentication foo/httpbin-strict selects app=http-bin, which matches no workload in foo',
    );
    expect(pa.message).toContain('workloads there: httpbin app=httpbin');
    expect(pa.message).toContain('its STRICT applies to nothing');
    const ap = only(f, 'unmatched-target', pol, pos(pol, 'app: htpbin'));
    expect(ap.message).toContain('AuthorizationPolicy foo/allow-sleep selects app=htpbin');
    expect(ap.message).toContain('ALLOW rules apply to nothing');
    // The selector that matches is not reported.
    expect(f.some((x) => x.message.includes('httpbin-ok'))).toBe(false);
  });

  it('says what it could not check when the inputs lack a namespace, instead of guessing', async () => {
    const f = await hygiene(dir);
    const baz = only(f, 'unmatched-target', pol, pos(pol, 'app: worker'));
    expect(baz.severity).toBe('info');
    expect(baz.message).toContain('Could not check 1 reference into namespace baz');
    expect(baz.message).toContain('PeerAuthentication baz/worker selector app=worker');
    const qux = only(f, 'unmatched-target', drs, pos(drs, 'ratings.qux.svc.cluster.local'));
    expect(qux.severity).toBe('info');
    expect(qux.message).toContain('no workloads or Services in namespace qux');
    const external = only(f, 'unmatched-target', drs, pos(drs, 'api.example.com'));
    expect(external.severity).toBe('info');
    expect(external.message).toContain('no ServiceEntry');
  });

  it('flags DestinationRule hosts that match no Service, and dotted short hosts Istio does not expand', async () => {
    const f = await hygiene(dir);
    const reviews = only(f, 'unmatched-target', drs, pos(drs, 'reviews.foo.svc.cluster.local'));
    expect(reviews.message).toContain('matches no Service or ServiceEntry (Services in foo: httpbin)');
    const short = only(f, 'unmatched-target', drs, { line: pos(drs, 'host: httpbin.foo').line, column: 9 });
    expect(short.message).toContain('Istio expands only names without a dot');
    expect(short.message).toContain('write host: httpbin.foo.svc.cluster.local');
    // A host declared by a ServiceEntry is fine.
    expect(f.some((x) => x.message.includes('foo/payments'))).toBe(false);
  });

  it('flags a subset whose labels match none of the host’s pods, not the one that matches', async () => {
    const f = await hygiene(dir);
    const v2 = only(f, 'unmatched-target', drs, pos(drs, 'version: v2'));
    expect(v2.message).toContain(
      'subset v2 (version=v2) matches none of the workloads behind httpbin.foo (httpbin version=v1)',
    );
    expect(v2.message).toContain('503');
    expect(f.filter((x) => x.message.includes('subset v1'))).toHaveLength(0);
  });

  it('checks legacy Policy targets on Istio ≤ 1.5: service ports, port names, missing services, other namespaces', async () => {
    const dirL = `${FIXTURES}/unmatched-legacy`;
    const file = `${dirL}/policies.yaml`;
    const f = (await hygiene(dirL, '1.4')).filter((x) => x.rule === 'unmatched-target');
    const after = (needle: string) => ({
      line: pos(file, needle).line,
      column: pos(file, needle).column + 2,
    });
    const port = only(f, 'unmatched-target', file, after('- number: 80'));
    expect(port.message).toContain(
      'targets port 80 of Service foo/httpbin, which has no such port (ports: http 8000→80)',
    );
    expect(port.message).toContain('did you mean 8000 (http), which targets container port 80?');
    const name = only(f, 'unmatched-target', file, after('- name: grpc'));
    expect(name.message).toContain('a port named "grpc"');
    const missing = only(f, 'unmatched-target', file, {
      line: pos(file, '- name: reviews').line,
      column: pos(file, 'reviews', 1).column,
    });
    expect(missing.message).toContain('there is no Service reviews in foo');
    const cross = only(f, 'unmatched-target', file, pos(file, 'httpbin.bar.svc.cluster.local'));
    expect(cross.message).toContain('only applies a Policy to services of its own namespace (foo)');
    // From 1.6 Policies do nothing at all; deprecated-api and ignored-setting say so, not this rule.
    expect(
      (await hygiene(dirL)).filter((x) => x.rule === 'unmatched-target' && x.file === file),
    ).toHaveLength(0);
  });
});

describe('ambiguous-policy', () => {
  const dir = `${FIXTURES}/ambiguous`;

  it('names each competing namespace-wide PeerAuthentication and the outcome with either', async () => {
    const f = await hygiene(dir);
    const file = `${dir}/namespace-wide.yaml`;
    const hit = only(f, 'ambiguous-policy', file, { line: pos(file, 'name: strict').line, column: 9 });
    expect(hit.severity).toBe('warning');
    expect(hit.message).toContain(
      '2 namespace-wide PeerAuthentications in foo: foo/default (PERMISSIVE), foo/strict (STRICT)',
    );
    expect(hit.message).toContain(
      'Istio keeps the oldest (creationTimestamp, then name), which the manifests do not tell',
    );
    expect(hit.message).toContain('with foo/default, PERMISSIVE; with foo/strict, STRICT');
    expect(hit.related?.[0]).toMatchObject({ file, line: pos(file, 'name: default').line });
  });

  it('reports identical mesh-wide duplicates as info only', async () => {
    const f = await hygiene(dir);
    const file = `${dir}/mesh-wide.yaml`;
    const hit = only(f, 'ambiguous-policy', file, { line: pos(file, 'name: mesh-strict').line, column: 9 });
    expect(hit.severity).toBe('info');
    expect(hit.message).toContain('2 mesh-wide PeerAuthentications');
    expect(hit.message).toContain('the outcome for the mesh default is the same either way');
  });

  it('says which one Istio uses when every policy carries creationTimestamp', async () => {
    const f = await hygiene(dir);
    const file = `${dir}/timestamps.yaml`;
    const hit = only(f, 'ambiguous-policy', file, { line: pos(file, 'name: new').line, column: 9 });
    expect(hit.message).toContain('Istio uses bar/old (oldest, 2023-01-01T00:00:00Z) and ignores bar/new');
  });

  it('finds workload-level PeerAuthentications over the same pods, from the workloads or from nested selectors', async () => {
    const f = await hygiene(dir);
    const wl = `${dir}/workload.yaml`;
    const hit = only(f, 'ambiguous-policy', wl, {
      line: pos(wl, 'name: httpbin-v1-metrics').line,
      column: 9,
    });
    expect(hit.message).toContain(
      '2 PeerAuthentications select the same workloads in foo (Deployment httpbin)',
    );
    expect(hit.message).toContain('Their portLevelMtls maps are not merged either');
    const ts = `${dir}/timestamps.yaml`;
    const nested = only(f, 'ambiguous-policy', ts, { line: pos(ts, 'name: worker-web').line, column: 9 });
    expect(nested.message).toContain('every pod with app=worker,tier=web also has app=worker');
    expect(nested.message).toContain('with baz/worker, STRICT; with baz/worker-web, DISABLE');
  });

  it('compares the tls of DestinationRules Istio merges for one host, ignoring ones without trafficPolicy', async () => {
    const f = await hygiene(dir);
    const file = `${dir}/destination-rules.yaml`;
    const hits = f.filter((x) => x.rule === 'ambiguous-policy' && x.file === file);
    expect(hits).toHaveLength(1);
    // Anchored at the policy Istio would pick last (no timestamps: the name that sorts last), whatever the file order.
    expect(hits[0]).toMatchObject({
      line: pos(file, 'tls:').line,
      column: pos(file, 'tls:').column,
    });
    expect(hits[0]!.message).toContain('foo/httpbin-mtls (ISTIO_MUTUAL), foo/httpbin-lb (no tls)');
    expect(hits[0]!.message).toContain('with foo/httpbin-lb, no tls (auto mTLS decides)');
    expect(hits[0]!.message).not.toContain('httpbin-subsets');
  });

  it('finds legacy Policies competing for one service port (a port-specific target does not outrank a port-less one)', async () => {
    const dirL = `${FIXTURES}/ambiguous-legacy`;
    const file = `${dirL}/policies.yaml`;
    const f = (await hygiene(dirL, '1.4')).filter((x) => x.rule === 'ambiguous-policy');
    const port = f.find((x) => x.message.includes('httpbin.foo:8000'));
    expect(port).toMatchObject({ file, line: pos(file, 'mtls: {}').line });
    expect(port!.message).toContain(
      '2 Policies target httpbin.foo:8000: foo/httpbin-8000-permissive (PERMISSIVE), foo/httpbin-strict (STRICT)',
    );
    const unknown = f.find((x) => x.message.includes('reviews.foo.svc.cluster.local on overlapping ports'));
    expect(unknown).toBeDefined();
    // On 1.6+ Istio reads no Policy: nothing competes.
    expect((await hygiene(dirL)).filter((x) => x.rule === 'ambiguous-policy')).toHaveLength(0);
  });
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

  it('stays quiet about missing tls when auto mTLS is on', async () => {
    const dir = `${FIXTURES}/ignored-shadow`;
    const config = path.join(ROOT, `${FIXTURES}/auto-mtls-on.mtls-lint.yaml`);
    const f = await hygiene(dir, undefined, config);
    expect(f.filter((x) => x.rule === 'ignored-setting')).toEqual([]);
  });

  it('says what applies instead of a legacy Policy on Istio ≥ 1.6', async () => {
    const strict = (await hygiene('examples/migration-legacy/3-strict')).filter(
      (x) => x.rule === 'ignored-setting',
    );
    const file = 'examples/migration-legacy/3-strict/policy.yaml';
    expect(strict).toHaveLength(1);
    expect(strict[0]).toMatchObject({ file, severity: 'warning', ...pos(file, 'STRICT') });
    expect(strict[0]!.message).toContain(
      "Istio 1.30 ignores authentication.istio.io Policy (read only up to 1.5), so Policy foo/example-httpbin-permissive's STRICT does nothing: httpbin.foo:8000 gets PERMISSIVE instead",
    );
    const permissive = (await hygiene('examples/migration-legacy/1-permissive')).filter(
      (x) => x.rule === 'ignored-setting',
    );
    expect(permissive[0]).toMatchObject({ severity: 'info' });
    expect(permissive[0]!.message).toContain('gets PERMISSIVE anyway');
    expect(
      (await hygiene('examples/migration-legacy/3-strict', '1.5')).filter(
        (x) => x.rule === 'ignored-setting',
      ),
    ).toEqual([]);
  });
});

describe('deprecated-api', () => {
  const file = 'examples/migration-legacy/3-strict/policy.yaml';

  it('is an error on 1.6+ and shows the PeerAuthentication that does the same', async () => {
    const f = (await hygiene('examples/migration-legacy/3-strict')).filter(
      (x) => x.rule === 'deprecated-api',
    );
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      file,
      severity: 'error',
      ...pos(file, '"authentication.istio.io/v1alpha1"'),
    });
    expect(f[0]!.message).toContain(
      'Istio 1.30 ignores Policy foo/example-httpbin-permissive and it does nothing',
    );
    expect(f[0]!.message).toContain(
      '{ apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: { name: example-httpbin-permissive, namespace: foo }, spec: { selector: { matchLabels: { app: httpbin } }, mtls: { mode: STRICT } } }',
    );
  });

  it('is a warning before 1.6, with the v1beta1 PeerAuthentication of 1.5', async () => {
    for (const v of ['1.4', '1.5']) {
      const f = (await hygiene('examples/migration-legacy/3-strict', v)).filter(
        (x) => x.rule === 'deprecated-api',
      );
      expect(f[0]).toMatchObject({ severity: 'warning' });
      expect(f[0]!.message).toContain('apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication');
    }
  });

  it('says when no PeerAuthentication can do the same, and for a MeshPolicy shows the root-namespace policy', async () => {
    const dir = `${FIXTURES}/deprecated`;
    const p = `${dir}/policies.yaml`;
    const f = (await hygiene(dir)).filter((x) => x.rule === 'deprecated-api');
    const noSelector = only(f, 'deprecated-api', p, pos(p, 'authentication.istio.io/v1alpha1', 1));
    expect(noSelector.message).toContain(
      'No PeerAuthentication does the same: Service foo/db has no selector',
    );
    const meshPolicy = only(f, 'deprecated-api', p, pos(p, 'authentication.istio.io/v1alpha1'));
    expect(meshPolicy.message).toContain('MeshPolicy was removed in Istio 1.6');
    expect(meshPolicy.message).toContain(
      'metadata: { name: default, namespace: istio-system }, spec: { mtls: { mode: STRICT } }',
    );
  });
});

describe('hygiene rules through the CLI', () => {
  it('report in JSON with the documented shape and fail the run on the 1.6+ error', async () => {
    const r = await runCli(['-f', 'json', 'examples/migration-legacy/1-permissive'], { cwd: ROOT });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: Finding[] };
    const dep = json.findings.find((f) => f.rule === 'deprecated-api');
    expect(dep).toMatchObject({
      severity: 'error',
      file: 'examples/migration-legacy/1-permissive/policy.yaml',
      line: 2,
    });
    expect(r.stderr).toBe('');
  });
});
