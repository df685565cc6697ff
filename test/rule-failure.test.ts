// A rule that throws costs the user that rule's findings only, never the run: the others still report, and the
// failure is an error finding that names the rule (issue: an uninjected Prometheus scraping a pod port no Service
// fronts once crashed plaintext-accepted on istio/istio's test data, and the whole run with it).
import { describe, expect, it } from 'vitest';
import { checkWith } from '../src/engine.js';
import { defineRule } from '../src/rule.js';
import { resolveOptions } from '../src/resolve-options.js';
import { cliJson, lintYaml } from './helpers/mesh.js';

const SCRAPED_POD_WITHOUT_SERVICE = `
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers: [{name: prometheus, image: prom/prometheus:v2}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - name: app
        image: example.com/worker:1
        ports: [{name: metrics, containerPort: 9100}]
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: worker, namespace: monitoring}
spec:
  namespaceSelector: {matchNames: [shop]}
  selector: {matchLabels: {app: worker}}
  podMetricsEndpoints: [{port: metrics}]
`;

describe('rule failures', () => {
  it('a plaintext scrape of a pod port no Service fronts is reported on the workload', async () => {
    const { code, json } = await cliJson({ 'all.yaml': SCRAPED_POD_WITHOUT_SERVICE }, [
      '--istio-version',
      '1.5',
    ]);
    expect(code).not.toBe(2);
    const found = json.findings.filter((f) => f.rule === 'plaintext-accepted');
    expect(found.map((f) => [f.line, f.message.split(' sends plaintext: ')[1]?.split('.')[0]])).toEqual([
      [22, 'monitoring/prometheus → Deployment shop/worker port 9100 (no Service)'],
    ]);
  });

  it('a rule that throws becomes one error finding naming it; the other rules still report', async () => {
    const run = await lintYaml({ 'all.yaml': SCRAPED_POD_WITHOUT_SERVICE }, { istioVersion: '1.5' });
    const options = resolveOptions({ cwd: run.dir, paths: ['.'], noConfig: true, istioVersion: '1.5' });
    const broken = defineRule({
      meta: {
        id: 'plaintext-accepted',
        defaultSeverity: 'warning',
        summary: 's',
        needs: ['graph'],
        docs: '',
      },
      check(context) {
        void context.graph.edges;
        throw new TypeError("Cannot read properties of undefined (reading 'resource')");
      },
    });
    const { kept } = checkWith(run.result, options, [broken], []);
    expect(kept.map((f) => [f.rule, f.severity, f.message.split(';')[0]])).toEqual([
      [
        'plaintext-accepted',
        'error',
        "mtls-lint's rule plaintext-accepted failed on these inputs (internal error: Cannot read properties of undefined (reading 'resource')), so its findings are incomplete",
      ],
    ]);
  });
});
