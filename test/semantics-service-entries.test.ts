// ServiceEntries and WorkloadEntries (issue 17). MESH_EXTERNAL hosts (the default location) never get auto mTLS
// (cluster_tls.go buildUpstreamTLSSettings); MESH_INTERNAL hosts are mesh services whose endpoints are the pods and
// WorkloadEntries their workloadSelector selects, or their inline endpoints, each with its own TLS mode
// (serviceentry/conversion.go getTLSModeFromWorkloadEntry: the tlsMode label, else "istio" with a serviceAccount).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  destinationRule,
  docs,
  edge,
  calls,
  lintYaml,
  namespace,
  peerAuthentication,
  serviceEntry,
  type Run,
  workloadEntry,
} from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

const edgesOf = (r: Run, client: string) =>
  r.edges.filter((e) => !e.client.standIn && `${e.client.namespace}/${e.client.name}` === client);

const connectivity = (r: Run) =>
  r.findings.filter((f) =>
    [
      'plaintext-to-strict',
      'mtls-to-plaintext-server',
      'plaintext-between-sidecars',
      'non-istio-tls-to-sidecar',
    ].includes(f.rule),
  );

describe('MESH_EXTERNAL ServiceEntry', () => {
  const external = (...extra: string[]) =>
    docs(
      namespace('foo', INJECTED),
      namespace('istio-system'),
      peerAuthentication('istio-system', 'default', { mode: 'STRICT' }),
      serviceEntry('foo', 'httpbin-ext', 'httpbin.org', { resolution: 'DNS' }),
      app('foo', 'sleep', { noService: true, env: { UPSTREAM: 'http://httpbin.org/headers' } }),
      ...extra,
    );

  it('a sidecar client sends plaintext to an external host (no auto mTLS), and nothing is reported', async () => {
    const r = await lintYaml({ 'm.yaml': external() });
    expect(calls(r, 'foo/sleep', 'httpbin.org.foo:80')).toEqual(['httpbin-ext PLAINTEXT:plaintext 200']);
    const c = edge(r, 'foo/sleep', 'httpbin.org.foo:80').connections[0]!;
    expect(c.client.explanation).toMatch(
      /ServiceEntry foo\/httpbin-ext MESH_EXTERNAL \(the default location\): Istio never applies auto mTLS/,
    );
    // Mesh-wide STRICT does not reach an external host: no false finding.
    expect(connectivity(r)).toEqual([]);
  });

  it('DestinationRule ISTIO_MUTUAL to an external host: the host cannot terminate Istio mTLS (503)', async () => {
    const r = await lintYaml({
      'm.yaml': external(destinationRule('foo', 'ext', 'httpbin.org', { tls: 'ISTIO_MUTUAL' })),
    });
    expect(calls(r, 'foo/sleep', 'httpbin.org.foo:80')).toEqual(['httpbin-ext ISTIO_MUTUAL:broken 503']);
    expect(byRule(r, 'mtls-to-plaintext-server')).toHaveLength(1);
  });

  it('endpoints with sidecars behind a MESH_EXTERNAL entry get plaintext too: STRICT there answers 503', async () => {
    const entry = (location: string, mode = 'STRICT') =>
      docs(
        namespace('vm', INJECTED),
        namespace('foo', INJECTED),
        serviceEntry('vm', 'vm-svc', 'vm.example.internal', {
          ...(location ? { location: location as 'MESH_INTERNAL' } : {}),
          selector: { app: 'vm-app' },
        }),
        workloadEntry('vm', 'vm-with-proxy', { app: 'vm-app', 'security.istio.io/tlsMode': 'istio' }),
        peerAuthentication('vm', 'default', { mode }),
        app('foo', 'sleep', { noService: true, calls: 'vm.example.internal:80' }),
      );
    const external = await lintYaml({ 'm.yaml': entry('') });
    expect(calls(external, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-with-proxy PLAINTEXT:broken 503',
    ]);
    expect(byRule(external, 'plaintext-to-strict')[0]!.message).toContain(
      'Fix: set location: MESH_INTERNAL on the ServiceEntry',
    );
    const internal = await lintYaml({ 'm.yaml': entry('MESH_INTERNAL') });
    expect(calls(internal, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-with-proxy AUTO:mtls 200',
    ]);
    // Under PERMISSIVE the calls work, in plaintext between two sidecars: the entry's location is the cause.
    const permissive = await lintYaml({ 'm.yaml': entry('', 'PERMISSIVE') });
    const between = byRule(permissive, 'plaintext-between-sidecars');
    expect(between).toHaveLength(1);
    expect(between[0]!.message).toMatch(
      /^ServiceEntry vm\/vm-svc MESH_EXTERNAL \(the default location\) makes 1 connection/,
    );
  });

  it('DestinationRule SIMPLE (TLS origination) is what the external host expects: no finding', async () => {
    const r = await lintYaml({
      'm.yaml': external(destinationRule('foo', 'ext', 'httpbin.org', { tls: 'SIMPLE' })),
    });
    expect(calls(r, 'foo/sleep', 'httpbin.org.foo:80')).toEqual(['httpbin-ext SIMPLE:tls tls']);
    expect(connectivity(r)).toEqual([]);
  });
});

