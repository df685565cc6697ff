// plaintext-between-sidecars: two sidecars that could speak mTLS talk plaintext (DISABLE, or no tls without auto mTLS).
import { expect } from 'vitest';
import {
  app,
  byRule,
  cell,
  connectivity,
  destinationRule,
  docs,
  lineOf,
  namespace,
  peerAuthentication,
  type Run,
} from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };
const notInfo = (r: Run) => connectivity(r).filter((f) => f.severity !== 'info');
const pair = docs(
  namespace('foo', INJECTED),
  app('foo', 'httpbin'),
  app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
);
const drDisable = docs(pair, destinationRule('foo', 'httpbin', 'httpbin', { tls: 'DISABLE' }));
const paDisable = docs(pair, peerAuthentication('foo', 'default', { mode: 'DISABLE' }));
const shadow14 = docs(
  pair,
  `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: default
spec:
  peers:
  - mtls:
      mode: PERMISSIVE
`,
  destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
  destinationRule('foo', 'httpbin-lb', 'httpbin', { portLevel: [{ port: 8000 }] }),
);

ruleTests('plaintext-between-sidecars', {
  valid: [
    {
      name: 'auto mTLS between two sidecars',
      files: { 'a.yaml': pair },
      check: (r) => expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('mtls 200'),
    },
  ],
  invalid: [
    {
      name: 'a DestinationRule DISABLE between sidecars: warning at the tls mode line',
      files: { 'a.yaml': drDisable },
      findings: [{ severity: 'warning', line: lineOf(drDisable, 'mode: DISABLE'), message: 'foo/sleep' }],
      check: (r) => expect(notInfo(r)).toHaveLength(1),
    },
    {
      name: 'a namespace PeerAuthentication DISABLE that auto mTLS honours: warning at the PA',
      files: { 'a.yaml': paDisable },
      findings: [{ severity: 'warning', line: lineOf(paDisable, 'mode: DISABLE') }],
      check: (r) => expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('plaintext 200'),
    },
    {
      name: '1.4: a rule without tls that shadows a mesh-wide ISTIO_MUTUAL rule downgrades to plaintext → warning at that rule',
      files: { 'a.yaml': shadow14 },
      istioVersion: '1.4',
      findings: [{}],
      check: (r) => {
        expect(cell(r, 'foo/sleep', 'httpbin.foo:8000')).toBe('plaintext 200');
        expect(byRule(r, 'plaintext-between-sidecars')[0]!.resource?.name).toBe('httpbin-lb');
      },
    },
  ],
});
