// The seed task (Istio "Mutual TLS Migration", Istio 1.1 era) replayed as pull requests.
// These need the mesh model and graph (src/mesh, src/graph): they exercise the whole pipeline.
import { describe, expect, it } from 'vitest';
import { lintAgainstBase } from '../src/diff/base.js';
import { resolveOptions } from '../src/resolve-options.js';
import { fixture, makeRepo, seedWorkloads, type Tree } from './diff.helpers.js';

const stdin = async () => new Uint8Array();
const PERMISSIVE = { 'k8s/policy.yaml': fixture('seed-steps/policy-permissive.yaml') };
const STRICT = { 'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml') };
const DR = { 'k8s/destinationrule.yaml': fixture('seed-steps/destinationrule.yaml') };

async function pr(base: Tree, head: Tree) {
  const repo = makeRepo('seed', [base, head]);
  const options = resolveOptions({ cwd: repo.dir, paths: ['k8s'], istioVersion: '1.1', noConfig: true });
  return lintAgainstBase(options, repo.commits[0]!, { stdin, showAll: false });
}

describe('the seed migration as pull requests', () => {
  it('base without policies → PERMISSIVE: no new errors', async () => {
    const r = await pr(seedWorkloads(), PERMISSIVE);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.summary.newErrors).toBe(0);
  });

  it('PERMISSIVE → PERMISSIVE + DestinationRule ISTIO_MUTUAL: no new errors', async () => {
    const r = await pr({ ...seedWorkloads(), ...PERMISSIVE }, DR);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.summary.newErrors).toBe(0);
  });

  it('→ STRICT while legacy/sleep calls httpbin.foo: one new error on the mode: STRICT line, naming legacy/sleep', async () => {
    const r = await pr({ ...seedWorkloads(), ...PERMISSIVE, ...DR }, STRICT);
    const errors = r.findings.filter((f) => f.severity === 'error');
    expect(errors).toHaveLength(1);
    const e = errors[0]!;
    expect(e.new).toBe(true);
    expect(e.file).toBe('k8s/policy.yaml');
    expect(e.line).toBe(11); // `      mode: STRICT`
    expect(e.message).toContain('legacy/sleep');
    expect(e.message).not.toMatch(/(foo|bar)\/sleep →/);
    expect(r.summary.newErrors).toBe(1);
    // The change is shown as a transition of the edge: plaintext before, a reset now.
    expect(e.transition).toEqual({ from: 'plaintext', to: 'reset' });
    expect(e.edges).toContainEqual(
      expect.objectContaining({
        client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
        transition: { from: 'plaintext', to: 'reset' },
      }),
    );
    expect(e.message).toContain('legacy/sleep → httpbin.foo:8000: plaintext (200) → reset');
    expect(e.message).toContain('foo/Policy example-httpbin-permissive line 11: PERMISSIVE → STRICT');
    expect(e.message).toContain('skipped step: "clients send mTLS" (legacy/sleep has no sidecar)');
  });

  it('base STRICT → head STRICT plus an unrelated change: no new errors', async () => {
    const base = { ...seedWorkloads(), ...STRICT, ...DR };
    const head = { 'k8s/httpbin.yaml': fixture('seed/httpbin.yaml').replace('replicas: 1', 'replicas: 3') };
    const r = await pr(base, head);
    expect(r.summary.newErrors).toBe(0);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // …although the head still has the old error (it is in the base too).
    expect(r.summary.errors).toBeGreaterThanOrEqual(1);
  });

  it('skipping PERMISSIVE (no policy → STRICT + DestinationRule in one change) names the skipped step', async () => {
    const r = await pr(seedWorkloads(), { ...STRICT, ...DR });
    const e = r.findings.find((f) => f.severity === 'error' && f.message.includes('legacy/sleep'));
    expect(e, JSON.stringify(r.findings, null, 2)).toBeDefined();
    expect(e!.line).toBe(11);
    expect(e!.message).toContain('skipped step: PERMISSIVE');
  });

  it('removing the DestinationRule (auto mTLS off, Istio 1.1) downgrades both sidecar clients: one finding at the service', async () => {
    const r = await pr({ ...seedWorkloads(), ...PERMISSIVE, ...DR }, { 'k8s/destinationrule.yaml': null });
    const changed = r.findings.filter((f) => f.transition);
    expect(changed).toHaveLength(1);
    const f = changed[0]!;
    // The removed rule has no line in the head: the finding sits on the httpbin Service port whose traffic changed.
    expect(f).toMatchObject({
      rule: 'connection-downgrade',
      severity: 'warning',
      file: 'k8s/httpbin.yaml',
      line: 10,
      new: true,
    });
    expect(f.transition).toEqual({ from: 'mtls', to: 'plaintext' });
    expect(f.message).toMatch(
      /^(foo|bar)\/sleep → httpbin\.foo:8000: mTLS → plaintext \(200\), caused by foo\/DestinationRule example-httpbin-istio-client-mtls line 10 \(removed in the head\): client ISTIO_MUTUAL → PLAINTEXT\. This undoes "clients send mTLS" .* The same change makes 1 more connection worse: (foo|bar)\/sleep → httpbin\.foo:8000\.$/,
    );
    expect(f.edges?.map((e) => `${e.client.namespace}/${e.client.workload}`).sort()).toEqual([
      'bar/sleep',
      'foo/sleep',
    ]);
    expect(f.related?.map((l) => l.file).sort()).toEqual([
      'k8s/httpbin.yaml',
      'k8s/sleep-bar.yaml',
      'k8s/sleep-foo.yaml',
    ]);
  });
});