describe('MESH_INTERNAL ServiceEntry with a workloadSelector', () => {
  const internal = (serverMode: string) =>
    docs(
      namespace('foo', INJECTED),
      namespace('legacy'),
      app('foo', 'httpbin', { noService: true, podLabels: { role: 'api' } }),
      peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: serverMode }),
      serviceEntry('foo', 'api', 'api.internal.example', {
        location: 'MESH_INTERNAL',
        selector: { role: 'api' },
        port: 8080,
      }),
      app('legacy', 'client', { noService: true, calls: 'api.internal.example:8080' }),
      app('foo', 'sleep', { noService: true, calls: 'api.internal.example:8080' }),
    );

  it('an uninjected caller of a STRICT pod behind the entry is reset', async () => {
    const r = await lintYaml({ 'm.yaml': internal('STRICT') });
    expect(calls(r, 'legacy/client', 'api.internal.example.foo:8080')).toEqual([
      'httpbin NO_SIDECAR:broken 000',
    ]);
    // A sidecar caller gets auto mTLS (MESH_INTERNAL), and it works.
    expect(calls(r, 'foo/sleep', 'api.internal.example.foo:8080')).toEqual(['httpbin AUTO:mtls 200']);
    const strict = byRule(r, 'plaintext-to-strict');
    expect(strict).toHaveLength(1);
    expect(strict[0]!.message).toContain('legacy/client → api.internal.example.foo:8080');
  });

  it('PERMISSIVE accepts the uninjected caller', async () => {
    const r = await lintYaml({ 'm.yaml': internal('PERMISSIVE') });
    expect(calls(r, 'legacy/client', 'api.internal.example.foo:8080')).toEqual([
      'httpbin NO_SIDECAR:plaintext 200',
    ]);
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
  });
});

