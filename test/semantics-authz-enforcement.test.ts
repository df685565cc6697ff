// Policies nothing enforces (issue 17): an AuthorizationPolicy is applied by a proxy (the sidecar's RBAC filter, or
// ztunnel/a waypoint in ambient mode). Where the selected workloads have no proxy, plaintext callers are not denied
// (no 403 to predict) and the policy protects nothing (a warning).
import { describe, expect, it } from 'vitest';
import { app, byRule, docs, lintYaml, namespace } from './helpers/mesh.js';

const policy = (ns: string, action = 'ALLOW') => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: frontend-only
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: backend
  action: ${action}
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/${ns}/sa/frontend"]
`;

function mesh(labels: Record<string, string>, action = 'ALLOW'): string {
  return docs(
    namespace('shop', labels),
    app('shop', 'backend', { port: 8080 }),
    app('shop', 'frontend', { noService: true, calls: 'backend.shop:8080' }),
    policy('shop', action),
  );
}

describe('authz-requires-mtls: only a proxy enforces a policy', () => {
  it('workloads without a sidecar: no 403 predicted, and the policy is reported as not enforced at all', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({}) });
    const findings = byRule(r, 'authz-requires-mtls');
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    expect(findings[0]!.message).toMatch(
      /^AuthorizationPolicy shop\/frontend-only \(ALLOW\) is not enforced at all/,
    );
    expect(findings[0]!.message).toContain('Deployment shop/backend');
    expect(findings[0]!.message).not.toContain('403');
  });

  it('a DENY on workloads without a proxy says the calls it should block get through', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({}, 'DENY') });
    expect(byRule(r, 'authz-requires-mtls').map((f) => f.message)).toEqual([
      expect.stringContaining('every call gets through what this DENY should block'),
    ]);
  });

  it('with sidecars the plaintext caller still gets the 403 prediction, and nothing is called unenforced', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('shop', { 'istio-injection': 'enabled' }),
        app('shop', 'backend', { port: 8080 }),
        app('shop', 'frontend', {
          noService: true,
          calls: 'backend.shop:8080',
          podAnnotations: { 'sidecar.istio.io/inject': 'false' },
        }),
        policy('shop'),
      ),
    });
    const messages = byRule(r, 'authz-requires-mtls').map((f) => f.message);
    expect(messages).toEqual([expect.stringContaining('403 RBAC: access denied')]);
    expect(messages.join()).not.toContain('not enforced');
  });

  it('ambient workloads are enforced by ztunnel: no unenforced finding', async () => {
    const r = await lintYaml(
      { 'm.yaml': mesh({ 'istio.io/dataplane-mode': 'ambient' }) },
      { istioVersion: '1.22' },
    );
    expect(
      byRule(r, 'authz-requires-mtls')
        .map((f) => f.message)
        .join(),
    ).not.toContain('not enforced');
  });

  it('a pod istio-cni marked for ztunnel (ambient.istio.io/redirection: enabled) is enforced', async () => {
    const r = await lintYaml(
      {
        'm.yaml': docs(
          app('shop', 'backend', {
            port: 8080,
            podAnnotations: { 'ambient.istio.io/redirection': 'enabled' },
          }),
          policy('shop'),
        ),
      },
      { istioVersion: '1.22' },
    );
    expect(byRule(r, 'authz-requires-mtls')).toEqual([]);
  });

  it('a namespace the inputs do not define: an info, since injection there is an assumption', async () => {
    const r = await lintYaml({
      'm.yaml': docs(app('shop', 'backend', { port: 8080 }), policy('shop')),
    });
    expect(byRule(r, 'authz-requires-mtls').map((f) => f.severity)).toEqual(['info']);
  });
});
