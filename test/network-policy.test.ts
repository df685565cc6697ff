// Who cannot call whom (issue 16): NetworkPolicies remove possible callers they refuse, and turn a known call they
// refuse into an info instead of an mTLS finding. NetworkPolicy semantics do not depend on the Istio release; the
// mTLS findings they remove do, so each case runs at 1.5 (auto mTLS first on), 1.12 and the newest.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const SHOP = readFileSync(path.join(import.meta.dirname, 'fixtures/network-policy/shop.yaml'), 'utf8');
const [WITHOUT_POLICY] = SHOP.split('---\napiVersion: networking.k8s.io/v1');
const RELEASES = ['1.5', '1.12', '1.30'];

const policy = (spec: string, ns = 'shop', name = 'extra') => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;

function summary(run: Awaited<ReturnType<typeof lintYaml>>) {
  return run.findings.map((f) => `${f.rule} ${f.severity} ${f.line}`);
}

function callersOfApi(run: Awaited<ReturnType<typeof lintYaml>>) {
  return run.edges
    .filter((e) => e.server.service === 'api')
    .map((e) => e.client.standIn ?? (e.client.members?.map((m) => m.name).join('+') || e.client.name))
    .sort();
}

describe.each(RELEASES)('NetworkPolicy at Istio %s', (istioVersion) => {
  it('an ingress policy allowing only shop pods: the call is an info at the env line, cron is no caller', async () => {
    // Without the policy: legacy/sleep breaks on STRICT and legacy/cron is a possible caller.
    const open = await lintYaml({ 'shop.yaml': WITHOUT_POLICY! }, { istioVersion });
    expect(summary(open)).toEqual(['plaintext-to-strict error 13']);
    expect(callersOfApi(open)).toContain('cron');
    const run = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion });
    expect(summary(run)).toEqual(['call-blocked-by-network-policy info 40']);
    const f = run.findings[0]!;
    expect(f.message).toContain('cannot happen: legacy/sleep → api.shop:80');
    expect(f.message).toContain('NetworkPolicy api-ingress in shop');
    expect(f.related?.[0]?.line).toBe(56);
    expect(callersOfApi(run)).toEqual(['any new sidecar workload in shop']);
  });

  it('namespaceSelector on kubernetes.io/metadata.name lets legacy in again, on the named port only', async () => {
    const allowLegacy = policy(`  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}}]
    ports: [{port: 8080}]`);
    const run = await lintYaml({ 'shop.yaml': SHOP + allowLegacy }, { istioVersion });
    expect(summary(run)).toEqual(['plaintext-to-strict error 13']);
    const wrongPort = allowLegacy.replace('port: 8080', 'port: 9090');
    const refused = await lintYaml({ 'shop.yaml': SHOP + wrongPort }, { istioVersion });
    expect(summary(refused)).toEqual(['call-blocked-by-network-policy info 40']);
  });
});

describe('NetworkPolicy peers and directions', () => {
  it('a namespace whose labels the inputs do not show keeps its stand-in, with the assumption stated', async () => {
    const byTeam = policy(`  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: payments}}}]`);
    const run = await lintYaml({ 'shop.yaml': SHOP + byTeam });
    const other = callersOfApi(run).filter((c) => c.includes('not in the inputs'));
    expect(other).toEqual([
      'any sidecar workload in a namespace not in the inputs (assumed: a namespace not in the inputs might carry the labels a NetworkPolicy namespaceSelector allows)',
    ]);
    // legacy's labels are known (none): team=payments does not match, the call stays refused.
    expect(summary(run)).toEqual(['call-blocked-by-network-policy info 40']);
  });

  it('egress: a default-deny in legacy refuses the call; an egress rule to the api pods of shop on 8000-8100 allows it', async () => {
    const deny = policy(`  podSelector: {}\n  policyTypes: [Egress]`, 'legacy', 'deny-egress');
    const run = await lintYaml({ 'shop.yaml': WITHOUT_POLICY! + deny });
    expect(summary(run)).toEqual(['call-blocked-by-network-policy info 40']);
    expect(run.findings[0]!.message).toContain('NetworkPolicy deny-egress in legacy');
    const allow = policy(
      `  podSelector: {matchLabels: {app: sleep}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 8000, endPort: 8100}]`,
      'legacy',
      'sleep-out',
    );
    const allowed = await lintYaml({ 'shop.yaml': WITHOUT_POLICY! + deny + allow });
    expect(summary(allowed)).toEqual(['plaintext-to-strict error 13']);
  });

  it('ipBlock peers are outside the cluster: no pod is let through by them', async () => {
    const external = policy(`  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]`);
    const run = await lintYaml({ 'shop.yaml': WITHOUT_POLICY! + external });
    expect(summary(run)).toEqual(['call-blocked-by-network-policy info 40']);
    expect(callersOfApi(run)).toEqual([]);
  });
});
