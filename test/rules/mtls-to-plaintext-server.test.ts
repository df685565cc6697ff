// mtls-to-plaintext-server: a client sends Istio mTLS to a server without a sidecar (istio-semantics.md §4, §6).
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
} from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };

const ist0115 = docs(
  namespace('istio-system'),
  namespace('foo', INJECTED),
  namespace('legacy'),
  app('foo', 'sleep', { noService: true }),
  destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
);
const workloadDisable = docs(
  namespace('foo', INJECTED),
  app('foo', 'httpbin'),
  app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
  peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: 'DISABLE' }),
);

ruleTests('mtls-to-plaintext-server', {
  valid: [
    {
      name: 'an ambient namespace is not "without a sidecar": ztunnel terminates the mTLS (§0.1 ambient, §6.3)',
      files: {
        'a.yaml': docs(
          namespace('istio-system'),
          namespace('foo', INJECTED),
          namespace('amb', { 'istio.io/dataplane-mode': 'ambient' }),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.amb:8000' }),
          app('amb', 'httpbin'),
          destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
        ),
      },
      check: (r) => {
        expect(cell(r, 'foo/sleep', 'httpbin.amb:8000')).toBe('mtls 200');
        expect(r.edges.some((e) => e.server.standIn === 'any other service in amb (ambient)')).toBe(true);
      },
    },
    {
      name: 'silent for a mesh-wide ISTIO_MUTUAL rule when every namespace in the inputs is injected',
      files: {
        'a.yaml': docs(
          namespace('istio-system'),
          namespace('foo', INJECTED),
          app('foo', 'sleep', { noService: true }),
          destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
        ),
      },
      check: (r) => expect(connectivity(r)).toEqual([]),
    },
    {
      name: 'a workload DISABLE at 1.12+: auto mTLS honours it, so plaintext-between-sidecars warns instead (§4.4)',
      files: { 'a.yaml': workloadDisable },
      istioVersion: '1.12',
      check: (r) =>
        expect(byRule(r, 'plaintext-between-sidecars').map((x) => x.line)).toEqual([
          lineOf(workloadDisable, 'mode: DISABLE'),
        ]),
    },
  ],
  invalid: [
    {
      name: 'stand-in: a mesh-wide *.local ISTIO_MUTUAL rule + an uninjected namespace in the inputs (IST0115 shape)',
      files: { 'a.yaml': ist0115 },
      findings: [
        {
          severity: 'error',
          line: lineOf(ist0115, 'mode: ISTIO_MUTUAL'),
          message: ['any other service in legacy', '503'],
        },
      ],
    },
    {
      name: 'auto mTLS in 1.5–1.11 ignores a workload DISABLE: error at the DISABLE line (§4.4)',
      // 1.12 added ENABLE_AUTO_MTLS_CHECK_POLICIES (EDS strips tlsMode for DISABLE endpoints).
      files: { 'a.yaml': workloadDisable },
      istioVersion: '1.11',
      findings: [
        {
          severity: 'error',
          line: lineOf(workloadDisable, 'mode: DISABLE'),
          message: ['foo/sleep', /1\.12/],
        },
      ],
    },
    {
      name: 'ISTIO_MUTUAL toward a server in a namespace the inputs do not define: its author expects a sidecar, info',
      // unknown-injection docs: the rule contradicts the assumption of no sidecar, so the verdict is only an info.
      files: {
        'a.yaml': docs(
          namespace('foo', INJECTED),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.payments:8000' }),
          destinationRule('foo', 'payments', '*.payments.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
        ),
        'b.yaml': app('payments', 'httpbin'),
      },
      findings: [
        {
          severity: 'info',
          message: [
            'servers in payments that have a sidecar only if that namespace is labelled for injection',
            'foo/sleep',
            'Add the Namespace manifest',
          ],
        },
      ],
      check: (r) => expect(cell(r, 'foo/sleep', 'httpbin.payments:8000')).toBe('broken 503'),
    },
    {
      name: 'the same rule toward a namespace the inputs define without injection: a certain verdict, error',
      files: {
        'a.yaml': docs(
          namespace('foo', INJECTED),
          namespace('payments'),
          app('foo', 'sleep', { noService: true, calls: 'httpbin.payments:8000' }),
          destinationRule('foo', 'payments', '*.payments.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
        ),
        'b.yaml': app('payments', 'httpbin'),
      },
      findings: [{ severity: 'error', message: ['cannot terminate it', 'foo/sleep'] }],
    },
  ],
});
