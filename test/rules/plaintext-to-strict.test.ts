// plaintext-to-strict: a caller that sends plaintext reaches a STRICT server port (istio-semantics.md §3, §4).
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

const strictFoo = docs(
  namespace('foo', INJECTED),
  namespace('legacy'),
  app('foo', 'httpbin'),
  peerAuthentication('foo', 'default', { mode: 'STRICT' }),
);
const callers = (n: number) =>
  docs(
    ...Array.from({ length: n }, (_, i) =>
      app('legacy', `client-${i + 1}`, { noService: true, env: { URL: `http://httpbin.foo:8000/get` } }),
    ),
  );
const portLevel = docs(
  namespace('foo', INJECTED),
  namespace('legacy'),
  app('foo', 'httpbin'),
  peerAuthentication('foo', 'httpbin', {
    selector: { app: 'httpbin' },
    mode: 'PERMISSIVE',
    portLevel: { 80: 'STRICT' },
  }),
);
const standIn = docs(
  namespace('foo', INJECTED),
  app('foo', 'httpbin'),
  peerAuthentication('foo', 'default', { mode: 'STRICT' }),
);
const meshPolicy14 = docs(
  namespace('foo', INJECTED),
  app('foo', 'httpbin'),
  `apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata:
  name: default
spec:
  peers:
  - mtls: {}
`,
);
const AUTO_MTLS_OFF = 'mesh:\n  autoMtls: false\n';

ruleTests('plaintext-to-strict', {
  valid: [
    {
      name: 'every caller has a sidecar (auto mTLS)',
      files: {
        'a.yaml': strictFoo,
        'b.yaml': app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      },
    },
    {
      name: 'the server is only PERMISSIVE',
      files: { 'a.yaml': strictFoo.replace('mode: STRICT', 'mode: PERMISSIVE'), 'b.yaml': callers(2) },
    },
    {
      name: 'stand-in: silent when a mesh-wide ISTIO_MUTUAL rule covers every host (auto mTLS off)',
      files: {
        'a.yaml': docs(
          standIn,
          destinationRule('istio-system', 'default', '*.local', { tls: 'ISTIO_MUTUAL' }),
        ),
      },
      config: AUTO_MTLS_OFF,
      check: (r) => expect(notInfo(r)).toEqual([]),
    },
  ],
  invalid: [
    {
      name: 'one STRICT policy breaking five callers is ONE finding with five edges, at the mode line',
      files: { 'a.yaml': strictFoo, 'b.yaml': callers(5) },
      findings: [
        {
          severity: 'error',
          file: 'a.yaml',
          line: lineOf(strictFoo, 'mode: STRICT'),
          column: 11,
          message: [/breaks 5 callers/, ...[1, 2, 3, 4, 5].map((i) => `legacy/client-${i}`)],
        },
      ],
      check: (r) => {
        const f = byRule(r, 'plaintext-to-strict')[0]!;
        expect(f.edges).toHaveLength(5);
        expect(
          f.edges!.every(
            (e) => e.caller === 'inferred' && e.server.service === 'httpbin' && e.server.port === 8000,
          ),
        ).toBe(true);
        // Related: each victim's manifest, and where we learnt of the call (the env value).
        expect(
          f.related!.filter((x) => x.file === 'b.yaml' && x.message.startsWith('sends plaintext')),
        ).toHaveLength(5);
        expect(f.related!.some((x) => x.message.includes('env URL'))).toBe(true);
      },
    },
    {
      name: 'long victim lists are capped in the message ("and 2 more") but complete in edges',
      files: { 'a.yaml': strictFoo, 'b.yaml': callers(7) },
      findings: [{ message: 'and 2 more' }],
      check: (r) => expect(byRule(r, 'plaintext-to-strict')[0]!.edges).toHaveLength(7),
    },
    {
      name: 'only possible callers affected → warning, naming them',
      files: { 'a.yaml': strictFoo, 'b.yaml': app('legacy', 'idle', { noService: true }) },
      findings: [{ severity: 'warning', message: 'legacy/idle' }],
      check: (r) =>
        expect(byRule(r, 'plaintext-to-strict')[0]!.edges).toEqual([
          {
            client: { namespace: 'legacy', workload: 'idle', kind: 'Deployment' },
            server: { namespace: 'foo', service: 'httpbin', port: 8000 },
            caller: 'possible',
          },
        ]),
    },
    {
      name: 'a known caller among possible ones → error',
      files: { 'a.yaml': strictFoo, 'b.yaml': docs(app('legacy', 'idle', { noService: true }), callers(1)) },
      findings: [{ severity: 'error' }],
      check: (r) =>
        expect(
          byRule(r, 'plaintext-to-strict')[0]!
            .edges!.map((e) => e.caller)
            .sort(),
        ).toEqual(['inferred', 'possible']),
    },
    {
      name: 'a port-level STRICT (keyed by target port 80 of service port 8000) is blamed at its portLevelMtls line',
      files: { 'a.yaml': portLevel, 'b.yaml': callers(1) },
      findings: [{ line: lineOf(portLevel, 'mode: STRICT', '80:'), message: 'port 80' }],
      check: (r) => expect(cell(r, 'legacy/client-1', 'httpbin.foo:8000')).toBe('broken 000'),
    },
    {
      name: 'a sidecar client whose DestinationRule says DISABLE → 503, blamed on the STRICT policy, fix names the DR',
      files: {
        'a.yaml': strictFoo,
        'b.yaml': docs(
          namespace('bar', INJECTED),
          app('bar', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
          destinationRule('bar', 'no-tls', 'httpbin.foo.svc.cluster.local', { tls: 'DISABLE' }),
        ),
      },
      findings: [{ message: ['bar/sleep', '503', /DISABLE/] }],
      check: (r) => expect(cell(r, 'bar/sleep', 'httpbin.foo:8000')).toBe('broken 503'),
    },
    {
      name: 'stand-in: STRICT namespace policy, auto mTLS off, no ISTIO_MUTUAL rule → error with no concrete client',
      // The inputs show no caller at all; every sidecar workload of foo (and of the mesh) would send plaintext → 503.
      files: { 'a.yaml': standIn },
      config: AUTO_MTLS_OFF,
      findings: [
        {
          severity: 'error',
          line: lineOf(standIn, 'mode: STRICT'),
          message: ['any new sidecar workload in foo', '503'],
        },
      ],
      check: (r) =>
        // Stand-in clients (every sidecar workload of foo, and of the mesh) → httpbin, and httpbin → "any other service in foo".
        expect(byRule(r, 'plaintext-to-strict')[0]!.edges).toEqual(
          expect.arrayContaining([
            {
              client: { namespace: 'foo', workload: '*', kind: 'StandIn' },
              server: { namespace: 'foo', service: 'httpbin', port: 8000 },
              caller: 'possible',
            },
            {
              client: { namespace: 'foo', workload: 'httpbin', kind: 'Deployment' },
              server: { namespace: 'foo', service: '*', port: 0 },
              caller: 'possible',
            },
          ]),
        ),
    },
    {
      name: 'the same STRICT at 1.4 with a legacy MeshPolicy and no client rule: error for the stand-ins (IST0113 shape)',
      files: { 'a.yaml': meshPolicy14 },
      istioVersion: '1.4',
      findings: [{ severity: 'error', line: lineOf(meshPolicy14, '- mtls: {}') }],
    },
  ],
});
