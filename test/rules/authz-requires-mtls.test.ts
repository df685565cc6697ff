// authz-requires-mtls: an AuthorizationPolicy on mTLS identities (principals, namespaces) at a server that accepts
// plaintext from a known caller: ALLOW answers 403, DENY lets it slip past (istio-semantics.md §7).
import { expect } from 'vitest';
import { app, byRule, cell, docs, lineOf, namespace, peerAuthentication } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };
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
const allowPrincipals = world(
  authz(
    'ALLOW',
    '        principals: ["cluster.local/ns/foo/sa/sleep", "cluster.local/ns/legacy/sa/sleep"]\n',
  ),
);

/** The legacy namespace is not in the inputs (its sidecar state is assumed); its sleep declares the call or not. */
const unknownLegacy = (declared: boolean) =>
  docs(
    namespace('foo', INJECTED),
    app('foo', 'httpbin'),
    app('legacy', 'sleep', { noService: true, ...(declared ? { calls: 'httpbin.foo:8000' } : {}) }),
    peerAuthentication('foo', 'default', { mode: 'PERMISSIVE' }),
    authz('ALLOW', '        principals: ["cluster.local/ns/foo/sa/sleep"]\n'),
  );

ruleTests('authz-requires-mtls', {
  valid: [
    {
      name: 'DENY notPrincipals ["*"] is the documented way to refuse plaintext: no finding',
      // §7.2 recommended fix: "a DENY rule notNamespaces: ["*"]" (ISTIO-SECURITY-2021-004).
      files: { 'a.yaml': world(authz('DENY', '        notPrincipals: ["*"]\n')) },
    },
    {
      name: 'silent when the server is STRICT (plaintext never reaches it; plaintext-to-strict reports the caller)',
      files: {
        'a.yaml': world(authz('ALLOW', '        principals: ["cluster.local/ns/foo/sa/sleep"]\n'), 'STRICT'),
      },
      check: (r) => expect(byRule(r, 'plaintext-to-strict')).toHaveLength(1),
    },
    {
      name: 'silent when every caller sends mTLS',
      files: {
        'a.yaml': docs(
          namespace('foo', INJECTED),
          app('foo', 'httpbin'),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          peerAuthentication('foo', 'default', { mode: 'PERMISSIVE' }),
          authz('ALLOW', '        principals: ["cluster.local/ns/foo/sa/sleep"]\n'),
        ),
      },
      check: (r) => expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('mtls 200'),
    },
  ],
  invalid: [
    {
      name: 'ALLOW on principals with a plaintext caller → error 403 at the principals key, naming the caller',
      files: { 'a.yaml': allowPrincipals },
      findings: [
        {
          severity: 'error',
          line: lineOf(allowPrincipals, 'principals:'),
          column: 9,
          message: ['legacy/sleep', '403'],
          notMessage: 'foo/sleep', // it sends mTLS (auto)
        },
      ],
    },
    {
      name: 'a declared caller whose namespace the inputs do not define: the verdict rests on an assumption, warning',
      files: { 'a.yaml': unknownLegacy(true) },
      findings: [{ severity: 'warning', message: ['legacy/sleep', '403'] }],
    },
    {
      name: 'only possible callers, and their namespace is not in the inputs: two guesses stacked, info',
      files: { 'a.yaml': unknownLegacy(false) },
      findings: [{ severity: 'info', message: ['legacy/sleep', '403'] }],
    },
    {
      name: 'DENY on namespaces: the plaintext caller slips past',
      files: { 'a.yaml': world(authz('DENY', '        namespaces: ["legacy"]\n')) },
      findings: [{ message: [/slip past/, 'legacy/sleep'] }],
    },
    {
      name: 'ALLOW with notNamespaces: plaintext from that namespace is let in, not denied',
      // §7.2: "ALLOW with notNamespaces: [foo] → allows plaintext from foo (empty ≠ foo)".
      files: { 'a.yaml': world(authz('ALLOW', '        notNamespaces: ["legacy"]\n')) },
      findings: [{ notMessage: '403', message: /slip past|let in|allow/i }],
    },
  ],
});