describe('WorkloadEntries behind a MESH_INTERNAL ServiceEntry', () => {
  const vms = (mode: string, ...extra: string[]) =>
    docs(
      namespace('vm', INJECTED),
      namespace('foo', INJECTED),
      serviceEntry('vm', 'vm-svc', 'vm.example.internal', {
        location: 'MESH_INTERNAL',
        selector: { app: 'vm-app' },
      }),
      workloadEntry('vm', 'vm-with-proxy', { app: 'vm-app', 'security.istio.io/tlsMode': 'istio' }),
      workloadEntry('vm', 'vm-bare', { app: 'vm-app' }),
      peerAuthentication('vm', 'default', { mode }),
      app('foo', 'sleep', { noService: true, calls: 'vm.example.internal:80' }),
      ...extra,
    );

  it('STRICT: auto mTLS sends mTLS to the tlsMode=istio entry and plaintext to the bare one (which has no sidecar to enforce STRICT)', async () => {
    const r = await lintYaml({ 'm.yaml': vms('STRICT') });
    expect(calls(r, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-bare AUTO:plaintext 200',
      'vm-with-proxy AUTO:mtls 200',
    ]);
    const bare = edge(r, 'foo/sleep', 'vm.example.internal.vm:80').connections[0]!;
    expect(bare.server.explanation).toMatch(
      /WorkloadEntry vm\/vm-bare has no sidecar \(no security\.istio\.io\/tlsMode=istio label: Istio treats it as an endpoint without a sidecar\)/,
    );
  });

  it('a WorkloadEntry with a serviceAccount and no label is a sidecar endpoint (tlsMode istio)', async () => {
    const r = await lintYaml({
      'm.yaml': docs(
        namespace('vm', INJECTED),
        namespace('foo', INJECTED),
        serviceEntry('vm', 'vm-svc', 'vm.example.internal', {
          location: 'MESH_INTERNAL',
          selector: { app: 'vm-app' },
        }),
        workloadEntry('vm', 'vm-sa', { app: 'vm-app' }, 'vm-sa'),
        peerAuthentication('vm', 'default', { mode: 'STRICT' }),
        app('foo', 'sleep', { noService: true, calls: 'vm.example.internal:80' }),
      ),
    });
    expect(calls(r, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual(['vm-sa AUTO:mtls 200']);
  });

  it("an uninjected caller is reset by the proxied entry's STRICT, and accepted under PERMISSIVE", async () => {
    const caller = app('legacy', 'client', { noService: true, calls: 'vm.example.internal:80' });
    const strict = await lintYaml({ 'm.yaml': vms('STRICT', namespace('legacy'), caller) });
    expect(calls(strict, 'legacy/client', 'vm.example.internal.vm:80')).toEqual([
      'vm-bare NO_SIDECAR:plaintext 200',
      'vm-with-proxy NO_SIDECAR:broken 000',
    ]);
    expect(byRule(strict, 'plaintext-to-strict')).toHaveLength(1);
    const permissive = await lintYaml({ 'm.yaml': vms('PERMISSIVE', namespace('legacy'), caller) });
    expect(calls(permissive, 'legacy/client', 'vm.example.internal.vm:80')).toEqual([
      'vm-bare NO_SIDECAR:plaintext 200',
      'vm-with-proxy NO_SIDECAR:plaintext 200',
    ]);
    expect(byRule(permissive, 'plaintext-to-strict')).toEqual([]);
  });

  it('a workload-level PeerAuthentication selects the WorkloadEntry by its labels', async () => {
    const r = await lintYaml({
      'm.yaml': vms(
        'PERMISSIVE',
        namespace('legacy'),
        app('legacy', 'client', { noService: true, calls: 'vm.example.internal:80' }),
        peerAuthentication('vm', 'vm-strict', {
          selector: { 'security.istio.io/tlsMode': 'istio' },
          mode: 'STRICT',
        }),
      ),
    });
    expect(calls(r, 'legacy/client', 'vm.example.internal.vm:80')[1]).toBe(
      'vm-with-proxy NO_SIDECAR:broken 000',
    );
  });

  it('DestinationRule ISTIO_MUTUAL to a WorkloadEntry without a sidecar fails with 503', async () => {
    const r = await lintYaml({
      'm.yaml': vms(
        'PERMISSIVE',
        destinationRule('foo', 'vm', 'vm.example.internal', { tls: 'ISTIO_MUTUAL' }),
      ),
    });
    expect(calls(r, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-bare ISTIO_MUTUAL:broken 503',
      'vm-with-proxy ISTIO_MUTUAL:mtls 200',
    ]);
    const f = byRule(r, 'mtls-to-plaintext-server');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('vm.example.internal');
    // The WorkloadEntry that has no sidecar is named with its place.
    const text = r.result.findings.length ? readFileSync(path.join(r.dir, 'm.yaml'), 'utf8') : '';
    const weLine = text.split('\n').findIndex((l) => l.includes('name: vm-bare')) + 1;
    expect(f[0]!.related).toContainEqual(
      expect.objectContaining({
        file: 'm.yaml',
        message: expect.stringMatching(
          /^endpoint: WorkloadEntry vm\/vm-bare: no security\.istio\.io\/tlsMode=istio label/,
        ),
      }),
    );
    expect(f[0]!.related!.find((x) => x.message.startsWith('endpoint:'))!.line).toBeGreaterThan(weLine);
  });

  it('inline endpoints: the tlsMode label decides, and a serviceAccount counts only from 1.7', async () => {
    const endpoints = `
  endpoints:
  - address: 10.1.0.1
    labels: {security.istio.io/tlsMode: istio}
  - address: 10.1.0.2
    serviceAccount: vm
  - address: 10.1.0.3`;
    const files = {
      'm.yaml': docs(
        namespace('vm', INJECTED),
        namespace('foo', INJECTED),
        serviceEntry('vm', 'vm-svc', 'vm.example.internal', { location: 'MESH_INTERNAL', endpoints }),
        app('foo', 'sleep', { noService: true, calls: 'vm.example.internal:80' }),
      ),
    };
    const now = await lintYaml(files);
    expect(calls(now, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-svc endpoints[0] AUTO:mtls 200',
      'vm-svc endpoints[1] AUTO:mtls 200',
      'vm-svc endpoints[2] AUTO:plaintext 200',
    ]);
    const old = await lintYaml(files, { istioVersion: '1.6' });
    expect(calls(old, 'foo/sleep', 'vm.example.internal.vm:80')).toEqual([
      'vm-svc endpoints[0] AUTO:mtls 200',
      'vm-svc endpoints[1] AUTO:plaintext 200',
      'vm-svc endpoints[2] AUTO:plaintext 200',
    ]);
  });

  it('NetworkPolicies: a WorkloadEntry is outside the cluster (no ingress policy isolates it); egress rules still apply', async () => {
    const denyAll = (ns: string, types: string[]) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: ${ns}}
spec:
  podSelector: {}
  policyTypes: [${types.join(', ')}]
`;
    const ingress = await lintYaml({ 'm.yaml': vms('STRICT', denyAll('vm', ['Ingress'])) });
    expect(calls(ingress, 'foo/sleep', 'vm.example.internal.vm:80')).toHaveLength(2);
    expect(byRule(ingress, 'call-blocked-by-network-policy')).toEqual([]);
    const egress = await lintYaml({ 'm.yaml': vms('STRICT', denyAll('foo', ['Egress'])) });
    expect(edgesOf(egress, 'foo/sleep')).toEqual([]);
    expect(byRule(egress, 'call-blocked-by-network-policy')).toHaveLength(1);
  });

  it('a PeerAuthentication or AuthorizationPolicy that selects only WorkloadEntries selects something', async () => {
    const authz = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: vm-authz, namespace: vm}
spec:
  selector: {matchLabels: {app: vm-app}}
  rules:
  - from: [{source: {principals: ["cluster.local/ns/foo/sa/sleep"]}}]
`;
    const r = await lintYaml({
      'm.yaml': vms(
        'PERMISSIVE',
        app('vm', 'other', { noService: true }),
        peerAuthentication('vm', 'vm-strict', { selector: { app: 'vm-app' }, mode: 'STRICT' }),
        authz,
      ),
    });
    expect(byRule(r, 'unmatched-target')).toEqual([]);
  });
});
