// model-mismatch: observed traffic (--traffic) disagrees with what the manifests say a client sends (warning).
import { expect } from 'vitest';
import { app, byRule, docs, lineOf, namespace } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';
import { prometheusAnswer } from '../helpers/traffic.js';

const mesh = docs(
  namespace('foo', { 'istio-injection': 'enabled' }),
  namespace('legacy'),
  app('foo', 'httpbin'),
  app('foo', 'sleep', { noService: true }),
  app('legacy', 'sleep', { noService: true }),
);

/** Observed traffic to httpbin.foo, reported by its sidecar: one series per [source ns/workload, security, count]. */
function seen(...calls: [string, 'mutual_tls' | 'none', number][]): Record<string, string> {
  const series = calls.map(([from, security, value]) => ({ from, to: 'foo/httpbin', security, value }));
  return { 'traffic.json': prometheusAnswer(series) };
}

ruleTests('model-mismatch', {
  valid: [
    { name: 'no traffic given', yaml: mesh },
    {
      name: 'traffic that agrees: mTLS from the injected client, plaintext from the one without a sidecar',
      yaml: mesh,
      traffic: seen(['foo/sleep', 'mutual_tls', 40], ['legacy/sleep', 'none', 3]),
    },
    {
      name: 'a client the inputs do not contain is not compared',
      yaml: mesh,
      traffic: seen(['bar/curl', 'none', 3]),
    },
  ],
  invalid: [
    {
      name: 'plaintext from a client the manifests say sends mTLS, at the Service, naming the likely causes',
      yaml: mesh,
      traffic: seen(['foo/sleep', 'none', 40]),
      findings: [
        {
          severity: 'warning',
          line: lineOf(mesh, 'name: httpbin', 'kind: Service'),
          message: [
            'foo/sleep → httpbin.foo:8000: the mesh saw plaintext arrive (40 requests in 7d, all plaintext',
            'but the manifests say the client sends mTLS',
            'not restarted since injection was enabled',
          ],
        },
      ],
      check: (r) =>
        expect(byRule(r, 'model-mismatch')[0]!.related?.map((l) => l.line)).toEqual([
          lineOf(mesh, 'name: sleep'),
        ]),
    },
    {
      name: 'only mTLS from a client the manifests say has no sidecar',
      yaml: mesh,
      traffic: seen(['legacy/sleep', 'mutual_tls', 8]),
      findings: [
        {
          severity: 'warning',
          message: [
            'legacy/sleep → httpbin.foo:8000: the mesh saw only mTLS arrive',
            'namespace legacy is injected by a label',
          ],
        },
      ],
    },
    {
      name: 'a service with two ports: one finding for the call, naming both (Istio metrics carry no port)',
      yaml: docs(
        namespace('foo', { 'istio-injection': 'enabled' }),
        app('foo', 'sleep', { noService: true }),
        app('foo', 'httpbin', { noService: true }),
        `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}, {name: admin, port: 9000, targetPort: 80}]
`,
      ),
      traffic: seen(['foo/sleep', 'none', 40]),
      findings: [
        { severity: 'warning', message: 'foo/sleep → httpbin.foo:8000,9000: the mesh saw plaintext arrive' },
      ],
    },
    {
      name: 'the destination reported security, so it has a sidecar the manifests do not show',
      yaml: docs(
        namespace('bar'),
        namespace('legacy'),
        app('bar', 'httpbin'),
        app('legacy', 'sleep', { noService: true }),
      ),
      traffic: {
        'traffic.json': prometheusAnswer([
          { from: 'legacy/sleep', to: 'bar/httpbin', security: 'none', value: 5 },
        ]),
      },
      findings: [{ severity: 'warning', message: ['so it has a sidecar', 'its workloads have no sidecar'] }],
    },
  ],
});
