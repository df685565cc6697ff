// connection-downgrade: PR mode (--base): a connection that worked in the base is plaintext or broken in the head.
import { expect } from 'vitest';
import { app, byRule, destinationRule, docs, namespace } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };
const world = docs(
  namespace('foo', INJECTED),
  namespace('bar', INJECTED),
  app('foo', 'httpbin'),
  app('bar', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
);
const dr = (tls: string) => destinationRule('bar', 'httpbin', 'httpbin.foo.svc.cluster.local', { tls });

ruleTests('connection-downgrade', {
  valid: [
    {
      name: 'a change that keeps mTLS (auto mTLS → ISTIO_MUTUAL)',
      files: { 'apps.yaml': world, 'dr.yaml': dr('ISTIO_MUTUAL') },
      base: { 'dr.yaml': null },
    },
  ],
  invalid: [
    {
      name: 'mTLS → plaintext: a DestinationRule now says DISABLE between two sidecars',
      files: { 'apps.yaml': world, 'dr.yaml': dr('DISABLE') },
      base: { 'dr.yaml': dr('ISTIO_MUTUAL') },
      // With plaintext-between-sidecars on, the transition is added to its finding instead (test/diff.test.ts).
      config: 'rules:\n  plaintext-between-sidecars: off\n',
      findings: [
        {
          severity: 'warning',
          file: 'dr.yaml',
          line: 10,
          message: [
            /^bar\/sleep → httpbin\.foo:8000: mTLS → plaintext \(200\)/,
            'undoes "clients send mTLS"',
          ],
        },
      ],
      check: (r) =>
        expect(byRule(r, 'connection-downgrade')[0]).toMatchObject({
          transition: { from: 'mtls', to: 'plaintext' },
        }),
    },
    {
      name: 'the transition rides on the finding that reports the edge (plaintext-between-sidecars on)',
      files: { 'apps.yaml': world, 'dr.yaml': dr('DISABLE') },
      base: { 'dr.yaml': dr('ISTIO_MUTUAL') },
      findings: [],
      check: (r) =>
        expect(byRule(r, 'plaintext-between-sidecars')[0]!.message).toContain(
          'Change: bar/sleep → httpbin.foo:8000: mTLS → plaintext (200)',
        ),
    },
  ],
});
