// The kubelet as a caller (issue 16): httpGet and grpc probes on a STRICT sidecar port fail unless Istio rewrites
// them to its agent. The default changed per release (off in 1.4/1.5, on from 1.6; grpc rewritten from 1.13), and
// a pod annotation or the install's values override it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const SHOP = readFileSync(path.join(import.meta.dirname, 'fixtures/probes/shop.yaml'), 'utf8');

function probeFindings(run: Awaited<ReturnType<typeof lintYaml>>) {
  return run.findings
    .filter((f) => f.rule === 'probe-fails-under-strict')
    .map((f) => `${f.line} ${f.severity} ${/\((\w+Probe) of/.exec(f.message)?.[1]}`);
}

const with_ = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`fixture lacks ${from}`);
  return text.replace(from, to);
};

describe('kubelet probes under STRICT, per release', () => {
  it('1.5: neither the httpGet liveness nor the grpc readiness probe is rewritten; tcpSocket is fine', async () => {
    const run = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion: '1.5' });
    expect(probeFindings(run)).toEqual(['39 error livenessProbe', '41 error readinessProbe']);
    const f = run.findings.find((x) => x.rule === 'probe-fails-under-strict')!;
    expect(f.message).toContain('the kubelet restarts the container');
    expect(f.message).toContain('PeerAuthentication shop/default');
    expect(f.message).toContain('rewriteAppHTTPProbers');
    expect(f.related?.[0]).toMatchObject({ file: 'shop.yaml', line: 13 });
    // The kubelet is a stand-in client in the graph, inferred from the probe.
    const kubelet = run.edges.filter((e) => e.client.kind === 'Kubelet');
    expect(kubelet.map((e) => `${e.caller} ${e.server.service}:${e.server.port} ${e.outcome}`)).toEqual([
      'inferred cart:80 broken',
      'inferred cart:9090 broken',
    ]);
    expect(kubelet[0]!.client.standIn).toBe('the kubelet (livenessProbe of Deployment shop/cart)');
    // plaintext-to-strict leaves the kubelet to its own rule (no duplicate at the PeerAuthentication).
    expect(
      run.findings.filter((x) => x.rule === 'plaintext-to-strict' && x.message.includes('kubelet')),
    ).toEqual([]);
  });

  it('1.10: httpGet probes are rewritten by default, grpc ones are not yet', async () => {
    const run = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion: '1.10' });
    expect(probeFindings(run)).toEqual(['41 error readinessProbe']);
    expect(run.findings.find((x) => x.rule === 'probe-fails-under-strict')!.message).toContain(
      'never rewrites grpc probes',
    );
  });

  it('newest: both are rewritten; with sidecar.istio.io/rewriteAppHTTPProbers: "false" on the pod both fail', async () => {
    const rewritten = await lintYaml({ 'shop.yaml': SHOP }, { istioVersion: '1.30' });
    expect(probeFindings(rewritten)).toEqual([]);
    expect(rewritten.edges.filter((e) => e.client.kind === 'Kubelet')).toEqual([]);
    const shop = with_(
      SHOP,
      '      labels: {app: cart}\n    spec:',
      '      labels: {app: cart}\n      annotations: {sidecar.istio.io/rewriteAppHTTPProbers: "false"}\n    spec:',
    );
    const run = await lintYaml({ 'shop.yaml': shop }, { istioVersion: '1.30' });
    expect(probeFindings(run)).toEqual(['40 error livenessProbe', '42 error readinessProbe']);
    expect(run.findings[0]!.message).toContain('sidecar.istio.io/rewriteAppHTTPProbers: "false"');
  });

  it('the install values decide when no annotation does: IstioOperator off at 1.30, ConfigMap on at 1.5', async () => {
    const operator = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: installed-state, namespace: istio-system}
spec:
  values:
    sidecarInjectorWebhook: {rewriteAppHTTPProbe: false}
`;
    const off = await lintYaml({ 'shop.yaml': SHOP, 'iop.yaml': operator }, { istioVersion: '1.30' });
    expect(probeFindings(off)).toEqual(['39 error livenessProbe', '41 error readinessProbe']);
    expect(off.findings[0]!.message).toContain('IstioOperator istio-system/installed-state');
    const injector = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  config: |-
    rewriteAppHTTPProbe: true
    policy: enabled
`;
    const on = await lintYaml({ 'shop.yaml': SHOP, 'cm.yaml': injector }, { istioVersion: '1.5' });
    // The httpGet probe is rewritten now; 1.5 never rewrites grpc.
    expect(probeFindings(on)).toEqual(['41 error readinessProbe']);
  });

  it('ports excluded from capture, PERMISSIVE and pods without a sidecar are not a break', async () => {
    // The same probes break at 1.5 as they are (first test); each change below removes both findings.
    expect(probeFindings(await lintYaml({ 'shop.yaml': SHOP }, { istioVersion: '1.5' }))).toHaveLength(2);
    const excluded = with_(
      SHOP,
      '      labels: {app: cart}\n    spec:',
      '      labels: {app: cart}\n      annotations: {traffic.sidecar.istio.io/excludeInboundPorts: "8080,9090"}\n    spec:',
    );
    expect(probeFindings(await lintYaml({ 'shop.yaml': excluded }, { istioVersion: '1.5' }))).toEqual([]);
    const permissive = with_(SHOP, 'mode: STRICT', 'mode: PERMISSIVE');
    expect(probeFindings(await lintYaml({ 'shop.yaml': permissive }, { istioVersion: '1.5' }))).toEqual([]);
    const uninjected = with_(SHOP, 'labels: {istio-injection: enabled}', 'labels: {}');
    expect(probeFindings(await lintYaml({ 'shop.yaml': uninjected }, { istioVersion: '1.5' }))).toEqual([]);
  });
});
