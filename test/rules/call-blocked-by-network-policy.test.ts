// call-blocked-by-network-policy: a declared or inferred call that NetworkPolicies refuse (info); mtls-lint makes no
// mTLS finding about it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { byRule, lineOf } from '../helpers/mesh.js';
import { ROOT, ruleTests } from './harness.js';

const FIXTURE = 'test/fixtures/network-policy/shop.yaml';
const SHOP = readFileSync(path.join(ROOT, FIXTURE), 'utf8');
const [WITHOUT_POLICY] = SHOP.split('---\napiVersion: networking.k8s.io/v1');
const ENV = lineOf(SHOP, 'value: "http://api.shop"');

const policy = (spec: string, ns = 'shop', name = 'extra') => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}
`;
const allowLegacy = (port: number) =>
  policy(`  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}}]
    ports: [{port: ${port}}]`);
const denyEgress = policy(`  podSelector: {}\n  policyTypes: [Egress]`, 'legacy', 'deny-egress');

const onlyPlaintextToStrict = (r: { findings: { rule: string }[] }) =>
  expect(r.findings.map((f) => f.rule)).toEqual(['plaintext-to-strict']);

ruleTests('call-blocked-by-network-policy', {
  valid: [
    {
      name: 'no NetworkPolicy: the call happens (and breaks on STRICT, which plaintext-to-strict reports)',
      yaml: WITHOUT_POLICY!,
      check: onlyPlaintextToStrict,
    },
    {
      name: 'a second ingress policy lets legacy in on the target port',
      yaml: SHOP + allowLegacy(8080),
      check: onlyPlaintextToStrict,
    },
    {
      name: 'an egress default-deny in legacy with an egress rule to the api pods on 8000-8100',
      yaml:
        WITHOUT_POLICY! +
        denyEgress +
        policy(
          `  podSelector: {matchLabels: {app: sleep}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: api}}}]
    ports: [{port: 8000, endPort: 8100}]`,
          'legacy',
          'sleep-out',
        ),
      check: onlyPlaintextToStrict,
    },
  ],
  invalid: [
    {
      name: 'an ingress policy allowing only shop pods refuses legacy/sleep: one info at the env line',
      fixture: FIXTURE,
      findings: [
        {
          severity: 'info',
          file: FIXTURE,
          line: ENV,
          message: [
            'This call cannot happen: legacy/sleep → api.shop:80',
            'refused by NetworkPolicy api-ingress in shop',
            'no mTLS finding is made about it',
          ],
        },
      ],
      check: (r) => {
        expect(r.findings.map((f) => f.rule)).toEqual(['call-blocked-by-network-policy']);
        expect(byRule(r, 'call-blocked-by-network-policy')[0]!.related?.[0]?.line).toBe(
          lineOf(SHOP, 'podSelector: {matchLabels: {app: api}}', 'name: api-ingress'),
        );
      },
    },
    {
      name: 'the same at Istio 1.5',
      fixture: FIXTURE,
      istioVersion: '1.5',
      findings: [
        { severity: 'info', file: FIXTURE, line: ENV, message: 'NetworkPolicy api-ingress in shop' },
      ],
    },
    {
      name: 'a policy that lets legacy in on another port does not allow the call',
      yaml: SHOP + allowLegacy(9090),
      findings: [{ severity: 'info', line: ENV, message: 'legacy/sleep → api.shop:80' }],
    },
    {
      name: 'an egress default-deny in the caller namespace',
      yaml: WITHOUT_POLICY! + denyEgress,
      findings: [{ severity: 'info', line: ENV, message: 'refused by NetworkPolicy deny-egress in legacy' }],
    },
    {
      name: 'ipBlock peers are outside the cluster and let no pod in',
      yaml:
        WITHOUT_POLICY! +
        policy(`  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{ipBlock: {cidr: 0.0.0.0/0}}]`),
      findings: [{ severity: 'info', line: ENV, message: 'refused by NetworkPolicy extra in shop' }],
    },
  ],
});
