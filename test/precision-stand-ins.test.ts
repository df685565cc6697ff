// Callers the graph stands in for (clients outside the cluster, an ingress controller the inputs do not show) meet
// NetworkPolicies as what they are: outside clients match ipBlock peers only, and the controller runs in a namespace
// the inputs do not name — not as pods of a placeholder namespace.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const PAYMENTS = readFileSync(
  path.join(import.meta.dirname, 'fixtures/precision/outside-callers/payments.yaml'),
  'utf8',
);

const policy = (name: string, ingress: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: payments}
spec:
  podSelector: {matchLabels: {app: checkout}}
  policyTypes: [Ingress]
${ingress}
`;

/** The partner network only, by address. */
const PARTNER_ONLY = policy(
  'partner-only',
  `  ingress:
  - from: [{ipBlock: {cidr: 198.51.100.0/24}}]
    ports: [{port: 9443}]`,
);

/** Only pods of payments. */
const OWN_PODS = policy('own-pods', `  ingress:\n  - from: [{podSelector: {}}]`);

/** The ingress controller's namespace, by name. */
const FROM_INGRESS_NS = policy(
  'from-ingress-nginx',
  `  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]`,
);

function rules(run: Awaited<ReturnType<typeof lintYaml>>) {
  return run.findings.map((f) => `${f.rule} ${f.severity}`).sort();
}

describe.each(['1.12', '1.30'])('stand-in callers under NetworkPolicies, Istio %s', (istioVersion) => {
  it('an ipBlock rule lets clients outside the cluster in: STRICT breaks them (an error), the controller pod is refused', async () => {
    const run = await lintYaml({ 'payments.yaml': PAYMENTS + PARTNER_ONLY }, { istioVersion });
    const strict = run.findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict.map((f) => f.severity)).toEqual(['error']);
    expect(strict[0]!.message).toContain(
      'clients outside the cluster (Service payments/checkout type: NodePort) → checkout.payments:443',
    );
    const blocked = run.findings.filter((f) => f.rule === 'call-blocked-by-network-policy');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.message).toContain('the nginx ingress controller (not in the inputs');
    expect(blocked[0]!.message).toContain('NetworkPolicy partner-only in payments');
  });

  it('a policy for pods of the namespace only refuses both stand-ins: two infos, no mTLS finding', async () => {
    const run = await lintYaml({ 'payments.yaml': PAYMENTS + OWN_PODS }, { istioVersion });
    expect(rules(run)).toEqual([
      'call-blocked-by-network-policy info',
      'call-blocked-by-network-policy info',
    ]);
    expect(run.findings.map((f) => f.message).join('\n')).toContain('clients outside the cluster');
  });

  it('a namespaceSelector rule may let the controller in (its namespace is not in the inputs): the break stays, with the assumption', async () => {
    const run = await lintYaml({ 'payments.yaml': PAYMENTS + FROM_INGRESS_NS }, { istioVersion });
    const strict = run.findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict).toHaveLength(1);
    expect(strict[0]!.message).toContain('the nginx ingress controller (not in the inputs');
    // Clients outside the cluster are no pods of ingress-nginx.
    expect(strict[0]!.message).not.toContain('clients outside the cluster');
    const blocked = run.findings.filter((f) => f.rule === 'call-blocked-by-network-policy');
    expect(blocked.map((f) => f.message).join('\n')).toContain('clients outside the cluster');
  });
});
