// Prometheus as a caller (issue 16): ServiceMonitor/PodMonitor endpoints and prometheus.io annotations. Metrics
// merging (on by default from Istio 1.7) sends annotation scrapes to the agent, outside STRICT; monitors name the
// app's port and break under STRICT unless Prometheus sends Istio mTLS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const SHOP = readFileSync(path.join(import.meta.dirname, 'fixtures/scrapers/shop.yaml'), 'utf8');
const [WITHOUT_MONITOR] = SHOP.split('---\napiVersion: monitoring.coreos.com/v1');

function scrapeFindings(run: Awaited<ReturnType<typeof lintYaml>>) {
  return run.findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    related: (f.related ?? []).map((r) => `${r.line} ${r.message}`),
  }));
}

const PROMETHEUS = (ns: string, inject: string) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}, labels: {istio-injection: ${inject}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: prometheus, namespace: ${ns}}
spec:
  serviceName: prometheus
  selector: {matchLabels: {app.kubernetes.io/name: prometheus}}
  template:
    metadata: {labels: {app.kubernetes.io/name: prometheus}}
    spec:
      containers: [{name: prometheus, image: prom/prometheus:v2}]
`;

describe('Prometheus scrapes under STRICT, per release', () => {
  it('1.5 (no metrics merging): the ServiceMonitor and the annotation both reach the app port', async () => {
    const run = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion: '1.5' });
    expect(scrapeFindings(run)).toEqual([
      {
        rule: 'plaintext-to-strict',
        // A stand-in scraper: its sidecar state is assumed, so one level below error.
        severity: 'warning',
        related: [
          '54 inferred caller: ServiceMonitor shop/cart endpoints[0] scrapes cart.shop:9100',
          `38 inferred caller: annotation prometheus.io/port: "9100" (metrics not merged into the agent's)`,
        ],
      },
    ]);
    expect(run.findings[0]!.message).toContain(
      'Prometheus (not in the inputs; assumed without a sidecar) → cart.shop:9100',
    );
    expect(run.findings[0]!.message).toContain("Istio's metrics merging");
    const scraper = run.edges.filter((e) => e.client.kind === 'Scraper');
    expect(scraper.map((e) => `${e.caller} ${e.server.service}:${e.server.port} ${e.outcome}`)).toEqual([
      'inferred cart:9100 broken',
      'inferred cart:9100 broken',
    ]);
  });

  it('1.10 and the newest merge annotation scrapes into the agent: only the ServiceMonitor breaks', async () => {
    for (const istioVersion of ['1.10', '1.30']) {
      const run = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion });
      expect(scrapeFindings(run).map((f) => f.related)).toEqual([
        ['54 inferred caller: ServiceMonitor shop/cart endpoints[0] scrapes cart.shop:9100'],
      ]);
      const annotationsOnly = await lintYaml({ 'shop.yaml': WITHOUT_MONITOR! }, { istioVersion });
      expect(annotationsOnly.findings).toEqual([]);
    }
  });

  it('newest with prometheus.istio.io/merge-metrics: "false": the annotation scrape reaches the app again', async () => {
    const shop = SHOP.replace(
      '        prometheus.io/port: "9100"\n',
      '        prometheus.io/port: "9100"\n        prometheus.istio.io/merge-metrics: "false"\n',
    );
    const run = await lintYaml({ 'shop.yaml': shop }, { istioVersion: '1.30' });
    expect(run.findings[0]!.related!.map((r) => r.line)).toEqual([55, 38]);
  });

  it('Prometheus in the inputs is the scraper, with or without a sidecar, unless it scrapes with Istio certificates', async () => {
    for (const inject of ['disabled', 'enabled']) {
      const run = await lintYaml(
        { 'shop.yaml': SHOP + PROMETHEUS('monitoring', inject) },
        { istioVersion: '1.30' },
      );
      // Scrapes go to pod IPs, which a sidecar passes through in plaintext: a certain caller, an error.
      expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['plaintext-to-strict error']);
      expect(run.findings[0]!.message).toContain('monitoring/prometheus → cart.shop:9100');
    }
    const withCerts = SHOP.replace(
      '  - port: metrics\n',
      '  - port: metrics\n    scheme: https\n    tlsConfig: {caFile: /etc/prom-certs/root-cert.pem, certFile: /etc/prom-certs/cert-chain.pem, keyFile: /etc/prom-certs/key.pem, insecureSkipVerify: true}\n',
    );
    expect(withCerts).not.toBe(SHOP);
    const istioCerts = await lintYaml(
      { 'shop.yaml': withCerts + PROMETHEUS('monitoring', 'enabled') },
      { istioVersion: '1.30' },
    );
    expect(istioCerts.findings).toEqual([]);
  });

  it("a NetworkPolicy that lets only the shop namespace in makes the in-inputs Prometheus' scrape an info", async () => {
    const policy = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cart, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cart}}
  ingress: [{from: [{podSelector: {}}]}]
`;
    const run = await lintYaml(
      { 'shop.yaml': SHOP + PROMETHEUS('monitoring', 'disabled') + policy },
      { istioVersion: '1.30' },
    );
    expect(run.findings.map((f) => `${f.rule} ${f.severity} ${f.line}`)).toEqual([
      'call-blocked-by-network-policy info 54',
    ]);
  });
});
