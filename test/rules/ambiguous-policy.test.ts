// ambiguous-policy: several policies compete for the same scope and the manifests do not tell which one Istio uses.
import { expect, describe, it } from 'vitest';
import { ruleTests } from './harness.js';
import { FIXTURES, hygiene, only, pos } from './hygiene.js';

const twoNamespaceWide = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: foo}
spec: {mtls: {mode: STRICT}}
`;

const pa = (name: string, mode: string, more = '') => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: foo${more}}
spec: {mtls: {mode: ${mode}}}
`;
const withSelector = (name: string, mode: string, labels: string) =>
  pa(name, mode).replace('spec: {', `spec: {selector: {matchLabels: {${labels}}}, `);
const dr = (name: string, mode: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: foo}
spec: {host: httpbin, trafficPolicy: {tls: {mode: ${mode}}}}
`;

/**
 * Twins (same scope) written to a.yaml and b.yaml, then swapped: the finding must be the same, anchored at the
 * `metadata.name` (or trafficPolicy) of the policy Istio orders last (sortByCreationComparator: creationTimestamp,
 * then "name.namespace"), whichever file holds it.
 */
function twinCases(
  name: string,
  [first, second]: [string, string],
  anchored: 'first' | 'second',
  line: number,
  message: string[],
  severity: 'warning' | 'info' = 'warning',
) {
  return (['a.yaml', 'b.yaml'] as const).map((fileOfFirst) => {
    const other = fileOfFirst === 'a.yaml' ? 'b.yaml' : 'a.yaml';
    return {
      name: `${name} (the first in ${fileOfFirst})`,
      files: { [fileOfFirst]: first, [other]: second },
      findings: [{ severity, file: anchored === 'first' ? fileOfFirst : other, line, message }],
    };
  });
}

ruleTests('ambiguous-policy', {
  valid: [
    {
      name: 'one namespace-wide PeerAuthentication and a workload-level one with a selector',
      yaml: twoNamespaceWide.replace(
        'spec: {mtls: {mode: STRICT}}',
        'spec: {selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}}',
      ),
    },
    {
      name: 'on 1.6+ Istio reads no Policy: legacy Policies compete for nothing',
      fixture: `${FIXTURES}/ambiguous-legacy`,
    },
  ],
  invalid: [
    {
      name: 'two namespace-wide PeerAuthentications with different modes: a warning at the second',
      yaml: twoNamespaceWide,
      findings: [
        {
          severity: 'warning',
          file: 'manifests.yaml',
          line: 8,
          column: 18,
          message: [
            '2 namespace-wide PeerAuthentications in foo',
            'with foo/default, PERMISSIVE; with foo/strict, STRICT',
          ],
        },
      ],
    },
    // Without timestamps Istio's tie-break alone orders them: "default-strict.foo" sorts before "default.foo".
    ...twinCases(
      'namespace-wide twins without timestamps: Istio orders "default-strict.foo" before "default.foo"',
      [pa('default', 'PERMISSIVE'), pa('default-strict', 'STRICT')],
      'first',
      3,
      [
        '2 namespace-wide PeerAuthentications in foo: foo/default-strict (STRICT), foo/default (PERMISSIVE)',
        'with foo/default-strict, STRICT; with foo/default, PERMISSIVE',
      ],
    ),
    ...twinCases(
      'namespace-wide twins created in the same second: Istio uses the one whose "name.namespace" sorts first',
      [
        pa('x', 'PERMISSIVE', ', creationTimestamp: "2023-01-01T00:00:00Z"'),
        pa('x-y', 'STRICT', ', creationTimestamp: "2023-01-01T00:00:00Z"'),
      ],
      'first',
      3,
      ['Istio uses foo/x-y (oldest, 2023-01-01T00:00:00Z) and ignores foo/x'],
    ),
    ...twinCases(
      'an unparsable creationTimestamp counts as none: the order is the tie-break, not the file order',
      [
        pa('a', 'PERMISSIVE', ', creationTimestamp: "yesterday"'),
        pa('b', 'STRICT', ', creationTimestamp: "2023-01-01T00:00:00Z"'),
      ],
      'second',
      3,
      ['foo/a (PERMISSIVE), foo/b (STRICT)', 'Istio keeps the oldest (creationTimestamp, then name)'],
    ),
    ...twinCases(
      'twins with the same selector written in another label order: the selector as the oldest writes it',
      [withSelector('a', 'PERMISSIVE', 'app: x, v: "1"'), withSelector('b', 'STRICT', 'v: "1", app: x')],
      'second',
      3,
      ['select the same pods: every pod with app=x,v=1: foo/a (PERMISSIVE), foo/b (STRICT)'],
    ),
    ...twinCases(
      "DestinationRule twins for one host: listed and anchored in Istio's order, not the file order",
      [dr('h', 'ISTIO_MUTUAL'), dr('h-x', 'DISABLE')],
      'first',
      4,
      [
        'with different tls: foo/h-x (DISABLE), foo/h (ISTIO_MUTUAL)',
        'Clients send: with foo/h-x, DISABLE; with foo/h, ISTIO_MUTUAL',
      ],
    ),
  ],
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
    // Istio orders "httpbin-v1-metrics.foo" before "httpbin.foo": the finding is at the last, httpbin.
    const hit = only(f, 'ambiguous-policy', wl, { line: pos(wl, 'name: httpbin').line, column: 9 });
    expect(hit.message).toContain(
      '2 PeerAuthentications select the same workloads in foo (Deployment httpbin)',
    );
    expect(hit.message).toContain('Their portLevelMtls maps are not merged either');
    const ts = `${dir}/timestamps.yaml`;
    const nested = only(f, 'ambiguous-policy', ts, { line: pos(ts, 'name: worker').line, column: 9 });
    expect(nested.message).toContain('every pod with app=worker,tier=web also has app=worker');
    expect(nested.message).toContain('with baz/worker-web, DISABLE; with baz/worker, STRICT');
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
    expect(hits[0]!.message).toContain('foo/httpbin-lb (no tls), foo/httpbin-mtls (ISTIO_MUTUAL)');
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
