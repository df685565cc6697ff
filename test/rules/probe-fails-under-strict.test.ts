// probe-fails-under-strict: a kubelet httpGet or grpc probe on a STRICT sidecar port that Istio does not rewrite
// (error). Release-dependent: no rewrite by default before 1.6, grpc probes rewritten only from 1.13.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { byRule, lineOf } from '../helpers/mesh.js';
import { ROOT, ruleTests } from './harness.js';

const FIXTURE = 'test/fixtures/probes/shop.yaml';
const SHOP = readFileSync(path.join(ROOT, FIXTURE), 'utf8');

const with_ = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`fixture lacks ${from}`);
  return text.replace(from, to);
};
const annotate = (annotation: string) =>
  with_(
    SHOP,
    '      labels: {app: cart}\n    spec:',
    `      labels: {app: cart}\n      annotations: {${annotation}}\n    spec:`,
  );

const HTTP_GET = lineOf(SHOP, 'httpGet:');
const GRPC = lineOf(SHOP, 'grpc: {port');
const rewriteOff = annotate('sidecar.istio.io/rewriteAppHTTPProbers: "false"');
const tcpOnly = with_(
  with_(SHOP, '        livenessProbe:\n          httpGet: {path: /healthz, port: http}\n', ''),
  '        readinessProbe:\n          grpc: {port: 9090}\n',
  '',
);

ruleTests('probe-fails-under-strict', {
  valid: [
    {
      name: 'the newest release rewrites httpGet and grpc probes to the agent',
      fixture: FIXTURE,
      istioVersion: '1.30',
      check: (r) => expect(r.edges.filter((e) => e.client.kind === 'Kubelet')).toEqual([]),
    },
    {
      name: 'a tcpSocket probe is accepted by the sidecar itself, even on 1.5',
      yaml: tcpOnly,
      istioVersion: '1.5',
    },
    {
      name: 'PERMISSIVE takes the plaintext probes on 1.5',
      yaml: with_(SHOP, 'mode: STRICT', 'mode: PERMISSIVE'),
      istioVersion: '1.5',
    },
    {
      name: 'probe ports excluded from capture on 1.5',
      yaml: annotate('traffic.sidecar.istio.io/excludeInboundPorts: "8080,9090"'),
      istioVersion: '1.5',
    },
    {
      name: 'a pod without a sidecar on 1.5',
      yaml: with_(SHOP, 'labels: {istio-injection: enabled}', 'labels: {}'),
      istioVersion: '1.5',
    },
  ],
  invalid: [
    {
      name: '1.5 rewrites neither the httpGet liveness nor the grpc readiness probe: two errors at the probes',
      fixture: FIXTURE,
      istioVersion: '1.5',
      findings: [
        {
          severity: 'error',
          file: FIXTURE,
          line: HTTP_GET,
          message: [
            'the kubelet (livenessProbe of Deployment shop/cart) fails',
            'PeerAuthentication shop/default',
            'the kubelet restarts the container again and again',
            'sidecar.istio.io/rewriteAppHTTPProbers: "true"',
          ],
        },
        {
          severity: 'error',
          file: FIXTURE,
          line: GRPC,
          message: [
            'the kubelet (readinessProbe of Deployment shop/cart) fails',
            'the pod never becomes ready',
            'Istio 1.5 never rewrites grpc probes (1.13+ does)',
          ],
        },
      ],
      check: (r) =>
        expect(byRule(r, 'probe-fails-under-strict')[0]!.related?.[0]).toMatchObject({
          file: FIXTURE,
          line: lineOf(SHOP, 'mode: STRICT'),
        }),
    },
    {
      name: '1.10 rewrites httpGet probes by default, grpc ones not yet',
      fixture: FIXTURE,
      istioVersion: '1.10',
      findings: [{ severity: 'error', line: GRPC, message: 'Istio 1.10 never rewrites grpc probes' }],
    },
    {
      name: 'the pod annotation turns the rewrite off on the newest release',
      yaml: rewriteOff,
      istioVersion: '1.30',
      findings: [
        {
          severity: 'error',
          file: 'manifests.yaml',
          line: lineOf(rewriteOff, 'httpGet:'),
          message: ['livenessProbe', 'sidecar.istio.io/rewriteAppHTTPProbers: "false"'],
          notMessage: 'never rewrites grpc',
        },
        {
          severity: 'error',
          line: lineOf(rewriteOff, 'grpc: {port'),
          message: ['readinessProbe', 'sidecar.istio.io/rewriteAppHTTPProbers: "false"'],
        },
      ],
    },
    {
      name: 'the install values turn the rewrite off on the newest release (IstioOperator in the inputs)',
      files: {
        'shop.yaml': SHOP,
        'iop.yaml': `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: installed-state, namespace: istio-system}
spec:
  values:
    sidecarInjectorWebhook: {rewriteAppHTTPProbe: false}
`,
      },
      istioVersion: '1.30',
      findings: [
        {
          severity: 'error',
          file: 'shop.yaml',
          line: HTTP_GET,
          message: 'IstioOperator istio-system/installed-state',
        },
        {
          severity: 'error',
          file: 'shop.yaml',
          line: GRPC,
          message: 'IstioOperator istio-system/installed-state',
        },
      ],
    },
  ],
});
