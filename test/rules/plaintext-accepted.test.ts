// plaintext-accepted: a PERMISSIVE server port takes plaintext from known callers without a sidecar (info).
import { expect } from 'vitest';
import { app, byRule, docs, lineOf, namespace, peerAuthentication } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };
const permissive = docs(
  namespace('foo', INJECTED),
  namespace('legacy'),
  app('foo', 'httpbin'),
  peerAuthentication('foo', 'default', { mode: 'PERMISSIVE' }),
);

ruleTests('plaintext-accepted', {
  valid: [
    {
      name: 'only possible callers without a sidecar (none known to call): nothing to list',
      files: { 'a.yaml': permissive, 'b.yaml': app('legacy', 'c', { noService: true }) },
    },
    {
      name: 'a known caller with a sidecar sends mTLS',
      files: {
        'a.yaml': permissive,
        'b.yaml': app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000' }),
      },
    },
  ],
  invalid: [
    {
      // maistra/istio's samples crashed the run (exit 2, "internal error") on this shape.
      name: 'a scrape of a pod port no Service fronts is reported at the workload, not an internal error',
      fixture: 'test/fixtures/precision/pod-port-scrape',
      findings: [
        {
          severity: 'info',
          line: 10,
          message: 'observability/prometheus → Deployment jobs/reindexer port 9102 (no Service)',
        },
      ],
    },
    {
      name: 'lists declared and inferred callers without a sidecar at a PERMISSIVE server, at the policy',
      files: {
        'a.yaml': permissive,
        'b.yaml': docs(
          app('legacy', 'a', { noService: true, calls: 'httpbin.foo:8000' }),
          app('legacy', 'b', { noService: true, env: { U: 'httpbin.foo.svc.cluster.local:8000' } }),
          app('legacy', 'c', { noService: true }),
        ),
      },
      findings: [
        {
          severity: 'info',
          file: 'a.yaml',
          line: lineOf(permissive, 'mode: PERMISSIVE'),
          message: ['legacy/a', 'legacy/b'],
          notMessage: 'legacy/c',
        },
      ],
      check: (r) =>
        expect(
          byRule(r, 'plaintext-accepted')[0]!
            .edges!.map((e) => e.caller)
            .sort(),
        ).toEqual(['declared', 'inferred']),
    },
  ],
});
